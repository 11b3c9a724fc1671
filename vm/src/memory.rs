//! The VM's 4 GiB memory as `MIPS.sol` commits to it: a binary Merkle tree of 27 levels over
//! 32-byte leaves (leaf index = `addr >> 5`), nodes `keccak256(left ‖ right)`, words big-endian.
//!
//! Storage is sparse: 4 KiB pages, shared copy-on-write between clones so a snapshot costs a
//! page table, not the memory. Each page caches the 127 nodes of its own subtree with a
//! validity bit per node; the 20 levels above the pages are cached in a map. A write only
//! clears bits, so hashing costs nothing until a root or a proof is asked for.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use alloy_primitives::{B256, keccak256};

/// Bytes in a page.
pub const PAGE_SIZE: u32 = 4096;
/// `log2(PAGE_SIZE)`.
const PAGE_BITS: u32 = 12;
/// Words in a page.
const PAGE_WORDS: usize = (PAGE_SIZE / 4) as usize;
/// Number of pages in the address space.
/// Leaves (32 bytes) in a page.
const PAGE_LEAVES: u32 = PAGE_SIZE / 32;
/// Height of a page's subtree above its leaves.
const PAGE_HEIGHT: usize = 7;
/// Levels of the whole tree above the leaves (`MIPS.sol` walks 27 siblings).
pub const TREE_DEPTH: usize = 27;
/// Bytes of one memory proof: the leaf then 27 siblings, bottom up.
pub const PROOF_LEN: usize = 32 * (TREE_DEPTH + 1);
/// Every node of a page valid (bit 0 is unused: nodes are heap-indexed from 1).
const ALL_VALID: u128 = !1;

/// `ZERO_HASHES[h]`: the root of an all-zero subtree of height `h` (`h = 0` is a zero leaf).
fn zero_hashes() -> &'static [B256; TREE_DEPTH + 1] {
    static ZERO: OnceLock<[B256; TREE_DEPTH + 1]> = OnceLock::new();
    ZERO.get_or_init(|| {
        let mut z = [B256::ZERO; TREE_DEPTH + 1];
        for h in 1..=TREE_DEPTH {
            z[h] = hash_pair(&z[h - 1], &z[h - 1]);
        }
        z
    })
}

/// The root of an all-zero subtree of height `h`.
pub fn zero_hash(h: usize) -> B256 {
    zero_hashes()[h.min(TREE_DEPTH)]
}

fn hash_pair(a: &B256, b: &B256) -> B256 {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(a.as_slice());
    buf[32..].copy_from_slice(b.as_slice());
    keccak256(buf)
}

/// For each leaf of a page, the validity mask with that leaf's 7 ancestors cleared.
fn path_masks() -> &'static [u128; PAGE_LEAVES as usize] {
    static MASKS: OnceLock<[u128; PAGE_LEAVES as usize]> = OnceLock::new();
    MASKS.get_or_init(|| {
        let mut masks = [0u128; PAGE_LEAVES as usize];
        for (leaf, mask) in masks.iter_mut().enumerate() {
            let mut m = u128::MAX;
            let mut node = (leaf + PAGE_LEAVES as usize) >> 1;
            while node >= 1 {
                m &= !(1u128 << node);
                node >>= 1;
            }
            *mask = m;
        }
        masks
    })
}

#[derive(Clone)]
struct Page {
    /// The page's words, native-endian; leaves are their big-endian bytes.
    words: [u32; PAGE_WORDS],
    /// Heap-indexed subtree nodes: 1 is the page root, `[64, 128)` hash leaf pairs.
    nodes: [B256; PAGE_LEAVES as usize],
    /// Bit `i` set when `nodes[i]` is up to date.
    valid: u128,
}

impl Page {
    fn new() -> Self {
        Self { words: [0; PAGE_WORDS], nodes: [B256::ZERO; PAGE_LEAVES as usize], valid: 0 }
    }

    /// The 32 bytes of leaf `leaf` of this page.
    fn leaf(&self, leaf: usize) -> B256 {
        let mut out = [0u8; 32];
        for (i, chunk) in out.chunks_exact_mut(4).enumerate() {
            chunk.copy_from_slice(&self.words[leaf * 8 + i].to_be_bytes());
        }
        B256::from(out)
    }

    /// Node `i` of an up-to-date page, without hashing.
    fn cached_node(&self, i: usize) -> B256 {
        if i >= PAGE_LEAVES as usize { self.leaf(i - PAGE_LEAVES as usize) } else { self.nodes[i] }
    }

    /// Node `i` of the page subtree: heap index below 128, a leaf at `128 + leaf`.
    fn node(&mut self, i: usize) -> B256 {
        if i >= PAGE_LEAVES as usize {
            return self.leaf(i - PAGE_LEAVES as usize);
        }
        if self.valid & (1u128 << i) != 0 {
            return self.nodes[i];
        }
        let left = self.node(2 * i);
        let right = self.node(2 * i + 1);
        let h = hash_pair(&left, &right);
        self.nodes[i] = h;
        self.valid |= 1u128 << i;
        h
    }
}

/// Pages per directory of the two-level page table.
const DIR_PAGES: usize = 1024;
/// `log2(DIR_PAGES)`.
const DIR_BITS: u32 = 10;

/// One directory: the pages of a 4 MiB region.
type Dir = [Option<Arc<Page>>; DIR_PAGES];

/// Sparse, Merkleized, copy-on-write VM memory.
#[derive(Clone)]
pub struct Memory {
    /// Two-level page table: directories by `addr >> 22`, pages by `(addr >> 12) & 1023`.
    /// Both levels are shared between clones until written.
    dirs: Vec<Option<Arc<Dir>>>,
    /// Nodes above the pages by generalized index (1 = root, `2^20 + p` = page `p`, not
    /// stored): absent = all-zero subtree, `None` = stale, `Some` = cached hash.
    upper: HashMap<u32, Option<B256>>,
    /// Pages written since the upper tree was last brought up to date.
    dirty: Vec<u32>,
    /// Number of allocated pages.
    allocated: usize,
}

impl std::fmt::Debug for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memory").field("pages", &self.allocated).finish_non_exhaustive()
    }
}

impl Default for Memory {
    fn default() -> Self {
        Self::new()
    }
}

impl Memory {
    /// An all-zero memory.
    pub fn new() -> Self {
        Self {
            dirs: vec![None; 1 << (32 - PAGE_BITS - DIR_BITS)],
            upper: HashMap::new(),
            dirty: Vec::new(),
            allocated: 0,
        }
    }

    /// Pages holding data (zero pages that were written count too).
    pub fn page_count(&self) -> usize {
        self.allocated
    }

    /// The big-endian word at `addr & !3`.
    #[inline(always)]
    pub fn read_word(&self, addr: u32) -> u32 {
        match self.page(addr >> PAGE_BITS) {
            Some(page) => page.words[((addr >> 2) as usize) & (PAGE_WORDS - 1)],
            None => 0,
        }
    }

    /// Page `index`, if allocated.
    #[inline(always)]
    fn page(&self, index: u32) -> Option<&Page> {
        let dir = self.dirs[(index >> DIR_BITS) as usize].as_deref()?;
        dir[(index as usize) & (DIR_PAGES - 1)].as_deref()
    }

    /// Page `index` for writing (unshared), if allocated.
    fn page_mut(&mut self, index: u32) -> Option<&mut Page> {
        let dir = Arc::make_mut(self.dirs[(index >> DIR_BITS) as usize].as_mut()?);
        Some(Arc::make_mut(dir[(index as usize) & (DIR_PAGES - 1)].as_mut()?))
    }

    /// Writes the word at `addr & !3`.
    #[inline(always)]
    pub fn write_word(&mut self, addr: u32, value: u32) {
        let index = addr >> PAGE_BITS;
        let dir =
            self.dirs[(index >> DIR_BITS) as usize].get_or_insert_with(|| Arc::new(std::array::from_fn(|_| None)));
        let slot = &mut Arc::make_mut(dir)[(index as usize) & (DIR_PAGES - 1)];
        let page = match slot {
            Some(page) => page,
            None => {
                self.allocated += 1;
                // A new page starts with no valid node: it is dirty from birth.
                self.dirty.push(index);
                slot.insert(Arc::new(Page::new()))
            }
        };
        let page = Arc::make_mut(page);
        if page.valid == ALL_VALID {
            self.dirty.push(index);
        }
        page.valid &= path_masks()[((addr >> 5) & (PAGE_LEAVES - 1)) as usize];
        page.words[((addr >> 2) as usize) & (PAGE_WORDS - 1)] = value;
    }

    /// The byte at `addr`.
    pub fn read_byte(&self, addr: u32) -> u8 {
        let shift = 24 - (addr & 3) * 8;
        (self.read_word(addr) >> shift) as u8
    }

    /// Writes `data` from `addr` on, byte by byte; stops at the top of the address space.
    pub fn set_range(&mut self, addr: u32, data: &[u8]) {
        let mut a = addr;
        let mut rest = data;
        while let Some((&b, tail)) = rest.split_first() {
            // Whole aligned words go in one write.
            if a & 3 == 0 && tail.len() >= 3 {
                let w = u32::from_be_bytes([b, tail[0], tail[1], tail[2]]);
                self.write_word(a, w);
                rest = &tail[3..];
                match a.checked_add(4) {
                    Some(n) => a = n,
                    None => return,
                }
                continue;
            }
            let shift = 24 - (a & 3) * 8;
            let w = (self.read_word(a) & !(0xFF << shift)) | (u32::from(b) << shift);
            self.write_word(a, w);
            rest = tail;
            match a.checked_add(1) {
                Some(n) => a = n,
                None => return,
            }
        }
    }

    /// Zeroes `len` bytes from `addr` (stopping at the top of the address space). Pages that
    /// do not exist are zero already and stay unallocated: zero pages hash like absent ones.
    pub fn zero_range(&mut self, addr: u32, len: u64) {
        let end = (u64::from(addr) + len).min(1 << 32);
        let mut a = u64::from(addr);
        while a < end {
            let page_end = ((a >> PAGE_BITS) + 1) << PAGE_BITS;
            let chunk_end = page_end.min(end);
            if self.page(a as u32 >> PAGE_BITS).is_some() {
                let zeros = vec![0u8; (chunk_end - a) as usize];
                self.set_range(a as u32, &zeros);
            }
            a = chunk_end;
        }
    }

    /// Reads `len` bytes from `addr` (wrapping at the top of the address space).
    pub fn read_range(&self, addr: u32, len: usize) -> Vec<u8> {
        (0..len).map(|i| self.read_byte(addr.wrapping_add(i as u32))).collect()
    }

    fn invalidate_dirty(&mut self) {
        for page in std::mem::take(&mut self.dirty) {
            let mut g = ((1u32 << (32 - PAGE_BITS)) | page) >> 1;
            while g >= 1 {
                // Ancestors of a stale node are stale already.
                if let Some(None) = self.upper.insert(g, None) {
                    break;
                }
                g >>= 1;
            }
        }
    }

    /// Hash of node `g` of the tree above the pages; page roots at `2^20 + p`.
    fn upper_node(&mut self, g: u32) -> B256 {
        let page_level = 1u32 << (32 - PAGE_BITS);
        if g >= page_level {
            let index = g - page_level;
            return match self.page(index) {
                None => zero_hash(PAGE_HEIGHT),
                // Read-only when cached, so pages shared with snapshots stay shared.
                Some(page) if page.valid & 2 != 0 => page.nodes[1],
                Some(_) => self.page_mut(index).map_or(zero_hash(PAGE_HEIGHT), |page| page.node(1)),
            };
        }
        match self.upper.get(&g) {
            None => zero_hash(TREE_DEPTH - (31 - g.leading_zeros()) as usize),
            Some(Some(h)) => *h,
            Some(None) => {
                let left = self.upper_node(2 * g);
                let right = self.upper_node(2 * g + 1);
                let h = hash_pair(&left, &right);
                self.upper.insert(g, Some(h));
                h
            }
        }
    }

    /// The Merkle root of the whole memory.
    pub fn root(&mut self) -> B256 {
        self.invalidate_dirty();
        self.upper_node(1)
    }

    /// The proof `MIPS.sol` reads for the word at `addr`: the 32-byte leaf holding it, then
    /// the 27 siblings from the leaf level up.
    pub fn proof(&mut self, addr: u32) -> [u8; PROOF_LEN] {
        // With the root up to date every cached node is valid.
        self.root();
        let mut out = [0u8; PROOF_LEN];
        let page_index = addr >> PAGE_BITS;
        let leaf = ((addr >> 5) & (PAGE_LEAVES - 1)) as usize;
        let mut siblings = Vec::with_capacity(TREE_DEPTH);
        match self.page(page_index) {
            Some(page) => {
                out[..32].copy_from_slice(page.leaf(leaf).as_slice());
                let mut node = leaf + PAGE_LEAVES as usize;
                while node > 1 {
                    siblings.push(page.cached_node(node ^ 1));
                    node >>= 1;
                }
            }
            None => siblings.extend((0..PAGE_HEIGHT).map(zero_hash)),
        }
        let mut g = (1u32 << (32 - PAGE_BITS)) | page_index;
        while g > 1 {
            siblings.push(self.upper_node(g ^ 1));
            g >>= 1;
        }
        for (i, s) in siblings.iter().enumerate() {
            out[32 * (i + 1)..32 * (i + 2)].copy_from_slice(s.as_slice());
        }
        out
    }
}

/// The root a proof for `addr` commits to (what `MIPS.sol`'s `readMem` recomputes).
pub fn proof_root(addr: u32, proof: &[u8; PROOF_LEN]) -> B256 {
    let mut node = B256::from_slice(&proof[..32]);
    let path = addr >> 5;
    for i in 0..TREE_DEPTH {
        let sibling = B256::from_slice(&proof[32 * (i + 1)..32 * (i + 2)]);
        node = if (path >> i) & 1 == 0 { hash_pair(&node, &sibling) } else { hash_pair(&sibling, &node) };
    }
    node
}

/// The word at `addr` in a proof's leaf (what `readMem` returns).
pub fn proof_word(addr: u32, proof: &[u8; PROOF_LEN]) -> u32 {
    let o = (addr & 31 & !3) as usize;
    u32::from_be_bytes([proof[o], proof[o + 1], proof[o + 2], proof[o + 3]])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The root recomputed from scratch over a list of written words, for comparison.
    fn naive_root(words: &[(u32, u32)]) -> B256 {
        let mut leaves: HashMap<u32, [u8; 32]> = HashMap::new();
        for &(addr, value) in words {
            let leaf = leaves.entry(addr >> 5).or_insert([0; 32]);
            let o = (addr & 31 & !3) as usize;
            leaf[o..o + 4].copy_from_slice(&value.to_be_bytes());
        }
        let mut level: HashMap<u32, B256> = leaves.into_iter().map(|(k, v)| (k, B256::from(v))).collect();
        for h in 0..TREE_DEPTH {
            let mut next = HashMap::new();
            let parents: std::collections::BTreeSet<u32> = level.keys().map(|k| k >> 1).collect();
            for p in parents {
                let l = level.get(&(2 * p)).copied().unwrap_or(zero_hash(h));
                let r = level.get(&(2 * p + 1)).copied().unwrap_or(zero_hash(h));
                next.insert(p, hash_pair(&l, &r));
            }
            level = next;
        }
        level.get(&0).copied().unwrap_or(zero_hash(TREE_DEPTH))
    }

    #[test]
    fn empty_memory_root_is_the_zero_tree() {
        let mut m = Memory::new();
        assert_eq!(m.root(), zero_hash(27));
        // Writing zeros changes nothing.
        m.write_word(0x1234, 0);
        assert_eq!(m.root(), zero_hash(27));
    }

    #[test]
    fn root_matches_a_from_scratch_merkleization_after_each_write() {
        let mut m = Memory::new();
        let mut written: Vec<(u32, u32)> = Vec::new();
        let addrs = [0u32, 4, 28, 32, 0x1000, 0xFFC, 0x7FFF_D000, 0xFFFF_FFFC, 0x4000_0020, 4];
        for (i, &a) in addrs.iter().enumerate() {
            let v = 0xDEAD_0000 | i as u32;
            m.write_word(a, v);
            written.retain(|(x, _)| *x != a);
            written.push((a, v));
            assert_eq!(m.root(), naive_root(&written), "after writing {a:#x}");
        }
    }

    #[test]
    fn proofs_verify_against_the_root_and_carry_the_word() {
        let mut m = Memory::new();
        m.write_word(0x40, 0x0102_0304);
        m.write_word(0x44, 0x0506_0708);
        m.write_word(0x2000_0000, 7);
        let root = m.root();
        for addr in [0x40u32, 0x44, 0x48, 0x2000_0000, 0x8000_0000, 0xFFFF_FFFC] {
            let p = m.proof(addr);
            assert_eq!(proof_root(addr, &p), root, "proof of {addr:#x}");
            assert_eq!(proof_word(addr, &p), m.read_word(addr));
        }
    }

    #[test]
    fn clones_share_pages_but_not_writes() {
        let mut a = Memory::new();
        a.write_word(0x100, 1);
        let root_a = a.root();
        let mut b = a.clone();
        b.write_word(0x100, 2);
        assert_eq!(a.read_word(0x100), 1);
        assert_eq!(a.root(), root_a);
        assert_ne!(b.root(), root_a);
    }

    #[test]
    fn byte_ranges_round_trip_at_any_alignment() {
        let mut m = Memory::new();
        let data: Vec<u8> = (1..=11).collect();
        m.set_range(0x1FFD, &data);
        assert_eq!(m.read_range(0x1FFD, 11), data);
        assert_eq!(m.read_byte(0x1FFC), 0);
        assert_eq!(m.read_word(0x2000), 0x0405_0607);
        m.zero_range(0x1FFE, 3);
        assert_eq!(m.read_range(0x1FFD, 5), [1, 0, 0, 0, 5]);
        let pages = m.page_count();
        m.zero_range(0x10_0000, 1 << 31);
        assert_eq!(m.page_count(), pages, "zeroing allocates nothing");
    }
}
