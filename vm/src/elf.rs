//! Loading a static big-endian MIPS32 ELF into an initial [`State`], the way `cannon load-elf`
//! does: every program segment but `MIPS_ABIFLAGS` copied to its virtual address (PT_LOAD
//! segments zero-filled up to their memory size), `pc` at the entry point.

use crate::VmError;
use crate::memory::PAGE_SIZE;
use crate::state::State;

/// Where `mmap` starts handing out memory (cannon's single-threaded heap start).
pub const HEAP_START: u32 = 0x0500_0000;
/// The initial stack pointer [`patch_stack`] sets up (cannon's).
pub const STACK_TOP: u32 = 0x7FFF_D000;

const PT_LOAD: u32 = 1;
const PT_MIPS_ABIFLAGS: u32 = 0x7000_0003;
const EM_MIPS: u16 = 8;
const ET_EXEC: u16 = 2;

fn err(msg: impl Into<String>) -> VmError {
    VmError::Elf(msg.into())
}

fn bytes<const N: usize>(file: &[u8], at: usize, what: &str) -> Result<[u8; N], VmError> {
    let end = at.checked_add(N).ok_or_else(|| err(format!("{what}: offset overflow")))?;
    let s = file.get(at..end).ok_or_else(|| err(format!("{what}: truncated at byte {at}")))?;
    let mut out = [0u8; N];
    out.copy_from_slice(s);
    Ok(out)
}

fn u16_at(file: &[u8], at: usize, what: &str) -> Result<u16, VmError> {
    Ok(u16::from_be_bytes(bytes(file, at, what)?))
}

fn u32_at(file: &[u8], at: usize, what: &str) -> Result<u32, VmError> {
    Ok(u32::from_be_bytes(bytes(file, at, what)?))
}

/// The initial state of a program: its segments in memory, `pc` at the entry, `nextPC` after
/// it, the heap at [`HEAP_START`], every register zero.
pub fn load_elf(file: &[u8]) -> Result<State, VmError> {
    let ident: [u8; 16] = bytes(file, 0, "ELF header")?;
    if ident[..4] != [0x7F, b'E', b'L', b'F'] {
        return Err(err("not an ELF file (bad magic)"));
    }
    if ident[4] != 1 {
        return Err(err(format!("class {} is not ELFCLASS32", ident[4])));
    }
    if ident[5] != 2 {
        return Err(err(format!("data encoding {} is not big-endian", ident[5])));
    }
    let e_type = u16_at(file, 16, "e_type")?;
    if e_type != ET_EXEC {
        return Err(err(format!("type {e_type} is not a static executable (ET_EXEC)")));
    }
    let machine = u16_at(file, 18, "e_machine")?;
    if machine != EM_MIPS {
        return Err(err(format!("machine {machine} is not MIPS")));
    }
    let entry = u32_at(file, 24, "e_entry")?;
    let phoff = u32_at(file, 28, "e_phoff")? as usize;
    let phentsize = u16_at(file, 42, "e_phentsize")? as usize;
    let phnum = u16_at(file, 44, "e_phnum")? as usize;
    if phnum > 0 && phentsize < 32 {
        return Err(err(format!("program header entries of {phentsize} bytes")));
    }

    let mut state = State { pc: entry, next_pc: entry.wrapping_add(4), heap: HEAP_START, ..State::default() };
    for i in 0..phnum {
        let at = phentsize
            .checked_mul(i)
            .and_then(|o| o.checked_add(phoff))
            .ok_or_else(|| err(format!("program header {i}: offset overflow")))?;
        let what = format!("program header {i}");
        let p_type = u32_at(file, at, &what)?;
        if p_type == PT_MIPS_ABIFLAGS {
            continue;
        }
        let offset = u32_at(file, at + 4, &what)? as usize;
        let vaddr = u32_at(file, at + 8, &what)?;
        let filesz = u32_at(file, at + 16, &what)? as usize;
        let memsz = u32_at(file, at + 20, &what)? as usize;
        if filesz != memsz {
            if p_type != PT_LOAD {
                return Err(err(format!(
                    "segment {i} (type {p_type:#x}) has file size {filesz} != memory size {memsz}; only PT_LOAD is zero-filled"
                )));
            }
            if filesz > memsz {
                return Err(err(format!("segment {i}: file size {filesz} > memory size {memsz}")));
            }
        }
        if u64::from(vaddr) + memsz as u64 >= 1 << 32 {
            return Err(err(format!("segment {i} at {vaddr:#x} + {memsz:#x} leaves the 32-bit address space")));
        }
        let data = offset
            .checked_add(filesz)
            .and_then(|end| file.get(offset..end))
            .ok_or_else(|| err(format!("segment {i}: bytes {offset}..+{filesz} past the end of the file")))?;
        state.memory.set_range(vaddr, data);
        if memsz > filesz {
            // The zero fill (bss) only clears what an earlier segment wrote there.
            state.memory.zero_range(vaddr.wrapping_add(filesz as u32), (memsz - filesz) as u64);
        }
    }
    Ok(state)
}

/// cannon's `PatchStack`: `$sp` at [`STACK_TOP`] with argc, argv, envp and a small auxv
/// (page size, `AT_RANDOM` pointing at 16 fixed bytes) above it.
pub fn patch_stack(state: &mut State) {
    let sp = STACK_TOP;
    state.registers[29] = sp;
    let words: [u32; 8] = [0x42, 0x35, 0, 6, PAGE_SIZE, 25, sp + 4 * 9, 0];
    for (i, w) in words.iter().enumerate() {
        state.memory.write_word(sp + 4 * (i as u32 + 1), *w);
    }
    state.memory.set_range(sp + 4 * 9, b"4;byfairdiceroll");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal ELF: header, one PT_LOAD of `code` at `vaddr` with `bss` extra zero bytes.
    pub(crate) fn tiny_elf(entry: u32, vaddr: u32, code: &[u8], bss: u32) -> Vec<u8> {
        let mut f = vec![0u8; 52 + 32];
        f[..4].copy_from_slice(&[0x7F, b'E', b'L', b'F']);
        f[4] = 1;
        f[5] = 2;
        f[6] = 1;
        f[16..18].copy_from_slice(&ET_EXEC.to_be_bytes());
        f[18..20].copy_from_slice(&EM_MIPS.to_be_bytes());
        f[24..28].copy_from_slice(&entry.to_be_bytes());
        f[28..32].copy_from_slice(&52u32.to_be_bytes());
        f[42..44].copy_from_slice(&32u16.to_be_bytes());
        f[44..46].copy_from_slice(&1u16.to_be_bytes());
        let ph = 52;
        f[ph..ph + 4].copy_from_slice(&PT_LOAD.to_be_bytes());
        f[ph + 4..ph + 8].copy_from_slice(&84u32.to_be_bytes());
        f[ph + 8..ph + 12].copy_from_slice(&vaddr.to_be_bytes());
        f[ph + 16..ph + 20].copy_from_slice(&(code.len() as u32).to_be_bytes());
        f[ph + 20..ph + 24].copy_from_slice(&(code.len() as u32 + bss).to_be_bytes());
        f.extend_from_slice(code);
        f
    }

    #[test]
    fn loads_segments_and_entry() {
        let elf = tiny_elf(0x40_0000, 0x40_0000, &[0x24, 0x02, 0x0F, 0xA1, 1, 2, 3], 100);
        let s = load_elf(&elf).unwrap();
        assert_eq!((s.pc, s.next_pc, s.heap), (0x40_0000, 0x40_0004, HEAP_START));
        assert_eq!(s.memory.read_word(0x40_0000), 0x2402_0FA1);
        assert_eq!(s.memory.read_word(0x40_0004), 0x0102_0300);
        // A gigabyte of bss costs nothing.
        let big = load_elf(&tiny_elf(0x40_0000, 0x40_0000, &[1; 8], 1 << 30)).unwrap();
        assert_eq!(big.memory.page_count(), 1);
    }

    #[test]
    fn malformed_files_are_errors_not_panics() {
        let good = tiny_elf(0x1000, 0x1000, &[0; 8], 0);
        assert!(load_elf(&[]).is_err());
        assert!(load_elf(b"\x7fELF").is_err());
        for cut in [10, 40, 60, 83, 85] {
            assert!(load_elf(&good[..cut]).is_err(), "truncated at {cut}");
        }
        let mut little = good.clone();
        little[5] = 1;
        assert!(load_elf(&little).is_err());
        let mut huge = good.clone();
        // Segment at 0xFFFFF000 with 8 KiB.
        huge[60..64].copy_from_slice(&0xFFFF_F000u32.to_be_bytes());
        huge[72..76].copy_from_slice(&0x2000u32.to_be_bytes());
        assert!(load_elf(&huge).is_err());
        let mut past_end = good.clone();
        past_end[56..60].copy_from_slice(&0xFFFF_FFF0u32.to_be_bytes());
        assert!(load_elf(&past_end).is_err());
        let mut bad_ph = good;
        bad_ph[44..46].copy_from_slice(&0xFFFFu16.to_be_bytes());
        assert!(load_elf(&bad_ph).is_err());
    }
}
