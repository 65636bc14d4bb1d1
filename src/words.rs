//! Byte searches a machine word at a time, for the short runs that dominate FHIR text (ids,
//! codes, attribute values, narrative text between tags), where a vectorized search costs more
//! to start than it saves.
//!
//! Each test returns a word with the high bit set in the matching bytes. The lowest set bit is
//! always exact; higher ones may be false positives from a borrow after a true match, so callers
//! look only at the lowest ([`first`]) or at whether any is set.

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// The 8 bytes at `i`, little-endian, or `None` near the end.
pub(crate) fn word(bytes: &[u8], i: usize) -> Option<u64> {
    let chunk = bytes.get(i..i.checked_add(8)?)?;
    <[u8; 8]>::try_from(chunk).ok().map(u64::from_le_bytes)
}

/// Bytes of `x` equal to `byte`.
pub(crate) const fn equal(x: u64, byte: u8) -> u64 {
    let y = x ^ (LO * byte as u64);
    y.wrapping_sub(LO) & !y & HI
}

/// Bytes of `x` below `n` (`n` at most 0x80).
pub(crate) const fn below(x: u64, n: u8) -> u64 {
    x.wrapping_sub(LO * n as u64) & !x & HI
}

/// The start of the first whole word at or after `from` in which `hits` finds something, or of
/// the tail shorter than a word: everything before it is clean. Callers finish byte by byte
/// from there with their exact test.
pub(crate) fn skip_clean(bytes: &[u8], from: usize, hits: impl Fn(u64) -> u64) -> usize {
    let mut i = from;
    while let Some(x) = word(bytes, i) {
        if hits(x) != 0 {
            break;
        }
        i += 8;
    }
    i.min(bytes.len())
}

/// The index in `x` of the first byte that is not `byte`, if any. Exact, unlike the tests above:
/// a difference has no borrow to spread.
pub(crate) const fn first_not(x: u64, byte: u8) -> Option<usize> {
    let y = x ^ (LO * byte as u64);
    if y == 0 {
        None
    } else {
        Some(first(y))
    }
}

/// The index in the word of the first match in a non-zero `hits`.
pub(crate) const fn first(hits: u64) -> usize {
    (hits.trailing_zeros() / 8) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_match_is_exact_for_every_byte_and_position() {
        for b in 0..=255u8 {
            for pos in 0..8 {
                // A match later in the word must not hide or move the first.
                let mut bytes = *b"abcdefgh";
                bytes[pos] = b;
                if pos < 7 {
                    bytes[pos + 1] = 0;
                }
                let x = u64::from_le_bytes(bytes);
                let naive_eq = bytes.iter().position(|&c| c == b'"');
                let hits = equal(x, b'"');
                assert_eq!((hits != 0).then(|| first(hits)), naive_eq, "{b} at {pos}");
                let naive_not = bytes.iter().position(|&c| c != b'a');
                assert_eq!(first_not(x, b'a'), naive_not, "{b} at {pos}");
                let naive_below = bytes.iter().position(|&c| c < 0x20);
                let hits = below(x, 0x20);
                assert_eq!(
                    (hits != 0).then(|| first(hits)),
                    naive_below,
                    "{b} at {pos}"
                );
            }
        }
        // skip_clean stops at the word holding the first hit, or at the short tail.
        assert_eq!(
            skip_clean(b"0123456789abcdef\"xyz", 0, |x| equal(x, b'"')),
            16
        );
        assert_eq!(skip_clean(b"01234567\"", 0, |x| equal(x, b'"')), 8);
        assert_eq!(skip_clean(b"0123\"", 0, |x| equal(x, b'"')), 0);
        assert_eq!(skip_clean(b"01234567", 3, |x| equal(x, b'"')), 3);
        assert_eq!(skip_clean(b"", 5, |x| equal(x, b'"')), 0);
        assert_eq!(word(b"0123456", 0), None);
        assert_eq!(word(b"01234567", 0), Some(u64::from_le_bytes(*b"01234567")));
        assert_eq!(word(b"01234567", usize::MAX), None);
    }
}
