//! Instructions per second of the VM on the CPU-heavy test program (`bench.elf`, built by
//! `ops/devnet/setup.sh`): plain execution, and with a witness (memory proofs) at every step.
//! Run with `cargo bench -p riposte-vm`; `RIPOSTE_VM_BENCH_ITERS` sets the program's loop count.

use std::time::Instant;

use alloy_primitives::{B256, keccak256};
use riposte_devnet::devnet_dir;
use riposte_vm::{MapOracle, Vm, load_elf};

fn oracle(iterations: u64) -> MapOracle {
    let mut o = MapOracle::new();
    let blob: Vec<u8> = (0..100u32).map(|i| (i * 37 + 11) as u8).collect();
    let key = o.insert_keccak(blob);
    o.insert_local(1, keccak256(b"riposte local data 1").to_vec());
    o.insert_local(2, key.to_vec());
    o.insert_local(3, iterations.to_be_bytes().to_vec());
    o
}

fn max_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = devnet_dir().join("build/mips/bench.elf");
    let elf = std::fs::read(&path).map_err(|e| format!("{}: {e} (run ops/devnet/setup.sh)", path.display()))?;
    let iterations: u64 =
        std::env::var("RIPOSTE_VM_BENCH_ITERS").ok().and_then(|v| v.parse().ok()).unwrap_or(2_000_000);
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    println!("bench.elf, {iterations} iterations, one thread ({cores} cores available)");

    let mut vm = Vm::new(load_elf(&elf)?, oracle(iterations));
    let start = Instant::now();
    let steps = vm.run(u64::MAX)?;
    let secs = start.elapsed().as_secs_f64();
    let hash: B256 = vm.state_mut().hash();
    println!(
        "no proofs:   {steps} instructions in {secs:.3} s = {:.1} M instructions/s (exit {}, final state {hash})",
        steps as f64 / secs / 1e6,
        vm.state().exit_code
    );

    let witness_steps = (steps / 20).clamp(1, 200_000);
    let mut vm = Vm::new(load_elf(&elf)?, oracle(iterations));
    let start = Instant::now();
    let mut proof_bytes = 0usize;
    for _ in 0..witness_steps {
        let w = vm.step_with_witness()?;
        proof_bytes += w.proof.len();
        // The post-state hash is what a claim needs: count it too.
        vm.state_mut().hash();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "with proofs: {witness_steps} instructions in {secs:.3} s = {:.0} instructions/s ({:.1} µs each, {proof_bytes} proof bytes)",
        witness_steps as f64 / secs,
        secs * 1e6 / witness_steps as f64
    );
    let snap = Instant::now();
    let copies: Vec<_> = (0..100).map(|_| vm.snapshot()).collect();
    println!(
        "snapshot:    {:.1} µs each ({} pages mapped)",
        snap.elapsed().as_secs_f64() * 1e4,
        copies[0].state.memory.page_count()
    );
    if let Some(kib) = max_rss_kib() {
        println!("peak memory: {:.1} MiB resident", kib as f64 / 1024.0);
    }
    Ok(())
}
