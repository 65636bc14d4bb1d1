//! Finding the bytes that matter inside a JSON string (quote, backslash, control characters),
//! for the writer's escaping.
//!
//! FHIR strings are mostly short (ids, codes, URLs): a word-at-a-time scan is cheap to start.
//! Long ones (narratives, attachments) go to a vectorized search. Measured on the
//! CareCommunication example, this halved the JSON writer's instructions against a per-byte
//! loop; the reader's own string scan (memchr, then a control check) stayed faster for reading.

use crate::words::{below, equal, word};

/// Whether `b` ends a run of plain string content.
pub(crate) const fn is_special(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Whether any of the 8 bytes of `x` is special.
const fn word_has_special(x: u64) -> bool {
    (below(x, 0x20) | equal(x, b'"') | equal(x, b'\\')) != 0
}

/// Whether any of the 8 bytes of `x` is a control character.
const fn word_has_control(x: u64) -> bool {
    below(x, 0x20) != 0
}

/// Whether `bytes` holds a control character (below 0x20), a word at a time.
pub(crate) fn has_control(bytes: &[u8]) -> bool {
    let mut words = bytes.chunks_exact(8);
    let mut found = false;
    for w in &mut words {
        let x = u64::from_le_bytes(<[u8; 8]>::try_from(w).unwrap_or([0x20; 8]));
        found |= word_has_control(x);
    }
    found || words.remainder().iter().any(|&b| b < 0x20)
}

/// The index of the first special byte at or after `from`, or `bytes.len()`.
pub(crate) fn find_special(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    // Short strings (ids, codes, keys) end within the first words.
    for _ in 0..4 {
        match word(bytes, i) {
            Some(x) if !word_has_special(x) => i += 8,
            _ => return find_special_bytewise(bytes, i),
        }
    }
    // Long strings: a vectorized search for the quote or backslash, then a check of the span
    // for control characters.
    let end = bytes
        .get(i..)
        .and_then(|rest| memchr::memchr2(b'"', b'\\', rest))
        .map_or(bytes.len(), |n| i + n);
    let span = bytes.get(i..end).unwrap_or_default();
    let mut words = span.chunks_exact(8);
    for (k, word) in words.by_ref().enumerate() {
        if <[u8; 8]>::try_from(word).is_ok_and(|w| word_has_control(u64::from_le_bytes(w))) {
            return find_special_bytewise(bytes, i + k * 8);
        }
    }
    let tail = end - words.remainder().len();
    find_special_bytewise(bytes, tail)
}

fn find_special_bytewise(bytes: &[u8], mut i: usize) -> usize {
    while let Some(&b) = bytes.get(i) {
        if is_special(b) {
            return i;
        }
        i += 1;
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::{find_special, has_control, is_special, word_has_special};

    #[test]
    fn word_test_agrees_with_the_byte_test() {
        for b in 0..=255u8 {
            for pos in 0..8 {
                let mut word = *b"abcdefgh";
                word[pos] = b;
                assert_eq!(
                    word_has_special(u64::from_le_bytes(word)),
                    is_special(b),
                    "{b} at {pos}"
                );
            }
        }
    }

    #[test]
    fn finds_control_characters_anywhere() {
        for len in 0..40 {
            let clean = vec![b'a'; len];
            assert!(!has_control(&clean));
            for at in 0..len {
                for c in [0u8, 0x09, 0x1f] {
                    let mut b = clean.clone();
                    b[at] = c;
                    assert!(has_control(&b), "{c:#x} at {at} of {len}");
                }
                let mut b = clean.clone();
                b[at] = 0x20;
                assert!(!has_control(&b));
            }
        }
    }

    #[test]
    fn finds_the_first_special_byte() {
        for (input, from, expected) in [
            ("", 0, 0),
            ("abc", 0, 3),
            ("abc\"", 0, 3),
            ("0123456789abcdef\\", 0, 16),
            ("0123456789abcdef\\", 17, 17),
            ("\"0123456789\"", 1, 11),
            ("æøå ÆØÅ\n", 0, 13),
            ("01234567\u{1f}", 0, 8),
            (&format!("{}\"", "x".repeat(100)), 0, 100),
            (
                &format!("{}\u{7}{}\"", "x".repeat(70), "y".repeat(9)),
                0,
                70,
            ),
            (
                &format!("{}\\{}\u{7}", "x".repeat(70), "y".repeat(9)),
                3,
                70,
            ),
            (&format!("{}\u{7}\"", "x".repeat(77)), 0, 77),
            (&"x".repeat(99), 0, 99),
        ] {
            assert_eq!(find_special(input.as_bytes(), from), expected, "{input:?}");
        }
    }
}
