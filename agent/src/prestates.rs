//! Cannon64 prestates looked up by the hash a game names, as op-challenger does: the file
//! `<0xhash>.bin.gz` in `prestates-dir`, else fetched from `prestates-url` (`<base>/<0xhash>.bin.gz`
//! over http(s) with a one-minute timeout, or copied from a `file://` base), written atomically
//! into the directory, and used only if its state hash is the game's `absolutePrestate`. Loaded
//! programs are kept for every later game with the same prestate.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use alloy::primitives::B256;
use riposte_vm::mt64::Snapshot64;
use riposte_vm::trace::VmTrace;

use crate::traces::{CannonVm, subgame_oracles};

/// Where prestates are found, and those already loaded.
pub struct PrestateStore {
    dir: PathBuf,
    url: Option<String>,
    snapshot_every: u64,
    loaded: Mutex<HashMap<B256, Arc<CannonVm>>>,
    /// Prestates that could not be had, with when and why: not asked for again before
    /// [`RETRY_MISSING`] (a game is looked at every head).
    missing: Mutex<HashMap<B256, (std::time::Instant, String)>>,
}

/// How long a prestate that could not be had is not asked for again.
pub const RETRY_MISSING: std::time::Duration = std::time::Duration::from_secs(600);

impl PrestateStore {
    /// A store over `dir`, filled from `url` (an http(s) or `file://` base) when a prestate is
    /// missing.
    pub fn new(dir: PathBuf, url: Option<String>, snapshot_every: u64) -> Result<Self, String> {
        if let Some(u) = &url
            && !["file://", "http://", "https://"].iter().any(|s| u.starts_with(s))
        {
            return Err(format!("prestates-url {u}: not an http(s):// or file:// base"));
        }
        std::fs::create_dir_all(&dir).map_err(|e| format!("prestates-dir {}: {e}", dir.display()))?;
        Ok(Self { dir, url, snapshot_every, loaded: Mutex::new(HashMap::new()), missing: Mutex::new(HashMap::new()) })
    }

    /// `true` when missing prestates are downloaded (an http(s) base): any hash may be found.
    pub fn fetches_any(&self) -> bool {
        self.url.as_ref().is_some_and(|u| !u.starts_with("file://"))
    }

    /// The prestates the directory and the `file://` source hold, by their file names (each is
    /// checked against its name when it is loaded).
    pub fn available(&self) -> Vec<B256> {
        let mut dirs = vec![self.dir.clone()];
        dirs.extend(self.url.as_ref().map(|u| PathBuf::from(u.trim_start_matches("file://"))));
        let mut out: Vec<B256> = dirs
            .iter()
            .filter_map(|d| std::fs::read_dir(d).ok())
            .flatten()
            .filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix(".bin.gz")?.parse().ok())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    fn file_name(hash: B256) -> String {
        format!("{hash}.bin.gz")
    }

    /// The program whose absolute prestate is `hash`, or why there is none (a failure is
    /// remembered for [`RETRY_MISSING`]).
    pub fn get(&self, hash: B256) -> Result<Arc<CannonVm>, String> {
        if let Some(vm) = self.loaded.lock().map_err(|_| "the prestate cache is poisoned")?.get(&hash) {
            return Ok(Arc::clone(vm));
        }
        if let Some((at, why)) = self.missing.lock().map_err(|_| "the prestate cache is poisoned")?.get(&hash)
            && at.elapsed() < RETRY_MISSING
        {
            return Err(format!("{why} (not asked again for {} s)", RETRY_MISSING.as_secs()));
        }
        let got = self.load(hash);
        if let Err(why) = &got {
            self.missing
                .lock()
                .map_err(|_| "the prestate cache is poisoned")?
                .insert(hash, (std::time::Instant::now(), why.clone()));
        }
        got
    }

    fn load(&self, hash: B256) -> Result<Arc<CannonVm>, String> {
        let path = self.dir.join(Self::file_name(hash));
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => self.fetch(hash, &path)?,
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        let snapshot = check(&bytes, hash).map_err(|e| format!("{}: {e}", path.display()))?;
        let vm = Arc::new(CannonVm::Mips64(
            VmTrace::from_prestate(snapshot, subgame_oracles()).with_snapshot_every(self.snapshot_every),
        ));
        tracing::info!(prestate = %hash, file = %path.display(), "Cannon64 prestate loaded");
        self.loaded.lock().map_err(|_| "the prestate cache is poisoned")?.insert(hash, Arc::clone(&vm));
        Ok(vm)
    }

    /// Fetches `<url>/<hash>.bin.gz` into the directory (checked first, then renamed into
    /// place). Blocks: call it off the async workers (an http fetch runs on the current runtime).
    fn fetch(&self, hash: B256, path: &Path) -> Result<Vec<u8>, String> {
        let Some(base) = &self.url else {
            return Err(format!("prestate {hash} is not in {} (and no prestates-url is set)", self.dir.display()));
        };
        let (bytes, source) = match base.strip_prefix("file://") {
            Some(dir) => {
                let source = PathBuf::from(dir).join(Self::file_name(hash));
                let bytes =
                    std::fs::read(&source).map_err(|e| format!("prestate {hash} at {}: {e}", source.display()))?;
                (bytes, source.display().to_string())
            }
            None => {
                let url = format!("{}/{}", base.trim_end_matches('/'), Self::file_name(hash));
                let runtime = tokio::runtime::Handle::try_current().map_err(|e| format!("fetching {url}: {e}"))?;
                let got = runtime.block_on(riposte_chain::download::fetch(
                    &url,
                    std::time::Duration::from_secs(60),
                    riposte_vm::mt64::MAX_SNAPSHOT_BYTES,
                ));
                (got.map_err(|e| format!("prestate {hash}: {e}"))?, url)
            }
        };
        check(&bytes, hash).map_err(|e| format!("{source}: {e}"))?;
        let tmp = path.with_extension("download");
        std::fs::write(&tmp, &bytes).map_err(|e| format!("{}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))?;
        tracing::info!(prestate = %hash, from = %source, to = %path.display(), "Cannon64 prestate copied");
        Ok(bytes)
    }
}

/// The snapshot in `bytes`, if its state hash is `hash`.
fn check(bytes: &[u8], hash: B256) -> Result<Snapshot64, String> {
    let s = Snapshot64::read_file_bytes(bytes).map_err(|e| e.to_string())?;
    let got = s.state.hash();
    if got != hash {
        return Err(format!("its state hash is {got}, not the game's absolute prestate {hash}"));
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use riposte_vm::mt64::{Thread64, load_elf};

    /// A tiny Cannon64 program's prestate: one segment of zero instructions.
    fn prestate() -> Snapshot64 {
        let mut f = vec![0u8; 64 + 56];
        f[..7].copy_from_slice(&[0x7F, b'E', b'L', b'F', 2, 2, 1]);
        f[16..18].copy_from_slice(&2u16.to_be_bytes());
        f[18..20].copy_from_slice(&8u16.to_be_bytes());
        f[24..32].copy_from_slice(&0x1000u64.to_be_bytes());
        f[32..40].copy_from_slice(&64u64.to_be_bytes());
        f[54..56].copy_from_slice(&56u16.to_be_bytes());
        f[56..58].copy_from_slice(&1u16.to_be_bytes());
        f[64..68].copy_from_slice(&1u32.to_be_bytes());
        f[72..80].copy_from_slice(&120u64.to_be_bytes());
        f[80..88].copy_from_slice(&0x1000u64.to_be_bytes());
        f[96..104].copy_from_slice(&8u64.to_be_bytes());
        f[104..112].copy_from_slice(&8u64.to_be_bytes());
        f.extend_from_slice(&[0; 8]);
        load_elf(&f).unwrap()
    }

    fn temp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("riposte-prestates-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn finds_checks_and_copies_prestates_by_hash() {
        let s = prestate();
        let hash = s.state.hash();
        let (dir, source) = (temp("dir"), temp("src"));
        std::fs::create_dir_all(&source).unwrap();
        std::fs::write(source.join(format!("{hash}.bin.gz")), s.to_bin_gz()).unwrap();
        // Not in the directory and no URL: named.
        let bare = PrestateStore::new(dir.clone(), None, 1000).unwrap();
        assert!(bare.get(hash).err().unwrap().contains("no prestates-url"));
        // From a file:// base: copied into the directory, then served from there.
        let store = PrestateStore::new(dir.clone(), Some(format!("file://{}", source.display())), 1000).unwrap();
        assert_eq!(store.available(), vec![hash], "listed from the source");
        let vm = store.get(hash).unwrap();
        assert_eq!(vm.absolute_prestate(), hash);
        assert!(dir.join(format!("{hash}.bin.gz")).exists());
        assert!(Arc::ptr_eq(&vm, &store.get(hash).unwrap()), "loaded once");
        assert_eq!(PrestateStore::new(dir.clone(), None, 1000).unwrap().get(hash).unwrap().absolute_prestate(), hash);
        // A file whose state is another one is refused, both in the directory and at the source.
        let mut other = s.clone();
        other.state.left.0.push(Thread64::at(9, 0x2000));
        let wrong = other.state.hash();
        std::fs::write(dir.join(format!("{wrong}.bin.gz")), s.to_bin_gz()).unwrap();
        let err = store.get(wrong).err().unwrap();
        assert!(err.contains("not the game's absolute prestate"), "{err}");
        // Other schemes are refused at start by name.
        assert!(PrestateStore::new(dir.clone(), Some("ftp://example.org/p".into()), 1).is_err());
        let _ = (std::fs::remove_dir_all(&dir), std::fs::remove_dir_all(&source));
    }

    /// Serves `body` to every GET for `/<name>` (404 otherwise) on a local port; returns the base.
    fn serve(name: String, body: Vec<u8>) -> String {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut s) = stream else { continue };
                let mut buf = [0u8; 4096];
                let n = s.read(&mut buf).unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]).to_string();
                let found = request.starts_with(&format!("GET /{name} "));
                let head = if found {
                    format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", body.len())
                } else {
                    "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".into()
                };
                let _ = s.write_all(head.as_bytes());
                if found {
                    let _ = s.write_all(&body);
                }
            }
        });
        base
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn downloads_a_missing_prestate_over_http_and_refuses_what_is_not_there() {
        let s = prestate();
        let hash = s.state.hash();
        let dir = temp("http");
        let base = serve(format!("{hash}.bin.gz"), s.to_bin_gz());
        let store = Arc::new(PrestateStore::new(dir.clone(), Some(format!("{base}/")), 1000).unwrap());
        assert!(store.fetches_any() && store.available().is_empty());
        let st = Arc::clone(&store);
        let vm = tokio::task::spawn_blocking(move || st.get(hash)).await.unwrap().unwrap();
        assert_eq!(vm.absolute_prestate(), hash);
        assert!(dir.join(format!("{hash}.bin.gz")).exists(), "written into the directory");
        let other = B256::repeat_byte(3);
        let st = Arc::clone(&store);
        let err = tokio::task::spawn_blocking(move || st.get(other)).await.unwrap().err().unwrap();
        assert!(err.contains("404"), "{err}");
        let st = Arc::clone(&store);
        let again = tokio::task::spawn_blocking(move || st.get(other)).await.unwrap().err().unwrap();
        assert!(again.contains("not asked again"), "{again}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
