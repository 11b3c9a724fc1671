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
    /// L2 anvil port (default: a free port).
    #[arg(long)]
    l2_port: Option<u16>,
    /// L2 blocks to mine before deploying.
    #[arg(long, default_value_t = DevnetOptions::default().l2_blocks)]
    l2_blocks: u64,
    /// L2 block of the games' starting anchor.
    #[arg(long, default_value_t = DevnetOptions::default().anchor_block)]
    anchor_block: u64,
    /// DelayedWETH withdrawal delay in seconds.
    #[arg(long, default_value_t = DevnetOptions::default().weth_delay)]
    weth_delay: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let options = DevnetOptions {
        l1_port: args.l1_port,
        l2_port: args.l2_port,
        l2_blocks: args.l2_blocks,
        anchor_block: args.anchor_block,
        weth_delay: args.weth_delay,
        ..DevnetOptions::default()
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
