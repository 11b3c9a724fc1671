//! `getRequiredBond` reproduced bit for bit.
//!
//! The contract evaluates `bond = 200 gwei · 400_000 · 750^(depth/MAX)` with Solady's WAD
//! fixed-point `lnWad`, `expWad`, `powWad`, `mulWad` and `divWad` (the copy compiled into
//! the 0.17.3 artifacts). Those routines are written in EVM assembly with wrapping 256-bit
//! words, signed division and arithmetic shifts, so they are transcribed here on [`U256`]
//! words with the EVM's semantics rather than approximated with floats.

use alloy_primitives::U256;

use crate::{GameError, Position, Result};

/// `assumedBaseFee` in `getRequiredBond`: 200 gwei.
pub const ASSUMED_BASE_FEE: u64 = 200_000_000_000;
/// `baseGasCharged`: the gas a root-depth claim is charged.
pub const BASE_GAS_CHARGED: u64 = 400_000;
/// `highGasCharged`: the gas a max-depth claim is charged.
pub const HIGH_GAS_CHARGED: u64 = 300_000_000;

const WAD: u64 = 1_000_000_000_000_000_000;

/// `getRequiredBond(position)` for a game of `max_depth`, in wei.
///
/// Depends only on the depth. Errors where the contract reverts: a depth above
/// `max_depth` (`GameDepthExceeded`) or arithmetic the contract would revert on.
pub fn required_bond(position: Position, max_depth: u8) -> Result<U256> {
    let depth = position.depth();
    if depth > max_depth {
        return Err(GameError::GameDepthExceeded { depth, max: max_depth });
    }
    let wad = U256::from(WAD);
    let a = U256::from(HIGH_GAS_CHARGED / BASE_GAS_CHARGED);
    let b = wad;
    let c = U256::from(max_depth) * wad;

    let ln_a = wad::ln_wad(a * wad)?;
    let b_over_c = wad::div_wad(b, c)?;
    let numerator = wad::mul_wad(ln_a, b_over_c)?;
    let base = wad::exp_wad(numerator)?;
    let raw_gas = wad::pow_wad(base, U256::from(depth) * wad)?;
    let required_gas = wad::mul_wad(U256::from(BASE_GAS_CHARGED), raw_gas)?;
    U256::from(ASSUMED_BASE_FEE).checked_mul(required_gas).ok_or(GameError::BondArithmetic("bond overflows uint256"))
}

/// EVM word operations with the semantics of the opcodes of the same name.
mod evm {
    use alloy_primitives::U256;

    pub(super) fn is_neg(x: U256) -> bool {
        x.bit(255)
    }

    fn shift_amount(s: U256) -> Option<usize> {
        if s >= U256::from(256) { None } else { Some(s.to::<usize>()) }
    }

    pub(super) fn shl(s: U256, x: U256) -> U256 {
        shift_amount(s).map_or(U256::ZERO, |s| x << s)
    }

    pub(super) fn shr(s: U256, x: U256) -> U256 {
        shift_amount(s).map_or(U256::ZERO, |s| x >> s)
    }

    pub(super) fn sar(s: U256, x: U256) -> U256 {
        match (shift_amount(s), is_neg(x)) {
            (Some(s), false) => x >> s,
            (Some(s), true) => !((!x) >> s),
            (None, false) => U256::ZERO,
            (None, true) => U256::MAX,
        }
    }

    pub(super) fn sdiv(a: U256, b: U256) -> U256 {
        if b.is_zero() {
            return U256::ZERO;
        }
        let (na, nb) = (is_neg(a), is_neg(b));
        let ua = if na { a.wrapping_neg() } else { a };
        let ub = if nb { b.wrapping_neg() } else { b };
        let q = ua / ub;
        if na != nb { q.wrapping_neg() } else { q }
    }

    pub(super) fn slt(a: U256, b: U256) -> bool {
        match (is_neg(a), is_neg(b)) {
            (true, false) => true,
            (false, true) => false,
            _ => a < b,
        }
    }

    pub(super) fn sgt(a: U256, b: U256) -> bool {
        slt(b, a)
    }

    pub(super) fn byte(i: U256, x: U256) -> U256 {
        match shift_amount(i) {
            Some(i) if i < 32 => U256::from(x.byte(31 - i)),
            _ => U256::ZERO,
        }
    }

    pub(super) fn add(a: U256, b: U256) -> U256 {
        a.wrapping_add(b)
    }

    pub(super) fn sub(a: U256, b: U256) -> U256 {
        a.wrapping_sub(b)
    }

    pub(super) fn mul(a: U256, b: U256) -> U256 {
        a.wrapping_mul(b)
    }

    /// A signed decimal constant as a two's-complement word.
    pub(super) fn int(s: &str) -> U256 {
        match s.strip_prefix('-') {
            Some(abs) => U256::from_str_radix(abs, 10).map(U256::wrapping_neg),
            None => U256::from_str_radix(s, 10),
        }
        .unwrap_or_else(|_| unreachable!("constant {s} is a valid decimal literal"))
    }

    pub(super) fn hex(s: &str) -> U256 {
        U256::from_str_radix(s, 16).unwrap_or_else(|_| unreachable!("constant {s} is a valid hex literal"))
    }
}

/// Solady `FixedPointMathLib` (the copy in the 0.17.3 artifacts), transcribed opcode by opcode.
mod wad {
    use alloy_primitives::U256;

    use super::WAD;
    use super::evm::{add, byte, hex, int, is_neg, mul, sar, sdiv, sgt, shl, shr, slt, sub};
    use crate::{GameError, Result};

    fn u(v: u64) -> U256 {
        U256::from(v)
    }

    /// `mulWad(x, y)`: `x * y / WAD`, reverting (`MulWadFailed`) on overflow.
    pub(super) fn mul_wad(x: U256, y: U256) -> Result<U256> {
        let prod = x.checked_mul(y).ok_or(GameError::BondArithmetic("MulWadFailed"))?;
        Ok(prod / u(WAD))
    }

    /// `divWad(x, y)`: `x * WAD / y`, reverting (`DivWadFailed`) on overflow or `y == 0`.
    pub(super) fn div_wad(x: U256, y: U256) -> Result<U256> {
        if y.is_zero() {
            return Err(GameError::BondArithmetic("DivWadFailed"));
        }
        let prod = x.checked_mul(u(WAD)).ok_or(GameError::BondArithmetic("DivWadFailed"))?;
        Ok(prod / y)
    }

    /// `powWad(x, y) = expWad(lnWad(x) * y / WAD)` on signed words (checked multiplication).
    pub(super) fn pow_wad(x: U256, y: U256) -> Result<U256> {
        let ln = ln_wad(x)?;
        let prod = checked_smul(ln, y).ok_or(GameError::BondArithmetic("powWad overflow"))?;
        exp_wad(sdiv(prod, u(WAD)))
    }

    fn checked_smul(a: U256, b: U256) -> Option<U256> {
        let (na, nb) = (is_neg(a), is_neg(b));
        let ua = if na { a.wrapping_neg() } else { a };
        let ub = if nb { b.wrapping_neg() } else { b };
        let p = ua.checked_mul(ub)?;
        if na != nb {
            if p > (U256::ONE << 255) { None } else { Some(p.wrapping_neg()) }
        } else if is_neg(p) {
            None
        } else {
            Some(p)
        }
    }

    /// `expWad(x)`: `e^(x / WAD) * WAD` on a signed word.
    pub(super) fn exp_wad(x: U256) -> Result<U256> {
        // `if (x <= -41446531673892822313) return r;` (r is still 0)
        if !sgt(x, int("-41446531673892822313")) {
            return Ok(U256::ZERO);
        }
        if !slt(x, int("135305999368893231589")) {
            return Err(GameError::BondArithmetic("ExpOverflow"));
        }
        let five_18 = int("3814697265625");
        let c = int("54916777467707473351141471128");
        let x = sdiv(shl(u(78), x), five_18);
        let k = sar(u(96), add(sdiv(shl(u(96), x), c), shl(u(95), U256::ONE)));
        let x = sub(x, mul(k, c));
        let mut y = add(x, int("1346386616545796478920950773328"));
        y = add(sar(u(96), mul(y, x)), int("57155421227552351082224309758442"));
        let mut p = sub(add(y, x), int("94201549194550492254356042504812"));
        p = add(sar(u(96), mul(p, y)), int("28719021644029726153956944680412240"));
        p = add(mul(p, x), shl(u(96), int("4385272521454847904659076985693276")));
        let mut q = sub(x, int("2855989394907223263936484059900"));
        q = add(sar(u(96), mul(q, x)), int("50020603652535783019961831881945"));
        q = sub(sar(u(96), mul(q, x)), int("533845033583426703283633433725380"));
        q = add(sar(u(96), mul(q, x)), int("3604857256930695427073651918091429"));
        q = sub(sar(u(96), mul(q, x)), int("14423608567350463180887372962807573"));
        q = add(sar(u(96), mul(q, x)), int("26449188498355588339934803723976023"));
        let r = sdiv(p, q);
        let r = mul(r, int("3822833074963236453042738258902158003155416615667"));
        Ok(shr(sub(u(195), k), r))
    }

    /// `lnWad(x)`: `ln(x / WAD) * WAD` on a signed word; reverts (`LnWadUndefined`) for x ≤ 0.
    pub(super) fn ln_wad(x: U256) -> Result<U256> {
        let flag = |b: bool| if b { U256::ONE } else { U256::ZERO };
        let mut r = shl(u(7), flag(hex("ffffffffffffffffffffffffffffffff") < x));
        r |= shl(u(6), flag(hex("ffffffffffffffff") < shr(r, x)));
        r |= shl(u(5), flag(hex("ffffffff") < shr(r, x)));
        r |= shl(u(4), flag(hex("ffff") < shr(r, x)));
        r |= shl(u(3), flag(hex("ff") < shr(r, x)));
        if !sgt(x, U256::ZERO) {
            return Err(GameError::BondArithmetic("LnWadUndefined"));
        }
        let idx = U256::from(0x1f) & shr(shr(r, x), hex("8421084210842108cc6318c6db6d54be"));
        r ^= byte(idx, hex("f8f9f9faf9fdfafbf9fdfcfdfafbfcfef9fafdfafcfcfbfefafafcfbffffffff"));
        let x = shr(u(159), shl(r, x));
        let inner = sar(u(96), mul(add(int("3273285459638523848632254066296"), x), x));
        let inner = sar(u(96), mul(add(int("24828157081833163892658089445524"), inner), x));
        let mut p = sub(
            sar(u(96), mul(add(int("43456485725739037958740375743393"), inner), x)),
            int("11111509109440967052023855526967"),
        );
        p = sub(sar(u(96), mul(p, x)), int("45023709667254063763336534515857"));
        p = sub(sar(u(96), mul(p, x)), int("14706773417378608786704636184526"));
        p = sub(mul(p, x), shl(u(96), int("795164235651350426258249787498")));
        let mut q = add(int("5573035233440673466300451813936"), x);
        q = add(int("71694874799317883764090561454958"), sar(u(96), mul(x, q)));
        q = add(int("283447036172924575727196451306956"), sar(u(96), mul(x, q)));
        q = add(int("401686690394027663651624208769553"), sar(u(96), mul(x, q)));
        q = add(int("204048457590392012362485061816622"), sar(u(96), mul(x, q)));
        q = add(int("31853899698501571402653359427138"), sar(u(96), mul(x, q)));
        q = add(int("909429971244387300277376558375"), sar(u(96), mul(x, q)));
        p = sdiv(p, q);
        p = mul(int("1677202110996718588342820967067443963516166"), p);
        p = add(mul(int("16597577552685614221487285958193947469193820559219878177908093499208371"), sub(u(159), r)), p);
        p = add(int("600920179829731861736702779321621459595472258049074101567377883020018308"), p);
        Ok(sar(u(174), p))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn wad(v: u64) -> U256 {
            U256::from(v) * U256::from(WAD)
        }

        #[test]
        fn ln_and_exp_of_known_points() {
            // ln(1) = 0 exactly; e^0 = 1 exactly.
            assert_eq!(ln_wad(wad(1)).unwrap(), U256::ZERO);
            assert_eq!(exp_wad(U256::ZERO).unwrap(), wad(1));
            // ln(e) ≈ 1 and e^1 ≈ e, to 1e-17.
            let e = U256::from(2_718_281_828_459_045_235u64);
            let ln_e = ln_wad(e).unwrap();
            assert!(ln_e.abs_diff(wad(1)) < U256::from(10));
            assert!(exp_wad(wad(1)).unwrap().abs_diff(e) < U256::from(10));
            // ln of values below one is negative.
            assert!(is_neg(ln_wad(U256::from(WAD / 2)).unwrap()));
            assert!(ln_wad(U256::ZERO).is_err());
            assert!(ln_wad(U256::MAX).is_err()); // negative as a signed word
            // Very negative exponents give 0; huge ones revert.
            assert_eq!(exp_wad(int("-41446531673892822313")).unwrap(), U256::ZERO);
            assert!(exp_wad(int("135305999368893231589")).is_err());
        }

        #[test]
        fn pow_wad_squares() {
            let nine = pow_wad(wad(3), wad(2)).unwrap();
            assert!(nine.abs_diff(wad(9)) < U256::from(1000));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bond_at(depth: u8, max: u8) -> U256 {
        required_bond(Position::from_depth_index(depth, 0).unwrap(), max).unwrap()
    }

    /// Wei rounded to `decimals` decimal places of ETH.
    fn eth_rounded(wei: U256, decimals: u32) -> String {
        let unit = U256::from(10u64).pow(U256::from(18 - decimals));
        let half = unit / U256::from(2);
        let scaled = (wei + half) / unit;
        let s = format!("{scaled:0>width$}", width = decimals as usize + 1);
        let (int, frac) = s.split_at(s.len() - decimals as usize);
        format!("{int}.{frac}")
    }

    /// The published bond table (specs, bond-incentives), at the published precision.
    #[test]
    fn matches_published_bond_table() {
        assert_eq!(eth_rounded(bond_at(0, 8), 2), "0.08");
        assert_eq!(eth_rounded(bond_at(1, 8), 6), "0.183009");
        assert_eq!(eth_rounded(bond_at(4, 8), 7), "2.1908902");
        assert_eq!(eth_rounded(bond_at(8, 8), 7), "59.9999998");
        assert_eq!(eth_rounded(bond_at(1, 73), 6), "0.087594");
        assert_eq!(eth_rounded(bond_at(30, 73), 7), "1.2151278");
        assert_eq!(eth_rounded(bond_at(73, 73), 7), "59.9999998");
    }

    #[test]
    fn depends_only_on_depth_and_grows_with_it() {
        for max in [1u8, 8, 30, 73, 125] {
            let mut last = U256::ZERO;
            for depth in 0..=max {
                let b = bond_at(depth, max);
                let right = Position::from_depth_index(depth, (1u128 << depth) - 1).unwrap();
                assert_eq!(required_bond(right, max).unwrap(), b, "depth {depth} of {max}");
                assert!(b > last, "bond must grow with depth ({depth} of {max})");
                last = b;
            }
        }
    }

    #[test]
    fn root_bond_is_exactly_base_gas_times_base_fee() {
        // depth 0: powWad(base, 0) = expWad(0) = WAD exactly, so 400_000 gas · 200 gwei.
        assert_eq!(bond_at(0, 73), U256::from(80_000_000_000_000_000u64));
    }

    #[test]
    fn rejects_depth_beyond_max() {
        let pos = Position::from_depth_index(9, 0).unwrap();
        assert_eq!(required_bond(pos, 8), Err(GameError::GameDepthExceeded { depth: 9, max: 8 }));
        assert!(matches!(required_bond(Position::ROOT, 0), Err(GameError::BondArithmetic(_))));
    }
}
