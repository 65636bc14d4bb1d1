//! FHIRPath (R4, normative N1, plus the 2.1 string and boundary functions the official suite
//! uses) over the element model.
//!
//! An expression is parsed to a syntax tree ([`ast`]), compiled once to an evaluation plan and
//! then evaluated any number of times against documents. Items of a result are model nodes
//! (borrowed, never copied) or computed System values ([`Value`]).
//!
//! Semantics chosen where FHIRPath leaves room:
//! - Choice elements are reached by their base name (`Observation.value`); the serialized
//!   names (`valueQuantity`) are accepted too unless [`EvalOptions::strict`] is set.
//! - `matches()` is a "contains a match" test, `matchesFull()` an anchored one; `.` matches
//!   line breaks. Patterns use the `regex` crate's syntax, which covers the FHIR regex
//!   dialect except look-around and back-references (an evaluation error).
//! - A date-time without a timezone compared with one that has a timezone is unknown (empty)
//!   when both have a time.
//! - [`Expression::holds`] treats an empty result as holding, as FHIR invariants do.
//! - `htmlChecks()` on a narrative `div` holds when it keeps to both R4 narrative rules, `txt-1`
//!   (the basic formatting elements and attributes of the invariant's XPath) and `txt-2` (some
//!   non-whitespace content or an image); true for anything else.
//! - Set operations compare items pairwise; [`EvalOptions`] bounds their cost, the size of
//!   every collection, string lengths and the depth of evaluation, so untrusted expressions
//!   cannot run away.
//!
//! # Examples
//!
//! ```
//! use medcom::fhirpath::{EvalContext, Expression};
//! let doc = medcom::json::parse(
//!     r#"{"resourceType":"Patient","name":[{"given":["Ann","Bo"]}],"birthDate":"1970-01-01"}"#,
//! ).unwrap();
//! let expr = Expression::parse("Patient.name.given.count() = 2 and birthDate < @2000").unwrap();
//! assert!(expr.holds(&EvalContext::new(doc.root())).unwrap());
//! ```

pub mod ast;
mod compile;
mod datetime;
mod decimal;
mod error;
mod eval;
mod functions;
mod lexer;
mod parser;
mod quantity;
mod value;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

pub use datetime::{Precision, Temporal};
pub use decimal::Decimal;
pub use error::{EvalError, EvalErrorKind, HookError, ParseError, ParseErrorKind};
pub use quantity::Quantity;
/// The inline vector a [`Collection`] is, re-exported so that callers name the very version
/// the crate uses.
pub use smallvec;
pub use value::{Collection, Item, Str, Value};

use crate::model::{Node, Type};

/// A parsed and compiled expression.
pub struct Expression {
    text: Box<str>,
    ast: ast::Expr,
    plan: compile::Plan,
    /// Memo slots of the plan's repeated steps.
    slots: usize,
}

impl fmt::Debug for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Expression").field(&self.text).finish()
    }
}

impl Expression {
    /// Parses and compiles an expression.
    ///
    /// # Errors
    ///
    /// A [`ParseError`] with the byte offset of the problem: a syntax error, an unknown
    /// function or type, a wrong number of arguments, a malformed literal.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::fhirpath::Expression;
    /// assert!(Expression::parse("name.where(use = 'official').family").is_ok());
    /// let err = Expression::parse("name.frobnicate()").unwrap_err();
    /// assert_eq!(err.to_string(), "at 5: function 'frobnicate': unknown function");
    /// ```
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let ast = parser::parse(text)?;
        let mut plan = compile::compile(&ast)?;
        let slots = compile::share_repeated(&mut plan);
        Ok(Self {
            text: text.into(),
            ast,
            plan,
            slots,
        })
    }

    /// The syntax tree.
    #[must_use]
    pub fn ast(&self) -> &ast::Expr {
        &self.ast
    }

    /// The text the expression was parsed from.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Evaluates the expression.
    ///
    /// # Errors
    ///
    /// An [`EvalError`] with the offset of the failing sub-expression: an operand of the wrong
    /// type, a collection where one item is needed, an exceeded limit, a failing hook.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::fhirpath::{EvalContext, Expression};
    /// let doc = medcom::json::parse(r#"{"resourceType":"Patient","gender":"female"}"#).unwrap();
    /// let out = Expression::parse("gender").unwrap().evaluate(&EvalContext::new(doc.root())).unwrap();
    /// assert_eq!(out[0].to_string(), "female");
    /// ```
    pub fn evaluate<'d, 'a>(
        &self,
        ctx: &EvalContext<'_, 'd, 'a>,
    ) -> Result<Collection<'d, 'a>, EvalError> {
        eval::run(&self.plan, self.slots, ctx)
    }

    /// Evaluates the expression as an invariant: it holds when the result is empty, or when
    /// it is one item that is not `false`, or when every item is `true`.
    ///
    /// # Errors
    ///
    /// As [`Self::evaluate`].
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::fhirpath::{EvalContext, Expression};
    /// let doc = medcom::json::parse(r#"{"resourceType":"Patient"}"#).unwrap();
    /// let ctx = EvalContext::new(doc.root());
    /// assert!(Expression::parse("name.exists()").unwrap().holds(&ctx).unwrap() == false);
    /// assert!(Expression::parse("name.given").unwrap().holds(&ctx).unwrap());
    /// ```
    pub fn holds(&self, ctx: &EvalContext<'_, '_, '_>) -> Result<bool, EvalError> {
        let out = self.evaluate(ctx)?;
        Ok(out
            .iter()
            .all(|i| !matches!(i.value(), Some(Value::Boolean(false)))))
    }
}

/// Hooks the validator provides for what the engine cannot know by itself.
///
/// # Examples
///
/// ```
/// use medcom::fhirpath::{EvalContext, Expression, HookError, Hooks, Item};
/// struct Genders;
/// impl Hooks for Genders {
///     fn member_of(&self, item: &Item<'_, '_>, value_set: &str) -> Result<bool, HookError> {
///         match value_set {
///             "http://hl7.org/fhir/ValueSet/administrative-gender" => {
///                 Ok(["male", "female", "other", "unknown"].contains(&item.to_string().as_str()))
///             }
///             _ => Err(HookError::Unavailable { what: "value set", url: value_set.to_owned() }),
///         }
///     }
/// }
/// let doc = medcom::json::parse(r#"{"resourceType":"Patient","gender":"female"}"#).unwrap();
/// let ctx = EvalContext::new(doc.root()).with_hooks(&Genders);
/// let expr = Expression::parse("gender.memberOf(%`vs-administrative-gender`)").unwrap();
/// assert!(expr.holds(&ctx).unwrap());
/// let expr = Expression::parse("gender.memberOf('http://example.org/vs')").unwrap();
/// assert!(expr.holds(&ctx).is_err());
/// ```
pub trait Hooks {
    /// `conformsTo(url)`. The default knows the core R4 profiles
    /// (`http://hl7.org/fhir/StructureDefinition/<Type>`) and reports anything else as not
    /// available.
    ///
    /// # Errors
    ///
    /// A [`HookError`] when the profile is unknown or cannot be checked.
    fn conforms_to(&self, node: Node<'_, '_>, url: &str) -> Result<bool, HookError> {
        let core = url
            .strip_prefix("http://hl7.org/fhir/StructureDefinition/")
            .and_then(Type::by_name)
            .ok_or_else(|| HookError::Unavailable {
                what: "profile",
                url: url.to_owned(),
            })?;
        Ok(node.ty().is_a(core))
    }

    /// `memberOf(valueSet)` for a code, Coding or CodeableConcept (node) or a string. The
    /// default reports that no terminology is available.
    ///
    /// # Errors
    ///
    /// A [`HookError`] when the value set is unknown or cannot be expanded.
    fn member_of(&self, item: &Item<'_, '_>, value_set: &str) -> Result<bool, HookError> {
        let _ = item;
        Err(HookError::Unavailable {
            what: "value set",
            url: value_set.to_owned(),
        })
    }

    /// Receives the collection of `trace(name)`; the default ignores it.
    fn trace(&self, name: &str, items: &[Item<'_, '_>]) {
        let _ = (name, items);
    }
}

/// The default [`Hooks`].
#[derive(Clone, Copy, Debug, Default)]
pub struct NoHooks;

impl Hooks for NoHooks {}

/// Limits and switches for evaluation.
///
/// # Examples
///
/// ```
/// let options = medcom::fhirpath::EvalOptions::default().with_max_items(1000);
/// assert_eq!(options.max_items, 1000);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EvalOptions {
    /// Largest collection any step may produce. Default: 100,000.
    pub max_items: usize,
    /// Deepest nesting of evaluation (sub-expressions and function arguments). Default: 256.
    pub max_depth: usize,
    /// Longest string any step may produce, in bytes. Default: 1 MiB.
    pub max_string_bytes: usize,
    /// Most item comparisons the set operations (`|`, `union`, `distinct`, `intersect`,
    /// `exclude`, `subsetOf`, `repeat`, `in`) may make in one evaluation; they compare every
    /// pair, so this bounds their quadratic cost. Default: 10,000,000.
    pub max_comparisons: usize,
    /// Names that are not elements of the type navigated from are errors, and serialized
    /// choice names (`valueQuantity`) are not accepted. Default: false.
    pub strict: bool,
    /// A sub-expression written more than once in an expression (`Bundle.entry.resource` in
    /// three places) is evaluated once per focus and its result reused. The result is the
    /// same either way; off is for comparing. Default: true.
    pub share_repeated: bool,
    /// `as(T)` on several items keeps those of type `T` (as `ofType(T)` does) instead of
    /// failing. The R4 core invariants rely on it (`dom-3`: `descendants().as(canonical)`), and
    /// the official validator evaluates them so. Default: false (the FHIRPath specification).
    pub as_filters: bool,
}

impl Default for EvalOptions {
    fn default() -> Self {
        Self {
            max_items: 100_000,
            max_depth: 256,
            max_string_bytes: 1 << 20,
            max_comparisons: 10_000_000,
            strict: false,
            share_repeated: true,
            as_filters: false,
        }
    }
}

impl EvalOptions {
    /// Sets [`Self::max_items`].
    #[must_use]
    pub fn with_max_items(mut self, limit: usize) -> Self {
        self.max_items = limit;
        self
    }

    /// Sets [`Self::max_depth`].
    #[must_use]
    pub fn with_max_depth(mut self, limit: usize) -> Self {
        self.max_depth = limit;
        self
    }

    /// Sets [`Self::max_string_bytes`].
    #[must_use]
    pub fn with_max_string_bytes(mut self, limit: usize) -> Self {
        self.max_string_bytes = limit;
        self
    }

    /// Sets [`Self::max_comparisons`].
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::fhirpath::{EvalContext, EvalOptions, Expression};
    /// let doc = medcom::json::parse(r#"{"resourceType":"Basic"}"#).unwrap();
    /// // A quadratic set operation over an untrusted expression stops at the limit.
    /// let expr = Expression::parse("(1 | 2 | 3 | 4 | 5 | 6 | 7 | 8).distinct().count()").unwrap();
    /// let tight = EvalContext::new(doc.root())
    ///     .with_options(EvalOptions::default().with_max_comparisons(10));
    /// assert!(expr.evaluate(&tight).is_err());
    /// assert_eq!(expr.evaluate(&EvalContext::new(doc.root())).unwrap()[0].to_string(), "8");
    /// ```
    #[must_use]
    pub fn with_max_comparisons(mut self, limit: usize) -> Self {
        self.max_comparisons = limit;
        self
    }

    /// Sets [`Self::strict`].
    #[must_use]
    pub fn with_strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Sets [`Self::as_filters`].
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::fhirpath::{EvalContext, EvalOptions, Expression};
    /// let doc = medcom::json::parse(r#"{"resourceType":"Patient","name":[{"family":"a"},{"family":"b"}]}"#).unwrap();
    /// let e = Expression::parse("Patient.name.as(HumanName).family").unwrap();
    /// assert!(e.evaluate(&EvalContext::new(doc.root())).is_err());
    /// let lenient = EvalContext::new(doc.root()).with_options(EvalOptions::default().with_as_filters(true));
    /// assert_eq!(e.evaluate(&lenient).unwrap().len(), 2);
    /// ```
    #[must_use]
    pub fn with_as_filters(mut self, filters: bool) -> Self {
        self.as_filters = filters;
        self
    }

    /// Sets [`Self::share_repeated`].
    #[must_use]
    pub fn with_share_repeated(mut self, share: bool) -> Self {
        self.share_repeated = share;
        self
    }
}

/// What an expression is evaluated against: `%resource` (and `%rootResource`), `%context`
/// (where evaluation starts), hooks, limits and user variables.
///
/// # Examples
///
/// ```
/// use medcom::fhirpath::{EvalContext, Expression};
/// let doc = medcom::json::parse(r#"{"resourceType":"Patient","gender":"male"}"#).unwrap();
/// let gender = doc.root().child("gender").unwrap();
/// let ctx = EvalContext::new(doc.root()).with_context(gender);
/// let out = Expression::parse("$this = 'male' and %resource.gender.exists()").unwrap()
///     .evaluate(&ctx).unwrap();
/// assert_eq!(out[0].to_string(), "true");
/// ```
pub struct EvalContext<'e, 'd, 'a> {
    pub(crate) resource: Node<'d, 'a>,
    pub(crate) root_resource: Node<'d, 'a>,
    pub(crate) context: Node<'d, 'a>,
    pub(crate) hooks: &'e dyn Hooks,
    pub(crate) options: EvalOptions,
    pub(crate) variables: Vec<(String, Collection<'d, 'a>)>,
}

impl fmt::Debug for EvalContext<'_, '_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EvalContext")
            .field("resource", &self.resource)
            .field("context", &self.context)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<'e, 'd, 'a> EvalContext<'e, 'd, 'a> {
    /// Evaluation against a resource, which is also `%context` and `%rootResource`.
    #[must_use]
    pub fn new(resource: Node<'d, 'a>) -> Self {
        Self {
            resource,
            root_resource: resource,
            context: resource,
            hooks: &NoHooks,
            options: EvalOptions::default(),
            variables: Vec::new(),
        }
    }

    /// Sets `%context`, where evaluation starts (the element an invariant is defined on).
    #[must_use]
    pub fn with_context(mut self, context: Node<'d, 'a>) -> Self {
        self.context = context;
        self
    }

    /// Sets `%rootResource` (the Bundle or container of `%resource`).
    #[must_use]
    pub fn with_root_resource(mut self, root: Node<'d, 'a>) -> Self {
        self.root_resource = root;
        self
    }

    /// Sets the hooks.
    #[must_use]
    pub fn with_hooks(mut self, hooks: &'e dyn Hooks) -> Self {
        self.hooks = hooks;
        self
    }

    /// Sets the options.
    #[must_use]
    pub fn with_options(mut self, options: EvalOptions) -> Self {
        self.options = options;
        self
    }

    /// Defines `%name`.
    #[must_use]
    pub fn with_variable(mut self, name: &str, value: Collection<'d, 'a>) -> Self {
        self.variables.push((name.to_owned(), value));
        self
    }
}

/// Compile-once cache from expression text to [`Expression`], safe to share between threads.
///
/// # Examples
///
/// ```
/// let cache = medcom::fhirpath::Cache::default();
/// let a = cache.get("name.exists()").unwrap();
/// let b = cache.get("name.exists()").unwrap();
/// assert!(std::sync::Arc::ptr_eq(&a, &b));
/// ```
#[derive(Debug, Default)]
pub struct Cache {
    map: Mutex<HashMap<Box<str>, Arc<Expression>>>,
}

impl Cache {
    /// The compiled expression for `text`, compiling it on first use.
    ///
    /// # Errors
    ///
    /// The [`ParseError`] of [`Expression::parse`] (errors are not cached).
    pub fn get(&self, text: &str) -> Result<Arc<Expression>, ParseError> {
        if let Some(e) = self.lock().get(text) {
            return Ok(Arc::clone(e));
        }
        let expr = Arc::new(Expression::parse(text)?);
        self.lock().insert(text.into(), Arc::clone(&expr));
        Ok(expr)
    }

    /// Number of cached expressions.
    #[must_use]
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether the cache is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Box<str>, Arc<Expression>>> {
        // A panic while holding the lock leaves the map intact, so poisoning is ignored.
        self.map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::{Cache, Expression};

    fn shared_between_threads<T: Send + Sync>() {}

    #[test]
    fn compiled_expressions_are_shareable() {
        shared_between_threads::<Expression>();
        shared_between_threads::<Cache>();
    }
}
