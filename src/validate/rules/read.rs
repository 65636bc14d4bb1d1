//! `fhir-read`: every problem lenient reading recorded makes the message invalid.

use crate::finding::{Finding, Severity};
use crate::validate::message::Message;
use crate::validate::Sink;

pub(super) fn check(msg: &Message<'_, '_>, sink: &mut Sink<'_>) {
    for issue in msg.doc.issues() {
        sink.push(Severity::Error, || {
            // The reader's message names elements and types, never values.
            Finding::new(
                "fhir-read",
                Severity::Error,
                issue.path().unwrap_or(msg.root.ty().name()).to_owned(),
                issue.kind().to_string(),
            )
            .with_position(issue.position())
            .with_rule(issue.kind().code())
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::rules::{testing::run, RuleGroup};

    /// input, expected `code location`s.
    #[rustfmt::skip]
    const CASES: &[(&str, &[&str])] = &[
        (r#"{"resourceType":"Basic","id":"a"}"#, &[]),
        (r#"{"resourceType":"Basic","bogus":1}"#, &["fhir-read Basic"]),
        (r#"<Basic xmlns="http://hl7.org/fhir"><bogus/></Basic>"#, &["fhir-read Basic"]),
    ];

    #[test]
    fn cases() {
        for &(input, want) in CASES {
            assert_eq!(run(RuleGroup::Read, input), want, "{input}");
        }
    }
}
