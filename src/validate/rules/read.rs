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
    // Left-out problems join the report's count of findings left out; only when none was kept
    // does one finding stand for them here, so that the verdict holds without the report.
    let left_out = msg.doc.issues_left_out();
    if left_out > 0 && msg.doc.issues().is_empty() {
        sink.push(Severity::Error, || {
            let noun = if left_out == 1 { "problem" } else { "problems" };
            Finding::new(
                crate::finding::TRUNCATED,
                Severity::Error,
                msg.root.ty().name(),
                format!("{left_out} more reading {noun} left out"),
            )
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
