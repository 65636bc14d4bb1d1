//! Attachment `size` and `hash` against the inline `data`, as the official validator checks
//! them: `size` is the number of bytes of the decoded data, `hash` the base64 of its SHA-1.

use super::check::Checker;
use crate::finding::{Finding, Severity};
use crate::model::Node;

const RULE: &str = "http://hl7.org/fhir/StructureDefinition/Attachment";

impl<'d, 'a> Checker<'_, 'd, 'a> {
    /// Checks an Attachment that carries `data` (nothing to compare without).
    pub(crate) fn attachment(&self, node: Node<'d, 'a>, out: &mut Vec<Finding>) {
        let Some(data) = node.child_value("data") else {
            return;
        };
        // An undecodable value is the reader's finding (base64Binary), not a second one here.
        let Some(bytes) = crate::exchange::base64::decode(data) else {
            return;
        };
        if let Some(size) = node.child("size") {
            if size.value().and_then(|v| v.parse::<u64>().ok()) != Some(bytes.len() as u64) {
                out.push(self.finding(
                    "fhir-attachment-size",
                    Severity::Error,
                    size,
                    size.path(),
                    format!(
                        "size does not match the data, which has {} bytes",
                        bytes.len()
                    ),
                    RULE,
                ));
            }
        }
        if let Some(hash) = node.child("hash") {
            let want = crate::exchange::base64::encode(&sha1(&bytes));
            let same = hash
                .value()
                .and_then(crate::exchange::base64::decode)
                .is_some_and(|h| crate::exchange::base64::encode(&h) == want);
            if !same {
                out.push(self.finding(
                    "fhir-attachment-hash",
                    Severity::Error,
                    hash,
                    hash.path(),
                    format!("hash is not the SHA-1 of the data ({want})"),
                    RULE,
                ));
            }
        }
    }
}

/// SHA-1 (FIPS 180-4), for `Attachment.hash`: small enough to own rather than depend on a crate.
fn sha1(input: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [
        0x6745_2301,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ];
    let mut message = input.to_vec();
    let bits = (input.len() as u64).wrapping_mul(8);
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&bits.to_be_bytes());
    for block in message.chunks_exact(64) {
        let mut w = [0u32; 80];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, &wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
                20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let t = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 20];
    for (i, x) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&x.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::sha1;

    #[test]
    fn sha1_known_answers() {
        // One line per case: input, SHA-1 in hex (FIPS 180 examples).
        for (input, hex) in [
            ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
            ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
            ),
        ] {
            let got: String = sha1(input.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(got, hex, "{input}");
        }
    }
}
