//! Cannon64's memory as `MIPS64.sol` commits to it: a binary Merkle tree of 59 levels over
//! 32-byte leaves (leaf index = `addr >> 5`), nodes `keccak256(left ‖ right)`, 8-byte words
//! big-endian.
//!
//! Storage is sparse: 4 KiB pages by index, shared copy-on-write between clones. Each page
//! caches the 127 nodes of its own subtree with a validity bit per node; the 52 levels above
//! the pages are cached in a map. A write only clears bits, so hashing costs nothing until a
//! root or a proof is asked for.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use alloy_primitives::{B256, keccak256};

/// Bytes in a page.
pub const PAGE_SIZE: u64 = 4096;
/// `log2(PAGE_SIZE)`.
const PAGE_BITS: u32 = 12;
/// 8-byte words in a page.
const PAGE_WORDS: usize = (PAGE_SIZE / 8) as usize;
/// Leaves (32 bytes) in a page.
const PAGE_LEAVES: usize = (PAGE_SIZE / 32) as usize;
/// Height of a page's subtree above its leaves.
const PAGE_HEIGHT: usize = 7;
/// Levels of the memory tree above its 32-byte leaves (64-bit addresses, 5 bits per leaf).
pub const MEMORY_TREE_DEPTH: usize = 59;
/// Bytes of one memory proof: the leaf, then one sibling per level, bottom-up.
pub const MEMORY_PROOF_LEN: usize = 32 * (MEMORY_TREE_DEPTH + 1);
/// Generalized index of page 0's root: the 52 levels above the pages.
const PAGE_LEVEL: u64 = 1 << (64 - PAGE_BITS);
/// Every node of a page valid (bit 0 is unused: nodes are heap-indexed from 1).
const ALL_VALID: u128 = !1;

/// `zero_hashes()[h]`: the root of an all-zero subtree of height `h` (`h = 0` is a zero leaf).
fn zero_hashes() -> &'static [B256; MEMORY_TREE_DEPTH + 1] {
    static ZERO: OnceLock<[B256; MEMORY_TREE_DEPTH + 1]> = OnceLock::new();
    ZERO.get_or_init(|| {
        let mut z = [B256::ZERO; MEMORY_TREE_DEPTH + 1];
        for h in 1..=MEMORY_TREE_DEPTH {
            z[h] = hash_pair(&z[h - 1], &z[h - 1]);
        }
        z
    })
}

fn hash_pair(a: &B256, b: &B256) -> B256 {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(a.as_slice());
    buf[32..].copy_from_slice(b.as_slice());
    keccak256(buf)
}

/// For each leaf of a page, the validity mask with that leaf's 7 ancestors cleared.
fn path_masks() -> &'static [u128; PAGE_LEAVES] {
    static MASKS: OnceLock<[u128; PAGE_LEAVES]> = OnceLock::new();
    MASKS.get_or_init(|| {
        let mut masks = [0u128; PAGE_LEAVES];
        for (leaf, mask) in masks.iter_mut().enumerate() {
            let mut m = u128::MAX;
            let mut node = (leaf + PAGE_LEAVES) >> 1;
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
    /// The page's 8-byte words; leaves are their big-endian bytes.
    words: [u64; PAGE_WORDS],
    /// Heap-indexed subtree nodes: 1 is the page root, `[64, 128)` hash leaf pairs.
    nodes: [B256; PAGE_LEAVES],
    /// Bit `i` set when `nodes[i]` is up to date.
    valid: u128,
}

impl Page {
    fn new() -> Self {
        Self { words: [0; PAGE_WORDS], nodes: [B256::ZERO; PAGE_LEAVES], valid: 0 }
    }

    fn leaf(&self, leaf: usize) -> B256 {
        let mut out = [0u8; 32];
        for (i, chunk) in out.chunks_exact_mut(8).enumerate() {
            chunk.copy_from_slice(&self.words[leaf * 4 + i].to_be_bytes());
        }
        B256::from(out)
    }

    fn cached_node(&self, i: usize) -> B256 {
        if i >= PAGE_LEAVES { self.leaf(i - PAGE_LEAVES) } else { self.nodes[i] }
    }

    fn node(&mut self, i: usize) -> B256 {
        if i >= PAGE_LEAVES {
            return self.leaf(i - PAGE_LEAVES);
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

/// A multiplicative hash for page and node indexes: they are not attacker-chosen keys of a
/// server (a program chooses its addresses, but gains nothing from collisions but its own
/// slowness), and SipHash was a third of the VM's time.
#[derive(Clone, Copy, Default)]
struct IndexHasher(u64);

impl std::hash::Hasher for IndexHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0 ^ i).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29);
    }
}

type IndexMap<V> = HashMap<u64, V, std::hash::BuildHasherDefault<IndexHasher>>;

/// Sparse, Merkleized, copy-on-write memory over the 64-bit address space.
#[derive(Clone)]
pub struct Memory64 {
    /// Where each page (`addr >> 12`) is in `store`.
    slots: IndexMap<u32>,
    /// The pages, shared between clones until written.
    store: Vec<Arc<Page>>,
    /// The two pages the VM used last (page index, slot), most recent first: instruction
    /// fetches and data accesses mostly stay on one page each, so most skip the map.
    recent: [(u64, u32); 2],
    /// Nodes above the pages by generalized index (1 = root, `2^52 + p` = page `p`, not
    /// stored): absent = all-zero subtree, `None` = stale, `Some` = cached hash.
    upper: IndexMap<Option<B256>>,
    /// Pages written since the upper tree was last brought up to date.
    dirty: Vec<u64>,
}

/// No page index is `u64::MAX` (addresses have 64 bits, pages 12 of them).
const NO_PAGE: (u64, u32) = (u64::MAX, 0);

impl Default for Memory64 {
    fn default() -> Self {
        Self {
            slots: IndexMap::default(),
            store: Vec::new(),
            recent: [NO_PAGE; 2],
            upper: IndexMap::default(),
            dirty: Vec::new(),
        }
    }
}

impl std::fmt::Debug for Memory64 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memory64").field("pages", &self.store.len()).finish_non_exhaustive()
    }
}

impl PartialEq for Memory64 {
    /// Equal contents (absent pages equal zero pages).
    fn eq(&self, other: &Self) -> bool {
        let covers = |a: &Self, b: &Self| {
            a.slots.iter().all(|(i, s)| match b.page(*i) {
                Some(q) => a.store[*s as usize].words == q.words,
                None => a.store[*s as usize].words.iter().all(|w| *w == 0),
            })
        };
        covers(self, other) && covers(other, self)
    }
}

impl Eq for Memory64 {}

impl Memory64 {
    /// An all-zero memory.
    pub fn new() -> Self {
        Self::default()
    }

    /// The slot of page `index` (the cache is read, not updated).
    #[inline(always)]
    fn slot(&self, index: u64) -> Option<u32> {
        let r = self.recent;
        if r[0].0 == index {
            return Some(r[0].1);
        }
        if r[1].0 == index {
            return Some(r[1].1);
        }
        self.slots.get(&index).copied()
    }

    /// The slot of page `index`, remembered as the most recent.
    #[inline(always)]
    fn slot_mut(&mut self, index: u64) -> Option<u32> {
        let r = self.recent;
        if r[0].0 == index {
            return Some(r[0].1);
        }
        if r[1].0 == index {
            self.recent = [r[1], r[0]];
            return Some(r[1].1);
        }
        let s = *self.slots.get(&index)?;
        self.recent = [(index, s), r[0]];
        Some(s)
    }

    /// [`Self::read_u64`], remembering the page for the next access (the VM's hot path).
    #[inline(always)]
    pub fn read_u64_mut(&mut self, addr: u64) -> u64 {
        match self.slot_mut(addr >> PAGE_BITS) {
            Some(s) => self.store[s as usize].words[((addr >> 3) as usize) & (PAGE_WORDS - 1)],
            None => 0,
        }
    }

    /// [`Self::read_u32`], remembering the page.
    #[inline(always)]
    pub fn read_u32_mut(&mut self, addr: u64) -> u32 {
        let shift = 32 - (addr & 4) * 8;
        (self.read_u64_mut(addr) >> shift) as u32
    }

    #[inline(always)]
    fn page(&self, index: u64) -> Option<&Page> {
        self.slot(index).map(|s| self.store[s as usize].as_ref())
    }

    /// Pages holding data (zero pages that were written count too).
    pub fn page_count(&self) -> usize {
        self.store.len()
    }

    /// The indexes of allocated pages, ascending.
    pub fn page_indexes(&self) -> Vec<u64> {
        let mut v: Vec<u64> = self.slots.keys().copied().collect();
        v.sort_unstable();
        v
    }

    /// The 4096 bytes of page `index` (zero if absent).
    pub fn page_bytes(&self, index: u64) -> [u8; PAGE_SIZE as usize] {
        let mut out = [0u8; PAGE_SIZE as usize];
        if let Some(page) = self.page(index) {
            for (chunk, w) in out.chunks_exact_mut(8).zip(page.words.iter()) {
                chunk.copy_from_slice(&w.to_be_bytes());
            }
        }
        out
    }

    /// The big-endian 8-byte word at `addr & !7`.
    #[inline(always)]
    pub fn read_u64(&self, addr: u64) -> u64 {
        match self.page(addr >> PAGE_BITS) {
            Some(page) => page.words[((addr >> 3) as usize) & (PAGE_WORDS - 1)],
            None => 0,
        }
    }

    /// Writes the 8-byte word at `addr & !7`.
    #[inline(always)]
    pub fn write_u64(&mut self, addr: u64, value: u64) {
        let index = addr >> PAGE_BITS;
        let slot = match self.slot_mut(index) {
            Some(s) => s,
            None => {
                // A new page starts with no valid node: it is dirty from birth.
                self.dirty.push(index);
                let s = u32::try_from(self.store.len()).unwrap_or(u32::MAX);
                self.store.push(Arc::new(Page::new()));
                self.slots.insert(index, s);
                self.recent = [(index, s), self.recent[0]];
                s
            }
        };
        let page = Arc::make_mut(&mut self.store[slot as usize]);
        if page.valid == ALL_VALID {
            self.dirty.push(index);
        }
        page.valid &= path_masks()[((addr >> 5) as usize) & (PAGE_LEAVES - 1)];
        page.words[((addr >> 3) as usize) & (PAGE_WORDS - 1)] = value;
    }

    /// The 4 bytes at `addr & !3`, big-endian.
    pub fn read_u32(&self, addr: u64) -> u32 {
        let shift = 32 - (addr & 4) * 8;
        (self.read_u64(addr) >> shift) as u32
    }

    /// Writes the 4 bytes at `addr & !3`, big-endian.
    pub fn write_u32(&mut self, addr: u64, value: u32) {
        let shift = 32 - (addr & 4) * 8;
        let w = (self.read_u64(addr) & !(0xFFFF_FFFFu64 << shift)) | (u64::from(value) << shift);
        self.write_u64(addr, w);
    }

    /// The byte at `addr`.
    pub fn read_byte(&self, addr: u64) -> u8 {
        (self.read_u64(addr) >> (56 - (addr & 7) * 8)) as u8
    }

    /// Writes `data` from `addr` on; stops at the top of the address space.
    pub fn set_range(&mut self, addr: u64, data: &[u8]) {
        let mut a = addr;
        let mut rest = data;
        while !rest.is_empty() {
            if a & 7 == 0 && rest.len() >= 8 {
                let mut w = [0u8; 8];
                w.copy_from_slice(&rest[..8]);
                self.write_u64(a, u64::from_be_bytes(w));
                rest = &rest[8..];
                match a.checked_add(8) {
                    Some(n) => a = n,
                    None => return,
                }
                continue;
            }
            let shift = 56 - (a & 7) * 8;
            let w = (self.read_u64(a) & !(0xFF << shift)) | (u64::from(rest[0]) << shift);
            self.write_u64(a, w);
            rest = &rest[1..];
            match a.checked_add(1) {
                Some(n) => a = n,
                None => return,
            }
        }
    }

    /// `len` bytes from `addr` (wrapping at the top of the address space).
    pub fn read_range(&self, addr: u64, len: usize) -> Vec<u8> {
        (0..len as u64).map(|i| self.read_byte(addr.wrapping_add(i))).collect()
    }

    fn invalidate_dirty(&mut self) {
        for page in std::mem::take(&mut self.dirty) {
            let mut g = (PAGE_LEVEL | page) >> 1;
            while g >= 1 {
                // Ancestors of a stale node are stale already.
                if let Some(None) = self.upper.insert(g, None) {
                    break;
                }
                g >>= 1;
            }
        }
    }

    /// Hash of node `g` of the tree above the pages; page roots at `2^52 + p`.
    fn upper_node(&mut self, g: u64) -> B256 {
        if g >= PAGE_LEVEL {
            let index = g - PAGE_LEVEL;
            return match self.slot(index) {
                None => zero_hashes()[PAGE_HEIGHT],
                // Read-only when cached, so pages shared with snapshots stay shared.
                Some(s) if self.store[s as usize].valid & 2 != 0 => self.store[s as usize].nodes[1],
                Some(s) => Arc::make_mut(&mut self.store[s as usize]).node(1),
            };
        }
        match self.upper.get(&g) {
            None => zero_hashes()[MEMORY_TREE_DEPTH - (63 - g.leading_zeros()) as usize],
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

    /// The proof `MIPS64.sol` reads for the word at `addr`: the 32-byte leaf holding it, then
    /// the 59 siblings from the leaf level up.
    pub fn proof(&mut self, addr: u64) -> Vec<u8> {
        // With the root up to date every cached node is valid.
        self.root();
        let page_index = addr >> PAGE_BITS;
        let leaf = ((addr >> 5) as usize) & (PAGE_LEAVES - 1);
        let mut out = Vec::with_capacity(MEMORY_PROOF_LEN);
        match self.page(page_index) {
            Some(page) => {
                out.extend_from_slice(page.leaf(leaf).as_slice());
                let mut node = leaf + PAGE_LEAVES;
                while node > 1 {
                    out.extend_from_slice(page.cached_node(node ^ 1).as_slice());
                    node >>= 1;
                }
            }
            None => {
                out.extend_from_slice(&[0u8; 32]);
                for z in &zero_hashes()[..PAGE_HEIGHT] {
                    out.extend_from_slice(z.as_slice());
                }
            }
        }
        let mut g = PAGE_LEVEL | page_index;
        while g > 1 {
            let sibling = self.upper_node(g ^ 1);
            out.extend_from_slice(sibling.as_slice());
            g >>= 1;
        }
        out
    }
}

/// The root a proof for `addr` folds to (what `MIPS64Memory.readMem` recomputes); `None` for a
/// proof of the wrong length.
pub fn proof_root(addr: u64, proof: &[u8]) -> Option<B256> {
    if proof.len() != MEMORY_PROOF_LEN {
        return None;
    }
    let mut node = B256::from_slice(&proof[..32]);
    let path = addr >> 5;
    for (i, sibling) in proof[32..].chunks_exact(32).enumerate() {
        let sibling = B256::from_slice(sibling);
        node = if (path >> i) & 1 == 0 { hash_pair(&node, &sibling) } else { hash_pair(&sibling, &node) };
    }
    Some(node)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::{BTreeMap, BTreeSet};

    use super::*;

    /// The root recomputed from scratch over written words, for comparison.
    fn naive_root(words: &BTreeMap<u64, u64>) -> B256 {
        let mut leaves: BTreeMap<u64, [u8; 32]> = BTreeMap::new();
        for (&addr, &value) in words {
            let leaf = leaves.entry(addr >> 5).or_insert([0; 32]);
            let o = (addr & 31 & !7) as usize;
            leaf[o..o + 8].copy_from_slice(&value.to_be_bytes());
        }
        let mut level: BTreeMap<u64, B256> = leaves.into_iter().map(|(k, v)| (k, B256::from(v))).collect();
        for h in 0..MEMORY_TREE_DEPTH {
            let parents: BTreeSet<u64> = level.keys().map(|k| k >> 1).collect();
            let next = parents
                .into_iter()
                .map(|p| {
                    let l = level.get(&(2 * p)).copied().unwrap_or(zero_hashes()[h]);
                    let r = level.get(&(2 * p + 1)).copied().unwrap_or(zero_hashes()[h]);
                    (p, hash_pair(&l, &r))
                })
                .collect();
            level = next;
        }
        level.get(&0).copied().unwrap_or(zero_hashes()[MEMORY_TREE_DEPTH])
    }

    #[test]
    fn the_root_equals_a_from_scratch_merkleization_after_each_write() {
        let mut m = Memory64::new();
        assert_eq!(m.root(), zero_hashes()[MEMORY_TREE_DEPTH]);
        m.write_u64(0x1234_5678, 0);
        assert_eq!(m.root(), zero_hashes()[MEMORY_TREE_DEPTH], "a zero write changes nothing");
        let mut written = BTreeMap::new();
        let addrs = [0u64, 8, 24, 32, 0x1000, 0xff8, 0x7fff_ffff_f000, 0xffff_ffff_ffff_fff8, 0x1000_0000_0020, 8];
        for (i, &a) in addrs.iter().enumerate() {
            let v = 0xdead_0000_0000_0000 | i as u64;
            m.write_u64(a, v);
            written.insert(a & !7, v);
            assert_eq!(m.root(), naive_root(&written), "after writing {a:#x}");
        }
    }

    #[test]
    fn proofs_fold_to_the_root_and_carry_the_word() {
        let mut m = Memory64::new();
        m.write_u64(0x40, 0x0102_0304_0506_0708);
        m.write_u32(0x4c, 0x0a0b_0c0d);
        m.write_u64(0x7fff_ffff_f000, 7);
        let root = m.root();
        for addr in [0x40u64, 0x48, 0x4c, 0x7fff_ffff_f000, 0x8000_0000, 0xffff_ffff_ffff_fff8] {
            let p = m.proof(addr);
            assert_eq!(p.len(), MEMORY_PROOF_LEN);
            assert_eq!(proof_root(addr, &p), Some(root), "proof of {addr:#x}");
            let o = (addr & 24) as usize;
            assert_eq!(u64::from_be_bytes(p[o..o + 8].try_into().unwrap()), m.read_u64(addr));
        }
        assert_eq!(m.read_u32(0x4c), 0x0a0b_0c0d);
        assert_eq!(m.read_u32(0x48), 0);
        assert_eq!(m.read_u32(0x44), 0x0506_0708);
    }

    #[test]
    fn clones_share_pages_but_not_writes() {
        let mut a = Memory64::new();
        a.write_u64(0x100, 1);
        let root_a = a.root();
        let mut b = a.clone();
        b.write_u64(0x100, 2);
        assert_eq!(a.read_u64(0x100), 1);
        assert_eq!(a.root(), root_a);
        assert_ne!(b.root(), root_a);
        assert_ne!(a, b);
    }

    #[test]
    fn byte_ranges_round_trip_at_any_alignment() {
        let mut m = Memory64::new();
        let data: Vec<u8> = (1..=19).collect();
        m.set_range(0x1ffb, &data);
        assert_eq!(m.read_range(0x1ffb, 19), data);
        assert_eq!(m.read_byte(0x1ffa), 0);
        assert_eq!(m.read_u64(0x2000), 0x0607_0809_0a0b_0c0d);
        let mut top = Memory64::new();
        top.set_range(u64::MAX - 1, &[1, 2, 3]);
        assert_eq!(top.read_range(u64::MAX - 1, 2), [1, 2], "stops at the top");
    }
}
