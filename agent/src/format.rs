//! Human-readable renderings for the CLI.

use std::fmt::Write;

use alloy_primitives::U256;
use riposte_game::{GameDepth, GameError, Position, required_bond};

/// Wei as ETH with up to 9 decimals (rounded half up, trailing zeros trimmed).
pub fn eth(wei: U256) -> String {
    let unit = U256::from(1_000_000_000u64);
    let gwei = (wei + unit / U256::from(2)) / unit;
    let whole = gwei / unit;
    let frac = gwei % unit;
    let frac = format!("{frac:0>9}");
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() { whole.to_string() } else { format!("{whole}.{frac}") }
}

/// What the position means in a game of these depths.
pub fn describe_position(pos: Position, depth: GameDepth) -> Result<String, GameError> {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "position      {}", pos.gindex());
    let _ = writeln!(w, "depth         {} (max {}, split {})", pos.depth(), depth.max(), depth.split());
    let _ = writeln!(w, "index         {}", pos.index_at_depth());
    if pos.depth() > depth.max() {
        let _ = writeln!(w, "beyond the max depth: only a step lands here");
        return Ok(out);
    }
    let _ = writeln!(w, "trace index   {} (of the full tree)", pos.trace_index(depth.max())?);
    if depth.is_output_position(pos) {
        let _ =
            writeln!(w, "kind          output root, block = starting block + {}", depth.output_trace_index(pos)? + 1);
    } else {
        let kind = if depth.is_exec_root(pos) { "execution subgame root" } else { "execution trace" };
        let _ = writeln!(w, "kind          {kind}, local trace index {}", depth.exec_trace_index(pos)?);
    }
    let _ = writeln!(w, "bond          {} ETH", eth(required_bond(pos, depth.max())?));
    for (name, attack) in [("attack", true), ("defend", false)] {
        // check_move needs the claim index only to recognise the root (index 0).
        match depth.check_move(usize::from(!pos.is_root()), pos, attack) {
            Ok(next) => {
                let _ = writeln!(w, "{name:<13} {}", next.gindex());
            }
            Err(e) => {
                let _ = writeln!(w, "{name:<13} not allowed ({e})");
            }
        }
    }
    Ok(out)
}

/// One claim tree drawn as an indented tree, children under their parent in insertion order:
/// index, move, position, depth, trace index, what it stands for, value, claimant, bond, clock
/// left, whether the honest trace agrees, and who countered it.
pub fn render_tree(
    view: &riposte_solver::trace::GameView,
    now: u64,
    honest: &[Option<bool>],
    name: &dyn Fn(alloy_primitives::Address) -> String,
) -> String {
    let rows = crate::view::claim_rows(view, now, honest, None);
    let mut out = String::new();
    let mut stack = vec![(0usize, 0usize)];
    while let Some((i, indent)) = stack.pop() {
        let Some(r) = rows.get(i) else { continue };
        let ti = r.trace_index.as_deref().unwrap_or("-");
        let what = r.stands_for.as_ref().map(|w| format!(", {w}")).unwrap_or_default();
        let countered = r.countered_by.map(|a| format!("  countered by {}", name(a))).unwrap_or_default();
        let bond = r.bond_wei.parse::<U256>().unwrap_or_default();
        let _ = writeln!(
            out,
            "{:indent$}[{i}] {:<6} pos {} (depth {}, trace {ti}{what}) {}  by {}  bond {} ETH  clock {}s  {}{countered}",
            "",
            r.kind,
            r.position,
            r.depth,
            short(r.value),
            name(r.claimant),
            eth(bond),
            r.clock_left,
            r.verdict.label(),
            indent = indent * 2,
        );
        for &k in r.children.iter().rev() {
            stack.push((k, indent + 1));
        }
    }
    out
}

/// A hash shortened to its first and last four bytes.
pub fn short(h: alloy_primitives::B256) -> String {
    let s = format!("{h:#x}");
    format!("{}…{}", &s[..10], &s[s.len() - 8..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eth_formatting() {
        assert_eq!(eth(U256::from(80_000_000_000_000_000u64)), "0.08");
        assert_eq!(eth(U256::from(1_000_000_000_000_000_000u64)), "1");
        assert_eq!(eth(U256::from(1_500_000_000u64)), "0.000000002");
        assert_eq!(eth(U256::ZERO), "0");
    }

    #[test]
    fn describes_an_exec_root() {
        let d = GameDepth::new(8, 4).unwrap();
        let s = describe_position(Position::from_gindex(32).unwrap(), d).unwrap();
        assert!(s.contains("execution subgame root, local trace index 7"), "{s}");
        assert!(s.contains("defend        not allowed"), "{s}");
        assert!(s.contains("attack        64"), "{s}");
    }
}
