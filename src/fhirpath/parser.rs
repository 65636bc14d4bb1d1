//! A precedence-climbing parser from tokens to [`Expr`].

use super::ast::{BinaryOp, Expr, ExprKind, TypeName};
use super::error::{ParseError, ParseErrorKind};
use super::lexer::{tokenize, Tok};

/// Deepest nesting the parser accepts (parentheses, calls, operators).
pub(crate) const MAX_DEPTH: usize = 128;
/// Longest expression text the parser accepts, in bytes.
pub(crate) const MAX_LEN: usize = 64 * 1024;

const CALENDAR_UNITS: [&str; 16] = [
    "year",
    "years",
    "month",
    "months",
    "week",
    "weeks",
    "day",
    "days",
    "hour",
    "hours",
    "minute",
    "minutes",
    "second",
    "seconds",
    "millisecond",
    "milliseconds",
];

/// Parses a whole expression.
pub(crate) fn parse(src: &str) -> Result<Expr, ParseError> {
    if src.len() > MAX_LEN {
        return Err(ParseError::new(ParseErrorKind::TooLong, MAX_LEN));
    }
    let toks = tokenize(src)?;
    let mut p = Parser {
        toks,
        at: 0,
        depth: 0,
    };
    let e = p.expr(0)?;
    match p.peek() {
        Tok::End => Ok(e),
        t => Err(p.unexpected(t.clone(), "an operator or end of input")),
    }
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    at: usize,
    depth: usize,
}

/// Binding power of an infix operator token (higher binds tighter), or `None`.
fn infix(t: &Tok) -> Option<(u8, Infix)> {
    use BinaryOp as B;
    let bin = |_: u8, op: BinaryOp| Some((op.precedence(), Infix::Binary(op)));
    match t {
        Tok::Punct(p) => match *p {
            "*" => bin(10, B::Multiply),
            "/" => bin(10, B::Divide),
            "+" => bin(9, B::Add),
            "-" => bin(9, B::Subtract),
            "&" => bin(9, B::Concat),
            "|" => bin(7, B::Union),
            "<" => bin(6, B::Less),
            ">" => bin(6, B::Greater),
            "<=" => bin(6, B::LessOrEqual),
            ">=" => bin(6, B::GreaterOrEqual),
            "=" => bin(5, B::Equal),
            "~" => bin(5, B::Equivalent),
            "!=" => bin(5, B::NotEqual),
            "!~" => bin(5, B::NotEquivalent),
            _ => None,
        },
        Tok::Ident {
            name,
            quoted: false,
        } => match name.as_str() {
            "div" => bin(10, B::Div),
            "mod" => bin(10, B::Mod),
            "is" => Some((8, Infix::Is)),
            "as" => Some((8, Infix::As)),
            "in" => bin(4, B::In),
            "contains" => bin(4, B::Contains),
            "and" => bin(3, B::And),
            "or" => bin(2, B::Or),
            "xor" => bin(2, B::Xor),
            "implies" => bin(1, B::Implies),
            _ => None,
        },
        _ => None,
    }
}

#[derive(Clone, Copy)]
enum Infix {
    As,
    Binary(BinaryOp),
    Is,
}

impl Parser {
    fn peek(&self) -> &Tok {
        self.toks.get(self.at).map_or(&Tok::End, |t| &t.0)
    }

    fn pos(&self) -> usize {
        self.toks.get(self.at).map_or(0, |t| t.1)
    }

    fn bump(&mut self) -> (Tok, usize) {
        let t = self.toks.get(self.at).cloned().unwrap_or((Tok::End, 0));
        if self.at < self.toks.len() {
            self.at += 1;
        }
        t
    }

    fn unexpected(&self, found: Tok, expected: &'static str) -> ParseError {
        ParseError::new(
            ParseErrorKind::Unexpected {
                found: found.describe(),
                expected,
            },
            self.pos(),
        )
    }

    fn expect(&mut self, p: &'static str, expected: &'static str) -> Result<(), ParseError> {
        if *self.peek() == Tok::Punct(p) {
            self.bump();
            Ok(())
        } else {
            Err(self.unexpected(self.peek().clone(), expected))
        }
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ParseError::new(ParseErrorKind::TooDeep, self.pos()));
        }
        Ok(())
    }

    fn expr(&mut self, min: u8) -> Result<Expr, ParseError> {
        self.enter()?;
        let mut lhs = self.unary()?;
        while let Some((prec, op)) = infix(self.peek()) {
            if prec <= min {
                break;
            }
            let (_, pos) = self.bump();
            let kind = match op {
                Infix::Binary(op) => {
                    let rhs = self.expr(prec)?;
                    ExprKind::Binary(op, Box::new(lhs), Box::new(rhs))
                }
                Infix::Is => ExprKind::Is(Box::new(lhs), self.type_name()?),
                Infix::As => ExprKind::As(Box::new(lhs), self.type_name()?),
            };
            lhs = Expr { kind, pos };
        }
        self.depth -= 1;
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        let pos = self.pos();
        match self.peek() {
            Tok::Punct("-") => {
                self.bump();
                self.enter()?;
                let e = self.unary()?;
                self.depth -= 1;
                Ok(Expr {
                    kind: ExprKind::Negate(Box::new(e)),
                    pos,
                })
            }
            Tok::Punct("+") => {
                self.bump();
                self.enter()?;
                let e = self.unary()?;
                self.depth -= 1;
                Ok(Expr {
                    kind: ExprKind::Plus(Box::new(e)),
                    pos,
                })
            }
            _ => self.postfix(),
        }
    }

    fn postfix(&mut self) -> Result<Expr, ParseError> {
        let depth = self.depth;
        let e = self.postfix_chain();
        self.depth = depth;
        e
    }

    /// Each link of a chain deepens the tree, so it counts toward the depth limit.
    fn postfix_chain(&mut self) -> Result<Expr, ParseError> {
        let mut e = self.term()?;
        loop {
            if matches!(self.peek(), Tok::Punct("." | "[")) {
                self.enter()?;
            }
            match self.peek() {
                Tok::Punct(".") => {
                    self.bump();
                    let pos = self.pos();
                    let (name, _) = self.ident("a member or function name after '.'")?;
                    e = if *self.peek() == Tok::Punct("(") {
                        let args = self.args()?;
                        Expr {
                            kind: ExprKind::Function {
                                target: Some(Box::new(e)),
                                name,
                                args,
                            },
                            pos,
                        }
                    } else {
                        Expr {
                            kind: ExprKind::Member(Box::new(e), name),
                            pos,
                        }
                    };
                }
                Tok::Punct("[") => {
                    let pos = self.pos();
                    self.bump();
                    let index = self.expr(0)?;
                    self.expect("]", "']'")?;
                    e = Expr {
                        kind: ExprKind::Index(Box::new(e), Box::new(index)),
                        pos,
                    };
                }
                _ => return Ok(e),
            }
        }
    }

    fn ident(&mut self, expected: &'static str) -> Result<(String, bool), ParseError> {
        match self.peek().clone() {
            Tok::Ident { name, quoted } => {
                self.bump();
                Ok((name, quoted))
            }
            t => Err(self.unexpected(t, expected)),
        }
    }

    fn args(&mut self) -> Result<Vec<Expr>, ParseError> {
        self.expect("(", "'('")?;
        let mut args = Vec::new();
        if *self.peek() == Tok::Punct(")") {
            self.bump();
            return Ok(args);
        }
        loop {
            args.push(self.expr(0)?);
            match self.peek() {
                Tok::Punct(",") => {
                    self.bump();
                }
                Tok::Punct(")") => {
                    self.bump();
                    return Ok(args);
                }
                t => return Err(self.unexpected(t.clone(), "',' or ')'")),
            }
        }
    }

    fn type_name(&mut self) -> Result<TypeName, ParseError> {
        let (first, _) = self.ident("a type name")?;
        if *self.peek() == Tok::Punct(".") {
            if let Some((Tok::Ident { .. }, _)) = self.toks.get(self.at + 1) {
                self.bump();
                let (name, _) = self.ident("a type name")?;
                return Ok(TypeName {
                    namespace: Some(first),
                    name,
                });
            }
        }
        Ok(TypeName {
            namespace: None,
            name: first,
        })
    }

    fn term(&mut self) -> Result<Expr, ParseError> {
        let (tok, pos) = self.bump();
        let kind = match tok {
            Tok::Punct("(") => {
                let e = self.expr(0)?;
                self.expect(")", "')'")?;
                return Ok(e);
            }
            Tok::Punct("{") => {
                self.expect("}", "'}'")?;
                ExprKind::Empty
            }
            Tok::Str(s) => ExprKind::String(s),
            Tok::Number(n) => match self.peek().clone() {
                Tok::Str(unit) => {
                    self.bump();
                    ExprKind::Quantity {
                        value: n,
                        unit,
                        calendar: false,
                    }
                }
                Tok::Ident {
                    name,
                    quoted: false,
                } if CALENDAR_UNITS.contains(&name.as_str()) => {
                    self.bump();
                    ExprKind::Quantity {
                        value: n,
                        unit: name,
                        calendar: true,
                    }
                }
                _ => ExprKind::Number(n),
            },
            Tok::DateTime(s) => ExprKind::DateTime(s),
            Tok::Time(s) => ExprKind::Time(s),
            Tok::Var(v) => ExprKind::Variable(v),
            Tok::External(v) => ExprKind::External(v),
            Tok::Ident { name, quoted } => {
                if *self.peek() == Tok::Punct("(") {
                    let args = self.args()?;
                    ExprKind::Function {
                        target: None,
                        name,
                        args,
                    }
                } else if !quoted && name == "true" {
                    ExprKind::Boolean(true)
                } else if !quoted && name == "false" {
                    ExprKind::Boolean(false)
                } else {
                    ExprKind::Identifier(name)
                }
            }
            t => {
                self.at = self.at.saturating_sub(1);
                return Err(self.unexpected(t, "an expression"));
            }
        };
        Ok(Expr { kind, pos })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence() {
        let cases = [
            ("1+2*3+4", "((1 + (2 * 3)) + 4)"),
            ("-1.convertsToInteger()", "(-1.convertsToInteger())"),
            ("1 > 2 is Boolean", "(1 > (2 is Boolean))"),
            ("1 | 1 is Integer", "(1 | (1 is Integer))"),
            (
                "a implies b or c and d = e",
                "(a implies (b or (c and (d = e))))",
            ),
            ("Patient.name[0].given", "Patient.name[0].given"),
            ("4 days.convertsToQuantity()", "4 days.convertsToQuantity()"),
            ("x.is(FHIR.`Patient`)", "x.is(FHIR.Patient)"),
            ("%`vs-x` as System.String", "(%`vs-x` as System.String)"),
        ];
        // Each source parses to the tree of its fully parenthesized form, and the printer's own
        // (minimally parenthesized) text parses back to that tree.
        for (src, explicit) in cases {
            let tree = parse(src).unwrap().without_positions();
            assert_eq!(tree, parse(explicit).unwrap().without_positions(), "{src}");
            let printed = tree.to_string();
            assert_eq!(
                parse(&printed).unwrap().without_positions(),
                tree,
                "{src} printed as {printed}"
            );
        }
    }

    #[test]
    fn errors_have_offsets() {
        let cases = [
            ("2 + 2 /", 7),
            ("(1", 2),
            ("a.", 2),
            ("a b", 2),
            ("'x", 0),
            ("f(1,)", 4),
        ];
        for (src, at) in cases {
            assert_eq!(parse(src).unwrap_err().offset(), at, "{src}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let src = "(".repeat(10_000) + "1" + &")".repeat(10_000);
        assert_eq!(parse(&src).unwrap_err().kind(), &ParseErrorKind::TooDeep);
        let src = "-".repeat(10_000) + "1";
        assert_eq!(parse(&src).unwrap_err().kind(), &ParseErrorKind::TooDeep);
    }
}
