//! Cannon64 on the Go test program (`go64/mt.elf`, built by `ops/devnet/setup.sh`):
//! instructions per second without witnesses, thread switches per second, instructions per
//! second with a witness and post-state hash at every step, the cost of a snapshot (in memory,
//! and written as `.bin.gz`), and peak memory. Run with `cargo bench -p riposte-vm --bench
//! throughput64`.

use std::time::Instant;

use riposte_devnet::devnet_dir;
use riposte_vm::MapOracle;
use riposte_vm::mt64::{Cannon64, load_elf, patch_stack};

fn max_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn vm(elf: &[u8]) -> Result<Cannon64<MapOracle>, Box<dyn std::error::Error>> {
    let mut s = load_elf(elf)?;
    patch_stack(&mut s);
    Ok(Cannon64::new(s, MapOracle::new()))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = devnet_dir().join("build/go64/mt.elf");
    let elf = std::fs::read(&path).map_err(|e| format!("{}: {e} (run ops/devnet/setup.sh)", path.display()))?;
    println!("go64/mt.elf on Cannon64, one thread");

    let mut m = vm(&elf)?;
    let start = Instant::now();
    let steps = m.run(u64::MAX)?;
    let secs = start.elapsed().as_secs_f64();
    let (code, hash) = (m.peek().exit_code, m.state_hash());
    println!(
        "no witnesses:  {steps} instructions in {secs:.3} s = {:.1} M instructions/s (exit {code}, final state {hash})",
        steps as f64 / secs / 1e6
    );

    // Thread switches: the same run one step at a time, counting changes of the active thread.
    let mut m = vm(&elf)?;
    let (mut switches, mut last) = (0u64, 0u64);
    let start = Instant::now();
    while !m.exited() {
        m.run(1)?;
        let id = m.peek().active().top().map_or(last, |t| t.id);
        switches += u64::from(id != last);
        last = id;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "thread switches: {switches} in {secs:.3} s = {:.0} switches/s (stepping one at a time)",
        switches as f64 / secs
    );

    let mut m = vm(&elf)?;
    m.run(steps / 2)?;
    let n = 100_000.min(steps / 4);
    let start = Instant::now();
    let mut proof_bytes = 0usize;
    for _ in 0..n {
        proof_bytes += m.step_with_witness()?.proof.len();
        m.state_hash();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "with witnesses: {n} instructions in {secs:.3} s = {:.0} instructions/s ({:.1} µs each, {proof_bytes} proof bytes)",
        n as f64 / secs,
        secs * 1e6 / n as f64
    );

    let start = Instant::now();
    let copies: Vec<_> = (0..100).map(|_| m.snapshot()).collect();
    let snap = start.elapsed().as_secs_f64() * 1e4;
    let start = Instant::now();
    let gz = copies[0].to_bin_gz();
    println!(
        "snapshot:      {snap:.1} µs in memory ({} pages); {:.1} ms as .bin.gz ({} bytes)",
        copies[0].memory.page_count(),
        start.elapsed().as_secs_f64() * 1e3,
        gz.len()
    );
    if let Some(kib) = max_rss_kib() {
        println!("peak memory:   {:.1} MiB resident", kib as f64 / 1024.0);
    }
    Ok(())
}
