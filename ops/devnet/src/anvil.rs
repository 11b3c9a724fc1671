//! One anvil process: spawned under a watchdog, ready once it answers `eth_chainId`.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use alloy::providers::{Provider, RootProvider};
use alloy::transports::http::reqwest::Url;

use crate::{DevnetError, Result};

/// Runs anvil (`exec "$@"`) beside a watchdog that SIGKILLs it once our process is gone.
///
/// The watchdog blocks reading a pipe whose write end only this process holds: when this
/// process exits, however it dies (even SIGKILL), the kernel closes that end, the read returns
/// and anvil is killed. No `unsafe` (`pre_exec`/`prctl`) needed. `$$` is the shell's pid,
/// which `exec` hands to anvil.
const WATCHDOG: &str = r#"exec 3<&0
( read -r _ <&3; kill -9 $$ ) </dev/null >/dev/null 2>&1 &
exec "$@" 3<&- </dev/null"#;

/// A running anvil. Killed when dropped.
#[derive(Debug)]
pub(crate) struct Anvil {
    which: &'static str,
    child: Child,
    /// Holding it keeps the watchdog waiting; dropping it (or dying) makes it kill anvil.
    lifeline: Option<ChildStdin>,
    log: PathBuf,
    port: u16,
}

impl Anvil {
    /// Spawns `anvil --host 127.0.0.1 --port <port or 0> <args>` with its output in `log`.
    pub(crate) fn spawn(which: &'static str, anvil: &Path, port: u16, args: &[String], log: PathBuf) -> Result<Self> {
        let io_err = |what: String| move |source| DevnetError::Io { what, source };
        let out = File::create(&log).map_err(io_err(format!("creating {}", log.display())))?;
        let err = out.try_clone().map_err(io_err(format!("duplicating {}", log.display())))?;
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(WATCHDOG)
            .arg("riposte-anvil")
            .arg(anvil)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|source| DevnetError::Spawn { which, path: anvil.to_owned(), source })?;
        let lifeline = child.stdin.take();
        Ok(Self { which, child, lifeline, log, port })
    }

    /// The last lines anvil printed (its errors land there).
    pub(crate) fn output_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }

    fn exited(&mut self) -> Option<DevnetError> {
        match self.child.try_wait() {
            Ok(None) => None,
            Ok(Some(status)) => Some(DevnetError::AnvilExited {
                which: self.which,
                port: self.port,
                status: status.to_string(),
                stderr_tail: self.output_tail(),
            }),
            Err(source) => Some(DevnetError::Io { what: format!("waiting for {}", self.which), source }),
        }
    }

    /// Waits until anvil listens (its "Listening on" line gives the port when asked for port 0)
    /// and answers `eth_chainId` with `chain_id`; errors at once if it exits.
    pub(crate) async fn wait_ready(&mut self, chain_id: u64, timeout: Duration) -> Result<(Url, RootProvider)> {
        let start = Instant::now();
        let not_ready = |me: &Self, url: String| DevnetError::AnvilNotReady {
            which: me.which,
            url,
            waited: start.elapsed(),
            stderr_tail: me.output_tail(),
        };
        let addr = loop {
            if let Some(e) = self.exited() {
                return Err(e);
            }
            let text = std::fs::read_to_string(&self.log).unwrap_or_default();
            if let Some(addr) = text.lines().find_map(|l| l.trim().strip_prefix("Listening on ")) {
                break addr.trim().to_owned();
            }
            if start.elapsed() > timeout {
                return Err(not_ready(self, format!("127.0.0.1:{}", self.port)));
            }
            tokio::time::sleep(Duration::from_millis(3)).await;
        };
        let url: Url = format!("http://{addr}").parse().map_err(|e| DevnetError::Decode {
            what: format!("{} listen address", self.which),
            reason: format!("{addr:?}: {e}"),
        })?;
        if let Some(port) = url.port() {
            self.port = port;
        }
        let provider = RootProvider::new_http(url.clone());
        loop {
            if let Some(e) = self.exited() {
                return Err(e);
            }
            match provider.get_chain_id().await {
                Ok(id) if id == chain_id => return Ok((url, provider)),
                Ok(id) => {
                    return Err(DevnetError::Decode {
                        what: format!("{} eth_chainId at {url}", self.which),
                        reason: format!("chain id {id}, expected {chain_id}"),
                    });
                }
                Err(_) if start.elapsed() <= timeout => tokio::time::sleep(Duration::from_millis(3)).await,
                Err(_) => return Err(not_ready(self, url.to_string())),
            }
        }
    }

    /// The port anvil listens on (known once ready).
    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// The process id of anvil.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Anvil {
    fn drop(&mut self) {
        // Signal before reaping, so no signal can reach a recycled pid from us.
        drop(self.lifeline.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
