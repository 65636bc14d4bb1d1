//! MedCom's 48 paired test messages, both ways: EDIFACT → OIOXML must be infoset-equal to the
//! paired XML (namespaces by URI, layout whitespace aside) and validate clean against its own
//! schema version (schema and identifier errors), and OIOXML → EDIFACT must be
//! segment-for-segment equal to the paired EDIFACT (UNB to UNZ; UNA and line breaks aside).
//! Every case not in `XFAIL` must pass, and every case in it must fail: an xfail that starts
//! passing fails the test so that the list stays honest.

mod common;

use std::path::Path;

use medcom::finding::Severity;
use medcom::legacy::{convert, edifact, oioxml, schema};

/// One line per case that does not convert yet: (pair, direction, reason). Empty: all 48
/// pairs convert both ways.
#[rustfmt::skip]
const XFAIL: &[(&str, &str, &str)] = &[];

/// Reads a paired EDIFACT letter with the default reader, which unwraps a letter wrapped at a
/// fixed width (RPT04_2: line breaks inside UNB's interchange reference, a DTM and a NAD name)
/// as MedCom's converter does.
fn read_edifact(_name: &str, bytes: &[u8]) -> Result<edifact::Interchange, String> {
    edifact::read(bytes).map_err(|e| e.to_string())
}

fn edi_to_xml(dir: &Path, name: &str) -> Result<(), String> {
    let edi = std::fs::read(dir.join(format!("edifact/{name}.edi"))).map_err(|e| e.to_string())?;
    let xml = std::fs::read(dir.join(format!("xml/{name}.xml"))).map_err(|e| e.to_string())?;
    let expected = oioxml::read(&xml).map_err(|e| format!("paired XML: {e}"))?;
    let got = convert::to_oioxml(&read_edifact(name, &edi)?).map_err(|e| e.to_string())?;
    if let Some(d) = oioxml::infoset_difference(&expected, &got) {
        return Err(d);
    }
    // The converted message must also validate clean against its own schema version.
    let text = oioxml::to_string(&got);
    // Converting message by message writes the same text.
    let streamed = convert::edifact_to_oioxml_text(&edi).map_err(|e| e.to_string())?;
    if streamed != text {
        return Err("the text converted message by message differs".to_owned());
    }
    let doc = schema::parse(&text).map_err(|e| format!("converted XML: {e}"))?;
    let errors: Vec<String> = schema::validate(&doc)
        .iter()
        .filter(|f| f.severity() == Severity::Error)
        .map(ToString::to_string)
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "converted XML does not validate: {}",
            errors.join("; ")
        ))
    }
}

fn xml_to_edi(dir: &Path, name: &str) -> Result<(), String> {
    let edi = std::fs::read(dir.join(format!("edifact/{name}.edi"))).map_err(|e| e.to_string())?;
    let xml = std::fs::read(dir.join(format!("xml/{name}.xml"))).map_err(|e| e.to_string())?;
    let expected = read_edifact(name, &edi).map_err(|e| format!("paired EDIFACT: {e}"))?;
    let root = oioxml::read(&xml).map_err(|e| e.to_string())?;
    let got = convert::to_edifact(&root).map_err(|e| e.to_string())?;
    let written = edifact::write(&got).map_err(|e| e.to_string())?;
    let got = edifact::read(&written).map_err(|e| format!("written EDIFACT: {e}"))?;
    let a: Vec<_> = expected.segments().collect();
    let b: Vec<_> = got.segments().collect();
    for (n, (x, y)) in a.iter().zip(&b).enumerate() {
        if x != y {
            return Err(format!("segment {n}: expected {x:?}, got {y:?}"));
        }
    }
    if a.len() != b.len() {
        return Err(format!(
            "{} segments expected, {} written",
            a.len(),
            b.len()
        ));
    }
    Ok(())
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn paired_messages_convert_both_ways() {
    let Some(shared) = common::shared() else {
        return;
    };
    let dir = shared.join("medcom/legacy/files/glasdam_edifact_converter/test/complete/files");
    let mut names: Vec<String> = std::fs::read_dir(dir.join("edifact"))
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            p.file_stem().unwrap().to_str().unwrap().to_owned()
        })
        .collect();
    names.sort();
    assert_eq!(names.len(), 48);
    let mut problems = Vec::new();
    let mut passed = [0usize; 2];
    for name in &names {
        for (k, (direction, result)) in [
            ("edi2xml", edi_to_xml(&dir, name)),
            ("xml2edi", xml_to_edi(&dir, name)),
        ]
        .into_iter()
        .enumerate()
        {
            let xfail = XFAIL.iter().find(|(n, d, _)| n == name && *d == direction);
            match (result, xfail) {
                (Ok(()), None) => passed[k] += 1,
                (Err(e), Some(_)) => {
                    if std::env::var_os("LEGACY_CORPUS_VERBOSE").is_some() {
                        eprintln!("xfail {name} {direction}: {e}");
                    }
                }
                (Ok(()), Some((_, _, why))) => {
                    problems.push(format!("{name} {direction}: passes but is xfail ({why})"));
                }
                (Err(e), None) => problems.push(format!("{name} {direction}: {e}")),
            }
        }
    }
    eprintln!(
        "legacy corpus: EDIFACT → OIOXML {}/48, OIOXML → EDIFACT {}/48, xfail {}",
        passed[0],
        passed[1],
        XFAIL.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    for (k, direction) in ["edi2xml", "xml2edi"].iter().enumerate() {
        let xfail = XFAIL.iter().filter(|(_, d, _)| d == direction).count();
        assert_eq!(passed[k] + xfail, 48, "{direction}");
    }
}

/// (pair, segment after which to insert, inserted segment): unknown content in a converted
/// type is an error, never dropped.
#[rustfmt::skip]
const UNKNOWN: &[(&str, &str, &str)] = &[
    ("DIS01_1", "S14+14'", "XYZ+1'"),
    ("DIS01_1", "S14+14'", "FTX+BIN+P00++ref'"),
    ("DIS91_1", "S14+14'", "FTX+URL+P00++http://x'"),
    ("REF01_1", "S12+12'", "FTX+ZZ+P00++x'"),
    ("DIS14_1", "S11+11'", "RFF+ADY:1'"),
    ("RPT01_2", "S16+16'", "FTX+ZZ+P00++x'"),
    ("RPT01_2", "RND+U+60+130'", "FTX+SPC+P00++interval text'"),
    ("RPT04_1", "S10+10'", "FTX+ZZ+P00++x'"),
    ("PRE01_1", "GIS+ZZZ:SKL:SST'", "INP+1+AUP'"),
    ("REQ01_1", "S15+15'", "QTY+1'"),
    ("REQ03_1", "S10+10'", "INV+IN+ADP205:PA8:SST:Konisation'"),
    ("BIN01_5", "S07+07'", "FTX+ZZ+P00++x'"),
];

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn unknown_segments_are_errors() {
    let Some(shared) = common::shared() else {
        return;
    };
    let dir = shared.join("medcom/legacy/files/glasdam_edifact_converter/test/complete/files");
    for (name, anchor, extra) in UNKNOWN {
        let edi = std::fs::read(dir.join(format!("edifact/{name}.edi"))).unwrap();
        let text: String = edi.iter().map(|&b| char::from(b)).collect();
        let at = text.find(anchor).map(|i| i + anchor.len()).unwrap();
        let mut changed = text.clone();
        changed.insert_str(at, extra);
        // One more segment in the message: bump the UNT count.
        let unt = changed.find("UNT+").unwrap() + 4;
        let end = unt + changed[unt..].find('+').unwrap();
        let count: usize = changed[unt..end].parse().unwrap();
        changed.replace_range(unt..end, &(count + 1).to_string());
        let bytes: Vec<u8> = changed.chars().map(|c| c as u8).collect();
        let err = convert::edifact_to_oioxml(&bytes).expect_err(name);
        assert_eq!(
            err.kind().code(),
            "unexpected-segment",
            "{name} {extra}: {err}"
        );
        let streamed = convert::edifact_to_oioxml_text(&bytes).expect_err(name);
        assert_eq!(streamed.to_string(), err.to_string(), "{name} {extra}");
    }
}

/// `medcom convert` converts a legacy pair both ways by content.
#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn cli_converts_legacy_by_content() {
    let Some(shared) = common::shared() else {
        return;
    };
    let base = shared.join("medcom/legacy/files/glasdam_edifact_converter/test/complete/files");
    let run = |path: &std::path::Path| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_medcom"))
            .arg("convert")
            .arg(path)
            .output()
            .expect("medcom runs");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let edifact = run(&base.join("xml/DIS01_1.xml"));
    assert!(edifact.starts_with(b"UNA") || edifact.starts_with(b"UNB"));
    let xml = run(&base.join("edifact/DIS01_1.edi"));
    assert!(String::from_utf8_lossy(&xml).contains("DischargeLetter"));
}

/// Converting an OIOXML letter to EDIFACT would drop what the conversion tables do not know, so
/// a letter with schema errors is refused, with the first error and its position.
#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn cli_refuses_to_convert_a_letter_with_schema_errors() {
    let Some(shared) = common::shared() else {
        return;
    };
    let path = shared
        .join("medcom/legacy/files/glasdam_edifact_converter/test/complete/files/xml/DIS91_1.xml");
    let letter = std::fs::read(path).expect("letter");
    let at = letter
        .windows(16)
        .position(|w| w == b"</ClinicalEmail>")
        .expect("end of the letter");
    let mut changed = letter[..at].to_vec();
    changed.extend_from_slice(b"<Unknown>kept nowhere</Unknown>");
    changed.extend_from_slice(&letter[at..]);
    let out = common::run_medcom(&["convert", "--to", "edifact", "-"], &changed);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(
        stderr.contains("-:2:") && stderr.contains("xsd-unexpected-element"),
        "{stderr}"
    );
    let out = common::run_medcom(&["convert", "--to", "edifact", "-"], &letter);
    assert_eq!(out.status.code(), Some(0));
}
