//! Intents (what the agent means to send), their signed attempts, and credits claimed.

use std::str::FromStr;

use alloy_primitives::{Address, B256, Bytes, U256};
use sqlx::Row;

use crate::{Reader, Result, StorageError, Store, db, hex, to_i64};

/// Where an intent stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntentState {
    /// Written, not signed.
    Pending,
    /// At least one attempt was (or may have been) broadcast.
    Sent,
    /// Mined and succeeded.
    Confirmed,
    /// Mined and reverted.
    Reverted,
    /// Never reached the chain (rejected in simulation or by the node).
    Failed,
    /// Left behind at a restart before it was ever signed.
    Abandoned,
}

impl IntentState {
    /// The state's name in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Confirmed => "confirmed",
            Self::Reverted => "reverted",
            Self::Failed => "failed",
            Self::Abandoned => "abandoned",
        }
    }
}

impl FromStr for IntentState {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Ok(match s {
            "pending" => Self::Pending,
            "sent" => Self::Sent,
            "confirmed" => Self::Confirmed,
            "reverted" => Self::Reverted,
            "failed" => Self::Failed,
            "abandoned" => Self::Abandoned,
            other => return Err(format!("unknown intent state {other:?}")),
        })
    }
}

/// A transaction the agent means to send, identified by what it does (`key`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIntent {
    /// The game it concerns.
    pub game: Address,
    /// `move`, `step`, `add_local_data`, `resolve_claim`, `resolve`, `claim_credit`, …
    pub kind: String,
    /// What makes two intents the same action (e.g. `move:<game>:<parent>:<position>:<value>`).
    pub key: String,
    /// Contract called.
    pub target: Address,
    /// Calldata.
    pub calldata: Bytes,
    /// Wei sent.
    pub value: U256,
}

/// A stored intent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent {
    /// Row id.
    pub id: i64,
    /// What it is.
    pub intent: NewIntent,
    /// Where it stands.
    pub state: IntentState,
    /// Nonce of its attempts, once signed.
    pub nonce: Option<u64>,
    /// The mined (or latest) transaction.
    pub tx_hash: Option<B256>,
    /// Block it was mined in.
    pub block: Option<u64>,
    /// Why it failed.
    pub error: Option<String>,
}

/// One signed transaction for an intent (fee bumps add attempts with the same nonce).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The intent.
    pub intent_id: i64,
    /// Nonce.
    pub nonce: u64,
    /// Transaction hash.
    pub tx_hash: B256,
    /// The signed, encoded transaction, to rebroadcast as is.
    pub raw: Bytes,
    /// EIP-1559 fee cap.
    pub max_fee_per_gas: u128,
    /// EIP-1559 tip.
    pub max_priority_fee_per_gas: u128,
    /// When it was signed (unix seconds).
    pub sent_at: u64,
}

fn read_intent(row: &sqlx::sqlite::SqliteRow) -> Result<Intent> {
    let id: i64 = row.try_get("id").map_err(db("reading intents.id"))?;
    let r = Reader { row, table: "intents", key: id.to_string() };
    let opt_text = |c: &'static str| -> Result<Option<String>> { row.try_get(c).map_err(|e| r.corrupt(c, e)) };
    let nonce: Option<i64> = row.try_get("nonce").map_err(|e| r.corrupt("nonce", e))?;
    let block: Option<i64> = row.try_get("block").map_err(|e| r.corrupt("block", e))?;
    let tx_hash = match opt_text("tx_hash")? {
        Some(s) => Some(B256::from_str(&s).map_err(|e| r.corrupt("tx_hash", e))?),
        None => None,
    };
    Ok(Intent {
        id,
        intent: NewIntent {
            game: r.parse("game")?,
            kind: r.text("kind")?,
            key: r.text("action_key")?,
            target: r.parse("target")?,
            calldata: r.parse("calldata")?,
            value: r.parse("value")?,
        },
        state: r.parse("state")?,
        nonce: nonce.map(|n| u64::try_from(n).map_err(|_| r.corrupt("nonce", "negative"))).transpose()?,
        tx_hash,
        block: block.map(|n| u64::try_from(n).map_err(|_| r.corrupt("block", "negative"))).transpose()?,
        error: opt_text("error")?,
    })
}

impl Store {
    /// The intent with this key, if any.
    pub async fn intent_by_key(&self, key: &str) -> Result<Option<Intent>> {
        let row = sqlx::query("SELECT * FROM intents WHERE action_key = ?")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(db(format!("reading intent {key}")))?;
        row.as_ref().map(read_intent).transpose()
    }

    /// Records a new intent in state `pending` and returns it. The key must be new.
    pub async fn insert_intent(&self, new: &NewIntent, now: u64) -> Result<Intent> {
        let now = to_i64(now, "created_at")?;
        let row = sqlx::query(
            "INSERT INTO intents (game, kind, action_key, target, calldata, value, state, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?) RETURNING *",
        )
        .bind(hex(new.game))
        .bind(&new.kind)
        .bind(&new.key)
        .bind(hex(new.target))
        .bind(new.calldata.to_string())
        .bind(new.value.to_string())
        .bind(now)
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .map_err(db(format!("writing intent {}", new.key)))?;
        read_intent(&row)
    }

    /// Records a signed attempt and marks its intent `sent`, atomically: once this returns,
    /// the transaction may be broadcast.
    pub async fn record_attempt(&self, a: &Attempt) -> Result<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(db("starting a transaction"))?;
        sqlx::query(
            "INSERT INTO attempts (intent_id, nonce, tx_hash, raw, max_fee_per_gas, max_priority_fee_per_gas, sent_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(a.intent_id)
        .bind(to_i64(a.nonce, "nonce")?)
        .bind(hex(a.tx_hash))
        .bind(a.raw.to_string())
        .bind(a.max_fee_per_gas.to_string())
        .bind(a.max_priority_fee_per_gas.to_string())
        .bind(to_i64(a.sent_at, "sent_at")?)
        .execute(&mut *tx)
        .await
        .map_err(db(format!("writing attempt {}", a.tx_hash)))?;
        sqlx::query("UPDATE intents SET state = 'sent', nonce = ?, tx_hash = ?, updated_at = ? WHERE id = ?")
            .bind(to_i64(a.nonce, "nonce")?)
            .bind(hex(a.tx_hash))
            .bind(to_i64(a.sent_at, "updated_at")?)
            .bind(a.intent_id)
            .execute(&mut *tx)
            .await
            .map_err(db(format!("marking intent {} sent", a.intent_id)))?;
        tx.commit().await.map_err(db("committing an attempt"))?;
        Ok(())
    }

    /// Moves an intent to `state`, recording the transaction, block or error when given.
    pub async fn set_intent_state(
        &self,
        id: i64,
        state: IntentState,
        tx_hash: Option<B256>,
        block: Option<u64>,
        error: Option<&str>,
        now: u64,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE intents SET state = ?, tx_hash = COALESCE(?, tx_hash), block = ?, error = ?, updated_at = ? \
             WHERE id = ?",
        )
        .bind(state.as_str())
        .bind(tx_hash.map(hex))
        .bind(block.map(|b| to_i64(b, "block")).transpose()?)
        .bind(error)
        .bind(to_i64(now, "updated_at")?)
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(db(format!("updating intent {id}")))?;
        Ok(())
    }

    /// Every intent in `state`, oldest first.
    pub async fn intents_in_state(&self, state: IntentState) -> Result<Vec<Intent>> {
        let rows = sqlx::query("SELECT * FROM intents WHERE state = ? ORDER BY id")
            .bind(state.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(db("listing intents"))?;
        rows.iter().map(read_intent).collect()
    }

    /// Every intent, oldest first.
    pub async fn intents(&self) -> Result<Vec<Intent>> {
        let rows = sqlx::query("SELECT * FROM intents ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .map_err(db("listing intents"))?;
        rows.iter().map(read_intent).collect()
    }

    /// The attempts of an intent, in signing order.
    pub async fn attempts(&self, intent_id: i64) -> Result<Vec<Attempt>> {
        let rows = sqlx::query("SELECT * FROM attempts WHERE intent_id = ? ORDER BY rowid")
            .bind(intent_id)
            .fetch_all(&self.pool)
            .await
            .map_err(db(format!("reading attempts of intent {intent_id}")))?;
        rows.iter()
            .map(|row| {
                let r = Reader { row, table: "attempts", key: intent_id.to_string() };
                Ok(Attempt {
                    intent_id,
                    nonce: r.int("nonce")?,
                    tx_hash: r.parse("tx_hash")?,
                    raw: r.parse("raw")?,
                    max_fee_per_gas: r.parse("max_fee_per_gas")?,
                    max_priority_fee_per_gas: r.parse("max_priority_fee_per_gas")?,
                    sent_at: r.int("sent_at")?,
                })
            })
            .collect()
    }

    /// The highest nonce ever signed, if any.
    pub async fn max_signed_nonce(&self) -> Result<Option<u64>> {
        let row = sqlx::query("SELECT MAX(nonce) AS n FROM attempts")
            .fetch_one(&self.pool)
            .await
            .map_err(db("reading the highest nonce"))?;
        let n: Option<i64> = row.try_get("n").map_err(db("reading the highest nonce"))?;
        n.map(|n| {
            u64::try_from(n).map_err(|_| StorageError::Corrupt {
                table: "attempts",
                column: "nonce",
                key: n.to_string(),
                reason: "negative".into(),
            })
        })
        .transpose()
    }

    /// Records a confirmed `claimCredit`.
    pub async fn record_credit_claimed(
        &self,
        game: Address,
        recipient: Address,
        amount: U256,
        tx_hash: B256,
        now: u64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO credits_claimed (game, recipient, amount, tx_hash, claimed_at) VALUES (?, ?, ?, ?, ?) \
             ON CONFLICT (game, recipient) DO NOTHING",
        )
        .bind(hex(game))
        .bind(hex(recipient))
        .bind(amount.to_string())
        .bind(hex(tx_hash))
        .bind(to_i64(now, "claimed_at")?)
        .execute(&self.pool)
        .await
        .map_err(db(format!("recording credit of {recipient} in {game}")))?;
        Ok(())
    }

    /// Credits claimed so far, as `(game, recipient, amount)`.
    pub async fn credits_claimed(&self) -> Result<Vec<(Address, Address, U256)>> {
        let rows = sqlx::query("SELECT * FROM credits_claimed ORDER BY claimed_at")
            .fetch_all(&self.pool)
            .await
            .map_err(db("listing credits"))?;
        rows.iter()
            .map(|row| {
                let r = Reader { row, table: "credits_claimed", key: String::new() };
                Ok((r.parse("game")?, r.parse("recipient")?, r.parse("amount")?))
            })
            .collect()
    }
}
