//! The `medcom` binary: exit codes, stdout and stderr, one line per case.

mod common;

use std::process::Command;

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
        "invalid value 'yaml' for '--to <FORMAT>'; it takes json, xml, oioxml or edifact (see 'medcom convert --help')",
    ),
    case(&["convert"], b"", 2, "", "medcom: error: convert needs <FILE> (see 'medcom convert --help')\n"),
    case(&["convert", "a", "b"], b"", 2, "", "unexpected argument 'b' found"),
    // Legacy input is recognised by content and converted by the legacy converter (this
    // fixture is an envelope test letter without a patient, so conversion refuses it, located).
    case(&["convert", "--to", "edifact", "fixtures/cli/xdis91.xml"], b"", 1, "", "fixtures/cli/xdis91.xml:1:293: error[xsd-missing-element] /Emessage/ClinicalEmail: missing element `Patient`"),
    case(&["convert", "--to", "json", "fixtures/cli/xdis91.xml"], b"", 2, "", "a legacy message converts to json with an address book (--address-book FILE: the SOR codes of its parties)"),
    case(&["convert", "--to", "oioxml", "fixtures/validate/cc-valid.json"], b"", 2, "", "a FHIR message converts to oioxml with an address book (--address-book FILE: the location numbers of its parties)"),
    // Across the generations with an address book: the findings (information) on stderr.
    case(&["convert", "--to", "json", "--address-book", "fixtures/cli/address-book.csv", "fixtures/cli/letter-xdis91.xml"], b"", 0, r#""code":"care-communication-message""#, "fixtures/cli/letter-xdis91.xml: information[legacy-unmapped] /Emessage/ClinicalEmail/Sender/StreetName: the letter's StreetName has no place on the other side and is not carried"),
    case(&["convert", "--to", "edifact", "--address-book", "fixtures/cli/address-book.csv", "fixtures/validate/cc-valid.json"], b"", 0, "UNB+UNOC:3+", ""),
    case(&["convert", "--to", "json", "--address-book", "fixtures/cli/address-book.csv", "fixtures/cli/xdis91.xml"], b"", 1, "", "fixtures/cli/xdis91.xml:1:293: error[xsd-missing-element] /Emessage/ClinicalEmail: missing element `Patient`"),
    case(&["convert", "--to", "json", "--address-book", "no/such/book.csv", "fixtures/cli/letter-xdis91.xml"], b"", 2, "", "no/such/book.csv:"),
    case(&["convert", "--to", "json", "--address-book", "fixtures/cli/observation.json", "fixtures/cli/letter-xdis91.xml"], b"", 2, "", "fixtures/cli/observation.json: address book line 1: no 'gln' column"),
    case(&["validate", "--no-profiles", "fixtures/validate/cc-valid.json"], b"", 0, "1 file: 1 valid, 0 invalid (0 errors, 0 warnings)", ""),
    case(&["validate", "--no-profiles", "fixtures/validate/cc-valid.xml", "fixtures/validate/hn-admit-valid.json"], b"", 0, "2 files: 2 valid", ""),
    case(&["validate", "--no-profiles", "fixtures/validate/cc-bad-cpr.json"], b"", 1, "fixtures/validate/cc-bad-cpr.json:46:13: error[dk-cpr-date] Bundle.entry[1].resource.identifier[0].value: CPR number has no valid birth date\n", ""),
    case(&["validate", "--no-profiles", "--unmask", "fixtures/validate/cc-bad-cpr.json"], b"", 1, "no valid birth date (value: '3113450000')", ""),
    case(&["validate", "--no-profiles", "fixtures/validate/cc-header-not-first.xml"], b"", 1, "cc-header-not-first.xml:9:7: error[medcom-header-first] Bundle.entry[0].resource:", ""),
    case(&["validate", "--no-profiles", "--format", "json", "fixtures/validate/cc-bad-cpr.json"], b"", 1, r#"{"files":[{"issues":[{"code":"dk-cpr-date","column":13,"expression":"Bundle.entry[1].resource.identifier[0].value","line":46,"message":"CPR number has no valid birth date","severity":"error"}],"message_type":"CareCommunication","path":"fixtures/validate/cc-bad-cpr.json","valid":false}],"summary":{"errors":1,"files":1,"invalid":1,"valid":0,"warnings":0}}"#, ""),
    case(&["validate", "--no-profiles", "--format", "outcome", "fixtures/validate/cc-bad-cpr.json"], b"", 1, r#"{"resourceType":"OperationOutcome","issue":[{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/operationoutcome-issue-line","valueInteger":46},{"url":"http://hl7.org/fhir/StructureDefinition/operationoutcome-issue-col","valueInteger":13}],"severity":"error","code":"value""#, ""),
    case(&["validate", "--no-profiles", "--format", "outcome-xml", "fixtures/validate/cc-valid.json"], b"", 0, r#"<OperationOutcome xmlns="http://hl7.org/fhir"><issue><severity value="information"/><code value="informational"/>"#, ""),
    case(&["validate", "--no-profiles", "-"], br#"{"resourceType":"Bundle","type":"message"}"#, 1, "-:1:1: error[medcom-header-first] Bundle: the Bundle has no entries", ""),
    case(&["validate", "--no-profiles", "fixtures/validate/not-fhir.txt"], b"", 1, "not-fhir.txt:1:1: error[fhir-read] : input is neither XML nor JSON", ""),
    case(&["validate", "--no-profiles", "fixtures/validate/legacy-bad.edi"], b"", 1, "legacy-bad.edi:1:10: error[edifact-missing-value] UNB/3:1: UNB has no recipient", ""),
    case(&["validate", "--no-profiles", "fixtures/validate/legacy-empty-emessage.xml"], b"", 1, "error[xsd-missing-element] /Emessage", ""),
    case(&["validate", "--no-profiles", "--jobs", "2", "fixtures/validate"], b"", 1, "28 files: 9 valid, 19 invalid (26 errors, 2 warnings)", ""),
    // With profiles, rules loaded up front on both workers; the same summary as one job.
    case(&["validate", "--jobs", "2", "fixtures/validate"], b"", 1, "28 files: 2 valid, 26 invalid (94 errors, 186 warnings)", ""),
    case(&["validate", "fixtures/validate"], b"", 1, "28 files: 2 valid, 26 invalid (94 errors, 186 warnings)", ""),
    case(&["validate", "--no-profiles", "fixtures/validate/cc-valid.json", "no/such/file.xml"], b"", 2, "1 file: 1 valid", "no/such/file.xml:"),
    case(&["validate", "--jobs", "0", "x"], b"", 2, "", "invalid value '0' for '--jobs <N>': takes a number of at least 1"),
    case(&["validate", "--format", "yaml", "x"], b"", 2, "", "it takes text, json, outcome or outcome-xml"),
    case(&["validate"], b"", 2, "", "validate needs <PATH>..."),
    // Full validation (profiles and rules): the rule fixtures are not profile-conformant.
    case(&["validate", "fixtures/validate/cc-valid.json"], b"", 1, "error[fhir-invariant] Bundle: medcom-careCommunication-13", ""),
    case(&["--help"], b"", 0, "  validate     Validates FHIR messages", ""),
    case(&["frobnicate"], b"", 2, "", "unrecognized subcommand 'frobnicate'"),
    case(&[], b"", 2, "", "no command given"),
    case(&["--help"], b"", 0, "Usage: medcom <COMMAND>", ""),
    case(&["receive", "--store", ":memory:", "fixtures/cli/carecommunication.json"], b"", 0, r#""ack_id":""#, ""),
    case(&["receive", "--store", ":memory:", "fixtures/cli/carecommunication.json"], b"", 0, r#""decision":"process","message_id":"1b4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11","rules":["patient-identity"]}"#, ""),
    case(&["receive", "--store", ":memory:", "fixtures/cli/xdis91.xml"], b"", 0, r#""decision":"process","message_id":"B000000001"}"#, ""),
    case(&["receive", "--store", ":memory:", "-"], b"not a message", 1, r#""decision":"error""#, "neither FHIR nor a legacy message"),
    case(&["receive", "--store", ":memory:", "--batch"], b"fixtures/cli/xdis91.xml\nfixtures/cli/xdis91.xml\n", 0, r#""decision":"reject""#, ""),
    case(&["receive", "fixtures/cli/xdis91.xml"], b"", 2, "", "receive needs --store <URL>"),
    case(&["send", "--store", ":memory:", "fixtures/cli/carecommunication.json"], b"", 1, "", "not sent: the message has errors"),
    case(&["send", "--store", ":memory:", "--envelope", "sbdh", "fixtures/cli/xdis91.xml"], b"", 1, "", "xsd-missing-element"),
    case(&["send", "--store", ":memory:", "-"], b"x", 1, "", "neither FHIR nor a legacy message"),
    case(&["outbox", "--store", ":memory:", "--due"], b"", 0, "", ""),
    case(&["outbox", "--store", "/no/such/dir/mailbox.db"], b"", 2, "", "store:"),
    // Acknowledgements: validated (this fixture predates CareCommunication 5, so fatal-error),
    // or with the code given; legacy input gets its receipt.
    case(&["ack", "fixtures/cli/carecommunication.json"], b"", 0, r#""response":{"identifier":"1b4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11","code":"fatal-error""#, ""),
    case(&["ack", "fixtures/cli/carecommunication.json"], b"", 0, r#""code":"MSG_UNKNOWN_TYPE"}]},"diagnostics":"fhir-unsupported-version"#, ""),
    case(&["ack", "--code", "ok", "fixtures/cli/carecommunication.json"], b"", 0, r#""code":"acknowledgement-message"},"destination":[{"extension"#, ""),
    case(&["ack", "--code", "ok", "--to", "xml", "fixtures/cli/carecommunication.json"], b"", 0, r#"<response><identifier value="1b4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11"/><code value="ok"/></response>"#, ""),
    case(&["ack", "--code", "transient-error", "fixtures/cli/carecommunication.json"], b"", 0, r#""code":"MSG_Mailbox_Out_Of_Operation""#, ""),
    case(&["ack", "--code", "fatal-error", "fixtures/cli/carecommunication.json"], b"", 0, r#""code":"MSG_BAD_FORMAT""#, ""),
    case(&["ack", "fixtures/cli/acknowledgement.json"], b"", 1, "", "an acknowledgement is never acknowledged"),
    case(&["ack", "-"], br#"{"resourceType":"Patient"}"#, 1, "", "not a Bundle of type message"),
    case(&["ack", "-"], b"not a message", 1, "", "input is neither XML nor JSON"),
    case(&["ack", "fixtures/cli/xdis91.xml"], b"", 0, "<StatisticalCode>XCTL02</StatisticalCode>", ""),
    case(&["ack", "fixtures/cli/xdis91.xml"], b"", 0, "<RefuseCode>syntaksfejl</RefuseCode>", ""),
    case(&["ack", "--code", "ok", "fixtures/cli/xdis91.xml"], b"", 0, "<OriginalLetterIdentifier>B000000001</OriginalLetterIdentifier>", ""),
    case(&["ack", "--code", "ok", "fixtures/cli/xdis91.xml"], b"", 0, "<StatisticalCode>XCTL03</StatisticalCode>", ""),
    // A message with no segments is refused (action 4, syntax error); --code ok answers it
    // positively all the same.
    case(&["ack", "-"], b"UNB+UNOC:3+5790000120420:14+5790000128686:14+990115:1202+K1++++1'UNH+B1+MEDDIS:D:93A:UN:D0133L+DIS01'UNT+2+B1'UNZ+1+K1'", 0, "UCM+B1+MEDDIS:D:93A:UN:D0133L+4'\nFTX+SYN+", ""),
    case(&["ack", "--code", "ok", "-"], b"UNB+UNOC:3+5790000120420:14+5790000128686:14+990115:1202+K1++++1'UNH+B1+MEDDIS:D:93A:UN:D0133L+DIS01'UNT+2+B1'UNZ+1+K1'", 0, "UCM+B1+MEDDIS:D:93A:UN:D0133L+7'", ""),
    case(&["ack", "--code", "fatal-error", "-"], b"UNB+UNOC:3+5790000120420:14+5790000128686:14+990115:1202+K1++++1'UNH+B1+MEDDIS:D:93A:UN:D0133L+DIS01'UNT+2+B1'UNZ+1+K1'", 0, "CONTRL:D:93A:ZZ:C0230Q+CTL02'", ""),
    case(&["ack", "--to", "json", "fixtures/cli/xdis91.xml"], b"", 2, "", "--to applies to FHIR messages"),
    case(&["ack", "--code", "maybe", "x"], b"", 2, "", "it takes ok, transient-error or fatal-error"),
    case(&["ack", "--to", "yaml", "x"], b"", 2, "", "it takes xml or json"),
    case(&["ack"], b"", 2, "", "ack needs <FILE>"),
    case(&["ack", "a", "b"], b"", 2, "", "unexpected argument 'b' found"),
    case(&["ack", "no/such/file.json"], b"", 2, "", "no/such/file.json:"),
    case(&["--help"], b"", 0, "  ack          Writes the acknowledgement", ""),
    // Conventions: help per command (-h short, --help long, help CMD), --opt=value,
    // version, completions and the manual page; usage errors are one line and a hint.
    case(&["validate", "--help"], b"", 0, "Usage: medcom validate [OPTIONS] <PATH>...", ""),
    case(&["validate", "-h"], b"", 0, "Usage: medcom validate [OPTIONS] <PATH>...", ""),
    case(&["help", "validate"], b"", 0, "Usage: medcom validate [OPTIONS] <PATH>...", ""),
    case(&["help", "receive"], b"", 0, "--handover-timeout <SECONDS>", ""),
    case(&["ack", "--help"], b"", 0, "possible values: ok, transient-error, fatal-error", ""),
    case(&["validate", "--no-profiles", "--format=json", "fixtures/validate/cc-valid.json"], b"", 0, r#""summary":{"errors":0,"files":1,"invalid":0,"valid":1,"warnings":0}}"#, ""),
    case(&["validate", "--no-profiles", "--max-findings=0", "-j2", "fixtures/validate/cc-valid.json"], b"", 0, "1 file: 1 valid", ""),
    case(&["--version"], b"", 0, concat!("medcom ", env!("CARGO_PKG_VERSION"), "\n"), ""),
    case(&["validate", "--version"], b"", 0, concat!("medcom-validate ", env!("CARGO_PKG_VERSION")), ""),
    case(&["completions", "bash"], b"", 0, "_medcom()", ""),
    case(&["completions", "zsh"], b"", 0, "#compdef medcom", ""),
    case(&["completions", "fish"], b"", 0, "complete -c medcom", ""),
    case(&["completions", "tcsh"], b"", 2, "", "invalid value 'tcsh' for '<SHELL>'"),
    case(&["man"], b"", 0, ".TH medcom 1", ""),
    case(&["man", "validate"], b"", 0, ".TH medcom-validate 1", ""),
    case(&["man", "frobnicate"], b"", 2, "", "no command 'frobnicate'"),
    case(&["validate", "--formt", "json", "x"], b"", 2, "", "medcom: error: unexpected argument '--formt' found; did you mean '--format'? (see 'medcom validate --help')\n"),
    case(&["valdate", "x"], b"", 2, "", "unrecognized subcommand 'valdate'; did you mean 'validate'? (see 'medcom --help')\n"),
];

#[test]
fn cli_cases() {
    for c in CASES {
        let out = common::run_medcom(c.args, c.stdin);
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
        if c.code == 2 && !c.stderr.is_empty() {
            assert_eq!(
                stderr.lines().count(),
                1,
                "{:?}: one line: {stderr}",
                c.args
            );
        }
    }
}

/// The round trip the README shows: a letter to a CareCommunication with the address book, and
/// the message back to a letter with the same parties, patient, subject, text and reference.
#[test]
fn a_letter_goes_to_fhir_and_back_with_an_address_book() {
    let book = "fixtures/cli/address-book.csv";
    let to_json = || {
        common::run_medcom(
            &[
                "convert",
                "--to",
                "json",
                "--address-book",
                book,
                "fixtures/cli/letter-xdis91.xml",
            ],
            b"",
        )
    };
    let out = to_json();
    assert_eq!(out.status.code(), Some(0));
    let json = out.stdout;
    let again = to_json();
    assert_eq!(again.stdout, json, "the same letter gives the same message");
    let validated = common::run_medcom(&["validate", "-"], &json);
    assert_eq!(
        validated.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&validated.stdout)
    );
    let back = common::run_medcom(
        &["convert", "--to", "oioxml", "--address-book", book, "-"],
        &json,
    );
    assert_eq!(
        back.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&back.stderr)
    );
    let letter = String::from_utf8(back.stdout).expect("UTF-8");
    for part in [
        "<Sender><EANIdentifier>5790000121526</EANIdentifier><Identifier>123456</Identifier><IdentifierCode>ydernummer</IdentifierCode><OrganisationName>Lægehuset Torvet</OrganisationName></Sender>",
        "<Receiver><EANIdentifier>5790001348120</EANIdentifier><Identifier>5790001348120</Identifier><IdentifierCode>lokationsnummer</IdentifierCode><OrganisationName>Køge Kommune</OrganisationName><DepartmentName>Hjemmeplejen</DepartmentName></Receiver>",
        "<Patient><CivilRegistrationNumber>2509479989</CivilRegistrationNumber><PersonSurnameName>Elmer</PersonSurnameName><PersonGivenName>Bruno</PersonGivenName><StreetName>Strandvejen 12</StreetName><DistrictName>Køge</DistrictName><PostCodeIdentifier>4600</PostCodeIdentifier><EpisodeOfCareStatusCode>inaktiv</EpisodeOfCareStatusCode></Patient>",
        "<Sent><Date>2024-05-01</Date><Time>10:15</Time></Sent>",
        "<Subject>Medicinændring</Subject>",
        "<Text01>Bruno Elmer skal fra i dag have 500 mg paracetamol tre gange dagligt.<Break/>Venlig hilsen<Break/>Lægehuset Torvet",
        "<Reference><RefDescription>Medicinliste</RefDescription><URL>https://laegehuset-torvet.example/medicinliste/2509479989</URL></Reference>",
    ] {
        assert!(letter.contains(part), "{part} not in {letter}");
    }
    let validated = common::run_medcom(&["validate", "-"], letter.as_bytes());
    assert_eq!(validated.status.code(), Some(0));
}

/// The README's round trip between the generations runs as written: every line of the block
/// succeeds (`> FILE` writes into a scratch folder, later lines read it from there), the
/// letter back validates, and the last line writes an EDIFACT interchange.
#[test]
fn the_readme_round_trip_runs() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    let start = readme
        .find("<!-- migration round trip: begin -->")
        .expect("the README shows the round trip");
    let end = start
        + readme[start..]
            .find("<!-- migration round trip: end -->")
            .expect("end");
    let lines: Vec<&str> = readme[start..end]
        .lines()
        .filter(|l| l.starts_with("medcom "))
        .collect();
    assert_eq!(lines.len(), 5, "{lines:?}");
    let scratch =
        std::env::temp_dir().join(format!("medcom-readme-round-trip-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("scratch folder");
    let mut written: Vec<(String, String)> = Vec::new();
    let mut last = Vec::new();
    for line in lines {
        let (command, target) = match line.split_once(" > ") {
            Some((c, t)) => (c, Some(t.trim())),
            None => (line, None),
        };
        let args: Vec<String> = command
            .split_whitespace()
            .skip(1)
            .map(|a| {
                written
                    .iter()
                    .find(|(name, _)| name == a)
                    .map_or_else(|| a.to_owned(), |(_, path)| path.clone())
            })
            .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = common::run_medcom(&args, b"");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{line}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if let Some(t) = target {
            let path = scratch.join(t);
            std::fs::write(&path, &out.stdout).expect("written");
            written.push((t.to_owned(), path.display().to_string()));
        }
        last = out.stdout;
    }
    assert!(
        last.starts_with(b"UNA:+.? '"),
        "{}",
        String::from_utf8_lossy(&last)
    );
    std::fs::remove_dir_all(&scratch).expect("scratch removed");
}

/// A party the address book does not know is named by its location number (exit 1).
#[test]
fn an_unknown_party_is_named_by_its_location_number() {
    let letter = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/cli/letter-xdis91.xml"
    ))
    .expect("fixture")
    .replace("5790001348120", "5790000120314");
    let out = common::run_medcom(
        &[
            "convert",
            "--to",
            "xml",
            "--address-book",
            "fixtures/cli/address-book.csv",
            "-",
        ],
        letter.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "medcom: -: location number 5790000120314 is not in the address book (no SOR code for it)\n"
    );
    assert!(out.stdout.is_empty());
}

/// Colour only on a terminal: piped output (as here) is plain, whatever NO_COLOR says.
#[test]
fn piped_output_has_no_colour() {
    for args in [
        &["--help"][..],
        &[
            "validate",
            "--no-profiles",
            "fixtures/validate/cc-bad-cpr.json",
        ],
        &["validate", "--formt", "x"],
    ] {
        let out = common::run_medcom(args, b"");
        assert!(!out.stdout.contains(&0x1b), "{args:?}");
        assert!(!out.stderr.contains(&0x1b), "{args:?}");
    }
}

/// `CLICOLOR_FORCE` stands in for a terminal; `NO_COLOR` turns colour off all the same.
#[test]
fn colour_follows_no_color() {
    let run = |args: &[&str], no_color: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_medcom"));
        cmd.args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("CLICOLOR_FORCE", "1")
            .env_remove("NO_COLOR");
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        let out = cmd.output().expect("medcom runs");
        (out.stdout.contains(&0x1b), out.stderr.contains(&0x1b))
    };
    let summary = [
        "validate",
        "--no-profiles",
        "fixtures/validate/cc-bad-cpr.json",
    ];
    assert_eq!(run(&summary, false), (true, false));
    assert_eq!(run(&summary, true), (false, false));
    assert!(run(&["validate", "--help"], false).0);
    assert!(!run(&["validate", "--help"], true).0);
    assert!(run(&["validate", "--formt", "x"], false).1);
    assert!(!run(&["validate", "--formt", "x"], true).1);
}

/// Workers format their own files; the output must not depend on how many there are.
#[test]
fn jobs_do_not_change_the_output() {
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_medcom"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("medcom runs");
        (out.status.code(), out.stdout)
    };
    for format in ["text", "json", "outcome", "outcome-xml"] {
        let one = run(&["validate", "--format", format, "fixtures/validate"]);
        let three = run(&[
            "validate",
            "--jobs",
            "3",
            "--format",
            format,
            "fixtures/validate",
        ]);
        assert_eq!(one.0, Some(1), "{format}");
        assert!(!one.1.is_empty(), "{format}");
        assert_eq!(one, three, "{format}");
    }
    // The JSON document is assembled from per-file pieces: it must still be one JSON value.
    let (_, json) = run(&[
        "validate",
        "--jobs",
        "2",
        "--format",
        "json",
        "fixtures/validate",
    ]);
    let doc: serde_json::Value = serde_json::from_slice(&json).expect("one JSON document");
    assert_eq!(doc["summary"]["files"], 28);
    assert_eq!(doc["files"].as_array().map(Vec::len), Some(28));
}

/// Folders are searched by the types the listing gives; a link to a folder is still followed,
/// and files come in name order.
#[cfg(unix)]
#[test]
fn folders_follow_links_in_name_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/validate");
    std::os::unix::fs::symlink(fixtures, dir.path().join("b-linked")).expect("link");
    std::fs::write(dir.path().join("a.json"), b"{}").expect("write");
    std::fs::write(dir.path().join("c.txt"), b"not searched").expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_medcom"))
        .args(["validate", "--no-profiles", "--format", "json"])
        .arg(dir.path())
        .output()
        .expect("medcom runs");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let paths: Vec<&str> = doc["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert_eq!(paths.len(), 29, "{paths:?}");
    assert!(paths[0].ends_with("a.json"), "{paths:?}");
    assert!(
        paths[1..].iter().all(|p| p.contains("b-linked")),
        "{paths:?}"
    );
    let mut sorted = paths.clone();
    sorted.sort_unstable();
    assert_eq!(paths, sorted);
}
