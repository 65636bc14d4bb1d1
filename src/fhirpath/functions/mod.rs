//! Function dispatch and the helpers every group uses; one group of functions per file.

mod boundary;
mod combining;
mod conversion;
mod existence;
mod fhir;
mod filtering;
mod math;
mod strings;
mod subsetting;
mod tree;
mod utility;

use super::compile::{Func, Plan};
use super::error::{EvalError, EvalErrorKind};
use super::eval::{bad_operand, err, singleton, Env, Evaluator};
use super::value::{Collection, Item, Str, Value};

type Out<'d, 'a> = Result<Collection<'d, 'a>, EvalError>;

/// Calls a function on its input collection.
pub(crate) fn call<'d, 'a>(
    ev: &mut Evaluator<'_, '_, 'd, 'a>,
    func: &Func,
    input: Collection<'d, 'a>,
    args: &[Plan],
    env: Env<'_, 'd, 'a>,
    pos: usize,
) -> Out<'d, 'a> {
    let mut c = Call { ev, args, env, pos };
    use Func as F;
    match func {
        F::Empty
        | F::Exists
        | F::All
        | F::AllTrue
        | F::AnyTrue
        | F::AllFalse
        | F::AnyFalse
        | F::SubsetOf
        | F::SupersetOf
        | F::Count
        | F::Distinct
        | F::IsDistinct => existence::call(&mut c, func, input),
        F::Where | F::Select | F::Repeat | F::Typed(..) | F::Sort | F::Aggregate => {
            filtering::call(&mut c, func, input)
        }
        F::Single
        | F::First
        | F::Last
        | F::Tail
        | F::Skip
        | F::Take
        | F::Intersect
        | F::Exclude => subsetting::call(&mut c, func, input),
        F::Union | F::Combine => combining::call(&mut c, func, input),
        F::ToBoolean
        | F::ConvertsToBoolean
        | F::ToInteger
        | F::ConvertsToInteger
        | F::ToDecimal
        | F::ConvertsToDecimal
        | F::ToString
        | F::ConvertsToString
        | F::ToDate
        | F::ConvertsToDate
        | F::ToDateTime
        | F::ConvertsToDateTime
        | F::ToTime
        | F::ConvertsToTime
        | F::ToQuantity
        | F::ConvertsToQuantity => conversion::call(&mut c, func, input),
        F::IndexOf
        | F::Substring
        | F::StartsWith
        | F::EndsWith
        | F::Contains
        | F::Upper
        | F::Lower
        | F::Replace
        | F::Regex(..)
        | F::Length
        | F::ToChars
        | F::Trim
        | F::Split
        | F::Join
        | F::Encode
        | F::Decode
        | F::Escape
        | F::Unescape => strings::call(&mut c, func, input),
        F::Abs
        | F::Ceiling
        | F::Exp
        | F::Floor
        | F::Ln
        | F::Log
        | F::Power
        | F::Round
        | F::Sqrt
        | F::Truncate => math::call(&mut c, func, input),
        F::Children | F::Descendants => tree::call(&mut c, func, input),
        F::LowBoundary | F::HighBoundary | F::Precision | F::Comparable => {
            boundary::call(&mut c, func, input)
        }
        F::Extension
        | F::HasValue
        | F::GetValue
        | F::Resolve
        | F::ConformsTo
        | F::MemberOf
        | F::HtmlChecks => fhir::call(&mut c, func, input),
        F::Trace | F::Now | F::Today | F::TimeOfDay | F::Not | F::Iif | F::Type => {
            utility::call(&mut c, func, input)
        }
    }
}

/// One call in progress: the evaluator, the unevaluated arguments and the scope.
pub(crate) struct Call<'x, 'c, 'e, 'd, 'a> {
    ev: &'x mut Evaluator<'c, 'e, 'd, 'a>,
    args: &'x [Plan],
    env: Env<'x, 'd, 'a>,
    pos: usize,
}

impl<'d, 'a> Call<'_, '_, '_, 'd, 'a> {
    /// Evaluates argument `i` against `$this` of the enclosing scope.
    fn arg(&mut self, i: usize) -> Out<'d, 'a> {
        let Some(plan) = self.args.get(i) else {
            return Ok(Collection::new());
        };
        let env = self.env;
        self.ev.eval(plan, std::slice::from_ref(env.this), env)
    }

    /// Argument `i` as one value (`None` when empty or absent).
    fn arg_value(&mut self, i: usize, name: &'static str) -> Result<Option<Value<'d>>, EvalError> {
        let c = self.arg(i)?;
        Ok(singleton(&c, name, self.pos)?.and_then(Item::value))
    }

    /// Argument `i` as a string, borrowed (literals are shared, not copied).
    fn arg_string(&mut self, i: usize, name: &'static str) -> Result<Option<Str<'d>>, EvalError> {
        match self.arg_value(i, name)? {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(bad_operand(name, "a string argument", self.pos)),
        }
    }

    fn arg_int(&mut self, i: usize, name: &'static str) -> Result<Option<i64>, EvalError> {
        match self.arg_value(i, name)? {
            None => Ok(None),
            Some(Value::Integer(n)) => Ok(Some(n)),
            Some(_) => Err(bad_operand(name, "an integer argument", self.pos)),
        }
    }

    /// Evaluates argument `i` with `item` as `$this` (and the focus).
    fn lambda(
        &mut self,
        i: usize,
        item: &Item<'d, 'a>,
        index: usize,
        total: Option<&Collection<'d, 'a>>,
    ) -> Out<'d, 'a> {
        let Some(plan) = self.args.get(i) else {
            return Ok(Collection::new());
        };
        let env = Env {
            this: item,
            index,
            total,
        };
        self.ev.eval(plan, std::slice::from_ref(item), env)
    }

    fn charge(&mut self, comparisons: usize) -> Result<(), EvalError> {
        self.ev.charge(comparisons, self.pos)
    }

    fn check_size(&self, n: usize) -> Result<(), EvalError> {
        self.ev.check_size(n, self.pos)
    }

    fn error(&self, function: &'static str, reason: &'static str) -> EvalError {
        err(EvalErrorKind::BadArgument { function, reason }, self.pos)
    }
}

/// The one value of an input collection (`None` when empty or valueless).
fn input_value<'d>(
    input: &[Item<'d, '_>],
    name: &'static str,
    pos: usize,
) -> Result<Option<Value<'d>>, EvalError> {
    Ok(singleton(input, name, pos)?.and_then(Item::value))
}

fn one<'d, 'a>(v: Value<'d>) -> Collection<'d, 'a> {
    smallvec::smallvec![Item::Value(v)]
}

fn boolean<'d, 'a>(b: bool) -> Collection<'d, 'a> {
    one(Value::Boolean(b))
}
