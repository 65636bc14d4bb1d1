//! Compiles a syntax tree to an evaluation plan: function names resolved and arity checked,
//! type names resolved against the System types and the R4 type table, literals converted
//! and regular expression literals compiled, all once.

use regex::Regex;

use super::ast::{BinaryOp, Expr, ExprKind, TypeName};
use super::datetime::Temporal;
use super::decimal::Decimal;
use super::error::{ParseError, ParseErrorKind};
use super::quantity::Quantity;
use super::value::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::model::{Element, Type};

/// One step of a plan, with the source offset for errors.
#[derive(Debug)]
pub(crate) struct Plan {
    pub(crate) op: Op,
    pub(crate) pos: usize,
    /// The memo slot this step shares with the identical steps of the same expression
    /// ([`share_repeated`]), or [`NO_SLOT`].
    pub(crate) slot: u32,
}

/// A step without a memo slot.
pub(crate) const NO_SLOT: u32 = u32::MAX;

/// The System types.
pub(crate) const SYSTEM_TYPES: [&str; 9] = [
    "Any", "Boolean", "Date", "DateTime", "Decimal", "Integer", "Quantity", "String", "Time",
];

/// A resolved type specifier: a System type, a FHIR type, or both for an unqualified name
/// that is both (`Quantity`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct TypeSpec {
    pub(crate) system: Option<&'static str>,
    pub(crate) fhir: Option<Type>,
}

#[derive(Debug)]
pub(crate) enum Op {
    As(Box<Plan>, TypeSpec),
    Binary(BinaryOp, Box<Plan>, Box<Plan>),
    Call {
        target: Option<Box<Plan>>,
        func: Func,
        args: Vec<Plan>,
    },
    Empty,
    Env(EnvVar),
    Index(Box<Plan>, Box<Plan>),
    IndexVar,
    Is(Box<Plan>, TypeSpec),
    Literal(Value<'static>),
    Member(Box<Plan>, Name),
    Negate(Box<Plan>),
    /// An identifier at the start of a path, with the type it names, if any.
    Root(Name, Option<Type>),
    This,
    Total,
}

/// An element name in a path, with a one-entry cache of the element it denotes on the type
/// last seen: a path step meets the same type nearly every time, and the cache saves the
/// lookup by name among the type's elements.
#[derive(Debug)]
pub(crate) struct Name {
    pub(crate) text: String,
    /// `(type + 1) << 32 | (element + 1)`, 0 when empty; element 0 means "no such element".
    cache: AtomicU64,
}

impl Name {
    fn new(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            cache: AtomicU64::new(0),
        }
    }

    /// The element of `ty` with this name.
    pub(crate) fn element_of(&self, ty: Type) -> Option<Element> {
        let key = u64::from(ty.0) + 1;
        let packed = self.cache.load(Ordering::Relaxed);
        if packed >> 32 == key {
            let e = packed & 0xffff_ffff;
            return (e != 0).then(|| Element(u32::try_from(e - 1).unwrap_or(0)));
        }
        let found = ty.element(&self.text);
        // Element ids are far below u32::MAX; one that is not is simply not cached.
        if let Some(e) = found.map_or(Some(0), |e| e.0.checked_add(1)) {
            self.cache
                .store(key << 32 | u64::from(e), Ordering::Relaxed);
        }
        found
    }
}

#[derive(Debug)]
pub(crate) enum EnvVar {
    Constant(Value<'static>),
    Context,
    Resource,
    RootResource,
    User(String),
}

/// A regular expression argument: compiled once when it is a literal.
#[derive(Debug)]
pub(crate) enum Pattern {
    Compiled(Result<Box<Regex>, String>),
    Dynamic,
}

macro_rules! funcs {
    ($($name:literal => $variant:ident ($min:literal, $max:literal)),* $(,)?) => {
        /// Every function the engine knows.
        #[derive(Debug)]
        pub(crate) enum Func {
            $($variant,)*
            Typed(TypedFunc, TypeSpec),
            Regex(RegexFunc, Pattern),
        }

        fn lookup(name: &str) -> Option<(fn() -> Func, usize, usize)> {
            Some(match name {
                $($name => (|| Func::$variant, $min, $max),)*
                _ => return None,
            })
        }
    };
}

/// Functions whose argument is a type name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TypedFunc {
    As,
    Is,
    OfType,
}

/// Functions whose argument is a regular expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RegexFunc {
    Matches,
    MatchesFull,
    ReplaceMatches,
}

funcs! {
    "abs" => Abs(0, 0),
    "aggregate" => Aggregate(1, 2),
    "all" => All(1, 1),
    "allFalse" => AllFalse(0, 0),
    "allTrue" => AllTrue(0, 0),
    "anyFalse" => AnyFalse(0, 0),
    "anyTrue" => AnyTrue(0, 0),
    "ceiling" => Ceiling(0, 0),
    "children" => Children(0, 0),
    "combine" => Combine(1, 1),
    "comparable" => Comparable(1, 1),
    "conformsTo" => ConformsTo(1, 1),
    "contains" => Contains(1, 1),
    "convertsToBoolean" => ConvertsToBoolean(0, 0),
    "convertsToDate" => ConvertsToDate(0, 0),
    "convertsToDateTime" => ConvertsToDateTime(0, 0),
    "convertsToDecimal" => ConvertsToDecimal(0, 0),
    "convertsToInteger" => ConvertsToInteger(0, 0),
    "convertsToQuantity" => ConvertsToQuantity(0, 1),
    "convertsToString" => ConvertsToString(0, 0),
    "convertsToTime" => ConvertsToTime(0, 0),
    "count" => Count(0, 0),
    "decode" => Decode(1, 1),
    "descendants" => Descendants(0, 0),
    "distinct" => Distinct(0, 0),
    "empty" => Empty(0, 0),
    "encode" => Encode(1, 1),
    "endsWith" => EndsWith(1, 1),
    "escape" => Escape(1, 1),
    "exclude" => Exclude(1, 1),
    "exists" => Exists(0, 1),
    "exp" => Exp(0, 0),
    "extension" => Extension(1, 1),
    "first" => First(0, 0),
    "floor" => Floor(0, 0),
    "getValue" => GetValue(0, 0),
    "hasValue" => HasValue(0, 0),
    "highBoundary" => HighBoundary(0, 1),
    "htmlChecks" => HtmlChecks(0, 0),
    "iif" => Iif(2, 3),
    "indexOf" => IndexOf(1, 1),
    "intersect" => Intersect(1, 1),
    "isDistinct" => IsDistinct(0, 0),
    "join" => Join(0, 1),
    "last" => Last(0, 0),
    "length" => Length(0, 0),
    "ln" => Ln(0, 0),
    "log" => Log(1, 1),
    "lower" => Lower(0, 0),
    "lowBoundary" => LowBoundary(0, 1),
    "memberOf" => MemberOf(1, 1),
    "not" => Not(0, 0),
    "now" => Now(0, 0),
    "power" => Power(1, 1),
    "precision" => Precision(0, 0),
    "repeat" => Repeat(1, 1),
    "replace" => Replace(2, 2),
    "resolve" => Resolve(0, 0),
    "round" => Round(0, 1),
    "select" => Select(1, 1),
    "single" => Single(0, 0),
    "skip" => Skip(1, 1),
    "sort" => Sort(0, 8),
    "split" => Split(1, 1),
    "sqrt" => Sqrt(0, 0),
    "startsWith" => StartsWith(1, 1),
    "subsetOf" => SubsetOf(1, 1),
    "substring" => Substring(1, 2),
    "supersetOf" => SupersetOf(1, 1),
    "tail" => Tail(0, 0),
    "take" => Take(1, 1),
    "timeOfDay" => TimeOfDay(0, 0),
    "toBoolean" => ToBoolean(0, 0),
    "toChars" => ToChars(0, 0),
    "toDate" => ToDate(0, 0),
    "toDateTime" => ToDateTime(0, 0),
    "toDecimal" => ToDecimal(0, 0),
    "today" => Today(0, 0),
    "toInteger" => ToInteger(0, 0),
    "toQuantity" => ToQuantity(0, 1),
    "toString" => ToString(0, 0),
    "toTime" => ToTime(0, 0),
    "trace" => Trace(1, 2),
    "trim" => Trim(0, 0),
    "truncate" => Truncate(0, 0),
    "type" => Type(0, 0),
    "union" => Union(1, 1),
    "unescape" => Unescape(1, 1),
    "upper" => Upper(0, 0),
    "where" => Where(1, 1),
}

/// Largest compiled size of a regular expression.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Compiles a FHIR regular expression; `full` anchors it at both ends. `.` matches line breaks.
pub(crate) fn compile_regex(pattern: &str, full: bool) -> Result<Box<Regex>, String> {
    let source = if full {
        format!("(?s)^(?:{pattern})$")
    } else {
        format!("(?s){pattern}")
    };
    regex::RegexBuilder::new(&source)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map(Box::new)
        .map_err(|e| e.to_string())
}

/// Resolves a type name.
pub(crate) fn type_spec(t: &TypeName, pos: usize) -> Result<TypeSpec, ParseError> {
    let system = SYSTEM_TYPES.iter().copied().find(|s| *s == t.name);
    let fhir = Type::by_name(&t.name).filter(|_| !t.name.contains('.'));
    let spec = match t.namespace.as_deref() {
        // An unknown System type simply matches nothing.
        Some("System") => TypeSpec { system, fhir: None },
        Some("FHIR") => TypeSpec { system: None, fhir },
        None => TypeSpec { system, fhir },
        Some(_) => TypeSpec {
            system: None,
            fhir: None,
        },
    };
    if spec.system.is_none() && spec.fhir.is_none() && t.namespace.as_deref() != Some("System") {
        return Err(ParseError::new(
            ParseErrorKind::BadType {
                name: t.to_string(),
            },
            pos,
        ));
    }
    Ok(spec)
}

/// The type name an argument expression denotes (`Patient`, `FHIR.Patient`).
fn arg_type_name(e: &Expr) -> Option<TypeName> {
    match &e.kind {
        ExprKind::Identifier(n) => Some(TypeName {
            namespace: None,
            name: n.clone(),
        }),
        ExprKind::Member(inner, n) => match &inner.kind {
            ExprKind::Identifier(ns) => Some(TypeName {
                namespace: Some(ns.clone()),
                name: n.clone(),
            }),
            _ => None,
        },
        _ => None,
    }
}

fn literal(kind: &ExprKind, pos: usize) -> Result<Option<Value<'static>>, ParseError> {
    let bad = |what| ParseError::new(ParseErrorKind::BadLiteral { what }, pos);
    Ok(Some(match kind {
        ExprKind::Boolean(b) => Value::Boolean(*b),
        ExprKind::String(s) => Value::string(s.as_str()),
        ExprKind::Number(n) if n.contains('.') => {
            Value::Decimal(n.parse::<Decimal>().map_err(|()| bad("decimal"))?)
        }
        ExprKind::Number(n) => Value::Integer(n.parse().map_err(|_| bad("integer"))?),
        ExprKind::DateTime(s) if s.contains('T') => {
            Value::DateTime(Temporal::parse_date_time(s).ok_or_else(|| bad("date/time"))?)
        }
        ExprKind::DateTime(s) => Value::Date(Temporal::parse_date(s).ok_or_else(|| bad("date"))?),
        ExprKind::Time(s) => Value::Time(Temporal::parse_time(s).ok_or_else(|| bad("time"))?),
        ExprKind::Quantity { value, unit, .. } => Value::Quantity(Quantity::new(
            value.parse().map_err(|()| bad("quantity"))?,
            unit,
        )),
        _ => return Ok(None),
    }))
}

/// Compiles a syntax tree.
pub(crate) fn compile(e: &Expr) -> Result<Plan, ParseError> {
    let pos = e.pos;
    let b = |x: &Expr| compile(x).map(Box::new);
    if let Some(v) = literal(&e.kind, pos)? {
        return Ok(Plan {
            op: Op::Literal(v),
            pos,
            slot: NO_SLOT,
        });
    }
    let op = match &e.kind {
        ExprKind::As(x, t) => Op::As(b(x)?, type_spec(t, pos)?),
        ExprKind::Is(x, t) => Op::Is(b(x)?, type_spec(t, pos)?),
        ExprKind::Binary(op, x, y) => Op::Binary(*op, b(x)?, b(y)?),
        ExprKind::Empty => Op::Empty,
        ExprKind::External(name) => Op::Env(env_var(name)),
        ExprKind::Identifier(n) => {
            let ty = Type::by_name(n).filter(|_| n.starts_with(|c: char| c.is_ascii_uppercase()));
            Op::Root(Name::new(n), ty)
        }
        ExprKind::Index(x, i) => Op::Index(b(x)?, b(i)?),
        ExprKind::Member(x, n) => Op::Member(b(x)?, Name::new(n)),
        ExprKind::Negate(x) => Op::Negate(b(x)?),
        ExprKind::Plus(x) => return compile(x),
        ExprKind::Variable(v) => match v.as_str() {
            "this" => Op::This,
            "index" => Op::IndexVar,
            "total" => Op::Total,
            _ => {
                return Err(ParseError::new(
                    ParseErrorKind::Unexpected {
                        found: format!("'${v}'"),
                        expected: "$this, $index or $total",
                    },
                    pos,
                ))
            }
        },
        ExprKind::Function { target, name, args } => {
            return function(target.as_deref(), name, args, pos);
        }
        _ => {
            return Err(ParseError::new(
                ParseErrorKind::BadLiteral { what: "unknown" },
                pos,
            ))
        }
    };
    Ok(Plan {
        op,
        pos,
        slot: NO_SLOT,
    })
}

fn env_var(name: &str) -> EnvVar {
    let constant = |s: String| EnvVar::Constant(Value::string(s));
    match name {
        "resource" => EnvVar::Resource,
        "rootResource" => EnvVar::RootResource,
        "context" => EnvVar::Context,
        "ucum" => constant("http://unitsofmeasure.org".into()),
        "sct" => constant("http://snomed.info/sct".into()),
        "loinc" => constant("http://loinc.org".into()),
        _ => {
            if let Some(vs) = name.strip_prefix("vs-") {
                constant(format!("http://hl7.org/fhir/ValueSet/{vs}"))
            } else if let Some(ext) = name.strip_prefix("ext-") {
                constant(format!("http://hl7.org/fhir/StructureDefinition/{ext}"))
            } else {
                EnvVar::User(name.to_owned())
            }
        }
    }
}

fn function(
    target: Option<&Expr>,
    name: &str,
    args: &[Expr],
    pos: usize,
) -> Result<Plan, ParseError> {
    let bad = |reason| {
        ParseError::new(
            ParseErrorKind::BadCall {
                name: name.to_owned(),
                reason,
            },
            pos,
        )
    };
    let target = target.map(compile).transpose()?.map(Box::new);
    let typed = match name {
        "is" => Some(TypedFunc::Is),
        "as" => Some(TypedFunc::As),
        "ofType" => Some(TypedFunc::OfType),
        _ => None,
    };
    if let Some(tf) = typed {
        let [arg] = args else {
            return Err(bad("takes one type name"));
        };
        let t = arg_type_name(arg).ok_or_else(|| bad("takes a type name"))?;
        return Ok(Plan {
            op: Op::Call {
                target,
                func: Func::Typed(tf, type_spec(&t, arg.pos)?),
                args: Vec::new(),
            },
            pos,
            slot: NO_SLOT,
        });
    }
    let regex = match name {
        "matches" => Some(RegexFunc::Matches),
        "matchesFull" => Some(RegexFunc::MatchesFull),
        "replaceMatches" => Some(RegexFunc::ReplaceMatches),
        _ => None,
    };
    let compiled: Vec<Plan> = args.iter().map(compile).collect::<Result<_, _>>()?;
    if let Some(rf) = regex {
        let arity = if rf == RegexFunc::ReplaceMatches {
            2
        } else {
            1
        };
        if compiled.len() != arity {
            return Err(bad("wrong number of arguments"));
        }
        let pattern = match &compiled[0].op {
            Op::Literal(Value::String(s)) => {
                Pattern::Compiled(compile_regex(s, rf == RegexFunc::MatchesFull))
            }
            _ => Pattern::Dynamic,
        };
        return Ok(Plan {
            op: Op::Call {
                target,
                func: Func::Regex(rf, pattern),
                args: compiled,
            },
            pos,
            slot: NO_SLOT,
        });
    }
    let (make, min, max) = lookup(name).ok_or_else(|| bad("unknown function"))?;
    if compiled.len() < min || compiled.len() > max {
        return Err(bad("wrong number of arguments"));
    }
    Ok(Plan {
        op: Op::Call {
            target,
            func: make(),
            args: compiled,
        },
        pos,
        slot: NO_SLOT,
    })
}

/// Most steps a plan may have for [`share_repeated`] to look for repeats in it (it builds a
/// key per step, as long as the step's text).
const MAX_SHARED_STEPS: usize = 2_000;

/// Gives the steps that occur more than once in a plan (the same sub-expression, wherever it
/// is written) one memo slot each, and returns the number of slots. MedCom invariants repeat
/// whole paths: `medcom-careCommunication-12` walks
/// `Bundle.entry.resource.ofType(Communication).recipient` three times.
///
/// Sharing is sound because a step's result depends only on its focus and the evaluation
/// context, except through `$index`, `$total` (not in the focus) and `trace()` (a side
/// effect); steps that contain them get no slot. The evaluator keeps the last result per slot
/// with the focus it was computed on.
pub(crate) fn share_repeated(plan: &mut Plan) -> usize {
    if steps(plan) > MAX_SHARED_STEPS {
        return 0;
    }
    // Keys of the steps in post-order; both walks below visit the steps in that order.
    let mut keys = Vec::new();
    shape(plan, &mut HashMap::new(), &mut keys);
    let mut counts: HashMap<u32, u32> = HashMap::new();
    for &key in keys.iter().flatten() {
        *counts.entry(key).or_insert(0) += 1;
    }
    let mut slots: HashMap<u32, u32> = HashMap::new();
    let mut next = keys.iter();
    assign(plan, &mut next, &counts, &mut slots);
    slots.len()
}

fn steps(plan: &Plan) -> usize {
    1 + children(plan).map(steps).sum::<usize>()
}

/// A step's sub-steps in evaluation order; [`children_mut`] gives the same order.
fn children(plan: &Plan) -> impl Iterator<Item = &Plan> {
    let (a, b, rest): (Option<&Plan>, Option<&Plan>, &[Plan]) = match &plan.op {
        Op::As(x, _) | Op::Is(x, _) | Op::Member(x, _) | Op::Negate(x) => (Some(x), None, &[]),
        Op::Binary(_, x, y) | Op::Index(x, y) => (Some(x), Some(y), &[]),
        Op::Call { target, args, .. } => (target.as_deref(), None, args),
        _ => (None, None, &[]),
    };
    a.into_iter().chain(b).chain(rest)
}

fn children_mut(plan: &mut Plan) -> impl Iterator<Item = &mut Plan> {
    let (a, b, rest): (Option<&mut Plan>, Option<&mut Plan>, &mut [Plan]) = match &mut plan.op {
        Op::As(x, _) | Op::Is(x, _) | Op::Member(x, _) | Op::Negate(x) => (Some(x), None, &mut []),
        Op::Binary(_, x, y) | Op::Index(x, y) => (Some(x), Some(y), &mut []),
        Op::Call { target, args, .. } => (target.as_deref_mut(), None, args),
        _ => (None, None, &mut []),
    };
    a.into_iter().chain(b).chain(rest)
}

/// Whether a step is worth a slot on its own (a leaf is cheaper to redo than to look up).
fn is_leaf(plan: &Plan) -> bool {
    matches!(
        plan.op,
        Op::Empty
            | Op::Env(_)
            | Op::IndexVar
            | Op::Literal(_)
            | Op::Root(..)
            | Op::This
            | Op::Total
    )
}

/// The step's key, or `None` when it cannot be shared; `keys` receives, in post-order, the key
/// of every step that is worth a slot. A key numbers a distinct shape: the step's own part
/// (without source offsets) and its children's keys, so equal keys mean equal sub-trees and
/// the work stays linear in the number of steps however deep they nest.
fn shape(
    plan: &Plan,
    shapes: &mut HashMap<(String, Vec<u32>), u32>,
    keys: &mut Vec<Option<u32>>,
) -> Option<u32> {
    use std::fmt::Write;
    let parts: Vec<Option<u32>> = children(plan).map(|c| shape(c, shapes, keys)).collect();
    let shareable = !matches!(
        plan.op,
        Op::IndexVar
            | Op::Total
            | Op::Call {
                func: Func::Trace,
                ..
            }
    );
    let key = if shareable && parts.iter().all(Option::is_some) {
        let mut own = String::new();
        let _ = match &plan.op {
            Op::As(_, t) => write!(own, "as {t:?}"),
            Op::Is(_, t) => write!(own, "is {t:?}"),
            Op::Binary(op, ..) => write!(own, "{op:?}"),
            Op::Call { target, func, .. } => write!(own, "call {func:?} {}", target.is_some()),
            Op::Empty => write!(own, "{{}}"),
            Op::Env(v) => write!(own, "env {v:?}"),
            Op::Index(..) => write!(own, "index"),
            Op::IndexVar | Op::Total => Ok(()),
            Op::Literal(v) => write!(own, "literal {v:?}"),
            Op::Member(_, name) => write!(own, "member {:?}", name.text),
            Op::Negate(_) => write!(own, "negate"),
            Op::Root(name, ty) => write!(own, "root {:?} {ty:?}", name.text),
            Op::This => write!(own, "this"),
        };
        let next = u32::try_from(shapes.len()).unwrap_or(u32::MAX);
        Some(
            *shapes
                .entry((own, parts.into_iter().flatten().collect()))
                .or_insert(next),
        )
    } else {
        None
    };
    keys.push(key.filter(|_| !is_leaf(plan)));
    key
}

fn assign(
    plan: &mut Plan,
    keys: &mut std::slice::Iter<'_, Option<u32>>,
    counts: &HashMap<u32, u32>,
    slots: &mut HashMap<u32, u32>,
) {
    for child in children_mut(plan) {
        assign(child, keys, counts, slots);
    }
    if let Some(&Some(key)) = keys.next() {
        if counts.get(&key).is_some_and(|&n| n > 1) {
            let next = u32::try_from(slots.len()).unwrap_or(NO_SLOT);
            plan.slot = *slots.entry(key).or_insert(next);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{compile, share_repeated};
    use crate::fhirpath::parser::parse;

    /// Expression and the number of memo slots its repeated steps get.
    #[rustfmt::skip]
    const SLOTS: &[(&str, usize)] = &[
        ("a.b = a.b", 1),
        ("a.b.c = a.b.c", 2),
        ("a.b = a.c", 0),
        ("a = a", 0),
        ("a.b.where(c = 1) | a.b.where(c = 1)", 3),
        ("a.b.select(c & $index) | a.b.select(c & $index)", 1),
        ("a.aggregate($total + 1, 0) = a.aggregate($total + 1, 0)", 0),
        ("a.b.trace('x') | a.b.trace('x')", 1),
        ("a.b.ofType(Patient) | a.b.ofType(Observation)", 1),
        ("%resource.a.b | %context.a.b", 0),
    ];

    #[test]
    fn repeated_steps_share_slots() {
        for &(text, want) in SLOTS {
            let mut plan = compile(&parse(text).unwrap()).unwrap();
            assert_eq!(share_repeated(&mut plan), want, "{text}");
        }
    }
}
