//! Starts a local devnet (L1 + L2 anvil, OP dispute contracts), writes its description as
//! JSON and keeps it running until Ctrl-C or SIGTERM.

use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use riposte_devnet::{Devnet, DevnetOptions};

/// Local devnet for riposte: two anvils with the OP dispute contracts deployed on L1.
#[derive(Debug, Parser)]
#[command(name = "riposte-devnet")]
struct Args {
    /// Where to write the JSON description (RPC URLs, addresses, versions, keys).
    #[arg(long, default_value = "devnet.json")]
    out: PathBuf,
    /// L1 anvil port (default: a free port).
    #[arg(long)]
    l1_port: Option<u16>,
    /// L2 RPC port (default: a free port).
    #[arg(long)]
    l2_port: Option<u16>,
    /// Run the Rust rollup as the L2 (chain 901, blocks derived from L1 batches) instead of an
    /// `anvil --optimism`; devnet.json then names its rollup.json and batcher.
    #[arg(long)]
    rollup: bool,
    /// L2 blocks to mine before deploying.
    #[arg(long, default_value_t = DevnetOptions::default().l2_blocks)]
    l2_blocks: u64,
    /// L2 block of the games' starting anchor.
    #[arg(long, default_value_t = DevnetOptions::default().anchor_block)]
    anchor_block: u64,
    /// DelayedWETH withdrawal delay in seconds.
    #[arg(long, default_value_t = DevnetOptions::default().weth_delay)]
    weth_delay: u64,
    /// A MIPS program (static big-endian ELF) whose initial state becomes the Cannon game's
    /// absolute prestate, so that `riposte run --cannon-elf` with the same file plays it.
    #[arg(long, value_name = "FILE")]
    cannon_elf: Option<PathBuf>,
    /// The Cannon game's max depth (16 suits ops/devnet/mips/verdict.c: 2^11 leaves per subgame).
    #[arg(long, default_value_t = DevnetOptions::default().cannon.max_depth)]
    cannon_max_depth: u8,
    /// The Cannon game's split depth.
    #[arg(long, default_value_t = DevnetOptions::default().cannon.split_depth)]
    cannon_split_depth: u8,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let defaults = DevnetOptions::default();
    let cannon_absolute_prestate = match &args.cannon_elf {
        Some(path) => {
            let elf = std::fs::read(path).with_context(|| format!("reading --cannon-elf {}", path.display()))?;
            let state =
                riposte_vm::load_elf(&elf).with_context(|| format!("loading --cannon-elf {}", path.display()))?;
            riposte_game::VmStatus::Unfinished.state_hash(&state.clone().encode())
        }
        None => defaults.cannon_absolute_prestate,
    };
    let cannon = riposte_devnet::GameParams {
        max_depth: args.cannon_max_depth,
        split_depth: args.cannon_split_depth,
        ..defaults.cannon
    };
    cannon.depth().context("--cannon-max-depth / --cannon-split-depth")?;
    let options = DevnetOptions {
        cannon,
        cannon_absolute_prestate,
        l1_port: args.l1_port,
        l2_port: args.l2_port,
        l2_blocks: args.l2_blocks,
        anchor_block: args.anchor_block,
        weth_delay: args.weth_delay,
        rollup: args.rollup,
        ..defaults
    };
    let devnet = Devnet::start(options).await.context("starting the devnet")?;
    let info = devnet.info().await.context("describing the devnet")?;
    let json = serde_json::to_string_pretty(&info).context("serialising the description")?;
    // Write then rename, so a reader never sees a partial file.
    let tmp = args.out.with_extension("json.tmp");
    std::fs::write(&tmp, json).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, &args.out).with_context(|| format!("writing {}", args.out.display()))?;
    println!(
        "devnet up in {:.2} s: L1 {} (chain {}), L2 {} (chain {})",
        info.startup_seconds, info.l1.rpc_url, info.l1.chain_id, info.l2.rpc_url, info.l2.chain_id
    );
    println!("wrote {}", args.out.display());
    println!("Ctrl-C or SIGTERM stops it");

    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("installing the SIGTERM handler")?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r.context("waiting for Ctrl-C")?,
        _ = term.recv() => {}
    }
    drop(devnet);
    println!("devnet stopped");
    Ok(())
}
