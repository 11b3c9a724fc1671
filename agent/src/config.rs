//! Configuration: a TOML file, then `RIPOSTE_*` environment variables, then command-line flags
//! (flags win). Names follow op-challenger's flags so its operators feel at home.
//!
//! Unknown keys and invalid values stop start-up with a message naming the key.

use std::{
    fmt,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    path::{Path, PathBuf},
    time::Duration,
};

use crate::error::{AgentError, Context, Result};
use alloy::primitives::Address;
use clap::Args;
use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use serde::{Deserialize, Deserializer, Serialize};

/// A secret string: never printed, never serialized back.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: String) -> Self {
        Self(s)
    }

    /// The secret itself, for the one place that uses it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret)
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// A duration written as `90`, `"90s"`, `"15m"`, `"12h"` or `"28d"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span(pub Duration);

/// Parses `90`, `90s`, `500ms`, `15m`, `12h` or `28d`.
pub fn parse_span(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = s.find(|c: char| !c.is_ascii_digit()).map_or((s, ""), |i| s.split_at(i));
    let n: u64 = num.parse().map_err(|_| format!("{s:?} is not a duration (e.g. 90s, 15m, 12h, 28d)"))?;
    let mult = match unit.trim() {
        "" | "s" => 1,
        "ms" => return Ok(Duration::from_millis(n)),
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        other => return Err(format!("unknown duration unit {other:?} in {s:?} (use ms, s, m, h or d)")),
    };
    Ok(Duration::from_secs(n.saturating_mul(mult)))
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Secs(u64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Secs(n) => Ok(Span(Duration::from_secs(n))),
            Raw::Text(s) => parse_span(&s).map(Span).map_err(serde::de::Error::custom),
        }
    }
}

impl Serialize for Span {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.subsec_millis() != 0 {
            s.serialize_str(&format!("{}ms", self.0.as_millis()))
        } else {
            s.serialize_u64(self.0.as_secs())
        }
    }
}

/// How output roots from the L2 node are checked before riposte bets on them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum VerifyOutputs {
    /// Trust the L2 node's headers (the state root is still checked against `eth_getProof`).
    None,
    /// Compare each output root with the rollup node's `optimism_outputAtBlock`.
    Rollup,
    /// Re-execute each block in process from the node's `debug_executionWitness` and compare
    /// with the node's header.
    Reexecute,
}

impl From<VerifyOutputs> for riposte_chain::outputs::Policy {
    fn from(v: VerifyOutputs) -> Self {
        match v {
            VerifyOutputs::None => Self::None,
            VerifyOutputs::Rollup => Self::Rollup,
            VerifyOutputs::Reexecute => Self::Reexecute,
        }
    }
}

/// Which honest trace to play a game type with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum TraceType {
    /// Output roots on top, op-challenger's alphabet trace below (game type 255).
    Alphabet,
    /// Output roots on top, riposte's MIPS VM running `cannon-elf` below (game type 0).
    Cannon,
    /// `PermissionedDisputeGame` (game type 1), played with the trace whose absolute prestate
    /// the game has (the configured Cannon program's, or the alphabet's on a devnet), and only
    /// when riposte's key is the game's proposer or challenger.
    Permissioned,
    /// `SuperFaultDisputeGame` (game type 9, `SUPER_CANNON_KONA`): super roots on top over the
    /// rollup node's safe heads; below the split the alphabet trace on a devnet whose prestate
    /// is the alphabet's, else MIPS64 with kona's interop program, which riposte cannot run yet
    /// (it then judges, resolves and claims, and places no bond).
    SuperCannonKona,
    /// `SuperPermissionedDisputeGame` (game type 5). The 0.7 bisection game is played like type 9
    /// when riposte's key is its proposer or challenger, else tracked, resolved and closed; the
    /// simplified 1.0 of Upgrade 20 (no claims) has its proposal judged and, when honest,
    /// respected and final, made the registry's anchor.
    SuperPermissioned,
}

impl TraceType {
    /// The game type this trace plays.
    pub fn game_type(self) -> u32 {
        match self {
            Self::Alphabet => 255,
            Self::Cannon => 0,
            Self::Permissioned => 1,
            Self::SuperCannonKona => 9,
            Self::SuperPermissioned => 5,
        }
    }
}

/// Where `/metrics` and `/healthz` are served.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct MetricsConfig {
    /// Serve metrics at all.
    pub enabled: bool,
    /// Listen address.
    pub addr: IpAddr,
    /// Listen port.
    pub port: u16,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        Self { enabled: false, addr: IpAddr::V4(Ipv4Addr::LOCALHOST), port: 7300 }
    }
}

impl MetricsConfig {
    /// The address to listen on.
    pub fn socket(&self) -> SocketAddr {
        SocketAddr::new(self.addr, self.port)
    }
}

/// Where the web view (the games, their claim trees, the JSON API) is served.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct WebConfig {
    /// Serve the web view at all (`--web.addr` or `--web.port` turn it on too).
    pub enabled: bool,
    /// Listen address.
    pub addr: IpAddr,
    /// Listen port.
    pub port: u16,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self { enabled: false, addr: IpAddr::V4(Ipv4Addr::LOCALHOST), port: 7301 }
    }
}

impl WebConfig {
    /// The address to listen on.
    pub fn socket(&self) -> SocketAddr {
        SocketAddr::new(self.addr, self.port)
    }
}

/// The daemon's whole configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// L1 execution RPC (http(s), or ws(s) to be told of new heads at once).
    pub l1_eth_rpc: String,
    /// L2 execution RPC, used to compute output roots with `eth_getProof`.
    pub l2_eth_rpc: String,
    /// Optional rollup node: each output root riposte computes is cross-checked against
    /// `optimism_outputAtBlock`; a mismatch is an alert, not a move.
    #[serde(default)]
    pub rollup_rpc: Option<String>,
    /// How output roots are checked; default `rollup` when `rollup-rpc` is set, else `none`.
    #[serde(default)]
    pub verify_outputs: Option<VerifyOutputs>,
    /// Optional super-root node (`superroot_atTimestamp`: op-node ≥ 1.19 with its safe-head
    /// database, or op-supernode): each super-root game's proposal is cross-checked against it;
    /// a disagreement is an alert and no move.
    #[serde(default)]
    pub superroot_rpc: Option<String>,
    /// The L2 chain's rollup config (op-node's rollup.json, or `op-mainnet` / `op-sepolia`) for
    /// `verify-outputs reexecute`; without it, the built-in config of the L2 node's chain.
    #[serde(default)]
    pub rollup_config: Option<PathBuf>,
    /// The fault-proof program riposte's VM runs in Cannon games: a static big-endian MIPS ELF
    /// (32-bit: `MIPS.sol`; 64-bit: Cannon64, loaded as `cannon load-elf` does) or a Cannon64
    /// prestate (`.bin` / `.bin.gz`); a game is played only if its absolute prestate is this
    /// program's.
    #[serde(default)]
    pub cannon_elf: Option<PathBuf>,
    /// Cannon64 prestates by hash, as op-challenger keeps them: a type-0/1 game whose absolute
    /// prestate is not `cannon-elf`'s is played with `<dir>/<0xhash>.bin.gz` when that file's
    /// state hash is the game's.
    #[serde(default)]
    pub prestates_dir: Option<PathBuf>,
    /// Where missing prestates are fetched from into `prestates-dir`: an http(s) base (GET
    /// `<base>/<0xhash>.bin.gz`, one-minute timeout; type-0/1 games of any prestate are then
    /// tracked) or a `file://` directory.
    #[serde(default)]
    pub prestates_url: Option<String>,
    /// Keep a VM snapshot every this many instructions.
    #[serde(default = "default_cannon_snapshot_freq")]
    pub cannon_snapshot_freq: u64,
    /// The `DisputeGameFactory` to watch.
    pub game_factory_address: Address,
    /// Trace types to play; each selects a game type.
    #[serde(default = "default_trace_types")]
    pub trace_type: Vec<TraceType>,
    /// Only play these games (empty: all).
    #[serde(default)]
    pub game_allowlist: Vec<Address>,
    /// Play and claim bonds in games created within this window.
    #[serde(default = "default_game_window")]
    pub game_window: Span,
    /// Games progressed at once (default 16: the work is mostly waiting on RPC and receipts).
    #[serde(default = "default_max_concurrency")]
    pub max_concurrency: usize,
    /// Only resolve subgames whose bond goes to us (or an additional claimant).
    #[serde(default)]
    pub selective_claim_resolution: bool,
    /// Claim credit for these addresses too.
    #[serde(default)]
    pub additional_bond_claimants: Vec<Address>,
    /// Addresses whose claims and bonds the monitor tracks (op-dispute-mon's honest actors);
    /// the configured key's address is always one.
    #[serde(default)]
    pub honest_actors: Vec<Address>,
    /// How often `riposte monitor` looks at every game in the window.
    #[serde(default = "default_monitor_interval")]
    pub monitor_interval: Span,
    /// Rollup nodes the monitor asks for each output-root game's output
    /// (`optimism_outputAtBlock`), compared with each other and with riposte's own.
    #[serde(default)]
    pub monitor_rollup_rpcs: Vec<String>,
    /// Super-root nodes the monitor asks for each super-root game's super root
    /// (`superroot_atTimestamp`, judged safe at the game's L1 head).
    #[serde(default)]
    pub monitor_superroot_rpcs: Vec<String>,
    /// Hex private key of the sender. Prefer `private-key-file` or `RIPOSTE_PRIVATE_KEY`.
    #[serde(default)]
    pub private_key: Option<Secret>,
    /// File holding the hex private key.
    #[serde(default)]
    pub private_key_file: Option<PathBuf>,
    /// Watch and report only; never send a transaction.
    #[serde(default)]
    pub monitor_only: bool,
    /// SQLite database file.
    #[serde(default = "default_db")]
    pub db: PathBuf,
    /// How often to ask for a new L1 head over HTTP (`eth_blockNumber`; the header is read only
    /// when the number moves). Over WebSocket heads are announced, and this is only a fallback.
    #[serde(default = "default_poll_interval")]
    pub http_poll_interval: Span,
    /// Per-request RPC timeout.
    #[serde(default = "default_rpc_timeout")]
    pub rpc_timeout: Span,
    /// Retries of a transient RPC failure.
    #[serde(default = "default_rpc_retries")]
    pub rpc_retries: u32,
    /// Re-sign with higher fees a transaction not mined after this long.
    #[serde(default = "default_resubmission_timeout")]
    pub resubmission_timeout: Span,
    /// Metrics and health endpoint.
    #[serde(default)]
    pub metrics: MetricsConfig,
    /// The web view.
    #[serde(default)]
    pub web: WebConfig,
}

fn default_trace_types() -> Vec<TraceType> {
    vec![TraceType::Alphabet]
}
fn default_cannon_snapshot_freq() -> u64 {
    riposte_vm::trace::DEFAULT_SNAPSHOT_EVERY
}
fn default_game_window() -> Span {
    Span(Duration::from_secs(28 * 86_400))
}
fn default_max_concurrency() -> usize {
    // Looking at a game is mostly waiting on RPC answers and receipts, not CPU.
    16
}
fn default_db() -> PathBuf {
    PathBuf::from("./riposte.db")
}
fn default_poll_interval() -> Span {
    // A new head is seen within a second: on a 12 s chain an answer makes the next block.
    Span(Duration::from_secs(1))
}
fn default_rpc_timeout() -> Span {
    Span(Duration::from_secs(10))
}
fn default_rpc_retries() -> u32 {
    5
}
fn default_monitor_interval() -> Span {
    Span(Duration::from_secs(30))
}

fn default_resubmission_timeout() -> Span {
    Span(Duration::from_secs(24))
}

/// Flags shared by every command that reads the configuration.
#[derive(Args, Debug, Default, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ConfigFlags {
    /// TOML configuration file (keys are the flag names, e.g. `l1-eth-rpc = "…"`).
    #[arg(long = "config", value_name = "FILE")]
    #[serde(skip)]
    pub config: Option<PathBuf>,
    /// L1 execution RPC URL.
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub l1_eth_rpc: Option<String>,
    /// L2 execution RPC URL.
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub l2_eth_rpc: Option<String>,
    /// Rollup node RPC URL (optional cross-check of output roots).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rollup_rpc: Option<String>,
    /// Super-root node RPC URL (optional cross-check of super-root games' proposals).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub superroot_rpc: Option<String>,
    /// Check output roots: none, rollup (optimism_outputAtBlock) or reexecute (in process, from
    /// the L2 node's debug_executionWitness). Default: rollup with --rollup-rpc, else none.
    #[arg(long, value_enum)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verify_outputs: Option<VerifyOutputs>,
    /// The L2 chain's rollup.json, or op-mainnet / op-sepolia (for --verify-outputs reexecute;
    /// default: the built-in config of the L2 node's chain).
    #[arg(long, value_name = "FILE")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rollup_config: Option<PathBuf>,
    /// The fault-proof program for Cannon games: a MIPS or MIPS64 ELF, or a Cannon64 prestate
    /// (`.bin.gz`; also accepted as `--cannon-prestate`).
    #[arg(long, value_name = "FILE", alias = "cannon-prestate")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cannon_elf: Option<PathBuf>,
    /// Directory of Cannon64 prestates named `<0xhash>.bin.gz`, used for games whose absolute
    /// prestate is not cannon-elf's.
    #[arg(long, value_name = "DIR")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prestates_dir: Option<PathBuf>,
    /// An http(s):// or file:// base to fetch missing prestates from into --prestates-dir
    /// (`<base>/<0xhash>.bin.gz`, as op-challenger's --prestates-url).
    #[arg(long, value_name = "URL")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prestates_url: Option<String>,
    /// VM snapshot interval in instructions (default 10,000,000).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cannon_snapshot_freq: Option<u64>,
    /// DisputeGameFactory address.
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub game_factory_address: Option<Address>,
    /// Trace types to play: alphabet (type 255), cannon (type 0, with --cannon-elf),
    /// permissioned (type 1), super-cannon-kona (type 9) and super-permissioned (type 5), the
    /// last two with --rollup-rpc.
    #[arg(long, value_delimiter = ',')]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace_type: Option<Vec<TraceType>>,
    /// Only play these game addresses.
    #[arg(long, value_delimiter = ',')]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub game_allowlist: Option<Vec<Address>>,
    /// Window of game ages to play (e.g. 28d, 12h).
    #[arg(long, value_parser = parse_span_arg)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub game_window: Option<Span>,
    /// Games progressed concurrently.
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_concurrency: Option<usize>,
    /// Resolve only subgames that pay us.
    #[arg(long)]
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub selective_claim_resolution: bool,
    /// Also claim credit for these addresses.
    #[arg(long, value_delimiter = ',')]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_bond_claimants: Option<Vec<Address>>,
    /// Addresses the monitor tracks as honest actors (comma-separated; riposte's own included).
    #[arg(long, value_delimiter = ',')]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub honest_actors: Option<Vec<Address>>,
    /// How often `riposte monitor` looks at the games (default 30s).
    #[arg(long, value_parser = parse_span_arg)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monitor_interval: Option<Span>,
    /// Rollup nodes the monitor compares outputs with (comma-separated URLs).
    #[arg(long = "monitor-rollup-rpc", value_delimiter = ',')]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monitor_rollup_rpcs: Option<Vec<String>>,
    /// Super-root nodes the monitor compares super roots with (comma-separated URLs).
    #[arg(long = "monitor-superroot-rpc", value_delimiter = ',')]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monitor_superroot_rpcs: Option<Vec<String>>,
    /// Hex private key (prefer --private-key-file or RIPOSTE_PRIVATE_KEY).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_key: Option<String>,
    /// File holding the hex private key.
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_key_file: Option<PathBuf>,
    /// Never send transactions: watch, compute and report only.
    #[arg(long)]
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub monitor_only: bool,
    /// SQLite database path (default ./riposte.db).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub db: Option<PathBuf>,
    /// HTTP polling interval for new L1 heads (default 1s; e.g. 500ms, 12s).
    #[arg(long, value_parser = parse_span_arg)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_poll_interval: Option<Span>,
    /// Per-request RPC timeout (e.g. 10s).
    #[arg(long, value_parser = parse_span_arg)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rpc_timeout: Option<Span>,
    /// Retries of a transient RPC failure.
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rpc_retries: Option<u32>,
    /// Re-sign with higher fees a transaction not mined after this long (e.g. 24s).
    #[arg(long, value_parser = parse_span_arg)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resubmission_timeout: Option<Span>,
    /// Serve metrics and /healthz.
    #[arg(long = "metrics.enabled")]
    #[serde(skip)]
    pub metrics_enabled: bool,
    /// Metrics listen address.
    #[arg(long = "metrics.addr")]
    #[serde(skip)]
    pub metrics_addr: Option<IpAddr>,
    /// Metrics listen port.
    #[arg(long = "metrics.port")]
    #[serde(skip)]
    pub metrics_port: Option<u16>,
    /// Serve the web view (games and claim trees) and its JSON API.
    #[arg(long = "web.enabled")]
    #[serde(skip)]
    pub web_enabled: bool,
    /// Web view listen address (turns it on).
    #[arg(long = "web.addr")]
    #[serde(skip)]
    pub web_addr: Option<IpAddr>,
    /// Web view listen port (turns it on; default 7301).
    #[arg(long = "web.port")]
    #[serde(skip)]
    pub web_port: Option<u16>,
}

fn parse_span_arg(s: &str) -> Result<Span, String> {
    parse_span(s).map(Span)
}

impl ConfigFlags {
    /// The configuration from the file (if any), the environment and these flags.
    pub fn load(&self) -> Result<Config> {
        // RIPOSTE_LOG (the log filter), the test crash point and the devnet's own variables
        // (where ops/devnet is, which OP release it deploys) are not configuration keys.
        self.load_with_env(Env::prefixed("RIPOSTE_").ignore(&[
            "log",
            "test_kill_at",
            "devnet_dir",
            "op_artifacts",
            "web_screenshot",
        ]))
    }

    fn load_with_env(&self, env: Env) -> Result<Config> {
        let mut fig = Figment::new();
        if let Some(path) = &self.config {
            if !path.exists() {
                return Err(AgentError::Config(format!("config file {} does not exist", path.display())));
            }
            fig = fig.merge(Toml::file(path));
        }
        fig = fig.merge(env.map(|k| k.as_str().replace("__", ".").replace('_', "-").into()));
        fig = fig.merge(Serialized::defaults(self));
        let mut metrics = serde_json::Map::new();
        if self.metrics_enabled {
            metrics.insert("enabled".into(), true.into());
        }
        if let Some(a) = self.metrics_addr {
            metrics.insert("addr".into(), a.to_string().into());
        }
        if let Some(p) = self.metrics_port {
            metrics.insert("port".into(), p.into());
        }
        if !metrics.is_empty() {
            fig = fig.merge(Serialized::default("metrics", serde_json::Value::Object(metrics)));
        }
        let mut web = serde_json::Map::new();
        if self.web_enabled || self.web_addr.is_some() || self.web_port.is_some() {
            web.insert("enabled".into(), true.into());
        }
        if let Some(a) = self.web_addr {
            web.insert("addr".into(), a.to_string().into());
        }
        if let Some(p) = self.web_port {
            web.insert("port".into(), p.into());
        }
        if !web.is_empty() {
            fig = fig.merge(Serialized::default("web", serde_json::Value::Object(web)));
        }
        let cfg: Config = fig.extract().map_err(|e| AgentError::Config(describe(e)))?;
        cfg.validate()?;
        Ok(cfg)
    }
}

/// A figment error in one line per problem, naming the key and where its value came from.
fn describe(err: figment::Error) -> String {
    err.into_iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\ninvalid configuration: ")
}

impl Config {
    /// Whether a super-root trace type (9 or 5) is configured.
    pub fn plays_super_roots(&self) -> bool {
        self.trace_type.iter().any(|t| matches!(t, TraceType::SuperCannonKona | TraceType::SuperPermissioned))
    }

    /// The output check in force: the configured one, else `rollup` when a rollup node is given.
    pub fn verify_outputs(&self) -> VerifyOutputs {
        self.verify_outputs.unwrap_or(if self.rollup_rpc.is_some() {
            VerifyOutputs::Rollup
        } else {
            VerifyOutputs::None
        })
    }

    fn validate(&self) -> Result<()> {
        for (key, url) in [
            ("l1-eth-rpc", Some(&self.l1_eth_rpc)),
            ("l2-eth-rpc", Some(&self.l2_eth_rpc)),
            ("rollup-rpc", self.rollup_rpc.as_ref()),
            ("superroot-rpc", self.superroot_rpc.as_ref()),
        ] {
            if let Some(url) = url {
                let parsed = url::Url::parse(url)
                    .map_err(|e| AgentError::Config(format!("{key} {url:?} is not a URL ({e})")))?;
                if !matches!(parsed.scheme(), "http" | "https" | "ws" | "wss") {
                    return Err(AgentError::Config(format!("{key} must be an http(s) or ws(s) URL, got {url:?}")));
                }
            }
        }
        if self.verify_outputs == Some(VerifyOutputs::Rollup) && self.rollup_rpc.is_none() {
            return Err(AgentError::Config("verify-outputs rollup needs rollup-rpc".into()));
        }
        if self.trace_type.is_empty() {
            return Err(AgentError::Config("trace-type is empty".into()));
        }
        if self.max_concurrency == 0 {
            return Err(AgentError::Config("max-concurrency must be at least 1".into()));
        }
        if self.game_factory_address == Address::ZERO {
            return Err(AgentError::Config("game-factory-address is the zero address".into()));
        }
        if self.private_key.is_some() && self.private_key_file.is_some() {
            return Err(AgentError::Config("give private-key or private-key-file, not both".into()));
        }
        Ok(())
    }

    /// The sender's private key, from `private-key` or `private-key-file`; `None` in monitor mode
    /// or when none is configured.
    pub fn signing_key(&self) -> Result<Option<Secret>> {
        if let Some(k) = &self.private_key {
            return Ok(Some(k.clone()));
        }
        if let Some(path) = &self.private_key_file {
            let text = read_key_file(path)?;
            return Ok(Some(Secret(text)));
        }
        Ok(None)
    }
}

fn read_key_file(path: &Path) -> Result<String> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading private-key-file {}", path.display()))?;
    Ok(text.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FACTORY: &str = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

    fn flags() -> ConfigFlags {
        ConfigFlags {
            l1_eth_rpc: Some("http://127.0.0.1:8545".into()),
            l2_eth_rpc: Some("http://127.0.0.1:9545".into()),
            game_factory_address: Some(FACTORY.parse().unwrap()),
            ..ConfigFlags::default()
        }
    }

    fn no_env() -> Env {
        Env::prefixed("RIPOSTE_TEST_NONE_")
    }

    #[test]
    fn flags_alone_give_a_complete_config_with_defaults() {
        let c = flags().load_with_env(no_env()).unwrap();
        assert_eq!(c.game_window.0, Duration::from_secs(28 * 86_400));
        assert_eq!(c.trace_type, vec![TraceType::Alphabet]);
        assert_eq!(c.db, PathBuf::from("./riposte.db"));
        assert_eq!(c.http_poll_interval.0, Duration::from_secs(1), "a new head is seen within a second over HTTP");
        assert!(!c.metrics.enabled);
        assert_eq!(c.metrics.port, 7300);
    }

    #[test]
    fn verify_outputs_defaults_and_needs() {
        assert_eq!(flags().load_with_env(no_env()).unwrap().verify_outputs(), VerifyOutputs::None);
        let with_rollup = ConfigFlags { rollup_rpc: Some("http://127.0.0.1:7545".into()), ..flags() };
        assert_eq!(with_rollup.load_with_env(no_env()).unwrap().verify_outputs(), VerifyOutputs::Rollup);
        let none = ConfigFlags { verify_outputs: Some(VerifyOutputs::None), ..with_rollup };
        assert_eq!(none.load_with_env(no_env()).unwrap().verify_outputs(), VerifyOutputs::None);
        let err = ConfigFlags { verify_outputs: Some(VerifyOutputs::Rollup), ..flags() }
            .load_with_env(no_env())
            .unwrap_err()
            .to_string();
        assert!(err.contains("verify-outputs rollup needs rollup-rpc"), "{err}");
        // Without rollup-config, reexecute uses the built-in config of the L2 node's chain (checked
        // at start against the node).
        let builtin = ConfigFlags { verify_outputs: Some(VerifyOutputs::Reexecute), ..flags() };
        assert_eq!(builtin.load_with_env(no_env()).unwrap().verify_outputs(), VerifyOutputs::Reexecute);
        let ok = ConfigFlags {
            verify_outputs: Some(VerifyOutputs::Reexecute),
            rollup_config: Some("rollup.json".into()),
            ..flags()
        };
        assert_eq!(ok.load_with_env(no_env()).unwrap().verify_outputs(), VerifyOutputs::Reexecute);
    }

    #[test]
    fn file_then_env_then_flags() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(
            &path,
            format!(
                "l1-eth-rpc = \"http://file:1\"\nl2-eth-rpc = \"http://file:2\"\ngame-factory-address = \"{FACTORY}\"\ngame-window = \"12h\"\nmax-concurrency = 3\n[metrics]\nenabled = true\nport = 9000\n"
            ),
        )
        .unwrap();
        let f = ConfigFlags { config: Some(path.clone()), ..ConfigFlags::default() };
        let c = f.load_with_env(no_env()).unwrap();
        assert_eq!(c.l1_eth_rpc, "http://file:1");
        assert_eq!(c.game_window.0, Duration::from_secs(12 * 3600));
        assert_eq!(c.max_concurrency, 3);
        assert!(c.metrics.enabled);
        assert_eq!(c.metrics.port, 9000);
        // Flags win over the file.
        let f = ConfigFlags {
            config: Some(path),
            l1_eth_rpc: Some("http://flag:1".into()),
            metrics_port: Some(9100),
            ..ConfigFlags::default()
        };
        let c = f.load_with_env(no_env()).unwrap();
        assert_eq!(c.l1_eth_rpc, "http://flag:1");
        assert_eq!(c.metrics.port, 9100);
        assert!(c.metrics.enabled, "the file's other metrics keys survive");
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "l1-eth-rcp = \"http://typo\"\n").unwrap();
        let f = ConfigFlags { config: Some(path.clone()), ..flags() };
        let err = f.load_with_env(no_env()).unwrap_err().to_string();
        assert!(err.contains("l1-eth-rcp"), "{err}");

        std::fs::write(&path, "game-window = \"3 fortnights\"\n").unwrap();
        let err =
            ConfigFlags { config: Some(path.clone()), ..flags() }.load_with_env(no_env()).unwrap_err().to_string();
        assert!(err.contains("game-window"), "{err}");

        let err = ConfigFlags { l1_eth_rpc: Some("ws//nope".into()), ..flags() }.load_with_env(no_env()).unwrap_err();
        assert!(err.to_string().contains("l1-eth-rpc"), "{err}");

        // A trace type riposte cannot compute yet is no reason to refuse the file: its games
        // are skipped by name.
        let c = ConfigFlags { trace_type: Some(vec![TraceType::Cannon]), ..flags() }.load_with_env(no_env()).unwrap();
        assert_eq!(c.trace_type, vec![TraceType::Cannon]);

        let missing = ConfigFlags { l2_eth_rpc: None, ..flags() }.load_with_env(no_env()).unwrap_err();
        assert!(missing.to_string().contains("l2-eth-rpc"), "{missing}");
    }

    #[test]
    fn private_key_is_never_printed() {
        let c = ConfigFlags { private_key: Some("0xdeadbeef".into()), ..flags() }.load_with_env(no_env()).unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("deadbeef"), "{shown}");
        assert_eq!(c.signing_key().unwrap().unwrap().expose(), "0xdeadbeef");
    }

    #[test]
    fn spans() {
        assert_eq!(parse_span("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_span("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(parse_span("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_span("28d").unwrap(), Duration::from_secs(28 * 86_400));
        assert!(parse_span("1y").is_err());
        assert!(parse_span("soon").is_err());
    }

    fn repo_config(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../configs").join(name)
    }

    #[test]
    fn shipped_configs_load() {
        let f = ConfigFlags { config: Some(repo_config("devnet.toml")), ..ConfigFlags::default() };
        let c = f.load_with_env(no_env()).unwrap();
        assert_eq!(c.game_factory_address, "0xa513E6E4b8f2a923D98304ec87F64353C4D5C853".parse::<Address>().unwrap());
        assert!(c.metrics.enabled);
        for (net, factory) in [
            ("sepolia.toml", "0x05F9613aDB30026FFd634f38e5C4dFd30a197Fa1"),
            ("mainnet.toml", "0xe5965Ab5962eDc7477C8520243A95517CD252fA9"),
            ("v7-output-roots.example.toml", "0x1111111111111111111111111111111111111111"),
        ] {
            let f = ConfigFlags { config: Some(repo_config(net)), ..ConfigFlags::default() };
            let c = f.load_with_env(no_env()).unwrap_or_else(|e| panic!("{net}: {e}"));
            assert_eq!(c.game_factory_address, factory.parse::<Address>().unwrap(), "{net}");
        }
    }
}
