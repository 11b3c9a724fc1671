//! riposte (the real binary, `riposte run`) against the devnet: real anvils, the real OP
//! contracts, a real SQLite file, and a scripted adversary. Each test checks the games' final
//! status, the agent's credits, and that the agent sent exactly the transactions the games
//! needed (no duplicates).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test harness: a failure is the test failing

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use alloy::{
    primitives::{Address, Bytes, U256, keccak256},
    providers::Provider,
    sol_types::SolValue,
};
use riposte_devnet::{
    Devnet, DevnetOptions, FaultGame,
    adversary::{Adversary, Reply, Tactic, garbage},
    alphabet,
    faulty::{FaultPlan, FaultyProxy},
};
use riposte_game::{BondMode, GameStatus};

const ALPHABET: u32 = 255;

/// The agent as a child process; killed when dropped.
struct AgentProcess {
    child: Child,
}

impl Drop for AgentProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Harness {
    /// How long both sides must stay idle before time travels (clocks and delays run out).
    quiet: Duration,
    devnet: Devnet,
    dir: tempfile::TempDir,
    agent: Address,
    adversary: Address,
    proposer: Address,
}

impl Harness {
    async fn new() -> Self {
        Self::with_options(DevnetOptions::default()).await
    }

    async fn with_options(options: DevnetOptions) -> Self {
        let devnet = Devnet::start(options).await.unwrap();
        let a = devnet.accounts();
        let (agent, adversary, proposer) = (a[2].address, a[3].address, a[1].address);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("key"), format!("{}\n", a[2].private_key)).unwrap();
        Self { quiet: Duration::from_millis(1500), devnet, dir, agent, adversary, proposer }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("riposte.db")
    }

    fn spawn(&self, extra: &[&str]) -> AgentProcess {
        self.spawn_with_env(extra, None)
    }

    /// Starts the agent; `kill_at` makes it SIGKILL itself at that crash point.
    fn spawn_with_env(&self, extra: &[&str], kill_at: Option<&str>) -> AgentProcess {
        let (l1, l2) = (self.devnet.l1_url().to_string(), self.devnet.l2_url().to_string());
        self.spawn_via(extra, kill_at, &l1, &l2)
    }

    /// Starts the agent talking to L1 and L2 through the given URLs.
    fn spawn_via(&self, extra: &[&str], kill_at: Option<&str>, l1: &str, l2: &str) -> AgentProcess {
        let log =
            std::fs::OpenOptions::new().create(true).append(true).open(self.dir.path().join("agent.log")).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_riposte"));
        if let Some(point) = kill_at {
            cmd.env("RIPOSTE_TEST_KILL_AT", point);
        }
        let child = cmd
            .args(["run", "--l1-eth-rpc", l1, "--l2-eth-rpc", l2])
            .args(["--game-factory-address", &self.devnet.deployment().dispute_game_factory.to_string()])
            .arg("--private-key-file")
            .arg(self.dir.path().join("key"))
            .arg("--db")
            .arg(self.db())
            .args(if extra.contains(&"--http-poll-interval") {
                &[][..]
            } else {
                &["--http-poll-interval", "100ms"][..]
            })
            .args(if extra.contains(&"--game-window") { &[][..] } else { &["--game-window", "1d"][..] })
            .args(extra)
            .env("RIPOSTE_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        AgentProcess { child }
    }

    /// SIGTERM, then the agent must exit within 10 s.
    fn stop(&self, mut agent: AgentProcess) {
        let pid = agent.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let asked = Instant::now();
        while agent.child.try_wait().unwrap().is_none() {
            assert!(asked.elapsed() < Duration::from_secs(10), "the agent ignored SIGTERM; log:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("agent.log")).unwrap_or_default()
    }

    fn extra(block: u64) -> Bytes {
        U256::from(block).abi_encode().into()
    }

    fn l2_block(&self) -> u64 {
        self.devnet.anchor().1 + 16
    }

    async fn dishonest_game(&self, n: u64) -> FaultGame<'_> {
        let root = keccak256(format!("wrong root {n}"));
        self.devnet.create_game_as(self.adversary, ALPHABET, root, Self::extra(self.l2_block())).await.unwrap()
    }

    async fn honest_game(&self) -> FaultGame<'_> {
        let (root, _) = self.devnet.output_root(self.l2_block()).await.unwrap();
        self.devnet.create_game_as(self.proposer, ALPHABET, root, Self::extra(self.l2_block())).await.unwrap()
    }

    async fn nonce(&self, who: Address) -> u64 {
        self.devnet.l1().provider().get_transaction_count(who).await.unwrap()
    }

    /// Plays until every game is resolved and the agent has claimed its credit everywhere:
    /// adversary rounds while there is something to answer; when neither side moves for a
    /// while, time travels so clocks and the WETH delay run out.
    async fn play(&self, agent: &mut AgentProcess, adversaries: &[Adversary<'_>], limit: Duration) {
        assert!(self.play_until(agent, adversaries, limit, false, false).await, "the games finished");
    }

    /// Like `play`, but when `may_die` a dead agent ends the play early, and when
    /// `until_resolved` it ends once the games are resolved: returns whether the games finished.
    async fn play_until(
        &self,
        agent: &mut AgentProcess,
        adversaries: &[Adversary<'_>],
        limit: Duration,
        may_die: bool,
        until_resolved: bool,
    ) -> bool {
        let started = Instant::now();
        let mut last_nonce = self.nonce(self.agent).await;
        let mut quiet_since = Instant::now();
        let mut idle = 0;
        loop {
            assert!(started.elapsed() < limit, "games not finished after {limit:?}; agent log:\n{}", self.log());
            if let Some(status) = agent.child.try_wait().unwrap() {
                assert!(may_die, "the agent exited ({status}); its log:\n{}", self.log());
                return false;
            }
            let mut moves = 0;
            for a in adversaries {
                moves += a.round(self.agent).await.unwrap();
            }
            let nonce = self.nonce(self.agent).await;
            if nonce != last_nonce || moves > 0 {
                last_nonce = nonce;
                quiet_since = Instant::now();
                idle = 0;
            }
            let mut done = true;
            for a in adversaries {
                let g = a.game();
                done &= g.status().await.unwrap() != GameStatus::InProgress
                    && (until_resolved || g.credit(self.agent).await.unwrap().is_zero());
            }
            if done {
                return true;
            }
            if quiet_since.elapsed() > self.quiet {
                idle += 1;
                self.devnet.increase_time(if idle < 3 { 61 } else { 151 }).await.unwrap();
                quiet_since = Instant::now();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The transactions a game needed from the agent, counted from the chain: its claims, its
    /// steps (plus the local data loaded before a step out of the absolute prestate), one
    /// resolveClaim per claim, resolve(), and claimCredit when it was paid.
    async fn expected_txs(&self, g: &FaultGame<'_>, paid: bool) -> u64 {
        let tree = g.tree().await.unwrap();
        let max = g.depth.max();
        let mut n = 0;
        for c in tree.claims() {
            if c.claimant == self.agent && !c.is_root() {
                n += 1;
            }
            if c.position.depth() == max && c.countered_by == self.agent {
                n += 1;
                // A step against a wrong first leaf starts from the absolute prestate, after
                // the disputed block is loaded as local data.
                if g.depth.exec_trace_index(c.position).unwrap() == 0 {
                    let i = tree.claims().iter().position(|x| x == c).unwrap();
                    let block = if g.super_root {
                        g.l2_block
                    } else {
                        alphabet::disputed_block(&tree, i, g.depth, g.starting_block, g.starting_root, g.clamp())
                            .unwrap()
                    };
                    if c.value != alphabet::claim(block, 0) {
                        n += 1;
                    }
                }
            }
        }
        // Paid: one claimCredit, or two in 1.4+ games (unlock, then withdraw).
        let claims = if g.line.has_two_phase_bonds() { 2 } else { 1 };
        n + tree.len() as u64 + 1 + if paid { claims } else { 0 }
    }
}

/// The agent was owed credit in `g` (by the rules of resolution) and has withdrawn all of it.
async fn credit_paid(h: &Harness, g: &FaultGame<'_>) -> bool {
    let owed = g.tree().await.unwrap().resolve(None).credit(h.agent);
    let (locked, _) = h.devnet.weth_withdrawal(g.address(), h.agent).await.unwrap();
    !owed.is_zero() && g.credit(h.agent).await.unwrap().is_zero() && locked.is_zero()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counters_a_dishonest_root_and_claims_the_bonds() {
    let h = Harness::new().await;
    let g = h.dishonest_game(1).await;
    let mut agent = h.spawn(&[]);
    let adv = [Adversary::new(g.clone(), h.adversary, Tactic::Garbage)];
    h.play(&mut agent, &adv, Duration::from_secs(60)).await;
    assert_eq!(g.status().await.unwrap(), GameStatus::ChallengerWins);
    assert!(credit_paid(&h, &g).await);
    // The agent countered every adversary claim, down to a step on the last one.
    let tree = g.tree().await.unwrap();
    let leaf = tree.claims().last().unwrap();
    assert_eq!(leaf.position.depth(), g.depth.max());
    assert_eq!(leaf.countered_by, h.agent, "the agent stepped on the adversary's leaf");
    assert_eq!(h.nonce(h.agent).await, h.expected_txs(&g, true).await, "agent log:\n{}", h.log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn defends_an_honest_root_against_garbage() {
    let h = Harness::new().await;
    let g = h.honest_game().await;
    g.attack(h.adversary, 0, garbage(g.address(), 0, false)).await.unwrap();
    let mut agent = h.spawn(&[]);
    let adv = [Adversary::new(g.clone(), h.adversary, Tactic::Garbage)];
    h.play(&mut agent, &adv, Duration::from_secs(60)).await;
    assert_eq!(g.status().await.unwrap(), GameStatus::DefenderWins);
    assert!(credit_paid(&h, &g).await);
    let tree = g.tree().await.unwrap();
    assert!(tree.claims().iter().all(|c| c.countered_by != h.adversary), "the adversary never countered the agent");
    assert_eq!(h.nonce(h.agent).await, h.expected_txs(&g, true).await, "agent log:\n{}", h.log());
}

/// The devnet with the Rust rollup as its L2: every output root is derived from L1 batches.
fn on_the_rollup() -> DevnetOptions {
    DevnetOptions { rollup: true, ..Default::default() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_the_rollup_counters_a_dishonest_root_and_defends_an_honest_one() {
    let h = Harness::with_options(on_the_rollup()).await;
    assert!(h.devnet.rollup_l2().is_some());
    let dishonest = h.dishonest_game(1).await;
    let honest = h.honest_game().await;
    honest.attack(h.adversary, 0, garbage(honest.address(), 0, false)).await.unwrap();
    // riposte re-executes every block it bets on from the rollup's execution witnesses.
    let (rollup_config, _) = h.devnet.rollup_config().unwrap();
    let rollup_config = rollup_config.to_str().unwrap().to_owned();
    let mut agent = h.spawn(&["--verify-outputs", "reexecute", "--rollup-config", &rollup_config]);
    let adv = [
        Adversary::new(dishonest.clone(), h.adversary, Tactic::Garbage),
        Adversary::new(honest.clone(), h.adversary, Tactic::Garbage),
    ];
    h.play(&mut agent, &adv, Duration::from_secs(90)).await;
    assert_eq!(dishonest.status().await.unwrap(), GameStatus::ChallengerWins, "agent log:\n{}", h.log());
    assert_eq!(honest.status().await.unwrap(), GameStatus::DefenderWins, "agent log:\n{}", h.log());
    assert!(credit_paid(&h, &dishonest).await && credit_paid(&h, &honest).await);
    let log = h.log();
    assert!(log.to_lowercase().contains("verify_outputs=reexecute"), "agent log:\n{log}");
    // The honest root is the rollup's own output root of a block batched on L1.
    let block = h.l2_block();
    let node = h.devnet.rollup_l2().unwrap();
    let (ours, safe) = {
        let s = node.state();
        (s.seq.block(block).unwrap().output_root, s.safe_head)
    };
    assert_eq!(honest.root_claim, ours);
    assert!(safe >= block);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_the_rollup_a_node_lying_about_output_roots_is_caught_and_no_move_is_made() {
    let h = Harness::with_options(on_the_rollup()).await;
    let g = h.dishonest_game(52).await;
    // The rollup's own RPC, switched to lie in optimism_outputAtBlock; its eth_ side stays honest.
    h.devnet.rollup_l2().unwrap().state().lies.wrong_output_root = true;
    let rollup = h.devnet.l2_url().to_string();
    let mut agent = h.spawn(&["--rollup-rpc", &rollup]);
    disagrees_and_does_not_move(&h, &mut agent, &g).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn takes_the_bait_only_with_defends_and_ends_in_a_defend_step() {
    // The adversary posts true values with the wrong pivot at depths 4, 6 and 8: the agent
    // must defend at the output level (depth 5, an execution-subgame root), defend inside the
    // execution trace (depth 7) and defend-step the last, correct leaf.
    let h = Harness::new().await;
    let g = h.dishonest_game(2).await;
    let bait = |attack| Some(Reply { attack, truthful: true });
    let script = vec![None, None, None, None, bait(false), None, bait(true), None, bait(true)];
    let mut agent = h.spawn(&[]);
    let adv = [Adversary::new(g.clone(), h.adversary, Tactic::Script(script))];
    h.play(&mut agent, &adv, Duration::from_secs(60)).await;
    assert_eq!(g.status().await.unwrap(), GameStatus::ChallengerWins, "agent log:\n{}", h.log());
    let tree = g.tree().await.unwrap();
    let agent_defends = tree
        .claims()
        .iter()
        .filter(|c| c.claimant == h.agent)
        .filter(|c| {
            let parent = tree.get(c.parent().unwrap()).unwrap();
            parent.position.defend().unwrap() == c.position
        })
        .count();
    assert!(agent_defends >= 2, "the agent defended at the output and execution levels:\n{tree:?}");
    let leaf = tree.claims().last().unwrap();
    assert_eq!(leaf.position.depth(), g.depth.max());
    assert_eq!(leaf.countered_by, h.agent, "the agent's defend-step countered the baiting leaf");
    assert!(credit_paid(&h, &g).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaves_games_outside_the_window_or_the_allowlist_alone() {
    let h = Harness::new().await;
    let old = h.dishonest_game(3).await;
    h.devnet.increase_time(7_200).await.unwrap();
    let not_allowed = h.dishonest_game(4).await;
    let played = h.dishonest_game(5).await;
    let mut agent =
        h.spawn(&["--game-window", "1h", "--game-allowlist", &format!("{},{}", played.address(), old.address())]);
    let adv = [Adversary::new(played.clone(), h.adversary, Tactic::Garbage)];
    h.play(&mut agent, &adv, Duration::from_secs(60)).await;
    assert_eq!(played.status().await.unwrap(), GameStatus::ChallengerWins);
    for g in [&old, &not_allowed] {
        let tree = g.tree().await.unwrap();
        assert_eq!(tree.len(), 1, "game {} was left alone", g.address());
        assert_eq!(g.status().await.unwrap(), GameStatus::InProgress);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wins_twenty_games_at_once() {
    let mut h = Harness::new().await;
    // Twenty games keep a loaded machine busy: a pause is not the agent being done.
    h.quiet = Duration::from_secs(4);
    let mut games = Vec::new();
    let honest = h.honest_game().await;
    honest.attack(h.adversary, 0, garbage(honest.address(), 0, false)).await.unwrap();
    games.push(honest);
    for n in 0..19 {
        games.push(h.dishonest_game(100 + n).await);
    }
    let mut agent = h.spawn(&["--max-concurrency", "8"]);
    let adv: Vec<Adversary<'_>> =
        games.iter().map(|g| Adversary::new(g.clone(), h.adversary, Tactic::Garbage)).collect();
    h.play(&mut agent, &adv, Duration::from_secs(150)).await;
    // Memory stays bounded: well under 200 MiB for twenty games (about 15 MiB is typical).
    let status = std::fs::read_to_string(format!("/proc/{}/status", agent.child.id())).unwrap();
    let peak_kib: u64 =
        status.lines().find(|l| l.starts_with("VmHWM:")).unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
    assert!(peak_kib < 200 * 1024, "peak RSS {peak_kib} KiB");
    let mut expected = 0;
    for (i, g) in games.iter().enumerate() {
        let want = if i == 0 { GameStatus::DefenderWins } else { GameStatus::ChallengerWins };
        assert_eq!(g.status().await.unwrap(), want, "game {i}");
        expected += h.expected_txs(g, true).await;
    }
    assert_eq!(h.nonce(h.agent).await, expected, "agent log:\n{}", h.log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn survives_sigkill_at_every_point_without_sending_anything_twice() {
    let h = Harness::new().await;
    // One game, so the crash points come in a known order: four moves, the local data and the
    // step, nine resolveClaim, resolve, claimCredit.
    let games = [h.dishonest_game(7).await];
    let adv: Vec<Adversary<'_>> =
        games.iter().map(|g| Adversary::new(g.clone(), h.adversary, Tactic::Garbage)).collect();
    // Each run of the agent kills itself at one point; the next run starts on the same database.
    let points = [
        "intent-written:move#1",
        "attempt-recorded:move#1",
        "broadcast:move#1",
        "receipt:move#1",
        "intent-written:add_local_data#1",
        "attempt-recorded:step#1",
        "receipt:step#1",
        "broadcast:resolve_claim#3",
        "receipt:resolve_claim#2",
        "attempt-recorded:resolve#1",
        "receipt:claim_credit#1",
    ];
    let mut kills = 0;
    let mut finished = false;
    for point in points {
        let mut agent = h.spawn_with_env(&[], Some(point));
        finished = h.play_until(&mut agent, &adv, Duration::from_secs(60), true, false).await;
        // The crash can come just after the chain shows the game finished: give it a moment.
        let deadline = Instant::now() + Duration::from_secs(2);
        while agent.child.try_wait().unwrap().is_none() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        if agent.child.try_wait().unwrap().is_some() {
            kills += 1;
        }
        if finished {
            break;
        }
    }
    // A last run without a crash point settles what the last crash left, then stops on SIGTERM.
    let mut agent = h.spawn(&[]);
    if !finished {
        h.play(&mut agent, &adv, Duration::from_secs(60)).await;
    }
    let store = riposte_storage::Store::open(&h.db()).await.unwrap();
    let settled = Instant::now();
    loop {
        let open = store.intents_in_state(riposte_storage::IntentState::Sent).await.unwrap().len()
            + store.intents_in_state(riposte_storage::IntentState::Pending).await.unwrap().len();
        if open == 0 {
            break;
        }
        assert!(settled.elapsed() < Duration::from_secs(15), "{open} intents still open; log:\n{}", h.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    h.stop(agent);
    assert_eq!(kills, points.len(), "the agent was killed at every point; log:\n{}", h.log());
    assert_eq!(games[0].status().await.unwrap(), GameStatus::ChallengerWins);
    let mut expected = 0;
    for g in &games {
        assert!(credit_paid(&h, g).await, "credit of game {} withdrawn", g.address());
        expected += h.expected_txs(g, true).await;
    }
    assert_eq!(h.nonce(h.agent).await, expected, "no transaction sent twice; log:\n{}", h.log());
    for state in [riposte_storage::IntentState::Pending, riposte_storage::IntentState::Sent] {
        assert!(store.intents_in_state(state).await.unwrap().is_empty(), "no intent left {state:?}");
    }
}

/// A panic inside the task looking at a game (here just after an intent is written, and just
/// after a transaction is broadcast) frees the game for the next look: the process lives on,
/// the game is won, and nothing is sent twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_game_task_is_looked_at_again_and_sends_nothing_twice() {
    for point in ["panic@intent-written:move#2", "panic@broadcast:move#3"] {
        let h = Harness::new().await;
        let g = h.dishonest_game(9).await;
        let mut agent = h.spawn_with_env(&[], Some(point));
        let adv = [Adversary::new(g.clone(), h.adversary, Tactic::Garbage)];
        h.play(&mut agent, &adv, Duration::from_secs(120)).await;
        assert!(h.log().contains("ended abnormally"), "{point}: the panic was seen; log:\n{}", h.log());
        assert_eq!(g.status().await.unwrap(), GameStatus::ChallengerWins);
        assert!(credit_paid(&h, &g).await);
        assert_eq!(h.nonce(h.agent).await, h.expected_txs(&g, true).await, "{point}: nothing sent twice");
        h.stop(agent);
    }
}

/// Runs an operator command against the harness's devnet; returns (success, stdout).
fn tool(h: &Harness, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_riposte"))
        .args(args)
        .args(["--l1-eth-rpc", h.devnet.l1_url().as_str(), "--l2-eth-rpc", h.devnet.l2_url().as_str()])
        .args(["--game-factory-address", &h.devnet.deployment().dispute_game_factory.to_string()])
        .arg("--private-key-file")
        .arg(h.dir.path().join("key"))
        .arg("--db")
        .arg(h.db())
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn http_get(port: u16, path: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nhost: localhost\r\n\r\n").as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_tools_and_metrics_tell_the_story() {
    let h = Harness::new().await;
    // A game proposed and attacked by hand with the operator tools.
    let (root, _) = h.devnet.output_root(h.l2_block()).await.unwrap();
    let (ok, out) =
        tool(&h, &["create-game", "--output-root", &root.to_string(), "--l2-block-num", &h.l2_block().to_string()]);
    assert!(ok, "{out}");
    let game: Address = out.lines().find_map(|l| l.strip_prefix("game ")).unwrap().trim().parse().unwrap();
    let g = h.devnet.game(game).await.unwrap();
    let bogus = keccak256(b"by hand");
    let (ok, out) =
        tool(&h, &["move", "attack", &game.to_string(), "--parent-index", "0", "--claim", &bogus.to_string()]);
    assert!(ok, "{out}");
    assert_eq!(g.tree().await.unwrap().len(), 2, "the manual attack is on chain");

    // The daemon (same key, same database) defends its own root against its own bogus attack.
    let port = free_port();
    let mut agent = h.spawn(&["--metrics.enabled", "--metrics.port", &port.to_string()]);
    let adv = [Adversary::new(g.clone(), h.adversary, Tactic::Garbage)];
    h.play(&mut agent, &adv, Duration::from_secs(60)).await;
    assert_eq!(g.status().await.unwrap(), GameStatus::DefenderWins);

    let metrics = http_get(port, "/metrics");
    assert!(metrics.contains("200 OK"), "{metrics}");
    assert!(metrics.contains("riposte_actions_sent_total{kind=\"move\"}"), "{metrics}");
    assert!(metrics.contains("riposte_rpc_requests_total{endpoint=\"l1\",method=\"eth_call\"}"), "{metrics}");
    assert!(http_get(port, "/healthz").contains("200 OK"));
    h.stop(agent);

    let (ok, out) = tool(&h, &["show", &game.to_string()]);
    assert!(ok, "{out}");
    assert!(out.contains("status DefenderWins"), "{out}");
    // The honest root won, so it became the anchor of its type.
    assert!(out.contains(&format!("current anchor of type 255: {root} at L2 block {}", h.l2_block())), "{out}");
    assert!(out.contains("[1] attack pos 2") && out.contains("DISHONEST  countered by riposte"), "{out}");
    assert!(out.contains("bonds: mode ") && out.contains("predicted normal"), "{out}");
    let (ok, out) = tool(&h, &["list-games"]);
    assert!(ok, "{out}");
    let line = out.lines().find(|l| l.contains(&game.to_string())).unwrap_or_default();
    assert!(line.contains("DefenderWins") && line.contains("honest"), "{out}");
    // A resolved game's last column: its bond mode and our credit (all claimed by now).
    assert!(line.contains("bonds ") && line.contains("; ours "), "{out}");
    // Bad input is named: a game that is not a contract.
    let (ok, out) = tool(&h, &["show", "0x000000000000000000000000000000000000dEaD"]);
    assert!(!ok);
    assert!(out.contains("0x000000000000000000000000000000000000dEaD"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wins_with_a_fifth_of_rpc_requests_failing() {
    let mut h = Harness::new().await;
    // Retries and timeouts make the agent slow, not idle: wait longer before moving time.
    h.quiet = Duration::from_secs(6);
    let upstream = |u: &url::Url| -> std::net::SocketAddr {
        format!("{}:{}", u.host_str().unwrap(), u.port().unwrap()).parse().unwrap()
    };
    let l1 = FaultyProxy::start(upstream(h.devnet.l1_url()), FaultPlan::all_kinds(0.2, 11)).await.unwrap();
    let l2 = FaultyProxy::start(upstream(h.devnet.l2_url()), FaultPlan::all_kinds(0.2, 12)).await.unwrap();
    let dishonest = h.dishonest_game(9).await;
    let honest = h.honest_game().await;
    honest.attack(h.adversary, 0, garbage(honest.address(), 0, false)).await.unwrap();
    let games = [dishonest, honest];
    let adv: Vec<Adversary<'_>> =
        games.iter().map(|g| Adversary::new(g.clone(), h.adversary, Tactic::Garbage)).collect();
    let mut agent = h.spawn_via(&["--rpc-timeout", "1s", "--rpc-retries", "8"], None, &l1.url(), &l2.url());
    h.play(&mut agent, &adv, Duration::from_secs(120)).await;
    assert_eq!(games[0].status().await.unwrap(), GameStatus::ChallengerWins, "log:\n{}", h.log());
    assert_eq!(games[1].status().await.unwrap(), GameStatus::DefenderWins, "log:\n{}", h.log());
    let mut expected = 0;
    for g in &games {
        assert!(credit_paid(&h, g).await);
        expected += h.expected_txs(g, true).await;
    }
    assert_eq!(h.nonce(h.agent).await, expected, "no duplicate despite lost answers; log:\n{}", h.log());
    let faulted = l1.stats().faulted.load(std::sync::atomic::Ordering::Relaxed);
    let forwarded = l1.stats().forwarded.load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        faulted * 10 >= (faulted + forwarded),
        "about a fifth of L1 requests failed ({faulted} of {})",
        faulted + forwarded
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moves_again_when_a_reorg_removes_its_move() {
    let h = Harness::new().await;
    let g = h.dishonest_game(21).await;
    let snapshot: alloy::primitives::U256 = h.devnet.l1().rpc("evm_snapshot", ()).await.unwrap();
    let mut agent = h.spawn(&[]);
    let waited = Instant::now();
    while g.tree().await.unwrap().len() < 2 {
        assert!(waited.elapsed() < Duration::from_secs(20), "the agent never moved; log:\n{}", h.log());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The block holding the agent's move is reorged away.
    let reverted: bool = h.devnet.l1().rpc("evm_revert", (snapshot,)).await.unwrap();
    assert!(reverted);
    h.devnet.mine().await.unwrap();
    assert_eq!(g.tree().await.unwrap().len(), 1, "the move is gone");
    let adv = [Adversary::new(g.clone(), h.adversary, Tactic::Garbage)];
    h.play(&mut agent, &adv, Duration::from_secs(60)).await;
    assert_eq!(g.status().await.unwrap(), GameStatus::ChallengerWins, "log:\n{}", h.log());
    assert!(credit_paid(&h, &g).await);
    assert_eq!(h.nonce(h.agent).await, h.expected_txs(&g, true).await, "log:\n{}", h.log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_heads_over_websocket_wake_the_agent_without_polling() {
    let h = Harness::new().await;
    let g = h.dishonest_game(31).await;
    let ws = |u: &url::Url| u.as_str().replacen("http://", "ws://", 1);
    // Polling once a minute: only the subscription can make it answer within seconds.
    let mut agent = h.spawn_via(&["--http-poll-interval", "60s"], None, &ws(h.devnet.l1_url()), &ws(h.devnet.l2_url()));
    let adv = Adversary::new(g.clone(), h.adversary, Tactic::Garbage);
    for want in [2usize, 4, 6] {
        let asked = Instant::now();
        while g.claim_count().await.unwrap() < want {
            assert!(asked.elapsed() < Duration::from_secs(10), "no answer {want} within 10 s; log:\n{}", h.log());
            assert!(agent.child.try_wait().unwrap().is_none(), "the agent exited; log:\n{}", h.log());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        adv.round(h.agent).await.unwrap();
    }
    assert!(h.log().contains("subscribed to new L1 heads"), "log:\n{}", h.log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stuck_transaction_is_resubmitted_with_higher_fees_and_lands_once() {
    let h = Harness::new().await;
    let g = h.dishonest_game(41).await;
    // Nothing is mined until we say so: the agent's first move sits in the pool.
    let _: serde_json::Value = h.devnet.l1().rpc("evm_setAutomine", (false,)).await.unwrap();
    let mut agent = h.spawn(&["--resubmission-timeout", "1s"]);
    let waited = Instant::now();
    while !h.log().contains("resubmitting with higher fees") {
        assert!(waited.elapsed() < Duration::from_secs(20), "no fee bump; log:\n{}", h.log());
        assert!(agent.child.try_wait().unwrap().is_none(), "the agent exited; log:\n{}", h.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _: serde_json::Value = h.devnet.l1().rpc("evm_setAutomine", (true,)).await.unwrap();
    h.devnet.mine().await.unwrap();
    let adv = [Adversary::new(g.clone(), h.adversary, Tactic::Garbage)];
    h.play(&mut agent, &adv, Duration::from_secs(60)).await;
    assert_eq!(g.status().await.unwrap(), GameStatus::ChallengerWins);
    // One move at the root's position, and exactly the transactions the game needed.
    let tree = g.tree().await.unwrap();
    assert_eq!(tree.children(0).unwrap().len(), 1, "the bumped move landed once");
    assert_eq!(h.nonce(h.agent).await, h.expected_txs(&g, true).await, "log:\n{}", h.log());
}

/// Waits for the agent to log that the rollup node disagrees, then checks that it left `g` alone.
async fn disagrees_and_does_not_move(h: &Harness, agent: &mut AgentProcess, g: &FaultGame<'_>) {
    let waited = Instant::now();
    while !h.log().contains("rollup node disagrees") {
        assert!(waited.elapsed() < Duration::from_secs(15), "no alert; log:\n{}", h.log());
        assert!(agent.child.try_wait().unwrap().is_none(), "the agent exited; log:\n{}", h.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(g.tree().await.unwrap().len(), 1, "no move on an output root two sources disagree on");
}

/// A rollup node that answers `optimism_outputAtBlock` with a wrong output root.
async fn lying_rollup_node() -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let n = sock.read(&mut buf).await.unwrap_or(0);
                let text = String::from_utf8_lossy(&buf[..n]);
                let body = text.split("\r\n\r\n").nth(1).unwrap_or("{}");
                let id = serde_json::from_str::<serde_json::Value>(body)
                    .ok()
                    .and_then(|v| v.get("id").cloned())
                    .unwrap_or(1.into());
                let answer = serde_json::json!({"jsonrpc": "2.0", "id": id, "result": {"outputRoot": format!("{:#x}", keccak256("a lie"))}}).to_string();
                let resp = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                    answer.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
            });
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rollup_node_that_disagrees_raises_an_alert_and_no_move() {
    let h = Harness::new().await;
    let g = h.dishonest_game(51).await;
    let rollup = format!("http://127.0.0.1:{}", lying_rollup_node().await);
    let port = free_port();
    let mut agent = h.spawn(&["--rollup-rpc", &rollup, "--metrics.enabled", "--metrics.port", &port.to_string()]);
    disagrees_and_does_not_move(&h, &mut agent, &g).await;
    let metrics = http_get(port, "/metrics");
    let alerts: u64 = metrics
        .lines()
        .find(|l| l.starts_with("riposte_honest_source_disagreements_total"))
        .and_then(|l| l.rsplit(' ').next()?.parse().ok())
        .unwrap_or(0);
    assert!(alerts > 0, "{metrics}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn selective_resolution_resolves_what_pays_and_claims_without_resolving_the_game() {
    let h = Harness::new().await;
    let g = h.dishonest_game(61).await;
    let mut agent = h.spawn(&["--selective-claim-resolution"]);
    let adv = Adversary::new(g.clone(), h.adversary, Tactic::Garbage);
    let started = Instant::now();
    let mut quiet = Instant::now();
    let mut last = 0;
    // Every subgame of this game pays the agent; it must resolve them all, never call
    // resolve(), and still withdraw its credit. A 1.4+ game pays only once resolved and
    // finalised: there the agent resolves it in full, then claims in two phases.
    let two_phase = g.line.has_two_phase_bonds();
    loop {
        assert!(started.elapsed() < Duration::from_secs(60), "credit never claimed; log:\n{}", h.log());
        assert!(agent.child.try_wait().unwrap().is_none(), "the agent exited; log:\n{}", h.log());
        let moved = adv.round(h.agent).await.unwrap();
        let nonce = h.nonce(h.agent).await;
        if moved > 0 || nonce != last {
            last = nonce;
            quiet = Instant::now();
        }
        let flags = g.resolved_subgames().await.unwrap();
        let (locked, _) = h.devnet.weth_withdrawal(g.address(), h.agent).await.unwrap();
        let unlocked = !two_phase || !h.devnet.weth_withdrawal(g.address(), h.agent).await.unwrap().1.is_zero();
        if flags.iter().all(|f| *f) && g.credit(h.agent).await.unwrap().is_zero() && locked.is_zero() && unlocked {
            break;
        }
        if quiet.elapsed() > h.quiet {
            h.devnet.increase_time(151).await.unwrap();
            quiet = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if two_phase {
        assert_eq!(g.status().await.unwrap(), GameStatus::ChallengerWins);
        assert_eq!(h.nonce(h.agent).await, h.expected_txs(&g, true).await, "log:\n{}", h.log());
        return;
    }
    assert_eq!(g.status().await.unwrap(), GameStatus::InProgress, "resolve() was never called");
    assert_eq!(
        h.nonce(h.agent).await,
        h.expected_txs(&g, true).await - 1,
        "everything but resolve(); log:\n{}",
        h.log()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_credit_for_additional_claimants_too() {
    let h = Harness::new().await;
    let g = h.honest_game().await;
    g.attack(h.adversary, 0, garbage(g.address(), 0, false)).await.unwrap();
    let proposer = h.proposer.to_string();
    let mut agent = h.spawn(&["--additional-bond-claimants", &proposer]);
    let adv = [Adversary::new(g.clone(), h.adversary, Tactic::Garbage)];
    h.play(&mut agent, &adv, Duration::from_secs(60)).await;
    assert_eq!(g.status().await.unwrap(), GameStatus::DefenderWins);
    // The proposer's root bond came back to it, withdrawn by the agent's claimCredit.
    let owed = g.tree().await.unwrap().resolve(None).credit(h.proposer);
    assert!(!owed.is_zero(), "the proposer was owed its root bond");
    let waited = Instant::now();
    while !g.credit(h.proposer).await.unwrap().is_zero() {
        assert!(waited.elapsed() < Duration::from_secs(20), "proposer's credit not claimed; log:\n{}", h.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let more = if g.line.has_two_phase_bonds() { 2 } else { 1 };
    assert_eq!(
        h.nonce(h.agent).await,
        h.expected_txs(&g, true).await + more,
        "the proposer's claimCredit; log:\n{}",
        h.log()
    );
}

/// On the devnet the L2 is an anvil, which serves no execution witness: `reexecute` is refused
/// at start with the method named, and a rollup config for another chain with both chain ids.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reexecute_on_a_node_without_witnesses_is_refused_at_start_by_name() {
    let h = Harness::new().await;
    let path = riposte_core::fixture::executor_fixtures().unwrap().remove(0);
    let mut config = riposte_core::fixture::Fixture::load(&path).unwrap().json.rollup_config;
    let sepolia = h.dir.path().join("sepolia.json");
    std::fs::write(&sepolia, serde_json::to_vec(&config).unwrap()).unwrap();
    let l2_chain = h.devnet.l2().chain_id();
    config.l2_chain_id = l2_chain.into();
    let devnet = h.dir.path().join("devnet.json");
    std::fs::write(&devnet, serde_json::to_vec(&config).unwrap()).unwrap();
    for (file, needle) in [
        (&sepolia, format!("is for L2 chain 11155420, the L2 node {} is chain {l2_chain}", h.devnet.l2_url())),
        (&devnet, "does not serve debug_getRawBlock".to_string()),
    ] {
        let mut agent = h.spawn(&["--verify-outputs", "reexecute", "--rollup-config", file.to_str().unwrap()]);
        let started = Instant::now();
        let status = loop {
            if let Some(status) = agent.child.try_wait().unwrap() {
                break status;
            }
            assert!(started.elapsed() < Duration::from_secs(15), "still running; log:\n{}", h.log());
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert!(!status.success());
        assert!(h.log().contains(&needle), "{needle}\nlog:\n{}", h.log());
    }
}

/// A Cannon game (type 0) on MIPS.sol: the devnet's stand-in fault-proof program
/// (ops/devnet/mips/verdict.c, about 1,150 instructions, exits 1) runs in riposte's own VM;
/// the game is deployed with that program's absolute prestate, 2^11 leaves per execution
/// subgame. A dishonest root is countered down through the outputs, bisected through the
/// program's execution and ended by `MIPS.step` on the contract.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wins_a_cannon_game_with_its_own_mips_vm_stepping_on_mips_sol() {
    let elf = riposte_devnet::devnet_dir().join("build/mips/verdict.elf");
    let program = riposte_vm::load_elf(&std::fs::read(&elf).unwrap()).unwrap();
    let prestate = riposte_game::VmStatus::Unfinished.state_hash(&program.clone().encode());
    let cannon =
        riposte_devnet::GameParams { max_depth: 16, split_depth: 4, clock_extension: 30, max_clock_duration: 300 };
    let h =
        Harness::with_options(DevnetOptions { cannon, cannon_absolute_prestate: prestate, ..DevnetOptions::default() })
            .await;
    if h.devnet.deployment().stack == riposte_devnet::Stack::V2 {
        eprintln!(
            "wins_a_cannon_game_with_its_own_mips_vm_stepping_on_mips_sol: did not run: the release in \
             $RIPOSTE_OP_ARTIFACTS steps on MIPS64 (state version 8); this test plays the 32-bit MIPS.sol (the \
             Cannon64 test is wins_cannon64_games_with_its_own_vm_running_a_go_program_on_mips64_sol)"
        );
        return;
    }
    // Three dishonest games: garbage attacks all the way (the bisection ends at the first
    // instruction, stepped from the absolute prestate); garbage that defends at some execution
    // depths (it ends at instruction 162, stepped from a VM state); and defends steering to
    // instruction 136, a read of local data 2 (the agreed output root), so the step needs
    // `addLocalData` first. Below the split the adversary moves at even depths: a defend at
    // depth d moves the leaf by 2^(17-d).
    let mut games = Vec::new();
    for n in 0..3 {
        let root = keccak256(format!("a wrong root for Cannon game {n}"));
        let extra = Harness::extra(h.l2_block());
        games.push(h.devnet.create_game_as(h.adversary, riposte_devnet::CANNON_GAME_TYPE, root, extra).await.unwrap());
    }
    let mut script = vec![None; 17];
    for d in [6, 10, 12, 16] {
        script[d] = Some(Reply { attack: false, truthful: false });
    }
    let mut to_local_read = vec![None; 17];
    for d in [10, 14] {
        to_local_read[d] = Some(Reply { attack: false, truthful: false });
    }
    let mut agent = h.spawn(&["--trace-type", "cannon", "--cannon-elf", elf.to_str().unwrap()]);
    let adv = [
        Adversary::new(games[0].clone(), h.adversary, Tactic::Garbage),
        Adversary::new(games[1].clone(), h.adversary, Tactic::Script(script)),
        Adversary::new(games[2].clone(), h.adversary, Tactic::Script(to_local_read)),
    ];
    h.play(&mut agent, &adv, Duration::from_secs(300)).await;
    let mut stepped = Vec::new();
    for g in &games {
        assert_eq!(g.status().await.unwrap(), GameStatus::ChallengerWins, "log:\n{}", h.log());
        let tree = g.tree().await.unwrap();
        let leaves: Vec<u128> = tree
            .claims()
            .iter()
            .filter(|c| c.position.depth() == 16 && c.countered_by == h.agent)
            .map(|c| g.depth.exec_trace_index(c.position).unwrap())
            .collect();
        assert!(!leaves.is_empty(), "the agent stepped on MIPS.sol; log:\n{}", h.log());
        let mine_below = tree.claims().iter().filter(|c| c.claimant == h.agent && c.position.depth() > 4).count();
        assert!(mine_below >= 5, "the agent bisected the execution ({mine_below} claims)");
        assert!(credit_paid(&h, g).await, "bonds claimed");
        println!("{} claims; the agent stepped against leaves at trace indices {leaves:?}", tree.len());
        stepped.extend(leaves);
    }
    assert_eq!(stepped, vec![0, 162, 136], "steps from the prestate, from a VM state, and on a local-data read");
    // Without the program, `riposte show` still judges every claim down to the split from the
    // output roots, and leaves the execution claims unjudged.
    let (ok, text) = tool(&h, &["show", &games[0].address().to_string()]);
    assert!(ok, "{text}");
    let judged: Vec<(u8, &str)> = text
        .lines()
        .filter_map(|l| {
            let depth = l.split("(depth ").nth(1)?.split(',').next()?.parse().ok()?;
            let verdict = if l.contains("DISHONEST") {
                "DISHONEST"
            } else if l.contains(" honest") {
                "honest"
            } else {
                "?"
            };
            Some((depth, verdict))
        })
        .collect();
    assert_eq!(judged.len(), 17, "{text}");
    for (depth, verdict) in judged {
        assert_eq!(verdict == "?", depth > 4, "depth {depth}: {verdict}\n{text}");
    }
    let store = riposte_storage::Store::open(&h.db()).await.unwrap();
    let loads: Vec<_> = store
        .intents()
        .await
        .unwrap()
        .into_iter()
        .filter(|i| i.intent.kind == "add_local_data" && i.intent.game == games[2].address())
        .collect();
    assert_eq!(loads.len(), 1, "local data 2 loaded once, before the read step");
    assert_eq!(loads[0].state, riposte_storage::IntentState::Confirmed, "{:?}", loads[0]);
    h.stop(agent);
}

#[tokio::test]
async fn wins_cannon64_games_with_its_own_vm_running_a_go_program_on_mips64_sol() {
    // The Go stand-in program (go64/verdict.elf, ~511,000 steps) as the game's prestate: 2^20
    // leaves per execution subgame, and an even max depth so that the adversary posts the leaves
    // and riposte steps.
    let elf = riposte_devnet::devnet_dir().join("build/go64/verdict.elf");
    let mut program = riposte_vm::mt64::load_elf(&std::fs::read(elf).unwrap()).unwrap();
    riposte_vm::mt64::patch_stack(&mut program);
    let prestate = program.state.hash();
    let cannon =
        riposte_devnet::GameParams { max_depth: 24, split_depth: 3, clock_extension: 30, max_clock_duration: 600 };
    let h =
        Harness::with_options(DevnetOptions { cannon, cannon_absolute_prestate: prestate, ..DevnetOptions::default() })
            .await;
    if h.devnet.deployment().stack != riposte_devnet::Stack::V2 {
        eprintln!(
            "wins_cannon64_games_with_its_own_vm_running_a_go_program_on_mips64_sol: did not run: needs a 2.x release \
             with MIPS64 1.10 in RIPOSTE_OP_ARTIFACTS (the default npm 0.17.3 stack steps on the 32-bit MIPS.sol)"
        );
        return;
    }
    // Two dishonest games: garbage attacks all the way (a step from the absolute prestate), and
    // garbage that defends at some execution depths (a step from a VM state in the program).
    let mut games = Vec::new();
    for n in 0..2 {
        let root = keccak256(format!("a wrong root for Cannon64 game {n}"));
        let extra = Harness::extra(h.l2_block());
        games.push(h.devnet.create_game_as(h.adversary, riposte_devnet::CANNON_GAME_TYPE, root, extra).await.unwrap());
    }
    let mut script = vec![None; 25];
    for d in [8, 14, 18, 24] {
        script[d] = Some(Reply { attack: false, truthful: false });
    }
    // The prestate is found by the game's hash, as op-challenger finds it: downloaded over http
    // from `<base>/<0xhash>.bin.gz` into the prestates directory when the game is played.
    let base = std::env::temp_dir().join(format!("riposte-e2e-prestates-{}", std::process::id()));
    let dir = base.join("dir");
    let url = serve_file(format!("{prestate}.bin.gz"), program.to_bin_gz());
    let mut agent =
        h.spawn(&["--trace-type", "cannon", "--prestates-dir", dir.to_str().unwrap(), "--prestates-url", &url]);
    let adv = [
        Adversary::new(games[0].clone(), h.adversary, Tactic::Garbage),
        Adversary::new(games[1].clone(), h.adversary, Tactic::Script(script)),
    ];
    h.play(&mut agent, &adv, Duration::from_secs(600)).await;
    assert!(dir.join(format!("{prestate}.bin.gz")).exists(), "copied into the prestates directory");
    let mut stepped = Vec::new();
    for g in &games {
        assert_eq!(g.status().await.unwrap(), GameStatus::ChallengerWins, "log:\n{}", h.log());
        let tree = g.tree().await.unwrap();
        let leaves: Vec<u128> = tree
            .claims()
            .iter()
            .filter(|c| c.position.depth() == 24 && c.countered_by == h.agent)
            .map(|c| g.depth.exec_trace_index(c.position).unwrap())
            .collect();
        assert!(!leaves.is_empty(), "the agent stepped on MIPS64.sol; log:\n{}", h.log());
        assert!(credit_paid(&h, g).await, "bonds claimed");
        println!("{} claims; the agent stepped against leaves at trace indices {leaves:?}", tree.len());
        stepped.extend(leaves);
    }
    assert_eq!(stepped.len(), 2, "one step per game: {stepped:?}");
    assert_eq!(stepped[0], 0, "garbage all the way: the step from the absolute prestate");
    // The adversary's defends at depths 8, 14, 18 and 24 set bits 25 - d of the leaf.
    assert_eq!(stepped[1], (1 << 17) + (1 << 11) + (1 << 7) + (1 << 1), "a step from a VM state inside the program");
    assert!(h.log().contains("Cannon64 prestate copied"), "log:\n{}", h.log());
    let _ = std::fs::remove_dir_all(&base);
}

/// Serves `body` to GETs of `/<name>` (404 otherwise) from a thread; returns the http base.
fn serve_file(name: String, body: Vec<u8>) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 4096];
            let n = s.read(&mut buf).unwrap_or(0);
            let found = String::from_utf8_lossy(&buf[..n]).starts_with(&format!("GET /{name} "));
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

/// Whether the devnet runs a release with two-phase bonds; prints why `test` did not run
/// otherwise.
fn needs_two_phase(h: &Harness, test: &str) -> bool {
    if h.devnet.deployment().stack == riposte_devnet::Stack::V2 {
        return true;
    }
    eprintln!(
        "{test}: did not run: needs a 2.x contracts release (RIPOSTE_OP_ARTIFACTS=DIR of forge artifacts, e.g. \
         op-contracts v7.0.0); the default npm 0.17.3 stack has FaultDisputeGame 1.2: one-phase bonds, no \
         closeGame, no refund mode, no permissioned game deployed"
    );
    false
}

/// A game blacklisted between its resolution and its close goes into refund mode: the agent
/// claims, in two phases, exactly what it deposited, not what it won.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_exactly_its_refund_in_a_blacklisted_game() {
    let h = Harness::new().await;
    if !needs_two_phase(&h, "claims_exactly_its_refund_in_a_blacklisted_game") {
        return;
    }
    let g = h.dishonest_game(81).await;
    let mut agent = h.spawn(&[]);
    let adv = [Adversary::new(g.clone(), h.adversary, Tactic::Garbage)];
    assert!(h.play_until(&mut agent, &adv, Duration::from_secs(60), false, true).await);
    // Resolved, not yet finalised (10 s of L1 time): the guardian blacklists it now.
    h.devnet.blacklist(g.address()).await.unwrap();
    let credits = g.tree().await.unwrap().predicted_credits(None);
    let (refund, normal) = (credits.of(h.agent, BondMode::Refund), credits.of(h.agent, BondMode::Normal));
    assert!(!refund.is_zero() && refund < normal, "refund {refund} is what it posted, less than the {normal} it won");
    h.play(&mut agent, &adv, Duration::from_secs(60)).await;
    assert_eq!(g.bond_mode().await.unwrap(), BondMode::Refund);
    let log = h.log();
    assert!(log.contains(&format!("credit claimed recipient={} credit={refund} ", h.agent)), "log:\n{log}");
    assert!(log.contains("mode=\"REFUND\""), "log:\n{log}");
    assert_eq!(h.nonce(h.agent).await, h.expected_txs(&g, true).await, "log:\n{log}");
}

/// A game nobody of ours is owed anything in is closed once finalised, so the anchor moves on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closes_a_finalised_game_it_is_owed_nothing_in_so_the_anchor_moves() {
    let h = Harness::new().await;
    if !needs_two_phase(&h, "closes_a_finalised_game_it_is_owed_nothing_in_so_the_anchor_moves") {
        return;
    }
    let g = h.honest_game().await;
    let mut agent = h.spawn(&[]);
    let started = Instant::now();
    while g.bond_mode().await.unwrap() != BondMode::Normal {
        assert!(started.elapsed() < Duration::from_secs(60), "never closed; log:\n{}", h.log());
        assert!(agent.child.try_wait().unwrap().is_none(), "the agent exited; log:\n{}", h.log());
        h.devnet.increase_time(61).await.unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(g.status().await.unwrap(), GameStatus::DefenderWins);
    assert_eq!(h.devnet.anchor_of(ALPHABET).await.unwrap(), (g.root_claim, g.l2_block), "the anchor moved");
    // resolveClaim(0), resolve(), closeGame(): the agent had nothing to claim.
    assert_eq!(h.nonce(h.agent).await, 3, "log:\n{}", h.log());
    assert!(h.log().contains("game closed"), "log:\n{}", h.log());
}

/// The devnet's `PermissionedDisputeGame` has riposte's key as its challenger: a dishonest
/// proposal is countered (anyone else's move is refused by the game) and the bonds claimed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plays_a_permissioned_game_as_its_challenger() {
    let h = Harness::new().await;
    if !needs_two_phase(&h, "plays_a_permissioned_game_as_its_challenger") {
        return;
    }
    assert_eq!(h.devnet.deployment().permissioned_roles, (h.proposer, h.agent));
    let root = keccak256("a wrong permissioned root");
    let g = h
        .devnet
        .create_game_as(h.proposer, riposte_devnet::PERMISSIONED_GAME_TYPE, root, Harness::extra(h.l2_block()))
        .await
        .unwrap();
    let err = g.attack(h.adversary, 0, garbage(g.address(), 0, false)).await.unwrap_err();
    assert_eq!(err.revert_name(), Some("BadAuth"), "{err}");
    let mut agent = h.spawn(&["--trace-type", "alphabet,permissioned"]);
    let adv = [Adversary::new(g.clone(), h.proposer, Tactic::Garbage)];
    h.play(&mut agent, &adv, Duration::from_secs(60)).await;
    assert_eq!(g.status().await.unwrap(), GameStatus::ChallengerWins);
    assert!(credit_paid(&h, &g).await);
    assert_eq!(h.nonce(h.agent).await, h.expected_txs(&g, true).await, "log:\n{}", h.log());
}

/// Where L1 has Multicall3 (here our `Batcher` at its address), each round of resolution is
/// one transaction: every `resolveClaim` bottom-up, then `resolve()`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resolves_a_round_in_one_transaction_through_multicall3() {
    let h = Harness::with_options(DevnetOptions { multicall: true, ..DevnetOptions::default() }).await;
    let g = h.dishonest_game(91).await;
    let mut agent = h.spawn(&[]);
    let adv = [Adversary::new(g.clone(), h.adversary, Tactic::Garbage)];
    h.play(&mut agent, &adv, Duration::from_secs(60)).await;
    assert_eq!(g.status().await.unwrap(), GameStatus::ChallengerWins);
    assert!(credit_paid(&h, &g).await);
    assert!(g.resolved_subgames().await.unwrap().iter().all(|r| *r));
    let log = h.log();
    assert!(log.contains("resolution is batched"), "log:\n{log}");
    // One by one it would take a resolveClaim per claim plus resolve().
    let one_by_one = g.tree().await.unwrap().len() as u64 + 1;
    let others = h.expected_txs(&g, true).await - one_by_one;
    let resolution = h.nonce(h.agent).await - others;
    eprintln!("resolution: {resolution} transactions instead of {one_by_one}");
    assert!(resolution >= 1 && resolution < one_by_one / 2, "{resolution} resolution transactions; log:\n{log}");
    assert!(log.contains("confirmed key=batch:"), "log:\n{log}");
}

/// A root that claims a block beyond the L2 safe head but carries the safe head's output root
/// is countered with `challengeRootL2Block` (the safe block's header shows the number is not
/// the claimed one): the agent takes the root's bond without a single move.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn challenges_the_block_number_of_a_root_beyond_the_safe_head() {
    let h = Harness::new().await;
    // The devnet's L2 is an anvil, whose safe head is 32 blocks below its latest.
    let l2 = h.devnet.l2().provider();
    let safe = l2.get_block_by_number(alloy::eips::BlockNumberOrTag::Safe).await.unwrap().unwrap().header.number;
    assert!(safe > h.devnet.anchor().1, "the anchor is below the safe head");
    let (root, _) = h.devnet.output_root(safe).await.unwrap();
    let g = h.devnet.create_game_as(h.adversary, ALPHABET, root, Harness::extra(safe + 136)).await.unwrap();
    let mut agent = h.spawn(&[]);
    let adv = [Adversary::new(g.clone(), h.adversary, Tactic::Garbage)];
    h.play(&mut agent, &adv, Duration::from_secs(60)).await;
    assert_eq!(g.status().await.unwrap(), GameStatus::ChallengerWins);
    let l1 = h.devnet.l1();
    let fdg = riposte_contracts::fdg::fault::FaultDisputeGame::l2BlockNumberChallengerCall {};
    assert_eq!(l1.call("FaultDisputeGame", g.address(), &fdg).await.unwrap(), h.agent, "log:\n{}", h.log());
    let tree = g.tree().await.unwrap();
    assert_eq!(tree.len(), 1, "no move was made");
    assert_eq!(tree.resolve(Some(h.agent)).credit(h.agent), U256::from(tree.root().bond));
    let (locked, _) = h.devnet.weth_withdrawal(g.address(), h.agent).await.unwrap();
    assert!(g.credit(h.agent).await.unwrap().is_zero() && locked.is_zero(), "the root bond was withdrawn");
    // The challenge, resolveClaim(0), resolve(), then claimCredit (two calls in 1.4+).
    let claims = if g.line.has_two_phase_bonds() { 2 } else { 1 };
    assert_eq!(h.nonce(h.agent).await, 3 + claims, "log:\n{}", h.log());
    assert!(h.log().contains("challenging its block number"), "log:\n{}", h.log());
}

/// Whether the devnet's release has `SuperFaultDisputeGame` (type 9); prints why `test` did not
/// run otherwise.
fn needs_super(h: &Harness, test: &str) -> bool {
    if h.devnet.deployment().super_game_impl != Address::ZERO {
        return true;
    }
    eprintln!(
        "{test}: did not run: needs a contracts release with SuperFaultDisputeGame 0.7.x in RIPOSTE_OP_ARTIFACTS \
         (e.g. op-contracts v7.0.0's forge artifacts); the default npm 0.17.3 stack has no super-root games"
    );
    false
}

impl Harness {
    /// The agent playing super-root games (type 9) over the devnet's stand-in rollup node, and
    /// cross-checking each proposal with its `superroot_atTimestamp` when `cross_check`.
    fn spawn_super(&self, cross_check: bool) -> AgentProcess {
        let rollup = self.devnet.rollup().url().to_owned();
        let mut args = vec!["--trace-type", "super-cannon-kona", "--rollup-rpc", &rollup, "--verify-outputs", "none"];
        if cross_check {
            args.extend(["--superroot-rpc", &rollup]);
        }
        self.spawn(&args)
    }

    /// The super root at `t` with a wrong output root.
    async fn wrong_super_root(&self, t: u64) -> riposte_solver::trace::super_root::SuperRoot {
        let mut wrong = self.devnet.super_root_at(t).await.unwrap();
        wrong.chains[0].output_root = keccak256("not this chain's output");
        wrong
    }

    /// Waits until the agent's log says `refusal`, then checks it made no move in `g` and sent
    /// nothing at all, and stops it.
    async fn refused_by_name(&self, agent: AgentProcess, g: &FaultGame<'_>, refusal: &str) {
        let started = Instant::now();
        while !self.log().contains(refusal) {
            assert!(started.elapsed() < Duration::from_secs(30), "no {refusal:?} logged:\n{}", self.log());
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(g.tree().await.unwrap().len(), 1, "no move");
        assert_eq!(self.nonce(self.agent).await, 0, "log:\n{}", self.log());
        self.stop(agent);
    }

    /// A super-root game proposed by the proposer (dev account 1).
    async fn super_game(&self, root: &riposte_solver::trace::super_root::SuperRoot) -> FaultGame<'_> {
        let address = self.devnet.create_super_game(root).await.unwrap();
        self.devnet.game(address).await.unwrap()
    }
}

/// Type 9 over one chain: a super root with a wrong output is countered down to an alphabet
/// step under the super roots and transition states, an honest one is defended against
/// garbage; both won, bonds claimed in two phases, nothing sent twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wins_a_dishonest_super_root_and_defends_an_honest_one() {
    let h = Harness::new().await;
    if !needs_super(&h, "wins_a_dishonest_super_root_and_defends_an_honest_one") {
        return;
    }
    let (_, anchor_t) = h.devnet.super_anchor();
    // Six seconds past the anchor: the top half's 1024 leaves span eight seconds.
    let honest = h.devnet.super_root_at(anchor_t + 6).await.unwrap();
    let bad = h.super_game(&h.wrong_super_root(anchor_t + 6).await).await;
    let good = h.super_game(&honest).await;
    assert!(bad.super_root && good.super_root);
    assert_eq!((bad.starting_block, bad.l2_block), (anchor_t, anchor_t + 6));
    good.attack(h.adversary, 0, garbage(good.address(), 0, false)).await.unwrap();
    // The super-root node agrees with riposte on both proposals.
    let mut agent = h.spawn_super(true);
    let adv = [
        Adversary::new(bad.clone(), h.adversary, Tactic::Garbage),
        Adversary::new(good.clone(), h.adversary, Tactic::Garbage),
    ];
    h.play(&mut agent, &adv, Duration::from_secs(120)).await;
    assert_eq!(bad.status().await.unwrap(), GameStatus::ChallengerWins, "log:\n{}", h.log());
    assert_eq!(good.status().await.unwrap(), GameStatus::DefenderWins, "log:\n{}", h.log());
    for g in [&bad, &good] {
        assert!(credit_paid(&h, g).await, "log:\n{}", h.log());
        let leaf = g.tree().await.unwrap().claims().iter().filter(|c| c.position.depth() == g.depth.max()).count();
        assert!(leaf >= 1, "the game went down to the execution half");
    }
    let want = h.expected_txs(&bad, true).await + h.expected_txs(&good, true).await;
    assert_eq!(h.nonce(h.agent).await, want, "log:\n{}", h.log());
    assert!(h.log().contains("tracking new super-root game"), "log:\n{}", h.log());
    // show names timestamps and transition steps, and judges every claim with the same sources.
    let rollup = h.devnet.rollup().url().to_owned();
    let sources = ["--trace-type", "super-cannon-kona", "--rollup-rpc", &rollup, "--verify-outputs", "none"];
    let (ok, out) = tool(&h, &[&["show", &bad.address().to_string()][..], &sources[..]].concat());
    assert!(ok, "{out}");
    assert!(out.contains("L2 timestamp") && out.contains(&format!("t={anchor_t} step ")), "{out}");
    let root = out.lines().find(|l| l.contains("[0] root")).unwrap_or_default();
    assert!(root.ends_with("DISHONEST") || root.contains("DISHONEST  countered"), "{out}");
    let ours: Vec<&str> = out.lines().filter(|l| l.contains("  by riposte  bond")).collect();
    assert!(ours.len() >= 7, "riposte's claims down to the step: {out}");
    for line in ours {
        assert!(line.contains("honest") && !line.contains("DISHONEST"), "riposte's claim judged honest: {line}\n{out}");
    }
    let (ok, out) = tool(&h, &[&["list-games"][..], &sources[..]].concat());
    assert!(ok, "{out}");
    assert!(out.lines().any(|l| l.contains(&bad.address().to_string()) && l.contains("DISHONEST")), "{out}");
    assert!(out.lines().any(|l| l.contains(&good.address().to_string()) && l.contains("honest")), "{out}");
}

/// A proposal at a timestamp whose block was not safe by the game's L1 head claims what L1 did
/// not decide: the honest value is `keccak256("invalid")`, and the proposal is countered though
/// its output root is the L2 node's own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counters_a_super_root_beyond_the_safe_head_as_invalid() {
    let h = Harness::new().await;
    if !needs_super(&h, "counters_a_super_root_beyond_the_safe_head_as_invalid") {
        return;
    }
    let (_, anchor_t) = h.devnet.super_anchor();
    let times = h.devnet.l2_times();
    // Safe up to the block of anchor + 3 s; the proposal at anchor + 6 s is beyond it.
    h.devnet.rollup().set_safe(times.block_at(anchor_t + 3).unwrap());
    let real = h.devnet.super_root_at(anchor_t + 6).await.unwrap();
    let g = h.super_game(&real).await;
    let mut agent = h.spawn_super(false);
    let adv = [Adversary::new(g.clone(), h.adversary, Tactic::Garbage)];
    h.play(&mut agent, &adv, Duration::from_secs(120)).await;
    assert_eq!(g.status().await.unwrap(), GameStatus::ChallengerWins, "log:\n{}", h.log());
    assert!(credit_paid(&h, &g).await);
    let tree = g.tree().await.unwrap();
    let invalid = riposte_solver::trace::super_root::invalid();
    assert!(
        tree.claims().iter().any(|c| c.claimant == h.agent && c.value == invalid),
        "the agent claimed invalid where L1 had not decided: {tree:?}"
    );
    assert_eq!(h.nonce(h.agent).await, h.expected_txs(&g, true).await, "log:\n{}", h.log());
}

/// A super-root game whose starting root is not riposte's own super root at the anchor's
/// timestamp is not played: its honest trace is not one riposte knows. Named in the log, counted
/// as a disagreement, nothing sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaves_a_super_root_game_that_starts_from_another_root() {
    let options = DevnetOptions { super_anchor_root: Some(keccak256("another anchor")), ..DevnetOptions::default() };
    let h = Harness::with_options(options).await;
    if !needs_super(&h, "leaves_a_super_root_game_that_starts_from_another_root") {
        return;
    }
    let (_, anchor_t) = h.devnet.super_anchor();
    let g = h.super_game(&h.wrong_super_root(anchor_t + 6).await).await;
    assert_eq!(g.starting_root, keccak256("another anchor"));
    let agent = h.spawn_super(false);
    h.refused_by_name(agent, &g, "but riposte computes").await;
}

/// A super-root node that gives another super root for a proposal than riposte computes is a
/// disagreement: named with both values, counted, and the game is not played.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_super_root_node_that_disagrees_stops_play_on_the_game() {
    let h = Harness::new().await;
    if !needs_super(&h, "a_super_root_node_that_disagrees_stops_play_on_the_game") {
        return;
    }
    let (_, anchor_t) = h.devnet.super_anchor();
    let g = h.super_game(&h.wrong_super_root(anchor_t + 6).await).await;
    h.devnet.rollup().lie_about_super_roots(Some(keccak256("the node's own idea")));
    let agent = h.spawn_super(true);
    h.refused_by_name(agent, &g, "the super-root node says").await;
}

/// Upgrade 20's type 5, the simplified `SuperPermissionedDisputeGame` 1.0, has no claims: an
/// honest proposal, once final and respected, is made the registry's anchor by riposte
/// (`setAnchorState`); a dishonest one is an alert and never offered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn makes_a_final_honest_type_5_proposal_the_anchor_and_flags_a_dishonest_one() {
    let h = Harness::new().await;
    let test = "makes_a_final_honest_type_5_proposal_the_anchor_and_flags_a_dishonest_one";
    if !needs_super(&h, test) {
        return;
    }
    let eth = riposte_chain::Rpc(h.devnet.l1().provider().clone().erased());
    let five = riposte_devnet::SUPER_PERMISSIONED_GAME_TYPE;
    let (_, anchor_t) = h.devnet.super_anchor();
    h.devnet.set_super_respected_game_type(five).await.unwrap();
    let honest = h.devnet.super_root_at(anchor_t + 10).await.unwrap();
    let good = h.devnet.create_super_game_of(five, &honest).await.unwrap();
    if !riposte_contracts::fdg::simple::is_simple(&eth, good).await.unwrap() {
        eprintln!("{test}: did not run: the release's SuperPermissionedDisputeGame is 0.7, not the simplified 1.0");
        return;
    }
    h.devnet.create_super_game_of(five, &h.wrong_super_root(anchor_t + 12).await).await.unwrap();
    let rollup = h.devnet.rollup().url().to_owned();
    let agent = h.spawn(&["--trace-type", "super-permissioned", "--rollup-rpc", &rollup, "--verify-outputs", "none"]);
    let asr = h.devnet.deployment().super_anchor_registry;
    let anchor = || async {
        let c = riposte_contracts::asr::AnchorStateRegistry3::getAnchorRootCall {};
        riposte_contracts::call(&eth, asr, c).await.unwrap().root
    };
    let started = Instant::now();
    while anchor().await != honest.hash() {
        assert!(started.elapsed() < Duration::from_secs(60), "the anchor did not move; log:\n{}", h.log());
        h.devnet.increase_time(5).await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert!(h.log().contains("a dishonest permissioned super-root proposal"), "log:\n{}", h.log());
    assert_eq!(h.nonce(h.agent).await, 1, "one setAnchorState; log:\n{}", h.log());
    h.stop(agent);
}

/// Runs Debian's Chromium headless on `url`; `None` (and a note) when it is not installed.
fn chromium(args: &[&str], url: &str) -> Option<String> {
    let bin =
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].into_iter().find(|p| std::path::Path::new(p).exists())?;
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .output()
        .unwrap();
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The web view of a game riposte won, in a real browser: one node per claim, nested as the
/// tree is, each with the honest trace's verdict; the page refreshes itself; the list links it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_view_draws_a_won_games_claim_tree_in_a_real_browser() {
    if !std::path::Path::new("/usr/bin/chromium").exists() {
        println!("did not run: Debian's chromium is not installed (ops/devnet/setup.sh installs it)");
        return;
    }
    let h = Harness::new().await;
    let g = h.dishonest_game(1).await;
    let port = free_port();
    let mut agent = h.spawn(&["--web.port", &port.to_string()]);
    let adv = [Adversary::new(g.clone(), h.adversary, Tactic::Garbage)];
    h.play(&mut agent, &adv, Duration::from_secs(60)).await;
    assert_eq!(g.status().await.unwrap(), GameStatus::ChallengerWins);
    let tree = g.tree().await.unwrap();
    let url = format!("http://127.0.0.1:{port}/game/{}", g.address());
    // Virtual time lets the page's three-second refresh run before the DOM is dumped.
    let dom = chromium(&["--virtual-time-budget=7000", "--dump-dom"], &url).unwrap();
    assert_eq!(dom.matches("class=\"claim v-").count(), tree.len(), "one node per claim:\n{dom}");
    for (i, c) in tree.claims().iter().enumerate() {
        let verdict = if c.claimant == h.agent { "honest" } else { "dishonest" };
        assert!(dom.contains(&format!("data-index=\"{i}\" data-verdict=\"{verdict}\"")), "claim {i}:\n{dom}");
    }
    // Each claim's node lies inside its parent's (nesting depth = claim depth for a line of attacks).
    assert_eq!(dom.matches("<ul>").count(), tree.len() - 1, "{dom}");
    assert!(dom.contains("ChallengerWins"), "{dom}");
    assert!(dom.contains("id=\"updated\">updated "), "the page refreshed itself:\n{dom}");
    let list = chromium(&["--dump-dom"], &format!("http://127.0.0.1:{port}/")).unwrap();
    assert!(list.contains(&format!("href=\"/game/{}\"", g.address())), "{list}");
    let shot = std::env::var("RIPOSTE_WEB_SCREENSHOT")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("web-view.png"));
    chromium(&["--window-size=1100,900", &format!("--screenshot={}", shot.display())], &url).unwrap();
    assert!(std::fs::metadata(&shot).unwrap().len() > 10_000, "a screenshot at {}", shot.display());
    println!("screenshot: {}", shot.display());
    // The JSON API answers with the same claims.
    let api = http_get(port, &format!("/api/games/{}", g.address()));
    let body = api.split("\r\n\r\n").nth(1).unwrap();
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(v["claims"].as_array().unwrap().len(), tree.len());
    assert_eq!(v["row"]["status"], "ChallengerWins");
    h.stop(agent);
}

/// The monitor on two games: one riposte won against a dishonest root, one whose honest root an
/// adversary attacked while nobody defended it (the honest side loses it on purpose). Its
/// forecast, agreement counts and honest-actor figures match the chain, in `--once` output and
/// in the metrics of a running monitor.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_monitor_forecasts_and_counts_as_the_chain_says() {
    let h = Harness::new().await;
    let won = h.dishonest_game(7).await;
    let lost = h.honest_game().await;
    lost.attack(h.adversary, 0, garbage(lost.address(), 0, false)).await.unwrap();
    let mut agent = h.spawn(&["--game-allowlist", &won.address().to_string()]);
    let adv = [Adversary::new(won.clone(), h.adversary, Tactic::Garbage)];
    h.play(&mut agent, &adv, Duration::from_secs(60)).await;
    h.stop(agent);
    assert_eq!(won.status().await.unwrap(), GameStatus::ChallengerWins);
    assert_eq!(lost.status().await.unwrap(), GameStatus::InProgress, "nobody resolved the undefended game");

    // What the chain says of riposte in the won game.
    let tree = won.tree().await.unwrap();
    let ours = tree.claims().iter().filter(|c| c.claimant == h.agent).count();
    let won_wei: u128 = tree.claims().iter().filter(|c| c.countered_by == h.agent).map(|c| c.bond).sum();
    // Two rollup nodes for the monitor to compare: the devnet's (honest) and one that lies.
    let liar = lying_rollup_node().await;
    let nodes = format!("{},http://127.0.0.1:{liar}", h.devnet.rollup().url());
    let (ok, out) = tool(&h, &["monitor", "--once", "--monitor-rollup-rpc", &nodes]);
    assert!(ok, "{out}");
    assert!(
        out.contains("nodes: 2 games with different roots, 0 with mixed availability, 0 against riposte, 0 errors"),
        "{out}"
    );
    assert!(out.contains("Rollup nodes disagree on the output root"), "{out}");
    // riposte has withdrawn its credit from the won game: no credit or withdrawal alarm.
    assert!(!out.contains("Credit differs") && !out.contains("Withdrawal request"), "{out}");
    // With the honest node alone: no disagreement, and it agrees with riposte on both games.
    let (ok, out_honest) = tool(&h, &["monitor", "--once", "--monitor-rollup-rpc", h.devnet.rollup().url()]);
    assert!(
        ok && out_honest
            .contains("nodes: 0 games with different roots, 0 with mixed availability, 0 against riposte, 0 errors"),
        "{out_honest}"
    );
    assert!(out.contains("games_agreement disagree_challenger_wins complete correct disagree: 1"), "{out}");
    assert!(out.contains("games_agreement agree_challenger_ahead in_progress incorrect agree: 1"), "{out}");
    assert!(out.contains(&format!("Forecasting unexpected game result (game {}", lost.address())), "{out}");
    let actor = format!(
        "honest actor {}: claims pending 0 valid {ours} invalid 0; bonds pending 0 lost 0 won {} ETH",
        h.agent,
        riposte_agent::format::eth(U256::from(won_wei))
    );
    assert!(out.contains(&actor), "want {actor:?}:\n{out}");

    // The same as metrics, from a monitor that keeps running.
    let port = free_port();
    let log = std::fs::File::create(h.dir.path().join("monitor.log")).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_riposte"))
        .args(["monitor", "--l1-eth-rpc", h.devnet.l1_url().as_str(), "--l2-eth-rpc", h.devnet.l2_url().as_str()])
        .args(["--game-factory-address", &h.devnet.deployment().dispute_game_factory.to_string()])
        .args(["--honest-actors", &h.agent.to_string(), "--monitor-interval", "1s", "--db"])
        .arg(h.dir.path().join("monitor.db"))
        .args(["--metrics.enabled", "--metrics.port", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let monitor = AgentProcess { child };
    let started = Instant::now();
    let metrics = loop {
        let text = std::net::TcpStream::connect(("127.0.0.1", port)).ok().map(|_| http_get(port, "/metrics"));
        if let Some(t) = text.filter(|t| t.contains("riposte_games{game_type=\"255\"} 2")) {
            break t;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no monitor cycle; log:\n{}",
            std::fs::read_to_string(h.dir.path().join("monitor.log")).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    for line in [
        "riposte_games_agreement{status=\"disagree_challenger_wins\",completion=\"complete\",result_correctness=\"correct\",root_agreement=\"disagree\"} 1",
        "riposte_games_agreement{status=\"agree_challenger_ahead\",completion=\"in_progress\",result_correctness=\"incorrect\",root_agreement=\"agree\"} 1",
        "riposte_games_agreement{status=\"agree_defender_wins\",completion=\"complete\",result_correctness=\"correct\",root_agreement=\"agree\"} 0",
        &format!("riposte_honest_actor_claims{{honest_actor_address=\"{}\",state=\"valid\"}} {ours}", h.agent),
        &format!("riposte_honest_actor_claims{{honest_actor_address=\"{}\",state=\"invalid\"}} 0", h.agent),
        // The undefended game's root and attack: unresolved, expired, resolvable.
        "riposte_claims{resolved=\"unresolved\",clock=\"expired\",game_time_period=\"second_half\",resolvable=\"resolvable\"} 2",
        "riposte_failed_games 0",
    ] {
        assert!(metrics.contains(line), "missing {line}:\n{metrics}");
    }
    // The devnet's DelayedWETH holds what its games owe (and more: earlier games' deposits).
    let weth = h.devnet.deployment().delayed_weth;
    assert!(
        metrics
            .contains(&format!("riposte_bond_collateral_available{{delayedWETH=\"{weth}\",balance=\"sufficient\"}}")),
        "{metrics}"
    );
    // One complete game and one in progress, each on one side of its maximum duration.
    for completion in ["complete", "in_progress"] {
        let n = ["max_duration", "before_max_duration"]
            .iter()
            .filter(|m| {
                metrics.contains(&format!(
                    "riposte_resolution_status{{completion=\"{completion}\",max_duration=\"{m}\"}} 1"
                ))
            })
            .count();
        assert_eq!(n, 1, "{completion}:\n{metrics}");
    }
    drop(monitor);
}

/// `riposte attack` as the adversary against the daemon: a garbage root proposed and defended by
/// garbage until riposte wins it; a dry run that prints moves and sends nothing; a chain id it
/// was not told to attack refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn riposte_attack_rehearses_against_the_daemon_and_loses() {
    let h = Harness::new().await;
    let adversary_key = h.dir.path().join("adversary-key");
    std::fs::write(&adversary_key, format!("{}\n", h.devnet.accounts()[3].private_key)).unwrap();
    let chain = h.devnet.l1().provider().get_chain_id().await.unwrap().to_string();
    let attack = |args: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_riposte"));
        cmd.arg("attack")
            .args(["--l1-eth-rpc", h.devnet.l1_url().as_str(), "--l2-eth-rpc", h.devnet.l2_url().as_str()])
            .args(["--game-factory-address", &h.devnet.deployment().dispute_game_factory.to_string()])
            .arg("--private-key-file")
            .arg(&adversary_key)
            .arg("--db")
            .arg(h.dir.path().join("attack.db"))
            .args(["--http-poll-interval", "100ms"])
            .args(args);
        cmd
    };
    // Not told the chain id: refused by name, nothing sent.
    let out = attack(&["--scenario", "garbage-root", "--l2-block", &h.l2_block().to_string()]).output().unwrap();
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains(&format!("refusing to attack L1 chain {chain}")), "{text}");
    assert_eq!(h.nonce(h.adversary).await, 0);

    // The rehearsals: riposte defends the chain in each scenario; attack-honest last (its honest
    // game becomes the anchor once resolved, above the other rehearsals' blocks).
    let mut agent = h.spawn(&[]);
    for scenario in ["garbage-root", "bait", "freeload", "clock-drain", "many-games", "attack-honest"] {
        let block = h.l2_block().to_string();
        let mut args = vec!["--i-know-chain-id".to_string(), chain.clone()];
        let mut honest_game = None;
        match scenario {
            "many-games" => {
                args.extend(["--scenario", "garbage-root", "--games", "3", "--l2-block", &block].map(String::from))
            }
            "clock-drain" => {
                args.extend(["--scenario", scenario, "--margin", "200", "--l2-block", &block].map(String::from))
            }
            "attack-honest" => {
                let honest = h.honest_game().await;
                // A dry run first: it prints the attack and sends nothing.
                let before = h.nonce(h.adversary).await;
                let game = honest.address().to_string();
                let dry = ["--scenario", "attack-honest", "--game", &game, "--dry-run", "--i-know-chain-id", &chain];
                let out = attack(&dry).output().unwrap();
                let text = String::from_utf8_lossy(&out.stdout);
                assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
                assert!(text.contains(&format!("game {game}: attack claim 0 at position 2")), "{text}");
                assert_eq!(h.nonce(h.adversary).await, before, "a dry run sends nothing");
                args.extend(["--scenario", scenario, "--game", &game].map(String::from));
                honest_game = Some(honest.address());
            }
            _ => args.extend(["--scenario", scenario, "--l2-block", &block].map(String::from)),
        }
        let log = std::fs::File::create(h.dir.path().join("attack.log")).unwrap();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut rehearsal = attack(&args).stdout(Stdio::piped()).stderr(log).spawn().unwrap();
        let started = Instant::now();
        let (mut last, mut quiet_since, mut idle) = ((0, 0), Instant::now(), 0);
        let status = loop {
            if let Some(s) = rehearsal.try_wait().unwrap() {
                break s;
            }
            assert!(agent.child.try_wait().unwrap().is_none(), "the daemon exited; log:\n{}", h.log());
            let attack_log = || std::fs::read_to_string(h.dir.path().join("attack.log")).unwrap_or_default();
            assert!(started.elapsed() < Duration::from_secs(120), "{scenario} not over; attack log:\n{}", attack_log());
            let now = (h.nonce(h.agent).await, h.nonce(h.adversary).await);
            if now != last {
                (last, quiet_since, idle) = (now, Instant::now(), 0);
            } else if quiet_since.elapsed() > Duration::from_millis(1500) {
                idle += 1;
                h.devnet.increase_time(if idle < 3 { 61 } else { 151 }).await.unwrap();
                quiet_since = Instant::now();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        let mut out = String::new();
        std::io::Read::read_to_string(rehearsal.stdout.as_mut().unwrap(), &mut out).unwrap();
        let attack_log = std::fs::read_to_string(h.dir.path().join("attack.log")).unwrap_or_default();
        assert!(status.success(), "{scenario}: {out}\n{attack_log}");
        let games: Vec<Address> = match honest_game {
            Some(g) => vec![g],
            None => out
                .lines()
                .filter(|l| l.starts_with("proposed"))
                .filter_map(|l| l.split("game ").nth(1))
                .map(|a| a.trim().parse().unwrap())
                .collect(),
        };
        assert_eq!(games.len(), if scenario == "many-games" { 3 } else { 1 }, "{scenario}: {out}");
        let want = if honest_game.is_some() { GameStatus::DefenderWins } else { GameStatus::ChallengerWins };
        for game in games {
            let g = h.devnet.game(game).await.unwrap();
            assert_eq!(g.status().await.unwrap(), want, "{scenario}: {out}");
            assert!(out.contains(&format!("game {game}: {want:?}")), "{scenario}: {out}");
            let tree = g.tree().await.unwrap();
            let answers = tree.claims().iter().filter(|c| c.claimant == h.adversary && !c.is_root()).count();
            assert!(answers > 0, "{scenario}: the attacker answered riposte: {out}");
            match scenario {
                "bait" => assert!(out.contains(": defend claim "), "{scenario}: the bait was laid: {out}"),
                "freeload" => {
                    // Some attacker claim has two counters: riposte's and the freeloader's.
                    let twice = (0..tree.len()).any(|i| {
                        let kids = tree.children(i).unwrap();
                        tree.get(i).unwrap().claimant == h.adversary
                            && kids.iter().any(|k| tree.get(*k).unwrap().claimant == h.adversary)
                            && kids.iter().any(|k| tree.get(*k).unwrap().claimant == h.agent)
                    });
                    assert!(twice, "{scenario}: a freeloading counter beside riposte's: {out}");
                }
                _ => {}
            }
            // riposte took every bond the attacker posted.
            assert!(
                credit_paid(&h, &g).await || !g.credit(h.agent).await.unwrap().is_zero(),
                "{scenario}: riposte is owed the bonds"
            );
        }
    }
    h.stop(agent);
}
