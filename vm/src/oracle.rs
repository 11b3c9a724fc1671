//! The preimage oracle as the program sees it: keys in, bytes out, hints on the side.
//!
//! The VM never fetches anything itself; a [`PreimageOracle`] answers. Local keys (type 1)
//! reach it exactly as the program wrote them: their meaning depends on the game, and
//! on-chain the VM localizes them to the caller and local context ([`localize`]).

use std::collections::HashMap;
use std::sync::Arc;

use alloy_primitives::{Address, B256, keccak256};

/// An error from a preimage source.
pub type OracleError = Box<dyn std::error::Error + Send + Sync>;

/// Key type byte of local data.
pub const LOCAL_KEY_TYPE: u8 = 1;
/// Key type byte of keccak256 preimages.
pub const KECCAK_KEY_TYPE: u8 = 2;

/// Where the VM's preimages and hints go.
pub trait PreimageOracle {
    /// The preimage of `key` (without its length prefix), or `None` if unknown.
    fn preimage(&mut self, key: B256) -> Result<Option<Arc<[u8]>>, OracleError>;

    /// A complete hint the program wrote to the hint fd (without its length prefix).
    fn hint(&mut self, _hint: &[u8]) -> Result<(), OracleError> {
        Ok(())
    }
}

impl<T: PreimageOracle + ?Sized> PreimageOracle for &mut T {
    fn preimage(&mut self, key: B256) -> Result<Option<Arc<[u8]>>, OracleError> {
        (**self).preimage(key)
    }

    fn hint(&mut self, hint: &[u8]) -> Result<(), OracleError> {
        (**self).hint(hint)
    }
}

/// An oracle that knows nothing: any preimage read fails.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoOracle;

impl PreimageOracle for NoOracle {
    fn preimage(&mut self, _key: B256) -> Result<Option<Arc<[u8]>>, OracleError> {
        Ok(None)
    }
}

/// An in-memory oracle: preimages by key, and the hints received.
#[derive(Debug, Clone, Default)]
pub struct MapOracle {
    preimages: HashMap<B256, Arc<[u8]>>,
    /// Every hint received, in order.
    pub hints: Vec<Vec<u8>>,
}

impl MapOracle {
    /// An empty oracle.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a preimage under an explicit key.
    pub fn insert(&mut self, key: B256, data: impl Into<Arc<[u8]>>) {
        self.preimages.insert(key, data.into());
    }

    /// Adds local data `ident` (the program reads it with key [`local_key`]`(ident)`).
    pub fn insert_local(&mut self, ident: u64, data: impl Into<Arc<[u8]>>) -> B256 {
        let key = local_key(ident);
        self.insert(key, data);
        key
    }

    /// Adds a keccak256 preimage; returns its key.
    pub fn insert_keccak(&mut self, data: impl Into<Arc<[u8]>>) -> B256 {
        let data = data.into();
        let key = keccak_key(&data);
        self.insert(key, data);
        key
    }
}

impl PreimageOracle for MapOracle {
    fn preimage(&mut self, key: B256) -> Result<Option<Arc<[u8]>>, OracleError> {
        Ok(self.preimages.get(&key).cloned())
    }

    fn hint(&mut self, hint: &[u8]) -> Result<(), OracleError> {
        self.hints.push(hint.to_vec());
        Ok(())
    }
}

/// The un-localized key of local data `ident`: type byte 1, the ident in the low bytes.
pub fn local_key(ident: u64) -> B256 {
    let mut k = [0u8; 32];
    k[0] = LOCAL_KEY_TYPE;
    k[24..].copy_from_slice(&ident.to_be_bytes());
    B256::from(k)
}

/// The key of a keccak256 preimage: `0x02 ‖ keccak256(data)[1..]`.
pub fn keccak_key(data: &[u8]) -> B256 {
    let mut k = keccak256(data);
    k[0] = KECCAK_KEY_TYPE;
    k
}

/// `PreimageKeyLib.localize`: `keccak256(key ‖ caller ‖ localContext)` with type byte 1.
/// `caller` is whoever calls `MIPS.step` (the game) and loaded the data (`addLocalData`).
pub fn localize(key: B256, caller: Address, local_context: B256) -> B256 {
    let mut buf = [0u8; 96];
    buf[..32].copy_from_slice(key.as_slice());
    buf[44..64].copy_from_slice(caller.as_slice());
    buf[64..].copy_from_slice(local_context.as_slice());
    let mut k = keccak256(buf);
    k[0] = LOCAL_KEY_TYPE;
    k
}

/// The oracle part at `offset` of a preimage: 32 bytes of `u64_be(len) ‖ data` from `offset`,
/// zero-padded, and how many of them are real (`PreimageOracle.readPreimage`'s `datLen`).
/// `None` when `offset` is past the end of the prefixed preimage.
pub fn preimage_part(data: &[u8], offset: u64) -> Option<([u8; 32], usize)> {
    let total = data.len() + 8;
    let offset = usize::try_from(offset).ok().filter(|o| *o <= total)?;
    let len_prefix = (data.len() as u64).to_be_bytes();
    let mut part = [0u8; 32];
    let n = (total - offset).min(32);
    for (i, b) in part.iter_mut().enumerate().take(n) {
        let at = offset + i;
        *b = if at < 8 { len_prefix[at] } else { data[at - 8] };
    }
    Some((part, n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::address;

    #[test]
    fn parts_carry_the_length_prefix_and_clip_at_the_end() {
        let data: Vec<u8> = (1..=40).collect();
        let (p, n) = preimage_part(&data, 0).unwrap();
        assert_eq!(n, 32);
        assert_eq!(&p[..8], &40u64.to_be_bytes());
        assert_eq!(&p[8..], &data[..24]);
        let (p, n) = preimage_part(&data, 30).unwrap();
        assert_eq!(n, 18);
        assert_eq!(&p[..18], &data[22..]);
        assert_eq!(&p[18..], &[0u8; 14]);
        assert_eq!(preimage_part(&data, 48).unwrap().1, 0);
        assert!(preimage_part(&data, 49).is_none());
    }

    #[test]
    fn keys_have_their_type_bytes() {
        let k = local_key(4);
        assert_eq!(k[0], 1);
        assert_eq!(k[31], 4);
        let kk = keccak_key(b"hello");
        assert_eq!(kk[0], 2);
        assert_eq!(kk[1..], keccak256(b"hello")[1..]);
        let l = localize(k, address!("0x00000000000000000000000000000000000000aa"), B256::repeat_byte(1));
        assert_eq!(l[0], 1);
        assert_ne!(l, k);
    }
}
