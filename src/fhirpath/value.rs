//! Items of a collection: model nodes (borrowed, never copied) and computed System values.

use std::cmp::Ordering;
use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use super::datetime::{Temporal, TemporalKind};
use super::decimal::Decimal;
use super::quantity::{Quantity, CALENDAR_WORDS};
use crate::model::{Node, PrimitiveKind, Type};

/// A string value: borrowed from the document, or shared (literals and computed strings).
#[derive(Clone, Debug)]
pub enum Str<'d> {
    /// Text of a primitive element.
    Doc(&'d str),
    /// A literal or computed string.
    Shared(Arc<str>),
}

impl Str<'_> {
    /// The text.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(medcom::fhirpath::Str::Doc("a").as_str(), "a");
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        self
    }
}

impl Default for Str<'_> {
    fn default() -> Self {
        Self::Doc("")
    }
}

impl Deref for Str<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            Self::Doc(s) => s,
            Self::Shared(s) => s,
        }
    }
}

impl From<String> for Str<'_> {
    fn from(s: String) -> Self {
        Self::Shared(Arc::from(s))
    }
}

/// A FHIRPath System value.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Value<'d> {
    /// `System.Boolean`
    Boolean(bool),
    /// `System.Date`
    Date(Temporal),
    /// `System.DateTime`
    DateTime(Temporal),
    /// `System.Decimal`
    Decimal(Decimal),
    /// `System.Integer`
    Integer(i64),
    /// `System.Quantity`
    Quantity(Quantity),
    /// `System.String`
    String(Str<'d>),
    /// `System.Time`
    Time(Temporal),
}

impl<'d> Value<'d> {
    /// A shared string value.
    #[must_use]
    pub fn string(s: impl Into<String>) -> Self {
        Self::String(Str::from(s.into()))
    }

    /// The System type name (`Integer`, `DateTime`).
    #[must_use]
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Boolean(_) => "Boolean",
            Self::Date(_) => "Date",
            Self::DateTime(_) => "DateTime",
            Self::Decimal(_) => "Decimal",
            Self::Integer(_) => "Integer",
            Self::Quantity(_) => "Quantity",
            Self::String(_) => "String",
            Self::Time(_) => "Time",
        }
    }

    /// The value as a decimal, for Integer and Decimal.
    pub(crate) fn as_decimal(&self) -> Option<Decimal> {
        match self {
            Self::Integer(i) => Some(Decimal::from_int(*i)),
            Self::Decimal(d) => Some(*d),
            _ => None,
        }
    }
}

impl fmt::Display for Value<'_> {
    /// The `toString()` form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Boolean(b) => write!(f, "{b}"),
            Self::Date(t) => t.write(f, TemporalKind::Date),
            Self::DateTime(t) => t.write(f, TemporalKind::DateTime),
            Self::Decimal(d) => write!(f, "{d}"),
            Self::Integer(i) => write!(f, "{i}"),
            Self::Quantity(q) => {
                if CALENDAR_WORDS.contains(&&*q.unit) {
                    write!(f, "{} {}", q.value, q.unit)
                } else {
                    write!(f, "{} '{}'", q.value, q.unit)
                }
            }
            Self::String(s) => f.write_str(s),
            Self::Time(t) => t.write(f, TemporalKind::Time),
        }
    }
}

/// One item of a collection.
///
/// # Examples
///
/// ```
/// use medcom::fhirpath::{EvalContext, Expression, Item, Value};
/// let doc = medcom::json::parse(r#"{"resourceType":"Patient","birthDate":"1970-01-01"}"#).unwrap();
/// let ctx = EvalContext::new(doc.root());
/// let out = Expression::parse("birthDate | 1 + 1").unwrap().evaluate(&ctx).unwrap();
/// assert!(matches!(out[0], Item::Node(n) if n.name() == "birthDate"));
/// assert!(matches!(out[0].value(), Some(Value::Date(_))));
/// assert!(matches!(out[1], Item::Value(Value::Integer(2))));
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Item<'d, 'a> {
    /// An element of the document.
    Node(Node<'d, 'a>),
    /// Type information, the result of `type()`.
    Type {
        /// `System` or `FHIR`.
        namespace: &'static str,
        /// The type name.
        name: &'static str,
    },
    /// A computed value.
    Value(Value<'d>),
}

/// A collection: the result of every expression.
pub type Collection<'d, 'a> = smallvec::SmallVec<[Item<'d, 'a>; 1]>;

pub(crate) fn quantity_type() -> Type {
    static T: OnceLock<Type> = OnceLock::new();
    // The generated table always holds Quantity; the fallback is never used.
    *T.get_or_init(|| Type::by_name("Quantity").unwrap_or(Type(0)))
}

/// The System value of a primitive node (or of a Quantity node); `None` without a value.
pub(crate) fn node_value<'d>(node: Node<'d, '_>) -> Option<Value<'d>> {
    let ty = node.ty();
    let Some(kind) = ty.primitive() else {
        if ty.is_a(quantity_type()) {
            return quantity_of(node).map(Value::Quantity);
        }
        return None;
    };
    let text = node.value()?;
    if is_string_kind(kind) {
        return Some(Value::String(Str::Doc(text)));
    }
    Some(match kind {
        PrimitiveKind::Boolean => Value::Boolean(text == "true"),
        PrimitiveKind::Integer | PrimitiveKind::PositiveInt | PrimitiveKind::UnsignedInt => {
            Value::Integer(text.parse().ok()?)
        }
        PrimitiveKind::Decimal => Value::Decimal(Decimal::from_json_number(text)?),
        PrimitiveKind::Date => Value::Date(Temporal::parse_date(text)?),
        PrimitiveKind::DateTime | PrimitiveKind::Instant => {
            Value::DateTime(Temporal::parse_date_time(text)?)
        }
        PrimitiveKind::Time => Value::Time(Temporal::parse_time(text)?),
        _ => Value::String(Str::Doc(text)),
    })
}

/// A Quantity node as a System quantity: the UCUM code when the system is UCUM (or absent),
/// else the human unit.
fn quantity_of(node: Node<'_, '_>) -> Option<Quantity> {
    let value = Decimal::from_json_number(node.child_value("value")?)?;
    let system = node.child_value("system");
    let code = node.child_value("code");
    let unit = match (system, code) {
        (Some("http://unitsofmeasure.org") | None, Some(c)) => c,
        _ => node.child_value("unit").or(code).unwrap_or("1"),
    };
    Some(Quantity::new(value, unit))
}

impl<'d, 'a> Item<'d, 'a> {
    /// The System value of the item (a primitive node's converted value), if it has one.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::fhirpath::{EvalContext, Expression, Value};
    /// let doc = medcom::json::parse(r#"{"resourceType":"Patient","birthDate":"1970-01-01"}"#).unwrap();
    /// let out = Expression::parse("birthDate | (1 + 2)").unwrap()
    ///     .evaluate(&EvalContext::new(doc.root())).unwrap();
    /// // A node of the document, converted to a System date, then a computed integer.
    /// assert_eq!(out[0].node().map(|n| n.name()), Some("birthDate"));
    /// assert_eq!(out[0].value().map(|v| v.type_name()), Some("Date"));
    /// assert_eq!(out[1].node(), None);
    /// assert!(matches!(out[1].value(), Some(Value::Integer(3))));
    /// ```
    #[must_use]
    pub fn value(&self) -> Option<Value<'d>> {
        match self {
            Self::Node(n) => node_value(*n),
            Self::Value(v) => Some(v.clone()),
            Self::Type { .. } => None,
        }
    }

    /// The node, for an item that is one.
    #[must_use]
    pub fn node(&self) -> Option<Node<'d, 'a>> {
        match self {
            Self::Node(n) => Some(*n),
            _ => None,
        }
    }
}

impl fmt::Display for Item<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Node(n) => match node_value(*n) {
                Some(v) => write!(f, "{v}"),
                None => write!(f, "{}", n.ty().name()),
            },
            Self::Type { namespace, name } => write!(f, "{namespace}.{name}"),
            Self::Value(v) => write!(f, "{v}"),
        }
    }
}

/// Whether a node is compared by its System value rather than by its children.
fn is_valued(n: Node<'_, '_>) -> bool {
    n.ty().primitive().is_some() || n.ty().is_a(quantity_type())
}

/// The text of an item whose System value is a String, without building the value.
fn string_text<'x>(item: &'x Item<'_, '_>) -> Option<&'x str> {
    match item {
        Item::Value(Value::String(s)) => Some(s),
        Item::Node(n) if n.ty().primitive().is_some_and(is_string_kind) => n.value(),
        _ => None,
    }
}

/// Whether a primitive's System value is a String (every kind but the boolean, numeric and
/// temporal ones, which `node_value` converts).
fn is_string_kind(kind: PrimitiveKind) -> bool {
    !matches!(
        kind,
        PrimitiveKind::Boolean
            | PrimitiveKind::Integer
            | PrimitiveKind::PositiveInt
            | PrimitiveKind::UnsignedInt
            | PrimitiveKind::Decimal
            | PrimitiveKind::Date
            | PrimitiveKind::DateTime
            | PrimitiveKind::Instant
            | PrimitiveKind::Time
    )
}

/// `=` of two items: `None` when the answer is unknown (partial dates, incomparable units).
pub(crate) fn equal(a: &Item<'_, '_>, b: &Item<'_, '_>) -> Option<bool> {
    // The common case, a string element against a literal, compares text directly.
    if let (Some(x), Some(y)) = (string_text(a), string_text(b)) {
        return Some(x == y);
    }
    match (a, b) {
        (Item::Node(x), Item::Node(y)) if !is_valued(*x) || !is_valued(*y) => {
            Some(is_valued(*x) == is_valued(*y) && deep_equal(*x, *y, false))
        }
        (Item::Node(x), Item::Value(_)) | (Item::Value(_), Item::Node(x)) if !is_valued(*x) => {
            Some(false)
        }
        (
            Item::Type { namespace, name },
            Item::Type {
                namespace: n2,
                name: m2,
            },
        ) => Some(namespace == n2 && name == m2),
        (Item::Type { .. }, _) | (_, Item::Type { .. }) => Some(false),
        _ => value_equal(&a.value()?, &b.value()?),
    }
}

fn deep_equal(x: Node<'_, '_>, y: Node<'_, '_>, equivalent: bool) -> bool {
    if is_valued(x) || is_valued(y) {
        let (a, b) = (Item::Node(x), Item::Node(y));
        return if equivalent {
            equivalent_items(&a, &b)
        } else {
            equal(&a, &b) == Some(true)
        };
    }
    // Ids do not count for equivalence.
    let skip = |n: &Node<'_, '_>| equivalent && n.name() == "id";
    let mut xs = x.children().filter(|n| !skip(n));
    let mut ys = y.children().filter(|n| !skip(n));
    loop {
        match (xs.next(), ys.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if a.name() == b.name() && deep_equal(a, b, equivalent) => {}
            _ => return false,
        }
    }
}

fn value_equal(a: &Value<'_>, b: &Value<'_>) -> Option<bool> {
    use Value as V;
    match (a, b) {
        (V::Boolean(x), V::Boolean(y)) => Some(x == y),
        (V::String(x), V::String(y)) => Some(**x == **y),
        (V::Integer(x), V::Integer(y)) => Some(x == y),
        (V::Integer(_) | V::Decimal(_), V::Integer(_) | V::Decimal(_)) => {
            Some(a.as_decimal()? == b.as_decimal()?)
        }
        (V::Date(x), V::Date(y))
        | (V::DateTime(x), V::DateTime(y))
        | (V::Time(x), V::Time(y))
        | (V::Date(x), V::DateTime(y))
        | (V::DateTime(x), V::Date(y)) => x.compare(y).map(|o| o == Ordering::Equal),
        (V::Quantity(x), V::Quantity(y)) => {
            let (p, q) = x.aligned(y)?;
            Some(p == q)
        }
        _ => Some(false),
    }
}

/// `~` of two items.
pub(crate) fn equivalent_items(a: &Item<'_, '_>, b: &Item<'_, '_>) -> bool {
    match (a, b) {
        (Item::Node(x), Item::Node(y)) if !is_valued(*x) || !is_valued(*y) => {
            is_valued(*x) == is_valued(*y) && deep_equal(*x, *y, true)
        }
        _ => match (a.value(), b.value()) {
            (Some(x), Some(y)) => value_equivalent(&x, &y),
            _ => equal(a, b) == Some(true),
        },
    }
}

fn normalize_ws(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn value_equivalent(a: &Value<'_>, b: &Value<'_>) -> bool {
    use Value as V;
    match (a, b) {
        (V::String(x), V::String(y)) => normalize_ws(x) == normalize_ws(y),
        (V::Integer(_) | V::Decimal(_), V::Integer(_) | V::Decimal(_)) => {
            match (a.as_decimal(), b.as_decimal()) {
                (Some(x), Some(y)) => {
                    let s = x.scale().min(y.scale());
                    x.round(s) == y.round(s)
                }
                _ => false,
            }
        }
        (V::Date(x), V::Date(y)) | (V::DateTime(x), V::DateTime(y)) | (V::Time(x), V::Time(y)) => {
            x.compare(y) == Some(Ordering::Equal)
        }
        (V::Quantity(x), V::Quantity(y)) => {
            let (Some(p), q) = (y.in_unit_of(x), x.value) else {
                return false;
            };
            let s = p.scale().min(q.scale());
            p.round(s) == q.round(s)
        }
        _ => value_equal(a, b) == Some(true),
    }
}

/// Ordering of two values for `<` and friends: `Err` when the types cannot be compared,
/// `Ok(None)` when the answer is unknown.
pub(crate) fn compare(a: &Value<'_>, b: &Value<'_>) -> Result<Option<Ordering>, ()> {
    use Value as V;
    Ok(match (a, b) {
        (V::Integer(x), V::Integer(y)) => Some(x.cmp(y)),
        (V::Integer(_) | V::Decimal(_), V::Integer(_) | V::Decimal(_)) => Some(
            a.as_decimal()
                .ok_or(())?
                .cmp_value(b.as_decimal().ok_or(())?),
        ),
        (V::String(x), V::String(y)) => Some((**x).cmp(&**y)),
        (V::Date(x), V::Date(y))
        | (V::DateTime(x), V::DateTime(y))
        | (V::Time(x), V::Time(y))
        | (V::Date(x), V::DateTime(y))
        | (V::DateTime(x), V::Date(y)) => x.compare(y),
        (V::Quantity(x), V::Quantity(y)) => x.aligned(y).map(|(p, q)| p.cmp_value(q)),
        _ => return Err(()),
    })
}
