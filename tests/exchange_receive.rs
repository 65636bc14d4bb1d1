//! `medcom receive`, `ack`, `send` and `outbox` as a user runs them: an answer that cannot be
//! written leaves the message to be handed over again; TEK_FCC gets a fatal-error
//! acknowledgement; acknowledgements stay small; a batch reports a bad file and goes on, names
//! answers by message id and never writes through a symlink; envelopes are recognised however
//! late their root element starts; `send` refuses invalid messages and reused `Bundle.id`s, and
//! `outbox` shows RFC 3339 times and the envelope identifier `send` used.

mod common;
mod exchange;

use std::path::Path;
use std::process::Output;

use medcom::exchange::envelope::{self, vans, Envelope};
use medcom::exchange::Payload;

fn medcom(args: &[&str], stdin: &[u8]) -> Output {
    common::run_medcom(args, stdin)
}

/// `medcom receive --store STORE --ack-out ACK_OUT REST...`.
fn receive(store: &Path, ack_out: &Path, rest: &[&str], stdin: &[u8]) -> Output {
    let mut args = vec![
        "receive",
        "--store",
        path(store),
        "--ack-out",
        path(ack_out),
    ];
    args.extend_from_slice(rest);
    medcom(&args, stdin)
}

fn lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

const HEADER: &str = "1b4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11";

fn fhir_message(dir: &Path, name: &str, envelope: &str, header: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, exchange::message("fhir-json", envelope, header)).expect("write");
    p
}

#[test]
fn an_answer_that_cannot_be_written_leaves_the_message_to_be_handed_over_again() {
    let dir = tempfile::tempdir().expect("dir");
    let store = dir.path().join("mb.sqlite");
    let msg = fhir_message(
        dir.path(),
        "m.json",
        "0a4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11",
        HEADER,
    );
    let missing = dir.path().join("missing-dir/a.json");
    let out = receive(&store, &missing, &[path(&msg)], b"");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing-dir"));
    // A later run hands the message over (not "duplicate") with an answer.
    let answer = dir.path().join("a.json");
    let again = receive(&store, &answer, &[path(&msg)], b"");
    assert_eq!(again.status.code(), Some(0), "{again:?}");
    let first = &lines(&again)[0];
    assert_eq!(first["decision"], "process", "{first}");
    assert_eq!(first["message_id"], HEADER);
    let written = std::fs::read(&answer).expect("answer written");
    assert_eq!(
        Payload::read(&written).expect("ack").answers,
        [HEADER.to_owned()]
    );
    // Handed over now: the next copy is a duplicate with the same answer content.
    let answer2 = dir.path().join("b.json");
    let third = receive(&store, &answer2, &[path(&msg)], b"");
    let third = &lines(&third)[0];
    assert_eq!(third["decision"], "duplicate", "{third}");
    assert_eq!(third["ack_id"], first["ack_id"]);
    assert_eq!(
        exchange::content(&std::fs::read(&answer2).expect("second answer")),
        exchange::content(&written)
    );
    // The same in a batch: the failed answer is an error line, and the message comes back.
    let store = dir.path().join("batch.sqlite");
    let list = format!("{}\n", msg.display());
    let out = receive(&store, &missing, &["--batch"], list.as_bytes());
    assert_eq!(lines(&out)[0]["decision"], "error");
    let out = receive(&store, dir.path(), &["--batch"], list.as_bytes());
    assert_eq!(lines(&out)[0]["decision"], "process");
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn tek_fcc_gets_a_fatal_error_acknowledgement_from_ack_and_receive() {
    let Some(shared) = common::shared() else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    for ext in ["json", "xml"] {
        let fixture = shared.join(format!(
            "medcom/fhir/examples/medcomfhir-website/ig/hospitalnotificationtestscripts/3.0.1/\
             Bundle-17a0c807-372b-452c-972e-c59036153b57.{ext}"
        ));
        let fixture = path(&fixture);
        for args in [
            vec!["ack", fixture],
            vec!["ack", "--code", "fatal-error", fixture],
        ] {
            let out = medcom(&args, b"");
            assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
            let ack = Payload::read(&out.stdout).expect("ack reads");
            assert_eq!(
                ack.response_code.as_deref(),
                Some("fatal-error"),
                "{args:?}"
            );
        }
        let store = dir.path().join(format!("{ext}.sqlite"));
        let answer = dir.path().join(format!("ack.{ext}"));
        let out = receive(&store, &answer, &[fixture], b"");
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let line = &lines(&out)[0];
        assert_eq!(line["code"], "fatal-error", "{line}");
        assert_eq!(line["rules"][0], "unknown-event", "{line}");
        let ack = Payload::read(&std::fs::read(&answer).expect("answer")).expect("ack");
        assert_eq!(ack.response_code.as_deref(), Some("fatal-error"));
    }
}

/// A published CareCommunication whose `Communication.payload` is repeated 5,000 times, each
/// with a broken extension: over 30,000 errors.
fn message_with_5000_errors(shared: &Path) -> Vec<u8> {
    let valid = shared.join(
        "medcom/fhir/examples/medcomfhir-website/ig/carecommunication/5.0.2/\
         Bundle-0d5b3c18-fab6-4d93-9d88-c9c8abf1f18c.json",
    );
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(valid).expect("example")).expect("JSON");
    for e in v["entry"].as_array_mut().expect("entries") {
        if e["resource"]["resourceType"] == "Communication" {
            let mut segment = e["resource"]["payload"][0].clone();
            segment["extension"] = serde_json::json!([{"valueString": "no url"}]);
            e["resource"]["payload"] = serde_json::Value::Array(vec![segment; 5000]);
        }
    }
    serde_json::to_vec(&v).expect("JSON")
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn an_acknowledgement_of_a_message_with_5000_errors_stays_under_64_kb() {
    let Some(shared) = common::shared() else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let msg = dir.path().join("many.json");
    std::fs::write(&msg, message_with_5000_errors(&shared)).expect("write");
    let bytes = std::fs::read(&msg).expect("read");
    let doc = medcom::parse_bytes(&bytes, &Default::default()).expect("reads");
    // Uncapped, to count them all: the validator itself reports at most 1,000 by default.
    let errors = medcom::validate::Validator::options()
        .with_max_findings(usize::MAX)
        .build()
        .report(&doc)
        .count(medcom::finding::Severity::Error);
    assert!(errors >= 5000, "{errors} errors");
    for to in ["json", "xml"] {
        let out = medcom(&["ack", "--strict", "--to", to, path(&msg)], b"");
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        assert!(
            out.stdout.len() < 64 * 1024,
            "{to}: {} bytes",
            out.stdout.len()
        );
        let ack = medcom::parse_bytes(&out.stdout, &Default::default()).expect("ack reads");
        let read = medcom::messages::Acknowledgement::read(&ack).expect("an acknowledgement");
        assert_eq!(read.issues.len(), 101, "{to}");
        let last = read.issues[100].diagnostics.as_deref().expect("summary");
        assert!(
            last.ends_with("more issues not listed (the first 100 are)"),
            "{last}"
        );
        assert!(
            medcom::validate::Validator::new().report(&ack).is_valid(),
            "{to}: the acknowledgement validates"
        );
    }
    // Configurable, and the same through receive.
    let out = medcom(
        &["ack", "--strict", "--max-ack-issues", "5", path(&msg)],
        b"",
    );
    let ack = medcom::parse_bytes(&out.stdout, &Default::default()).expect("ack reads");
    let read = medcom::messages::Acknowledgement::read(&ack).expect("ack");
    assert_eq!(read.issues.len(), 6);
    let store = dir.path().join("mb.sqlite");
    let answer = dir.path().join("answer.json");
    let out = receive(&store, &answer, &["--strict", path(&msg)], b"");
    assert_eq!(lines(&out)[0]["code"], "fatal-error");
    assert!(std::fs::metadata(&answer).expect("answer").len() < 64 * 1024);
}

#[test]
fn a_batch_reports_a_bad_file_names_answers_by_message_id_and_never_follows_a_symlink() {
    let dir = tempfile::tempdir().expect("dir");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir_all(&a).expect("dir");
    std::fs::create_dir_all(&b).expect("dir");
    // Two inputs with one file name in different folders, and an unreadable path between.
    let first = fhir_message(
        &a,
        "msg.json",
        "0a4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11",
        HEADER,
    );
    let other = "2c4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11";
    let second = fhir_message(
        &b,
        "msg.json",
        "3d4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11",
        other,
    );
    let acks = dir.path().join("acks");
    std::fs::create_dir_all(&acks).expect("dir");
    // A planted symlink where the first answer goes, pointing outside the folder.
    let outside = dir.path().join("outside.txt");
    std::fs::write(&outside, b"untouched").expect("write");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&outside, acks.join(format!("{HEADER}.ack"))).expect("symlink");
    let list = format!(
        "{}\n{}\n{}\n",
        first.display(),
        dir.path().join("no-such-file.json").display(),
        second.display()
    );
    let store = dir.path().join("mb.sqlite");
    let out = receive(&store, &acks, &["--batch"], list.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let got = lines(&out);
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(got[0]["decision"], "process");
    assert_eq!(got[1]["decision"], "error");
    assert!(got[1]["file"]
        .as_str()
        .expect("file")
        .ends_with("no-such-file.json"));
    assert_eq!(got[2]["decision"], "process");
    assert_eq!(std::fs::read(&outside).expect("outside"), b"untouched");
    for (line, id) in [(&got[0], HEADER), (&got[2], other)] {
        let file = acks.join(format!("{id}.ack"));
        assert_eq!(line["ack_file"], path(&file));
        let meta = std::fs::symlink_metadata(&file).expect("answer");
        assert!(meta.file_type().is_file(), "{id}: a regular file");
        let ack = Payload::read(&std::fs::read(&file).expect("answer")).expect("ack");
        assert_eq!(ack.answers, [id.to_owned()]);
    }
    // A message identifier that is no safe file name still stays in the folder.
    let odd = dir.path().join("odd.json");
    std::fs::write(
        &odd,
        exchange::message(
            "fhir-json",
            "4e4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11",
            "../../x/y",
        ),
    )
    .expect("write");
    let out = receive(
        &store,
        &acks,
        &["--batch"],
        format!("{}\n", odd.display()).as_bytes(),
    );
    let line = &lines(&out)[0];
    let file = Path::new(line["ack_file"].as_str().expect("answer file"));
    assert_eq!(file.parent(), Some(acks.as_path()), "{line}");
    // The single-file answer path replaces a symlink instead of writing through it.
    #[cfg(unix)]
    {
        let link = dir.path().join("answer.json");
        std::os::unix::fs::symlink(&outside, &link).expect("symlink");
        let msg = fhir_message(
            dir.path(),
            "single.json",
            "5f4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11",
            "6a4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11",
        );
        let out = receive(&store, &link, &[path(&msg)], b"");
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        assert_eq!(std::fs::read(&outside).expect("outside"), b"untouched");
        assert!(std::fs::symlink_metadata(&link)
            .expect("answer")
            .file_type()
            .is_file());
    }
}

#[test]
fn an_envelope_is_recognised_however_late_its_root_element_starts() {
    let bytes = exchange::message("fhir-xml", "0a4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11", HEADER);
    let wrapped = vans::VansEnvelope::wrap(
        vans::EndPoint::ean("5790001348120"),
        vans::EndPoint::ean("5790000209354"),
        "5e4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11",
        HEADER,
        "2024-05-01T10:00:00Z",
        &bytes,
    )
    .expect("wrap")
    .to_xml();
    let root = wrapped.find("<VANSEnvelope").expect("root");
    let (head, rest) = wrapped.split_at(root);
    // A 3 KB comment and a processing instruction before the root, and 2 KB of attributes on
    // it before its namespace declaration.
    let late = format!(
        "{head}<!-- {} --><?note {}?>\n<VANSEnvelope data-a=\"{}\" {}",
        "c".repeat(3000),
        "p".repeat(100),
        "a".repeat(2000),
        rest.trim_start_matches("<VANSEnvelope").trim_start()
    );
    assert!(late.find("<VANSEnvelope").expect("root") > 2048);
    assert!(envelope::is_envelope(late.as_bytes()));
    assert!(matches!(
        envelope::read(late.as_bytes()).expect("reads"),
        Envelope::Vans(_)
    ));
    let dir = tempfile::tempdir().expect("dir");
    let input = dir.path().join("late.xml");
    std::fs::write(&input, &late).expect("write");
    let answer = dir.path().join("answer.xml");
    let store = dir.path().join("mb.sqlite");
    let out = receive(&store, &answer, &[path(&input)], b"");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(lines(&out)[0]["message_id"], HEADER);
    // The answer travels in a VANSEnvelope too.
    assert!(matches!(
        envelope::read(&std::fs::read(&answer).expect("answer")).expect("envelope"),
        Envelope::Vans(_)
    ));
    // A FHIR message with a long comment first is still no envelope.
    let fhir = format!(
        "<!-- {} -->{}",
        "c".repeat(3000),
        String::from_utf8_lossy(&bytes)
    );
    assert!(!envelope::is_envelope(fhir.as_bytes()));
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn send_refuses_invalid_messages_and_reused_bundle_ids_and_outbox_shows_what_was_sent() {
    let Some(shared) = common::shared() else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let store = dir.path().join("mb.sqlite");
    let valid = shared.join(
        "medcom/fhir/examples/medcomfhir-website/ig/carecommunication/5.0.2/\
         Bundle-0d5b3c18-fab6-4d93-9d88-c9c8abf1f18c.json",
    );
    let text = std::fs::read_to_string(&valid).expect("example");
    let facts = Payload::read(text.as_bytes()).expect("facts");
    // Valid: sent in a VANSEnvelope, recorded.
    let out = medcom(&["send", "--store", path(&store), path(&valid)], b"");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let Envelope::Vans(sent) = envelope::read(&out.stdout).expect("envelope") else {
        panic!("not VANS");
    };
    // The same Bundle.id with another MessageHeader.id: refused, nothing recorded.
    let header = &facts.message_ids[0];
    let reused = dir.path().join("reused.json");
    std::fs::write(
        &reused,
        text.replace(header.as_str(), "9f1d2c3b-4a5e-4f60-8a7b-1c2d3e4f5a6b"),
    )
    .expect("write");
    let out = medcom(&["send", "--store", path(&store), path(&reused)], b"");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("already sent with message"),
        "{out:?}"
    );
    // Invalid: refused with the findings on stderr.
    let invalid = dir.path().join("invalid.json");
    std::fs::write(&invalid, message_with_5000_errors(&shared)).expect("write");
    let out = medcom(&["send", "--store", path(&store), path(&invalid)], b"");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error[") && stderr.contains("not sent"),
        "{stderr}"
    );
    // The outbox holds the one message sent, with RFC 3339 times and the envelope's id.
    let out = medcom(&["outbox", "--store", path(&store)], b"");
    let listed = lines(&out);
    assert_eq!(listed.len(), 1, "{listed:?}");
    let o = &listed[0];
    assert_eq!(o["message_id"], header.as_str());
    assert_eq!(o["bundle_id"], facts.envelope_id.as_str());
    assert_eq!(o["envelope_id"], sent.envelope_id.as_str());
    for k in ["sent", "updated", "due"] {
        let t = o[k].as_str().expect("time");
        assert!(
            t.len() == 20 && t.as_bytes()[10] == b'T' && t.ends_with('Z'),
            "{k}: {t}"
        );
    }
}
