//! The evaluator: walks a plan over collections, bounded in depth and collection size.

mod navigate;
mod operators;

pub(crate) use operators::union_into;

use super::compile::{EnvVar, Op, Plan, TypeSpec, NO_SLOT};
use super::error::{EvalError, EvalErrorKind};
use super::functions;
use super::value::{Collection, Item, Value};
use super::EvalContext;
use crate::model::Node;

/// The variables in scope: `$this`, `$index`, `$total`.
#[derive(Clone, Copy)]
pub(crate) struct Env<'x, 'd, 'a> {
    pub(crate) this: &'x Item<'d, 'a>,
    pub(crate) index: usize,
    pub(crate) total: Option<&'x Collection<'d, 'a>>,
}

pub(crate) struct Evaluator<'c, 'e, 'd, 'a> {
    pub(crate) ctx: &'c EvalContext<'e, 'd, 'a>,
    depth: usize,
    comparisons: usize,
    /// Per memo slot of the plan, the last result and the node it was the focus of.
    memo: Vec<Option<(Node<'d, 'a>, Collection<'d, 'a>)>>,
}

pub(crate) fn run<'d, 'a>(
    plan: &Plan,
    slots: usize,
    ctx: &EvalContext<'_, 'd, 'a>,
) -> Result<Collection<'d, 'a>, EvalError> {
    let mut ev = Evaluator {
        ctx,
        depth: 0,
        comparisons: 0,
        memo: std::iter::repeat_with(|| None)
            .take(if ctx.options.share_repeated { slots } else { 0 })
            .collect(),
    };
    let this = Item::Node(ctx.context);
    let env = Env {
        this: &this,
        index: 0,
        total: None,
    };
    ev.eval(plan, std::slice::from_ref(&this), env)
}

pub(crate) fn err(kind: EvalErrorKind, pos: usize) -> EvalError {
    EvalError::new(kind, pos)
}

pub(crate) fn bad_operand(
    operation: &'static str,
    expected: &'static str,
    pos: usize,
) -> EvalError {
    err(
        EvalErrorKind::BadOperand {
            operation,
            expected,
        },
        pos,
    )
}

/// The one item of a collection, `None` when empty, an error when there are several.
pub(crate) fn singleton<'x, 'd, 'a>(
    c: &'x [Item<'d, 'a>],
    operation: &'static str,
    pos: usize,
) -> Result<Option<&'x Item<'d, 'a>>, EvalError> {
    match c {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        _ => Err(err(EvalErrorKind::NotSingleton { operation }, pos)),
    }
}

/// Singleton evaluation to a Boolean: empty is unknown, one Boolean is itself, any other single
/// item is true.
pub(crate) fn to_bool(
    c: &[Item<'_, '_>],
    operation: &'static str,
    pos: usize,
) -> Result<Option<bool>, EvalError> {
    Ok(singleton(c, operation, pos)?.map(|i| !matches!(i.value(), Some(Value::Boolean(false)))))
}

pub(crate) fn boolean<'d, 'a>(b: Option<bool>) -> Collection<'d, 'a> {
    b.map(|b| smallvec::smallvec![Item::Value(Value::Boolean(b))])
        .unwrap_or_default()
}

impl<'c, 'e, 'd, 'a> Evaluator<'c, 'e, 'd, 'a> {
    /// Checks the collection size limit.
    pub(crate) fn check_size(&self, n: usize, pos: usize) -> Result<(), EvalError> {
        if n > self.ctx.options.max_items {
            return Err(err(
                EvalErrorKind::Limit {
                    limit: "collection size",
                },
                pos,
            ));
        }
        Ok(())
    }

    /// Accounts for `n` item comparisons of a set operation.
    pub(crate) fn charge(&mut self, n: usize, pos: usize) -> Result<(), EvalError> {
        self.comparisons = self.comparisons.saturating_add(n);
        if self.comparisons > self.ctx.options.max_comparisons {
            return Err(err(
                EvalErrorKind::Limit {
                    limit: "item comparisons",
                },
                pos,
            ));
        }
        Ok(())
    }

    /// Checks the string length limit.
    pub(crate) fn check_string(&self, n: usize, pos: usize) -> Result<(), EvalError> {
        if n > self.ctx.options.max_string_bytes {
            return Err(err(
                EvalErrorKind::Limit {
                    limit: "string length",
                },
                pos,
            ));
        }
        Ok(())
    }

    pub(crate) fn eval(
        &mut self,
        plan: &Plan,
        focus: &[Item<'d, 'a>],
        env: Env<'_, 'd, 'a>,
    ) -> Result<Collection<'d, 'a>, EvalError> {
        self.depth += 1;
        if self.depth > self.ctx.options.max_depth {
            self.depth -= 1;
            return Err(err(
                EvalErrorKind::Limit {
                    limit: "evaluation depth",
                },
                plan.pos,
            ));
        }
        // A repeated step on a one-node focus (which is `$this`, as everywhere a step is
        // evaluated): the same result as last time on that node.
        let shared = match (plan.slot, focus, env.this) {
            (NO_SLOT, ..) => None,
            (slot, [Item::Node(n)], Item::Node(this)) if n == this => Some((*n, slot as usize)),
            _ => None,
        };
        if let Some((n, slot)) = shared {
            if let Some(Some((seen, out))) = self.memo.get(slot) {
                if *seen == n {
                    self.depth -= 1;
                    return Ok(out.clone());
                }
            }
        }
        let out = self.eval_inner(plan, focus, env);
        self.depth -= 1;
        let out = out?;
        self.check_size(out.len(), plan.pos)?;
        if let Some((n, slot)) = shared {
            if let Some(entry) = self.memo.get_mut(slot) {
                *entry = Some((n, out.clone()));
            }
        }
        Ok(out)
    }

    fn eval_inner(
        &mut self,
        plan: &Plan,
        focus: &[Item<'d, 'a>],
        env: Env<'_, 'd, 'a>,
    ) -> Result<Collection<'d, 'a>, EvalError> {
        let pos = plan.pos;
        Ok(match &plan.op {
            Op::Literal(v) => smallvec::smallvec![Item::Value(v.clone())],
            Op::Empty => Collection::new(),
            Op::This => smallvec::smallvec![env.this.clone()],
            Op::IndexVar => smallvec::smallvec![Item::Value(Value::Integer(
                i64::try_from(env.index).unwrap_or(i64::MAX),
            ))],
            Op::Total => env.total.cloned().unwrap_or_default(),
            Op::Env(v) => self.env_var(v, pos)?,
            Op::Root(name, ty) => self.root(focus, name, *ty, pos)?,
            Op::Member(target, name) => {
                let items = self.eval(target, focus, env)?;
                self.members(&items, name, pos)?
            }
            Op::Index(target, index) => {
                let items = self.eval(target, focus, env)?;
                let idx = self.eval(index, std::slice::from_ref(env.this), env)?;
                match singleton(&idx, "[]", index.pos)?.and_then(Item::value) {
                    Some(Value::Integer(i)) => usize::try_from(i)
                        .ok()
                        .and_then(|i| items.into_iter().nth(i))
                        .into_iter()
                        .collect(),
                    None => Collection::new(),
                    Some(_) => return Err(bad_operand("[]", "an integer index", index.pos)),
                }
            }
            Op::Call { target, func, args } => {
                let input = match target {
                    Some(t) => self.eval(t, focus, env)?,
                    None => focus.iter().cloned().collect::<Collection<'_, '_>>(),
                };
                functions::call(self, func, input, args, env, pos)?
            }
            Op::Binary(op, a, b) => self.binary(*op, a, b, focus, env, pos)?,
            Op::Negate(a) => {
                let items = self.eval(a, focus, env)?;
                operators::negate(&items, pos)?
            }
            Op::Is(a, t) => {
                let items = self.eval(a, focus, env)?;
                boolean(singleton(&items, "is", pos)?.map(|i| is_type(i, *t, false)))
            }
            Op::As(a, t) => {
                let items = self.eval(a, focus, env)?;
                items.into_iter().filter(|i| is_type(i, *t, true)).collect()
            }
        })
    }

    fn env_var(&self, v: &EnvVar, pos: usize) -> Result<Collection<'d, 'a>, EvalError> {
        let ctx = self.ctx;
        Ok(match v {
            EnvVar::Constant(c) => smallvec::smallvec![Item::Value(c.clone())],
            EnvVar::Context => smallvec::smallvec![Item::Node(ctx.context)],
            EnvVar::Resource => smallvec::smallvec![Item::Node(ctx.resource)],
            EnvVar::RootResource => smallvec::smallvec![Item::Node(ctx.root_resource)],
            EnvVar::User(name) => ctx
                .variables
                .iter()
                .rev()
                .find(|(n, _)| n == name)
                .map(|(_, c)| c.clone())
                .ok_or_else(|| err(EvalErrorKind::UnknownVariable { name: name.clone() }, pos))?,
        })
    }
}

/// Whether an item is of a type: for `is`, the type or a specialization of it; for `as` and
/// `ofType` (`exact`), primitive FHIR types must match exactly (a `code` is not `as(string)`).
pub(crate) fn is_type(item: &Item<'_, '_>, t: TypeSpec, exact: bool) -> bool {
    match item {
        Item::Node(n) => t.fhir.is_some_and(|f| {
            let ty = n.ty();
            if exact && f.primitive().is_some() {
                ty == f
            } else {
                ty.is_a(f)
            }
        }),
        Item::Value(v) => t.system.is_some_and(|s| s == "Any" || s == v.type_name()),
        Item::Type { .. } => false,
    }
}

#[cfg(test)]
mod tests {
    use crate::fhirpath::{EvalContext, EvalOptions, Expression};

    const BUNDLE: &str = r##"{"resourceType":"Bundle","id":"b","type":"message","entry":[
        {"fullUrl":"MessageHeader/mh","resource":{"resourceType":"MessageHeader","id":"mh",
         "eventCoding":{"code":"care-communication-message"},"source":{"endpoint":"x"},
         "sender":{"reference":"Organization/o"},"focus":[{"reference":"https://medcomfhir.dk/ig/x/Communication/c"}]}},
        {"fullUrl":"https://medcomfhir.dk/ig/x/Organization/o","resource":{"resourceType":"Organization","id":"o","name":"Sender"}},
        {"fullUrl":"https://medcomfhir.dk/ig/x/Communication/c","resource":{"resourceType":"Communication","id":"c",
         "contained":[{"resourceType":"Patient","id":"p1","gender":"female"}],
         "status":"unknown","subject":{"reference":"#p1"},
         "sent":"2024-02-29T10:00:00+01:00",
         "payload":[{"contentString":"Hej"},{"contentString":"Farvel"}]}},
        {"fullUrl":"https://medcomfhir.dk/ig/x/Observation/ob","resource":{"resourceType":"Observation","id":"ob",
         "status":"final","code":{"text":"w"},"valueQuantity":{"value":81.50,"system":"http://unitsofmeasure.org","code":"kg"}}}]}"##;

    /// Expression, expected result items (printed, joined by `,`) or `error@OFFSET`.
    const CASES: &[(&str, &str)] = &[
        ("entry[0].resource.sender.resolve().name", "Sender"),
        ("entry[0].resource.focus.resolve().id", "c"),
        (
            "entry.resource.ofType(Communication).subject.resolve().gender",
            "female",
        ),
        ("'Organization/o'.resolve().name", "Sender"),
        ("entry.resource.ofType(Observation).value.value", "81.50"),
        (
            "entry.resource.ofType(Observation).valueQuantity.code",
            "kg",
        ),
        ("entry.resource.ofType(Observation).value > 80 'kg'", "true"),
        (
            "entry.resource.ofType(Observation).value = 81500 'g'",
            "true",
        ),
        (
            "entry.resource.ofType(Communication).sent + 1 day",
            "2024-03-01T10:00:00+01:00",
        ),
        (
            "entry.resource.ofType(Communication).payload.content.join('|')",
            "Hej|Farvel",
        ),
        ("Bundle.entry.count()", "4"),
        ("Patient.id", ""),
        ("entry.resource.where($this is Organization).name", "Sender"),
        ("(1 | 2) + 1", "error@8"),
        ("entry.resource.id.single()", "error@18"),
        ("'a'.matches('(')", "error@4"),
        ("1 + 'a'", "error@2"),
    ];

    fn show(expr: &str, options: EvalOptions) -> String {
        let doc = crate::json::parse(BUNDLE).unwrap();
        let ctx = EvalContext::new(doc.root()).with_options(options);
        let result = Expression::parse(expr).unwrap().evaluate(&ctx);
        match result {
            Ok(items) => items
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(","),
            Err(e) => format!("error@{}", e.offset()),
        }
    }

    #[test]
    fn evaluation_cases() {
        for (expr, want) in CASES {
            assert_eq!(show(expr, EvalOptions::default()), *want, "{expr}");
        }
    }

    #[test]
    fn limits_bound_untrusted_expressions() {
        let small = EvalOptions::default().with_max_items(3);
        assert_eq!(show("descendants()", small.clone()), "error@0");
        assert_eq!(show("(1 | 2)", small), "1,2");
        let shallow = EvalOptions::default().with_max_depth(8);
        assert_eq!(show("((((((((((1))))))))))", shallow.clone()), "1");
        assert!(show("1+1+1+1+1+1+1+1+1+1", shallow).starts_with("error@"));
        let few = EvalOptions::default().with_max_comparisons(10);
        assert_eq!(show("(1 | 2 | 3 | 4)", few.clone()), "error@7");
        assert_eq!(show("(1 | 2)", few), "1,2");
        let short = EvalOptions::default().with_max_string_bytes(4);
        assert!(show("'abc' & 'def'", short).starts_with("error@"));
    }

    #[test]
    fn strict_mode_rejects_unknown_names() {
        let strict = EvalOptions::default().with_strict(true);
        assert_eq!(show("entry.bogus", strict.clone()), "error@6");
        assert_eq!(
            show(
                "entry.resource.ofType(Observation).valueQuantity",
                strict.clone()
            ),
            "error@35"
        );
        assert_eq!(show("Patient.id", strict), "error@0");
    }
}
