//! Karst's precompile set, which op-revm 17 does not have: Jovian's set with Osaka's MODEXP
//! (EIP-7823 input bounds, EIP-7883 pricing), P256VERIFY at 6,900 gas (EIP-7951) and the bn254
//! pairing input capped at 57,600 bytes (300 pairs).

use revm::precompile::{
    Precompile, PrecompileError, PrecompileId, PrecompileResult, Precompiles, bn254, modexp, secp256r1,
};
use std::sync::OnceLock;

/// Karst's cap on the bn254 pairing input, in bytes.
pub const BN254_PAIR_MAX_INPUT: usize = 57_600;

/// bn254 pairing with Karst's input cap (Istanbul gas).
fn run_pair_karst(input: &[u8], gas_limit: u64) -> PrecompileResult {
    if input.len() > BN254_PAIR_MAX_INPUT {
        return Err(PrecompileError::Bn254PairLength);
    }
    bn254::run_pair(input, bn254::pair::ISTANBUL_PAIR_PER_POINT, bn254::pair::ISTANBUL_PAIR_BASE, gas_limit)
}

/// The bn254 pairing precompile of Karst.
pub const BN254_PAIR_KARST: Precompile =
    Precompile::new(PrecompileId::Bn254Pairing, bn254::pair::ADDRESS, run_pair_karst);

/// The precompiles of a Karst block.
pub fn precompiles() -> &'static Precompiles {
    static SET: OnceLock<Precompiles> = OnceLock::new();
    SET.get_or_init(|| {
        let mut set = op_revm::precompiles::jovian().clone();
        // `extend` replaces the entries at the same addresses.
        set.extend([modexp::OSAKA, secp256r1::P256VERIFY_OSAKA, BN254_PAIR_KARST]);
        set
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{Address, hex};

    fn call(address: Address, input: &[u8], gas: u64) -> PrecompileResult {
        let p = precompiles().get(&address).unwrap_or_else(|| panic!("no precompile at {address}"));
        p.execute(input, gas)
    }

    #[test]
    fn pairing_is_capped_at_300_pairs() {
        // An empty pairing is true at the base cost; 300 zero pairs are valid input (points at
        // infinity), 301 are refused before any work.
        let ok = call(bn254::pair::ADDRESS, &[0u8; BN254_PAIR_MAX_INPUT], u64::MAX).expect("300 pairs");
        assert_eq!(ok.gas_used, 45_000 + 300 * 34_000);
        let err = call(bn254::pair::ADDRESS, &[0u8; BN254_PAIR_MAX_INPUT + 192], u64::MAX).expect_err("301 pairs");
        assert_eq!(err, PrecompileError::Bn254PairLength);
        // Jovian's cap (427 pairs) still applies before Karst.
        let jovian = op_revm::precompiles::jovian();
        let before = jovian.get(&bn254::pair::ADDRESS).expect("jovian pairing");
        assert!(before.execute(&[0u8; BN254_PAIR_MAX_INPUT + 192], u64::MAX).is_ok());
    }

    #[test]
    fn p256verify_costs_6900_and_modexp_is_osakas() {
        // A malformed P256VERIFY input still charges the precompile's gas and returns empty.
        let p256 = call(secp256r1::P256VERIFY_OSAKA.address().to_owned(), &[0u8; 160], 100_000).expect("p256");
        assert_eq!(p256.gas_used, 6_900);
        // EIP-7883: MODEXP costs at least 500 (Berlin's floor was 200).
        let input = hex!(
            "0000000000000000000000000000000000000000000000000000000000000001"
            "0000000000000000000000000000000000000000000000000000000000000001"
            "0000000000000000000000000000000000000000000000000000000000000001"
            "030205"
        );
        let out = call(modexp::OSAKA.address().to_owned(), &input, 100_000).expect("modexp");
        assert_eq!(out.gas_used, 500);
        assert_eq!(out.bytes.as_ref(), &[4u8], "3^2 mod 5");
        // EIP-7823: a base longer than 1024 bytes is refused.
        let mut long = [0u8; 96];
        long[30..32].copy_from_slice(&1025u16.to_be_bytes());
        long[63] = 1;
        long[95] = 1;
        assert!(call(modexp::OSAKA.address().to_owned(), &long, u64::MAX).is_err());
    }
}
