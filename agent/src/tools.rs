//! Operator commands: list games, show a claim tree, make a move by hand, create a game,
//! resolve, claim credits. They read the same configuration as `riposte run`; the ones that
//! send go through the same responder and database, so the daemon never repeats them.

use crate::error::{AgentError, Context, Result};
use alloy::{
    primitives::{Address, B256, U256},
    providers::{DynProvider, Provider},
};
use riposte_game::{ClaimTree, GameStatus};
use riposte_solver::{
    Action, PreimageLoad, plan_moves, plan_resolution,
    trace::{GameView, Preimage, TraceAccessor},
};
use riposte_storage::{GameRecord, NewIntent};

use riposte_contracts::{
    asr::AnchorStateRegistry,
    dgf::{self, Factory, FactoryGame},
    fdg::fault::FaultDisputeGame as Fdg,
};

use crate::{
    format,
    run::Agent,
    sync,
    view::{GameDetail, GameRow, Verdict},
};

/// Whether a game is read to be played (its family must be one riposte plays) or only to be
/// looked at (any version whose getters answer: they keep their selectors across versions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The daemon and the tools that send transactions.
    Play,
    /// list-games and show.
    Inspect,
}

/// A game read fresh from the chain: its record and its claims.
pub struct LiveGame {
    /// Its fixed facts.
    pub record: GameRecord,
    /// Its claims and rules.
    pub view: GameView,
}

impl Agent {
    /// The current L1 time (latest block timestamp).
    pub async fn l1_now(&self) -> Result<u64> {
        let b = self
            .l1()
            .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
            .await?
            .context("the L1 node has no latest block")?;
        Ok(b.header.timestamp)
    }

    /// Reads a game and all its claims from the chain (any version to inspect it; a version
    /// riposte plays to act in it).
    pub async fn live_game(&self, address: Address, fg: Option<FactoryGame>, purpose: Purpose) -> Result<LiveGame> {
        let fg = fg.unwrap_or(FactoryGame { index: 0, game_type: 0, created_at: 0, address });
        let game = match purpose {
            Purpose::Play => self.game(address).await?,
            // Read as the family it is where riposte knows it (clocks differ between lines), else
            // through the getters every version keeps.
            Purpose::Inspect => match self.game(address).await {
                Ok(g) => g,
                Err(_) => riposte_contracts::fdg::open_for_reading(self.eth().clone(), address),
            },
        };
        let params = game.parameters().await.with_context(|| format!("reading the parameters of game {address}"))?;
        let record = sync::record_of(params, &fg, self.config().game_factory_address);
        let sync::Rules { line, depth, clocks } = sync::rules_of(&record)?;
        let n = game.claim_count().await?;
        let claims = game.claims((0..n).collect()).await?;
        let tree = ClaimTree::from_claims(claims).with_context(|| format!("claims of game {address}"))?;
        let view = GameView {
            tree,
            depth,
            clocks,
            starting_block: record.starting_block,
            starting_root: record.starting_root,
            l2_block_number: record.l2_block_number,
            absolute_prestate: record.absolute_prestate,
            l1_head: record.l1_head,
            l2_chain_id: record.l2_chain_id,
            line,
            super_root: record.super_root.is_some(),
        };
        Ok(LiveGame { record, view })
    }

    /// Whether the honest trace agrees with each claim (`None` where it cannot say: below the
    /// split of a game type riposte has no execution trace for, or every claim of a super-root
    /// game riposte has no sources for).
    pub async fn honesty(&self, g: &GameRecord, view: &GameView) -> Vec<Option<bool>> {
        let Ok(trace) = self.trace_for_inspection(g).await else {
            return vec![None; view.tree.len()];
        };
        let mut out = Vec::with_capacity(view.tree.len());
        for (i, c) in view.tree.claims().iter().enumerate() {
            out.push(trace.get(view, i, c.position).await.ok().map(|v| v == c.value));
        }
        out
    }
}

/// `riposte list-games`: every game of the factory in the window; a resolved game's last column
/// is its bond mode and our credit with its unlock time.
pub async fn list_games(agent: &Agent) -> Result<()> {
    let now = agent.l1_now().await?;
    println!(
        "{:>5}  {:<42}  {:>4}  {:<15}  {:>6}  {:<9}  {:>6}  next deadline, or bonds once resolved",
        "index", "game", "type", "status", "claims", "root", "block"
    );
    for row in agent.game_rows(now).await? {
        let line = match &row.error {
            Some(e) => format!("unreadable: {e}"),
            None => format!(
                "{:<15}  {:>6}  {:<9}  {:>6}  {}",
                row.status,
                row.claims,
                row.root.label(),
                row.l2_block,
                row.note
            ),
        };
        println!("{:>5}  {:<42}  {:>4}  {line}", row.index, row.address.to_string(), row.game_type);
    }
    Ok(())
}

impl Agent {
    /// Every game of the factory created in the window, newest first.
    pub async fn window_games(&self, now: u64) -> Result<Vec<FactoryGame>> {
        let dgf = Factory::new(self.eth().as_ref(), self.config().game_factory_address);
        let count = dgf.game_count().await?;
        let window_start = now.saturating_sub(self.config().game_window.0.as_secs());
        let idx: Vec<u64> = (0..count).rev().collect();
        let mut out = Vec::new();
        for chunk in idx.chunks(100) {
            for fg in dgf.games_at(chunk).await? {
                if fg.created_at < window_start {
                    return Ok(out);
                }
                out.push(fg);
            }
        }
        Ok(out)
    }

    /// Every game in the window as the game list shows it (a game that cannot be read is a row
    /// with its error).
    pub async fn game_rows(&self, now: u64) -> Result<Vec<GameRow>> {
        let mut rows = Vec::new();
        for fg in self.window_games(now).await? {
            rows.push(self.game_row(fg, now).await);
        }
        Ok(rows)
    }

    /// One game's row.
    pub async fn game_row(&self, fg: FactoryGame, now: u64) -> GameRow {
        match self.live_game(fg.address, Some(fg), Purpose::Inspect).await {
            Ok(g) => describe(self, &g, now).await,
            Err(e) => unreadable_row(fg, &e),
        }
    }

    /// One game of the factory in full (its row says why when it cannot be read); the game is
    /// read once for both.
    pub async fn game_detail(&self, fg: FactoryGame, now: u64) -> Result<GameDetail> {
        let g = match self.live_game(fg.address, Some(fg), Purpose::Inspect).await {
            Ok(g) => g,
            Err(e) => {
                let row = unreadable_row(fg, &e);
                return Ok(GameDetail { row, unit: "block", starting_block: 0, claims: Vec::new(), me: self.sender() });
            }
        };
        let row = describe(self, &g, now).await;
        let honest = self.honesty(&g.record, &g.view).await;
        let resolved = match self.game(fg.address).await {
            Ok(dg) => dg.resolved_subgames((0..g.view.tree.len() as u64).collect()).await.ok(),
            Err(_) => None,
        };
        let claims = crate::view::claim_rows(&g.view, now, &honest, resolved.as_deref());
        let unit = if g.view.super_root { "timestamp" } else { "block" };
        Ok(GameDetail { row, unit, starting_block: g.record.starting_block, claims, me: self.sender() })
    }
}

/// The row of a game that could not be read: its factory facts and the error.
fn unreadable_row(fg: FactoryGame, e: &AgentError) -> GameRow {
    GameRow {
        index: fg.index,
        address: fg.address,
        game_type: fg.game_type,
        version: String::new(),
        status: "unknown".into(),
        claims: 0,
        root: Verdict::Unknown,
        forecast: None,
        l2_block: 0,
        next_deadline: None,
        note: String::new(),
        error: Some(format!("{e:#}")),
    }
}

async fn describe(agent: &Agent, g: &LiveGame, now: u64) -> GameRow {
    let status = GameStatus::from_u8(g.record.status).map_or_else(|_| "unknown".to_string(), |s| format!("{s:?}"));
    let root = Verdict::of(
        agent
            .honesty(&g.record, &GameView { tree: root_only(&g.view.tree), ..g.view.clone() })
            .await
            .first()
            .copied()
            .flatten(),
    );
    let playable = riposte_contracts::fdg::detect(agent.eth().as_ref(), g.record.address).await.is_ok();
    let mut next_deadline = None;
    let note = if !playable {
        format!("version {} is not played by riposte", g.record.version)
    } else if g.record.status == GameStatus::InProgress as u8 {
        let plan = match agent.trace_for(&g.record).await {
            Ok(trace) => plan_moves(&g.view, &trace, now).await.map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match plan {
            Ok(plan) => {
                next_deadline = plan.actions.iter().filter_map(Action::deadline).min().map(|d| d.saturating_sub(now));
                next_deadline.map_or_else(|| "nothing to answer".into(), |d| format!("{d}s left"))
            }
            Err(e) => format!("cannot plan: {e}"),
        }
    } else {
        bonds_column(agent, g).await
    };
    GameRow {
        index: g.record.game_index,
        address: g.record.address,
        game_type: g.record.game_type,
        version: g.record.version.clone(),
        status,
        claims: g.view.tree.len(),
        root,
        forecast: (g.record.status == GameStatus::InProgress as u8)
            .then(|| format!("{:?}", g.view.tree.resolve(None).status)),
        l2_block: g.record.l2_block_number,
        next_deadline,
        note,
        error: None,
    }
}

/// A resolved game's bonds: the distribution mode, and our credit with its unlock time.
async fn bonds_column(agent: &Agent, g: &LiveGame) -> String {
    let Ok(dg) = agent.game(g.record.address).await else { return "-".into() };
    let mode = match dg.bond_mode().await {
        Ok(m) => m,
        Err(e) => return format!("bonds unreadable: {e}"),
    };
    let Some(me) = agent.sender() else { return format!("bonds {}", mode.name()) };
    match dg.credit_state(me).await {
        Ok(s) => {
            let held = if mode == riposte_game::BondMode::Refund { s.refund } else { s.normal };
            let unlock =
                if s.unlocked_at == 0 { "not unlocked".to_string() } else { format!("unlocked at {}", s.unlocked_at) };
            format!("bonds {}; ours {} ({unlock})", mode.name(), format::eth(held))
        }
        Err(e) => format!("bonds {}; ours unreadable: {e}", mode.name()),
    }
}

fn root_only(tree: &ClaimTree) -> ClaimTree {
    ClaimTree::new(*tree.root()).unwrap_or_else(|_| tree.clone())
}

/// `riposte show <game>`: the claim tree.
pub async fn show(agent: &Agent, game: Address) -> Result<()> {
    let g = agent.live_game(game, None, Purpose::Inspect).await?;
    let now = agent.l1_now().await?;
    let honest = agent.honesty(&g.record, &g.view).await;
    let status = GameStatus::from_u8(g.record.status).map_or_else(|_| "unknown".to_string(), |s| format!("{s:?}"));
    let unit = if g.view.super_root { "timestamp" } else { "block" };
    println!(
        "game {game}  type {}  version {}  status {status}  L2 {unit} {}  started from anchor {unit} {}",
        g.record.game_type, g.record.version, g.record.l2_block_number, g.record.starting_block
    );
    if let Some(sr) = &g.record.super_root {
        println!("super root preimage {sr}");
    }
    let eth = agent.eth().as_ref();
    let registry = riposte_contracts::call(eth, game, Fdg::anchorStateRegistryCall {}).await?;
    let anchor =
        riposte_contracts::call(eth, registry, AnchorStateRegistry::anchorsCall { gameType: g.record.game_type })
            .await?;
    println!("current anchor of type {}: {} at L2 {unit} {}", g.record.game_type, anchor.root, anchor.l2BlockNumber);
    let me = agent.sender();
    let name = move |a: Address| {
        if Some(a) == me {
            "riposte".to_string()
        } else if a == Address::ZERO {
            "nobody".into()
        } else {
            a.to_string()
        }
    };
    print!("{}", format::render_tree(&g.view, now, &honest, &name));
    if let Ok(dg) = agent.game(game).await {
        print!("{}", credits(agent, &g, dg.as_ref(), &name).await?);
    }
    Ok(())
}

/// The bond section of `show`: the mode, and per participant the credit predicted from the
/// claims in both modes and what the contract holds (with the unlock time).
async fn credits(
    agent: &Agent,
    g: &LiveGame,
    dg: &dyn riposte_contracts::DisputeGame,
    name: &dyn Fn(Address) -> String,
) -> Result<String> {
    use std::fmt::Write;
    let mode = dg.bond_mode().await?;
    let predicted = g.view.tree.predicted_credits(None);
    let eth = agent.eth().as_ref();
    let delay = riposte_contracts::call(eth, g.record.weth, riposte_contracts::weth::DelayedWETH::delayCall {})
        .await
        .map_or_else(|e| format!("unknown ({e})"), |d| format!("{d}s"));
    let mut out = format!("bonds: mode {}, DelayedWETH delay {delay}\n", mode.name());
    let mut who: Vec<Address> = predicted.normal.keys().chain(predicted.refund.keys()).copied().collect();
    who.sort();
    who.dedup();
    for a in who {
        let s = dg.credit_state(a).await?;
        let held = match mode {
            riposte_game::BondMode::Refund => s.refund,
            _ => s.normal,
        };
        let unlock =
            if s.unlocked_at == 0 { "not unlocked".to_string() } else { format!("unlocked at {}", s.unlocked_at) };
        let _ = writeln!(
            out,
            "  {:<42}  predicted normal {:>12}  refund {:>12}  on chain {:>12}  {unlock}",
            name(a),
            format::eth(predicted.of(a, riposte_game::BondMode::Normal)),
            format::eth(predicted.of(a, riposte_game::BondMode::Refund)),
            format::eth(held),
        );
    }
    Ok(out)
}

/// What `riposte move` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MoveKind {
    /// Attack the claim at `--parent-index`.
    Attack,
    /// Defend the claim at `--parent-index`.
    Defend,
    /// Step against the max-depth claim at `--parent-index` (direction chosen by the trace).
    Step,
}

/// `riposte move`: one move by hand. Without `--claim` the honest value is posted.
pub async fn manual_move(
    agent: &Agent,
    game: Address,
    kind: MoveKind,
    parent: usize,
    claim: Option<B256>,
) -> Result<()> {
    let g = agent.live_game(game, None, Purpose::Play).await?;
    let c = *g.view.tree.get(parent)?;
    let trace = agent.trace_for(&g.record).await?;
    let deadline = g.view.tree.response_deadline(parent, g.view.clocks)?;
    let action = match kind {
        MoveKind::Attack | MoveKind::Defend => {
            let is_attack = kind == MoveKind::Attack;
            let position = g.view.depth.check_move(parent, c.position, is_attack)?;
            let value = match claim {
                Some(v) => v,
                None => trace.get(&g.view, parent, position).await?,
            };
            let bond = agent.game(game).await?.required_bond(position).await?;
            println!(
                "{kind:?} claim {parent} at position {} with {value} (bond {} ETH)",
                position.gindex(),
                format::eth(bond)
            );
            Action::Move { parent_index: parent, parent_value: c.value, is_attack, position, value, bond, deadline }
        }
        MoveKind::Step => {
            if c.position.depth() != g.view.depth.max() {
                return Err(AgentError::Start(format!(
                    "claim {parent} is at depth {}, steps happen at max depth {}",
                    c.position.depth(),
                    g.view.depth.max()
                )));
            }
            let agree = trace.get(&g.view, parent, c.position).await? == c.value;
            let target = if agree { c.position.move_right()? } else { c.position };
            let data = trace.step_data(&g.view, parent, target).await?;
            let preimage = data.preimage.map(|p| match p {
                Preimage::Local { ident, offset } => PreimageLoad::Local { ident, claim_index: parent, offset },
                Preimage::Keccak { data, offset } => PreimageLoad::Keccak { data, offset },
            });
            println!("{} step on claim {parent}", if agree { "defend" } else { "attack" });
            Action::Step {
                claim_index: parent,
                is_attack: !agree,
                state_data: data.state_data,
                proof: data.proof,
                preimage,
                deadline,
            }
        }
    };
    let dg = agent.game(game).await?;
    send_all(agent, crate::player::intents_for(&g.record, dg.as_ref(), &action).await?).await
}

pub(crate) async fn send_all(agent: &Agent, intents: Vec<NewIntent>) -> Result<()> {
    let r = agent.responder().context("this command sends transactions: give a private key (not --monitor-only)")?;
    for i in intents {
        let key = i.key.clone();
        let outcome = r.submit(i).await.with_context(|| format!("sending {key}"))?;
        println!("{key}: {outcome:?}");
    }
    Ok(())
}

/// `riposte create-game`: proposes `output_root` for `l2_block` with the factory's init bond.
pub async fn create_game(agent: &Agent, game_type: u32, output_root: B256, l2_block: u64) -> Result<()> {
    let factory = agent.config().game_factory_address;
    let f = Factory::new(agent.eth().as_ref(), factory);
    let bond = f.init_bond(game_type).await?;
    let call = dgf::propose_output_call(factory, game_type, output_root, l2_block, bond);
    send_all(agent, vec![crate::player::intent_of(factory, call)]).await?;
    println!("game {}", f.game_of(game_type, output_root, dgf::output_extra_data(l2_block)).await?);
    Ok(())
}

/// `riposte resolve <game>`: every claim whose clock ran out (children first), then the game.
pub async fn resolve(agent: &Agent, game: Address) -> Result<()> {
    let g = agent.live_game(game, None, Purpose::Play).await?;
    let now = agent.l1_now().await?;
    let n = g.view.tree.len() as u64;
    let dg = agent.game(game).await?;
    let flags = dg.resolved_subgames((0..n).collect()).await?;
    let actions = plan_resolution(&g.view, &flags, now, None)?;
    if actions.is_empty() {
        println!("nothing to resolve yet");
    }
    let mut intents = Vec::new();
    for a in &actions {
        intents.extend(crate::player::intents_for(&g.record, dg.as_ref(), a).await?);
    }
    send_all(agent, intents).await
}

/// `riposte claim-credits`: one daemon cycle's credit claiming, for every resolved game.
pub async fn claim_credits(agent: &Agent) -> Result<()> {
    agent.responder().context("claiming credits sends transactions: give a private key")?;
    let report = agent.tick_credits_only().await?;
    println!("{report} claimCredit transactions confirmed");
    Ok(())
}

/// `riposte verify-block`: re-executes L2 block `block` in process from the node's execution
/// witness and compares with the node's header. Prints both sides; returns whether they agree.
pub async fn verify_block(l2_url: &str, rollup_config: Option<&std::path::Path>, block: u64) -> Result<bool> {
    use riposte_core::exec::Verdict;
    // A witness of a full block can take the node a while to build.
    let opts = riposte_chain::RpcOptions { timeout: std::time::Duration::from_secs(60), ..Default::default() };
    let l2 = riposte_chain::connect(l2_url, "l2", &opts, std::sync::Arc::new(riposte_chain::NoMetrics)).await?;
    let started = std::time::Instant::now();
    let check = riposte_chain::outputs::verify_block(&l2, l2_url, rollup_config, block).await?;
    let took = started.elapsed().as_secs_f64() * 1e3;
    let ours = match &check.verdict {
        Verdict::Agrees(ours) => {
            println!("L2 block {block} from {l2_url}: the node's header is the one riposte builds");
            ours
        }
        Verdict::Disagrees { ours, node_hash, node_state_root } => {
            println!("L2 block {block} from {l2_url}: the node's header DIFFERS from the one riposte builds");
            println!("  node     hash {node_hash}  state root {node_state_root}");
            ours
        }
    };
    println!(
        "  riposte  hash {}  state root {}  ({} txs, {} gas, {took:.0} ms with fetching)",
        ours.block_hash, ours.state_root, ours.transactions, ours.gas_used
    );
    match &check.output_root {
        Some(Ok((root, how))) => println!("  output root {root} ({how})"),
        Some(Err(e)) => println!("  output root: unknown ({e})"),
        None => {}
    }
    Ok(check.agrees())
}

impl Agent {
    /// What the monitor reads of one game; `nodes` are asked for its output (output-root games)
    /// or its super root (super-root games: the super-root nodes among them).
    pub async fn observe(
        &self,
        fg: FactoryGame,
        nodes: &MonitorNodes,
        facts: &mut CycleFacts,
    ) -> Result<crate::monitor::Observed> {
        let g = self.live_game(fg.address, Some(fg), Purpose::Inspect).await?;
        let root_agrees = self
            .honesty(&g.record, &GameView { tree: root_only(&g.view.tree), ..g.view.clone() })
            .await
            .first()
            .copied()
            .flatten();
        let n = g.view.tree.len() as u64;
        let (mut resolved, mut credits) = (Vec::new(), U256::ZERO);
        let (mut bond_mode, mut recipients) = (None, Vec::new());
        let eth = self.eth().as_ref();
        let weth = g.record.weth;
        if let Ok(dg) = self.game(fg.address).await {
            resolved = dg.resolved_subgames((0..n).collect()).await.unwrap_or_default();
            // What the game still holds for each participant, in its bond mode.
            bond_mode = dg.bond_mode().await.ok();
            let refund = bond_mode == Some(riposte_game::BondMode::Refund);
            let legacy = bond_mode == Some(riposte_game::BondMode::Legacy);
            let mut who: Vec<Address> =
                g.view.tree.claims().iter().flat_map(|c| [c.claimant, c.countered_by]).collect();
            who.retain(|a| *a != Address::ZERO);
            who.sort();
            who.dedup();
            for a in who {
                let Ok(s) = dg.credit_state(a).await else { continue };
                let held = if refund { s.refund } else { s.normal };
                credits += held;
                let call = riposte_contracts::weth::DelayedWETH::withdrawalsCall { owner: fg.address, guy: a };
                let Ok(w) = riposte_contracts::call(eth, weth, call).await else { continue };
                recipients.push(crate::monitor::Recipient {
                    address: a,
                    held,
                    // Legacy games unlock each bond in DelayedWETH as its claim resolves.
                    unlocked: legacy || s.unlocked,
                    unlocked_at: s.unlocked_at,
                    requested: w.amount,
                });
            }
        }
        // The same DelayedWETH and registry serve many games: read once per cycle.
        let (weth_balance, weth_delay) = match facts.weth.get(&weth) {
            Some(known) => *known,
            None => {
                let balance = self.l1().get_balance(weth).await.ok();
                let delay = riposte_contracts::call(eth, weth, riposte_contracts::weth::DelayedWETH::delayCall {})
                    .await
                    .ok()
                    .map(|d| u64::try_from(d).unwrap_or(u64::MAX));
                facts.weth.insert(weth, (balance, delay));
                (balance, delay)
            }
        };
        let anchor_key = (g.record.anchor_registry, fg.game_type);
        let anchor = match facts.anchors.get(&anchor_key) {
            Some(known) => *known,
            None => {
                let call = riposte_contracts::asr::AnchorStateRegistry::anchorsCall { gameType: fg.game_type };
                let anchor = riposte_contracts::call(eth, g.record.anchor_registry, call)
                    .await
                    .ok()
                    .map(|a| u64::try_from(a.l2BlockNumber).unwrap_or(u64::MAX));
                facts.anchors.insert(anchor_key, anchor);
                anchor
            }
        };
        let mut node_roots = Vec::new();
        if g.record.super_root.is_some() && !nodes.superroot.is_empty() {
            use riposte_chain::super_chain::{NodeSuperRoot, node_super_root};
            // Judged at the game's L1 head: a super root not safe by then is `invalid`.
            let head = self.l1().get_block_by_hash(g.record.l1_head).await.ok().flatten().map(|b| b.header.number);
            for (name, node) in &nodes.superroot {
                let answer = match head {
                    None => Err(format!("the game's L1 head {} is not a block of the L1 node", g.record.l1_head)),
                    Some(h) => match node_super_root(node, g.record.l2_block_number, h).await {
                        Ok(NodeSuperRoot::Safe(r)) => Ok(r),
                        Ok(NodeSuperRoot::Invalid) => Ok(riposte_solver::trace::super_root::invalid()),
                        Ok(NodeSuperRoot::Behind { current_l1 }) => {
                            Err(format!("has read L1 up to block {current_l1}, not yet the game's head {h}"))
                        }
                        Err(e) => Err(e.to_string()),
                    },
                };
                node_roots.push((name.clone(), answer));
            }
        }
        if g.record.super_root.is_none() {
            for (name, node) in &nodes.rollup {
                #[derive(Debug, serde::Deserialize)]
                #[serde(rename_all = "camelCase")]
                struct Output {
                    output_root: B256,
                }
                let block = format!("{:#x}", g.record.l2_block_number);
                let answer: std::result::Result<Output, _> =
                    node.raw_request("optimism_outputAtBlock".into(), (block,)).await;
                node_roots.push((name.clone(), answer.map(|o| o.output_root).map_err(|e| e.to_string())));
            }
        }
        // Output-root games from 1.1 on name who challenged the root's block number.
        let challenger = riposte_contracts::call(self.eth().as_ref(), fg.address, Fdg::l2BlockNumberChallengerCall {})
            .await
            .ok()
            .filter(|a| *a != Address::ZERO);
        Ok(crate::monitor::Observed {
            address: fg.address,
            game_type: fg.game_type,
            created_at: fg.created_at,
            status: GameStatus::from_u8(g.record.status).unwrap_or(GameStatus::InProgress),
            l2_block: g.record.l2_block_number,
            tree: g.view.tree,
            clocks: g.view.clocks,
            resolved,
            root_agrees,
            block_number_challenger: challenger,
            weth: g.record.weth,
            weth_balance,
            credits,
            anchor,
            root_claim: g.record.root_claim,
            node_roots,
            is_super: g.record.super_root.is_some(),
            bond_mode,
            recipients,
            weth_delay,
        })
    }

    /// One monitor cycle: every game in the window read and judged, the metrics set, each
    /// alert logged at its level. A game that cannot be read is counted as failed and named.
    pub async fn monitor_cycle(&self, nodes: &MonitorNodes) -> Result<crate::monitor::Assessment> {
        let now = self.l1_now().await?;
        let mut seen = Vec::new();
        let mut failed = 0u64;
        let mut by_type: std::collections::BTreeMap<u32, u64> = std::collections::BTreeMap::new();
        let mut facts = CycleFacts::default();
        for fg in self.window_games(now).await? {
            *by_type.entry(fg.game_type).or_default() += 1;
            match self.observe(fg, nodes, &mut facts).await {
                Ok(o) => seen.push(o),
                Err(e) => {
                    failed += 1;
                    tracing::warn!(game = %fg.address, game_type = fg.game_type, error = %format!("{e:#}"), "Failed to read game");
                }
            }
        }
        let mut actors = self.config().honest_actors.clone();
        actors.extend(self.sender());
        actors.sort();
        actors.dedup();
        let mut assessment = crate::monitor::assess(&seen, &actors, now);
        // Every game of the window counts by type, read or not (unknown types are listed).
        assessment.games = by_type;
        for a in &assessment.alerts {
            match a.level {
                crate::monitor::Level::Error => tracing::error!(game = %a.game, detail = %a.detail, "{}", a.message),
                crate::monitor::Level::Warn => tracing::warn!(game = %a.game, detail = %a.detail, "{}", a.message),
            }
        }
        self.metrics().record_assessment(&assessment, failed);
        tracing::info!(games = seen.len(), failed, alerts = assessment.alerts.len(), "monitor cycle");
        Ok(assessment)
    }
}

/// What several games of one monitor cycle share, read once: each DelayedWETH's balance and
/// delay, each registry's anchor per game type.
#[derive(Debug, Default)]
pub struct CycleFacts {
    weth: std::collections::HashMap<Address, (Option<U256>, Option<u64>)>,
    anchors: std::collections::HashMap<(Address, u32), Option<u64>>,
}

/// The nodes the monitor compares: rollup nodes (outputs) and super-root nodes (super roots),
/// each with its URL.
#[derive(Default)]
pub struct MonitorNodes {
    /// Rollup nodes.
    pub rollup: Vec<(String, DynProvider)>,
    /// Super-root nodes.
    pub superroot: Vec<(String, DynProvider)>,
}

/// `riposte monitor`: a cycle every `monitor-interval` (or one with `once`, printing what it
/// found), until `stop` resolves.
pub async fn monitor(agent: &Agent, once: bool, stop: impl std::future::Future<Output = ()>) -> Result<()> {
    let mut nodes = MonitorNodes::default();
    let opts = riposte_chain::RpcOptions::default();
    let metrics: std::sync::Arc<dyn riposte_chain::ChainMetrics> = std::sync::Arc::new(agent.metrics().clone());
    for url in &agent.config().monitor_rollup_rpcs {
        let p = riposte_chain::connect(url, "monitor-rollup", &opts, metrics.clone())
            .await
            .with_context(|| format!("rollup node {url}"))?;
        nodes.rollup.push((url.clone(), p));
    }
    for url in &agent.config().monitor_superroot_rpcs {
        let p = riposte_chain::connect(url, "monitor-superroot", &opts, metrics.clone())
            .await
            .with_context(|| format!("super-root node {url}"))?;
        nodes.superroot.push((url.clone(), p));
    }
    if once {
        let a = agent.monitor_cycle(&nodes).await?;
        println!(
            "nodes: {} games with different roots, {} with mixed availability, {} against riposte, {} errors",
            a.different_root_games, a.mixed_availability_games, a.riposte_vs_nodes_games, a.node_errors
        );
        for ((status, completion, correctness, root), n) in &a.agreement {
            println!("games_agreement {status} {completion} {correctness} {root}: {n}");
        }
        for (t, n) in &a.unjudged {
            println!("unjudged type {t}: {n}");
        }
        for (actor, s) in &a.honest {
            println!(
                "honest actor {actor}: claims pending {} valid {} invalid {}; bonds pending {} lost {} won {} ETH",
                s.pending_claims,
                s.valid_claims,
                s.invalid_claims,
                format::eth(s.pending_bonds),
                format::eth(s.lost_bonds),
                format::eth(s.won_bonds)
            );
        }
        for x in &a.alerts {
            println!("{:?}: {} (game {}: {})", x.level, x.message, x.game, x.detail);
        }
        return Ok(());
    }
    tokio::pin!(stop);
    let interval = agent.config().monitor_interval.0;
    loop {
        if let Err(e) = agent.monitor_cycle(&nodes).await {
            tracing::error!(error = %format!("{e:#}"), "monitor cycle failed");
        }
        tokio::select! {
            () = &mut stop => return Ok(()),
            () = tokio::time::sleep(interval) => {}
        }
    }
}
