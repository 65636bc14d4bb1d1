//! `medcom-hn-state`: in a HospitalNotification, the activity of the current Provenance, the
//! Encounter's class and status and the Patient's death fit together (digest §2.2, event table):
//!
//! | activity (also `revise-…`) | class | status | also |
//! | --- | --- | --- | --- |
//! | admit-inpatient (STIN) | IMP | in-progress | |
//! | admit-emergency (STAA) | EMER | in-progress | |
//! | start-leave-inpatient (STOR) | IMP | onleave | leave period start |
//! | end-leave-inpatient (SLOR) | IMP | in-progress | leave period end |
//! | discharge-inpatient-home (SLHJ) | IMP | finished | period.end |
//! | discharge-emergency-home (SLHJ) | EMER | finished | period.end |
//! | cancel-admit-… (AN_STIN, AN_STAA) | as admitted | entered-in-error | |
//! | any other `cancel-…` | as the cancelled event | not checked | |
//! | any, Patient.deceased = true (MORS) | as the activity | finished | period.end |

use crate::finding::Severity;
use crate::model::Node;
use crate::validate::message::{coding_code, finding, Kind, Message};
use crate::validate::Sink;

const RULE: &str = "MedCom HospitalNotification: activity, Encounter class and status";
const CODE: &str = "medcom-hn-state";
const E: Severity = Severity::Error;
const LEAVE_PERIOD: &str = "http://medcomfhir.dk/ig/hospitalnotification/StructureDefinition/medcom-hospitalnotifiation-leave-period-extension";

/// Class and status for an event, and whether it needs a leave period start or end.
struct State {
    class: &'static str,
    status: Option<&'static str>,
    leave: Option<&'static str>,
}

fn state(activity: &str) -> Option<State> {
    let (base, cancel) = match activity.strip_prefix("cancel-") {
        Some(base) => (base, true),
        None => (activity.strip_prefix("revise-").unwrap_or(activity), false),
    };
    let (class, status, leave) = match base {
        "admit-inpatient" => ("IMP", "in-progress", None),
        "admit-emergency" => ("EMER", "in-progress", None),
        "start-leave-inpatient" => ("IMP", "onleave", Some("start")),
        "end-leave-inpatient" => ("IMP", "in-progress", Some("end")),
        "discharge-inpatient-home" => ("IMP", "finished", None),
        "discharge-emergency-home" => ("EMER", "finished", None),
        _ => return None,
    };
    Some(if cancel {
        let status = base.starts_with("admit-").then_some("entered-in-error");
        State {
            class,
            status,
            leave: None,
        }
    } else {
        State {
            class,
            status: Some(status),
            leave,
        }
    })
}

fn encounter<'d, 'a>(msg: &Message<'d, 'a>) -> Option<Node<'d, 'a>> {
    let focus = msg
        .header
        .and_then(|h| h.child("focus"))
        .and_then(|f| f.child_value("reference"))
        .and_then(|r| msg.resolve(r))
        .filter(|r| r.ty().name() == "Encounter");
    focus.or_else(|| msg.resources_of("Encounter").map(|(_, r)| r).next())
}

fn is_deceased(msg: &Message<'_, '_>) -> bool {
    msg.resources_of("Patient").any(|(_, p)| {
        p.child("deceased")
            .is_some_and(|d| d.ty().name() == "boolean" && d.value() == Some("true"))
    })
}

pub(super) fn check(msg: &Message<'_, '_>, sink: &mut Sink<'_>) {
    if msg.kind != Some(Kind::HospitalNotification) {
        return;
    }
    let Some(code) = msg
        .current_provenances()
        .find_map(|p| coding_code(p, "activity"))
    else {
        return; // the provenance group reports a missing current Provenance
    };
    let activity = code.value().unwrap_or("");
    let Some(expected) = state(activity) else {
        sink.push(E, || {
            finding(
                CODE,
                E,
                code,
                RULE,
                format!("'{activity}' is not a HospitalNotification activity"),
            )
        });
        return;
    };
    let Some(encounter) = encounter(msg) else {
        return; // the profiles require the Encounter
    };
    let deceased = is_deceased(msg) && !activity.starts_with("cancel-");
    let class = encounter.child("class");
    let class_code = class.and_then(|c| c.child("code"));
    if class_code.and_then(|c| c.value()) != Some(expected.class) {
        sink.push(E, || {
            let node = class_code.or(class).unwrap_or(encounter);
            finding(
                CODE,
                E,
                node,
                RULE,
                format!(
                    "activity '{activity}' needs Encounter.class {}",
                    expected.class
                ),
            )
        });
    }
    let status = encounter.child("status");
    let want_status = if deceased {
        Some("finished")
    } else {
        expected.status
    };
    if let Some(want) = want_status {
        if status.and_then(|s| s.value()) != Some(want) {
            sink.push(E, || {
                let why = if deceased {
                    "a deceased patient (MORS)".to_owned()
                } else {
                    format!("activity '{activity}'")
                };
                finding(
                    CODE,
                    E,
                    status.unwrap_or(encounter),
                    RULE,
                    format!("{why} needs Encounter.status {want}"),
                )
            });
        }
    }
    if want_status == Some("finished") {
        let period = encounter.child("period");
        if period.and_then(|p| p.child("end")).is_none() {
            sink.push(E, || {
                finding(
                    CODE,
                    E,
                    period.unwrap_or(encounter),
                    RULE,
                    "a finished stay needs Encounter.period.end",
                )
            });
        }
    }
    if let (Some(edge), false) = (expected.leave, deceased) {
        let has = encounter
            .children_named("extension")
            .filter(|x| x.child_value("url") == Some(LEAVE_PERIOD))
            .any(|x| x.child("value").is_some_and(|v| v.child(edge).is_some()));
        if !has {
            sink.push(E, || {
                finding(
                    CODE,
                    E,
                    encounter,
                    RULE,
                    format!("activity '{activity}' needs the leave period {edge}"),
                )
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::rules::{testing::run, RuleGroup};

    fn hn(
        activity: &str,
        class: &str,
        status: &str,
        end: bool,
        leave: &str,
        deceased: bool,
    ) -> String {
        let end = if end {
            r#","end":"2024-01-02T10:00:00+01:00""#
        } else {
            ""
        };
        let leave = match leave {
            "" => String::new(),
            edge => format!(
                r#""extension":[{{"url":"http://medcomfhir.dk/ig/hospitalnotification/StructureDefinition/medcom-hospitalnotifiation-leave-period-extension","valuePeriod":{{"{edge}":"2024-01-01T12:00:00+01:00"}}}}],"#
            ),
        };
        format!(
            r#"{{"resourceType":"Bundle","type":"message","entry":[
            {{"resource":{{"resourceType":"MessageHeader","id":"m","eventCoding":{{"code":"hospital-notification-message"}},"source":{{"endpoint":"x"}},"focus":[{{"reference":"Encounter/e"}}]}}}},
            {{"resource":{{"resourceType":"Patient","id":"p","deceasedBoolean":{deceased}}}}},
            {{"resource":{{"resourceType":"Encounter","id":"e",{leave}"status":"{status}","class":{{"code":"{class}"}},"period":{{"start":"2024-01-01T10:00:00+01:00"{end}}}}}}},
            {{"resource":{{"resourceType":"Provenance","target":[{{"reference":"MessageHeader/m"}}],"activity":{{"coding":[{{"code":"{activity}"}}]}}}}}}]}}"#
        )
    }

    const ENC: &str = "Bundle.entry[2].resource";

    #[test]
    fn cases() {
        // input, expected `code location`s.
        let cases: Vec<(String, Vec<String>)> = vec![
            (
                hn("admit-inpatient", "IMP", "in-progress", false, "", false),
                vec![],
            ),
            (
                hn(
                    "revise-admit-emergency",
                    "EMER",
                    "in-progress",
                    false,
                    "",
                    false,
                ),
                vec![],
            ),
            (
                hn("admit-inpatient", "EMER", "in-progress", false, "", false),
                vec![format!("medcom-hn-state {ENC}.class.code")],
            ),
            (
                hn("admit-inpatient", "IMP", "finished", true, "", false),
                vec![format!("medcom-hn-state {ENC}.status")],
            ),
            (
                hn("admit-inpatient", "IMP", "finished", true, "", true),
                vec![],
            ),
            (
                hn("admit-inpatient", "IMP", "in-progress", true, "", true),
                vec![format!("medcom-hn-state {ENC}.status")],
            ),
            (
                hn("admit-emergency", "EMER", "finished", false, "", true),
                vec![format!("medcom-hn-state {ENC}.period")],
            ),
            (
                hn(
                    "start-leave-inpatient",
                    "IMP",
                    "onleave",
                    false,
                    "start",
                    false,
                ),
                vec![],
            ),
            (
                hn("start-leave-inpatient", "IMP", "onleave", false, "", false),
                vec![format!("medcom-hn-state {ENC}")],
            ),
            (
                hn(
                    "end-leave-inpatient",
                    "IMP",
                    "in-progress",
                    false,
                    "end",
                    false,
                ),
                vec![],
            ),
            (
                hn(
                    "discharge-inpatient-home",
                    "IMP",
                    "finished",
                    true,
                    "",
                    false,
                ),
                vec![],
            ),
            (
                hn(
                    "discharge-inpatient-home",
                    "IMP",
                    "onleave",
                    true,
                    "start",
                    false,
                ),
                vec![format!("medcom-hn-state {ENC}.status")],
            ),
            (
                hn(
                    "discharge-emergency-home",
                    "EMER",
                    "finished",
                    false,
                    "",
                    false,
                ),
                vec![format!("medcom-hn-state {ENC}.period")],
            ),
            (
                hn(
                    "cancel-admit-inpatient",
                    "IMP",
                    "entered-in-error",
                    false,
                    "",
                    false,
                ),
                vec![],
            ),
            (
                hn(
                    "cancel-admit-inpatient",
                    "IMP",
                    "in-progress",
                    false,
                    "",
                    false,
                ),
                vec![format!("medcom-hn-state {ENC}.status")],
            ),
            (
                hn(
                    "cancel-start-leave-inpatient",
                    "IMP",
                    "in-progress",
                    false,
                    "",
                    false,
                ),
                vec![],
            ),
            (
                hn("discharge-patient-home", "IMP", "finished", true, "", false),
                vec!["medcom-hn-state Bundle.entry[3].resource.activity.coding[0].code".into()],
            ),
        ];
        for (input, want) in cases {
            assert_eq!(
                run(RuleGroup::HospitalNotification, &input),
                want,
                "{input}"
            );
        }
    }
}
