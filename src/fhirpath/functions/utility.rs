//! Utility: `trace`, `now`, `today`, `timeOfDay`, `not`, `iif`, `type`.

use super::{one, Call, Out};
use crate::fhirpath::compile::Func;
use crate::fhirpath::datetime::{self, Precision};
use crate::fhirpath::eval::{bad_operand, singleton, to_bool, Env};
use crate::fhirpath::value::{Collection, Item, Value};

pub(super) fn call<'d, 'a>(
    c: &mut Call<'_, '_, '_, 'd, 'a>,
    f: &Func,
    input: Collection<'d, 'a>,
) -> Out<'d, 'a> {
    Ok(match f {
        Func::Trace => {
            let name = c.arg_string(0, "trace")?.unwrap_or_default();
            if c.args.len() > 1 {
                let mut projected = Collection::new();
                for (i, item) in input.iter().enumerate() {
                    projected.extend(c.lambda(1, item, i, None)?);
                }
                c.ev.ctx.hooks.trace(&name, &projected);
            } else {
                c.ev.ctx.hooks.trace(&name, &input);
            }
            input
        }
        Func::Now => one(Value::DateTime(datetime::now())),
        Func::Today => {
            let mut t = datetime::now();
            t.precision = Precision::Day;
            t.hour = 0;
            t.minute = 0;
            t.second = 0;
            t.millis = 0;
            t.offset = None;
            one(Value::Date(t))
        }
        Func::TimeOfDay => {
            let mut t = datetime::now();
            t.year = 0;
            t.month = 1;
            t.day = 1;
            t.offset = None;
            one(Value::Time(t))
        }
        Func::Not => match to_bool(&input, "not", c.pos)? {
            Some(b) => one(Value::Boolean(!b)),
            None => Collection::new(),
        },
        Func::Iif => {
            // With an input, the branches see it as `$this`.
            let this = singleton(&input, "iif", c.pos)?.cloned();
            let scope = this.as_ref().unwrap_or(c.env.this);
            let env = Env {
                this: scope,
                index: c.env.index,
                total: c.env.total,
            };
            let focus = std::slice::from_ref(scope);
            let cond = c.ev.eval(&c.args[0], focus, env)?;
            let strict = c.ev.ctx.options.strict;
            if strict
                && cond
                    .iter()
                    .any(|i| !matches!(i.value(), Some(Value::Boolean(_))))
            {
                return Err(bad_operand("iif", "a Boolean criterion", c.pos));
            }
            let branch = if to_bool(&cond, "iif", c.pos)? == Some(true) {
                1
            } else {
                2
            };
            match c.args.get(branch) {
                Some(plan) => c.ev.eval(plan, focus, env)?,
                None => Collection::new(),
            }
        }
        _ => input
            .iter()
            .map(|i| match i {
                Item::Node(n) => Item::Type {
                    namespace: "FHIR",
                    name: n.ty().name(),
                },
                Item::Value(v) => Item::Type {
                    namespace: "System",
                    name: v.type_name(),
                },
                Item::Type { .. } => Item::Type {
                    namespace: "System",
                    name: "Any",
                },
            })
            .collect(),
    })
}
