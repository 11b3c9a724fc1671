//! The devnet itself: start-up time, deployment, dev keys, verified output roots, process
//! lifetime (drop, SIGKILL of the owner) and the errors that name what failed.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use alloy::primitives::{Address, B256, U256, keccak256};
use alloy::providers::Provider;
use alloy::trie::EMPTY_ROOT_HASH;
use riposte_devnet::{
    ALPHABET_GAME_TYPE, CANNON_GAME_TYPE, DEVNET_DIR_ENV, Devnet, DevnetError, DevnetOptions, L2_TO_L1_MESSAGE_PASSER,
    Stack, verify_account_proof,
};
use riposte_game::output_root_v0;

fn port_answers(port: u16) -> bool {
    TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(200)).is_ok()
}

/// Polls until nothing listens on any of `ports`; returns how long that took.
fn wait_ports_closed(ports: &[u16], limit: Duration) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if ports.iter().all(|p| !port_answers(*p)) {
            return Some(start.elapsed());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

#[tokio::test]
async fn starts_and_deploys_within_two_seconds() {
    let devnet = Devnet::start(DevnetOptions::default()).await.unwrap();
    let t = devnet.startup_time();
    eprintln!("devnet: started+deployed in {:.2} s", t.as_secs_f64());
    assert!(t < Duration::from_secs(2), "start + deploy took {t:?}");

    let info = devnet.info().await.unwrap();
    let versions: Vec<(&str, &str)> = info.versions.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    eprintln!("devnet: {:?} stack, versions {versions:?}", devnet.deployment().stack);
    match devnet.deployment().stack {
        Stack::Bedrock => assert_eq!(
            versions,
            [
                ("AnchorStateRegistry", "1.0.0"),
                ("DelayedWETH", "1.0.0"),
                ("DisputeGameFactory", "1.0.0"),
                ("FaultDisputeGame", "1.2.0"),
                ("MIPS", "1.0.1"),
                ("PreimageOracle", "1.0.0"),
                ("SuperchainConfig", "1.1.0"),
            ]
        ),
        // A release given by $RIPOSTE_OP_ARTIFACTS: whatever it is, a 2.x game line.
        Stack::V2 => {
            assert!(info.versions["FaultDisputeGame"].starts_with("2."), "{versions:?}");
            assert!(info.versions["AnchorStateRegistry"].starts_with("3."), "{versions:?}");
        }
    }
    assert_eq!((info.l1.chain_id, info.l2.chain_id), (900, 901));
    assert_eq!(info.games[0].init_bond, U256::from(80_000_000_000_000_000u64));

    // Both anchors sit at the real output root of the anchor block.
    let (root, block) = devnet.anchor();
    assert_eq!(block, DevnetOptions::default().anchor_block);
    assert_eq!(devnet.output_root(block).await.unwrap().0, root);
    assert_eq!(devnet.anchor_of(ALPHABET_GAME_TYPE).await.unwrap(), (root, block));
    assert_eq!(devnet.anchor_of(CANNON_GAME_TYPE).await.unwrap(), (root, block));
}

#[tokio::test]
async fn games_carry_the_configured_parameters() {
    let devnet = Devnet::start(DevnetOptions::default()).await.unwrap();
    let (root, _) = devnet.output_root(30).await.unwrap();
    let game = devnet.create_game(ALPHABET_GAME_TYPE, root, 30).await.unwrap();
    let o = devnet.options();
    assert_eq!((game.depth.max(), game.depth.split()), (o.alphabet.max_depth, o.alphabet.split_depth));
    assert_eq!(
        (game.clocks.max_duration(), game.clocks.extension()),
        (o.alphabet.max_clock_duration, o.alphabet.clock_extension)
    );
    assert_eq!((game.starting_block, game.starting_root), (o.anchor_block, devnet.anchor().0));
    assert_eq!((game.l2_block, game.root_claim), (30, root));

    let cannon = devnet.create_game(CANNON_GAME_TYPE, B256::repeat_byte(7), 30).await.unwrap();
    assert_eq!((cannon.depth.max(), cannon.depth.split()), (73, 30));
    // Both init bonds went into DelayedWETH.
    let weth = devnet.deployment().delayed_weth;
    assert_eq!(devnet.l1().balance(weth).await.unwrap(), o.init_bond * U256::from(2));
}

#[tokio::test]
async fn dev_keys_are_the_anvil_accounts_on_both_chains() {
    let devnet = Devnet::start(DevnetOptions { l2_blocks: 4, anchor_block: 1, ..Default::default() }).await.unwrap();
    let ours: Vec<Address> = devnet.accounts().iter().map(|a| a.address).collect();
    assert_eq!(devnet.l1().provider().get_accounts().await.unwrap(), ours);
    assert_eq!(devnet.l2().provider().get_accounts().await.unwrap(), ours);
    // And they sign: a transfer moves exactly value + fee.
    let (a, b) = (devnet.account(5), devnet.account(6));
    let before = devnet.balance(a).await.unwrap();
    let out = devnet.transfer(a, b, U256::from(12345)).await.unwrap();
    assert_eq!(devnet.balance(a).await.unwrap(), before - U256::from(12345) - out.fee());
}

#[tokio::test]
async fn output_roots_are_verified_against_the_state_root() {
    let devnet = Devnet::start(DevnetOptions::default()).await.unwrap();
    let l2 = devnet.l2().provider();

    // The message passer does not exist on a bare anvil: an exclusion proof, empty storage.
    let (root, pre) = devnet.output_root(10).await.unwrap();
    let block = l2.get_block_by_number(10.into()).await.unwrap().unwrap();
    assert_eq!(pre.state_root, block.header.state_root);
    assert_eq!(pre.latest_blockhash, block.header.hash);
    assert_eq!(pre.message_passer_storage_root, EMPTY_ROOT_HASH);
    assert_eq!(root, output_root_v0(pre.state_root, EMPTY_ROOT_HASH, block.header.hash));
    assert_eq!(root, pre.hash());
    assert_ne!(root, devnet.output_root(11).await.unwrap().0, "each block has its own output root");

    // Give the message passer storage: now an inclusion proof with a real storage root.
    let slot = U256::from(1);
    let value = B256::repeat_byte(0x42);
    let _: bool = l2.raw_request("anvil_setStorageAt".into(), (L2_TO_L1_MESSAGE_PASSER, slot, value)).await.unwrap();
    let _: String = l2.raw_request("evm_mine".into(), ()).await.unwrap();
    let head = l2.get_block_number().await.unwrap();
    let (root, pre) = devnet.output_root(head).await.unwrap();
    assert_ne!(pre.message_passer_storage_root, EMPTY_ROOT_HASH);
    let proof = l2.get_proof(L2_TO_L1_MESSAGE_PASSER, vec![slot.into()]).number(head).await.unwrap();
    assert_eq!(pre.message_passer_storage_root, proof.storage_hash);
    assert_eq!(root, pre.hash());

    // A proof that does not match the state root is refused, whatever was changed.
    let state_root = pre.state_root;
    assert_eq!(verify_account_proof(state_root, &proof), Ok(proof.storage_hash));
    let mut forged = proof.clone();
    forged.storage_hash = keccak256("forged");
    assert!(verify_account_proof(state_root, &forged).is_err());
    let mut forged = proof.clone();
    forged.account_proof.pop();
    assert!(verify_account_proof(state_root, &forged).is_err());
    assert!(verify_account_proof(keccak256("another root"), &proof).is_err());
    // An empty account claimed where one exists needs an exclusion proof, which this is not.
    let mut forged = proof.clone();
    (forged.nonce, forged.balance, forged.storage_hash) = (0, U256::ZERO, EMPTY_ROOT_HASH);
    forged.code_hash = alloy::trie::KECCAK_EMPTY;
    assert!(verify_account_proof(state_root, &forged).is_err());

    // anvil's genesis header carries the empty-trie state root: its proofs cannot verify.
    let err = devnet.output_root(0).await.unwrap_err();
    assert!(matches!(err, DevnetError::ProofInvalid { block: 0, .. }), "{err:?}");
}

#[tokio::test]
async fn a_rejected_constructor_is_named_with_its_decoded_error() {
    let mut options = DevnetOptions::default();
    options.alphabet.split_depth = options.alphabet.max_depth;
    let err = Devnet::start(options).await.unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("deploy FaultDisputeGame (type 255)"), "{msg}");
    assert_eq!(err.revert_name(), Some("InvalidSplitDepth"), "{msg}");
}

#[tokio::test]
async fn a_missing_npm_install_says_to_run_setup() {
    let empty = tempfile::tempdir().unwrap();
    let options = DevnetOptions { devnet_dir: Some(empty.path().to_owned()), ..Default::default() };
    let err = Devnet::start(options).await.unwrap_err();
    assert!(matches!(err, DevnetError::SetupMissing { .. }), "{err:?}");
    assert!(err.to_string().contains("run ops/devnet/setup.sh"), "{err}");

    // The same through the environment variable, in the bin.
    let out = Command::new(env!("CARGO_BIN_EXE_riposte-devnet"))
        .env(DEVNET_DIR_ENV, empty.path())
        .arg("--out")
        .arg(empty.path().join("devnet.json"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("run ops/devnet/setup.sh"), "{stderr}");
}

#[tokio::test]
async fn a_port_in_use_is_an_error_naming_the_anvil() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let started = Instant::now();
    let err = Devnet::start(DevnetOptions { l2_port: Some(port), ..Default::default() }).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5), "an exiting anvil must not be waited for");
    match &err {
        DevnetError::AnvilExited { which, port: p, stderr_tail, .. } => {
            assert_eq!((*which, *p), ("L2 anvil", port));
            assert!(stderr_tail.contains("Address already in use"), "{stderr_tail}");
        }
        other => panic!("expected AnvilExited, got {other:?}"),
    }
}

#[tokio::test]
async fn dropping_the_devnet_stops_both_anvils() {
    let devnet = Devnet::start(DevnetOptions { l2_blocks: 1, anchor_block: 1, ..Default::default() }).await.unwrap();
    let (l1, l2) = devnet.anvil_ports();
    let l2 = l2.expect("an anvil L2");
    assert!(port_answers(l1) && port_answers(l2));
    drop(devnet);
    let took = wait_ports_closed(&[l1, l2], Duration::from_secs(3)).expect("anvils still listening after drop");
    eprintln!("devnet: anvils gone {:.2} s after drop", took.as_secs_f64());
}

/// Runs the bin with `args` until it has written devnet.json; returns it with what it wrote.
fn run_bin(args: &[&str]) -> (std::process::Child, serde_json::Value, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("devnet.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_riposte-devnet"))
        .args(args)
        .arg("--out")
        .arg(&json)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !json.exists() {
        assert!(start.elapsed() < Duration::from_secs(60), "the bin did not write {}", json.display());
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the bin exited early with {status}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let info = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    (child, info, dir)
}

#[test]
fn sigkilled_owner_takes_its_anvils_down() {
    let (mut child, info, _dir) = run_bin(&[]);
    let port = |chain: &str| -> u16 {
        let url: alloy::transports::http::reqwest::Url = info[chain]["rpc_url"].as_str().unwrap().parse().unwrap();
        url.port().unwrap()
    };
    let ports = [port("l1"), port("l2")];
    assert!(ports.iter().all(|p| port_answers(*p)), "anvils not listening");

    child.kill().unwrap(); // SIGKILL: no destructor runs
    child.wait().unwrap();
    let took = wait_ports_closed(&ports, Duration::from_secs(3)).expect("anvils survived their owner's SIGKILL");
    eprintln!("devnet: anvils gone {:.2} s after SIGKILL of their owner", took.as_secs_f64());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rollup_l2_anchors_the_games_at_a_derived_output_root() {
    let options = DevnetOptions { rollup: true, l2_blocks: 16, anchor_block: 6, ..Default::default() };
    let started = Instant::now();
    let devnet = Devnet::start(options).await.unwrap();
    eprintln!("rollup devnet: started in {:.2} s", started.elapsed().as_secs_f64());
    assert_eq!(devnet.anvil_ports().1, None, "no L2 anvil");
    let node = devnet.rollup_l2().expect("the rollup");
    let (path, batcher) = devnet.rollup_config().unwrap();
    let config: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(config["l2_chain_id"], 901);
    assert_eq!(config["genesis"]["system_config"]["batcherAddr"], serde_json::json!(batcher));
    let (anchor, block) = devnet.anchor();
    let (ours, safe) = {
        let s = node.state();
        (s.seq.block(block).unwrap().output_root, s.safe_head)
    };
    assert_eq!(anchor, ours, "the anchor is the sequencer's output root of block {block}");
    assert!(safe >= block, "block {block} is batched on L1 (safe head {safe})");
    // The output root read through the L2 RPC's eth_getProof is verified against the header.
    let (root, _) = devnet.output_root(block).await.unwrap();
    assert_eq!(root, anchor);
    assert_eq!(devnet.l2().provider().get_chain_id().await.unwrap(), 901);
    // A batcher transaction is on L1, from the batcher to the inbox.
    let posted = node.state().posted.first().cloned().expect("a batch posted");
    let tx = devnet.l1().provider().get_transaction_by_hash(posted.tx).await.unwrap().unwrap();
    assert_eq!(tx.inner.signer(), batcher);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bin_with_rollup_describes_the_rollup_in_devnet_json() {
    let (mut child, info, _dir) = tokio::task::spawn_blocking(|| run_bin(&["--rollup"])).await.unwrap();
    let rollup = &info["rollup"];
    let config_path = rollup["rollup_config"].as_str().expect("devnet.json names the rollup config");
    let config: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(config_path).unwrap()).unwrap();
    assert_eq!(config["batch_inbox_address"], rollup["batch_inbox"]);
    assert_eq!(rollup["batcher"], info["accounts"][8]["address"]);
    let l2 =
        alloy::providers::ProviderBuilder::new().connect_http(info["l2"]["rpc_url"].as_str().unwrap().parse().unwrap());
    assert_eq!(l2.get_chain_id().await.unwrap(), 901);
    let served: serde_json::Value = l2.raw_request("optimism_rollupConfig".into(), ()).await.unwrap();
    assert_eq!(served, config);
    child.kill().unwrap();
    child.wait().unwrap();
}
