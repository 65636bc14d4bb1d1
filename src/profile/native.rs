//! Native answers for the hottest invariants, keyed by key *and* exact expression text, so a
//! package that rewords an invariant falls back to FHIRPath instead of being misread.
//!
//! Each function returns what `Expression::holds` would return for the expression on that
//! node, or `None` for a case it leaves to FHIRPath (for example `dom-3` when a resource has
//! `contained` resources). `tests/profile_native.rs` and the per-invariant mutation test compare
//! every native answer with FHIRPath's over the corpus and its mutants.

use crate::model::Node;

/// A native invariant: `Some(holds)` or `None` to evaluate the expression.
pub(crate) type NativeFn = for<'d, 'a> fn(Node<'d, 'a>) -> Option<bool>;

const GLN_MOD_10_ON_IDENTIFIER: &str = "((\n(10-((value.substring(0,1).toInteger()*1)+\n(value.substring(1,1).toInteger()*3)+\n(value.substring(2,1).toInteger()*1)+\n(value.substring(3,1).toInteger()*3)+\n(value.substring(4,1).toInteger()*1)\n+(value.substring(5,1).toInteger()*3)\n+(value.substring(6,1).toInteger()*1)\n+(value.substring(7,1).toInteger()*3)\n+(value.substring(8,1).toInteger()*1)\n+(value.substring(9,1).toInteger()*3)\n+(value.substring(10,1).toInteger()*1)\n+(value.substring(11,1).toInteger()*3))mod(10))mod(10))=value.substring(12,1).toInteger())";
const GLN_MOD_10_ON_STRING: &str = "((\n(10-((substring(0,1).toInteger()*1)+\n(substring(1,1).toInteger()*3)+\n(substring(2,1).toInteger()*1)+\n(substring(3,1).toInteger()*3)+\n(substring(4,1).toInteger()*1)\n+(substring(5,1).toInteger()*3)\n+(substring(6,1).toInteger()*1)\n+(substring(7,1).toInteger()*3)\n+(substring(8,1).toInteger()*1)\n+(substring(9,1).toInteger()*3)\n+(substring(10,1).toInteger()*1)\n+(substring(11,1).toInteger()*3))mod(10))mod(10))=substring(12,1).toInteger())";

/// (key, expression, native answer).
const NATIVE: &[(&str, &str, NativeFn)] = &[
    ("gln-modulus-10", GLN_MOD_10_ON_IDENTIFIER, |n| {
        Some(gln_modulus_10(n.child_value("value")))
    }),
    ("gln-modulus-10", GLN_MOD_10_ON_STRING, |n| {
        Some(gln_modulus_10(n.value()))
    }),
    ("gln-length", "value.matches('^[0-9]{13}$')", |n| {
        Some(n.child_value("value").is_none_or(|v| digits(v, 13, 13)))
    }),
    ("gln-length", "matches('^[0-9]{13}$')", |n| {
        Some(n.value().is_none_or(|v| digits(v, 13, 13)))
    }),
    ("min-digits-sor", "matches('^([0-9]){11,}$')", |n| {
        Some(n.value().is_none_or(|v| digits(v, 11, usize::MAX)))
    }),
    (
        "bdl-3",
        "entry.all(request.exists() = (%resource.type = 'batch' or %resource.type = 'transaction' or %resource.type = 'history'))",
        |n| entries_have_iff(n, "request", &["batch", "transaction", "history"]),
    ),
    (
        "bdl-4",
        "entry.all(response.exists() = (%resource.type = 'batch-response' or %resource.type = 'transaction-response' or %resource.type = 'history'))",
        |n| entries_have_iff(n, "response", &["batch-response", "transaction-response", "history"]),
    ),
    ("bdl-5", "resource.exists() or request.exists() or response.exists()", |n| {
        Some(n.children().any(|c| matches!(c.name(), "resource" | "request" | "response")))
    }),
    (
        "bdl-7",
        "(type = 'history') or entry.where(fullUrl.exists()).select(fullUrl&resource.meta.versionId).isDistinct()",
        full_urls_distinct,
    ),
    ("bdl-8", "fullUrl.contains('/_history/').not()", |n| {
        Some(n.child_value("fullUrl").is_none_or(|u| !u.contains("/_history/")))
    }),
    // dom-2 to dom-5 only say something about contained resources.
    ("dom-2", "contained.contained.empty()", without_contained),
    (
        "dom-3",
        "contained.where((('#'+id in (%resource.descendants().reference | %resource.descendants().as(canonical) | %resource.descendants().as(uri) | %resource.descendants().as(url))) or descendants().where(reference = '#').exists() or descendants().where(as(canonical) = '#').exists() or descendants().where(as(canonical) = '#').exists()).not()).trace('unmatched', id).empty()",
        without_contained,
    ),
    (
        "dom-4",
        "contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()",
        without_contained,
    ),
    ("dom-5", "contained.meta.security.empty()", without_contained),
    ("dom-6", "text.`div`.exists()", |n| {
        Some(n.child("text").is_some_and(|t| t.child("div").is_some()))
    }),
    (
        "ref-1",
        "reference.startsWith('#').not() or (reference.substring(1).trace('url') in %rootResource.contained.id.trace('ids'))",
        // A local reference is left to FHIRPath.
        |n| match n.child_value("reference") {
            Some(r) if r.starts_with('#') => None,
            _ => Some(true),
        },
    ),
    ("org-1", "(identifier.count() + name.count()) > 0", |n| {
        Some(n.children().any(|c| matches!(c.name(), "identifier" | "name")))
    }),
    (
        "dk-core-organization-mandatory-identifier",
        "identifier.where(system='urn:oid:1.2.208.176.1.1' or system='https://kombit.dk/sts/organisation' or system='urn:oid:2.16.840.1.113883.2.24.1.1').exists()",
        |n| {
            Some(n.children_named("identifier").any(|i| {
                matches!(
                    i.child_value("system"),
                    Some(
                        "urn:oid:1.2.208.176.1.1"
                            | "https://kombit.dk/sts/organisation"
                            | "urn:oid:2.16.840.1.113883.2.24.1.1"
                    )
                )
            }))
        },
    ),
];

/// The native answer for an invariant, if there is one for exactly this expression.
pub(crate) fn native_for(key: &str, expression: &str) -> Option<Native> {
    let find = |table: &[(&str, &str, NativeFn)]| {
        table
            .iter()
            .find(|(k, e, _)| *k == key && *e == expression)
            .map(|(_, _, f)| *f)
    };
    find(NATIVE)
        .map(|answer| Native {
            answer,
            whole: true,
        })
        .or_else(|| {
            find(PARTS).map(|answer| Native {
                answer,
                whole: false,
            })
        })
}

/// A native answer, and whether it is the whole of what its expression answers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Native {
    pub(crate) answer: NativeFn,
    /// `false` for a rule whose expression several rules share ([`PARTS`]): FHIRPath answers
    /// for all of them at once, so the two cannot be compared rule by rule.
    pub(crate) whole: bool,
}

/// Rules that share one expression, each answered natively for its own part. R4 writes both
/// narrative rules as `htmlChecks()`, which FHIRPath can only answer for both at once (it holds
/// when a narrative keeps to both: `tests/narrative_check.rs` checks that conjunction); each
/// answers its own rule from what the reader found in the XHTML, so a narrative with a
/// `<script>` is not also told it lacks content.
const PARTS: &[(&str, &str, NativeFn)] = &[
    ("txt-1", "htmlChecks()", |n| {
        Some(n.narrative_facts().is_none_or(|f| f.only_allowed))
    }),
    ("txt-2", "htmlChecks()", |n| {
        Some(n.narrative_facts().is_none_or(|f| f.has_content))
    }),
];

/// `value.matches('^[0-9]{n,m}$')`: ASCII digits only (the regex class), `min..=max` of them.
fn digits(v: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit())
}

/// The GS1 modulus-10 expression. Each `substring(i,1).toInteger()` is empty for a missing or
/// non-digit character, which empties the whole comparison, and an empty result holds.
fn gln_modulus_10(value: Option<&str>) -> bool {
    let Some(v) = value else {
        return true;
    };
    let mut d = [0u32; 13];
    let mut chars = v.chars();
    for slot in &mut d {
        match chars.next().and_then(|c| c.to_digit(10)) {
            Some(x) => *slot = x,
            None => return true,
        }
    }
    let sum: u32 = d[..12]
        .iter()
        .enumerate()
        .map(|(i, x)| if i % 2 == 0 { *x } else { x * 3 })
        .sum();
    (10 - sum % 10) % 10 == d[12]
}

/// bdl-3 and bdl-4: every entry has `element` exactly when the Bundle type is one of `types`.
/// A Bundle without a type value is left to FHIRPath (the comparison is empty there).
fn entries_have_iff(bundle: Node<'_, '_>, element: &str, types: &[&str]) -> Option<bool> {
    let ty = bundle.child_value("type")?;
    let want = types.contains(&ty);
    Some(
        bundle
            .children_named("entry")
            .all(|e| e.child(element).is_some() == want),
    )
}

/// bdl-7: fullUrl and versionId pairs are distinct. Valueless elements (extensions only) are
/// left to FHIRPath.
fn full_urls_distinct(bundle: Node<'_, '_>) -> Option<bool> {
    let ty = bundle.child("type");
    match ty.map(|t| t.value()) {
        Some(Some("history")) => return Some(true),
        Some(Some(_)) => {}
        _ => return None,
    }
    // `fullUrl & versionId` is a concatenation: pairs are compared as the joined text.
    let mut seen: smallvec::SmallVec<[(&str, &str); 16]> = smallvec::SmallVec::new();
    let mut joined: std::collections::HashSet<String> = std::collections::HashSet::new();
    for entry in bundle.children_named("entry") {
        let Some(url) = entry.child("fullUrl") else {
            continue;
        };
        let url = url.value()?;
        let version = match entry
            .child("resource")
            .and_then(|r| r.child("meta"))
            .and_then(|m| m.child("versionId"))
        {
            Some(v) => v.value()?,
            None => "",
        };
        if seen.len() < 16 {
            if seen
                .iter()
                .any(|&(u, v)| joined_equal((u, v), (url, version)))
            {
                return Some(false);
            }
            seen.push((url, version));
            continue;
        }
        // A large Bundle: the joined texts go into a set rather than being compared pairwise.
        if joined.is_empty() {
            joined.extend(seen.iter().map(|&(u, v)| [u, v].concat()));
        }
        if !joined.insert([url, version].concat()) {
            return Some(false);
        }
    }
    Some(true)
}

/// Whether `a.0 + a.1 == b.0 + b.1`, without joining.
fn joined_equal(a: (&str, &str), b: (&str, &str)) -> bool {
    a.0.len() + a.1.len() == b.0.len() + b.1.len()
        && a.0
            .bytes()
            .chain(a.1.bytes())
            .eq(b.0.bytes().chain(b.1.bytes()))
}

fn without_contained(node: Node<'_, '_>) -> Option<bool> {
    node.child("contained").is_none().then_some(true)
}
