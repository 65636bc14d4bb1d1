//! Line and column of byte offsets, from an index built once per input: a reader that reports
//! many problems, or a validator that places many findings, must not rescan the input from its
//! start for each one.

use crate::error::Position;

/// Bytes per block whose leading character count is kept (for inputs that are not ASCII).
const BLOCK: usize = 256;

/// Where every line starts, and how many characters come before every [`BLOCK`] of bytes, so
/// that a position costs a binary search and a count over at most one block.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct LineIndex {
    /// Byte offset of the start of each line; the first is 0.
    starts: Vec<u32>,
    /// Characters before each block; empty when the input is ASCII (a column is then a byte
    /// difference).
    chars_before: Vec<u32>,
    /// Length of the indexed input.
    len: usize,
}

/// Whether `b` starts a character (is not a UTF-8 continuation byte).
fn starts_char(b: u8) -> bool {
    b & 0xC0 != 0x80
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl LineIndex {
    /// Indexes `input`, in one pass.
    pub(crate) fn new(input: &str) -> Self {
        let bytes = input.as_bytes();
        let mut starts = Vec::with_capacity(bytes.len() / 64 + 1);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| to_u32(i + 1)));
        let chars_before = if input.is_ascii() {
            Vec::new()
        } else {
            let mut counts = Vec::with_capacity(bytes.len() / BLOCK + 1);
            let mut total = 0usize;
            for block in bytes.chunks(BLOCK) {
                counts.push(to_u32(total));
                total += block.iter().filter(|&&b| starts_char(b)).count();
            }
            counts.push(to_u32(total));
            counts
        };
        Self {
            starts,
            chars_before,
            len: bytes.len(),
        }
    }

    /// Characters of `input` before `byte` (a character boundary).
    fn chars_to(&self, input: &[u8], byte: usize) -> usize {
        let block = byte / BLOCK;
        let base = self.chars_before.get(block).copied().unwrap_or(0) as usize;
        base + input
            .get(block * BLOCK..byte)
            .map_or(0, |s| s.iter().filter(|&&b| starts_char(b)).count())
    }

    /// The position of `byte` in `input` (the text this index was built from), clamped to the
    /// input and to a character boundary, as [`Position::from_offset`] gives it.
    pub(crate) fn position(&self, input: &str, byte: usize) -> Position {
        let mut byte = byte.min(input.len());
        while !input.is_char_boundary(byte) {
            byte -= 1;
        }
        let line = self.starts.partition_point(|&s| s as usize <= byte).max(1);
        let line_start = self.starts[line - 1] as usize;
        let column = if input.len() != self.len {
            // Not the indexed text (a document whose source was dropped): bytes.
            byte.saturating_sub(line_start)
        } else if self.chars_before.is_empty() {
            byte - line_start
        } else {
            let bytes = input.as_bytes();
            self.chars_to(bytes, byte) - self.chars_to(bytes, line_start)
        } + 1;
        Position {
            byte,
            line: to_u32(line),
            column: to_u32(column),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_agree_with_a_rescan() {
        let long: String = "æøå x\u{1F600}".repeat(200);
        let inputs = [
            "",
            "a",
            "ab\ncæd",
            "\n\n\n",
            "line one\r\nline two\n\u{1F600}\u{1F600}x",
            long.as_str(),
        ];
        for input in inputs {
            let index = LineIndex::new(input);
            for byte in 0..=input.len() + 2 {
                assert_eq!(
                    index.position(input, byte),
                    Position::from_offset(input, byte),
                    "{input:?} at {byte}"
                );
            }
        }
    }
}
