//! The store on a real SQLite file: what is written survives a reopen, and bad data is named.
#![allow(clippy::unwrap_used)] // test fixtures: a failure is the test failing

use alloy_primitives::{Address, B256};
use riposte_game::{Claim, Clock, Position, ROOT_PARENT_INDEX};
use riposte_storage::{GameRecord, StorageError, Store};

fn game(address: u8) -> GameRecord {
    GameRecord {
        address: Address::repeat_byte(address),
        factory: Address::repeat_byte(0xFA),
        game_index: u64::from(address),
        game_type: 255,
        created_at: 1_700_000_000,
        version: "1.2.0".into(),
        root_claim: B256::repeat_byte(1),
        l1_head: B256::repeat_byte(2),
        l2_block_number: 16,
        starting_block: 0,
        starting_root: B256::repeat_byte(3),
        max_depth: 8,
        split_depth: 4,
        max_clock_duration: 300,
        clock_extension: 30,
        status: 0,
        absolute_prestate: B256::repeat_byte(4),
        l2_chain_id: 901,
        vm: Address::repeat_byte(5),
        weth: Address::repeat_byte(6),
        oracle_challenge_period: 86_400,
        anchor_registry: Address::repeat_byte(7),
        proposer: Address::ZERO,
        challenger: Address::repeat_byte(8),
        super_root: None,
    }
}

fn claims() -> Vec<Claim> {
    let root = Claim {
        parent_index: ROOT_PARENT_INDEX,
        countered_by: Address::ZERO,
        claimant: Address::repeat_byte(0xAA),
        bond: 80_000_000_000_000_000,
        value: B256::repeat_byte(1),
        position: Position::ROOT,
        clock: Clock::new(0, 1_700_000_000),
    };
    let attack = Claim {
        parent_index: 0,
        claimant: Address::repeat_byte(0xBB),
        bond: u128::MAX, // the full range survives the TEXT column
        value: B256::repeat_byte(9),
        position: Position::from_gindex(2).unwrap(),
        clock: Clock::new(12, 1_700_000_012),
        ..root
    };
    let deep = Claim {
        parent_index: 1,
        position: Position::from_gindex(2).unwrap().attack().unwrap(),
        clock: Clock::new(u64::from(u32::MAX), 1_700_000_020),
        ..attack
    };
    vec![root, attack, deep]
}

#[tokio::test]
async fn state_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("riposte.db");
    let g = game(7);
    {
        let store = Store::open(&path).await.unwrap();
        store.upsert_game(&g).await.unwrap();
        store.set_factory_cursor(g.factory, 8).await.unwrap();
        let cs = claims();
        store.append_claims(g.address, 0, &cs[..2]).await.unwrap();
        store.append_claims(g.address, 2, &cs[2..]).await.unwrap();
        store.set_countered_by(g.address, 2, Address::repeat_byte(0xCC)).await.unwrap();
        store.close().await;
    }
    let store = Store::open(&path).await.unwrap();
    assert_eq!(store.game(g.address).await.unwrap(), Some(g.clone()));
    assert_eq!(store.games().await.unwrap(), vec![g.clone()]);
    // A super-root game keeps its proposal's preimage.
    let mut sup = game(9);
    sup.super_root = Some(vec![1u8; 73].into());
    store.upsert_game(&sup).await.unwrap();
    assert_eq!(store.game(sup.address).await.unwrap(), Some(sup.clone()));
    assert_eq!(store.games().await.unwrap().len(), 2);
    assert_eq!(store.factory_cursor(g.factory).await.unwrap(), 8);
    assert_eq!(store.factory_cursor(Address::ZERO).await.unwrap(), 0);
    assert_eq!(store.claim_count(g.address).await.unwrap(), 3);
    let mut expected = claims();
    expected[2].countered_by = Address::repeat_byte(0xCC);
    assert_eq!(store.claims(g.address).await.unwrap(), expected);
    let tree = store.claim_tree(g.address).await.unwrap().unwrap();
    assert_eq!(tree.len(), 3);
    assert_eq!(tree.children(1).unwrap(), &[2]);
    assert!(store.claim_tree(Address::ZERO).await.unwrap().is_none());

    // After a reorg the stored claims are replaced whole.
    store.replace_claims(g.address, &claims()[..2]).await.unwrap();
    assert_eq!(store.claims(g.address).await.unwrap(), claims()[..2].to_vec());

    // A status change updates the known game in place.
    let resolved = GameRecord { status: 2, ..g.clone() };
    store.upsert_game(&resolved).await.unwrap();
    assert_eq!(store.game(g.address).await.unwrap().unwrap().status, 2);
}

#[tokio::test]
async fn claims_cannot_leave_gaps_or_repeat() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("r.db")).await.unwrap();
    let g = game(1);
    store.upsert_game(&g).await.unwrap();
    let cs = claims();
    store.append_claims(g.address, 0, &cs[..1]).await.unwrap();
    match store.append_claims(g.address, 2, &cs[2..]).await {
        Err(StorageError::ClaimGap { expected: 1, got: 2, .. }) => {}
        other => panic!("expected a gap error, got {other:?}"),
    }
    match store.append_claims(g.address, 0, &cs[..1]).await {
        Err(StorageError::ClaimGap { expected: 1, got: 0, .. }) => {}
        other => panic!("expected an overlap error, got {other:?}"),
    }
    // Claims of an unknown game break the foreign key: the batch fails whole and writes nothing.
    let err = store.append_claims(Address::repeat_byte(0x55), 0, &cs).await.unwrap_err();
    assert!(matches!(err, StorageError::Sqlx { .. }), "{err}");
    assert_eq!(store.claim_count(Address::repeat_byte(0x55)).await.unwrap(), 0);
    assert_eq!(store.claim_count(g.address).await.unwrap(), 1);
}

#[tokio::test]
async fn corrupt_rows_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.db");
    let store = Store::open(&path).await.unwrap();
    let g = game(3);
    store.upsert_game(&g).await.unwrap();
    store.append_claims(g.address, 0, &claims()).await.unwrap();
    // Another writer damages a row behind the store's back.
    let raw = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    sqlx::query("UPDATE claims SET position = 'not-a-number' WHERE idx = 1").execute(&raw).await.unwrap();
    let err = store.claims(g.address).await.unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, StorageError::Corrupt { table: "claims", column: "position", .. }), "{msg}");
    assert!(msg.contains("/1"), "the message names the claim: {msg}");
    // A structurally impossible tree is refused as such.
    sqlx::query("UPDATE claims SET position = '5' WHERE idx = 1").execute(&raw).await.unwrap();
    let err = store.claim_tree(g.address).await.unwrap_err();
    assert!(matches!(err, StorageError::InvalidTree { .. }), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_wait_instead_of_failing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("r.db")).await.unwrap();
    let mut tasks = Vec::new();
    for n in 0..8u8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let g = game(n + 10);
            store.upsert_game(&g).await.unwrap();
            let cs = claims();
            for (i, c) in cs.iter().enumerate() {
                store.append_claims(g.address, i as u64, std::slice::from_ref(c)).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    for n in 0..8u8 {
        assert_eq!(store.claim_count(Address::repeat_byte(n + 10)).await.unwrap(), 3);
    }
}

#[tokio::test]
async fn proposals_are_kept_until_settled() {
    use riposte_storage::ProposalRecord;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.db");
    let p = ProposalRecord {
        address: Address::repeat_byte(5),
        factory: Address::repeat_byte(0xFA),
        game_index: 3,
        game_type: 5,
        created_at: 1_700_000_000,
        root_claim: B256::repeat_byte(1),
        super_root: vec![1u8; 73].into(),
        l1_head: B256::repeat_byte(2),
        registry: Address::repeat_byte(7),
        respected: true,
        state: "pending".into(),
    };
    {
        let store = Store::open(&path).await.unwrap();
        store.insert_proposal(&p).await.unwrap();
        // Seen again: left as it is.
        store.insert_proposal(&ProposalRecord { respected: false, ..p.clone() }).await.unwrap();
        store.close().await;
    }
    let store = Store::open(&path).await.unwrap();
    assert_eq!(store.pending_proposals().await.unwrap(), vec![p.clone()]);
    store.set_proposal_state(p.address, "anchored").await.unwrap();
    assert!(store.pending_proposals().await.unwrap().is_empty());
}
