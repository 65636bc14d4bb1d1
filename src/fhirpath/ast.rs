//! The syntax tree of an expression, with byte offsets, and a printer whose output parses back
//! to the same tree.

use std::fmt;

use super::error::ParseError;

/// Parses an expression to its syntax tree without compiling it (names and types unchecked).
///
/// # Errors
///
/// A [`ParseError`] with the byte offset of the syntax error.
///
/// # Examples
///
/// ```
/// let tree = medcom::fhirpath::ast::parse("(a.b) + (1)").unwrap();
/// assert_eq!(tree.to_string(), "a.b + 1");
/// ```
pub fn parse(text: &str) -> Result<Expr, ParseError> {
    super::parser::parse(text)
}

/// One node of the syntax tree.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What the node is.
    pub kind: ExprKind,
    /// Byte offset in the source that names the node: the operator of a binary expression,
    /// the name of a member or function, the start of anything else.
    pub pos: usize,
}

/// A binary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BinaryOp {
    /// `+`
    Add,
    /// `and`
    And,
    /// `&`
    Concat,
    /// `contains`
    Contains,
    /// `div`
    Div,
    /// `/`
    Divide,
    /// `=`
    Equal,
    /// `~`
    Equivalent,
    /// `>`
    Greater,
    /// `>=`
    GreaterOrEqual,
    /// `implies`
    Implies,
    /// `in`
    In,
    /// `<`
    Less,
    /// `<=`
    LessOrEqual,
    /// `mod`
    Mod,
    /// `*`
    Multiply,
    /// `!=`
    NotEqual,
    /// `!~`
    NotEquivalent,
    /// `or`
    Or,
    /// `-`
    Subtract,
    /// `|`
    Union,
    /// `xor`
    Xor,
}

impl BinaryOp {
    /// Binding strength, higher binds tighter (`*` over `+` over `=` over `and` …); the parser
    /// and the printer share it.
    #[must_use]
    pub fn precedence(self) -> u8 {
        match self {
            Self::Multiply | Self::Divide | Self::Div | Self::Mod => 10,
            Self::Add | Self::Subtract | Self::Concat => 9,
            Self::Union => 7,
            Self::Less | Self::Greater | Self::LessOrEqual | Self::GreaterOrEqual => 6,
            Self::Equal | Self::Equivalent | Self::NotEqual | Self::NotEquivalent => 5,
            Self::In | Self::Contains => 4,
            Self::And => 3,
            Self::Or | Self::Xor => 2,
            Self::Implies => 1,
        }
    }

    /// The operator as written.
    #[must_use]
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Add => "+",
            Self::And => "and",
            Self::Concat => "&",
            Self::Contains => "contains",
            Self::Div => "div",
            Self::Divide => "/",
            Self::Equal => "=",
            Self::Equivalent => "~",
            Self::Greater => ">",
            Self::GreaterOrEqual => ">=",
            Self::Implies => "implies",
            Self::In => "in",
            Self::Less => "<",
            Self::LessOrEqual => "<=",
            Self::Mod => "mod",
            Self::Multiply => "*",
            Self::NotEqual => "!=",
            Self::NotEquivalent => "!~",
            Self::Or => "or",
            Self::Subtract => "-",
            Self::Union => "|",
            Self::Xor => "xor",
        }
    }
}

/// The kind of a syntax node.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ExprKind {
    /// `expr as Type`
    As(Box<Expr>, TypeName),
    /// `a op b`
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `true` or `false`
    Boolean(bool),
    /// `@2015-02-04T14:34`, text after `@`
    DateTime(String),
    /// `{}`
    Empty,
    /// `%name`
    External(String),
    /// `name(args)` on `target`, or on `$this` when there is none
    Function {
        /// What the function is invoked on.
        target: Option<Box<Expr>>,
        /// Its name.
        name: String,
        /// Its arguments, unevaluated.
        args: Vec<Expr>,
    },
    /// A bare identifier at the start of a path (`name`, `Patient`)
    Identifier(String),
    /// `expr[index]`
    Index(Box<Expr>, Box<Expr>),
    /// `expr is Type`
    Is(Box<Expr>, TypeName),
    /// `target.name`
    Member(Box<Expr>, String),
    /// `-expr`
    Negate(Box<Expr>),
    /// An integer or decimal literal, as written
    Number(String),
    /// `+expr`
    Plus(Box<Expr>),
    /// `4 'mg'`, `3 days`: the number as written and the unit; `calendar` for an unquoted unit
    Quantity {
        /// The number as written.
        value: String,
        /// The unit.
        unit: String,
        /// Whether the unit is a calendar keyword (`days`) rather than a quoted UCUM code.
        calendar: bool,
    },
    /// `'text'`, unescaped
    String(String),
    /// `@T14:34`, text after `@T`
    Time(String),
    /// `$this`, `$index`, `$total`
    Variable(String),
}

/// A type name as written: `Patient`, `System.Boolean`, ``FHIR.`Patient` ``.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeName {
    /// `System` or `FHIR` when given.
    pub namespace: Option<String>,
    /// The name.
    pub name: String,
}

impl fmt::Display for TypeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(ns) = &self.namespace {
            write_ident(f, ns)?;
            f.write_str(".")?;
        }
        write_ident(f, &self.name)
    }
}

const KEYWORDS: [&str; 12] = [
    "and", "as", "contains", "div", "false", "implies", "in", "is", "mod", "or", "true", "xor",
];

fn write_ident(f: &mut fmt::Formatter<'_>, name: &str) -> fmt::Result {
    write_name(f, name, true)
}

/// Writes a name, quoted when it is not a plain identifier (or, with `keywords`, a keyword).
fn write_name(f: &mut fmt::Formatter<'_>, name: &str, keywords: bool) -> fmt::Result {
    let plain = name
        .bytes()
        .next()
        .is_some_and(|c| c == b'_' || c.is_ascii_alphabetic())
        && name.bytes().all(|c| c == b'_' || c.is_ascii_alphanumeric())
        && !(keywords && KEYWORDS.contains(&name));
    if plain {
        f.write_str(name)
    } else {
        f.write_str("`")?;
        write_escaped(f, name, '`')?;
        f.write_str("`")
    }
}

fn write_escaped(f: &mut fmt::Formatter<'_>, s: &str, quote: char) -> fmt::Result {
    for c in s.chars() {
        match c {
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            '\u{c}' => f.write_str("\\f")?,
            c if c == quote => write!(f, "\\{c}")?,
            c if c.is_control() => write!(f, "\\u{:04x}", u32::from(c))?,
            c => write!(f, "{c}")?,
        }
    }
    Ok(())
}

/// Prints the expression with the parentheses that precedence needs and no more, so that parsing
/// the text gives the same tree (offsets aside) and nests no deeper than the original did.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_prec(f, 0)
    }
}

/// Binding strength of postfix invocations (`.name`, `[i]`, functions) and atoms.
const POSTFIX: u8 = 12;
/// Binding strength of the unary `+` and `-`.
const UNARY: u8 = 11;
/// Binding strength of `is` and `as`.
const TYPE_OP: u8 = 8;

impl Expr {
    /// How strongly the expression binds, on the parser's precedence scale.
    fn precedence(&self) -> u8 {
        match &self.kind {
            ExprKind::Binary(op, ..) => op.precedence(),
            ExprKind::Is(..) | ExprKind::As(..) => TYPE_OP,
            ExprKind::Negate(_) | ExprKind::Plus(_) => UNARY,
            _ => POSTFIX,
        }
    }

    /// Writes the expression, in parentheses when it binds less strongly than `min`.
    fn write_prec(&self, f: &mut fmt::Formatter<'_>, min: u8) -> fmt::Result {
        if self.precedence() < min {
            f.write_str("(")?;
            self.write_bare(f)?;
            f.write_str(")")
        } else {
            self.write_bare(f)
        }
    }

    fn write_bare(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::As(e, t) => {
                e.write_prec(f, TYPE_OP)?;
                write!(f, " as {t}")
            }
            ExprKind::Binary(op, a, b) => {
                // Left-associative: the left operand may bind as strongly as the operator.
                a.write_prec(f, op.precedence())?;
                write!(f, " {} ", op.symbol())?;
                b.write_prec(f, op.precedence() + 1)
            }
            ExprKind::Boolean(v) => write!(f, "{v}"),
            ExprKind::DateTime(s) => write!(f, "@{s}"),
            ExprKind::Empty => f.write_str("{}"),
            ExprKind::External(n) => {
                f.write_str("%")?;
                write_ident(f, n)
            }
            ExprKind::Function { target, name, args } => {
                if let Some(t) = target {
                    t.write_prec(f, POSTFIX)?;
                    f.write_str(".")?;
                }
                // A name before `(` is always a function name, even a keyword.
                write_name(f, name, false)?;
                f.write_str("(")?;
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{a}")?;
                }
                f.write_str(")")
            }
            ExprKind::Identifier(n) => write_ident(f, n),
            ExprKind::Index(e, i) => {
                e.write_prec(f, POSTFIX)?;
                write!(f, "[{i}]")
            }
            ExprKind::Is(e, t) => {
                e.write_prec(f, TYPE_OP)?;
                write!(f, " is {t}")
            }
            ExprKind::Member(e, n) => {
                e.write_prec(f, POSTFIX)?;
                f.write_str(".")?;
                write_ident(f, n)
            }
            // A space keeps `- -x` from reading as a comment or a two-character operator.
            ExprKind::Negate(e) => {
                f.write_str("-")?;
                if matches!(e.kind, ExprKind::Negate(_) | ExprKind::Plus(_)) {
                    f.write_str(" ")?;
                }
                e.write_prec(f, UNARY)
            }
            ExprKind::Number(n) => f.write_str(n),
            ExprKind::Plus(e) => {
                f.write_str("+")?;
                if matches!(e.kind, ExprKind::Negate(_) | ExprKind::Plus(_)) {
                    f.write_str(" ")?;
                }
                e.write_prec(f, UNARY)
            }
            ExprKind::Quantity {
                value,
                unit,
                calendar,
            } => {
                if *calendar {
                    write!(f, "{value} {unit}")
                } else {
                    write!(f, "{value} '")?;
                    write_escaped(f, unit, '\'')?;
                    f.write_str("'")
                }
            }
            ExprKind::String(s) => {
                f.write_str("'")?;
                write_escaped(f, s, '\'')?;
                f.write_str("'")
            }
            ExprKind::Time(s) => write!(f, "@T{s}"),
            ExprKind::Variable(n) => write!(f, "${n}"),
        }
    }
}

impl Expr {
    /// The same tree with every offset set to 0, for comparing trees of different texts.
    #[must_use]
    pub fn without_positions(&self) -> Self {
        let b = |e: &Self| Box::new(e.without_positions());
        let kind = match &self.kind {
            ExprKind::As(e, t) => ExprKind::As(b(e), t.clone()),
            ExprKind::Binary(op, x, y) => ExprKind::Binary(*op, b(x), b(y)),
            ExprKind::Function { target, name, args } => ExprKind::Function {
                target: target.as_deref().map(b),
                name: name.clone(),
                args: args.iter().map(Self::without_positions).collect(),
            },
            ExprKind::Index(e, i) => ExprKind::Index(b(e), b(i)),
            ExprKind::Is(e, t) => ExprKind::Is(b(e), t.clone()),
            ExprKind::Member(e, n) => ExprKind::Member(b(e), n.clone()),
            ExprKind::Negate(e) => ExprKind::Negate(b(e)),
            ExprKind::Plus(e) => ExprKind::Plus(b(e)),
            other => other.clone(),
        };
        Self { kind, pos: 0 }
    }
}
