//! The web view (`--web.addr`, `--web.port`): a page listing the factory's games in the window
//! and, per game, its claim tree drawn as a tree; both refresh themselves every few seconds by
//! fetching their server-rendered fragment. `/api/games` and `/api/games/<address>` serve the
//! same data as JSON. No assets from elsewhere, no build step: the HTML, CSS and the few lines
//! of script are written here.
//!
//! A game that cannot be read, a node that is down, an address that is not a game in the window:
//! each is said on the page and in the API, and the other games are still shown.

use crate::{
    format,
    run::Agent,
    view::{ClaimRow, GameDetail, GameRow, Verdict},
};
use alloy_primitives::{Address, U256};
use futures::future::BoxFuture;
use std::{
    collections::HashMap,
    fmt::Write,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use tokio::net::TcpListener;

/// Where the page's data comes from (the agent's chain reads; fakes in tests).
pub trait WebData: Send + Sync + 'static {
    /// A line naming the chain and factory, for the page header.
    fn title(&self) -> String;
    /// Every game in the window.
    fn rows(&self) -> BoxFuture<'_, Result<Vec<GameRow>, String>>;
    /// One game; `Ok(None)` when it is not a game of the factory in the window.
    fn detail(&self, game: Address) -> BoxFuture<'_, Result<Option<GameDetail>, String>>;
}

/// How long a read is served from memory: polling pages must not multiply RPC load.
const FRESH: Duration = Duration::from_secs(3);

/// A read of the game list and when it was made.
type CachedRows = Option<(Instant, Result<Vec<GameRow>, String>)>;

/// The agent's reads, cached for [`FRESH`].
pub struct AgentData {
    agent: Arc<Agent>,
    rows: tokio::sync::Mutex<CachedRows>,
    details: Mutex<HashMap<Address, (Instant, GameDetail)>>,
}

impl AgentData {
    /// Over a started agent.
    pub fn new(agent: Arc<Agent>) -> Self {
        Self { agent, rows: tokio::sync::Mutex::new(None), details: Mutex::new(HashMap::new()) }
    }
}

impl WebData for AgentData {
    fn title(&self) -> String {
        format!("factory {}", self.agent.config().game_factory_address)
    }

    fn rows(&self) -> BoxFuture<'_, Result<Vec<GameRow>, String>> {
        Box::pin(async move {
            let mut cached = self.rows.lock().await;
            if let Some((at, rows)) = cached.as_ref()
                && at.elapsed() < FRESH
            {
                return rows.clone();
            }
            let rows = match self.agent.l1_now().await {
                Ok(now) => self.agent.game_rows(now).await.map_err(|e| format!("{e:#}")),
                Err(e) => Err(format!("the L1 node: {e:#}")),
            };
            *cached = Some((Instant::now(), rows.clone()));
            rows
        })
    }

    fn detail(&self, game: Address) -> BoxFuture<'_, Result<Option<GameDetail>, String>> {
        Box::pin(async move {
            let hit =
                self.details.lock().ok().and_then(|d| d.get(&game).filter(|(at, _)| at.elapsed() < FRESH).cloned());
            if let Some((_, d)) = hit {
                return Ok(Some(d));
            }
            let now = self.agent.l1_now().await.map_err(|e| format!("the L1 node: {e:#}"))?;
            let games = self.agent.window_games(now).await.map_err(|e| format!("{e:#}"))?;
            let Some(fg) = games.into_iter().find(|g| g.address == game) else { return Ok(None) };
            let detail = self.agent.game_detail(fg, now).await.map_err(|e| format!("{e:#}"))?;
            if let Ok(mut d) = self.details.lock() {
                d.insert(game, (Instant::now(), detail.clone()));
            }
            Ok(Some(detail))
        })
    }
}

/// Serves the page and its API on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, data: Arc<dyn WebData>) -> std::io::Result<()> {
    loop {
        let (mut sock, _) = listener.accept().await?;
        let data = Arc::clone(&data);
        tokio::spawn(async move {
            let path = crate::http::request_path(&mut sock).await;
            let (status, ctype, body) = answer(data.as_ref(), &path).await;
            crate::http::respond(&mut sock, status, ctype, &body).await;
        });
    }
}

const HTML: &str = "text/html; charset=utf-8";
const JSON: &str = "application/json";

/// The answer to one GET: status, content type, body.
pub async fn answer(data: &dyn WebData, path: &str) -> (&'static str, &'static str, String) {
    let path = path.split('?').next().unwrap_or(path);
    let game_of = |rest: &str| rest.parse::<Address>().map_err(|_| rest.to_owned());
    match path {
        "/" => {
            let rows = data.rows().await;
            ("200 OK", HTML, page(&data.title(), "games", "/fragment/games", &games_fragment(&rows)))
        }
        "/fragment/games" => ("200 OK", HTML, games_fragment(&data.rows().await)),
        "/api/games" => match data.rows().await {
            Ok(rows) => ("200 OK", JSON, serde_json::to_string(&rows).unwrap_or_default()),
            Err(e) => ("502 Bad Gateway", JSON, serde_json::json!({ "error": e }).to_string()),
        },
        _ => {
            let (kind, rest) = if let Some(r) = path.strip_prefix("/game/") {
                ("page", r)
            } else if let Some(r) = path.strip_prefix("/fragment/game/") {
                ("fragment", r)
            } else if let Some(r) = path.strip_prefix("/api/games/") {
                ("api", r)
            } else {
                return (
                    "404 Not Found",
                    HTML,
                    page(&data.title(), "not found", "", &notice(&format!("no page at {path}"))),
                );
            };
            let game = match game_of(rest) {
                Ok(g) => g,
                Err(bad) => {
                    let what = format!("{bad:?} is not a game address");
                    return match kind {
                        "api" => ("400 Bad Request", JSON, serde_json::json!({ "error": what }).to_string()),
                        _ => ("400 Bad Request", HTML, page(&data.title(), "bad address", "", &notice(&what))),
                    };
                }
            };
            let detail = data.detail(game).await;
            let status = match &detail {
                Ok(Some(_)) => "200 OK",
                Ok(None) => "404 Not Found",
                Err(_) => "502 Bad Gateway",
            };
            match kind {
                "api" => {
                    let body = match &detail {
                        Ok(Some(d)) => serde_json::to_string(d).unwrap_or_default(),
                        Ok(None) => serde_json::json!({ "error": format!("{game} is not a game of this factory in the window") }).to_string(),
                        Err(e) => serde_json::json!({ "error": e }).to_string(),
                    };
                    (status, JSON, body)
                }
                "fragment" => (status, HTML, game_fragment(game, &detail)),
                _ => {
                    let refresh = format!("/fragment/game/{game}");
                    (
                        status,
                        HTML,
                        page(&data.title(), &format!("game {game}"), &refresh, &game_fragment(game, &detail)),
                    )
                }
            }
        }
    }
}

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn notice(text: &str) -> String {
    format!("<p class=\"notice\">{}</p>", esc(text))
}

const STYLE: &str = r#"
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1d2330; background: #fbfbfd; }
h1 { font-size: 18px; margin: 0 0 .2em; } .sub { color: #5c6370; margin-bottom: 1em; }
table { border-collapse: collapse; } th, td { padding: 4px 10px; border-bottom: 1px solid #e3e5ea; text-align: left; }
th { background: #eef0f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font: 12px ui-monospace, monospace; }
.honest { color: #16794b; } .dishonest { color: #b4232c; font-weight: 600; } .unknown { color: #7a7f88; }
.notice { padding: .6em 1em; background: #fff4e5; border: 1px solid #f0c27b; display: inline-block; }
.error { color: #b4232c; }
ul.tree, ul.tree ul { list-style: none; margin: 0; padding-left: 1.6em; }
ul.tree { padding-left: 0; } ul.tree ul { border-left: 1px dashed #b8bdc7; margin-left: .6em; }
ul.tree li { margin: .35em 0; position: relative; }
ul.tree ul > li::before { content: ""; position: absolute; left: -1.6em; top: 1em; width: 1.3em; border-top: 1px dashed #b8bdc7; }
.claim { display: inline-block; border: 1px solid #cfd3da; border-left-width: 5px; border-radius: 4px; padding: 4px 8px; background: #fff; }
.claim.v-honest { border-left-color: #1f9d61; } .claim.v-dishonest { border-left-color: #d23b44; } .claim.v-unknown { border-left-color: #a0a5ae; }
.claim .head { font-weight: 600; } .claim .meta { color: #5c6370; font-size: 12px; }
"#;

/// A whole page around `body`; with `refresh` set, the script replaces `#live` with that
/// fragment every three seconds.
fn page(title: &str, heading: &str, refresh: &str, body: &str) -> String {
    let script = if refresh.is_empty() {
        String::new()
    } else {
        format!(
            "<script>\nsetInterval(async () => {{\n  try {{\n    const r = await fetch({refresh:?}, {{ cache: 'no-store' }});\n    document.getElementById('live').innerHTML = await r.text();\n    document.getElementById('updated').textContent = 'updated ' + new Date().toLocaleTimeString();\n  }} catch (e) {{\n    document.getElementById('updated').textContent = 'riposte is not answering: ' + e;\n  }}\n}}, 3000);\n</script>"
        )
    };
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>riposte: {h}</title><style>{STYLE}</style></head>\n<body><h1><a href=\"/\">riposte</a>: {h}</h1><div class=\"sub\">{t} · <span id=\"updated\">live</span></div>\n<div id=\"live\">{body}</div>\n{script}\n</body></html>\n",
        h = esc(heading),
        t = esc(title),
    )
}

fn verdict_cell(v: Verdict) -> String {
    let class = match v {
        Verdict::Honest => "honest",
        Verdict::Dishonest => "dishonest",
        Verdict::Unknown => "unknown",
    };
    format!("<span class=\"{class}\">{}</span>", v.label())
}

/// The game list (the page's live part).
pub fn games_fragment(rows: &Result<Vec<GameRow>, String>) -> String {
    let rows = match rows {
        Ok(r) => r,
        Err(e) => return notice(&format!("the games cannot be listed: {e}")),
    };
    if rows.is_empty() {
        return notice("no games in the window");
    }
    let mut out = String::from(
        "<table id=\"games\"><tr><th>index</th><th>game</th><th>type</th><th>version</th><th>status</th><th>forecast</th><th>claims</th><th>root</th><th>L2 block</th><th>next deadline, or bonds once resolved</th></tr>\n",
    );
    for r in rows {
        let _ = write!(
            out,
            "<tr data-game=\"{a}\"><td class=\"num\">{}</td><td><a href=\"/game/{a}\"><code>{a}</code></a></td><td class=\"num\">{}</td>",
            r.index,
            r.game_type,
            a = r.address,
        );
        match &r.error {
            Some(e) => {
                let _ = writeln!(out, "<td colspan=\"7\" class=\"error\">unreadable: {}</td></tr>", esc(e));
            }
            None => {
                let _ = writeln!(
                    out,
                    "<td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                    esc(&r.version),
                    esc(&r.status),
                    esc(r.forecast.as_deref().unwrap_or("-")),
                    r.claims,
                    verdict_cell(r.root),
                    r.l2_block,
                    esc(&r.note),
                );
            }
        }
    }
    out.push_str("</table>\n");
    out
}

fn duration(secs: u64) -> String {
    match secs {
        0 => "expired".into(),
        s if s < 120 => format!("{s}s"),
        s if s < 7200 => format!("{}m {}s", s / 60, s % 60),
        s => format!("{}h {}m", s / 3600, (s % 3600) / 60),
    }
}

fn claim_node(out: &mut String, rows: &[ClaimRow], i: usize, seen: &mut Vec<bool>, me: Option<Address>) {
    let Some(r) = rows.get(i) else { return };
    if seen.get(i).copied().unwrap_or(true) {
        return;
    }
    seen[i] = true;
    let v = match r.verdict {
        Verdict::Honest => "honest",
        Verdict::Dishonest => "dishonest",
        Verdict::Unknown => "unknown",
    };
    let what = r.stands_for.as_ref().map(|w| format!(" · {}", esc(w))).unwrap_or_default();
    let who = |a: Address| {
        if Some(a) == me { format!("<b title=\"{a}\">riposte</b>") } else { format!("<code>{a}</code>") }
    };
    let countered = r.countered_by.map(|a| format!(" · countered by {}", who(a))).unwrap_or_default();
    let resolved = match r.resolved {
        Some(true) => " · resolved",
        Some(false) => " · unresolved",
        None => "",
    };
    let bond = format::eth(r.bond_wei.parse::<U256>().unwrap_or_default());
    let _ = write!(
        out,
        "<li><div class=\"claim v-{v}\" data-index=\"{i}\" data-verdict=\"{v}\"><div class=\"head\">[{i}] {kind} · position {pos} · depth {d} · trace {ti}{what}</div>\
         <div><code title=\"{val}\">{short}</code> by {by}</div>\
         <div class=\"meta\">bond {bond} ETH · clock {clock} · {verdict}{countered}{resolved}</div></div>",
        kind = r.kind,
        pos = esc(&r.position),
        d = r.depth,
        ti = esc(r.trace_index.as_deref().unwrap_or("-")),
        val = r.value,
        short = esc(&format::short(r.value)),
        by = who(r.claimant),
        clock = duration(r.clock_left),
        verdict = verdict_cell(r.verdict),
    );
    let kids: Vec<usize> = r.children.iter().copied().filter(|k| *k < rows.len()).collect();
    if !kids.is_empty() {
        out.push_str("<ul>");
        for k in kids {
            claim_node(out, rows, k, seen, me);
        }
        out.push_str("</ul>");
    }
    out.push_str("</li>\n");
}

/// One game's facts and claim tree (the page's live part).
pub fn game_fragment(game: Address, detail: &Result<Option<GameDetail>, String>) -> String {
    let d = match detail {
        Ok(Some(d)) => d,
        Ok(None) => return notice(&format!("{game} is not a game of this factory in the window")),
        Err(e) => return notice(&format!("game {game} cannot be read: {e}")),
    };
    let r = &d.row;
    if let Some(e) = &r.error {
        return notice(&format!("game {game} cannot be read: {e}"));
    }
    let mut out = format!(
        "<table id=\"facts\"><tr><th>type</th><td>{}</td><th>version</th><td>{}</td><th>status</th><td id=\"status\">{}</td></tr>\
         <tr><th>L2 {unit}</th><td>{}</td><th>from anchor {unit}</th><td>{}</td><th>root</th><td>{}</td></tr>\
         <tr><th>claims</th><td>{}</td><th>forecast</th><td>{}</td><th>next</th><td>{}</td></tr></table>\n<h2>claim tree</h2>\n<ul class=\"tree\" id=\"tree\">",
        r.game_type,
        esc(&r.version),
        esc(&r.status),
        r.l2_block,
        d.starting_block,
        verdict_cell(r.root),
        d.claims.len(),
        esc(r.forecast.as_deref().unwrap_or("-")),
        esc(&r.note),
        unit = d.unit,
    );
    let mut seen = vec![false; d.claims.len()];
    claim_node(&mut out, &d.claims, 0, &mut seen, d.me);
    out.push_str("</ul>\n");
    // Claims the walk from the root did not reach (a malformed tree) are listed, not hidden.
    let lost: Vec<usize> = (0..d.claims.len()).filter(|i| !seen[*i]).collect();
    if !lost.is_empty() {
        out.push_str(&notice(&format!("claims not under the root: {lost:?}")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::B256;

    struct Fake {
        rows: Result<Vec<GameRow>, String>,
        detail: Option<GameDetail>,
    }

    impl WebData for Fake {
        fn title(&self) -> String {
            "factory 0xfac".into()
        }
        fn rows(&self) -> BoxFuture<'_, Result<Vec<GameRow>, String>> {
            Box::pin(async move { self.rows.clone() })
        }
        fn detail(&self, game: Address) -> BoxFuture<'_, Result<Option<GameDetail>, String>> {
            Box::pin(async move {
                match &self.detail {
                    Some(d) if d.row.address == game => Ok(Some(d.clone())),
                    Some(_) => Ok(None),
                    None => Err("the L1 node: connection refused".into()),
                }
            })
        }
    }

    fn row(address: Address, error: Option<&str>) -> GameRow {
        GameRow {
            index: 3,
            address,
            game_type: 255,
            version: "1.2.0".into(),
            status: "InProgress".into(),
            claims: 3,
            root: Verdict::Dishonest,
            forecast: Some("ChallengerWins".into()),
            l2_block: 12,
            next_deadline: Some(40),
            note: "40s left".into(),
            error: error.map(str::to_owned),
        }
    }

    fn claim(index: usize, parent: Option<usize>, children: Vec<usize>, verdict: Verdict) -> ClaimRow {
        ClaimRow {
            index,
            parent,
            kind: if parent.is_none() { "root" } else { "attack" },
            position: (1u64 << index).to_string(),
            depth: index as u8,
            trace_index: Some("0".into()),
            stands_for: Some(format!("block {index}")),
            value: B256::repeat_byte(index as u8 + 1),
            claimant: Address::repeat_byte(0xaa),
            bond_wei: "80000000000000000".into(),
            clock_left: 90,
            verdict,
            countered_by: (index == 0).then_some(Address::repeat_byte(0xbb)),
            resolved: Some(false),
            children,
        }
    }

    fn detail(game: Address) -> GameDetail {
        GameDetail {
            row: row(game, None),
            unit: "block",
            starting_block: 4,
            me: Some(Address::repeat_byte(0xbb)),
            claims: vec![
                claim(0, None, vec![1], Verdict::Dishonest),
                claim(1, Some(0), vec![2], Verdict::Honest),
                claim(2, Some(1), vec![], Verdict::Unknown),
            ],
        }
    }

    #[tokio::test]
    async fn the_tree_nests_children_under_parents_and_the_api_serves_the_same() {
        let game = Address::repeat_byte(0x42);
        let fake = Fake { rows: Ok(vec![row(game, None)]), detail: Some(detail(game)) };
        let (status, ctype, body) = answer(&fake, &format!("/game/{game}")).await;
        assert_eq!((status, ctype), ("200 OK", HTML));
        // Claim 2 sits inside claim 1's list, which sits inside claim 0's.
        let (c0, c1, c2) =
            (body.find("data-index=\"0\""), body.find("data-index=\"1\""), body.find("data-index=\"2\""));
        assert!(c0 < c1 && c1 < c2, "{body}");
        assert_eq!(body.matches("<ul>").count(), 2, "two nested levels: {body}");
        assert!(body.contains("data-verdict=\"dishonest\"") && body.contains("countered by <b title"), "{body}");
        assert!(body.contains("setInterval") && body.contains(&format!("/fragment/game/{game}")), "polls its fragment");
        assert!(body.contains("bond 0.08 ETH") && body.contains("clock 90s"), "{body}");
        let (status, ctype, json) = answer(&fake, &format!("/api/games/{game}")).await;
        assert_eq!((status, ctype), ("200 OK", JSON));
        let v: serde_json::Value = serde_json::from_str(&json).expect("json");
        assert_eq!(v["claims"][1]["parent"], 0);
        assert_eq!(v["claims"][0]["verdict"], "dishonest");
        assert_eq!(v["row"]["next_deadline"], 40);
        let (_, _, list) = answer(&fake, "/").await;
        assert!(list.contains(&format!("href=\"/game/{game}\"")) && list.contains("40s left"), "{list}");
        assert!(list.contains("<td>ChallengerWins</td>"), "the forecast column: {list}");
        let (_, _, api) = answer(&fake, "/api/games").await;
        assert_eq!(serde_json::from_str::<serde_json::Value>(&api).expect("json")[0]["game_type"], 255);
    }

    #[tokio::test]
    async fn missing_unreadable_and_malformed_are_said_never_blank() {
        let game = Address::repeat_byte(0x42);
        let other = Address::repeat_byte(0x43);
        let fake = Fake {
            rows: Ok(vec![row(game, None), row(other, Some("execution reverted <boom>"))]),
            detail: Some(detail(game)),
        };
        let (_, _, list) = answer(&fake, "/").await;
        assert!(
            list.contains("unreadable: execution reverted &lt;boom&gt;"),
            "escaped, and the other game still listed: {list}"
        );
        assert!(list.contains(&game.to_string()));
        let (status, _, body) = answer(&fake, &format!("/game/{other}")).await;
        assert_eq!(status, "404 Not Found");
        assert!(body.contains("is not a game of this factory in the window"), "{body}");
        let (status, _, body) = answer(&fake, "/game/0xnothex").await;
        assert_eq!(status, "400 Bad Request");
        assert!(body.contains("is not a game address"), "{body}");
        let (status, _, _) = answer(&fake, "/nowhere").await;
        assert_eq!(status, "404 Not Found");
        let down = Fake { rows: Err("the L1 node: connection refused".into()), detail: None };
        let (status, _, body) = answer(&down, "/").await;
        assert_eq!(status, "200 OK");
        assert!(body.contains("the games cannot be listed: the L1 node: connection refused"), "{body}");
        let (status, _, body) = answer(&down, &format!("/api/games/{game}")).await;
        assert_eq!(status, "502 Bad Gateway");
        assert!(body.contains("connection refused"), "{body}");
        let (_, _, body) = answer(&down, &format!("/game/{game}")).await;
        assert!(body.contains("cannot be read: the L1 node: connection refused"), "{body}");
    }

    #[test]
    fn durations_read_like_a_clock() {
        assert_eq!(duration(0), "expired");
        assert_eq!(duration(59), "59s");
        assert_eq!(duration(3599), "59m 59s");
        assert_eq!(duration(3 * 86_400 + 3600), "73h 0m");
        assert_eq!(esc("<a href='x'>&\"</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
    }
}
