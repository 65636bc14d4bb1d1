//! Every official example of a message version in production in `../shared/medcom/fhir/examples`
//! (CareCommunication 5.0.x and 4.0.x, each on its own stack, HospitalNotification 3.0.x, Acknowledgement 2.0.x,
//! HomeCareObservation 1.2.x, messaging 4.0.x, and the test-script IGs of those versions),
//! through the MedCom message rules alone and through the combined validator (the embedded
//! profiles, then the rules): the ones meant to be valid give no
//! error, except where an example breaks a rule, which `tests/validate_xfail.tsv` lists with the
//! reason (rows whose code starts with `fhir-` are profile findings and apply to the combined
//! validator only); the ones meant to be invalid give an error on their documented defect.
//! Older versions get one clear finding that names the claimed and the supported versions.

mod common;

use std::collections::BTreeSet;

use medcom::finding::Severity;
use medcom::validate::Validator;

/// IG folders of current versions: folder, version prefix.
const CURRENT: &[(&str, &str)] = &[
    ("carecommunication", "5.0."),
    ("carecommunicationtestscripts", "5.0."),
    ("carecommunication", "4.0."),
    ("carecommunicationtestscripts", "4.0."),
    ("hospitalnotification", "3.0."),
    ("hospitalnotificationtestscripts", "3.0."),
    ("acknowledgement", "2.0."),
    ("acknowledgementtestscript", "2.0."),
    ("homecareobservation", "1.2."),
    ("messaging", "4.0."),
];

/// Intended-invalid examples: Bundle id, the code of the finding on the documented defect.
const INVALID: &[(&str, &str)] = &[
    // TEK_FCC "Notification containing errors": no MessageHeader.eventCoding.
    (
        "17a0c807-372b-452c-972e-c59036153b57",
        "medcom-message-type",
    ),
];

/// `<ig folder>/<file stem>` (all versions) and `<ig folder>/<version>/<file stem>` (one
/// version) of a manifest path under `medcomfhir-website/ig/`, when current.
fn current_keys(file: &str) -> Option<[String; 2]> {
    let rest = file.strip_prefix("medcomfhir-website/ig/")?;
    let mut parts = rest.split('/');
    let (ig, version, name) = (parts.next()?, parts.next()?, parts.next()?);
    let current = CURRENT.iter().any(|&(f, v)| {
        f == ig && version.starts_with(v) && version[v.len()..].bytes().all(|b| b.is_ascii_digit())
    });
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    current.then(|| [format!("{ig}/{stem}"), format!("{ig}/{version}/{stem}")])
}

/// The xfail rows: key, code, reason.
fn xfail() -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/validate_xfail.tsv"
    ))
    .expect("tests/validate_xfail.tsv");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut f = l.splitn(3, '\t');
            let (k, c, r) = (
                f.next().unwrap_or(""),
                f.next().unwrap_or(""),
                f.next().unwrap_or(""),
            );
            assert!(!r.trim().is_empty(), "xfail row without a reason: {l}");
            (k.to_owned(), c.to_owned(), r.to_owned())
        })
        .collect()
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn current_examples() {
    corpus(&Validator::rules_only(), false);
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn current_examples_through_profiles_and_rules() {
    corpus(&Validator::new(), true);
}

/// Runs the corpus through a validator; `profiles` says whether it runs the profile engine (and
/// so whether the `fhir-` rows of the xfail list apply).
fn corpus(validator: &Validator, profiles: bool) {
    let Some(shared) = common::shared() else {
        return;
    };
    let xfail: Vec<_> = xfail()
        .into_iter()
        .filter(|(_, c, _)| profiles || !c.starts_with("fhir-"))
        .collect();
    let mut used = BTreeSet::new();
    let mut unexpected = Vec::new();
    let (mut checked, mut clean, mut expected_fail) = (0, 0, 0);
    for example in common::examples(&shared).iter().filter(|e| e.is_fhir()) {
        let Some(keys) = current_keys(&example.file) else {
            continue;
        };
        checked += 1;
        let text = common::read(&example.path);
        let doc = medcom::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", example.file));
        let report = validator.report(&doc);
        let errors: Vec<_> = report.with_severity(Severity::Error).collect();
        if example.validity.starts_with("invalid") {
            let code = INVALID
                .iter()
                .find(|(id, _)| *id == example.bundle_id)
                .map(|(_, c)| *c)
                .unwrap_or_else(|| {
                    panic!(
                        "{}: intended invalid, but no documented defect listed",
                        example.file
                    )
                });
            assert!(
                errors.iter().any(|f| f.code() == code),
                "{}: no {code} among {errors:?}",
                example.file
            );
            expected_fail += 1;
            continue;
        }
        if errors.is_empty() {
            clean += 1;
        }
        for f in errors {
            match xfail
                .iter()
                .position(|(k, c, _)| keys.contains(k) && c == f.code())
            {
                Some(i) => {
                    used.insert(i);
                }
                None => unexpected.push(format!(
                    "{}\t{}\t{} {}",
                    keys[1],
                    f.code(),
                    f.location(),
                    f.message()
                )),
            }
        }
    }
    unexpected.sort();
    unexpected.dedup();
    assert!(
        unexpected.is_empty(),
        "errors not in tests/validate_xfail.tsv:\n{}",
        unexpected.join("\n")
    );
    let stale: Vec<_> = xfail
        .iter()
        .enumerate()
        .filter(|(i, _)| !used.contains(i))
        .map(|(_, (k, c, _))| format!("{k}\t{c}"))
        .collect();
    assert!(
        stale.is_empty(),
        "xfail rows no example needs:\n{}",
        stale.join("\n")
    );
    eprintln!("{checked} current examples: {clean} without errors, {} with listed (xfail) errors, {expected_fail} intended invalid", checked - clean - expected_fail);
    assert!(checked > 200, "only {checked} current examples found");
}

/// IG folders of the message standards (for older versions): folder, the standard's name.
const FOLDERS: &[(&str, &str)] = &[
    ("carecommunication", "CareCommunication"),
    ("carecommunicationtestscripts", "CareCommunication"),
    ("hospitalnotification", "HospitalNotification"),
    ("hospitalnotificationtestscripts", "HospitalNotification"),
    ("acknowledgement", "Acknowledgement"),
    ("acknowledgementtestscript", "Acknowledgement"),
    ("homecareobservation", "HomeCareObservation"),
    ("homecareobservationtestscripts", "HomeCareObservation"),
];

/// Older examples that carry no version, so they are taken for the current one, and do not
/// conform to it: file name fragment, the error codes they get, reason.
const OLD_XFAIL: &[(&str, &[&str], &str)] = &[
    ("hospitalnotification/2.0.0/Bundle-d3128d9b", &["fhir-invariant", "medcom-hn-state"], "status onleave without the leave-period extension, which came with 3.0 (medcom-hospitalNotification-6, and no leave start for the state rule)"),
    ("hospitalnotification/2.0.0/Bundle-e94de8ee", &["medcom-hn-state"], "end of leave without the leave-period extension, which came with 3.0"),
    ("hospitalnotificationtestscripts/1.0.0/Bundle-04fc7ad0", &["medcom-hn-state"], "Patient.deceasedBoolean = true (MORS) while Encounter.status stays in-progress, as in the 3.0.1 copy"),
    ("hospitalnotificationtestscripts/1.0.0/Bundle-70dfd9bb", &["fhir-invariant", "fhir-reference-unresolved", "medcom-hn-state"], "two entries share a fullUrl (bdl-7), a copied Provenance points outside the Bundle, discharge while onleave; as in the 3.0.1 copy"),
    ("hospitalnotificationtestscripts/1.0.0/Bundle-", &["fhir-reference-unresolved"], "a copied earlier Provenance's agent.who points at an Organization that is not in this Bundle (aggregation = bundled), as the official validator also reports"),
];

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn older_versions_get_one_clear_finding() {
    let Some(shared) = common::shared() else {
        return;
    };
    let validator = Validator::new();
    let lenient = medcom::ReadOptions::default().with_mode(medcom::Mode::Lenient);
    let (mut named, mut conforming, mut xfailed) = (0, 0, 0);
    let mut failures = Vec::new();
    for example in common::examples(&shared).iter().filter(|e| e.is_fhir()) {
        let Some(rest) = example.file.strip_prefix("medcomfhir-website/ig/") else {
            continue;
        };
        let mut parts = rest.split('/');
        let (Some(ig), Some(version)) = (parts.next(), parts.next()) else {
            continue;
        };
        let Some(&(_, standard)) = FOLDERS.iter().find(|(f, _)| *f == ig) else {
            continue;
        };
        if current_keys(&example.file).is_some() || example.validity.starts_with("invalid") {
            continue;
        }
        // Some old examples do not read strictly (HomeCareObservation 1.0.0).
        let text = common::read(&example.path);
        let doc = medcom::parse_with_options(&text, &lenient)
            .unwrap_or_else(|e| panic!("{}: {e}", example.file));
        let report = validator.report(&doc);
        let errors: Vec<_> = report.with_severity(Severity::Error).collect();
        match errors.as_slice() {
            [one] if one.code() == "fhir-unsupported-version" => {
                let m = one.message();
                assert!(
                    m.starts_with(standard) && m.contains("supported: "),
                    "{}: {m}",
                    example.file
                );
                named += 1;
            }
            // Releases that carry no version and still conform cannot be told from the
            // current one (the same Bundle is republished across versions).
            [] => conforming += 1,
            _ if OLD_XFAIL.iter().any(|(frag, codes, _)| {
                example.file.contains(frag) && errors.iter().all(|f| codes.contains(&f.code()))
            }) =>
            {
                xfailed += 1;
            }
            _ => failures.push(format!(
                "{} ({version}): {:?}",
                example.file,
                errors
                    .iter()
                    .take(4)
                    .map(|f| format!("{} {}", f.code(), f.location()))
                    .collect::<Vec<_>>()
            )),
        }
    }
    println!("older versions: {named} with one fhir-unsupported-version error, {conforming} carry no version and conform to the current one, {xfailed} carry no version and are listed (xfail)");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // CareCommunication 4.0.x has a stack of its own, so these are 2.x, 3.0 and the like.
    assert!(named > 80, "only {named} older examples recognised");
}
