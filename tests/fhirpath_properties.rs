//! Properties of the FHIRPath parser and evaluator: parsing never panics; printing a tree and
//! parsing the text gives the same tree; parse + evaluate (the fuzz harness) never panics.

use medcom::fhirpath::ast::{BinaryOp, Expr, ExprKind, TypeName};
use medcom::fhirpath::Expression;
use proptest::prelude::*;

const BINARY: [BinaryOp; 22] = [
    BinaryOp::Add,
    BinaryOp::And,
    BinaryOp::Concat,
    BinaryOp::Contains,
    BinaryOp::Div,
    BinaryOp::Divide,
    BinaryOp::Equal,
    BinaryOp::Equivalent,
    BinaryOp::Greater,
    BinaryOp::GreaterOrEqual,
    BinaryOp::Implies,
    BinaryOp::In,
    BinaryOp::Less,
    BinaryOp::LessOrEqual,
    BinaryOp::Mod,
    BinaryOp::Multiply,
    BinaryOp::NotEqual,
    BinaryOp::NotEquivalent,
    BinaryOp::Or,
    BinaryOp::Subtract,
    BinaryOp::Union,
    BinaryOp::Xor,
];

fn e(kind: ExprKind) -> Expr {
    Expr { kind, pos: 0 }
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z_][a-zA-Z0-9_]{0,6}",
        Just("div".to_owned()),
        Just("true".to_owned()),
        Just("days".to_owned()),
        ".{1,4}",
    ]
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        any::<bool>().prop_map(|b| e(ExprKind::Boolean(b))),
        ".{0,6}".prop_map(|s| e(ExprKind::String(s))),
        "[0-9]{1,5}(\\.[0-9]{1,4})?".prop_map(|n| e(ExprKind::Number(n))),
        prop::sample::select(vec![
            "2015",
            "2015-02-04",
            "2015-02-04T14:34:28.123+10:00",
            "2015T"
        ])
        .prop_map(|s| e(ExprKind::DateTime(s.to_owned()))),
        prop::sample::select(vec!["14", "14:34", "14:34:28.5"])
            .prop_map(|s| e(ExprKind::Time(s.to_owned()))),
        ("[0-9]{1,3}", ".{1,4}").prop_map(|(value, unit)| e(ExprKind::Quantity {
            value,
            unit,
            calendar: false
        })),
        (
            "[0-9]{1,3}",
            prop::sample::select(vec!["day", "weeks", "year"])
        )
            .prop_map(|(value, unit)| e(ExprKind::Quantity {
                value,
                unit: unit.to_owned(),
                calendar: true
            })),
        Just(e(ExprKind::Empty)),
        name().prop_map(|n| e(ExprKind::Identifier(n))),
        name().prop_map(|n| e(ExprKind::External(n))),
        prop::sample::select(vec!["this", "index", "total"])
            .prop_map(|v| e(ExprKind::Variable(v.to_owned()))),
    ]
}

fn type_name() -> impl Strategy<Value = TypeName> {
    (
        prop::option::of(prop::sample::select(vec!["System", "FHIR"])),
        name(),
    )
        .prop_map(|(ns, name)| TypeName {
            namespace: ns.map(str::to_owned),
            name,
        })
}

fn tree() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(6, 48, 3, |inner| {
        let boxed = inner.clone().prop_map(Box::new);
        prop_oneof![
            (
                prop::sample::select(BINARY.to_vec()),
                boxed.clone(),
                boxed.clone()
            )
                .prop_map(|(op, a, b)| e(ExprKind::Binary(op, a, b))),
            (boxed.clone(), name()).prop_map(|(t, n)| e(ExprKind::Member(t, n))),
            (
                prop::option::of(boxed.clone()),
                name(),
                prop::collection::vec(inner, 0..3)
            )
                .prop_map(|(target, name, args)| e(ExprKind::Function {
                    target,
                    name,
                    args
                })),
            (boxed.clone(), boxed.clone()).prop_map(|(t, i)| e(ExprKind::Index(t, i))),
            boxed.clone().prop_map(|x| e(ExprKind::Negate(x))),
            boxed.clone().prop_map(|x| e(ExprKind::Plus(x))),
            (boxed.clone(), type_name()).prop_map(|(x, t)| e(ExprKind::Is(x, t))),
            (boxed, type_name()).prop_map(|(x, t)| e(ExprKind::As(x, t))),
        ]
    })
}

/// Reads the tree back from its printed form (syntax only: compiling may reject names).
fn reparse(text: &str) -> Result<Expr, String> {
    medcom::fhirpath::ast::parse(text).map_err(|e| e.to_string())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parsing_never_panics(s in ".{0,64}") {
        let _ = Expression::parse(&s);
    }

    #[test]
    fn parsing_fhirpath_like_text_never_panics(
        s in "[a-z.()\\[\\]'`%$@0-9TZ:+\\-*/|&=~!<>{} ,]{0,48}"
    ) {
        let _ = Expression::parse(&s);
        medcom::__fuzz::fhirpath(s.as_bytes());
    }

    #[test]
    fn printed_trees_parse_back_to_themselves(t in tree()) {
        let printed = t.to_string();
        let back = reparse(&printed).map_err(|e| TestCaseError::fail(format!("{e}: {printed}")))?;
        prop_assert_eq!(back.without_positions(), t, "{}", printed);
    }

    #[test]
    fn harness_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        medcom::__fuzz::fhirpath(&bytes);
    }
}

/// Expressions of the official material evaluate through the harness without panicking.
#[test]
fn harness_on_known_expressions() {
    for x in [
        "Bundle.entry.resource.ofType(Patient).name.given.join(' ')",
        "descendants().select(children().count()).aggregate($this + $total, 0)",
        "entry.resource.repeat(children()).count() > 3",
        "(1 | 2 | 3).sort(-$this).first() = 3",
        "entry[1].resource.value + 2 'kg' > 3.4 'kg'",
        "entry.resource.subject.resolve().birthDate + 1 year",
        "'abc'.matches('(?s)a.c') and 'x'.replaceMatches('x', 'y') = 'y'",
    ] {
        medcom::__fuzz::fhirpath(x.as_bytes());
    }
}
