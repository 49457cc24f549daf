//! Replayable randomness and stable ids, in one place for the language and the engine:
//! SplitMix64 (the generator behind `States.UUID`, `States.MathRandom`, JSONata `$random()`
//! and task tokens), the text form of a UUID, and FNV-1a (seeds and ids derived from names).
//!
//! Everything here is a pure function of its input, so the same seed gives the same history.
//!
//! ```
//! use sfn_asl::random::{fnv1a, splitmix64, uuid_v4};
//!
//! let (state, first) = splitmix64(7);
//! let (_, second) = splitmix64(state);
//! let token = uuid_v4(first, second);
//! assert_eq!(token.len(), 36);
//! assert_eq!(&token[14..15], "4", "version 4");
//! assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
//! ```

use std::hash::Hasher;

/// One SplitMix64 step: the generator's next state and the 64 bits it yields.
///
/// Written here rather than taken from `rand_xoshiro`: callers keep the state in a `Cell`, an
/// atomic or a persisted execution record, so they need the bare `u64` state in and out, which
/// the crate's generator type keeps private.
pub fn splitmix64(state: u64) -> (u64, u64) {
    let next = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = next;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (next, z ^ (z >> 31))
}

/// The 128 bits `hi`, `lo` as a lowercase hyphenated UUID, unchanged
/// (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`).
pub fn uuid(hi: u64, lo: u64) -> String {
    uuid::Uuid::from_u64_pair(hi, lo).hyphenated().to_string()
}

/// A version 4 (random) UUID from 128 random bits: the version and variant bits are set as
/// RFC 4122 requires, the other 122 come from `hi`, `lo`.
pub fn uuid_v4(hi: u64, lo: u64) -> String {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&hi.to_be_bytes());
    bytes[8..].copy_from_slice(&lo.to_be_bytes());
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .to_string()
}

/// The FNV-1a offset basis (64-bit).
const FNV_OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;

/// 64-bit FNV-1a of `bytes`: small and stable across releases (unlike std's hasher).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    fnv1a_salted(0, bytes)
}

/// 64-bit FNV-1a of `bytes` starting from the offset basis XOR `salt`: independent hashes of
/// one text (the two halves of an id).
pub fn fnv1a_salted(salt: u64, bytes: &[u8]) -> u64 {
    let mut h = fnv::FnvHasher::with_key(FNV_OFFSET_BASIS ^ salt);
    h.write(bytes);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_the_reference_sequence() {
        // Vigna's splitmix64.c from seed 1234567.
        let (s, a) = splitmix64(1_234_567);
        let (s, b) = splitmix64(s);
        let (_, c) = splitmix64(s);
        assert_eq!(
            [a, b, c],
            [
                6_457_827_717_110_365_317,
                3_203_168_211_198_807_973,
                9_817_491_932_198_370_423
            ]
        );
    }

    #[test]
    fn uuids_keep_or_set_the_version_bits() {
        assert_eq!(
            uuid(0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210),
            "01234567-89ab-cdef-fedc-ba9876543210"
        );
        assert_eq!(
            uuid_v4(0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210),
            "01234567-89ab-4def-bedc-ba9876543210"
        );
        assert_eq!(uuid_v4(0, 0), "00000000-0000-4000-8000-000000000000");
        assert_eq!(
            uuid_v4(u64::MAX, u64::MAX),
            "ffffffff-ffff-4fff-bfff-ffffffffffff"
        );
    }

    #[test]
    fn fnv1a_matches_the_published_vectors() {
        // From the FNV reference test suite (64-bit FNV-1a).
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
        assert_eq!(fnv1a_salted(0, b"foobar"), fnv1a(b"foobar"));
        assert_ne!(fnv1a_salted(0x9e37_79b9, b"foobar"), fnv1a(b"foobar"));
    }
}
