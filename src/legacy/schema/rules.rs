//! The project's compiled schema rules and their compact text form.
//!
//! One rules file holds everything one document kind needs (an `Emessage` namespace with the
//! namespaces it imports, the VANSEnvelope, the SBDH), already resolved: named and anonymous
//! types are numbered, groups and substitution groups are expanded, derivations are flattened.
//! The text form is one parenthesised item per line:
//!
//! ```text
//! medcom-legacy-rules 1
//! (ns "http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2005/08/07/")
//! (root e0)
//! (e 0 0:Emessage c0)
//! (c 0 "Emessage" (elements element (seq 1 1 (el 1 1 e1) (seq 1 u ...))))
//! (s 0 "String_1_14" xs:string (minLength 1) (maxLength 14))
//! ```
//!
//! Type references are `xs:<builtin>`, `s<n>` (simple) or `c<n>` (complex); element names are
//! `<namespace index>:<local name>` (`-` for no namespace); `u` is an unbounded `maxOccurs`.

use std::fmt::{self, Write as _};

use super::regex::XsdPattern;

/// Namespace index meaning "no namespace".
pub(crate) const NO_NS: u16 = u16::MAX;
/// `maxOccurs="unbounded"`.
pub(crate) const UNBOUNDED: u32 = u32::MAX;

/// The version line that starts every rules file.
const HEADER: &str = "medcom-legacy-rules 1";

/// A namespace-qualified name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct QName {
    pub(crate) ns: u16,
    pub(crate) local: Box<str>,
}

macro_rules! builtins {
    ($($variant:ident = $name:literal,)*) => {
        /// The XSD built-in types the rules can use.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub(crate) enum Builtin { $($variant,)* }

        impl Builtin {
            /// The XSD local name, e.g. `string`.
            pub(crate) fn name(self) -> &'static str {
                match self { $(Self::$variant => $name,)* }
            }

            /// The built-in with this XSD local name.
            pub(crate) fn from_name(name: &str) -> Option<Self> {
                match name { $($name => Some(Self::$variant),)* _ => None }
            }
        }
    };
}

builtins! {
    AnySimpleType = "anySimpleType",
    AnyType = "anyType",
    AnyUri = "anyURI",
    Base64Binary = "base64Binary",
    Boolean = "boolean",
    Byte = "byte",
    Date = "date",
    DateTime = "dateTime",
    Decimal = "decimal",
    Double = "double",
    Duration = "duration",
    Float = "float",
    GDay = "gDay",
    GMonth = "gMonth",
    GMonthDay = "gMonthDay",
    GYear = "gYear",
    GYearMonth = "gYearMonth",
    HexBinary = "hexBinary",
    Id = "ID",
    IdRef = "IDREF",
    Int = "int",
    Integer = "integer",
    Language = "language",
    Long = "long",
    Name = "Name",
    NcName = "NCName",
    NegativeInteger = "negativeInteger",
    NmToken = "NMTOKEN",
    NonNegativeInteger = "nonNegativeInteger",
    NonPositiveInteger = "nonPositiveInteger",
    NormalizedString = "normalizedString",
    PositiveInteger = "positiveInteger",
    Short = "short",
    String = "string",
    Time = "time",
    Token = "token",
    UnsignedByte = "unsignedByte",
    UnsignedInt = "unsignedInt",
    UnsignedLong = "unsignedLong",
    UnsignedShort = "unsignedShort",
}

/// A reference to a type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum TypeRef {
    Builtin(Builtin),
    Complex(u32),
    Simple(u32),
}

/// The `whiteSpace` facet values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WhiteSpace {
    Collapse,
    Preserve,
    Replace,
}

/// The facets of one restriction step.
#[derive(Clone, Debug, Default)]
pub(crate) struct Facets {
    /// Alternatives from one step (any may match); steps are checked one after another.
    pub(crate) patterns: Vec<Box<str>>,
    pub(crate) pattern: Option<XsdPattern>,
    pub(crate) enumeration: Vec<Box<str>>,
    pub(crate) length: Option<u64>,
    pub(crate) min_length: Option<u64>,
    pub(crate) max_length: Option<u64>,
    pub(crate) total_digits: Option<u64>,
    pub(crate) fraction_digits: Option<u64>,
    pub(crate) min_inclusive: Option<Box<str>>,
    pub(crate) max_inclusive: Option<Box<str>>,
    pub(crate) min_exclusive: Option<Box<str>>,
    pub(crate) max_exclusive: Option<Box<str>>,
    pub(crate) white_space: Option<WhiteSpace>,
}

/// A simple type: a base (built-in or simple) restricted by facets.
#[derive(Clone, Debug)]
pub(crate) struct SimpleType {
    /// The XSD name, or `<element>/anonymous` for an anonymous type.
    pub(crate) name: Box<str>,
    pub(crate) base: TypeRef,
    pub(crate) facets: Facets,
}

/// An attribute use.
#[derive(Clone, Debug)]
pub(crate) struct AttributeDecl {
    pub(crate) name: QName,
    pub(crate) ty: TypeRef,
    pub(crate) required: bool,
    pub(crate) fixed: Option<Box<str>>,
}

/// What an element of a complex type may contain.
#[derive(Clone, Debug)]
pub(crate) enum Content {
    /// Anything (`xs:anyType`): not validated further.
    Any,
    /// Child elements by a content model; `mixed` allows text between them.
    Elements { mixed: bool, particle: Particle },
    /// No children, no text.
    Empty,
    /// Text of a simple type.
    Simple(TypeRef),
}

/// A complex type.
#[derive(Clone, Debug)]
pub(crate) struct ComplexType {
    pub(crate) name: Box<str>,
    pub(crate) attributes: Vec<AttributeDecl>,
    pub(crate) any_attribute: bool,
    pub(crate) content: Content,
}

/// A content-model particle with occurrence bounds.
#[derive(Clone, Debug)]
pub(crate) struct Particle {
    pub(crate) min: u32,
    pub(crate) max: u32,
    pub(crate) term: Term,
}

/// What a particle matches.
#[derive(Clone, Debug)]
pub(crate) enum Term {
    All(Vec<Particle>),
    Any(Wildcard),
    Choice(Vec<Particle>),
    Element(u32),
    Sequence(Vec<Particle>),
}

/// Which namespaces a wildcard admits.
#[derive(Clone, Debug)]
pub(crate) enum NsConstraint {
    /// `##any`.
    Any,
    /// These namespaces (`NO_NS` for `##local`).
    List(Vec<u16>),
    /// `##other`: any namespace but this one, never no namespace.
    Other(u16),
}

/// An element wildcard (`xs:any`).
#[derive(Clone, Debug)]
pub(crate) struct Wildcard {
    pub(crate) namespaces: NsConstraint,
    /// `processContents="strict"`: a matched element must have a global declaration.
    pub(crate) strict: bool,
}

/// An element declaration.
#[derive(Clone, Debug)]
pub(crate) struct ElementDecl {
    pub(crate) name: QName,
    pub(crate) ty: TypeRef,
    pub(crate) global: bool,
    pub(crate) nillable: bool,
    pub(crate) fixed: Option<Box<str>>,
}

/// A compiled set of schema rules for one document kind.
///
/// Made by the importer from the official XSDs, or read from the compact text form with
/// [`Rules::parse`].
///
/// # Examples
///
/// ```
/// let rules = medcom::legacy::schema::Rules::parse(
///     "medcom-legacy-rules 1\n(ns \"urn:x\")\n(root e0)\n(e 0 0:a xs:string)\n",
/// )
/// .unwrap();
/// assert_eq!(rules.namespaces().collect::<Vec<_>>(), ["urn:x"]);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Rules {
    pub(crate) namespaces: Vec<Box<str>>,
    pub(crate) roots: Vec<u32>,
    pub(crate) elements: Vec<ElementDecl>,
    pub(crate) complex: Vec<ComplexType>,
    pub(crate) simple: Vec<SimpleType>,
    /// Per complex type: every element a content model names (sorted by name), so that a child's
    /// declaration is found without knowing which particle it matched.
    pub(crate) children: Vec<Vec<(QName, u32)>>,
}

/// Why a rules text could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RulesError {
    line: usize,
    message: String,
}

impl RulesError {
    fn new(line: usize, message: impl Into<String>) -> Self {
        Self {
            line,
            message: message.into(),
        }
    }

    /// The line (from 1) where reading stopped.
    #[must_use]
    pub fn line(&self) -> usize {
        self.line
    }
}

impl fmt::Display for RulesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rules line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for RulesError {}

impl Rules {
    /// The namespaces the rules know, in index order.
    pub fn namespaces(&self) -> impl Iterator<Item = &str> {
        self.namespaces.iter().map(AsRef::as_ref)
    }

    /// The names (namespace, local name) of the accepted root elements.
    ///
    /// # Examples
    ///
    /// ```
    /// let rules = medcom::legacy::schema::rules_for_namespace("urn:oio:medcom:vans-envelope:1.0.4").unwrap();
    /// assert_eq!(rules.root_names().next(), Some(("urn:oio:medcom:vans-envelope:1.0.4", "VANSEnvelope")));
    /// ```
    pub fn root_names(&self) -> impl Iterator<Item = (&str, &str)> {
        self.roots.iter().filter_map(|&r| {
            let e = self.elements.get(r as usize)?;
            Some((self.namespace(e.name.ns), &*e.name.local))
        })
    }

    /// The namespace URI of an index (empty for none).
    pub(crate) fn namespace(&self, ns: u16) -> &str {
        self.namespaces
            .get(usize::from(ns))
            .map_or("", AsRef::as_ref)
    }

    /// The index of a namespace URI; `None` when the rules do not know it.
    pub(crate) fn ns_index(&self, uri: Option<&str>) -> Option<u16> {
        match uri {
            None | Some("") => Some(NO_NS),
            Some(u) => self
                .namespaces
                .iter()
                .position(|n| &**n == u)
                .and_then(|i| u16::try_from(i).ok()),
        }
    }

    /// Size figures: (element declarations, complex types, simple types).
    #[must_use]
    pub fn counts(&self) -> (usize, usize, usize) {
        (self.elements.len(), self.complex.len(), self.simple.len())
    }

    /// Fills [`Self::children`] and compiles the patterns; checks that every index resolves.
    pub(crate) fn finish(&mut self) -> Result<(), String> {
        let ne = self.elements.len();
        let check_ty = |t: TypeRef, nc: usize, ns: usize| match t {
            TypeRef::Complex(i) if i as usize >= nc => Err(format!("no complex type c{i}")),
            TypeRef::Simple(i) if i as usize >= ns => Err(format!("no simple type s{i}")),
            _ => Ok(()),
        };
        let (nc, nsim) = (self.complex.len(), self.simple.len());
        for e in &self.elements {
            check_ty(e.ty, nc, nsim)?;
        }
        for &r in &self.roots {
            if r as usize >= ne {
                return Err(format!("no element e{r}"));
            }
        }
        for s in &mut self.simple {
            check_ty(s.base, nc, nsim)?;
            if matches!(s.base, TypeRef::Complex(_)) {
                return Err(format!("simple type {} has a complex base", s.name));
            }
            if !s.facets.patterns.is_empty() {
                s.facets.pattern = Some(
                    XsdPattern::new(&s.facets.patterns)
                        .map_err(|e| format!("simple type {}: {e}", s.name))?,
                );
            }
        }
        // A simple type must reach a built-in without cycles.
        for start in 0..nsim {
            let mut t = TypeRef::Simple(start as u32);
            let mut steps = 0;
            while let TypeRef::Simple(i) = t {
                steps += 1;
                if steps > nsim {
                    return Err(format!("simple type s{start} derives from itself"));
                }
                t = self.simple[i as usize].base;
            }
        }
        self.children = Vec::with_capacity(nc);
        for c in &self.complex {
            for a in &c.attributes {
                check_ty(a.ty, nc, nsim)?;
                if matches!(a.ty, TypeRef::Complex(_)) {
                    return Err(format!("attribute {} has a complex type", a.name.local));
                }
            }
            let mut names = Vec::new();
            match &c.content {
                Content::Elements { particle, .. } => {
                    collect(particle, &self.elements, &mut names, 0)?;
                }
                Content::Simple(t) => check_ty(*t, nc, nsim)?,
                Content::Any | Content::Empty => {}
            }
            names.sort();
            names.dedup_by(|a, b| a.0 == b.0);
            self.children.push(names);
        }
        Ok(())
    }

    /// Writes the compact text form.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        out.push_str(HEADER);
        out.push('\n');
        for ns in &self.namespaces {
            let _ = writeln!(out, "(ns {})", quote(ns));
        }
        out.push_str("(root");
        for r in &self.roots {
            let _ = write!(out, " e{r}");
        }
        out.push_str(")\n");
        for (i, e) in self.elements.iter().enumerate() {
            let _ = write!(out, "(e {i} {} {}", qname(&e.name), tref(e.ty));
            if e.global {
                out.push_str(" global");
            }
            if e.nillable {
                out.push_str(" nillable");
            }
            if let Some(f) = &e.fixed {
                let _ = write!(out, " (fixed {})", quote(f));
            }
            out.push_str(")\n");
        }
        for (i, c) in self.complex.iter().enumerate() {
            let _ = write!(out, "(c {i} {}", quote(&c.name));
            for a in &c.attributes {
                let _ = write!(
                    out,
                    " (attr {} {} {}",
                    qname(&a.name),
                    tref(a.ty),
                    if a.required { "req" } else { "opt" }
                );
                if let Some(f) = &a.fixed {
                    let _ = write!(out, " (fixed {})", quote(f));
                }
                out.push(')');
            }
            if c.any_attribute {
                out.push_str(" anyattr");
            }
            match &c.content {
                Content::Any => out.push_str(" any"),
                Content::Empty => out.push_str(" empty"),
                Content::Simple(t) => {
                    let _ = write!(out, " (simple {})", tref(*t));
                }
                Content::Elements { mixed, particle } => {
                    let _ = write!(
                        out,
                        " (elements {} ",
                        if *mixed { "mixed" } else { "element" }
                    );
                    write_particle(&mut out, particle);
                    out.push(')');
                }
            }
            out.push_str(")\n");
        }
        for (i, s) in self.simple.iter().enumerate() {
            let _ = write!(out, "(s {i} {} {}", quote(&s.name), tref(s.base));
            write_facets(&mut out, &s.facets);
            out.push_str(")\n");
        }
        out
    }

    /// Reads the compact text form.
    ///
    /// # Errors
    ///
    /// A [`RulesError`] with the line of the first problem.
    pub fn parse(text: &str) -> Result<Self, RulesError> {
        let mut lines = text.lines().enumerate();
        match lines.next() {
            Some((_, h)) if h.trim_end() == HEADER => {}
            _ => return Err(RulesError::new(1, format!("expected `{HEADER}`"))),
        }
        let mut rules = Self::default();
        for (n, line) in lines {
            let n = n + 1;
            if line.trim().is_empty() {
                continue;
            }
            let item = Sexp::parse(line).map_err(|e| RulesError::new(n, e))?;
            rules.read_item(&item).map_err(|e| RulesError::new(n, e))?;
        }
        rules.finish().map_err(|e| RulesError::new(0, e))?;
        Ok(rules)
    }

    fn read_item(&mut self, item: &Sexp<'_>) -> Result<(), String> {
        let list = item.list()?;
        let (head, rest) = list.split_first().ok_or("empty item")?;
        let index = |v: &[Sexp<'_>], len: usize| -> Result<(), String> {
            let i: usize = v
                .first()
                .ok_or("missing index")?
                .atom()?
                .parse()
                .map_err(bad)?;
            if i == len {
                Ok(())
            } else {
                Err(format!("index {i} out of order"))
            }
        };
        match head.atom()? {
            "ns" => self
                .namespaces
                .push(rest.first().ok_or("missing namespace")?.string()?.into()),
            "root" => {
                for r in rest {
                    self.roots.push(num_after(r.atom()?, 'e')?);
                }
            }
            "e" => {
                index(rest, self.elements.len())?;
                let name = read_qname(rest.get(1).ok_or("missing name")?.atom()?)?;
                let ty = read_tref(rest.get(2).ok_or("missing type")?.atom()?)?;
                let mut e = ElementDecl {
                    name,
                    ty,
                    global: false,
                    nillable: false,
                    fixed: None,
                };
                for flag in rest.iter().skip(3) {
                    match flag {
                        Sexp::Atom("global") => e.global = true,
                        Sexp::Atom("nillable") => e.nillable = true,
                        Sexp::List(l) => e.fixed = Some(fixed(l)?),
                        _ => return Err("unknown element flag".into()),
                    }
                }
                self.elements.push(e);
            }
            "c" => {
                index(rest, self.complex.len())?;
                let name = rest.get(1).ok_or("missing name")?.string()?.into();
                let mut c = ComplexType {
                    name,
                    attributes: Vec::new(),
                    any_attribute: false,
                    content: Content::Empty,
                };
                for part in rest.iter().skip(2) {
                    match part {
                        Sexp::Atom("anyattr") => c.any_attribute = true,
                        Sexp::Atom("any") => c.content = Content::Any,
                        Sexp::Atom("empty") => c.content = Content::Empty,
                        Sexp::List(l) => match l.first() {
                            Some(Sexp::Atom("attr")) => c.attributes.push(read_attr(l)?),
                            Some(Sexp::Atom("simple")) => {
                                let t = l.get(1).ok_or("missing type")?.atom()?;
                                c.content = Content::Simple(read_tref(t)?);
                            }
                            Some(Sexp::Atom("elements")) => {
                                let mixed = l.get(1).ok_or("missing mixed")?.atom()? == "mixed";
                                let p = read_particle(l.get(2).ok_or("missing particle")?, 0)?;
                                c.content = Content::Elements { mixed, particle: p };
                            }
                            _ => return Err("unknown complex type part".into()),
                        },
                        _ => return Err("unknown complex type part".into()),
                    }
                }
                self.complex.push(c);
            }
            "s" => {
                index(rest, self.simple.len())?;
                let name = rest.get(1).ok_or("missing name")?.string()?.into();
                let base = read_tref(rest.get(2).ok_or("missing base")?.atom()?)?;
                let mut facets = Facets::default();
                for f in rest.iter().skip(3) {
                    read_facet(&mut facets, f.list()?)?;
                }
                self.simple.push(SimpleType { name, base, facets });
            }
            other => return Err(format!("unknown item `{other}`")),
        }
        Ok(())
    }
}

/// Deepest particle nesting accepted (the MedCom schemas use fewer than ten levels).
const MAX_PARTICLE_DEPTH: usize = 64;

fn collect(
    p: &Particle,
    elements: &[ElementDecl],
    out: &mut Vec<(QName, u32)>,
    depth: usize,
) -> Result<(), String> {
    if depth > MAX_PARTICLE_DEPTH {
        return Err("content model nested too deeply".into());
    }
    match &p.term {
        Term::Element(i) => {
            let e = elements
                .get(*i as usize)
                .ok_or_else(|| format!("no element e{i}"))?;
            out.push((e.name.clone(), *i));
        }
        Term::All(ps) | Term::Choice(ps) | Term::Sequence(ps) => {
            for q in ps {
                collect(q, elements, out, depth + 1)?;
            }
        }
        Term::Any(_) => {}
    }
    Ok(())
}

fn bad(e: impl fmt::Display) -> String {
    e.to_string()
}

fn num_after(atom: &str, prefix: char) -> Result<u32, String> {
    atom.strip_prefix(prefix)
        .ok_or_else(|| format!("expected {prefix}<n>, found `{atom}`"))?
        .parse()
        .map_err(bad)
}

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn qname(q: &QName) -> String {
    if q.ns == NO_NS {
        format!("-:{}", q.local)
    } else {
        format!("{}:{}", q.ns, q.local)
    }
}

fn read_qname(atom: &str) -> Result<QName, String> {
    let (ns, local) = atom.split_once(':').ok_or("expected <ns>:<name>")?;
    let ns = if ns == "-" {
        NO_NS
    } else {
        ns.parse().map_err(bad)?
    };
    Ok(QName {
        ns,
        local: local.into(),
    })
}

fn tref(t: TypeRef) -> String {
    match t {
        TypeRef::Builtin(b) => format!("xs:{}", b.name()),
        TypeRef::Complex(i) => format!("c{i}"),
        TypeRef::Simple(i) => format!("s{i}"),
    }
}

fn read_tref(atom: &str) -> Result<TypeRef, String> {
    if let Some(b) = atom.strip_prefix("xs:") {
        return Builtin::from_name(b)
            .map(TypeRef::Builtin)
            .ok_or_else(|| format!("unknown built-in `{b}`"));
    }
    if atom.starts_with('c') {
        return Ok(TypeRef::Complex(num_after(atom, 'c')?));
    }
    Ok(TypeRef::Simple(num_after(atom, 's')?))
}

fn fixed(l: &[Sexp<'_>]) -> Result<Box<str>, String> {
    match l {
        [Sexp::Atom("fixed"), v] => Ok(v.string()?.into()),
        _ => Err("expected (fixed \"...\")".into()),
    }
}

fn read_attr(l: &[Sexp<'_>]) -> Result<AttributeDecl, String> {
    let name = read_qname(l.get(1).ok_or("missing name")?.atom()?)?;
    let ty = read_tref(l.get(2).ok_or("missing type")?.atom()?)?;
    let required = l.get(3).ok_or("missing use")?.atom()? == "req";
    let fixed = match l.get(4) {
        Some(Sexp::List(f)) => Some(fixed(f)?),
        Some(_) => return Err("bad attribute".into()),
        None => None,
    };
    Ok(AttributeDecl {
        name,
        ty,
        required,
        fixed,
    })
}

fn write_particle(out: &mut String, p: &Particle) {
    let max = if p.max == UNBOUNDED {
        "u".to_owned()
    } else {
        p.max.to_string()
    };
    let (kind, children) = match &p.term {
        Term::Element(i) => {
            let _ = write!(out, "(el {} {max} e{i})", p.min);
            return;
        }
        Term::Any(w) => {
            let _ = write!(out, "(any {} {max} ", p.min);
            match &w.namespaces {
                NsConstraint::Any => out.push_str("##any"),
                NsConstraint::Other(ns) => {
                    let _ = write!(out, "(other {ns})");
                }
                NsConstraint::List(l) => {
                    out.push_str("(list");
                    for ns in l {
                        if *ns == NO_NS {
                            out.push_str(" -");
                        } else {
                            let _ = write!(out, " {ns}");
                        }
                    }
                    out.push(')');
                }
            }
            out.push_str(if w.strict { " strict)" } else { " lax)" });
            return;
        }
        Term::All(c) => ("all", c),
        Term::Choice(c) => ("choice", c),
        Term::Sequence(c) => ("seq", c),
    };
    let _ = write!(out, "({kind} {} {max}", p.min);
    for c in children {
        out.push(' ');
        write_particle(out, c);
    }
    out.push(')');
}

fn read_particle(s: &Sexp<'_>, depth: usize) -> Result<Particle, String> {
    if depth > MAX_PARTICLE_DEPTH {
        return Err("particle nested too deeply".into());
    }
    let l = s.list()?;
    let kind = l.first().ok_or("empty particle")?.atom()?;
    let min: u32 = l
        .get(1)
        .ok_or("missing min")?
        .atom()?
        .parse()
        .map_err(bad)?;
    let max = match l.get(2).ok_or("missing max")?.atom()? {
        "u" => UNBOUNDED,
        m => m.parse().map_err(bad)?,
    };
    let rest = l.get(3..).unwrap_or_default();
    let term = match kind {
        "el" => Term::Element(num_after(
            rest.first().ok_or("missing element")?.atom()?,
            'e',
        )?),
        "any" => {
            let namespaces = match rest.first().ok_or("missing namespaces")? {
                Sexp::Atom("##any") => NsConstraint::Any,
                Sexp::List(l) => match l.split_first() {
                    Some((Sexp::Atom("other"), [ns])) => {
                        NsConstraint::Other(ns.atom()?.parse().map_err(bad)?)
                    }
                    Some((Sexp::Atom("list"), nss)) => NsConstraint::List(
                        nss.iter()
                            .map(|n| match n.atom()? {
                                "-" => Ok(NO_NS),
                                x => x.parse().map_err(bad),
                            })
                            .collect::<Result<_, String>>()?,
                    ),
                    _ => return Err("bad wildcard".into()),
                },
                _ => return Err("bad wildcard".into()),
            };
            let strict = rest.get(1).ok_or("missing process")?.atom()? == "strict";
            Term::Any(Wildcard { namespaces, strict })
        }
        "seq" | "choice" | "all" => {
            let children = rest
                .iter()
                .map(|c| read_particle(c, depth + 1))
                .collect::<Result<Vec<_>, _>>()?;
            match kind {
                "seq" => Term::Sequence(children),
                "choice" => Term::Choice(children),
                _ => Term::All(children),
            }
        }
        other => return Err(format!("unknown particle `{other}`")),
    };
    Ok(Particle { min, max, term })
}

fn write_facets(out: &mut String, f: &Facets) {
    if !f.patterns.is_empty() {
        out.push_str(" (pattern");
        for p in &f.patterns {
            out.push(' ');
            out.push_str(&quote(p));
        }
        out.push(')');
    }
    if !f.enumeration.is_empty() {
        out.push_str(" (enum");
        for p in &f.enumeration {
            out.push(' ');
            out.push_str(&quote(p));
        }
        out.push(')');
    }
    let nums = [
        ("length", f.length),
        ("minLength", f.min_length),
        ("maxLength", f.max_length),
        ("totalDigits", f.total_digits),
        ("fractionDigits", f.fraction_digits),
    ];
    for (name, v) in nums {
        if let Some(v) = v {
            let _ = write!(out, " ({name} {v})");
        }
    }
    let strs = [
        ("minInclusive", &f.min_inclusive),
        ("maxInclusive", &f.max_inclusive),
        ("minExclusive", &f.min_exclusive),
        ("maxExclusive", &f.max_exclusive),
    ];
    for (name, v) in strs {
        if let Some(v) = v {
            let _ = write!(out, " ({name} {})", quote(v));
        }
    }
    if let Some(w) = f.white_space {
        let w = match w {
            WhiteSpace::Collapse => "collapse",
            WhiteSpace::Preserve => "preserve",
            WhiteSpace::Replace => "replace",
        };
        let _ = write!(out, " (whiteSpace {w})");
    }
}

fn read_facet(f: &mut Facets, l: &[Sexp<'_>]) -> Result<(), String> {
    let (head, rest) = l.split_first().ok_or("empty facet")?;
    let num = || -> Result<u64, String> {
        rest.first()
            .ok_or("missing value")?
            .atom()?
            .parse()
            .map_err(bad)
    };
    let text = || -> Result<Box<str>, String> {
        Ok(rest.first().ok_or("missing value")?.string()?.into())
    };
    match head.atom()? {
        "pattern" => {
            for p in rest {
                f.patterns.push(p.string()?.into());
            }
        }
        "enum" => {
            for p in rest {
                f.enumeration.push(p.string()?.into());
            }
        }
        "length" => f.length = Some(num()?),
        "minLength" => f.min_length = Some(num()?),
        "maxLength" => f.max_length = Some(num()?),
        "totalDigits" => f.total_digits = Some(num()?),
        "fractionDigits" => f.fraction_digits = Some(num()?),
        "minInclusive" => f.min_inclusive = Some(text()?),
        "maxInclusive" => f.max_inclusive = Some(text()?),
        "minExclusive" => f.min_exclusive = Some(text()?),
        "maxExclusive" => f.max_exclusive = Some(text()?),
        "whiteSpace" => {
            f.white_space = Some(match rest.first().ok_or("missing value")?.atom()? {
                "collapse" => WhiteSpace::Collapse,
                "preserve" => WhiteSpace::Preserve,
                "replace" => WhiteSpace::Replace,
                _ => return Err("bad whiteSpace".into()),
            });
        }
        other => return Err(format!("unknown facet `{other}`")),
    }
    Ok(())
}

/// A parsed item of the text form.
#[derive(Debug)]
enum Sexp<'a> {
    Atom(&'a str),
    List(Vec<Sexp<'a>>),
    Str(String),
}

impl<'a> Sexp<'a> {
    fn parse(line: &'a str) -> Result<Self, String> {
        let mut rest = line.trim();
        let item = Self::read(&mut rest, 0)?;
        if !rest.trim().is_empty() {
            return Err("trailing text".into());
        }
        Ok(item)
    }

    fn read(rest: &mut &'a str, depth: usize) -> Result<Self, String> {
        if depth > MAX_PARTICLE_DEPTH + 8 {
            return Err("nested too deeply".into());
        }
        *rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix('(') {
            *rest = r;
            let mut items = Vec::new();
            loop {
                *rest = rest.trim_start();
                if let Some(r) = rest.strip_prefix(')') {
                    *rest = r;
                    return Ok(Self::List(items));
                }
                if rest.is_empty() {
                    return Err("unclosed `(`".into());
                }
                items.push(Self::read(rest, depth + 1)?);
            }
        }
        if let Some(r) = rest.strip_prefix('"') {
            let mut s = String::new();
            let mut chars = r.char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '"' => {
                        *rest = r.get(i + 1..).unwrap_or("");
                        return Ok(Self::Str(s));
                    }
                    '\\' => match chars.next() {
                        Some((_, 'n')) => s.push('\n'),
                        Some((_, 'r')) => s.push('\r'),
                        Some((_, 't')) => s.push('\t'),
                        Some((_, c)) => s.push(c),
                        None => break,
                    },
                    c => s.push(c),
                }
            }
            return Err("unclosed string".into());
        }
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == '"')
            .unwrap_or(rest.len());
        if end == 0 {
            return Err("unexpected `)`".into());
        }
        let (atom, r) = rest.split_at(end);
        *rest = r;
        Ok(Self::Atom(atom))
    }

    fn list(&self) -> Result<&[Self], String> {
        match self {
            Self::List(l) => Ok(l),
            _ => Err("expected a list".into()),
        }
    }

    fn atom(&self) -> Result<&'a str, String> {
        match self {
            Self::Atom(a) => Ok(a),
            _ => Err("expected an atom".into()),
        }
    }

    fn string(&self) -> Result<&str, String> {
        match self {
            Self::Str(s) => Ok(s),
            _ => Err("expected a string".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small rules text exercising every item kind; it must read and write back unchanged.
    const SAMPLE: &str = r#"medcom-legacy-rules 1
(ns "urn:a")
(ns "urn:b")
(root e0)
(e 0 0:Root c0 global)
(e 1 0:Code s0 nillable (fixed "x\"y"))
(e 2 -:Local xs:string)
(c 0 "RootType" (attr -:id xs:int req) (attr 1:lang s0 opt (fixed "da")) anyattr (elements mixed (seq 1 1 (el 1 u e1) (choice 0 2 (el 1 1 e2) (any 0 u (other 0) lax) (any 1 1 (list - 1) strict)) (all 0 1 (el 0 1 e2)))))
(c 1 "Text" (simple s0))
(c 2 "Nothing" empty)
(c 3 "Anything" any)
(s 0 "CodeType" xs:token (pattern "[A-Z]{2}" "x") (enum "AB" "x") (length 2) (minLength 1) (maxLength 3) (totalDigits 4) (fractionDigits 1) (minInclusive "0") (maxInclusive "9") (minExclusive "-1") (maxExclusive "10") (whiteSpace collapse))
"#;

    #[test]
    fn text_round_trips() {
        let rules = Rules::parse(SAMPLE).unwrap();
        assert_eq!(rules.to_text(), SAMPLE);
        assert_eq!(rules.children[0].len(), 2);
    }

    /// Broken texts, each with the line the error names.
    #[rustfmt::skip]
    const BROKEN: &[(&str, usize)] = &[
        ("medcom-legacy-rules 2\n", 1),
        ("medcom-legacy-rules 1\n(ns \"a\"\n", 2),
        ("medcom-legacy-rules 1\n(e 1 0:a xs:string)\n", 2),
        ("medcom-legacy-rules 1\n(e 0 0:a xs:nothing)\n", 2),
        ("medcom-legacy-rules 1\n(e 0 0:a c4)\n", 0),
        ("medcom-legacy-rules 1\n(s 0 \"a\" s0)\n", 0),
        ("medcom-legacy-rules 1\n(s 0 \"a\" xs:string (pattern \"\\\\i\"))\n", 0),
        ("medcom-legacy-rules 1\n(bogus)\n", 2),
    ];

    #[test]
    fn broken_texts() {
        for &(text, line) in BROKEN {
            let e = Rules::parse(text).unwrap_err();
            assert_eq!(e.line(), line, "{text}: {e}");
        }
    }
}
