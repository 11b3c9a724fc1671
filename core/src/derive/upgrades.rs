//! A fork's upgrade deposits, the transactions its activation block runs after the L1-info and
//! user deposits. riposte carries none of their contents: they deploy contract bytecode
//! published by OP Labs (Jovian's five deposits; Karst's 31-transaction network-upgrade bundle,
//! `op-core/nuts/bundles/karst_nut_bundle.json` in the monorepo), so the caller hands them in.

use alloy_eips::Encodable2718;
use alloy_primitives::{Address, Bytes, Sealed, TxKind, U256};
use op_alloy_consensus::{OpTxEnvelope, TxDeposit, UpgradeDepositSource};
use serde_json::Value;

/// The upgrade deposits of one fork's activation block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpgradeBundle {
    /// The fork's name as source-hash intents spell it (`Karst`).
    pub fork: String,
    /// The deposits, EIP-2718 encoded, in order.
    pub transactions: Vec<Bytes>,
    /// The gas the activation block's limit is raised by (Karst's bundle: the sum of its gas
    /// limits; 0 for forks before Karst).
    pub upgrade_gas: u64,
}

/// Why a bundle file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}: {what}")]
pub struct BundleError {
    /// Where it came from.
    pub origin: String,
    /// What is wrong.
    pub what: String,
}

impl UpgradeBundle {
    /// Deposits already encoded (for example Jovian's, as op-node builds them); no upgrade gas.
    pub fn encoded(fork: &str, transactions: Vec<Bytes>) -> Self {
        Self { fork: fork.to_owned(), transactions, upgrade_gas: 0 }
    }

    /// A network-upgrade-transaction bundle (NUT bundle, metadata version 1.0.0) as OP publishes
    /// it: `transactions[i]` = `{intent, from, to (null: create), data, gasLimit}`. Each becomes
    /// a deposit whose source hash is the upgrade domain's of `"{fork} {i}: {intent}"`; the
    /// upgrade gas is the sum of the gas limits.
    pub fn from_nut_json(fork: &str, json: &Value, origin: &str) -> Result<Self, BundleError> {
        let fail = |what: String| BundleError { origin: origin.to_owned(), what };
        match json.pointer("/metadata/version").and_then(Value::as_str) {
            Some("1.0.0") => {}
            other => return Err(fail(format!("metadata.version is {other:?}, riposte reads \"1.0.0\""))),
        }
        let txs =
            json.get("transactions").and_then(Value::as_array).ok_or_else(|| fail("no `transactions` list".into()))?;
        let mut out = Vec::with_capacity(txs.len());
        let mut upgrade_gas = 0u64;
        for (i, tx) in txs.iter().enumerate() {
            let field = |name: &str| tx.get(name).ok_or_else(|| fail(format!("transactions[{i}] has no `{name}`")));
            let intent = field("intent")?.as_str().filter(|s| !s.is_empty());
            let intent = intent.ok_or_else(|| fail(format!("transactions[{i}].intent is not a non-empty string")))?;
            let parse = |name: &str, v: &Value| -> Result<Address, BundleError> {
                serde_json::from_value(v.clone()).map_err(|e| fail(format!("transactions[{i}].{name}: {e}")))
            };
            let from = parse("from", field("from")?)?;
            let to = match tx.get("to") {
                None | Some(Value::Null) => TxKind::Create,
                Some(v) => TxKind::Call(parse("to", v)?),
            };
            let data: Bytes = serde_json::from_value(field("data")?.clone())
                .map_err(|e| fail(format!("transactions[{i}].data: {e}")))?;
            let gas_limit = field("gasLimit")?
                .as_u64()
                .ok_or_else(|| fail(format!("transactions[{i}].gasLimit is not a number")))?;
            upgrade_gas = upgrade_gas.checked_add(gas_limit).ok_or_else(|| fail("the gas limits overflow".into()))?;
            let deposit = TxDeposit {
                source_hash: UpgradeDepositSource { intent: format!("{fork} {i}: {intent}") }.source_hash(),
                from,
                to,
                mint: 0,
                value: U256::ZERO,
                gas_limit,
                is_system_transaction: false,
                input: data,
            };
            out.push(Bytes::from(OpTxEnvelope::Deposit(Sealed::new(deposit)).encoded_2718()));
        }
        Ok(Self { fork: fork.to_owned(), transactions: out, upgrade_gas })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::hex;
    use serde_json::json;

    #[test]
    fn a_nut_bundle_becomes_deposits_with_upgrade_source_hashes() {
        // The worked values of kona's own NUT-bundle tests (monorepo rust/kona/crates/protocol/
        // hardforks/src/nut_bundle.rs): the same two transactions, the same encodings.
        let bundle = json!({
            "metadata": { "version": "1.0.0" },
            "transactions": [
                { "intent": "First Transaction", "from": "0x0000000000000000000000000000000000000000",
                  "to": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "data": "0xabcdef", "gasLimit": 1_000_000 },
                { "intent": "Second Transaction", "from": "0x000000000000000000000000000000000000abba",
                  "to": "0x4200000000000000000000000000000000000015", "data": "0xfeedface", "gasLimit": 5_000_000 },
            ]
        });
        let b = UpgradeBundle::from_nut_json("Test", &bundle, "test bundle").expect("valid");
        assert_eq!(b.upgrade_gas, 6_000_000);
        assert_eq!(
            b.transactions[0].as_ref(),
            hex!(
                "7ef856a0c3ecdc70c81521aae81240518d3547f601bb33ec07b909e83544b2fe093c78bd94000000000000000000000000000000000000000094f39fd6e51aad88f6f4ce6ab8827279cfffb922668080830f42408083abcdef"
            )
        );
        assert_eq!(
            b.transactions[1].as_ref(),
            hex!(
                "7ef857a0ac61fbb5e3d61e626f66c413c564d376e3b363b94a37aab323b860a2293b7c6c94000000000000000000000000000000000000abba9442000000000000000000000000000000000000158080834c4b408084feedface"
            )
        );
    }

    #[test]
    fn a_bad_bundle_is_named() {
        let ok_tx = json!({ "intent": "x", "from": "0x0000000000000000000000000000000000000000", "to": null, "data": "0x", "gasLimit": 1 });
        for (bundle, needle) in [
            (json!({ "transactions": [] }), "metadata.version is None"),
            (json!({ "metadata": { "version": "2.0.0" }, "transactions": [] }), "\"2.0.0\""),
            (json!({ "metadata": { "version": "1.0.0" } }), "no `transactions`"),
            (
                json!({ "metadata": { "version": "1.0.0" }, "transactions": [{ "from": "0x00" }] }),
                "transactions[0] has no `intent`",
            ),
            (
                json!({ "metadata": { "version": "1.0.0" }, "transactions": [ok_tx.clone(), { "intent": "", "from": 1 }] }),
                "transactions[1].intent",
            ),
        ] {
            let err = UpgradeBundle::from_nut_json("Karst", &bundle, "karst.json").expect_err(needle).to_string();
            assert!(err.contains(needle) && err.starts_with("karst.json: "), "{err}");
        }
        let created = UpgradeBundle::from_nut_json(
            "Karst",
            &json!({ "metadata": { "version": "1.0.0" }, "transactions": [ok_tx] }),
            "k",
        )
        .expect("a create");
        assert_eq!(created.upgrade_gas, 1);
    }
}
