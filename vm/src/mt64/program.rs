//! Programs and prestates for Cannon64, as `cannon load-elf --type multithreaded64-5` makes
//! them: a static big-endian MIPS64 ELF loaded into one thread ([`load_elf`]), cannon's
//! `PatchStack` ([`patch_stack`]), and cannon's binary snapshot format, version 8
//! ([`Snapshot64::encode`] / [`Snapshot64::decode`]; `.bin.gz` files through
//! [`Snapshot64::read_file_bytes`] and [`Snapshot64::to_bin_gz`]).

use alloy_primitives::B256;

use super::{Memory64, PAGE_SIZE, Snapshot64, State64, THREAD_WITNESS_LEN, Thread64, ThreadStack};

/// The state version of `multithreaded64-5`, the only one `MIPS64.sol` 1.10 accepts.
pub const STATE_VERSION: u8 = 8;
/// Where `mmap` starts handing out memory; ELF segments must end below it.
pub const HEAP_START: u64 = 0x0000_1000_0000_0000;
/// The initial stack pointer `PatchStack` sets up.
pub const STACK_TOP: u64 = 0x0000_7FFF_FFFF_F000;
/// ELF segments must lie below 2^48.
const ADDRESS_LIMIT: u64 = 1 << 48;

const PT_LOAD: u32 = 1;
const PT_MIPS_ABIFLAGS: u32 = 0x7000_0003;
const EM_MIPS: u16 = 8;
const ET_EXEC: u16 = 2;

/// Why a program or snapshot cannot be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Load64Error {
    /// The ELF file is not one cannon loads.
    #[error("ELF: {0}")]
    Elf(String),
    /// The snapshot is malformed, truncated or of another version.
    #[error("snapshot: {0}")]
    Snapshot(String),
}

fn elf(msg: impl Into<String>) -> Load64Error {
    Load64Error::Elf(msg.into())
}

fn be<const N: usize>(file: &[u8], at: u64, what: &str) -> Result<[u8; N], Load64Error> {
    let at = usize::try_from(at).map_err(|_| elf(format!("{what}: offset {at} out of range")))?;
    let s = at
        .checked_add(N)
        .and_then(|end| file.get(at..end))
        .ok_or_else(|| elf(format!("{what}: truncated at byte {at}")))?;
    let mut out = [0u8; N];
    out.copy_from_slice(s);
    Ok(out)
}

/// The initial state of a program: its segments in memory, one thread (id 0) at the entry
/// point with `nextPC` after it, the heap at [`HEAP_START`], every register zero.
pub fn load_elf(file: &[u8]) -> Result<Snapshot64, Load64Error> {
    let ident: [u8; 16] = be(file, 0, "ELF header")?;
    if ident[..4] != [0x7F, b'E', b'L', b'F'] {
        return Err(elf("not an ELF file (bad magic)"));
    }
    if ident[4] != 2 {
        return Err(elf(format!("class {} is not ELFCLASS64", ident[4])));
    }
    if ident[5] != 2 {
        return Err(elf(format!("data encoding {} is not big-endian", ident[5])));
    }
    let u16_at = |at: u64, what: &str| be::<2>(file, at, what).map(u16::from_be_bytes);
    let u32_at = |at: u64, what: &str| be::<4>(file, at, what).map(u32::from_be_bytes);
    let u64_at = |at: u64, what: &str| be::<8>(file, at, what).map(u64::from_be_bytes);
    let e_type = u16_at(16, "e_type")?;
    if e_type != ET_EXEC {
        return Err(elf(format!("type {e_type} is not a static executable (ET_EXEC)")));
    }
    let machine = u16_at(18, "e_machine")?;
    if machine != EM_MIPS {
        return Err(elf(format!("machine {machine} is not MIPS")));
    }
    let entry = u64_at(24, "e_entry")?;
    let phoff = u64_at(32, "e_phoff")?;
    let phentsize = u64::from(u16_at(54, "e_phentsize")?);
    let phnum = u64::from(u16_at(56, "e_phnum")?);
    if phnum > 0 && phentsize < 56 {
        return Err(elf(format!("program header entries of {phentsize} bytes (ELF64 needs 56)")));
    }
    let mut memory = Memory64::new();
    let mut loaded: Vec<(u64, u64, u64)> = Vec::new();
    for i in 0..phnum {
        let at = phoff.checked_add(i * phentsize).ok_or_else(|| elf(format!("program header {i}: offset overflow")))?;
        let what = format!("program header {i}");
        let p_type = u32_at(at, &what)?;
        if p_type == PT_MIPS_ABIFLAGS {
            continue;
        }
        let offset = u64_at(at + 8, &what)?;
        let vaddr = u64_at(at + 16, &what)?;
        let filesz = u64_at(at + 32, &what)?;
        let memsz = u64_at(at + 40, &what)?;
        if filesz != memsz {
            if p_type != PT_LOAD {
                return Err(elf(format!(
                    "segment {i} (type {p_type:#x}) has file size {filesz} != memory size {memsz}; only PT_LOAD is zero-filled"
                )));
            }
            if filesz > memsz {
                return Err(elf(format!("segment {i}: file size {filesz} > memory size {memsz}")));
            }
        }
        if memsz == 0 {
            continue;
        }
        let last = vaddr.wrapping_add(memsz - 1);
        if last >= ADDRESS_LIMIT || last < vaddr {
            return Err(elf(format!("segment {i} at {vaddr:#x} + {memsz:#x} leaves the 48-bit address range")));
        }
        if last >= HEAP_START {
            return Err(elf(format!("segment {i} at {vaddr:#x}..={last:#x} overlaps the heap at {HEAP_START:#x}")));
        }
        if p_type == PT_LOAD {
            if let Some((j, a, b)) = loaded.iter().find(|(_, a, b)| vaddr <= *b && *a <= last) {
                return Err(elf(format!("segments {j} ({a:#x}..={b:#x}) and {i} ({vaddr:#x}..={last:#x}) overlap")));
            }
            loaded.push((i, vaddr, last));
        }
        let data = usize::try_from(offset)
            .ok()
            .zip(usize::try_from(filesz).ok())
            .and_then(|(o, n)| o.checked_add(n).and_then(|end| file.get(o..end)))
            .ok_or_else(|| elf(format!("segment {i}: bytes {offset}..+{filesz} past the end of the file")))?;
        memory.set_range(vaddr, data);
        // cannon writes the zero fill too, so those pages exist in its snapshots.
        let mut a = vaddr + filesz;
        while a <= last {
            let end = ((a / PAGE_SIZE) + 1) * PAGE_SIZE;
            let n = (end.min(last + 1) - a) as usize;
            memory.set_range(a, &vec![0u8; n]);
            a += n as u64;
        }
    }
    let thread = Thread64::at(0, entry);
    let state = State64 {
        mem_root: B256::ZERO,
        preimage_key: B256::ZERO,
        preimage_offset: 0,
        heap: HEAP_START,
        ll_reservation: 0,
        ll_address: 0,
        ll_owner_thread: 0,
        exit_code: 0,
        exited: false,
        step: 0,
        steps_since_context_switch: 0,
        traverse_right: false,
        left: ThreadStack(vec![thread]),
        right: ThreadStack::default(),
        next_thread_id: 1,
    };
    let mut s = Snapshot64 { state, memory, last_hint: Vec::new() };
    s.state.mem_root = s.memory.root();
    Ok(s)
}

/// cannon's `PatchStack`: five zero pages around [`STACK_TOP`], `$sp` there, and above it
/// argc = 1, argv = ["op-program"], envp = ["GODEBUG=memprofilerate=0"], auxv with
/// `AT_PAGESZ` = 4096 and `AT_RANDOM` pointing at the 16 bytes "4;byfairdiceroll".
pub fn patch_stack(s: &mut Snapshot64) {
    let sp = STACK_TOP;
    s.memory.set_range(sp - 4 * PAGE_SIZE, &vec![0u8; 5 * PAGE_SIZE as usize]);
    let Some(thread) = s.state.left.0.last_mut() else { return };
    thread.registers[29] = sp;
    let random = sp + 8 * 10;
    s.memory.set_range(random, b"4;byfairdiceroll");
    let env = random + 16;
    s.memory.set_range(env, b"GODEBUG=memprofilerate=0\0\0\0\0\0\0\0\0");
    let argv0 = env + 32;
    s.memory.set_range(argv0, b"op-program\0\0\0\0\0\0");
    for (i, w) in [1, argv0, 0, env, 0, 6, 4096, 25, random, 0].into_iter().enumerate() {
        s.memory.write_u64(sp + 8 * i as u64, w);
    }
    s.state.mem_root = s.memory.root();
}

/// A cursor over snapshot bytes whose errors name the field and offset.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize, what: &str) -> Result<&[u8], Load64Error> {
        let s = self.at.checked_add(n).and_then(|end| self.bytes.get(self.at..end)).ok_or_else(|| {
            Load64Error::Snapshot(format!(
                "truncated in {what} at byte {} ({} bytes in all)",
                self.at,
                self.bytes.len()
            ))
        })?;
        self.at += n;
        Ok(s)
    }

    fn u8(&mut self, what: &str) -> Result<u8, Load64Error> {
        Ok(self.take(1, what)?[0])
    }

    fn u64(&mut self, what: &str) -> Result<u64, Load64Error> {
        let mut b = [0u8; 8];
        b.copy_from_slice(self.take(8, what)?);
        Ok(u64::from_be_bytes(b))
    }

    fn bool(&mut self, what: &str) -> Result<bool, Load64Error> {
        match self.u8(what)? {
            0 => Ok(false),
            1 => Ok(true),
            b => Err(Load64Error::Snapshot(format!("{what} is {b}, not a boolean, at byte {}", self.at - 1))),
        }
    }

    /// A count of `size`-byte items that must fit in what is left.
    fn count(&mut self, size: usize, what: &str) -> Result<usize, Load64Error> {
        let n = self.u64(what)?;
        let left = (self.bytes.len() - self.at) as u64;
        if n.checked_mul(size as u64).is_none_or(|b| b > left) {
            return Err(Load64Error::Snapshot(format!("{what} {n} needs more than the {left} bytes left")));
        }
        Ok(n as usize)
    }
}

fn thread_from(b: &[u8]) -> Thread64 {
    let w = |i: usize| {
        let mut x = [0u8; 8];
        x.copy_from_slice(&b[10 + 8 * i..18 + 8 * i]);
        u64::from_be_bytes(x)
    };
    let mut id = [0u8; 8];
    id.copy_from_slice(&b[..8]);
    Thread64 {
        id: u64::from_be_bytes(id),
        exit_code: b[8],
        exited: b[9] != 0,
        pc: w(0),
        next_pc: w(1),
        lo: w(2),
        hi: w(3),
        registers: std::array::from_fn(|i| w(4 + i)),
    }
}

impl Snapshot64 {
    /// cannon's binary snapshot (uncompressed): version ‖ memory pages ‖ state fields ‖ both
    /// thread stacks ‖ the partial hint.
    pub fn encode(&self) -> Vec<u8> {
        let s = &self.state;
        let pages = self.memory.page_indexes();
        let mut out = Vec::with_capacity(1 + 8 + pages.len() * (8 + PAGE_SIZE as usize) + 256);
        out.push(STATE_VERSION);
        out.extend_from_slice(&(pages.len() as u64).to_be_bytes());
        for p in pages {
            out.extend_from_slice(&p.to_be_bytes());
            out.extend_from_slice(&self.memory.page_bytes(p));
        }
        out.extend_from_slice(s.preimage_key.as_slice());
        for v in [s.preimage_offset, s.heap] {
            out.extend_from_slice(&v.to_be_bytes());
        }
        out.push(s.ll_reservation);
        for v in [s.ll_address, s.ll_owner_thread] {
            out.extend_from_slice(&v.to_be_bytes());
        }
        out.push(s.exit_code);
        out.push(u8::from(s.exited));
        for v in [s.step, s.steps_since_context_switch] {
            out.extend_from_slice(&v.to_be_bytes());
        }
        out.push(u8::from(s.traverse_right));
        out.extend_from_slice(&s.next_thread_id.to_be_bytes());
        for stack in [&s.left, &s.right] {
            out.extend_from_slice(&(stack.0.len() as u64).to_be_bytes());
            for t in &stack.0 {
                out.extend_from_slice(&t.encode());
            }
        }
        out.extend_from_slice(&(self.last_hint.len() as u32).to_be_bytes());
        out.extend_from_slice(&self.last_hint);
        out
    }

    /// Reads [`Snapshot64::encode`]'s format; a wrong version, a truncation, a duplicate page,
    /// an impossible boolean or trailing bytes are errors naming where.
    pub fn decode(bytes: &[u8]) -> Result<Self, Load64Error> {
        let mut r = Reader { bytes, at: 0 };
        let version = r.u8("the version")?;
        if version != STATE_VERSION {
            return Err(Load64Error::Snapshot(format!(
                "state version {version}, but MIPS64 1.10 steps only version {STATE_VERSION} (multithreaded64-5)"
            )));
        }
        let mut memory = Memory64::new();
        let pages = r.count(8 + PAGE_SIZE as usize, "the page count")?;
        let mut seen = std::collections::HashSet::with_capacity(pages);
        for i in 0..pages {
            let index = r.u64("a page index")?;
            if index >= 1 << 52 || !seen.insert(index) {
                return Err(Load64Error::Snapshot(format!("page {i}: index {index:#x} is out of range or repeated")));
            }
            let data = r.take(PAGE_SIZE as usize, "a page")?;
            memory.set_range(index << 12, data);
        }
        let mut key = [0u8; 32];
        key.copy_from_slice(r.take(32, "the preimage key")?);
        let preimage_offset = r.u64("the preimage offset")?;
        let heap = r.u64("the heap")?;
        let ll_reservation = r.u8("the LL status")?;
        if ll_reservation > 2 {
            return Err(Load64Error::Snapshot(format!("LL status {ll_reservation} (0, 1 or 2)")));
        }
        let ll_address = r.u64("the LL address")?;
        let ll_owner_thread = r.u64("the LL owner")?;
        let exit_code = r.u8("the exit code")?;
        let exited = r.bool("exited")?;
        let step = r.u64("the step")?;
        let steps_since_context_switch = r.u64("the steps since the last switch")?;
        let traverse_right = r.bool("traverseRight")?;
        let next_thread_id = r.u64("the next thread id")?;
        let mut stacks = [ThreadStack::default(), ThreadStack::default()];
        for (stack, name) in stacks.iter_mut().zip(["left", "right"]) {
            let n = r.count(THREAD_WITNESS_LEN, &format!("the {name} stack's length"))?;
            for _ in 0..n {
                stack.0.push(thread_from(r.take(THREAD_WITNESS_LEN, "a thread")?));
            }
        }
        let [left, right] = stacks;
        let mut n = [0u8; 4];
        n.copy_from_slice(r.take(4, "the hint length")?);
        let last_hint = r.take(u32::from_be_bytes(n) as usize, "the hint")?.to_vec();
        if r.at != bytes.len() {
            return Err(Load64Error::Snapshot(format!("{} bytes after the end at byte {}", bytes.len() - r.at, r.at)));
        }
        let state = State64 {
            mem_root: memory.root(),
            preimage_key: B256::from(key),
            preimage_offset,
            heap,
            ll_reservation,
            ll_address,
            ll_owner_thread,
            exit_code,
            exited,
            step,
            steps_since_context_switch,
            traverse_right,
            left,
            right,
            next_thread_id,
        };
        Ok(Self { state, memory, last_hint })
    }
}

/// The most bytes a snapshot may decompress to (a program's prestate is tens of MB).
pub const MAX_SNAPSHOT_BYTES: u64 = 4 << 30;

impl Snapshot64 {
    /// Reads a prestate or snapshot file: cannon's binary format, gzip-compressed (`.bin.gz`)
    /// or not. JSON states are refused.
    pub fn read_file_bytes(bytes: &[u8]) -> Result<Self, Load64Error> {
        if bytes.starts_with(&[0x1f, 0x8b]) {
            use std::io::Read as _;
            let mut out = Vec::new();
            flate2::read::MultiGzDecoder::new(bytes)
                .take(MAX_SNAPSHOT_BYTES + 1)
                .read_to_end(&mut out)
                .map_err(|e| Load64Error::Snapshot(format!("gzip: {e}")))?;
            if out.len() as u64 > MAX_SNAPSHOT_BYTES {
                return Err(Load64Error::Snapshot(format!("decompresses to more than {MAX_SNAPSHOT_BYTES} bytes")));
            }
            return Self::decode(&out);
        }
        if bytes.first() == Some(&b'{') {
            return Err(Load64Error::Snapshot(
                "a JSON state; only cannon's binary snapshots (.bin, .bin.gz) are read".into(),
            ));
        }
        Self::decode(bytes)
    }

    /// The `.bin.gz` file of this snapshot.
    pub fn to_bin_gz(&self) -> Vec<u8> {
        use std::io::Write as _;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        // Writing into a Vec cannot fail.
        let _ = gz.write_all(&self.encode());
        gz.finish().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// A minimal ELF64: header, then PT_LOAD segments of (vaddr, bytes, bss).
    fn elf64(entry: u64, segments: &[(u64, &[u8], u64)]) -> Vec<u8> {
        let phoff = 64u64;
        let data_at = phoff + 56 * segments.len() as u64;
        let mut f = vec![0u8; data_at as usize];
        f[..6].copy_from_slice(&[0x7F, b'E', b'L', b'F', 2, 2]);
        f[6] = 1;
        f[16..18].copy_from_slice(&ET_EXEC.to_be_bytes());
        f[18..20].copy_from_slice(&EM_MIPS.to_be_bytes());
        f[24..32].copy_from_slice(&entry.to_be_bytes());
        f[32..40].copy_from_slice(&phoff.to_be_bytes());
        f[54..56].copy_from_slice(&56u16.to_be_bytes());
        f[56..58].copy_from_slice(&(segments.len() as u16).to_be_bytes());
        for (i, (vaddr, bytes, bss)) in segments.iter().enumerate() {
            let ph = (phoff + 56 * i as u64) as usize;
            let offset = f.len() as u64;
            f[ph..ph + 4].copy_from_slice(&PT_LOAD.to_be_bytes());
            f[ph + 8..ph + 16].copy_from_slice(&offset.to_be_bytes());
            f[ph + 16..ph + 24].copy_from_slice(&vaddr.to_be_bytes());
            f[ph + 32..ph + 40].copy_from_slice(&(bytes.len() as u64).to_be_bytes());
            f[ph + 40..ph + 48].copy_from_slice(&(bytes.len() as u64 + bss).to_be_bytes());
            f.extend_from_slice(bytes);
        }
        f
    }

    #[test]
    fn an_elf_loads_into_one_thread_and_the_stack_is_patched_as_cannon_does() {
        let code = [0x24, 0x02, 0x0F, 0xA1, 1, 2, 3, 4, 5];
        let mut s = load_elf(&elf64(0x12_0000_0000, &[(0x12_0000_0000, &code, 5000)])).unwrap();
        let t = s.state.left.top().unwrap().clone();
        assert_eq!(
            (t.id, t.pc, t.next_pc, s.state.heap, s.state.next_thread_id),
            (0, 0x12_0000_0000, 0x12_0000_0004, HEAP_START, 1)
        );
        assert_eq!(s.memory.read_u64(0x12_0000_0000), 0x2402_0FA1_0102_0304);
        assert_eq!(s.memory.page_count(), 2, "the zero fill's pages exist, as in cannon's snapshots");
        assert_eq!(s.state.hash()[0], 3);
        patch_stack(&mut s);
        let sp = STACK_TOP;
        assert_eq!(s.state.left.top().unwrap().registers[29], sp);
        let words: Vec<u64> = (0..10).map(|i| s.memory.read_u64(sp + 8 * i)).collect();
        assert_eq!(words, [1, sp + 128, 0, sp + 96, 0, 6, 4096, 25, sp + 80, 0]);
        assert_eq!(s.memory.read_range(sp + 80, 16), b"4;byfairdiceroll");
        assert_eq!(s.memory.read_range(sp + 96, 25), b"GODEBUG=memprofilerate=0\0");
        assert_eq!(s.memory.read_range(sp + 128, 11), b"op-program\0");
        assert_eq!(s.memory.page_count(), 2 + 5);
    }

    #[test]
    fn elfs_cannon_would_refuse_are_named() {
        let e = |segments: &[(u64, &[u8], u64)]| load_elf(&elf64(0x1000, segments)).unwrap_err().to_string();
        assert!(e(&[(0xFFFF_FFFF_F000, &[1; 8], 0x10_0000)]).contains("48-bit"));
        assert!(e(&[(HEAP_START - 4, &[1; 8], 0)]).contains("overlaps the heap"));
        assert!(e(&[(0x1000, &[1; 16], 0), (0x1008, &[2; 8], 0)]).contains("segments 0 (0x1000..=0x100f) and 1"));
        let good = elf64(0x1000, &[(0x1000, &[7; 16], 0)]);
        for cut in [0, 10, 40, 63, 100, 125] {
            assert!(load_elf(&good[..cut]).is_err(), "truncated at {cut}");
        }
        let mut class32 = good.clone();
        class32[4] = 1;
        assert!(load_elf(&class32).unwrap_err().to_string().contains("ELFCLASS64"));
    }

    #[test]
    fn snapshots_round_trip_and_bad_ones_are_named() {
        let mut s = load_elf(&elf64(0x1000, &[(0x1000, &[9; 40], 0)])).unwrap();
        patch_stack(&mut s);
        s.state.left.0.push(Thread64::at(4, 0x2000));
        s.state.right.0.push(Thread64 { exited: true, exit_code: 3, ..Thread64::at(5, 0x3000) });
        s.state.ll_reservation = 2;
        s.last_hint = vec![0, 0, 0, 9, 1];
        let bytes = s.encode();
        assert_eq!(bytes[0], STATE_VERSION);
        let back = Snapshot64::decode(&bytes).unwrap();
        assert_eq!(back, s);
        assert_eq!(back.encode(), bytes);
        let mut v7 = bytes.clone();
        v7[0] = 7;
        assert!(Snapshot64::decode(&v7).unwrap_err().to_string().contains("version 7"));
        for cut in [0, 5, 9, 100, bytes.len() - 300, bytes.len() - 1] {
            assert!(Snapshot64::decode(&bytes[..cut]).is_err(), "truncated at {cut}");
        }
        let mut long = bytes.clone();
        long.push(0);
        assert!(Snapshot64::decode(&long).unwrap_err().to_string().contains("after the end"));
        let gz = s.to_bin_gz();
        assert_eq!(gz[..2], [0x1f, 0x8b]);
        assert_eq!(Snapshot64::read_file_bytes(&gz).unwrap(), s);
        assert_eq!(Snapshot64::read_file_bytes(&bytes).unwrap(), s);
        assert!(Snapshot64::read_file_bytes(&gz[..gz.len() / 2]).unwrap_err().to_string().contains("gzip"));
        assert!(Snapshot64::read_file_bytes(b"{\"memory\":[]}").unwrap_err().to_string().contains("JSON"));
        let mut huge = bytes;
        huge[1..9].copy_from_slice(&u64::MAX.to_be_bytes());
        assert!(Snapshot64::decode(&huge).unwrap_err().to_string().contains("page count"));
    }
}
