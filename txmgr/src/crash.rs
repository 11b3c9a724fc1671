//! Crash points for the crash-safety tests: `RIPOSTE_TEST_KILL_AT=<point>#<n>` makes the
//! process SIGKILL itself the `n`-th time it reaches `<point>` (e.g.
//! `broadcast:move#2`); `panic@<point>#<n>` makes the task that reaches it panic instead.
//! Unset, every point is a no-op; without the crate feature `crash-points` every point is an
//! empty function and the variable is ignored.
//!
//! The points the responder passes, each with the intent's kind: `intent-written`,
//! `attempt-recorded`, `broadcast`, `receipt`.

/// The environment variable naming the crash point.
pub const ENV: &str = "RIPOSTE_TEST_KILL_AT";

/// Marks a point where a crash must be survivable (no-op: built without `crash-points`).
#[cfg(not(feature = "crash-points"))]
#[inline(always)]
pub fn point(_stage: &str, _kind: &str) {}

#[cfg(feature = "crash-points")]
pub use armed::point;

#[cfg(feature = "crash-points")]
mod armed {
    use std::sync::{
        OnceLock,
        atomic::{AtomicU64, Ordering},
    };

    use super::ENV;

    /// The point to stop at, how many times it is passed first, and whether to panic (not kill).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub(super) struct Target {
        pub(super) point: String,
        pub(super) nth: u64,
        pub(super) panics: bool,
    }

    impl Target {
        /// Parses `[panic@]<stage>[:<kind>][#<n>]`; a missing or unreadable `n` is 1.
        pub(super) fn parse(v: &str) -> Self {
            let (panics, v) = match v.strip_prefix("panic@") {
                Some(rest) => (true, rest),
                None => (false, v),
            };
            let (point, n) = v.split_once('#').unwrap_or((v, "1"));
            Self { point: point.to_string(), nth: n.parse().unwrap_or(1), panics }
        }

        /// Whether `stage` for an intent of `kind` is this point (`stage` alone matches any kind).
        pub(super) fn matches(&self, stage: &str, kind: &str) -> bool {
            self.point.split_once(':') == Some((stage, kind)) || self.point == stage
        }
    }

    static TARGET: OnceLock<Option<Target>> = OnceLock::new();
    static HITS: AtomicU64 = AtomicU64::new(0);

    fn target() -> &'static Option<Target> {
        TARGET.get_or_init(|| std::env::var(ENV).ok().map(|v| Target::parse(&v)))
    }

    /// Marks a point where a crash must be survivable.
    pub fn point(stage: &str, kind: &str) {
        let Some(t) = target() else { return };
        if !t.matches(stage, kind) {
            return;
        }
        if HITS.fetch_add(1, Ordering::SeqCst) + 1 == t.nth {
            if t.panics {
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

    #[cfg(test)]
    mod tests {
        use super::Target;

        #[test]
        fn parses_kill_and_panic_targets_with_their_count() {
            assert_eq!(
                Target::parse("broadcast:move#2"),
                Target { point: "broadcast:move".into(), nth: 2, panics: false }
            );
            assert_eq!(Target::parse("panic@receipt#3"), Target { point: "receipt".into(), nth: 3, panics: true });
            assert_eq!(
                Target::parse("intent-written"),
                Target { point: "intent-written".into(), nth: 1, panics: false }
            );
            assert_eq!(Target::parse("receipt#x").nth, 1);
        }

        #[test]
        fn a_stage_alone_matches_every_kind_and_a_stage_with_kind_only_that_kind() {
            let any = Target::parse("broadcast");
            assert!(any.matches("broadcast", "move") && any.matches("broadcast", "step"));
            assert!(!any.matches("receipt", "move"));
            let moves = Target::parse("attempt-recorded:move#1");
            assert!(moves.matches("attempt-recorded", "move"));
            assert!(!moves.matches("attempt-recorded", "step"));
            assert!(!moves.matches("broadcast", "move"));
        }
    }
}
