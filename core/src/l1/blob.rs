//! The OP Stack's encoding of data into a blob (version 0): 4 field elements carry 127 bytes,
//! each element's top two bits kept zero so it stays below the BLS modulus. The first round
//! starts with the version byte and a 3-byte length. kona-derive decodes; the encoder is here for
//! tests and tools that post batcher data.

use alloy_eips::eip4844::Blob;

/// Most bytes one blob carries.
pub const MAX_BLOB_DATA: usize = (4 * 31 + 3) * 1024 - 4;
const ROUNDS: usize = 1024;

/// Encodes `data` (at most [`MAX_BLOB_DATA`] bytes) into a blob.
pub fn encode(data: &[u8]) -> Result<Blob, String> {
    if data.len() > MAX_BLOB_DATA {
        return Err(format!("{} bytes do not fit a blob (at most {MAX_BLOB_DATA})", data.len()));
    }
    let mut blob = Blob::ZERO;
    let byte = |i: usize| data.get(i).copied().unwrap_or(0);
    // The data as one stream with the 4 header bytes (version 0, 3-byte length) in front.
    let mut stream = Vec::with_capacity(4 + data.len());
    stream.push(0u8);
    stream.extend_from_slice(&(data.len() as u32).to_be_bytes()[1..]);
    stream.extend((0..data.len()).map(byte));
    let at = |i: usize| stream.get(i).copied().unwrap_or(0);
    for round in 0..ROUNDS {
        let base = round * 127;
        if base >= stream.len() && round > 0 {
            break;
        }
        // Per round: 31 bytes, x, 31 bytes, y, 31 bytes, z, 31 bytes (127 in all); x, y and z are
        // spread over the top-byte 6-bit slots of the four field elements.
        let (x, y, z) = (at(base + 31), at(base + 63), at(base + 95));
        let tops = [x & 0x3f, ((x >> 6) << 4) | (y & 0x0f), z & 0x3f, ((z >> 6) << 4) | (y >> 4)];
        for (fe, top) in tops.iter().enumerate() {
            let out = round * 128 + fe * 32;
            blob[out] = *top;
            let from = base + fe * 32;
            for k in 0..31 {
                blob[out + 1 + k] = at(from + k);
            }
        }
    }
    Ok(blob)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// kona's decoder (`BlobData::decode`, crate-private) is reached through its public
    /// `BlobSource` in the integration tests; here the layout is checked against the spec's rules.
    #[test]
    fn header_and_top_bits() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7 + 3) as u8).collect();
        let blob = encode(&data).expect("fits");
        assert_eq!(blob[1], 0, "version 0");
        assert_eq!(u32::from_be_bytes([0, blob[2], blob[3], blob[4]]), 1000);
        assert_eq!(&blob[5..32], &data[..27]);
        assert!(blob.chunks(32).all(|fe| fe[0] & 0xc0 == 0), "every element below the modulus");
        assert!(encode(&vec![0; MAX_BLOB_DATA + 1]).is_err());
        assert!(encode(&vec![0xff; MAX_BLOB_DATA]).is_ok());
    }
}
