//! `medcom-timezone`: every dateTime and instant with a time carries a timezone (`Z` or
//! `+hh:mm`/`-hh:mm`), as MedCom requires of all timestamps in a message ("MessageHeader,
//! identifiers and timestamps"). Dates without a time have no timezone and are fine.

use crate::finding::Severity;
use crate::model::PrimitiveKind;
use crate::validate::message::{finding, Message};
use crate::validate::Sink;

const RULE: &str = "MedCom messaging: timestamps carry a timezone";

/// Whether a dateTime or instant value is fine: no time, or a time with a timezone.
fn has_timezone(value: &str) -> bool {
    let Some((_, time)) = value.split_once('T') else {
        return true;
    };
    if time.ends_with('Z') {
        return true;
    }
    let b = time.as_bytes();
    let n = b.len();
    n >= 6
        && matches!(b[n - 6], b'+' | b'-')
        && b[n - 5].is_ascii_digit()
        && b[n - 4].is_ascii_digit()
        && b[n - 3] == b':'
        && b[n - 2].is_ascii_digit()
        && b[n - 1].is_ascii_digit()
}

pub(super) fn check(msg: &Message<'_, '_>, sink: &mut Sink<'_>) {
    for &node in msg.nodes() {
        if sink.is_done() {
            return;
        }
        if !matches!(
            node.ty().primitive(),
            Some(PrimitiveKind::DateTime | PrimitiveKind::Instant)
        ) {
            continue;
        }
        let Some(value) = node.value() else {
            continue;
        };
        if !has_timezone(value) {
            sink.push(Severity::Error, || {
                finding(
                    "medcom-timezone",
                    Severity::Error,
                    node,
                    RULE,
                    "the timestamp has a time but no timezone",
                )
                .with_value(value)
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::has_timezone;
    use crate::validate::rules::{testing::run, RuleGroup};

    /// value, has a timezone (or needs none).
    #[rustfmt::skip]
    const VALUES: &[(&str, bool)] = &[
        ("2024-02-29T10:00:00+01:00", true),
        ("2024-02-29T10:00:00.123-03:30", true),
        ("2024-02-29T10:00:00Z", true),
        ("2024-02-29", true),
        ("2024", true),
        ("2024-02-29T10:00:00", false),
        ("2024-02-29T10:00:00+0100", false),
        ("2024-02-29T10:00", false),
        ("T", false),
    ];

    #[test]
    fn values() {
        for &(value, want) in VALUES {
            assert_eq!(has_timezone(value), want, "{value}");
        }
    }

    /// input, expected `code location`s.
    #[rustfmt::skip]
    const CASES: &[(&str, &[&str])] = &[
        (r#"{"resourceType":"Bundle","timestamp":"2024-01-01T10:00:00+01:00"}"#, &[]),
        (r#"{"resourceType":"Bundle","timestamp":"2024-01-01T10:00:00"}"#, &["medcom-timezone Bundle.timestamp"]),
        (r#"{"resourceType":"Provenance","occurredDateTime":"2024-01-01T10:00:00"}"#, &["medcom-timezone Provenance.occurred.ofType(dateTime)"]),
        (r#"{"resourceType":"Patient","birthDate":"1970-01-01","deceasedDateTime":"2024-01-01"}"#, &[]),
    ];

    #[test]
    fn cases() {
        for &(input, want) in CASES {
            assert_eq!(run(RuleGroup::Timezone, input), want, "{input}");
        }
    }
}
