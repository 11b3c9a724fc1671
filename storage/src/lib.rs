//! riposte's durable state in SQLite (through sqlx): the games it tracks, the claims it has
//! read from them, how far it has scanned each factory, the transactions it intends to send
//! and has sent, and the credits it has claimed.
//!
//! The schema lives in the workspace's `migrations/` and is applied on open. Every write that
//! must be all-or-nothing runs in one `BEGIN IMMEDIATE` transaction (so concurrent writers wait
//! for each other instead of failing), and the database runs with WAL and
//! `synchronous = FULL`, so a kill at any moment leaves either the old or the new state.
//! This crate stores; it decides nothing.

use std::{path::Path, str::FromStr, time::Duration};

use alloy_primitives::{Address, B256, Bytes};
use riposte_game::{Claim, ClaimTree, Clock, GameError, Position};
use sqlx::{
    Row, SqlitePool,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

mod intents;

pub use intents::{Attempt, Intent, IntentState, NewIntent};

/// What can go wrong reading or writing the database.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The database could not be opened, or a query failed.
    #[error("database {context}: {source}")]
    Sqlx {
        /// What was being done.
        context: String,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// The schema migrations failed.
    #[error("migrating the database schema: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value that does not parse: the database was edited or is corrupt.
    #[error("corrupt value in {table}.{column} for {key}: {reason}")]
    Corrupt {
        /// Table holding the value.
        table: &'static str,
        /// Column holding the value.
        column: &'static str,
        /// Row key.
        key: String,
        /// Why it does not parse.
        reason: String,
    },
    /// Stored claims that do not form a valid game tree.
    #[error("stored claims of game {game} are inconsistent: {source}")]
    InvalidTree {
        /// The game.
        game: Address,
        /// What the game rules reject.
        #[source]
        source: GameError,
    },
    /// Claims appended out of order (there would be a gap or an overlap).
    #[error("claims of game {game} must be appended at index {expected}, not {got}")]
    ClaimGap {
        /// The game.
        game: Address,
        /// The next index the store expects.
        expected: u64,
        /// The index given.
        got: u64,
    },
}

/// Result alias for this crate.
pub type Result<T, E = StorageError> = std::result::Result<T, E>;

fn db(context: impl Into<String>) -> impl FnOnce(sqlx::Error) -> StorageError {
    let context = context.into();
    move |source| StorageError::Sqlx { context, source }
}

/// A game's fixed facts, read once when it is first seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GameRecord {
    /// The game proxy's address.
    pub address: Address,
    /// The factory that created it.
    pub factory: Address,
    /// Its index in the factory (`gameAtIndex`).
    pub game_index: u64,
    /// `gameType()`.
    pub game_type: u32,
    /// `createdAt()`.
    pub created_at: u64,
    /// `version()`.
    pub version: String,
    /// `rootClaim()`.
    pub root_claim: B256,
    /// `l1Head()`.
    pub l1_head: B256,
    /// `l2BlockNumber()`.
    pub l2_block_number: u64,
    /// `startingBlockNumber()`.
    pub starting_block: u64,
    /// `startingRootHash()`.
    pub starting_root: B256,
    /// `maxGameDepth()`.
    pub max_depth: u8,
    /// `splitDepth()`.
    pub split_depth: u8,
    /// `maxClockDuration()`.
    pub max_clock_duration: u64,
    /// `clockExtension()`.
    pub clock_extension: u64,
    /// `status()` as last seen.
    pub status: u8,
    /// `absolutePrestate()`.
    pub absolute_prestate: B256,
    /// `l2ChainId()`.
    pub l2_chain_id: u64,
    /// `vm()`.
    pub vm: Address,
    /// `weth()`.
    pub weth: Address,
    /// `vm().oracle().challengePeriod()` for games with the 1.3+ step extension, else 0.
    pub oracle_challenge_period: u64,
    /// `anchorStateRegistry()`.
    pub anchor_registry: Address,
    /// `proposer()` of a permissioned game (zero otherwise).
    pub proposer: Address,
    /// `challenger()` of a permissioned game (zero otherwise).
    pub challenger: Address,
    /// A super-root game's proposal, the SuperV1 preimage of its `extraData` (none for
    /// output-root games). Its presence is what makes the sequence numbers timestamps.
    pub super_root: Option<Bytes>,
}

/// A proposal without a bisection game (the simplified type-5 game), read once when first seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalRecord {
    /// The game proxy's address.
    pub address: Address,
    /// The factory that created it.
    pub factory: Address,
    /// Its index in the factory.
    pub game_index: u64,
    /// `gameType()`.
    pub game_type: u32,
    /// `createdAt` from the factory.
    pub created_at: u64,
    /// `rootClaim()`.
    pub root_claim: B256,
    /// The SuperV1 preimage of `extraData()`.
    pub super_root: Bytes,
    /// `l1Head()`.
    pub l1_head: B256,
    /// `anchorStateRegistry()`.
    pub registry: Address,
    /// `wasRespectedGameTypeWhenCreated()`.
    pub respected: bool,
    /// `pending` until judged and settled; then `dishonest`, `not-respected`, `invalid`,
    /// `superseded` or `anchored`.
    pub state: String,
}

/// A handle on the database; cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

fn hex<T: std::fmt::LowerHex>(v: T) -> String {
    format!("{v:#x}")
}

fn to_i64(v: u64, what: &'static str) -> Result<i64> {
    i64::try_from(v).map_err(|_| StorageError::Corrupt {
        table: "-",
        column: what,
        key: v.to_string(),
        reason: "does not fit SQLite's 64-bit integer".into(),
    })
}

struct Reader<'a> {
    row: &'a sqlx::sqlite::SqliteRow,
    table: &'static str,
    key: String,
}

impl Reader<'_> {
    fn corrupt(&self, column: &'static str, reason: impl ToString) -> StorageError {
        StorageError::Corrupt { table: self.table, column, key: self.key.clone(), reason: reason.to_string() }
    }

    fn int<T: TryFrom<i64>>(&self, column: &'static str) -> Result<T> {
        let v: i64 = self.row.try_get(column).map_err(|e| self.corrupt(column, e))?;
        T::try_from(v).map_err(|_| self.corrupt(column, format!("{v} is out of range")))
    }

    fn text(&self, column: &'static str) -> Result<String> {
        self.row.try_get(column).map_err(|e| self.corrupt(column, e))
    }

    fn parse<T: FromStr>(&self, column: &'static str) -> Result<T>
    where
        T::Err: std::fmt::Display,
    {
        let s = self.text(column)?;
        s.parse().map_err(|e| self.corrupt(column, format!("{s:?}: {e}")))
    }

    fn optional<T: FromStr>(&self, column: &'static str) -> Result<Option<T>>
    where
        T::Err: std::fmt::Display,
    {
        let s: Option<String> = self.row.try_get(column).map_err(|e| self.corrupt(column, e))?;
        s.map(|s| s.parse().map_err(|e| self.corrupt(column, format!("{s:?}: {e}")))).transpose()
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    pub async fn open(path: &Path) -> Result<Self> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(db(format!("opening {}", path.display())))?;
        sqlx::migrate!("../migrations").run(&pool).await?;
        Ok(Self { pool })
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The next factory index to scan (0 if never scanned).
    pub async fn factory_cursor(&self, factory: Address) -> Result<u64> {
        let row = sqlx::query("SELECT next_index FROM factory_cursor WHERE factory = ?")
            .bind(hex(factory))
            .fetch_optional(&self.pool)
            .await
            .map_err(db("reading factory_cursor"))?;
        match row {
            None => Ok(0),
            Some(row) => Reader { row: &row, table: "factory_cursor", key: hex(factory) }.int("next_index"),
        }
    }

    /// Records that every factory index below `next_index` has been scanned.
    pub async fn set_factory_cursor(&self, factory: Address, next_index: u64) -> Result<()> {
        sqlx::query(
            "INSERT INTO factory_cursor (factory, next_index) VALUES (?, ?) \
             ON CONFLICT (factory) DO UPDATE SET next_index = excluded.next_index",
        )
        .bind(hex(factory))
        .bind(to_i64(next_index, "next_index")?)
        .execute(&self.pool)
        .await
        .map_err(db("writing factory_cursor"))?;
        Ok(())
    }

    /// Inserts a game, or updates its status if it is already known.
    pub async fn upsert_game(&self, g: &GameRecord) -> Result<()> {
        sqlx::query(
            "INSERT INTO games (address, factory, game_index, game_type, created_at, version, root_claim, l1_head, \
             l2_block_number, starting_block, starting_root, max_depth, split_depth, max_clock_duration, \
             clock_extension, status, absolute_prestate, l2_chain_id, vm, weth, oracle_challenge_period, \
             anchor_registry, proposer, challenger, super_root) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (address) DO UPDATE SET status = excluded.status",
        )
        .bind(hex(g.address))
        .bind(hex(g.factory))
        .bind(to_i64(g.game_index, "game_index")?)
        .bind(i64::from(g.game_type))
        .bind(to_i64(g.created_at, "created_at")?)
        .bind(&g.version)
        .bind(hex(g.root_claim))
        .bind(hex(g.l1_head))
        .bind(to_i64(g.l2_block_number, "l2_block_number")?)
        .bind(to_i64(g.starting_block, "starting_block")?)
        .bind(hex(g.starting_root))
        .bind(i64::from(g.max_depth))
        .bind(i64::from(g.split_depth))
        .bind(to_i64(g.max_clock_duration, "max_clock_duration")?)
        .bind(to_i64(g.clock_extension, "clock_extension")?)
        .bind(i64::from(g.status))
        .bind(hex(g.absolute_prestate))
        .bind(to_i64(g.l2_chain_id, "l2_chain_id")?)
        .bind(hex(g.vm))
        .bind(hex(g.weth))
        .bind(to_i64(g.oracle_challenge_period, "oracle_challenge_period")?)
        .bind(hex(g.anchor_registry))
        .bind(hex(g.proposer))
        .bind(hex(g.challenger))
        .bind(g.super_root.as_ref().map(hex))
        .execute(&self.pool)
        .await
        .map_err(db(format!("writing game {}", g.address)))?;
        Ok(())
    }

    /// A game by address.
    pub async fn game(&self, address: Address) -> Result<Option<GameRecord>> {
        let row = sqlx::query("SELECT * FROM games WHERE address = ?")
            .bind(hex(address))
            .fetch_optional(&self.pool)
            .await
            .map_err(db(format!("reading game {address}")))?;
        row.map(|row| read_game(&row, address)).transpose()
    }

    /// Every stored game, oldest factory index first.
    pub async fn games(&self) -> Result<Vec<GameRecord>> {
        let rows = sqlx::query("SELECT * FROM games ORDER BY factory, game_index")
            .fetch_all(&self.pool)
            .await
            .map_err(db("listing games"))?;
        rows.iter()
            .map(|row| {
                let key: String = row.try_get("address").unwrap_or_default();
                let address = Address::from_str(&key).map_err(|e| StorageError::Corrupt {
                    table: "games",
                    column: "address",
                    key: key.clone(),
                    reason: e.to_string(),
                })?;
                read_game(row, address)
            })
            .collect()
    }

    /// Number of claims stored for a game.
    pub async fn claim_count(&self, game: Address) -> Result<u64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM claims WHERE game = ?")
            .bind(hex(game))
            .fetch_one(&self.pool)
            .await
            .map_err(db(format!("counting claims of {game}")))?;
        Reader { row: &row, table: "claims", key: hex(game) }.int("n")
    }

    /// Appends claims `first_index..` of a game in one transaction. `first_index` must equal
    /// the number already stored, so a restart never leaves a gap or stores a claim twice.
    pub async fn append_claims(&self, game: Address, first_index: u64, claims: &[Claim]) -> Result<()> {
        self.write_claims(game, first_index, claims, false).await
    }

    /// Replaces every stored claim of a game (after a reorg), in one transaction.
    pub async fn replace_claims(&self, game: Address, claims: &[Claim]) -> Result<()> {
        self.write_claims(game, 0, claims, true).await
    }

    async fn write_claims(&self, game: Address, first_index: u64, claims: &[Claim], replace: bool) -> Result<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(db("starting a transaction"))?;
        if replace {
            sqlx::query("DELETE FROM claims WHERE game = ?")
                .bind(hex(game))
                .execute(&mut *tx)
                .await
                .map_err(db(format!("clearing claims of {game}")))?;
        }
        let row = sqlx::query("SELECT COUNT(*) AS n FROM claims WHERE game = ?")
            .bind(hex(game))
            .fetch_one(&mut *tx)
            .await
            .map_err(db(format!("counting claims of {game}")))?;
        let stored: u64 = Reader { row: &row, table: "claims", key: hex(game) }.int("n")?;
        if stored != first_index {
            return Err(StorageError::ClaimGap { game, expected: stored, got: first_index });
        }
        for (i, c) in claims.iter().enumerate() {
            let idx = first_index + i as u64;
            sqlx::query(
                "INSERT INTO claims (game, idx, parent_index, countered_by, claimant, bond, value, position, \
                 clock_duration, clock_timestamp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(hex(game))
            .bind(to_i64(idx, "idx")?)
            .bind(i64::from(c.parent_index))
            .bind(hex(c.countered_by))
            .bind(hex(c.claimant))
            .bind(c.bond.to_string())
            .bind(hex(c.value))
            .bind(c.position.gindex().to_string())
            .bind(to_i64(c.clock.duration, "clock_duration")?)
            .bind(to_i64(c.clock.timestamp, "clock_timestamp")?)
            .execute(&mut *tx)
            .await
            .map_err(db(format!("writing claim {idx} of {game}")))?;
        }
        tx.commit().await.map_err(db(format!("committing claims of {game}")))?;
        Ok(())
    }

    /// Updates `counteredBy` of a stored claim (set by a step or by resolution).
    pub async fn set_countered_by(&self, game: Address, index: u64, by: Address) -> Result<()> {
        sqlx::query("UPDATE claims SET countered_by = ? WHERE game = ? AND idx = ?")
            .bind(hex(by))
            .bind(hex(game))
            .bind(to_i64(index, "idx")?)
            .execute(&self.pool)
            .await
            .map_err(db(format!("updating claim {index} of {game}")))?;
        Ok(())
    }

    /// All stored claims of a game, in index order.
    pub async fn claims(&self, game: Address) -> Result<Vec<Claim>> {
        let rows = sqlx::query("SELECT * FROM claims WHERE game = ? ORDER BY idx")
            .bind(hex(game))
            .fetch_all(&self.pool)
            .await
            .map_err(db(format!("reading claims of {game}")))?;
        rows.iter()
            .map(|row| {
                let idx: i64 = row.try_get("idx").unwrap_or(-1);
                let r = Reader { row, table: "claims", key: format!("{game}/{idx}") };
                let gindex: u128 = r.parse("position")?;
                Ok(Claim {
                    parent_index: r.int("parent_index")?,
                    countered_by: r.parse("countered_by")?,
                    claimant: r.parse("claimant")?,
                    bond: r.parse("bond")?,
                    value: r.parse("value")?,
                    position: Position::from_gindex(gindex).map_err(|e| r.corrupt("position", e))?,
                    clock: Clock::new(r.int("clock_duration")?, r.int("clock_timestamp")?),
                })
            })
            .collect()
    }

    /// The stored claims of a game as a validated tree (`None` if none are stored).
    pub async fn claim_tree(&self, game: Address) -> Result<Option<ClaimTree>> {
        let claims = self.claims(game).await?;
        if claims.is_empty() {
            return Ok(None);
        }
        ClaimTree::from_claims(claims).map(Some).map_err(|source| StorageError::InvalidTree { game, source })
    }

    /// Records a proposal the first time it is seen (a known one is left as it is).
    pub async fn insert_proposal(&self, p: &ProposalRecord) -> Result<()> {
        sqlx::query(
            "INSERT INTO proposals (address, factory, game_index, game_type, created_at, root_claim, super_root, \
             l1_head, registry, respected, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (address) DO NOTHING",
        )
        .bind(hex(p.address))
        .bind(hex(p.factory))
        .bind(to_i64(p.game_index, "game_index")?)
        .bind(i64::from(p.game_type))
        .bind(to_i64(p.created_at, "created_at")?)
        .bind(hex(p.root_claim))
        .bind(hex(&p.super_root))
        .bind(hex(p.l1_head))
        .bind(hex(p.registry))
        .bind(i64::from(p.respected))
        .bind(&p.state)
        .execute(&self.pool)
        .await
        .map_err(db(format!("writing proposal {}", p.address)))?;
        Ok(())
    }

    /// The proposals still `pending`, oldest first.
    pub async fn pending_proposals(&self) -> Result<Vec<ProposalRecord>> {
        let rows = sqlx::query("SELECT * FROM proposals WHERE state = 'pending' ORDER BY created_at")
            .fetch_all(&self.pool)
            .await
            .map_err(db("reading proposals"))?;
        rows.iter()
            .map(|row| {
                let key: String = row.try_get("address").map_err(db("reading proposals"))?;
                let r = Reader { row, table: "proposals", key };
                Ok(ProposalRecord {
                    address: r.parse("address")?,
                    factory: r.parse("factory")?,
                    game_index: r.int("game_index")?,
                    game_type: r.int("game_type")?,
                    created_at: r.int("created_at")?,
                    root_claim: r.parse("root_claim")?,
                    super_root: r.parse("super_root")?,
                    l1_head: r.parse("l1_head")?,
                    registry: r.parse("registry")?,
                    respected: r.int::<i64>("respected")? != 0,
                    state: r.text("state")?,
                })
            })
            .collect()
    }

    /// Sets a proposal's state.
    pub async fn set_proposal_state(&self, address: Address, state: &str) -> Result<()> {
        sqlx::query("UPDATE proposals SET state = ? WHERE address = ?")
            .bind(state)
            .bind(hex(address))
            .execute(&self.pool)
            .await
            .map_err(db(format!("updating proposal {address}")))?;
        Ok(())
    }
}

fn read_game(row: &sqlx::sqlite::SqliteRow, address: Address) -> Result<GameRecord> {
    let r = Reader { row, table: "games", key: hex(address) };
    Ok(GameRecord {
        address,
        factory: r.parse("factory")?,
        game_index: r.int("game_index")?,
        game_type: r.int("game_type")?,
        created_at: r.int("created_at")?,
        version: r.text("version")?,
        root_claim: r.parse("root_claim")?,
        l1_head: r.parse("l1_head")?,
        l2_block_number: r.int("l2_block_number")?,
        starting_block: r.int("starting_block")?,
        starting_root: r.parse("starting_root")?,
        max_depth: r.int("max_depth")?,
        split_depth: r.int("split_depth")?,
        max_clock_duration: r.int("max_clock_duration")?,
        clock_extension: r.int("clock_extension")?,
        status: r.int("status")?,
        absolute_prestate: r.parse("absolute_prestate")?,
        l2_chain_id: r.int("l2_chain_id")?,
        vm: r.parse("vm")?,
        weth: r.parse("weth")?,
        oracle_challenge_period: r.int("oracle_challenge_period")?,
        anchor_registry: r.parse("anchor_registry")?,
        proposer: r.parse("proposer")?,
        challenger: r.parse("challenger")?,
        super_root: r.optional("super_root")?,
    })
}
