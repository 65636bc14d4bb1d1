//! Repeated sub-expressions evaluated once ([`EvalOptions::share_repeated`]) give the same
//! result as evaluating every occurrence: every MedCom invariant of `invariants.tsv` and the
//! expressions in [`EXTRA`] (repeats inside `where`, `select`, `iif`, with `$this`, `$index`,
//! `$total`), on the Bundle and on every entry resource of every JSON example of the corpus.

mod common;

use std::collections::BTreeSet;

use medcom::fhirpath::{EvalContext, EvalOptions, Expression};
use medcom::model::Node;

/// Expressions whose repeats sit where sharing must be careful; one per line.
const EXTRA: &[&str] = &[
    "entry.where(resource.id = %resource.entry.first().resource.id).count() = entry.where(resource.id = %resource.entry.first().resource.id).count()",
    "entry.select(resource.id & $index) | entry.select(resource.id & $index)",
    "entry.resource.where($this.id.exists()).id | entry.resource.where($this.id.exists()).id",
    "entry.resource.select(id.length() + id.length())",
    "entry.resource.select(meta.profile.first() & meta.profile.first())",
    "entry.resource.aggregate($total + 1, 0) = entry.resource.aggregate($total + 1, 0)",
    "iif(entry.count() > 2, entry[1].resource.id, entry[0].resource.id) & iif(entry.count() > 2, entry[1].resource.id, entry[0].resource.id)",
    "entry.resource.ofType(MessageHeader).focus.reference.resolve().id = entry.resource.ofType(MessageHeader).focus.reference.resolve().id",
    "entry.resource.select(id | id | %context.id | %context.id)",
    "descendants().count() = descendants().count()",
    "entry.resource.all(id.exists() implies entry.resource.all(id.exists()))",
    "entry.resource.where(id.length() > 3).select(id.substring(0, 3) & id.substring(0, 3))",
    "entry.resource.trace('r').id | entry.resource.trace('r').id",
    "(entry.resource.id | entry.resource.id).count() = entry.resource.id.distinct().count()",
    "entry.resource.repeat(contained).id | entry.resource.repeat(contained).id",
];

fn show(expr: &Expression, node: Node<'_, '_>, share: bool) -> String {
    let options = EvalOptions::default().with_share_repeated(share);
    let ctx = EvalContext::new(node.resource())
        .with_root_resource(node.document().root())
        .with_context(node)
        .with_options(options);
    match expr.evaluate(&ctx) {
        Ok(items) => items
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("|"),
        Err(e) => format!("error at {}: {e}", e.offset()),
    }
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn sharing_repeated_steps_changes_no_result() {
    let Some(shared) = common::shared() else {
        return;
    };
    let tsv = common::read(&shared.join("medcom/fhir/invariants.tsv"));
    let mut texts: BTreeSet<String> = tsv
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').nth(7).map(str::to_owned))
        .collect();
    texts.extend(EXTRA.iter().map(|s| (*s).to_owned()));
    let expressions: Vec<Expression> = texts
        .iter()
        .map(|t| Expression::parse(t).unwrap_or_else(|e| panic!("{t}: {e}")))
        .collect();
    let mut evaluations = 0;
    let mut files = 0;
    for example in common::examples(&shared) {
        if !example.is_fhir() || !example.is_json() {
            continue;
        }
        let text = common::read(&example.path);
        let options = medcom::ReadOptions::default().with_mode(medcom::Mode::Lenient);
        let Ok(doc) = medcom::parse_with_options(&text, &options) else {
            continue;
        };
        files += 1;
        let root = doc.root();
        let mut contexts = vec![root];
        contexts.extend(
            root.children_named("entry")
                .filter_map(|e| e.child("resource")),
        );
        for expr in &expressions {
            for &node in &contexts {
                let once = show(expr, node, true);
                let every = show(expr, node, false);
                assert_eq!(
                    once,
                    every,
                    "{}: `{}` on {}",
                    example.file,
                    expr.text(),
                    node.path()
                );
                evaluations += 1;
            }
        }
    }
    assert!(files > 300, "only {files} JSON examples read");
    eprintln!("{evaluations} evaluations on {files} examples agree");
}
