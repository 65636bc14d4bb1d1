//! Parse and evaluation errors: each says where (byte offset into the expression) and why.

use std::fmt;

/// What went wrong while reading an expression.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// A function that does not exist, or a call with the wrong number of arguments.
    BadCall {
        /// The function name.
        name: String,
        /// Why the call is rejected.
        reason: &'static str,
    },
    /// A literal that is not well formed (`@2015-13`, `@T14Z`, an integer out of range).
    BadLiteral {
        /// What kind of literal.
        what: &'static str,
    },
    /// A type name that is neither a System type nor a FHIR R4 type.
    BadType {
        /// The name as written.
        name: String,
    },
    /// A regular expression literal the engine cannot compile.
    BadRegex {
        /// The compiler's message.
        message: String,
    },
    /// The expression nests deeper than the parser allows.
    TooDeep,
    /// The expression is longer than the parser allows.
    TooLong,
    /// A token that cannot start or continue an expression here.
    Unexpected {
        /// What was found (`end of input` at the end).
        found: String,
        /// What was expected.
        expected: &'static str,
    },
    /// A string, quoted identifier or comment without its closing delimiter.
    Unterminated {
        /// What was left open.
        what: &'static str,
    },
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadCall { name, reason } => write!(f, "function '{name}': {reason}"),
            Self::BadLiteral { what } => write!(f, "malformed {what} literal"),
            Self::BadType { name } => write!(f, "unknown type '{name}'"),
            Self::BadRegex { message } => write!(f, "invalid regular expression: {message}"),
            Self::TooDeep => f.write_str("expression nests too deeply"),
            Self::TooLong => f.write_str("expression is too long"),
            Self::Unexpected { found, expected } => {
                write!(f, "expected {expected}, found {found}")
            }
            Self::Unterminated { what } => write!(f, "unterminated {what}"),
        }
    }
}

/// An expression that does not parse or compile, with the byte offset of the problem.
///
/// # Examples
///
/// ```
/// let err = medcom::fhirpath::Expression::parse("name.given +").unwrap_err();
/// assert_eq!(err.offset(), 12);
/// assert_eq!(err.to_string(), "at 12: expected an expression, found end of input");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError(Box<(ParseErrorKind, usize)>);

impl ParseError {
    pub(crate) fn new(kind: ParseErrorKind, offset: usize) -> Self {
        Self(Box::new((kind, offset)))
    }

    /// What went wrong.
    #[must_use]
    pub fn kind(&self) -> &ParseErrorKind {
        &self.0 .0
    }

    /// Consumes the error, returning its kind.
    #[must_use]
    pub fn into_kind(self) -> ParseErrorKind {
        self.0 .0
    }

    /// Byte offset into the expression, from 0.
    #[must_use]
    pub fn offset(&self) -> usize {
        self.0 .1
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at {}: {}", self.offset(), self.kind())
    }
}

impl std::error::Error for ParseError {}

/// What went wrong while evaluating an expression.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EvalErrorKind {
    /// An operator or function met a value of a type it does not accept.
    BadOperand {
        /// The operator or function.
        operation: &'static str,
        /// What it needed.
        expected: &'static str,
    },
    /// A function argument is out of its domain (an unknown encoding, a negative length).
    BadArgument {
        /// The function.
        function: &'static str,
        /// Why.
        reason: &'static str,
    },
    /// A hook the validator provides (`conformsTo`, `memberOf`) failed or is not available.
    Hook {
        /// The function.
        function: &'static str,
        /// The hook's message.
        message: String,
    },
    /// A limit of [`crate::fhirpath::EvalOptions`] was exceeded.
    Limit {
        /// Which limit.
        limit: &'static str,
    },
    /// A collection with more than one item where one item is required.
    NotSingleton {
        /// The operator or function that needs a single item.
        operation: &'static str,
    },
    /// The value cannot be evaluated (a regular expression that does not compile).
    Unsupported {
        /// What.
        what: String,
    },
    /// A name that is not defined on the type navigated from (strict mode only).
    UnknownName {
        /// The name.
        name: String,
        /// The type it was looked up on.
        on: &'static str,
    },
    /// An environment variable (`%name`) that is not defined.
    UnknownVariable {
        /// The name, without `%`.
        name: String,
    },
}

impl fmt::Display for EvalErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadOperand {
                operation,
                expected,
            } => write!(f, "'{operation}' needs {expected}"),
            Self::BadArgument { function, reason } => write!(f, "{function}(): {reason}"),
            Self::Hook { function, message } => write!(f, "{function}(): {message}"),
            Self::Limit { limit } => write!(f, "evaluation limit exceeded: {limit}"),
            Self::NotSingleton { operation } => {
                write!(f, "'{operation}' needs a single item, found several")
            }
            Self::Unsupported { what } => write!(f, "not supported: {what}"),
            Self::UnknownName { name, on } => write!(f, "'{name}' is not an element of {on}"),
            Self::UnknownVariable { name } => write!(f, "unknown variable '%{name}'"),
        }
    }
}

/// An error during evaluation, with the byte offset of the sub-expression that failed.
///
/// # Examples
///
/// ```
/// use medcom::fhirpath::{EvalContext, Expression};
/// let doc = medcom::json::parse(r#"{"resourceType":"Basic"}"#).unwrap();
/// let err = Expression::parse("(1 | 2) + 1").unwrap()
///     .evaluate(&EvalContext::new(doc.root())).unwrap_err();
/// assert_eq!(err.offset(), 8);
/// assert_eq!(err.to_string(), "at 8: '+' needs a single item, found several");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalError(Box<(EvalErrorKind, usize)>);

impl EvalError {
    pub(crate) fn new(kind: EvalErrorKind, offset: usize) -> Self {
        Self(Box::new((kind, offset)))
    }

    /// What went wrong.
    #[must_use]
    pub fn kind(&self) -> &EvalErrorKind {
        &self.0 .0
    }

    /// Consumes the error, returning its kind.
    #[must_use]
    pub fn into_kind(self) -> EvalErrorKind {
        self.0 .0
    }

    /// Byte offset into the expression of the failing sub-expression, from 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::fhirpath::{EvalContext, Expression};
    /// let doc = medcom::json::parse(r#"{"resourceType":"Basic"}"#).unwrap();
    /// let err = Expression::parse("1 + 'a'").unwrap()
    ///     .evaluate(&EvalContext::new(doc.root())).unwrap_err();
    /// assert_eq!(err.offset(), 2);
    /// ```
    #[must_use]
    pub fn offset(&self) -> usize {
        self.0 .1
    }
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at {}: {}", self.offset(), self.kind())
    }
}

impl std::error::Error for EvalError {}

/// Why a [`crate::fhirpath::Hooks`] function (`conformsTo`, `memberOf`) could not answer.
///
/// # Examples
///
/// ```
/// use medcom::fhirpath::HookError;
/// let e = HookError::Unavailable { what: "value set", url: "http://example.org/vs".into() };
/// assert_eq!(e.to_string(), "value set http://example.org/vs is not available");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HookError {
    /// The profile or value set is not available to the hooks.
    Unavailable {
        /// What: `profile` or `value set`.
        what: &'static str,
        /// Its canonical URL.
        url: String,
    },
    /// The question cannot be answered, for the reason given.
    Unanswerable(String),
}

impl fmt::Display for HookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unavailable { what, url } => write!(f, "{what} {url} is not available"),
            Self::Unanswerable(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for HookError {}
