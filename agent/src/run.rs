//! The daemon: wires the chain clients, the database, the indexer, the scheduler, the players
//! and the bonds together, and runs them on every new L1 head.
//!
//! One game's trip: head (with its header) → the indexer marks games with new logs → the
//! scheduler picks the most urgent → a player reads only new claims through `riposte-contracts`,
//! stores them, asks the solver → actions to the sink (the transaction manager, or the
//! recorder in monitor-only mode) → exactly once on chain.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
    time::Duration,
};

use crate::error::{AgentError, Context, Result};
use alloy::{
    network::EthereumWallet,
    primitives::{Address, B256},
    providers::{DynProvider, Provider},
    signers::local::PrivateKeySigner,
};
use futures::{StreamExt, stream};
use riposte_chain::{Head, HeadStream, RpcOptions, outputs::L2Outputs, super_chain::ChainTimes};
use riposte_contracts::{DisputeGame, EthCall};
use riposte_game::GameStatus;
use riposte_storage::{GameRecord, Store};
use riposte_txmgr::{Responder, ResponderOptions};
use tracing::Instrument;

use crate::{
    bonds::Bonds,
    config::Config,
    games::Games,
    indexer::{Indexer, Scope},
    looks::Looks,
    metrics::Metrics,
    player::Player,
    scheduler::{Progress, Scheduler},
    sink::{ActionSink, Recorder, Sender},
    traces::{CannonVm, GameTrace},
};
use riposte_chain::super_chain::L2SuperChain;

/// One cycle's view: the head, and the games to look at.
struct Cycle {
    head: u64,
    now: u64,
    due: Vec<GameRecord>,
    resolved: Vec<GameRecord>,
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
    /// Actions the solver planned (in monitor mode: recorded, not sent).
    pub planned: usize,
}

/// The running agent.
pub struct Agent {
    cfg: Config,
    scope: Scope,
    l1: DynProvider,
    games: Games,
    outputs: L2Outputs,
    store: Store,
    metrics: Metrics,
    responder: Option<Responder>,
    /// Where actions go in monitor-only mode.
    recorder: Recorder,
    /// The configured key's address, even when monitoring only.
    me: Option<Address>,
    bonds: Bonds,
    scheduler: Mutex<Scheduler>,
    /// The Cannon program's trace, when `cannon-elf` is set.
    cannon: Option<Arc<CannonVm>>,
    /// Cannon64 prestates by hash, when `prestates-dir` is set.
    prestates: Option<Arc<crate::prestates::PrestateStore>>,
    /// Games riposte cannot play (their version or their type), each named once.
    skipped: Mutex<std::collections::HashSet<Address>>,
    /// Multicall3, where the chain has it: each round of resolution goes in one transaction.
    batcher: Option<Address>,
    /// Games whose claimed L2 block the L2 node has: no block-number challenge to look for.
    block_ok: Mutex<std::collections::HashSet<Address>>,
    /// The sources of super-root games, when a rollup node is configured.
    supers: Option<SuperSources>,
    /// Super-root games whose starting root riposte has checked: `None` when it is riposte's
    /// own, else why the game is not played.
    starts: Mutex<HashMap<Address, Option<String>>>,
    /// `stateVersion()` of each MIPS64 VM a game named (read once).
    state_versions: Mutex<HashMap<Address, u64>>,
}

/// What super-root games are judged with: the chain's block times and the rollup node's safe
/// heads; one [`L2SuperChain`] per game L1 head, so its block number and safe head are read once.
struct SuperSources {
    times: ChainTimes,
    rollup: DynProvider,
    /// A super-root node to cross-check proposals with.
    superroot: Option<DynProvider>,
    chains: Mutex<HashMap<B256, L2SuperChain>>,
}

impl SuperSources {
    async fn connect(cfg: &Config, rollup: DynProvider, superroot: Option<DynProvider>) -> Result<Self> {
        // A built-in config by name (`op-mainnet`) where no file of that name exists.
        let named = cfg
            .rollup_config
            .as_deref()
            .filter(|p| !p.exists())
            .and_then(|p| p.to_str())
            .and_then(riposte_core::RollupConfig::named);
        let times = match (&cfg.rollup_config, named) {
            (_, Some(config)) => ChainTimes::of(&config),
            (Some(path), None) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| AgentError::Start(format!("rollup-config {}: {e}", path.display())))?;
                let json: serde_json::Value = serde_json::from_str(&text)
                    .map_err(|e| AgentError::Start(format!("rollup-config {}: {e}", path.display())))?;
                ChainTimes::from_json(&json, &format!("rollup-config {}", path.display()))?
            }
            (None, None) => ChainTimes::of_node(&rollup).await?,
        };
        tracing::info!(
            chain_id = times.chain_id,
            genesis_block = times.genesis_block,
            genesis_time = times.genesis_time,
            block_time = times.block_time,
            "super-root games are judged on this chain's blocks"
        );
        Ok(Self { times, rollup, superroot, chains: Mutex::new(HashMap::new()) })
    }

    /// The chain's sources judged at the L1 block `hash` (a game's L1 head).
    async fn chain_at(
        &self,
        l1: &DynProvider,
        outputs: &L2Outputs,
        hash: B256,
    ) -> Result<L2SuperChain, riposte_solver::TraceError> {
        if let Some(c) = self.chains.lock().ok().and_then(|m| m.get(&hash).cloned()) {
            return Ok(c);
        }
        let what = || format!("the game's L1 head {hash}");
        let block = l1
            .get_block_by_hash(hash)
            .await
            .map_err(|e| riposte_solver::TraceError::Source { what: what(), source: Box::new(e) })?
            .ok_or_else(|| riposte_solver::TraceError::Source {
                what: what(),
                source: "the L1 node has no such block (not synced yet, or reorged away)".into(),
            })?;
        let chain = L2SuperChain::new(self.times, outputs.clone(), self.rollup.clone(), block.header.number);
        if let Ok(mut m) = self.chains.lock() {
            m.insert(hash, chain.clone());
        }
        Ok(chain)
    }
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
        let superroot = match cfg.superroot_rpc.as_deref() {
            Some(u) => Some(riposte_chain::connect(u, "superroot", &opts, sink.clone()).await?),
            None => None,
        };
        let supers = match (&rollup, cfg.plays_super_roots()) {
            (Some(r), true) => Some(SuperSources::connect(&cfg, r.clone(), superroot).await?),
            (None, true) => {
                return Err(AgentError::Config(
                    "super-root trace types need rollup-rpc: the safe head at each game's L1 head comes from the rollup node"
                        .into(),
                ));
            }
            (_, false) => None,
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
            return Err(AgentError::Start(format!(
                "game-factory-address {} has no code on L1: not a DisputeGameFactory",
                cfg.game_factory_address
            )));
        }
        let store = Store::open(&cfg.db).await.with_context(|| format!("opening the database {}", cfg.db.display()))?;
        let signer: Option<PrivateKeySigner> = cfg
            .signing_key()?
            .map(|key| {
                key.expose()
                    .trim()
                    .parse()
                    .map_err(|_| AgentError::Config("the private key is not a 32-byte hex key".into()))
            })
            .transpose()?;
        let me = signer.as_ref().map(PrivateKeySigner::address);
        let responder = match (cfg.monitor_only, signer) {
            (true, _) => None,
            (false, None) => {
                return Err(AgentError::Start(
                    "no private key: give --private-key-file, RIPOSTE_PRIVATE_KEY or --private-key, or run with --monitor-only"
                        .into(),
                ));
            }
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
                let vm = crate::traces::load_cannon(elf, cfg.cannon_snapshot_freq).map_err(AgentError::Start)?;
                tracing::info!(elf = %elf.display(), vm = vm.vm_name(), absolute_prestate = %vm.absolute_prestate(), "Cannon program loaded");
                Some(Arc::new(vm))
            }
            None => None,
        };
        let prestates = match (&cfg.prestates_dir, &cfg.prestates_url) {
            (Some(dir), url) => Some(Arc::new(
                crate::prestates::PrestateStore::new(dir.clone(), url.clone(), cfg.cannon_snapshot_freq)
                    .map_err(AgentError::Start)?,
            )),
            (None, Some(url)) => {
                return Err(AgentError::Start(format!("prestates-url {url} needs prestates-dir to copy into")));
            }
            (None, None) => None,
        };
        let mut claimants: Vec<Address> = responder.iter().map(Responder::address).collect();
        claimants.extend(cfg.additional_bond_claimants.iter().copied());
        let eth: Arc<dyn EthCall> = Arc::new(riposte_chain::Rpc(l1.clone()));
        // Selective resolution pays gas only for claims that pay us: no closing of others' games.
        let close_games = !cfg.selective_claim_resolution;
        let multicall = riposte_contracts::multicall::MULTICALL3;
        let batcher = match riposte_contracts::multicall::is_batcher(eth.as_ref(), multicall).await {
            Ok(true) => {
                tracing::info!(%multicall, "resolution is batched: one transaction per round through Multicall3");
                Some(multicall)
            }
            Ok(false) => {
                tracing::info!(%multicall, "no Multicall3 on L1: claims are resolved one transaction each");
                None
            }
            Err(e) => return Err(AgentError::from(e)).context("probing Multicall3"),
        };
        Ok(Self {
            outputs: L2Outputs::new(l2, check, sink),
            scope: Scope::of(&cfg),
            cfg,
            games: Games::new(eth.clone()),
            bonds: Bonds::new(eth, claimants, close_games),
            l1,
            store,
            metrics,
            responder,
            recorder: Recorder::new(),
            me,
            cannon,
            prestates,
            scheduler: Mutex::new(Scheduler::new()),
            skipped: Mutex::new(std::collections::HashSet::new()),
            batcher,
            block_ok: Mutex::new(std::collections::HashSet::new()),
            supers,
            starts: Mutex::new(HashMap::new()),
            state_versions: Mutex::new(HashMap::new()),
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
        self.games.eth()
    }

    /// The game at `address` as the family it was detected to be (detected once per run).
    pub async fn game(&self, address: Address) -> Result<Arc<dyn DisputeGame>> {
        self.games.open(address).await
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// The metrics handle.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The honest trace of game `g`: by its type and prestate, or for a super-root game over
    /// the rollup node's chain judged at the game's L1 head.
    pub async fn trace_for(&self, g: &GameRecord) -> Result<GameTrace, riposte_solver::TraceError> {
        use riposte_solver::TraceError;
        if g.super_root.is_none() {
            let configured = self.cannon.as_ref().is_some_and(|c| c.absolute_prestate() == g.absolute_prestate);
            let alphabet = g.absolute_prestate == riposte_solver::trace::alphabet::absolute_prestate();
            let cannon = match &self.prestates {
                Some(store) if matches!(g.game_type, 0 | 1) && !configured && !alphabet => {
                    let (store, hash) = (Arc::clone(store), g.absolute_prestate);
                    let vm = tokio::task::spawn_blocking(move || store.get(hash))
                        .await
                        .map_err(|e| TraceError::Unsupported(format!("loading prestate {hash}: {e}")))?
                        .map_err(TraceError::Unsupported)?;
                    Some(vm)
                }
                _ => self.cannon.clone(),
            };
            if let Some(vm) = &cannon
                && matches!(vm.as_ref(), CannonVm::Mips64(_))
                && vm.absolute_prestate() == g.absolute_prestate
            {
                self.check_state_version(g.vm).await?;
            }
            return GameTrace::of(g.game_type, g.absolute_prestate, &self.outputs, cannon.as_ref());
        }
        let Some(s) = &self.supers else {
            return Err(TraceError::Unsupported(
                "a super-root game: riposte judges those only with rollup-rpc (and a super-root trace-type)".into(),
            ));
        };
        if g.l2_chain_id != s.times.chain_id {
            return Err(TraceError::Unsupported(format!(
                "a super root of chain {}, but the rollup node follows chain {}",
                g.l2_chain_id, s.times.chain_id
            )));
        }
        let chain = s.chain_at(&self.l1, &self.outputs, g.l1_head).await?;
        Ok(GameTrace::of_super(g.absolute_prestate, chain))
    }

    /// Refuses a game whose VM is not the MIPS64 riposte's Cannon64 implements (state version
    /// 8): a later MIPS64 could take the same prestate with other rules.
    async fn check_state_version(&self, vm: Address) -> Result<(), riposte_solver::TraceError> {
        use riposte_solver::TraceError;
        let known = self.state_versions.lock().ok().and_then(|m| m.get(&vm).copied());
        let version = match known {
            Some(v) => v,
            None => {
                let call = riposte_contracts::vm::Mips64::stateVersionCall {};
                let v = riposte_contracts::call(self.eth().as_ref(), vm, call).await.map_err(|e| {
                    TraceError::Unsupported(format!(
                        "the game's VM {vm} does not answer stateVersion() as MIPS64 does: {e}"
                    ))
                })?;
                let v = u64::try_from(v).unwrap_or(u64::MAX);
                if let Ok(mut m) = self.state_versions.lock() {
                    m.insert(vm, v);
                }
                v
            }
        };
        if version != 8 {
            return Err(TraceError::Unsupported(format!(
                "the game's VM {vm} implements MIPS64 state version {version}; riposte's Cannon64 implements version 8"
            )));
        }
        Ok(())
    }

    /// The honest trace to judge game `g` by: its own, or output roots alone when riposte has
    /// no execution trace for it (claims below the split are then not judged).
    pub async fn trace_for_inspection(&self, g: &GameRecord) -> Result<GameTrace, riposte_solver::TraceError> {
        match self.trace_for(g).await {
            Ok(t) => Ok(t),
            Err(e) if g.super_root.is_some() => Err(e),
            Err(_) => Ok(GameTrace::outputs_only(&self.outputs)),
        }
    }

    /// Why a super-root game is not one riposte can play, if it is not: riposte's own super root
    /// at the anchor's timestamp must be the game's starting root, and a configured super-root
    /// node must give the same honest value for the proposal as riposte (a node not yet past
    /// the game's L1 head is waited for, and says so). Decided once per game.
    async fn super_refusal(&self, g: &GameRecord, trace: &GameTrace) -> Result<Option<String>> {
        use riposte_chain::super_chain::{NodeSuperRoot, node_super_root};
        use riposte_solver::trace::super_root::{TracePoint, claim_at, invalid};
        let Some(top) = trace.super_top() else { return Ok(None) };
        if let Some(known) = self.starts.lock().ok().and_then(|s| s.get(&g.address).cloned()) {
            return Ok(known);
        }
        let mut refusal = top.starting_root_differs(g.starting_block, g.starting_root).await?.map(|ours| {
            format!(
                "the game starts from super root {} at timestamp {}, but riposte computes {ours} there",
                g.starting_root, g.starting_block
            )
        });
        if let (None, Some(node)) = (&refusal, self.supers.as_ref().and_then(|s| s.superroot.as_ref())) {
            let t = g.l2_block_number;
            let ours = claim_at(top.chain(), TracePoint::Super { timestamp: t }).await?;
            let l1_head = top.chain().l1_head();
            let theirs = match node_super_root(node, t, l1_head).await? {
                NodeSuperRoot::Behind { current_l1 } => {
                    return Err(AgentError::from(riposte_solver::TraceError::Source {
                        what: format!("the super-root node's view of timestamp {t}"),
                        source: format!(
                            "it has read L1 up to block {current_l1}, not yet the game's L1 head {l1_head}: waiting"
                        )
                        .into(),
                    }));
                }
                NodeSuperRoot::Safe(r) => r,
                NodeSuperRoot::Invalid => invalid(),
            };
            if theirs != ours {
                refusal = Some(format!(
                    "the super-root node says {theirs} at timestamp {t} by the game's L1 head, riposte computes {ours}"
                ));
            }
        }
        if refusal.is_some() {
            self.metrics.disagreement();
        }
        if let Ok(mut s) = self.starts.lock() {
            s.insert(g.address, refusal.clone());
        }
        Ok(refusal)
    }

    /// The transaction sender, unless monitoring only.
    pub fn responder(&self) -> Option<&Responder> {
        self.responder.as_ref()
    }

    /// The configured key's address, if a key is configured.
    pub fn sender(&self) -> Option<Address> {
        self.me
    }

    fn sink(&self) -> Box<dyn ActionSink + '_> {
        match &self.responder {
            Some(r) => Box::new(Sender(r)),
            None => Box::new(&self.recorder),
        }
    }

    fn indexer(&self) -> Indexer<'_> {
        Indexer {
            l1: &self.l1,
            games: &self.games,
            store: &self.store,
            factory: self.cfg.game_factory_address,
            scope: &self.scope,
        }
    }

    /// The prestates games of `game_type` may have to be tracked; `None`: any, looked up by hash
    /// from an http(s) prestates-url when the game is played.
    fn prestates_of(&self, game_type: u32) -> Option<Vec<B256>> {
        let mut list = GameTrace::absolute_prestates(game_type, self.cannon.as_ref());
        if let (Some(store), 0 | 1) = (&self.prestates, game_type) {
            if store.fetches_any() {
                return None;
            }
            list.extend(store.available());
        }
        Some(list)
    }

    /// Scans the factory and claims every credit DelayedWETH lets go in resolved games (read
    /// fresh, so games resolved by others count); returns the claimCredit transactions confirmed.
    pub async fn tick_credits_only(&self) -> Result<usize> {
        let now = riposte_chain::latest_head(&self.l1).await?.timestamp;
        self.indexer().scan(now, |t| self.prestates_of(t)).await?;
        let mut confirmed = 0;
        for g in self.store.games().await?.into_iter().filter(|g| self.scope.contains(g, now)) {
            let game = self.games.open(g.address).await?;
            let status = game.status().await? as u8;
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
        let mut looks = Looks::new();
        let mut most_urgent: Option<u64> = None;
        // Over WebSocket the node announces each head; over HTTP eth_blockNumber is polled.
        let poll = self.cfg.http_poll_interval.0;
        let mut heads = HeadStream::spawn(self.l1.clone(), poll, poll);
        loop {
            while let Some((game, r)) = looks.try_next() {
                self.record(game, r, &mut most_urgent);
            }
            let recheck = self.scheduler.lock().is_ok_and(|s| s.wants_recheck(looks.busy()));
            match heads.latest() {
                Some(h) if Some(h) != last_head || recheck => match self.select_due(h, looks.busy()).await {
                    Ok(cycle) => {
                        last_head = Some(h);
                        let now = cycle.now;
                        for g in cycle.due.iter().cloned() {
                            if looks.len() >= self.cfg.max_concurrency {
                                // Left for when a slot frees.
                                if let Ok(mut s) = self.scheduler.lock() {
                                    s.defer(g.address);
                                }
                                continue;
                            }
                            let me = self.clone();
                            let span = game_span(&g);
                            looks.spawn(g.address, async move { me.progress(&g, now).instrument(span).await });
                        }
                        if looks.is_empty() {
                            most_urgent = None;
                        }
                        self.metrics
                            .most_urgent_clock(most_urgent.map_or(f64::INFINITY, |d| d.saturating_sub(now) as f64));
                        self.settle_credits(&cycle).await;
                        self.settle_proposals(cycle.now).await;
                    }
                    Err(e) => tracing::error!(error = format!("{e:#}"), "cycle failed; retrying on the next head"),
                },
                _ => {}
            }
            tokio::select! {
                _ = &mut shutdown => break,
                _ = heads.next() => {}
                Some((game, r)) = looks.next(), if !looks.is_empty() => self.record(game, r, &mut most_urgent),
                _ = tokio::time::sleep(poll) => {}
            }
        }
        drop(heads);
        if !looks.is_empty() {
            tracing::info!(games = looks.len(), "shutting down: letting games in progress finish (8 s at most)");
            looks.finish_within(Duration::from_secs(8)).await;
        }
        self.store.close().await;
        Ok(())
    }

    /// One cycle at the current L1 head, waiting for every game looked at; `run` does the same
    /// without waiting.
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
            if let Ok(p) = &r {
                report.planned += p.planned;
                report.confirmed += p.confirmed;
            }
            self.record(game, r, &mut most_urgent);
        }
        self.metrics.most_urgent_clock(most_urgent.map_or(f64::INFINITY, |d| d.saturating_sub(cycle.now) as f64));
        report.confirmed += self.settle_credits(&cycle).await;
        report.confirmed += self.settle_proposals(cycle.now).await;
        Ok(report)
    }

    /// Scans the factory at `head` and asks the scheduler which games are due: one
    /// `eth_getLogs` since the last head tells which games changed.
    async fn select_due(&self, head: Head, busy: &HashSet<Address>) -> Result<Cycle> {
        let now = head.timestamp;
        self.metrics.l1_head(head.number);
        self.indexer().scan(now, |t| self.prestates_of(t)).await.context("scanning the factory")?;
        let games: Vec<GameRecord> =
            self.store.games().await?.into_iter().filter(|g| self.scope.contains(g, now)).collect();
        let (active, resolved): (Vec<GameRecord>, Vec<GameRecord>) =
            games.into_iter().partition(|g| g.status == GameStatus::InProgress as u8);
        self.metrics.set_games("in_progress", active.len() as i64);
        self.metrics.set_games("resolved", resolved.len() as i64);
        let addrs: Vec<Address> = active.iter().map(|g| g.address).collect();
        let (range, reorged) = {
            let s = self.scheduler.lock().map_err(|_| AgentError::Task("the scheduler's lock is poisoned".into()))?;
            (s.log_range(&head), s.reorged(&head))
        };
        let touched = match range {
            Some((from, to)) => self.indexer().touched(&addrs, from, to).await?,
            None => HashSet::new(),
        };
        if reorged {
            tracing::warn!(head = head.number, "L1 reorganised; looking at every game again");
        }
        let due = self
            .scheduler
            .lock()
            .map_err(|_| AgentError::Task("the scheduler's lock is poisoned".into()))?
            .select(head, &addrs, &touched, busy);
        let mut by_address: HashMap<Address, GameRecord> = active.into_iter().map(|g| (g.address, g)).collect();
        let due = due.into_iter().filter_map(|a| by_address.remove(&a)).collect();
        Ok(Cycle { head: head.number, now, due, resolved })
    }

    /// Records what looking at a game did, for the next selection.
    fn record(&self, game: Address, r: Result<Progress>, most_urgent: &mut Option<u64>) {
        let Ok(mut s) = self.scheduler.lock() else { return };
        match &r {
            Ok(p) => {
                *most_urgent = most_urgent.take().into_iter().chain(p.due).min();
                s.record(game, Ok(p));
                self.metrics.bonds_locked(s.locked_total() as f64);
            }
            Err(e) => {
                tracing::error!(%game, error = format!("{e:#}"), "could not progress game");
                s.record(game, Err(()));
            }
        }
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

    /// Brings a game's claims up to date and acts on it.
    async fn progress(&self, g: &GameRecord, now: u64) -> Result<Progress> {
        // In selective mode a game stays in progress after we are paid: leave it then.
        if self.cfg.selective_claim_resolution && self.bonds.is_settled(g.address) {
            return Ok(Progress::default());
        }
        // A game of a version or type riposte cannot play is skipped by name, game by game: its
        // neighbours are played.
        let opened = self.games.open(g.address).await;
        let trace = self.trace_for(g).await;
        let (game, trace) = match (opened, trace) {
            (Ok(game), Ok(trace)) => (game, trace),
            (Err(e), _) if !matches!(e.kind(), crate::error::ErrorKind::Temporary) => {
                return Ok(self.skip(g, &e.to_string()));
            }
            (Err(e), _) => return Err(e),
            (Ok(_), Err(e @ riposte_solver::TraceError::Source { .. })) => return Err(e.into()),
            (Ok(_), Err(e)) => return Ok(self.skip(g, &e.to_string())),
        };
        if let Some(why) = self.super_refusal(g, &trace).await? {
            return Ok(self.skip(g, &why));
        }
        let (challenges, root_challenged) = self.challenge_root_block(g, game.as_ref()).await?;
        let selective = self.cfg.selective_claim_resolution.then_some(self.bonds.claimants());
        let player = Player {
            store: &self.store,
            metrics: &self.metrics,
            me: self.me,
            selective,
            batcher: self.batcher,
            root_challenged,
        };
        let mut p = player.look(g, game.as_ref(), &trace, self.sink().as_ref(), now).await?;
        p.planned += challenges;
        p.confirmed += challenges;
        if p.claim_credit {
            p.confirmed += self.claim_credits(g, now).await?;
        }
        Ok(p)
    }

    /// The L2-block-number challenge (op-challenger's root pre-check): a root that claims a
    /// block beyond the L2 safe head but carries the safe head's own output root is countered
    /// by `challengeRootL2Block` with that block's header, which shows the number is wrong.
    /// Returns the transactions confirmed and whether the root is so challenged.
    async fn challenge_root_block(&self, g: &GameRecord, game: &dyn DisputeGame) -> Result<(usize, bool)> {
        // A super-root game has no L2 block number to challenge.
        if g.status != riposte_game::GameStatus::InProgress as u8
            || g.super_root.is_some()
            || self.block_ok.lock().is_ok_and(|s| s.contains(&g.address))
        {
            return Ok((0, false));
        }
        let safe = self.outputs.safe_head().await?;
        if g.l2_block_number <= safe {
            // The claimed block exists: its honest output is bisected over as usual.
            if let Ok(mut s) = self.block_ok.lock() {
                s.insert(g.address);
            }
            return Ok((0, false));
        }
        if game.l2_block_challenged().await? {
            return Ok((0, true));
        }
        let safe_output = riposte_solver::trace::OutputTrace::output_at(&self.outputs, safe).await?;
        if safe_output != g.root_claim {
            return Ok((0, false));
        }
        let (proof, header) = self.outputs.output_preimage(safe).await?;
        tracing::warn!(
            claimed = g.l2_block_number,
            safe_head = safe,
            "the root claims an L2 block beyond the safe head with the safe head's output root: challenging its block number"
        );
        let call = game.challenge_root_l2_block(&proof, header);
        let n = self.sink().send(vec![crate::player::intent_of(g.address, call)]).await?;
        Ok((n, n > 0 || game.l2_block_challenged().await?))
    }

    /// Judges and settles every pending proposal without a bisection game (the simplified
    /// type-5 game): a dishonest one is an alert (only the guardian's blacklist stops it); an
    /// honest, respected one is offered to its registry as the anchor once final
    /// (`setAnchorState`, op-challenger's lifecycle task). Returns the transactions confirmed.
    async fn settle_proposals(&self, now: u64) -> usize {
        let pending = match self.store.pending_proposals().await {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(error = %e, "could not read the proposals");
                return 0;
            }
        };
        let window = now.saturating_sub(self.cfg.game_window.0.as_secs());
        let mut confirmed = 0;
        for p in pending.into_iter().filter(|p| p.created_at >= window && self.scope.game_types.contains(&p.game_type))
        {
            match self.settle_proposal(&p).await {
                Ok(n) => confirmed += n,
                Err(e) => tracing::warn!(game = %p.address, error = format!("{e:#}"), "proposal not settled yet"),
            }
        }
        confirmed
    }

    async fn settle_proposal(&self, p: &riposte_storage::ProposalRecord) -> Result<usize> {
        use riposte_contracts::asr::AnchorStateRegistry3 as Asr;
        use riposte_solver::trace::super_root::{SuperRoot, TracePoint, claim_at};
        let settle = |state: &'static str| async move {
            self.store.set_proposal_state(p.address, state).await?;
            Ok::<usize, AgentError>(0)
        };
        let sr = SuperRoot::decode(&p.super_root)
            .map_err(|e| AgentError::Start(format!("stored proposal {}: {e}", p.address)))?;
        let Some(s) = &self.supers else {
            return Err(AgentError::Config("judging super-root proposals needs rollup-rpc".into()));
        };
        let chain_id = sr.chains.first().map(|c| c.chain_id);
        if chain_id != Some(alloy::primitives::U256::from(s.times.chain_id)) {
            tracing::warn!(game = %p.address, ?chain_id, rollup_chain = s.times.chain_id, "a proposal of another chain: left");
            return settle("invalid").await;
        }
        let chain = s.chain_at(&self.l1, &self.outputs, p.l1_head).await?;
        let ours = claim_at(&chain, TracePoint::Super { timestamp: sr.timestamp }).await?;
        if ours != p.root_claim {
            self.metrics.disagreement();
            self.metrics.proposal_judged("dishonest");
            tracing::error!(game = %p.address, timestamp = sr.timestamp, proposed = %p.root_claim, honest = %ours, registry = %p.registry, "a dishonest permissioned super-root proposal: it has no challenge, only the guardian's blacklist before it is final stops it");
            return settle("dishonest").await;
        }
        self.metrics.proposal_judged("honest");
        if !p.respected {
            tracing::info!(game = %p.address, "honest proposal of a type not respected at its creation: it cannot become the anchor");
            return settle("not-respected").await;
        }
        let eth = self.games.eth().as_ref();
        if !riposte_contracts::call(eth, p.registry, Asr::isGameFinalizedCall { _game: p.address }).await? {
            return Ok(0);
        }
        if !riposte_contracts::call(eth, p.registry, Asr::isGameClaimValidCall { _game: p.address }).await? {
            tracing::info!(game = %p.address, "final but not a valid claim (blacklisted or retired): not an anchor");
            return settle("invalid").await;
        }
        let anchor = riposte_contracts::call(eth, p.registry, Asr::getAnchorRootCall {}).await?;
        if anchor.l2SequenceNumber >= alloy::primitives::U256::from(sr.timestamp) {
            return settle("superseded").await;
        }
        let calldata = alloy::sol_types::SolCall::abi_encode(&Asr::setAnchorStateCall { _game: p.address });
        let intent = riposte_storage::NewIntent {
            game: p.address,
            kind: "set_anchor_state".into(),
            key: "set-anchor-state".into(),
            target: p.registry,
            calldata: calldata.into(),
            value: alloy::primitives::U256::ZERO,
        };
        let n = self.sink().send(vec![intent]).await?;
        let now_anchor = riposte_contracts::call(eth, p.registry, Asr::getAnchorRootCall {}).await?;
        if now_anchor.root == p.root_claim {
            tracing::info!(game = %p.address, timestamp = sr.timestamp, "the proposal is the registry's anchor now");
            self.store.set_proposal_state(p.address, "anchored").await?;
        }
        Ok(n)
    }

    /// Leaves a game riposte cannot play, naming why the first time.
    fn skip(&self, g: &GameRecord, why: &str) -> Progress {
        if self.skipped.lock().is_ok_and(|mut s| s.insert(g.address)) {
            tracing::warn!(game = %g.address, game_type = g.game_type, version = %g.version, "not playing this game: {why}");
        }
        Progress::default()
    }

    /// Claims the credit of every claimant in a game once DelayedWETH allows it (never in
    /// monitor-only mode).
    async fn claim_credits(&self, g: &GameRecord, now: u64) -> Result<usize> {
        let Some(r) = &self.responder else { return Ok(0) };
        let game = self.games.open(g.address).await?;
        self.bonds.claim(g, game.as_ref(), r, &self.store, &self.metrics, now).await
    }
}
