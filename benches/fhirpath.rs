//! FHIRPath on the validation hot path: every invariant that applies to a CareCommunication
//! 5.0.2 example message, evaluated on every element it applies to. The invariants are the
//! R4 core constraints of each type present (`ele-1` on every element, `dom-*`, `bdl-*`, ...)
//! and the MedCom and DK-core invariants of the CareCommunication stack whose context is a
//! resource or a path in one. Expressions are compiled once, outside the measurement.
//! Reads `../shared` (or `MEDCOM_SHARED`) and does nothing when it is absent.

// `criterion_group!` defines an undocumented function.
#![allow(missing_docs)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use medcom::fhirpath::{Cache, EvalContext, Expression, Item};
use medcom::model::{Node, NodeId, Type};

const EXAMPLE: &str =
    "medcom/fhir/examples/medcomfhir-website/ig/carecommunication/5.0.2/Bundle-0d5b3c18-fab6-4d93-9d88-c9c8abf1f18c.json";
const STACK: [(&str, &str); 4] = [
    ("medcom.fhir.dk.carecommunication", "5.0.2"),
    ("medcom.fhir.dk.messaging", "4.0.2"),
    ("medcom.fhir.dk.core", "3.0.1"),
    ("hl7.fhir.dk.core", "3.4.0"),
];

fn shared() -> Option<PathBuf> {
    let dir = std::env::var_os("MEDCOM_SHARED").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"),
        PathBuf::from,
    );
    dir.join("README.md").is_file().then_some(dir)
}

fn all_nodes<'d, 'a>(n: Node<'d, 'a>, out: &mut Vec<Node<'d, 'a>>) {
    out.push(n);
    for c in n.children() {
        all_nodes(c, out);
    }
}

/// The (expression, context element) pairs to evaluate.
fn plan(shared: &Path, doc: &medcom::Document<'_>) -> Vec<(Arc<Expression>, NodeId)> {
    let cache = Cache::default();
    let mut nodes = Vec::new();
    all_nodes(doc.root(), &mut nodes);
    let mut pairs = Vec::new();
    // R4 core: constraints on the root of each type's definition and on its backbone elements.
    let sd_names: BTreeSet<&str> = nodes
        .iter()
        .map(|n| n.ty().name().split('.').next().unwrap_or(""))
        .collect();
    let core = shared.join("medcom/fhir/packages/hl7.fhir.r4.core#4.0.1/package");
    let mut rules: Vec<(Type, String)> = Vec::new();
    for name in sd_names {
        let Ok(text) =
            std::fs::read_to_string(core.join(format!("StructureDefinition-{name}.json")))
        else {
            continue;
        };
        let json: serde_json::Value = serde_json::from_str(&text).expect("SD JSON");
        for e in json["snapshot"]["element"].as_array().into_iter().flatten() {
            let Some(ty) = e["path"].as_str().and_then(Type::by_name) else {
                continue;
            };
            for c in e["constraint"].as_array().into_iter().flatten() {
                if let Some(x) = c["expression"].as_str() {
                    rules.push((ty, x.to_owned()));
                }
            }
        }
    }
    rules.sort_by(|a, b| (a.0.name(), &a.1).cmp(&(b.0.name(), &b.1)));
    rules.dedup();
    for (ty, x) in &rules {
        let Ok(expr) = cache.get(x) else { continue };
        for n in nodes.iter().filter(|n| n.ty() == *ty) {
            pairs.push((Arc::clone(&expr), n.id()));
        }
    }
    // MedCom and DK-core invariants of the CareCommunication stack.
    let tsv = std::fs::read_to_string(shared.join("medcom/fhir/invariants.tsv")).expect("tsv");
    for line in tsv.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 8 || !STACK.contains(&(f[0], f[1])) || f[3].contains(':') {
            continue;
        }
        let element = f[3];
        let (head, rest) = element.split_once('.').unwrap_or((element, ""));
        if head == "Identifier" || head == "Extension" {
            continue;
        }
        let context = match (head, rest) {
            ("Bundle", "") => "Bundle".to_owned(),
            (ty, "") => format!("Bundle.entry.resource.ofType({ty})"),
            (ty, path) => format!("Bundle.entry.resource.ofType({ty}).{path}"),
        };
        let contexts = Expression::parse(&context)
            .expect("context")
            .evaluate(&EvalContext::new(doc.root()))
            .expect("context evaluates");
        let expr = cache.get(f[7]).expect("invariant parses");
        for c in contexts.iter().filter_map(Item::node) {
            pairs.push((Arc::clone(&expr), c.id()));
        }
    }
    pairs
}

fn evaluate_all(doc: &medcom::Document<'_>, pairs: &[(Arc<Expression>, NodeId)]) -> usize {
    let root = doc.root();
    let mut failing = 0;
    for (expr, id) in pairs {
        let node = doc.node(*id);
        let ctx = EvalContext::new(node.resource())
            .with_root_resource(root)
            .with_context(node);
        if !matches!(expr.holds(&ctx), Ok(true)) {
            failing += 1;
        }
    }
    failing
}

fn bench(c: &mut Criterion) {
    let Some(shared) = shared() else {
        eprintln!("SKIPPED: shared reference material not found");
        return;
    };
    let text = std::fs::read_to_string(shared.join(EXAMPLE)).expect("example");
    let doc = medcom::parse(&text).expect("example reads");
    let pairs = plan(&shared, &doc);
    let distinct: BTreeSet<&str> = pairs.iter().map(|(e, _)| e.text()).collect();
    let failing = evaluate_all(&doc, &pairs);
    eprintln!(
        "CareCommunication example: {} elements, {} invariant evaluations ({} distinct expressions), {} not holding",
        doc.len(),
        pairs.len(),
        distinct.len(),
        failing
    );
    c.bench_function("fhirpath/carecommunication_all_invariants", |b| {
        b.iter(|| evaluate_all(&doc, &pairs));
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
