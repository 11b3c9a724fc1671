//! Crash points for the crash-safety tests: `RIPOSTE_TEST_KILL_AT=<point>#<n>` makes the
//! process SIGKILL itself the `n`-th time it reaches `<point>` (e.g.
//! `broadcast:move#2`); `panic@<point>#<n>` makes the task that reaches it panic instead.
//! Unset, every point is a no-op.

use std::sync::{
    OnceLock,
    atomic::{AtomicU64, Ordering},
};

/// The environment variable naming the crash point.
pub(crate) const ENV: &str = "RIPOSTE_TEST_KILL_AT";

static TARGET: OnceLock<Option<(String, u64, bool)>> = OnceLock::new();
static HITS: AtomicU64 = AtomicU64::new(0);

fn target() -> &'static Option<(String, u64, bool)> {
    TARGET.get_or_init(|| {
        let v = std::env::var(ENV).ok()?;
        let (panics, v) = match v.strip_prefix("panic@") {
            Some(rest) => (true, rest.to_string()),
            None => (false, v),
        };
        let (point, n) = v.split_once('#').unwrap_or((v.as_str(), "1"));
        Some((point.to_string(), n.parse().unwrap_or(1), panics))
    })
}

/// Marks a point where a crash must be survivable.
pub(crate) fn point(stage: &str, kind: &str) {
    let Some((want, n, panics)) = target() else { return };
    if want.split_once(':') != Some((stage, kind)) && want != stage {
        return;
    }
    if HITS.fetch_add(1, Ordering::SeqCst) + 1 == *n {
        if *panics {
            tracing::warn!(stage, kind, "crash point reached: panicking");
            std::panic::panic_any(format!("test panic at {stage}:{kind}"));
        }
        tracing::warn!(stage, kind, "crash point reached: killing this process with SIGKILL");
        let _ = std::process::Command::new("kill").args(["-9", &std::process::id().to_string()]).status();
        // SIGKILL is on its way; do nothing more.
        loop {
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
    }
}
