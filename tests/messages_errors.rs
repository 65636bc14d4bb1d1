//! Builder misuse returns typed errors: one line per forbidden
//! combination the profiles and MedCom's rules name.

use medcom::dk::cpr::CprError;
use medcom::dk::ecpr::EcprError;
use medcom::messages::{
    AckIssue, Acknowledgement, Activity, Attachment, Author, BuildError, CareCommunication,
    CareTeam, Category, Context, EmptyMessage, EpisodeOfCare, Organization, Party, Patient,
    PersonName, Priority, ResponseCode, Role, Segment, ViewError,
};
use medcom::model::Document;

fn hospital() -> Organization {
    Organization::new("265161000016000", "5790000209354")
}

fn home() -> Organization {
    Organization::new("953741000016009", "5790001348120")
}

fn nurse() -> Author {
    Author::new(
        PersonName::new("Burns", &["Michael"]),
        Role::sks("sygeplejerske"),
        hospital(),
    )
}

fn text() -> Segment {
    Segment::text("Hej", nurse(), "38683868", "2024-05-01T12:00:00+02:00")
}

fn patient() -> Patient {
    Patient::cpr("2509471005", PersonName::new("Elmer", &["Bruno"]))
}

/// A valid CareCommunication to start each case from.
fn cc() -> CareCommunication {
    CareCommunication::new(hospital(), home(), patient(), Category::Nursing).with_segment(text())
}

fn cc_with(f: impl FnOnce(&mut CareCommunication)) -> Result<Document<'static>, BuildError> {
    let mut m = cc();
    f(&mut m);
    m.build(&Context::new())
}

fn cc_segment(f: impl FnOnce(&mut Segment)) -> Result<Document<'static>, BuildError> {
    let mut s = text();
    f(&mut s);
    cc_with(|m| m.segments = vec![s])
}

fn attachment(a: Attachment) -> Result<Document<'static>, BuildError> {
    cc_with(|m| {
        m.segments
            .push(Segment::attachment(a, "2024-05-01T12:00:00Z"))
    })
}

fn built() -> Document<'static> {
    cc().build(&Context::new()).expect("valid")
}

fn ack() -> Acknowledgement {
    Acknowledgement::for_message(&built()).expect("ack")
}

fn parse(json: &str) -> Document<'_> {
    medcom::parse(json).expect("json")
}

/// (case, outcome, expected error).
type Case = (
    &'static str,
    Result<Document<'static>, BuildError>,
    BuildError,
);

#[rustfmt::skip] // one line per case
fn cases() -> Vec<Case> {
    use BuildError as E;
    let empty = EmptyMessage::new(hospital(), home()).build(&Context::new()).expect("empty");
    let missing = |what: &'static str| E::Missing { what };
    vec![
        ("priority without regarding-referral", cc_with(|m| m.priority = Some(Priority::Asap)), E::PriorityWithoutReferral { category: "nursing" }),
        ("category other without topic", cc_with(|m| m.category = Category::Other), E::TopicRequired),
        ("category other with blank topic", cc_with(|m| { m.category = Category::Other; m.topic = Some(" ".into()) }), E::TopicRequired),
        ("attachment of a forbidden MIME type", attachment(Attachment::new("text/plain", "x", b"x")), E::AttachmentType { content_type: "text/plain".into() }),
        ("attachment of a Word document", attachment(Attachment::new("application/msword", "x", b"x")), E::AttachmentType { content_type: "application/msword".into() }),
        ("new attachment without data or url", attachment({ let mut a = Attachment::link("x", "https://x"); a.url = None; a }), E::AttachmentContent { title: "x".into() }),
        ("attachment data without content type", attachment({ let mut a = Attachment::new("image/png", "x", b"x"); a.content_type = None; a }), missing("content type of attachment data")),
        ("attachment without title", attachment(Attachment::new("image/png", "", b"x")), missing("attachment title")),
        ("attachment creation without time zone", attachment(Attachment::new("image/png", "x", b"x").with_creation("2024-05-01T12:00:00")), E::InvalidDateTime { element: "Attachment.creation", value: "2024-05-01T12:00:00".into() }),
        ("no segment", cc_with(|m| m.segments.clear()), missing("text segment")),
        ("attachments but no text segment", cc_with(|m| m.segments = vec![Segment::attachment(Attachment::link("x", "https://x"), "2024-05-01T12:00:00Z")]), missing("text segment")),
        ("text segment without author", cc_segment(|s| s.author = None), missing("author of a text segment")),
        ("text segment without contact", cc_segment(|s| s.contact = None), missing("contact number of a text segment")),
        ("blank text segment", cc_segment(|s| s.content = medcom::messages::Content::Text(" ".into())), missing("segment text")),
        ("contact that is no phone number", cc_segment(|s| s.contact = Some("call me".into())), E::InvalidContact { value: "call me".into() }),
        ("segment date without time zone", cc_segment(|s| s.date = "2024-05-01T12:00:00".into()), E::InvalidDateTime { element: "payload date", value: "2024-05-01T12:00:00".into() }),
        ("segment identifier not urn:uuid", cc_segment(|s| s.identifier = Some("abc".into())), E::InvalidUuid { element: "payload identifier", value: "abc".into() }),
        ("thread identifier not urn:uuid", cc_with(|m| m.thread = Some("1234".into())), E::InvalidUuid { element: "Communication.identifier", value: "1234".into() }),
        ("thread identifier in capitals", cc_with(|m| m.thread = Some("urn:uuid:B2EB3D0E-5DE5-4DE9-B2A3-0FF321AD1C3A".into())), E::InvalidUuid { element: "Communication.identifier", value: "urn:uuid:B2EB3D0E-5DE5-4DE9-B2A3-0FF321AD1C3A".into() }),
        ("CPR with an impossible date", cc_with(|m| m.patient = Patient::cpr("3102451234", PersonName::new("E", &["B"]))), E::InvalidCpr(CprError::Date)),
        ("CPR of nine digits", cc_with(|m| m.patient = Patient::cpr("123456789", PersonName::new("E", &["B"]))), E::InvalidCpr(CprError::Format)),
        ("eCPR with an unknown form digit", cc_with(|m| m.patient = Patient::ecpr("0101903AB4", PersonName::new("E", &["B"]))), E::InvalidEcpr(EcprError::Form)),
        ("patient without a name", cc_with(|m| m.patient = Patient::cpr("2509471005", PersonName::default())), missing("patient name")),
        ("author without a name", cc_segment(|s| s.author = Some(Author::new(PersonName::default(), Role::sks("laege"), hospital()))), missing("practitioner name")),
        ("author with a blank role text", cc_segment(|s| s.author = Some(Author::new(PersonName::new("B", &["M"]), Role::Text(" ".into()), hospital()))), missing("practitioner role text")),
        ("sender SOR of ten digits", cc_with(|m| m.sender = Organization::new("1234567890", "5790000209354")), E::InvalidSor { value: "1234567890".into() }),
        ("receiver GLN with a wrong check digit", cc_with(|m| m.receiver = Organization::new("953741000016009", "5790001348121")), E::InvalidGln { value: "5790001348121".into() }),
        ("receiver without GLN", cc_with(|m| m.receiver = Organization::sor_only("953741000016009")), missing("GLN of a sending or receiving organization")),
        ("specific sender of another organization", cc_with(|m| m.specific_sender = Some(Party::CareTeam(CareTeam::new("Team", home())))), E::PartyOrganization { role: "sender" }),
        ("specific sender without organization", cc_with(|m| m.specific_sender = Some(Party::Practitioner(Author::without_organization(PersonName::new("B", &["M"]), Role::sks("laege"))))), E::PartyOrganization { role: "sender" }),
        ("recipient of another organization", cc_with(|m| m.recipient = Some(Party::Practitioner(nurse()))), E::PartyOrganization { role: "recipient" }),
        ("LPR3 episode of care that is no UUIDv5", cc_with(|m| m.episode_of_care = Some(EpisodeOfCare::lpr3("urn:uuid:6d0e4f8a-1b2c-4d3e-8f4a-5b6c7d8e9f0a"))), E::InvalidUuid { element: "Encounter.episodeOfCare.identifier (LPR3, UUIDv5)", value: "urn:uuid:6d0e4f8a-1b2c-4d3e-8f4a-5b6c7d8e9f0a".into() }),
        ("episode of care without identifier", cc_with(|m| m.episode_of_care = Some(EpisodeOfCare::local("265161000016000", ""))), missing("episode-of-care identifier")),
        ("activity outside CareCommunication's", cc_with(|m| m.activity = Activity::AdmitInpatient), missing("CareCommunication activity new-message, reply-message or forward-message")),
        ("reply without the previous message", cc_with(|m| m.activity = Activity::ReplyMessage), missing("previous message of a reply or forward")),
        ("reply without a segment of its own", CareCommunication::reply(&built()).and_then(|m| m.build(&Context::new())), E::NoNewSegment),
        ("forward without a segment of its own", CareCommunication::forward(&built(), Organization::new("123456789012342", "5790001382445")).and_then(|m| m.build(&Context::new())), E::NoNewSegment),
        ("reply to an empty message", CareCommunication::reply(&empty).and_then(|m| m.build(&Context::new())), E::Received(ViewError::WrongEvent { expected: "care-communication-message", found: "empty-message".into() })),
        ("reply to something that is no message", CareCommunication::reply(&parse(r#"{"resourceType":"Patient"}"#)).and_then(|m| m.build(&Context::new())), E::Received(ViewError::NotAMessage)),
        ("acknowledgement of an acknowledgement", Acknowledgement::for_message(&ack().build(&Context::new()).expect("ack")).and_then(|a| a.build(&Context::new())), E::AcknowledgementOfAcknowledgement),
        ("transient-error without issues", ack().with_code(ResponseCode::TransientError).build(&Context::new()), E::AckIssues { code: "transient-error" }),
        ("fatal-error without issues", ack().with_code(ResponseCode::FatalError).build(&Context::new()), E::AckIssues { code: "fatal-error" }),
        ("issue code outside the value set", ack().with_code(ResponseCode::FatalError).with_issue(AckIssue::error("MSG_NOT_A_CODE")).build(&Context::new()), E::UnknownIssueCode { code: "MSG_NOT_A_CODE".into() }),
        ("issue code under the wrong system", ack().with_code(ResponseCode::FatalError).with_issue({ let mut i = AckIssue::error("MSG_BAD_FORMAT"); i.system = "http://terminology.hl7.org/CodeSystem/operation-outcome".into(); i }).build(&Context::new()), E::UnknownIssueCode { code: "MSG_BAD_FORMAT".into() }),
        ("issue of an unknown severity", ack().with_code(ResponseCode::FatalError).with_issue(AckIssue::new("bad", "value", "MSG_BAD_FORMAT")).build(&Context::new()), E::UnknownIssueCode { code: "bad/value".into() }),
        ("acknowledgement of no message", Acknowledgement::for_message(&parse(r#"{"resourceType":"Bundle","type":"collection"}"#)).and_then(|a| a.build(&Context::new())), E::Received(ViewError::NotAMessage)),
        ("empty message to a cc receiver without GLN", EmptyMessage::new(hospital(), home()).with_cc(Organization::sor_only("123456789012342")).build(&Context::new()), missing("GLN of a sending or receiving organization")),
    ]
}

#[test]
fn builders_refuse_what_the_standards_forbid() {
    let mut failures = Vec::new();
    for (case, outcome, expected) in cases() {
        match outcome {
            Err(e) if e == expected => {
                // Messages are lowercase with no trailing period.
                let text = e.to_string();
                assert!(!text.ends_with('.'), "{case}: {text}");
            }
            Err(e) => failures.push(format!("{case}: expected {expected:?}, got {e:?}")),
            Ok(_) => failures.push(format!("{case}: built, expected {expected:?}")),
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn errors_keep_patient_numbers_out_of_their_messages() {
    let e = cc_with(|m| m.patient = Patient::cpr("3102451234", PersonName::new("E", &["B"])))
        .expect_err("invalid CPR");
    assert!(!e.to_string().contains("3102451234"), "{e}");
    assert!(std::error::Error::source(&e).is_some());
}
