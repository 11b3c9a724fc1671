//! The daemon: on every new L1 head, scan the factory, bring each game's claims up to date,
//! ask the solver, send what it says, resolve what can be resolved and claim credits.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
    time::Duration,
};

use alloy::{
    network::EthereumWallet,
    primitives::Address,
    providers::{DynProvider, Provider},
    signers::local::PrivateKeySigner,
};
use anyhow::{Context, Result, anyhow};
use futures::{StreamExt, stream};
use riposte_chain::{Head, HeadStream, RpcOptions, outputs::L2Outputs};
use riposte_contracts::{
    DisputeGame, EthCall,
    dgf::{Factory, FactoryGame},
    weth::DelayedWETH,
};
use riposte_game::{ClaimTree, GameStatus};
use riposte_solver::{Action, plan_moves, plan_resolution, trace::GameView};
use riposte_storage::{GameRecord, NewIntent, Store};
use tokio::task::JoinSet;
use tracing::Instrument;

use crate::{
    config::Config,
    metrics::Metrics,
    responder::{Outcome, Responder, ResponderOptions},
    sync,
    traces::{CannonVm, GameTrace},
};

/// One cycle's view: the head, and the games to look at.
struct Cycle {
    head: u64,
    now: u64,
    due: Vec<GameRecord>,
    resolved: Vec<GameRecord>,
}

/// What looking at one game did.
#[derive(Debug, Default)]
struct Progress {
    planned: usize,
    confirmed: usize,
    /// L1 time at which the game must be looked at again even if nothing happens.
    wake: Option<u64>,
    /// Something is left to do: look again on the next cycle.
    unfinished: bool,
    /// The earliest deadline of an honest response planned in this look.
    due: Option<u64>,
    /// Wei of our claims' bonds in the game (0 once it is resolved).
    locked: u128,
}

/// What one cycle did, for logs and tests.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TickReport {
    /// L1 head the cycle ran at.
    pub head: u64,
    /// Games in progress that were looked at.
    pub games: usize,
    /// Transactions confirmed in this cycle.
    pub confirmed: usize,
    /// Actions the solver planned (in monitor mode: would have sent).
    pub planned: usize,
}

/// What the agent remembers between cycles to look only at games where something happened.
/// Not persisted: after a restart every game is looked at once.
#[derive(Default)]
struct Schedule {
    /// The last head seen.
    last_head: Option<Head>,
    /// Games to look at on the next head whatever happens (a look failed or left work undone).
    dirty: HashSet<Address>,
    /// Games to look at again as soon as they are idle, without waiting for a new head: a claim
    /// arrived while they were being looked at, or no slot was free. On a quiet chain the next
    /// head may only come once someone moves; waiting for it could let a clock run out.
    recheck: HashSet<Address>,
    /// Per game, the L1 time at which a clock runs out and it must be looked at again.
    wake: HashMap<Address, u64>,
    /// Games looked at since start.
    seen: HashSet<Address>,
    /// Per game in progress, the wei our claims in it hold in DelayedWETH.
    locked: HashMap<Address, u128>,
}

/// The running agent.
pub struct Agent {
    cfg: Config,
    l1: DynProvider,
    /// `eth_call` on L1, for the contract bindings.
    eth: Arc<dyn EthCall>,
    /// Games opened as their detected family, by address.
    opened: Mutex<HashMap<Address, Arc<dyn DisputeGame>>>,
    outputs: L2Outputs,
    store: Store,
    metrics: Metrics,
    responder: Option<Responder>,
    /// The configured key's address, even when monitoring only.
    me: Option<Address>,
    claimants: Vec<Address>,
    /// Resolved games in which no claimant has credit left: never read again.
    settled: Mutex<HashSet<Address>>,
    /// DelayedWETH delay per WETH contract.
    weth_delay: Mutex<HashMap<Address, u64>>,
    /// Resolved games whose credit unlocks later: not read again before that L1 time.
    credit_wake: Mutex<HashMap<Address, u64>>,
    schedule: Mutex<Schedule>,
    /// The Cannon program's trace, when `cannon-elf` is set.
    cannon: Option<Arc<CannonVm>>,
}

fn game_span(g: &GameRecord) -> tracing::Span {
    tracing::info_span!("game", game = %g.address, index = g.game_index)
}

impl Agent {
    /// Connects to the chains, opens the database and settles what a previous run left.
    pub async fn start(cfg: Config, metrics: Metrics) -> Result<Self> {
        let opts = RpcOptions {
            timeout: cfg.rpc_timeout.0,
            retries: cfg.rpc_retries,
            max_in_flight: 32,
            poll_interval: cfg.http_poll_interval.0.min(Duration::from_secs(1)),
            ..RpcOptions::default()
        };
        let sink: Arc<dyn riposte_chain::ChainMetrics> = Arc::new(metrics.clone());
        let l1 = riposte_chain::connect(&cfg.l1_eth_rpc, "l1", &opts, sink.clone()).await?;
        let l2 = riposte_chain::connect(&cfg.l2_eth_rpc, "l2", &opts, sink.clone()).await?;
        let rollup = match cfg.rollup_rpc.as_deref() {
            Some(u) => Some(riposte_chain::connect(u, "rollup", &opts, sink.clone()).await?),
            None => None,
        };
        let check = riposte_chain::outputs::output_check(
            cfg.verify_outputs().into(),
            &l2,
            &cfg.l2_eth_rpc,
            rollup,
            cfg.rollup_config.as_deref(),
        )
        .await
        .context("verify-outputs")?;
        tracing::info!(verify_outputs = ?cfg.verify_outputs(), "output roots are checked");
        let code = l1
            .get_code_at(cfg.game_factory_address)
            .await
            .with_context(|| format!("reaching the L1 RPC {}", cfg.l1_eth_rpc))?;
        if code.is_empty() {
            anyhow::bail!(
                "game-factory-address {} has no code on L1: not a DisputeGameFactory",
                cfg.game_factory_address
            );
        }
        let store = Store::open(&cfg.db).await.with_context(|| format!("opening the database {}", cfg.db.display()))?;
        let signer: Option<PrivateKeySigner> = cfg
            .signing_key()?
            .map(|key| key.expose().trim().parse().map_err(|_| anyhow!("the private key is not a 32-byte hex key")))
            .transpose()?;
        let me = signer.as_ref().map(PrivateKeySigner::address);
        let responder = match (cfg.monitor_only, signer) {
            (true, _) => None,
            (false, None) => anyhow::bail!(
                "no private key: give --private-key-file, RIPOSTE_PRIVATE_KEY or --private-key, or run with --monitor-only"
            ),
            (false, Some(signer)) => {
                let opts = ResponderOptions {
                    resubmit_after: cfg.resubmission_timeout.0,
                    poll: cfg.http_poll_interval.0.min(Duration::from_millis(500)),
                    wait_limit: Duration::from_secs(120),
                };
                let r = Responder::new(l1.clone(), EthereumWallet::from(signer), store.clone(), metrics.clone(), opts)
                    .await?;
                let balance = l1.get_balance(r.address()).await.context("reading the sender's balance")?;
                if balance.is_zero() {
                    tracing::warn!(sender = %r.address(), "the sender has no ETH: moves will fail until it is funded");
                }
                r.reconcile().await?;
                Some(r)
            }
        };
        let cannon = match &cfg.cannon_elf {
            Some(elf) => {
                let vm = crate::traces::load_cannon(elf, cfg.cannon_snapshot_freq).map_err(|e| anyhow!(e))?;
                tracing::info!(elf = %elf.display(), absolute_prestate = %vm.absolute_prestate(), "Cannon program loaded");
                Some(Arc::new(vm))
            }
            None => None,
        };
        let mut claimants: Vec<Address> = responder.iter().map(Responder::address).collect();
        claimants.extend(cfg.additional_bond_claimants.iter().copied());
        Ok(Self {
            outputs: L2Outputs::new(l2, check, sink),
            cfg,
            eth: Arc::new(riposte_chain::Rpc(l1.clone())),
            opened: Mutex::new(HashMap::new()),
            l1,
            store,
            metrics,
            responder,
            me,
            claimants,
            settled: Mutex::new(HashSet::new()),
            cannon,
            weth_delay: Mutex::new(HashMap::new()),
            credit_wake: Mutex::new(HashMap::new()),
            schedule: Mutex::new(Schedule::default()),
        })
    }

    /// The database.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The L1 provider.
    pub fn l1(&self) -> &DynProvider {
        &self.l1
    }

    /// `eth_call` on L1.
    pub fn eth(&self) -> &Arc<dyn EthCall> {
        &self.eth
    }

    /// The game at `address` as the family it was detected to be (detected once per run).
    pub async fn game(&self, address: Address) -> Result<Arc<dyn DisputeGame>> {
        if let Some(g) = self.opened.lock().ok().and_then(|m| m.get(&address).cloned()) {
            return Ok(g);
        }
        let g = riposte_contracts::fdg::detect_and_open(self.eth.clone(), address).await?;
        if let Ok(mut m) = self.opened.lock() {
            m.insert(address, g.clone());
        }
        Ok(g)
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// The honest trace of a game of `game_type`.
    pub fn trace_for(&self, game_type: u32) -> Result<GameTrace, riposte_solver::TraceError> {
        GameTrace::of(game_type, &self.outputs, self.cannon.as_ref())
    }

    /// The honest trace to judge a game of `game_type` by: its own, or output roots alone when
    /// riposte has no execution trace for it (claims below the split are then not judged).
    pub fn trace_for_inspection(&self, game_type: u32) -> GameTrace {
        self.trace_for(game_type).unwrap_or_else(|_| GameTrace::outputs_only(&self.outputs))
    }

    /// The transaction sender, unless monitoring only.
    pub fn responder(&self) -> Option<&Responder> {
        self.responder.as_ref()
    }

    /// The configured key's address, if a key is configured.
    pub fn sender(&self) -> Option<Address> {
        self.me
    }

    /// Scans the factory and claims every credit DelayedWETH lets go in resolved games (read
    /// fresh, so games resolved by others count); returns the claimCredit transactions confirmed.
    pub async fn tick_credits_only(&self) -> Result<usize> {
        let now = self.l1_now().await?;
        self.scan_factory(now).await?;
        let mut confirmed = 0;
        for g in self.store.games().await?.into_iter().filter(|g| self.in_scope(g, now)) {
            let status = self.game(g.address).await?.status().await? as u8;
            if status == GameStatus::InProgress as u8 {
                continue;
            }
            if status != g.status {
                self.store.upsert_game(&GameRecord { status, ..g.clone() }).await?;
            }
            confirmed += self.claim_credits(&g, now).await?;
        }
        Ok(confirmed)
    }

    /// Runs until `shutdown` completes: on every new L1 head, games due are looked at in their
    /// own tasks. At shutdown, games in flight get 8 s to finish; what they had not sent stays
    /// an intent for the next start.
    pub async fn run(self: Arc<Self>, shutdown: impl std::future::Future<Output = ()>) -> Result<()> {
        tokio::pin!(shutdown);
        let mut last_head = None;
        // Games being looked at: a slow one (waiting for a receipt) never holds back the others,
        // and a new claim is answered from the next head on.
        let mut inflight: JoinSet<(Address, Result<Progress>)> = JoinSet::new();
        let mut busy: HashSet<Address> = HashSet::new();
        // Which game each task looks at, to free a game whose task panicked.
        let mut tasks: HashMap<tokio::task::Id, Address> = HashMap::new();
        let mut most_urgent: Option<u64> = None;
        // Over WebSocket the node announces each head; over HTTP eth_blockNumber is polled.
        let poll = self.cfg.http_poll_interval.0;
        let mut heads = HeadStream::spawn(self.l1.clone(), poll, poll);
        loop {
            while let Some(done) = inflight.try_join_next_with_id() {
                self.finished(done, &mut tasks, &mut busy, &mut most_urgent)?;
            }
            let head = heads.latest();
            let recheck = self.schedule.lock().is_ok_and(|sch| sch.recheck.iter().any(|g| !busy.contains(g)));
            match head {
                Some(h) if Some(h) != last_head || recheck => match self.select_due(h, &busy).await {
                    Ok(cycle) => {
                        last_head = Some(h);
                        let now = cycle.now;
                        for g in cycle.due.iter().cloned() {
                            if busy.len() >= self.cfg.max_concurrency {
                                // Left for when a slot frees.
                                if let Ok(mut sch) = self.schedule.lock() {
                                    sch.recheck.insert(g.address);
                                }
                                continue;
                            }
                            busy.insert(g.address);
                            let me = self.clone();
                            let span = game_span(&g);
                            let address = g.address;
                            let task =
                                inflight.spawn(async move { (g.address, me.progress(&g, now).instrument(span).await) });
                            tasks.insert(task.id(), address);
                        }
                        if busy.is_empty() {
                            most_urgent = None;
                        }
                        self.metrics
                            .most_urgent_clock(most_urgent.map_or(f64::INFINITY, |d| d.saturating_sub(now) as f64));
                        self.settle_credits(&cycle).await;
                    }
                    Err(e) => tracing::error!(error = format!("{e:#}"), "cycle failed; retrying on the next head"),
                },
                _ => {}
            }
            tokio::select! {
                _ = &mut shutdown => break,
                _ = heads.next() => {}
                Some(done) = inflight.join_next_with_id(), if !inflight.is_empty() => {
                    self.finished(done, &mut tasks, &mut busy, &mut most_urgent)?;
                }
                _ = tokio::time::sleep(self.cfg.http_poll_interval.0) => {}
            }
        }
        drop(heads);
        if !inflight.is_empty() {
            tracing::info!(games = inflight.len(), "shutting down: letting games in progress finish (8 s at most)");
            let _ =
                tokio::time::timeout(Duration::from_secs(8), async { while inflight.join_next().await.is_some() {} })
                    .await;
            inflight.abort_all();
        }
        self.store.close().await;
        Ok(())
    }

    /// One cycle at the current L1 head, waiting for every game looked at (see
    /// [`Agent::select_due`] for which); `run` does the same without waiting.
    pub async fn tick(&self) -> Result<TickReport> {
        let head = riposte_chain::latest_head(&self.l1).await?;
        let cycle = self.select_due(head, &HashSet::new()).await?;
        let results: Vec<(Address, Result<Progress>)> = stream::iter(cycle.due.iter())
            .map(|g| async move { (g.address, self.progress(g, cycle.now).instrument(game_span(g)).await) })
            .buffer_unordered(self.cfg.max_concurrency)
            .collect()
            .await;
        let mut report = TickReport { head: cycle.head, games: cycle.due.len(), ..TickReport::default() };
        let mut most_urgent = None;
        for (game, r) in results {
            self.record(game, r, &mut report, &mut most_urgent)?;
        }
        self.metrics.most_urgent_clock(most_urgent.map_or(f64::INFINITY, |d| d.saturating_sub(cycle.now) as f64));
        report.confirmed += self.settle_credits(&cycle).await;
        Ok(report)
    }

    /// Reads the head and the factory, and picks the games to look at: those with a `Move` or
    /// `Resolved` log since the last head (one `eth_getLogs` per head for all of them), those
    /// whose clock runs out, those acted on or failing in the last look, those not looked at
    /// since start, and every game after an L1 reorg. Games in `busy` are left for later
    /// (a log for them marks them for their next look).
    async fn select_due(&self, block: Head, busy: &HashSet<Address>) -> Result<Cycle> {
        let (head, now) = (block.number, block.timestamp);
        self.metrics.l1_head(head);
        self.scan_factory(now).await.context("scanning the factory")?;
        let games: Vec<GameRecord> = self.store.games().await?.into_iter().filter(|g| self.in_scope(g, now)).collect();
        let (active, resolved): (Vec<GameRecord>, Vec<GameRecord>) =
            games.into_iter().partition(|g| g.status == GameStatus::InProgress as u8);
        self.metrics.set_games("in_progress", active.len() as i64);
        self.metrics.set_games("resolved", resolved.len() as i64);

        let last = self.schedule.lock().map_err(|_| anyhow!("schedule poisoned"))?.last_head;
        let reorged = last.is_some_and(|l| block.reorged_since(&l));
        let touched = match last {
            Some(l) if !reorged && head > l.number => {
                let addrs: Vec<Address> = active.iter().map(|g| g.address).collect();
                self.games_with_logs(&addrs, l.number + 1, head).await?
            }
            _ => HashSet::new(),
        };
        if reorged {
            tracing::warn!(head, "L1 reorganised; looking at every game again");
        }
        let mut sch = self.schedule.lock().map_err(|_| anyhow!("schedule poisoned"))?;
        sch.last_head = Some(block);
        let mut due = Vec::new();
        for g in active {
            let wanted = reorged
                || touched.contains(&g.address)
                || !sch.seen.contains(&g.address)
                || sch.dirty.contains(&g.address)
                || sch.recheck.contains(&g.address)
                || sch.wake.get(&g.address).is_some_and(|&t| now >= t);
            if !wanted {
                continue;
            }
            if busy.contains(&g.address) {
                // Its look in flight may have read the claims before this head's.
                sch.recheck.insert(g.address);
            } else {
                sch.recheck.remove(&g.address);
                due.push(g);
            }
        }
        Ok(Cycle { head, now, due, resolved })
    }

    /// Books a finished look: its game is free again and the outcome is recorded. A look that
    /// panicked is an error for its game, which is looked at again on the next head.
    fn finished(
        &self,
        done: Result<(tokio::task::Id, (Address, Result<Progress>)), tokio::task::JoinError>,
        tasks: &mut HashMap<tokio::task::Id, Address>,
        busy: &mut HashSet<Address>,
        most_urgent: &mut Option<u64>,
    ) -> Result<()> {
        let (game, r) = match done {
            Ok((id, (game, r))) => {
                tasks.remove(&id);
                (game, r)
            }
            Err(e) => {
                let Some(game) = tasks.remove(&e.id()) else { return Ok(()) };
                (game, Err(anyhow!("looking at the game ended abnormally: {e}")))
            }
        };
        busy.remove(&game);
        self.record(game, r, &mut TickReport::default(), most_urgent)
    }

    /// Records what looking at a game did, for the next selection.
    fn record(
        &self,
        game: Address,
        r: Result<Progress>,
        report: &mut TickReport,
        most_urgent: &mut Option<u64>,
    ) -> Result<()> {
        let mut sch = self.schedule.lock().map_err(|_| anyhow!("schedule poisoned"))?;
        sch.seen.insert(game);
        match r {
            Ok(p) => {
                *most_urgent = most_urgent.take().into_iter().chain(p.due).min();
                report.planned += p.planned;
                report.confirmed += p.confirmed;
                if p.unfinished {
                    sch.dirty.insert(game);
                } else {
                    sch.dirty.remove(&game);
                }
                match p.wake {
                    Some(t) => sch.wake.insert(game, t),
                    None => sch.wake.remove(&game),
                };
                sch.locked.insert(game, p.locked);
                let total: u128 = sch.locked.values().sum();
                self.metrics.bonds_locked(total as f64);
            }
            Err(e) => {
                tracing::error!(%game, error = format!("{e:#}"), "could not progress game");
                sch.dirty.insert(game);
            }
        }
        Ok(())
    }

    /// The sender's balance gauge, then credits of resolved games. Returns claims confirmed.
    async fn settle_credits(&self, cycle: &Cycle) -> usize {
        if let Some(me) = self.sender() {
            match self.l1.get_balance(me).await {
                Ok(b) => self.metrics.sender_balance(u128::try_from(b).map_or(f64::MAX, |v| v as f64)),
                Err(e) => tracing::warn!(error = %e, "cannot read the sender's balance"),
            }
        }
        let mut confirmed = 0;
        for g in &cycle.resolved {
            match self.claim_credits(g, cycle.now).instrument(game_span(g)).await {
                Ok(n) => confirmed += n,
                Err(e) => tracing::error!(game = %g.address, error = format!("{e:#}"), "could not claim credits"),
            }
        }
        confirmed
    }

    /// The games among `games` that emitted `Move` or `Resolved` in blocks `from..=to`: one
    /// `eth_getLogs` filtered by event only (whatever the number of games), matched here.
    async fn games_with_logs(&self, games: &[Address], from: u64, to: u64) -> Result<HashSet<Address>> {
        use alloy::rpc::types::Filter;
        let ours: HashSet<Address> = games.iter().copied().collect();
        let mut out = HashSet::new();
        if ours.is_empty() {
            return Ok(out);
        }
        // Every family riposte plays emits the same change events today.
        let topics = riposte_contracts::fdg::open_for_reading(self.eth.clone(), Address::ZERO).change_topics();
        let mut start = from;
        while start <= to {
            let end = to.min(start + 999);
            let filter = Filter::new().event_signature(topics.clone()).from_block(start).to_block(end);
            let logs = self.l1.get_logs(&filter).await.with_context(|| format!("eth_getLogs {start}..={end}"))?;
            out.extend(logs.iter().map(|l| l.address()).filter(|a| ours.contains(a)));
            start = end + 1;
        }
        Ok(out)
    }

    fn in_scope(&self, g: &GameRecord, now: u64) -> bool {
        let window_start = now.saturating_sub(self.cfg.game_window.0.as_secs());
        let type_ok = self.cfg.trace_type.iter().any(|t| t.game_type() == g.game_type);
        let allowed = self.cfg.game_allowlist.is_empty() || self.cfg.game_allowlist.contains(&g.address);
        type_ok && allowed && g.created_at >= window_start
    }

    /// Reads the games created since the last scan (on the first scan: back to the window's
    /// start) and stores those riposte plays.
    async fn scan_factory(&self, now: u64) -> Result<()> {
        let factory = self.cfg.game_factory_address;
        let dgf = Factory::new(self.eth.as_ref(), factory);
        let count = dgf.game_count().await?;
        let cursor = self.store.factory_cursor(factory).await?;
        if cursor >= count {
            return Ok(());
        }
        let window_start = now.saturating_sub(self.cfg.game_window.0.as_secs());
        let mut found: Vec<FactoryGame> = Vec::new();
        if cursor == 0 {
            // Newest first, stopping at the first game older than the window.
            let mut hi = count;
            'outer: while hi > 0 {
                let lo = hi.saturating_sub(100);
                let idx: Vec<u64> = (lo..hi).rev().collect();
                for g in dgf.games_at(&idx).await? {
                    if g.created_at < window_start {
                        break 'outer;
                    }
                    found.push(g);
                }
                hi = lo;
            }
        } else {
            let idx: Vec<u64> = (cursor..count).collect();
            found = dgf.games_at(&idx).await?;
        }
        for fg in found {
            let wanted = self.cfg.trace_type.iter().any(|t| t.game_type() == fg.game_type)
                && (self.cfg.game_allowlist.is_empty() || self.cfg.game_allowlist.contains(&fg.address));
            if !wanted || self.store.game(fg.address).await?.is_some() {
                continue;
            }
            let read = async {
                let game = self.game(fg.address).await?;
                Ok::<_, anyhow::Error>(sync::record_of(game.parameters().await?, &fg, factory))
            };
            match read.await.with_context(|| format!("game {}", fg.address)) {
                Ok(record)
                    if GameTrace::absolute_prestate(record.game_type, self.cannon.as_ref())
                        != Some(record.absolute_prestate) =>
                {
                    tracing::error!(game = %fg.address, game_type = record.game_type, prestate = %record.absolute_prestate, "game's absolute prestate is not the one riposte's trace for its type starts from; skipping game");
                }
                Ok(record) => {
                    tracing::info!(game = %fg.address, index = fg.index, game_type = fg.game_type, root = %record.root_claim, l2_block = record.l2_block_number, "tracking new game");
                    self.store.upsert_game(&record).await?;
                }
                Err(e) => tracing::error!(game = %fg.address, error = format!("{e:#}"), "skipping game"),
            }
        }
        self.store.set_factory_cursor(factory, count).await?;
        Ok(())
    }

    /// Brings a game's claims up to date and acts on it.
    async fn progress(&self, g: &GameRecord, now: u64) -> Result<Progress> {
        let (depth, clocks) = sync::rules_of(g)?;
        let game = self.game(g.address).await?;
        // In selective mode a game stays in progress after we are paid: leave it then.
        if self.cfg.selective_claim_resolution && self.settled.lock().is_ok_and(|s| s.contains(&g.address)) {
            return Ok(Progress::default());
        }
        // Someone else may have resolved it.
        let status = game.status().await? as u8;
        if status != g.status {
            tracing::info!(status, "game resolved");
            self.store.upsert_game(&GameRecord { status, ..g.clone() }).await?;
            return Ok(Progress::default());
        }
        let known = self.store.claim_tree(g.address).await?;
        let update = sync::refresh_claims(game.as_ref(), depth.max(), known.as_ref()).await?;
        let tree = if let Some(all) = update.reorged {
            self.store.replace_claims(g.address, &all).await?;
            if let Some(r) = &self.responder {
                r.resync_nonce().await?;
            }
            ClaimTree::from_claims(all).with_context(|| format!("claims of game {}", g.address))?
        } else {
            let have = known.as_ref().map_or(0, |t| t.len() as u64);
            if !update.new.is_empty() {
                self.store.append_claims(g.address, have, &update.new).await?;
                self.metrics.claims_seen(update.new.len() as u64);
            }
            for (i, c) in &update.countered {
                self.store.set_countered_by(g.address, *i, c.countered_by).await?;
                if Some(c.claimant) == self.me && Some(c.countered_by) != self.me {
                    // A step succeeded against one of our claims: our trace was wrong somewhere.
                    self.metrics.honest_claim_countered();
                    tracing::error!(claim = i, by = %c.countered_by, "a claim riposte made was countered by a step");
                }
            }
            match known {
                Some(mut t) => {
                    for c in update.new {
                        t.push(c).with_context(|| format!("game {} sent a claim that breaks the rules", g.address))?;
                    }
                    for (i, c) in update.countered {
                        t.set_countered_by(i as usize, c.countered_by)?;
                    }
                    t
                }
                None => ClaimTree::from_claims(update.new).with_context(|| format!("claims of game {}", g.address))?,
            }
        };
        let view = GameView {
            tree,
            depth,
            clocks,
            starting_block: g.starting_block,
            starting_root: g.starting_root,
            l2_block_number: g.l2_block_number,
            absolute_prestate: g.absolute_prestate,
            l1_head: g.l1_head,
            l2_chain_id: g.l2_chain_id,
        };
        let locked = self
            .me
            .map_or(0, |me| view.tree.claims().iter().filter(|c| c.claimant == me).map(|c| c.bond).sum::<u128>());
        let trace = GameTrace::of(g.game_type, &self.outputs, self.cannon.as_ref())?;
        let plan = plan_moves(&view, &trace, now).await?;
        for s in &plan.skipped {
            tracing::warn!(?s, "honest counter cannot be made");
        }
        let due = plan.actions.iter().filter_map(Action::deadline).min();
        let mut confirmed = 0;
        let mut planned = plan.actions.len();
        // Look again when the next clock runs out (a response is due, or a claim can be resolved).
        let wake =
            (0..view.tree.len()).filter_map(|i| view.tree.response_deadline(i, clocks).ok()).filter(|&d| d > now).min();
        let Some(responder) = &self.responder else {
            for a in &plan.actions {
                tracing::info!(action = ?a, "monitor only: would send");
            }
            return Ok(Progress { planned, confirmed: 0, wake, unfinished: false, due, locked });
        };
        for action in &plan.actions {
            confirmed += self.execute(responder, g, game.as_ref(), action).await?;
        }
        // Resolution: which subgames are already resolved, among those whose clocks ran out.
        let expired: Vec<u64> = (0..view.tree.len())
            .filter(|&i| view.tree.is_expired(i, clocks, now).unwrap_or(false))
            .map(|i| i as u64)
            .collect();
        if !expired.is_empty() {
            let flags = game.resolved_subgames(expired.clone()).await?;
            let mut resolved = vec![false; view.tree.len()];
            for (i, f) in expired.iter().zip(flags) {
                resolved[*i as usize] = f;
            }
            let selective = self.cfg.selective_claim_resolution.then_some(self.claimants.as_slice());
            let steps = plan_resolution(&view, &resolved, now, selective)?;
            planned += steps.len();
            for action in &steps {
                confirmed += self.execute(responder, g, game.as_ref(), action).await?;
            }
            if steps.contains(&Action::Resolve) {
                let status = game.status().await? as u8;
                if status != g.status {
                    tracing::info!(status, "game resolved");
                    self.store.upsert_game(&GameRecord { status, ..g.clone() }).await?;
                }
            }
            // With selective resolution nobody may ever call resolve(): once every clock has run
            // out and what pays us is resolved, claim the credit from the game in progress.
            if selective.is_some() && steps.is_empty() && wake.is_none() {
                confirmed += self.claim_credits(g, now).await?;
            }
        }
        // A game acted on is looked at again on the next cycle: to try again what did not land,
        // and to see that what landed is still there (a reorg may take it before we see its
        // block). So is a game whose clocks have all run out but which is not resolved yet.
        let unfinished = planned > 0 || (wake.is_none() && !expired.is_empty());
        Ok(Progress { planned, confirmed, wake, unfinished, due, locked })
    }

    /// Sends one action (and the preimage it needs first). Returns how many transactions were
    /// confirmed.
    async fn execute(&self, r: &Responder, g: &GameRecord, game: &dyn DisputeGame, action: &Action) -> Result<usize> {
        let mut confirmed = 0;
        for intent in intents_for(g, game, action).await? {
            let key = intent.key.clone();
            match r.submit(intent).await {
                Ok(Outcome::Confirmed { .. }) => confirmed += 1,
                Ok(Outcome::AlreadyDone) => {}
                Ok(Outcome::Reverted { reason, .. }) => {
                    tracing::warn!(%key, %reason, "action reverted");
                    break;
                }
                Err(e) => {
                    tracing::error!(%key, error = format!("{e:#}"), "action not sent");
                    break;
                }
            }
        }
        Ok(confirmed)
    }

    /// Claims the credit of every claimant in a resolved game once DelayedWETH allows it.
    async fn claim_credits(&self, g: &GameRecord, now: u64) -> Result<usize> {
        if self.settled.lock().map(|s| s.contains(&g.address)).unwrap_or(false) {
            return Ok(0);
        }
        let Some(r) = &self.responder else { return Ok(0) };
        if self.credit_wake.lock().ok().and_then(|m| m.get(&g.address).copied()).is_some_and(|t| now < t) {
            return Ok(0);
        }
        let weth = g.weth;
        let delay = self.delay_of(weth).await?;
        let game = self.game(g.address).await?;
        let mut pending = false;
        let mut unlocks: Option<u64> = None;
        let mut confirmed = 0;
        for &who in &self.claimants {
            let credit = game.credit(who).await?;
            if credit.is_zero() {
                continue;
            }
            let w = riposte_contracts::call(
                self.eth.as_ref(),
                weth,
                DelayedWETH::withdrawalsCall { owner: g.address, guy: who },
            )
            .await?;
            let unlock_at = u64::try_from(w.timestamp).unwrap_or(u64::MAX).saturating_add(delay);
            if w.timestamp.is_zero() || now < unlock_at {
                pending = true;
                if !w.timestamp.is_zero() {
                    unlocks = Some(unlocks.map_or(unlock_at, |u| u.min(unlock_at)));
                }
                continue;
            }
            let intent = intent_of(g.address, game.claim_credit(who));
            match r.submit(intent).await? {
                Outcome::Confirmed { tx, .. } => {
                    tracing::info!(recipient = %who, %credit, %tx, "credit claimed");
                    self.store.record_credit_claimed(g.address, who, credit, tx, now).await?;
                    self.metrics.credit_claimed(u128::try_from(credit).map_or(f64::MAX, |c| c as f64));
                    confirmed += 1;
                }
                Outcome::AlreadyDone => {}
                Outcome::Reverted { reason, .. } => {
                    tracing::warn!(recipient = %who, %reason, "claimCredit reverted");
                    pending = true;
                }
            }
        }
        if !pending && let Ok(mut s) = self.settled.lock() {
            s.insert(g.address);
        }
        if let (Some(t), Ok(mut m)) = (unlocks, self.credit_wake.lock()) {
            m.insert(g.address, t);
        }
        Ok(confirmed)
    }

    async fn delay_of(&self, weth: Address) -> Result<u64> {
        if let Some(d) = self.weth_delay.lock().ok().and_then(|m| m.get(&weth).copied()) {
            return Ok(d);
        }
        let d = riposte_contracts::call(self.eth.as_ref(), weth, DelayedWETH::delayCall {}).await?;
        let d = u64::try_from(d).with_context(|| format!("DelayedWETH {weth} reports delay {d}"))?;
        if let Ok(mut m) = self.weth_delay.lock() {
            m.insert(weth, d);
        }
        Ok(d)
    }
}

/// The intent of one call, filed under `game`.
pub fn intent_of(game: Address, c: riposte_contracts::TxCall) -> NewIntent {
    NewIntent { game, kind: c.kind.as_str().into(), key: c.key, target: c.target, calldata: c.calldata, value: c.value }
}

/// The transactions an action is made of, in order (a preimage load before its step), each
/// keyed by what it does so it is never sent twice.
pub async fn intents_for(g: &GameRecord, game: &dyn DisputeGame, action: &Action) -> Result<Vec<NewIntent>> {
    Ok(game.calls_for(action).await?.into_iter().map(|c| intent_of(g.address, c)).collect())
}
