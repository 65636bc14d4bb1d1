//! Mutation test of the R4 core invariants over the official R4 examples
//! (`../shared/corpora/hl7.fhir.r4.examples-4.0.1.tgz`). Every invariant of the core
//! definitions (each key with its expression, from the built-in rule file) must be broken at
//! least once, and every mutant must be reported by the engine: code `fhir-invariant`, the key
//! at the start of the message.
//!
//! Two sources of mutants:
//! - a search: for each invariant the engine evaluates on some example, a one-edit mutant that
//!   breaks it is looked for at one of its context nodes (remove a descendant, change a
//!   primitive value below it to a literal of the expression, a format breaker or a sibling's
//!   value, or add a primitive child the expression names), with the invariant's own FHIRPath
//!   as the judge of "broken", and the report expected at the context node's location;
//! - `tests/r4_invariant_mutants.tsv`, one line per invariant the search cannot break (the
//!   examples hold no node where it can fail, or a complex element must be added): an example
//!   and the JSON edits that break it.
//!
//! The few invariants that hold for every R4 instance as published are listed in
//! `UNBREAKABLE` with the reason.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use medcom::fhirpath::{EvalContext, EvalOptions, Expression};
use medcom::model::{Document, Node, NodeId, PrimitiveKind};
use medcom::profile::Engine;

/// Core invariants no R4 instance can break, each with the reason. The official validator
/// evaluates them as published, so they hold everywhere for it too.
const UNBREAKABLE: &[(&str, &str)] = &[
    (
        "cid-0",
        "names `name`, which R4's ChargeItemDefinition does not have",
    ),
    (
        "eld-11",
        "`type.select(<boolean>).exists()` is true whenever a type is present",
    ),
    (
        "mqty-1",
        "no R4 element or extension is typed MoneyQuantity",
    ),
];

/// Context nodes tried per invariant before giving up on it.
const SITES_PER_KEY: usize = 12;

fn examples(shared: &std::path::Path) -> Vec<(String, String)> {
    common::r4_examples(shared)
}

/// One edit below a context node.
#[derive(Clone, Debug)]
enum Edit {
    Remove(NodeId),
    Set(NodeId, String),
    /// A new primitive child (an invariant about an element the example leaves out).
    Add(NodeId, String, String),
}

/// Values that break common value rules: dates before and after, other codes, signs, flags.
fn replacements(n: Node<'_, '_>) -> Vec<String> {
    let v = n.value().unwrap_or("");
    let mut out: Vec<String> = match n.ty().primitive() {
        Some(PrimitiveKind::Boolean) => vec![if v == "true" { "false" } else { "true" }.into()],
        Some(
            PrimitiveKind::Integer
            | PrimitiveKind::Decimal
            | PrimitiveKind::UnsignedInt
            | PrimitiveKind::PositiveInt,
        ) => vec!["0".into(), "-1".into(), "99999".into(), "1".into()],
        Some(PrimitiveKind::Date | PrimitiveKind::DateTime | PrimitiveKind::Instant) => vec![
            "1900-01-01".into(),
            "2999-12-31".into(),
            "1900-01-01T00:00:00Z".into(),
            "2999-12-31T00:00:00Z".into(),
        ],
        Some(PrimitiveKind::Xhtml) => vec![
            r#"<div xmlns="http://www.w3.org/1999/xhtml"> </div>"#.into(),
            r#"<div xmlns="http://www.w3.org/1999/xhtml"><script>x</script></div>"#.into(),
        ],
        Some(_) => vec![
            "mutated".into(),
            "#mutated".into(),
            "1".into(),
            "a b".into(),
            "=".into(),
            "exists".into(),
            "http://example.org/x".into(),
        ],
        None => Vec::new(),
    };
    out.retain(|x| x != v);
    out
}

/// Candidate edits below (and at) a context node, nearest first.
fn candidates(node: Node<'_, '_>, expression: &str) -> Vec<Edit> {
    let mut out = Vec::new();
    // The codes an invariant names (`type = 'document' implies …`), tried on every primitive.
    let literals: Vec<&str> = expression
        .split('\'')
        .skip(1)
        .step_by(2)
        .filter(|l| !l.is_empty() && l.len() < 40)
        .take(12)
        .collect();
    let mut level = vec![node];
    for depth in 0..4 {
        let mut next = Vec::new();
        for n in level {
            if depth > 0 {
                out.push(Edit::Remove(n.id()));
            }
            if n.value().is_some() {
                for v in replacements(n) {
                    out.push(Edit::Set(n.id(), v));
                }
                for l in &literals {
                    if n.value() != Some(l) {
                        out.push(Edit::Set(n.id(), (*l).to_owned()));
                    }
                }
            }
            if depth == 0 || !n.is_resource() {
                next.extend(n.children());
            }
        }
        level = next;
        if out.len() > 400 {
            break;
        }
    }
    // Additions: each name the expression uses, as a new primitive child of the node or of a
    // complex node just below, with a literal of the expression or a value that breaks formats.
    let mut names: Vec<&str> = expression
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
        .collect();
    names.sort_unstable();
    names.dedup();
    let mut values: Vec<String> = literals.iter().map(|l| (*l).to_owned()).collect();
    values.extend(["a b", "1", "true", "2020-01-01", "#x"].map(str::to_owned));
    let mut parents = vec![node];
    parents.extend(
        node.children()
            .filter(|c| c.value().is_none() && !c.is_resource()),
    );
    for p in parents.into_iter().take(12) {
        for name in &names {
            for v in &values {
                out.push(Edit::Add(p.id(), (*name).to_owned(), v.clone()));
            }
        }
    }
    // Duplicates: a primitive takes the value of another of the same name (uniqueness rules).
    let mut by_name: BTreeMap<&str, Vec<Node<'_, '_>>> = BTreeMap::new();
    let mut stack = vec![(node, 0)];
    while let Some((n, depth)) = stack.pop() {
        if n.value().is_some() {
            by_name.entry(n.name()).or_default().push(n);
        }
        if depth < 5 && (depth == 0 || !n.is_resource()) {
            stack.extend(n.children().map(|c| (c, depth + 1)));
        }
    }
    for same in by_name.values() {
        for (i, a) in same.iter().enumerate().take(8) {
            for b in same.iter().skip(i + 1).take(8) {
                if a.value() != b.value() {
                    out.push(Edit::Set(b.id(), a.value().unwrap_or("").to_owned()));
                }
            }
        }
    }
    out
}

fn apply<'a>(doc: &Document<'a>, edit: &Edit) -> Document<'a> {
    let mut copy = doc.clone();
    match edit {
        Edit::Remove(id) => copy.remove(*id),
        Edit::Set(id, v) => copy.set_value(*id, Some(v.clone().into())),
        Edit::Add(id, name, v) => {
            let _ = copy.append_value(*id, name, v.clone());
        }
    }
    copy
}

/// The invariant's own verdict at the node: `Some(false)` when broken.
fn holds(doc: &Document<'_>, node: NodeId, expr: &Expression) -> Option<bool> {
    let n = doc.node(node);
    let ctx = EvalContext::new(n.resource())
        .with_context(n)
        .with_root_resource(doc.root())
        .with_options(EvalOptions::default().with_as_filters(true));
    expr.holds(&ctx).ok()
}

/// Every invariant of the core definitions, as (key, expression), with the profile URL each
/// is written in: the built-in rule file's constraint table.
fn core_invariants() -> BTreeMap<(String, String), BTreeSet<String>> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schemas/fhir/r4-base-4.0.1.json"
    );
    let text = std::fs::read_to_string(path).expect("the built-in R4 rule file");
    let rules: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let mut out: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for c in rules["constraints"].as_array().expect("constraints") {
        let field = |i: usize| c[i].as_str().unwrap_or_default().to_owned();
        let url = field(4);
        if url.starts_with("http://hl7.org/fhir/StructureDefinition/") {
            out.entry((field(0), field(3))).or_default().insert(url);
        }
    }
    out
}

/// The core invariant a finding reports, as (key, expression): its rule names the profile
/// and the key.
fn reported(
    f: &medcom::finding::Finding,
    core: &BTreeMap<(String, String), BTreeSet<String>>,
) -> Option<(String, String)> {
    if f.code() != "fhir-invariant" {
        return None;
    }
    let (url, key) = f.rule()?.rsplit_once('#')?;
    core.iter()
        .find(|((k, _), urls)| k == key && urls.contains(url))
        .map(|(unit, _)| unit.clone())
}

/// The hand-written mutants: each breaks the invariant of its line on the example it names,
/// which does not break it before the edits.
fn table_mutants(
    examples: &BTreeMap<String, String>,
    engine: &Engine,
    core: &BTreeMap<(String, String), BTreeSet<String>>,
    broken: &mut BTreeMap<(String, String), String>,
) -> Vec<String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/r4_invariant_mutants.tsv"
    );
    let table = std::fs::read_to_string(path).expect("the mutant table");
    let mut failures = Vec::new();
    for (n, line) in table.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let at = format!("r4_invariant_mutants.tsv:{}", n + 1);
        let mut fields = line.split('\t');
        let (Some(key), Some(example)) = (fields.next(), fields.next()) else {
            failures.push(format!("{at}: key, example and edits"));
            continue;
        };
        let Some(text) = examples.get(example) else {
            failures.push(format!("{at}: no example {example}"));
            continue;
        };
        let has_key = |found: &[medcom::finding::Finding]| -> Vec<(String, String)> {
            found
                .iter()
                .filter(|f| f.message().starts_with(&format!("{key}:")))
                .filter_map(|f| reported(f, core))
                .collect()
        };
        let before = medcom::parse(text).expect("example reads");
        let mut found = Vec::new();
        engine.check(&before, &mut found);
        if !has_key(&found).is_empty() {
            failures.push(format!("{at}: {example} already breaks {key}"));
            continue;
        }
        let mut json: serde_json::Value = serde_json::from_str(text).expect("JSON");
        if let Some(e) = fields.find_map(|edit| common::json_edit::edit(&mut json, edit).err()) {
            failures.push(format!("{at}: {e}"));
            continue;
        }
        let mutant = json.to_string();
        let doc = match medcom::parse(&mutant) {
            Ok(doc) => doc,
            Err(e) => {
                failures.push(format!("{at}: the mutant does not read: {e}"));
                continue;
            }
        };
        let mut found = Vec::new();
        engine.check(&doc, &mut found);
        let units = has_key(&found);
        if units.is_empty() {
            failures.push(format!(
                "{at}: {key} not reported; found {:?}",
                found
                    .iter()
                    .map(|f| format!("{} {}", f.code(), f.message()))
                    .collect::<Vec<_>>()
            ));
        }
        for unit in units {
            broken.entry(unit).or_insert_with(|| at.clone());
        }
    }
    failures
}

#[test]
fn each_core_invariant_broken_once_is_reported() {
    let Some(shared) = common::shared() else {
        return;
    };
    let engine = Engine::embedded().expect("built-in rules");
    let core = core_invariants();
    let examples: BTreeMap<String, String> = examples(&shared).into_iter().collect();
    // (key, expression) → tries; → the mutant that broke it
    let mut tried: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut broken: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut survivors = Vec::new();
    let mut met = BTreeSet::new();
    for (name, text) in &examples {
        // The large Bundles of definitions add time, not invariants.
        if text.len() > 200_000 {
            continue;
        }
        let Ok(doc) = medcom::parse(text) else {
            continue;
        };
        let mut base = Vec::new();
        engine.check(&doc, &mut base);
        let sites = engine.invariant_sites(&doc);
        for site in &sites {
            if site.expression.is_empty() {
                continue;
            }
            let unit = (site.key.clone(), site.expression.clone());
            met.insert(unit.clone());
            if broken.contains_key(&unit) {
                continue;
            }
            let n = tried.entry(unit.clone()).or_default();
            if *n >= SITES_PER_KEY {
                continue;
            }
            let Ok(expr) = Expression::parse(&site.expression) else {
                continue;
            };
            if holds(&doc, site.node, &expr) != Some(true) {
                continue;
            }
            *n += 1;
            // Invariants written with the same expression at the node (R4's `txt-1` and
            // `txt-2` are both `htmlChecks()`): the engine may name either.
            let twins: Vec<String> = sites
                .iter()
                .filter(|s| s.node == site.node && s.expression == site.expression)
                .map(|s| format!("{}:", s.key))
                .collect();
            let already = |found: &[medcom::finding::Finding]| {
                found.iter().any(|f| {
                    f.code() == "fhir-invariant"
                        && twins.iter().any(|t| f.message().starts_with(t.as_str()))
                        && f.location() == site.location
                })
            };
            if already(&base) {
                continue;
            }
            for edit in candidates(doc.node(site.node), &site.expression) {
                let mutant = apply(&doc, &edit);
                if holds(&mutant, site.node, &expr) != Some(false) {
                    continue;
                }
                let mut found = Vec::new();
                engine.check(&mutant, &mut found);
                if already(&found) {
                    broken.insert(unit.clone(), format!("{name} {edit:?}"));
                } else {
                    survivors.push(format!(
                        "{} at {} in {name} by {edit:?} ({})",
                        site.key, site.location, site.expression
                    ));
                }
                break;
            }
        }
    }
    let searched = broken.len();
    let failures = table_mutants(&examples, &engine, &core, &mut broken);
    for (key, _) in UNBREAKABLE {
        assert!(
            core.keys().any(|(k, _)| k == key),
            "{key} is no core invariant"
        );
        assert!(
            !broken.keys().any(|(k, _)| k == key),
            "{key} is broken after all: take it off the unbreakable list"
        );
    }
    let unbroken: Vec<String> = core
        .keys()
        .filter(|unit| !broken.contains_key(*unit))
        .filter(|(key, _)| !UNBREAKABLE.iter().any(|(k, _)| k == key))
        .map(|(key, expression)| {
            let where_ = if met.contains(&(key.clone(), expression.clone())) {
                "met"
            } else {
                "not met"
            };
            format!("{key} ({where_}): {expression}")
        })
        .collect();
    println!(
        "core invariants: {}; {} met in the examples; {searched} broken by the search, {} in all",
        core.len(),
        met.len(),
        broken.len()
    );
    assert!(met.len() > 150, "only {} invariants met", met.len());
    assert!(
        survivors.is_empty(),
        "{} mutants not reported:\n{}",
        survivors.len(),
        survivors.join("\n")
    );
    assert!(
        failures.is_empty(),
        "{} table mutants fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        unbroken.is_empty(),
        "{} core invariants never broken:\n{}",
        unbroken.len(),
        unbroken.join("\n")
    );
}
