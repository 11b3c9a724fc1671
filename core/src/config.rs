//! A chain's rollup config as op-node writes `rollup.json` today.
//!
//! kona-genesis 0.4.5 knows forks only through Jovian, requires `protocol_versions_address`
//! (removed from op-node) and refuses `karst_time`. [`RollupConfig`] is kona's config plus what
//! it lacks: the loader takes the new fields out, fills what was removed, and refuses an unknown
//! fork (`*_time`) or field by name instead of ignoring rules it does not know.

use crate::{
    exec::fees::FeeDefaults,
    forks::{Fork, Forks},
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::ops::{Deref, DerefMut};

/// The fork times kona-genesis 0.4.5 reads itself.
const KONA_FORK_FIELDS: [&str; 11] = [
    "regolith_time",
    "canyon_time",
    "delta_time",
    "ecotone_time",
    "fjord_time",
    "granite_time",
    "holocene_time",
    "pectra_blob_schedule_time",
    "isthmus_time",
    "jovian_time",
    "interop_time",
];

/// A rollup config: kona's, with the forks after Jovian.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollupConfig {
    /// Everything kona-genesis 0.4.5 reads.
    pub kona: kona_genesis::RollupConfig,
    /// Karst (Upgrade 19).
    pub karst_time: Option<u64>,
    /// Whether Karst's upgrade gas stays in the gas limit after its activation block (OP
    /// Mainnet and OP Sepolia set it).
    pub keep_karst_upgrade_gas: bool,
}

/// Why a rollup config cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// Not JSON, or not an object.
    #[error("{origin}: {what}")]
    Malformed {
        /// Where it came from (a path, an RPC call).
        origin: String,
        /// What is wrong.
        what: String,
    },
    /// A fork riposte has no rules for.
    #[error("{origin}: unknown fork `{field}`: riposte does not know its rules")]
    UnknownFork {
        /// Where it came from.
        origin: String,
        /// The field.
        field: String,
    },
    /// `interop_time` and `lagoon_time` (the same fork) disagree.
    #[error("{origin}: interop_time {interop} and lagoon_time {lagoon} name the same fork at different times")]
    LagoonTwice {
        /// Where it came from.
        origin: String,
        /// `interop_time`.
        interop: u64,
        /// `lagoon_time`.
        lagoon: u64,
    },
    /// Fork times out of order.
    #[error("{origin}: {later} is scheduled before {earlier}")]
    Misordered {
        /// Where it came from.
        origin: String,
        /// The earlier fork.
        earlier: Fork,
        /// The later fork, scheduled before it.
        later: Fork,
    },
}

fn time_field(map: &mut Map<String, Value>, field: &str, origin: &str) -> Result<Option<u64>, ConfigError> {
    match map.remove(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_u64().map(Some).ok_or_else(|| ConfigError::Malformed {
            origin: origin.to_owned(),
            what: format!("`{field}` is {v}, not a timestamp"),
        }),
    }
}

impl RollupConfig {
    /// Parses op-node's `rollup.json` (or the result of `optimism_rollupConfig`), naming
    /// `origin` in errors.
    pub fn from_json(value: &Value, origin: &str) -> Result<Self, ConfigError> {
        let malformed = |what: String| ConfigError::Malformed { origin: origin.to_owned(), what };
        let mut map = value.as_object().cloned().ok_or_else(|| malformed("not a JSON object".into()))?;
        let karst_time = time_field(&mut map, "karst_time", origin)?;
        let lagoon = time_field(&mut map, "lagoon_time", origin)?;
        let keep_karst_upgrade_gas = match map.remove("keep_karst_upgrade_gas") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => b,
            Some(v) => return Err(malformed(format!("`keep_karst_upgrade_gas` is {v}, not a boolean"))),
        };
        if let Some(lagoon) = lagoon {
            match map.get("interop_time").and_then(Value::as_u64) {
                Some(interop) if interop != lagoon => {
                    return Err(ConfigError::LagoonTwice { origin: origin.to_owned(), interop, lagoon });
                }
                _ => {
                    map.insert("interop_time".into(), lagoon.into());
                }
            }
        }
        let is_fork = |k: &str| k.ends_with("_time") && k != "block_time";
        if let Some(field) = map.keys().find(|k| is_fork(k) && !KONA_FORK_FIELDS.contains(&k.as_str())) {
            return Err(ConfigError::UnknownFork { origin: origin.to_owned(), field: field.clone() });
        }
        // Removed from op-node's config (v1.19); kona still requires it and riposte never reads it.
        map.entry("protocol_versions_address")
            .or_insert_with(|| Value::String(format!("{:#x}", alloy_primitives::Address::ZERO)));
        let kona: kona_genesis::RollupConfig =
            serde_json::from_value(Value::Object(map)).map_err(|e| malformed(e.to_string()))?;
        let config = Self { kona, karst_time, keep_karst_upgrade_gas };
        if let Some((earlier, later)) = config.forks().misordered() {
            return Err(ConfigError::Misordered { origin: origin.to_owned(), earlier, later });
        }
        Ok(config)
    }

    /// The rollup config riposte carries for `l2_chain_id` (OP Mainnet 10, OP Sepolia 11155420;
    /// values from the superchain registry, see `core/chains/README.md`).
    pub fn builtin(l2_chain_id: u64) -> Option<Self> {
        let (name, text) = match l2_chain_id {
            10 => ("op-mainnet", include_str!("../chains/op-mainnet.rollup.json")),
            11_155_420 => ("op-sepolia", include_str!("../chains/op-sepolia.rollup.json")),
            _ => return None,
        };
        let value: Value = serde_json::from_str(text).ok()?;
        Self::from_json(&value, &format!("built-in rollup config {name}")).ok()
    }

    /// The built-in config called `name` (`op-mainnet`, `op-sepolia`).
    pub fn named(name: &str) -> Option<Self> {
        match name {
            "op-mainnet" => Self::builtin(10),
            "op-sepolia" => Self::builtin(11_155_420),
            _ => None,
        }
    }

    /// Reads `rollup.json` from `path`, or a built-in config by name (`op-mainnet`,
    /// `op-sepolia`) when no such file exists.
    pub fn load_or_named(path: &std::path::Path) -> Result<Self, ConfigError> {
        if !path.exists()
            && let Some(config) = path.to_str().and_then(Self::named)
        {
            return Ok(config);
        }
        Self::load(path)
    }

    /// Reads `rollup.json` from `path`.
    pub fn load(path: &std::path::Path) -> Result<Self, ConfigError> {
        let origin = format!("rollup config {}", path.display());
        let bytes =
            std::fs::read(path).map_err(|e| ConfigError::Malformed { origin: origin.clone(), what: e.to_string() })?;
        let value: Value = serde_json::from_slice(&bytes)
            .map_err(|e| ConfigError::Malformed { origin: origin.clone(), what: e.to_string() })?;
        Self::from_json(&value, &origin)
    }

    /// The fork schedule.
    pub fn forks(&self) -> Forks {
        Forks::of_rollup(&self.kona, self.karst_time)
    }

    /// The chain's default EIP-1559 parameters.
    pub fn fee_defaults(&self) -> FeeDefaults {
        FeeDefaults::of_rollup(&self.kona)
    }

    /// Whether `fork` is active at `timestamp`.
    pub fn is_active(&self, fork: Fork, timestamp: u64) -> bool {
        self.forks().is_active(fork, timestamp)
    }
}

impl From<kona_genesis::RollupConfig> for RollupConfig {
    fn from(kona: kona_genesis::RollupConfig) -> Self {
        Self { kona, karst_time: None, keep_karst_upgrade_gas: false }
    }
}

/// kona's fields are reachable directly (`config.l2_chain_id`, `config.is_canyon_active(t)`).
impl Deref for RollupConfig {
    type Target = kona_genesis::RollupConfig;
    fn deref(&self) -> &Self::Target {
        &self.kona
    }
}

impl DerefMut for RollupConfig {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.kona
    }
}

impl Serialize for RollupConfig {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut value = serde_json::to_value(&self.kona).map_err(serde::ser::Error::custom)?;
        if let Some(map) = value.as_object_mut() {
            if let Some(t) = self.karst_time {
                map.insert("karst_time".into(), t.into());
            }
            if self.keep_karst_upgrade_gas {
                map.insert("keep_karst_upgrade_gas".into(), true.into());
            }
        }
        value.serialize(s)
    }
}

impl<'de> Deserialize<'de> for RollupConfig {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        Self::from_json(&value, "rollup config").map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The shape op-node v1.19 writes (OP Sepolia's values, abridged to what kona requires).
    fn op_node_json() -> Value {
        json!({
            "genesis": {
                "l1": { "hash": "0x48f520cf4ddaf34c8336e6e490632ea3cf1e5e93b0b2bc6e917557e31845371b", "number": 4071408 },
                "l2": { "hash": "0x102de6ffb001480cc9b8b548fd05c34cd4f46ae4aa91759393db90ea0409887d", "number": 0 },
                "l2_time": 1691802540,
                "system_config": {
                    "batcherAddr": "0x8f23bb38f531600e5d8fddaaec41f13fab46e98c",
                    "overhead": "0x00000000000000000000000000000000000000000000000000000000000000bc",
                    "scalar": "0x00000000000000000000000000000000000000000000000000000000000a6fe0",
                    "gasLimit": 30000000
                }
            },
            "block_time": 2, "max_sequencer_drift": 600, "seq_window_size": 3600, "channel_timeout": 300,
            "l1_chain_id": 11155111, "l2_chain_id": 11155420,
            "regolith_time": 0, "canyon_time": 1699981200, "delta_time": 1703203200, "ecotone_time": 1708534800,
            "fjord_time": 1716998400, "granite_time": 1723478400, "holocene_time": 1732633200,
            "pectra_blob_schedule_time": 1742486400, "isthmus_time": 1744905600, "jovian_time": 1763568001,
            "karst_time": 1781712001, "keep_karst_upgrade_gas": true,
            "batch_inbox_address": "0xff00000000000000000000000000000011155420",
            "deposit_contract_address": "0x16fc5058f25648194471939df75cf27a2fdc48bc",
            "l1_system_config_address": "0x034edd2a225f7f429a63e0f1d2084b9e0a93b538",
            "chain_op_config": { "eip1559Elasticity": 6, "eip1559Denominator": 50, "eip1559DenominatorCanyon": 250 }
        })
    }

    #[test]
    fn loads_what_op_node_writes_today() {
        let c = RollupConfig::from_json(&op_node_json(), "test").expect("loads");
        assert_eq!(c.karst_time, Some(1_781_712_001));
        assert!(c.keep_karst_upgrade_gas);
        assert_eq!(c.l2_chain_id.id(), 11_155_420);
        let f = c.forks();
        assert_eq!(f.fork_at(1_781_712_000), Fork::Jovian);
        assert_eq!(f.fork_at(1_781_712_001), Fork::Karst);
        // And kona's own output (with protocol_versions_address) round-trips through ours.
        let again: RollupConfig = serde_json::from_value(serde_json::to_value(&c).expect("ser")).expect("de");
        assert_eq!(again, c);
        // lagoon_time is interop_time under its new name.
        let mut v = op_node_json();
        v["lagoon_time"] = json!(1_900_000_000u64);
        let c = RollupConfig::from_json(&v, "test").expect("lagoon");
        assert_eq!(c.forks().fork_at(1_900_000_000), Fork::Lagoon);
    }

    #[test]
    fn built_in_configs_carry_the_registry_values() {
        let main = RollupConfig::builtin(10).expect("OP Mainnet");
        let f = main.forks();
        // Jovian 2025-12-02 16:00:01, Karst 2026-07-08 16:00:01 UTC (superchain registry 8336d2ae).
        assert_eq!(f.fork_at(1_764_691_200), Fork::Isthmus);
        assert_eq!(f.fork_at(1_764_691_201), Fork::Jovian);
        assert_eq!(f.fork_at(1_783_526_401), Fork::Karst);
        assert!(main.keep_karst_upgrade_gas);
        assert_eq!((main.l1_chain_id, main.genesis.l2.number, main.block_time), (1, 105_235_063, 2));
        assert!(f.is_active(Fork::Regolith, main.genesis.l2_time));
        let sep = RollupConfig::named("op-sepolia").expect("OP Sepolia");
        assert_eq!(sep.l2_chain_id.id(), 11_155_420);
        assert_eq!(sep.forks().fork_at(1_781_712_001), Fork::Karst);
        assert_eq!(sep.hardforks.pectra_blob_schedule_time, Some(1_742_486_400));
        assert_eq!(sep.fee_defaults().canyon, alloy_eips::eip1559::BaseFeeParams::new(250, 6));
        assert!(RollupConfig::builtin(8453).is_none() && RollupConfig::named("base").is_none());
        // A name is used only when no file of that name exists.
        let loaded = RollupConfig::load_or_named(std::path::Path::new("op-mainnet")).expect("by name");
        assert_eq!(loaded, main);
        let err = RollupConfig::load_or_named(std::path::Path::new("/nonexistent/rollup.json")).expect_err("no file");
        assert!(err.to_string().contains("/nonexistent/rollup.json"), "{err}");
    }

    #[test]
    fn unknown_forks_fields_and_bad_values_are_named() {
        let cases: [(&str, Value, &str); 6] = [
            ("monsoon_time", json!(1), "unknown fork `monsoon_time`"),
            ("karst_time", json!("soon"), "`karst_time` is \"soon\""),
            ("keep_karst_upgrade_gas", json!(1), "`keep_karst_upgrade_gas` is 1"),
            ("no_such_field", json!(1), "unknown field `no_such_field`"),
            ("karst_time", json!(1_700_000_000u64), "Karst is scheduled before Jovian"),
            ("interop_time", json!(5), "Lagoon is scheduled before Karst"),
        ];
        for (field, value, needle) in cases {
            let mut v = op_node_json();
            v[field] = value;
            let err = RollupConfig::from_json(&v, "rollup.json").expect_err(needle).to_string();
            assert!(err.contains(needle) && err.starts_with("rollup.json: "), "{field}: {err}");
        }
        let mut v = op_node_json();
        v["interop_time"] = json!(1_900_000_000u64);
        v["lagoon_time"] = json!(1_900_000_001u64);
        assert!(matches!(RollupConfig::from_json(&v, "x"), Err(ConfigError::LagoonTwice { .. })));
        assert!(RollupConfig::from_json(&json!([1]), "x").is_err());
    }
}
