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
        let Some(bytes) = crate::base64::decode(data) else {
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
            let want = crate::base64::encode(&sha1(&bytes));
            let same = hash
                .value()
                .and_then(crate::base64::decode)
                .is_some_and(|h| crate::base64::encode(&h) == want);
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

/// SHA-1, for `Attachment.hash` (the R4 definition names it).
fn sha1(input: &[u8]) -> [u8; 20] {
    sha1_smol::Sha1::from(input).digest().bytes()
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
