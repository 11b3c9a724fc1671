//! Every metric riposte exports, declared in one place with its help text, and the HTTP server
//! that serves `/metrics` (Prometheus text format) and `/healthz`.

use std::{
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{SystemTime, UNIX_EPOCH},
};

use prometheus_client::{
    encoding::{EncodeLabelSet, text::encode},
    metrics::{counter::Counter, family::Family, gauge::Gauge, histogram::Histogram},
    registry::Registry,
};
use tokio::net::TcpListener;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RpcLabels {
    endpoint: String,
    method: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabels {
    status: String,
}

struct Inner {
    registry: Mutex<Registry>,
    rpc_requests: Family<RpcLabels, Counter>,
    rpc_errors: Family<RpcLabels, Counter>,
    games: Family<StatusLabels, Gauge>,
    claims_seen: Counter,
    actions_sent: Family<KindLabels, Counter>,
    actions_failed: Family<KindLabels, Counter>,
    tx_inclusion: Histogram,
    bonds_posted_wei: Counter<f64, std::sync::atomic::AtomicU64>,
    credits_claimed_wei: Counter<f64, std::sync::atomic::AtomicU64>,
    most_urgent_clock: Gauge<f64, std::sync::atomic::AtomicU64>,
    disagreements: Counter,
    honest_countered: Counter,
    sender_balance: Gauge<f64, AtomicU64>,
    bonds_locked: Gauge<f64, AtomicU64>,
    l1_head: Gauge,
    l1_head_seen_at: AtomicU64,
    reexecutions: Family<ResultLabels, Counter>,
    reexecution_seconds: Histogram,
    moves_withheld: Family<ReasonLabels, Counter>,
    proposals_judged: Family<VerdictLabels, Counter>,
    monitor: MonitorGauges,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    reason: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VerdictLabels {
    verdict: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabels {
    result: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AgreementLabels {
    status: String,
    completion: String,
    result_correctness: String,
    root_agreement: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResolutionLabels {
    completion: String,
    max_duration: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ClaimStatusLabels {
    resolved: String,
    clock: String,
    game_time_period: String,
    resolvable: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ActorLabels {
    honest_actor_address: String,
    state: String,
}

/// `delayedWETH` is op-dispute-mon's label name.
#[allow(non_snake_case)]
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CollateralLabels {
    delayedWETH: String,
    balance: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct GameTypeLabels {
    game_type: String,
}

/// The monitor's gauges (op-dispute-mon's names and labels, under riposte's prefix).
struct MonitorGauges {
    agreement: Family<AgreementLabels, Gauge>,
    unjudged: Family<GameTypeLabels, Gauge>,
    resolution: Family<ResolutionLabels, Gauge>,
    claims: Family<ClaimStatusLabels, Gauge>,
    actor_claims: Family<ActorLabels, Gauge>,
    actor_bonds: Family<ActorLabels, Gauge<f64, AtomicU64>>,
    games: Family<GameTypeLabels, Gauge>,
    latest_valid: Gauge,
    failed: Gauge,
    last_cycle: Gauge,
    collateral_required: Family<CollateralLabels, Gauge<f64, AtomicU64>>,
    collateral_available: Family<CollateralLabels, Gauge<f64, AtomicU64>>,
    l2_challenges: Family<AgreementOnlyLabels, Gauge>,
    different_roots: Gauge,
    mixed_availability: Gauge,
    against_nodes: Gauge,
    node_errors: Gauge,
    latest_proposal: Family<AgreementOnlyLabels, Gauge>,
    anchors: Family<GameTypeLabels, Gauge>,
    credits: Family<CreditLabels, Gauge>,
    withdrawal_requests: Family<WithdrawalLabels, Gauge>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CreditLabels {
    credit: String,
    withdrawable: String,
}

/// `delayedWETH` is op-dispute-mon's label name.
#[allow(non_snake_case)]
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct WithdrawalLabels {
    delayedWETH: String,
    credits: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AgreementOnlyLabels {
    root_agreement: String,
}

impl MonitorGauges {
    fn register(r: &mut Registry) -> Self {
        let g = Self {
            agreement: Family::default(),
            unjudged: Family::default(),
            resolution: Family::default(),
            claims: Family::default(),
            actor_claims: Family::default(),
            actor_bonds: Family::default(),
            games: Family::default(),
            latest_valid: Gauge::default(),
            failed: Gauge::default(),
            last_cycle: Gauge::default(),
            collateral_required: Family::default(),
            collateral_available: Family::default(),
            l2_challenges: Family::default(),
            different_roots: Gauge::default(),
            mixed_availability: Gauge::default(),
            against_nodes: Gauge::default(),
            node_errors: Gauge::default(),
            latest_proposal: Family::default(),
            anchors: Family::default(),
            credits: Family::default(),
            withdrawal_requests: Family::default(),
        };
        r.register(
            "games_agreement",
            "Games by whether their result (or forecast) agrees with the honest output (op-dispute-mon's labels)",
            g.agreement.clone(),
        );
        r.register("games_unjudged", "Games whose root riposte cannot judge, by type", g.unjudged.clone());
        r.register(
            "resolution_status",
            "Games by completion and whether their maximum duration passed",
            g.resolution.clone(),
        );
        r.register("claims", "Claims by resolved, clock, game time period and resolvable", g.claims.clone());
        r.register(
            "honest_actor_claims",
            "Claims of each honest actor: pending, valid, invalid",
            g.actor_claims.clone(),
        );
        r.register(
            "honest_actor_bonds",
            "Bonds of each honest actor in ETH: pending, lost, won",
            g.actor_bonds.clone(),
        );
        r.register("games", "Games in the window, by type (unknown types included)", g.games.clone());
        r.register(
            "latest_valid_proposal_l2_block",
            "The highest L2 block of a proposal riposte agrees with",
            g.latest_valid.clone(),
        );
        r.register("failed_games", "Games the last monitor cycle could not read", g.failed.clone());
        r.register(
            "bond_collateral_required",
            "ETH a DelayedWETH must hold for its games' unresolved bonds and unclaimed credits",
            g.collateral_required.clone(),
        );
        r.register("bond_collateral_available", "ETH a DelayedWETH holds", g.collateral_available.clone());
        r.register(
            "l2_block_challenges",
            "Games whose root's L2 block number was challenged, by root agreement",
            g.l2_challenges.clone(),
        );
        r.register(
            "latest_proposal",
            "Creation time of the newest proposal riposte agrees / disagrees with (unix seconds)",
            g.latest_proposal.clone(),
        );
        r.register(
            "anchor_l2_block",
            "The anchor state registry's L2 block (or timestamp) per game type",
            g.anchors.clone(),
        );
        r.register(
            "monitor_last_cycle_timestamp",
            "When the last monitor cycle finished (unix seconds)",
            g.last_cycle.clone(),
        );
        g
    }
}

/// Handle on the metrics; cheap to clone.
#[derive(Clone)]
pub struct Metrics(Arc<Inner>);

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh registry with every metric at zero.
    pub fn new() -> Self {
        let mut r = Registry::with_prefix("riposte");
        let rpc_requests = Family::<RpcLabels, Counter>::default();
        r.register("rpc_requests", "JSON-RPC requests sent, by endpoint and method", rpc_requests.clone());
        let rpc_errors = Family::<RpcLabels, Counter>::default();
        r.register(
            "rpc_errors",
            "JSON-RPC requests that failed (after the transport answered or gave up)",
            rpc_errors.clone(),
        );
        let games = Family::<StatusLabels, Gauge>::default();
        r.register("games_tracked", "Games in the window, by status", games.clone());
        let claims_seen = Counter::default();
        r.register("claims_seen", "Claims read from games", claims_seen.clone());
        let actions_sent = Family::<KindLabels, Counter>::default();
        r.register("actions_sent", "Transactions confirmed, by kind (move, step, resolve, ...)", actions_sent.clone());
        let actions_failed = Family::<KindLabels, Counter>::default();
        r.register(
            "actions_failed",
            "Transactions that reverted or could not be sent, by kind",
            actions_failed.clone(),
        );
        let tx_inclusion = Histogram::new([0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0]);
        r.register("tx_inclusion_seconds", "Time from send to receipt", tx_inclusion.clone());
        let bonds_posted_wei = Counter::<f64, AtomicU64>::default();
        r.register("bonds_posted_wei", "Wei posted as bonds by our moves", bonds_posted_wei.clone());
        let credits_claimed_wei = Counter::<f64, AtomicU64>::default();
        r.register("credits_claimed_wei", "Wei paid out to us by claimCredit", credits_claimed_wei.clone());
        let most_urgent_clock = Gauge::<f64, AtomicU64>::default();
        r.register(
            "most_urgent_clock_seconds",
            "Seconds left before the earliest deadline of a pending honest response (+Inf: none pending)",
            most_urgent_clock.clone(),
        );
        let disagreements = Counter::default();
        r.register(
            "honest_source_disagreements",
            "Times two sources of truth (our computation, a rollup node) disagreed on an output root",
            disagreements.clone(),
        );
        let honest_countered = Counter::default();
        r.register(
            "honest_claims_countered",
            "Claims riposte made that someone countered with a successful step",
            honest_countered.clone(),
        );
        let sender_balance = Gauge::<f64, AtomicU64>::default();
        r.register("sender_balance_wei", "ETH held by the sender, in wei", sender_balance.clone());
        let bonds_locked = Gauge::<f64, AtomicU64>::default();
        r.register("bonds_locked_wei", "Wei of our claims' bonds in games still in progress", bonds_locked.clone());
        let l1_head = Gauge::default();
        r.register("l1_head_number", "Latest L1 block seen", l1_head.clone());
        let reexecutions = Family::<ResultLabels, Counter>::default();
        r.register(
            "block_reexecutions",
            "L2 blocks re-executed in process (verify-outputs reexecute), by result: agree, disagree, error",
            reexecutions.clone(),
        );
        let reexecution_seconds = Histogram::new([0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0]);
        r.register(
            "block_reexecution_seconds",
            "Time to fetch a block's witness and re-execute it",
            reexecution_seconds.clone(),
        );
        let moves_withheld = Family::<ReasonLabels, Counter>::default();
        r.register(
            "moves_withheld",
            "Honest moves planned but not sent, per look, by reason: cannot_step (riposte cannot finish the game's execution half), no_role (a permissioned game's roles)",
            moves_withheld.clone(),
        );
        let proposals_judged = Family::<VerdictLabels, Counter>::default();
        r.register(
            "super_proposals_judged",
            "Proposals without a bisection game (simplified type 5) judged, by verdict: honest, dishonest",
            proposals_judged.clone(),
        );
        let monitor = MonitorGauges::register(&mut r);
        Self(Arc::new(Inner {
            monitor,
            registry: Mutex::new(r),
            rpc_requests,
            rpc_errors,
            games,
            claims_seen,
            actions_sent,
            actions_failed,
            tx_inclusion,
            bonds_posted_wei,
            credits_claimed_wei,
            most_urgent_clock,
            disagreements,
            honest_countered,
            sender_balance,
            bonds_locked,
            l1_head,
            l1_head_seen_at: AtomicU64::new(0),
            reexecutions,
            reexecution_seconds,
            moves_withheld,
            proposals_judged,
        }))
    }

    /// Sets the monitor's gauges from one cycle's assessment (labels of the last cycle that are
    /// gone now drop out; every `games_agreement` status is exported, zero or not).
    pub fn record_assessment(&self, a: &crate::monitor::Assessment, failed: u64) {
        let m = &self.0.monitor;
        m.agreement.clear();
        for l in crate::monitor::AGREEMENT_STATUSES {
            let labels = AgreementLabels {
                status: l.0.into(),
                completion: l.1.into(),
                result_correctness: l.2.into(),
                root_agreement: l.3.into(),
            };
            m.agreement.get_or_create(&labels).set(a.agreement.get(&l).copied().unwrap_or(0) as i64);
        }
        m.unjudged.clear();
        for (t, n) in &a.unjudged {
            m.unjudged.get_or_create(&GameTypeLabels { game_type: t.to_string() }).set(*n as i64);
        }
        m.resolution.clear();
        for completion in ["complete", "resolvable", "in_progress"] {
            for max in ["max_duration", "before_max_duration"] {
                let n = a.resolution.get(&(completion, max)).copied().unwrap_or(0);
                let labels = ResolutionLabels { completion: completion.into(), max_duration: max.into() };
                m.resolution.get_or_create(&labels).set(n as i64);
            }
        }
        m.claims.clear();
        for (l, n) in &a.claims {
            let labels = ClaimStatusLabels {
                resolved: l.0.into(),
                clock: l.1.into(),
                game_time_period: l.2.into(),
                resolvable: l.3.into(),
            };
            m.claims.get_or_create(&labels).set(*n as i64);
        }
        m.actor_claims.clear();
        m.actor_bonds.clear();
        let eth = |w: alloy_primitives::U256| u128::try_from(w).map_or(f64::MAX, |v| v as f64) / 1e18;
        for (actor, s) in &a.honest {
            let who = actor.to_string();
            let label = |state: &str| ActorLabels { honest_actor_address: who.clone(), state: state.into() };
            m.actor_claims.get_or_create(&label("pending")).set(s.pending_claims as i64);
            m.actor_claims.get_or_create(&label("valid")).set(s.valid_claims as i64);
            m.actor_claims.get_or_create(&label("invalid")).set(s.invalid_claims as i64);
            m.actor_bonds.get_or_create(&label("pending")).set(eth(s.pending_bonds));
            m.actor_bonds.get_or_create(&label("lost")).set(eth(s.lost_bonds));
            m.actor_bonds.get_or_create(&label("won")).set(eth(s.won_bonds));
        }
        m.games.clear();
        for (t, n) in &a.games {
            m.games.get_or_create(&GameTypeLabels { game_type: t.to_string() }).set(*n as i64);
        }
        m.collateral_required.clear();
        m.collateral_available.clear();
        for (weth, (required, available)) in &a.collateral {
            let Some(available) = available else { continue };
            let balance = if available < required { "insufficient" } else { "sufficient" };
            let labels = CollateralLabels { delayedWETH: weth.to_string(), balance: balance.into() };
            m.collateral_required.get_or_create(&labels).set(eth(*required));
            m.collateral_available.get_or_create(&labels).set(eth(*available));
        }
        for (store, values) in [(&m.l2_challenges, &a.l2_block_challenges), (&m.latest_proposal, &a.latest_proposal)] {
            store.clear();
            for label in ["agree", "disagree"] {
                let n = values.get(label).copied().unwrap_or(0);
                store.get_or_create(&AgreementOnlyLabels { root_agreement: label.into() }).set(n as i64);
            }
        }
        m.different_roots.set(a.different_root_games as i64);
        m.mixed_availability.set(a.mixed_availability_games as i64);
        m.against_nodes.set(a.riposte_vs_nodes_games as i64);
        m.node_errors.set(a.node_errors as i64);
        m.credits.clear();
        for credit in ["below", "expected", "above"] {
            for w in ["withdrawable", "non_withdrawable"] {
                let n = a.credits.get(&(credit, w)).copied().unwrap_or(0);
                m.credits.get_or_create(&CreditLabels { credit: credit.into(), withdrawable: w.into() }).set(n as i64);
            }
        }
        m.withdrawal_requests.clear();
        for ((weth, matching), n) in &a.withdrawal_requests {
            let labels = WithdrawalLabels { delayedWETH: weth.to_string(), credits: (*matching).into() };
            m.withdrawal_requests.get_or_create(&labels).set(*n as i64);
        }
        m.anchors.clear();
        for (t, v) in &a.anchors {
            m.anchors
                .get_or_create(&GameTypeLabels { game_type: t.to_string() })
                .set(i64::try_from(*v).unwrap_or(i64::MAX));
        }
        m.latest_valid.set(a.latest_valid_proposal_l2_block as i64);
        m.failed.set(failed as i64);
        m.last_cycle.set(unix_now() as i64);
    }

    /// A JSON-RPC request was sent.
    pub fn rpc_request(&self, endpoint: &str, method: &str) {
        self.0.rpc_requests.get_or_create(&RpcLabels { endpoint: endpoint.into(), method: method.into() }).inc();
    }

    /// A JSON-RPC request failed.
    pub fn rpc_error(&self, endpoint: &str, method: &str) {
        self.0.rpc_errors.get_or_create(&RpcLabels { endpoint: endpoint.into(), method: method.into() }).inc();
    }

    /// Games in the window with `status`.
    pub fn set_games(&self, status: &str, n: i64) {
        self.0.games.get_or_create(&StatusLabels { status: status.into() }).set(n);
    }

    /// Claims read from games.
    pub fn claims_seen(&self, n: u64) {
        self.0.claims_seen.inc_by(n);
    }

    /// A transaction was confirmed, `inclusion_secs` after it was sent.
    pub fn action_sent(&self, kind: &str, inclusion_secs: f64) {
        self.0.actions_sent.get_or_create(&KindLabels { kind: kind.into() }).inc();
        self.0.tx_inclusion.observe(inclusion_secs);
    }

    /// A transaction reverted or could not be sent.
    pub fn action_failed(&self, kind: &str) {
        self.0.actions_failed.get_or_create(&KindLabels { kind: kind.into() }).inc();
    }

    /// Wei posted as a bond.
    pub fn bond_posted(&self, wei: f64) {
        self.0.bonds_posted_wei.inc_by(wei);
    }

    /// Wei paid out by `claimCredit`.
    pub fn credit_claimed(&self, wei: f64) {
        self.0.credits_claimed_wei.inc_by(wei);
    }

    /// Seconds left before the earliest pending honest response.
    pub fn most_urgent_clock(&self, secs: f64) {
        self.0.most_urgent_clock.set(secs);
    }

    /// Wei of our bonds in games in progress.
    pub fn bonds_locked(&self, wei: f64) {
        self.0.bonds_locked.set(wei);
    }

    /// The sender's balance.
    pub fn sender_balance(&self, wei: f64) {
        self.0.sender_balance.set(wei);
    }

    /// One of our claims was countered by a step.
    pub fn honest_claim_countered(&self) {
        self.0.honest_countered.inc();
    }

    /// Two sources of truth disagreed.
    pub fn disagreement(&self) {
        self.0.disagreements.inc();
    }

    /// One block re-executed: `result` is agree, disagree or error.
    pub fn reexecution(&self, result: &str, secs: f64) {
        self.0.reexecutions.get_or_create(&ResultLabels { result: result.into() }).inc();
        self.0.reexecution_seconds.observe(secs);
    }

    /// `n` planned moves were not sent, for `reason` (`cannot_step`, `no_role`).
    pub fn moves_withheld(&self, reason: &str, n: usize) {
        self.0.moves_withheld.get_or_create(&ReasonLabels { reason: reason.into() }).inc_by(n as u64);
    }

    /// A proposal without a bisection game was judged `honest` or `dishonest`.
    pub fn proposal_judged(&self, verdict: &str) {
        self.0.proposals_judged.get_or_create(&VerdictLabels { verdict: verdict.into() }).inc();
    }

    /// A new L1 head was seen.
    pub fn l1_head(&self, number: u64) {
        self.0.l1_head.set(i64::try_from(number).unwrap_or(i64::MAX));
        self.0.l1_head_seen_at.store(unix_now(), Ordering::Relaxed);
    }

    /// `true` if a new L1 head was seen in the last `max_age_secs` seconds.
    pub fn is_fresh(&self, max_age_secs: u64) -> bool {
        let seen = self.0.l1_head_seen_at.load(Ordering::Relaxed);
        seen != 0 && unix_now().saturating_sub(seen) <= max_age_secs
    }

    /// The Prometheus text exposition of every metric.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        if let Ok(reg) = self.0.registry.lock() {
            // Writing into a String cannot fail.
            let _ = encode(&mut out, &reg);
        }
        out
    }
}

/// Serves `/metrics` and `/healthz` on `addr` until the task is dropped. `/healthz` answers 200
/// only while the last L1 head is at most `max_head_age_secs` old.
pub async fn serve(addr: SocketAddr, metrics: Metrics, max_head_age_secs: u64) -> std::io::Result<()> {
    let listener = TcpListener::bind(addr).await?;
    tracing::info!(%addr, "serving /metrics and /healthz");
    loop {
        let (mut sock, _) = listener.accept().await?;
        let metrics = metrics.clone();
        tokio::spawn(async move {
            let path = crate::http::request_path(&mut sock).await;
            let (status, ctype, body) = match path.as_str() {
                "/metrics" => {
                    ("200 OK", "application/openmetrics-text; version=1.0.0; charset=utf-8", metrics.encode())
                }
                "/healthz" if metrics.is_fresh(max_head_age_secs) => ("200 OK", "text/plain", "ok\n".to_string()),
                "/healthz" => ("503 Service Unavailable", "text/plain", "L1 head is stale\n".to_string()),
                _ => ("404 Not Found", "text/plain", "not found\n".to_string()),
            };
            crate::http::respond(&mut sock, status, ctype, &body).await;
        });
    }
}

impl riposte_txmgr::TxMetrics for Metrics {
    fn action_sent(&self, kind: &str, inclusion_secs: f64) {
        Metrics::action_sent(self, kind, inclusion_secs);
    }
    fn action_failed(&self, kind: &str) {
        Metrics::action_failed(self, kind);
    }
    fn bond_posted(&self, wei: f64) {
        Metrics::bond_posted(self, wei);
    }
}

impl riposte_chain::ChainMetrics for Metrics {
    fn rpc_request(&self, endpoint: &str, method: &str) {
        Metrics::rpc_request(self, endpoint, method);
    }
    fn rpc_error(&self, endpoint: &str, method: &str) {
        Metrics::rpc_error(self, endpoint, method);
    }
    fn reexecution(&self, result: &str, seconds: f64) {
        Metrics::reexecution(self, result, seconds);
    }
    fn disagreement(&self) {
        Metrics::disagreement(self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_requests_per_endpoint() {
        let m = Metrics::new();
        m.rpc_request("l1", "eth_call");
        m.rpc_request("l1", "eth_call");
        m.rpc_request("l1", "eth_blockNumber");
        m.rpc_request("l2", "eth_getProof");
        m.rpc_error("l1", "eth_call");
        let text = m.encode();
        assert!(text.contains("riposte_rpc_requests_total{endpoint=\"l1\",method=\"eth_call\"} 2"), "{text}");
        assert!(text.contains("riposte_rpc_requests_total{endpoint=\"l2\",method=\"eth_getProof\"} 1"), "{text}");
        assert!(text.contains("riposte_rpc_errors_total{endpoint=\"l1\",method=\"eth_call\"} 1"), "{text}");
    }

    #[test]
    fn what_the_chain_clients_report_lands_under_the_exported_names() {
        use riposte_chain::ChainMetrics;
        let m = Metrics::new();
        let chain: &dyn ChainMetrics = &m;
        chain.reexecution("agree", 0.1);
        chain.reexecution("disagree", 0.2);
        chain.disagreement();
        chain.rpc_request("l2", "debug_executionWitness");
        let text = m.encode();
        assert!(text.contains("riposte_honest_source_disagreements_total 1"), "{text}");
        assert!(text.contains("riposte_block_reexecutions_total{result=\"agree\"} 1"), "{text}");
        assert!(text.contains("riposte_block_reexecutions_total{result=\"disagree\"} 1"), "{text}");
        assert!(text.contains("riposte_block_reexecution_seconds_count 2"), "{text}");
        assert!(
            text.contains("riposte_rpc_requests_total{endpoint=\"l2\",method=\"debug_executionWitness\"} 1"),
            "{text}"
        );
    }

    #[test]
    fn withheld_moves_and_judged_proposals_are_counted_by_label() {
        let m = Metrics::new();
        m.moves_withheld("cannot_step", 2);
        m.proposal_judged("dishonest");
        let text = m.encode();
        assert!(text.contains("riposte_moves_withheld_total{reason=\"cannot_step\"} 2"), "{text}");
        assert!(text.contains("riposte_super_proposals_judged_total{verdict=\"dishonest\"} 1"), "{text}");
    }

    #[test]
    fn health_follows_the_l1_head() {
        let m = Metrics::new();
        assert!(!m.is_fresh(60), "no head seen yet");
        m.l1_head(5);
        assert!(m.is_fresh(60));
    }
}
