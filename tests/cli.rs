//! The `medcom` binary: exit codes, stdout and stderr, one line per case.

use std::io::Write;
use std::process::{Command, Stdio};

struct Case {
    args: &'static [&'static str],
    stdin: &'static [u8],
    code: i32,
    stdout: &'static str,
    stderr: &'static str,
}

const fn case(
    args: &'static [&'static str],
    stdin: &'static [u8],
    code: i32,
    stdout: &'static str,
    stderr: &'static str,
) -> Case {
    Case {
        args,
        stdin,
        code,
        stdout,
        stderr,
    }
}

/// args, stdin, exit code, stdout must contain, stderr must contain.
#[rustfmt::skip]
const CASES: &[Case] = &[
    case(
        &["convert", "-"],
        br#"{"resourceType":"Basic","id":"a"}"#,
        0,
        r#"<Basic xmlns="http://hl7.org/fhir"><id value="a"/></Basic>"#,
        "",
    ),
    case(
        &["convert", "--to", "json", "-"],
        br#"<Basic xmlns="http://hl7.org/fhir"><id value="a"/></Basic>"#,
        0,
        r#"{"resourceType":"Basic","id":"a"}"#,
        "",
    ),
    case(
        &["convert", "--to", "json", "--pretty", "-"],
        br#"<Basic xmlns="http://hl7.org/fhir"><id value="a"/></Basic>"#,
        0,
        "{\n  \"resourceType\": \"Basic\",\n  \"id\": \"a\"\n}\n",
        "",
    ),
    case(
        &["convert", "fixtures/cli/observation.json"],
        b"",
        0,
        r#"<value value="1.50"/>"#,
        "",
    ),
    case(
        &["convert", "--to", "json", "fixtures/cli/observation.json"],
        b"",
        0,
        r#""value":1.50"#,
        "",
    ),
    case(
        &["convert", "fixtures/cli/unknown-element.xml"],
        b"",
        1,
        "",
        "fixtures/cli/unknown-element.xml:2:3: Basic: unknown element 'bogus' in Basic",
    ),
    case(
        &["convert", "fixtures/cli/doctype.xml"],
        b"",
        1,
        "",
        "2:1: DOCTYPE declarations are not allowed",
    ),
    case(
        &["convert", "-"],
        b"not a message",
        1,
        "",
        "input is neither XML nor JSON",
    ),
    case(
        &["convert", "-"],
        b"{\"resourceType\":\"Basic\xff\"}",
        1,
        "",
        "not valid UTF-8",
    ),
    case(
        &["convert", "no/such/file.xml"],
        b"",
        2,
        "",
        "no/such/file.xml:",
    ),
    case(
        &["convert", "--to", "yaml", "-"],
        b"",
        2,
        "",
        "--to takes json or xml",
    ),
    case(&["convert"], b"", 2, "", "convert needs a FILE"),
    case(&["convert", "a", "b"], b"", 2, "", "convert takes one FILE"),
    case(&["frobnicate"], b"", 2, "", "unknown command 'frobnicate'"),
    case(&[], b"", 2, "", "no command given"),
    case(&["--help"], b"", 0, "medcom convert", ""),
    case(&["receive", "--store", ":memory:", "fixtures/cli/carecommunication.json"], b"", 0, r#"{"ack_id":"#, ""),
    case(&["receive", "--store", ":memory:", "fixtures/cli/carecommunication.json"], b"", 0, r#""decision":"process","message_id":"1b4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11"}"#, ""),
    case(&["receive", "--store", ":memory:", "fixtures/cli/xdis91.xml"], b"", 0, r#""decision":"process","message_id":"B000000001"}"#, ""),
    case(&["receive", "--store", ":memory:", "-"], b"not a message", 1, r#""decision":"error""#, "neither FHIR nor a legacy message"),
    case(&["receive", "--store", ":memory:", "--batch"], b"fixtures/cli/xdis91.xml\nfixtures/cli/xdis91.xml\n", 0, r#""decision":"reject""#, ""),
    case(&["receive", "fixtures/cli/xdis91.xml"], b"", 2, "", "receive needs --store URL"),
    case(&["send", "--store", ":memory:", "fixtures/cli/carecommunication.json"], b"", 0, "<ServiceTag name=\"MCM:STATISTIC\">MCM:FDIS91#carecoordination</ServiceTag>", ""),
    case(&["send", "--store", ":memory:", "--envelope", "sbdh", "fixtures/cli/xdis91.xml"], b"", 0, "<Identifier Authority=\"iso6523-actorid-upis\">0088:5790000128700</Identifier>", ""),
    case(&["send", "--store", ":memory:", "-"], b"x", 1, "", "neither FHIR nor a legacy message"),
    case(&["outbox", "--store", ":memory:", "--due"], b"", 0, "", ""),
    case(&["outbox", "--store", "/no/such/dir/mailbox.db"], b"", 2, "", "store:"),
];

#[test]
fn cli_cases() {
    for c in CASES {
        let mut child = Command::new(env!("CARGO_BIN_EXE_medcom"))
            .args(c.args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("medcom runs");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(c.stdin)
            .expect("write stdin");
        let out = child.wait_with_output().expect("medcom ends");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(c.code),
            "{:?}: stderr {stderr}",
            c.args
        );
        assert!(
            stdout.contains(c.stdout),
            "{:?}: stdout {stdout:?} lacks {:?}",
            c.args,
            c.stdout
        );
        assert!(
            stderr.contains(c.stderr),
            "{:?}: stderr {stderr:?} lacks {:?}",
            c.args,
            c.stderr
        );
    }
}
