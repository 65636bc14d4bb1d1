//! The XSD importer: compiles the official schemas into the project's own [`Rules`].
//!
//! Supported: `element` (global, local, `ref`, `substitutionGroup`, `abstract`, `nillable`,
//! `fixed`, `form`), `complexType` (named and anonymous, `mixed`), `simpleType` (named and
//! anonymous, restriction), `sequence`, `choice`, `all`, `group`, `any`, `minOccurs`/`maxOccurs`
//! (including `maxOccurs="0"`, which removes the particle), `simpleContent` and
//! `complexContent` with `extension` and `restriction`, `attribute` (local, `ref`, `use`,
//! `fixed`), `attributeGroup`, `anyAttribute` (any namespace, not checked), the facets `pattern`
//! (XSD regular expressions translated to Rust ones), `enumeration`, `length`, `minLength`, `maxLength`,
//! `totalDigits`, `fractionDigits`, `minInclusive`, `maxInclusive`, `minExclusive`,
//! `maxExclusive`, `whiteSpace`, the built-in types, and `include`/`import` through relative
//! `schemaLocation`s across the schema folders.
//!
//! Everything else is an [`ImportError`], never skipped: `list`, `union`, `redefine`,
//! `override`, `notation`, identity constraints (`key`, `keyref`, `unique`), XSD 1.1 (`assert`,
//! `assertion`, `alternative`, `openContent`, `defaultOpenContent`), abstract complex types,
//! unknown attributes on XSD elements, `import` without a `schemaLocation` whose components are
//! used, and the regex features listed in the pattern module. Only what the roots reach is
//! compiled, so an unsupported construct elsewhere in a folder does not stop an import.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use roxmltree::{Document, Node};

use super::rules::{
    AttributeDecl, Builtin, ComplexType, Content, ElementDecl, Facets, NsConstraint, Particle,
    QName, Rules, SimpleType, Term, TypeRef, WhiteSpace, Wildcard, NO_NS, UNBOUNDED,
};
use super::SchemaSet;

/// The XML Schema namespace.
const XS: &str = "http://www.w3.org/2001/XMLSchema";

/// Deepest nesting of XSD constructs followed.
const MAX_DEPTH: usize = 64;

/// Why a schema could not be imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError {
    file: PathBuf,
    message: String,
}

impl ImportError {
    fn new(file: &Path, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            message: message.into(),
        }
    }

    /// The schema file where the problem is.
    #[must_use]
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// What is wrong, e.g. `unsupported XSD feature: xs:union`.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.message)
    }
}

impl std::error::Error for ImportError {}

/// Compiles one schema set from the shared reference folder (`shared` is the folder holding
/// `medcom/legacy/files`).
///
/// # Errors
///
/// An [`ImportError`] naming the file and the unsupported or broken construct.
pub fn compile_set(shared: &Path, set: &SchemaSet) -> Result<Rules, ImportError> {
    let path = shared.join("medcom/legacy/files").join(set.source);
    let rules = compile(&path, set.roots)?;
    let root_ns = rules.root_names().next().map(|(ns, _)| ns.to_owned());
    if root_ns.as_deref() != Some(set.namespace) {
        return Err(ImportError::new(
            &path,
            format!("target namespace {root_ns:?} is not {}", set.namespace),
        ));
    }
    Ok(rules)
}

/// Compiles every embedded schema set from `shared` and writes `<name>.rules` files into `out`.
///
/// # Errors
///
/// The first [`ImportError`], or an I/O error as an [`ImportError`] on the output file.
pub fn write_all(shared: &Path, out: &Path) -> Result<(), ImportError> {
    for set in super::SCHEMA_SETS {
        let rules = compile_set(shared, set)?;
        let file = out.join(format!("{}.rules", set.name));
        std::fs::write(&file, rules.to_text())
            .map_err(|e| ImportError::new(&file, e.to_string()))?;
    }
    Ok(())
}

/// Compiles the schema at `path` (with everything it includes and imports) for the given root
/// elements of its target namespace.
///
/// # Errors
///
/// An [`ImportError`] naming the file and the unsupported or broken construct.
pub fn compile(path: &Path, roots: &[&str]) -> Result<Rules, ImportError> {
    let mut files = Files::default();
    let first = files.load(path, None, 0)?;
    let docs = files
        .texts
        .iter()
        .zip(&files.paths)
        .map(|(t, p)| parse(t, p))
        .collect::<Result<Vec<_>, _>>()?;
    let mut c = Compiler::new(&files, &docs)?;
    let tns = files.tns[first].clone();
    for root in roots {
        let Some(&(fi, id)) = c.elements.get(&(tns.clone(), (*root).to_owned())) else {
            return Err(ImportError::new(
                path,
                format!("no global element `{root}`"),
            ));
        };
        let e = c.global_element(fi, id, 0)?;
        c.rules.roots.push(e);
    }
    let mut rules = c.rules;
    rules.finish().map_err(|e| ImportError::new(path, e))?;
    Ok(rules)
}

fn parse<'t>(text: &'t str, path: &Path) -> Result<Document<'t>, ImportError> {
    Document::parse(text).map_err(|e| ImportError::new(path, format!("not well-formed: {e}")))
}

/// Every schema document a root pulls in, with its effective target namespace.
#[derive(Default)]
struct Files {
    paths: Vec<PathBuf>,
    texts: Vec<String>,
    tns: Vec<String>,
}

impl Files {
    /// Loads a schema file and, recursively, what it includes and imports. `chameleon` is the
    /// includer's namespace, adopted by an included schema without one.
    fn load(
        &mut self,
        path: &Path,
        chameleon: Option<&str>,
        depth: usize,
    ) -> Result<usize, ImportError> {
        if depth > MAX_DEPTH {
            return Err(ImportError::new(path, "includes nested too deeply"));
        }
        let canonical = path
            .canonicalize()
            .map_err(|e| ImportError::new(path, format!("cannot open: {e}")))?;
        if let Some(i) = self.paths.iter().position(|p| *p == canonical) {
            return Ok(i);
        }
        let bytes = std::fs::read(&canonical).map_err(|e| ImportError::new(path, e.to_string()))?;
        let text = super::decode(&bytes)
            .map_err(|e| ImportError::new(path, e.to_string()))?
            .into_owned();
        let i = self.paths.len();
        self.paths.push(canonical.clone());
        self.texts.push(text);
        self.tns.push(String::new());
        let doc = parse(&self.texts[i], &canonical)?;
        let schema = doc.root_element();
        if !schema.has_tag_name((XS, "schema")) {
            return Err(ImportError::new(path, "root element is not xs:schema"));
        }
        let tns = schema
            .attribute("targetNamespace")
            .or(chameleon)
            .unwrap_or("")
            .to_owned();
        self.tns[i] = tns.clone();
        let dir = canonical.parent().map(Path::to_owned).unwrap_or_default();
        let mut next = Vec::new();
        for child in schema.children().filter(Node::is_element) {
            match xs_name(child) {
                Some("include") => {
                    let loc = child
                        .attribute("schemaLocation")
                        .ok_or_else(|| ImportError::new(path, "include without schemaLocation"))?;
                    next.push((dir.join(loc), Some(tns.clone())));
                }
                Some("import") => {
                    // Without a location the namespace must come from another import; a
                    // reference into it that nothing loaded is an error later.
                    if let Some(loc) = child.attribute("schemaLocation") {
                        if loc.contains("://") {
                            return Err(ImportError::new(
                                path,
                                format!("import from the network is not supported: {loc}"),
                            ));
                        }
                        next.push((dir.join(loc), None));
                    }
                }
                Some(other @ ("redefine" | "override")) => {
                    return Err(ImportError::new(
                        path,
                        format!("unsupported XSD feature: xs:{other}"),
                    ));
                }
                _ => {}
            }
        }
        drop(doc);
        for (p, cham) in next {
            self.load(&p, cham.as_deref(), depth + 1)?;
        }
        Ok(i)
    }
}

/// The local name of an element in the XSD namespace.
fn xs_name<'a>(n: Node<'a, '_>) -> Option<&'a str> {
    (n.tag_name().namespace() == Some(XS)).then(|| n.tag_name().name())
}

/// The XSD children of a node, without annotations.
fn xs_children<'a, 'i>(n: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    n.children()
        .filter(|c| c.is_element() && xs_name(*c) != Some("annotation"))
}

type Key = (String, String);

struct Compiler<'f, 'd, 't> {
    files: &'f Files,
    docs: &'d [Document<'t>],
    simple_types: HashMap<Key, (usize, roxmltree::NodeId)>,
    complex_types: HashMap<Key, (usize, roxmltree::NodeId)>,
    elements: HashMap<Key, (usize, roxmltree::NodeId)>,
    groups: HashMap<Key, (usize, roxmltree::NodeId)>,
    attributes: HashMap<Key, (usize, roxmltree::NodeId)>,
    attribute_groups: HashMap<Key, (usize, roxmltree::NodeId)>,
    /// Substitution group head → members, in document order.
    substitutes: HashMap<Key, Vec<Key>>,
    rules: Rules,
    types_done: HashMap<Key, TypeRef>,
    /// Complex types whose compilation has started but not finished (derivation cycles).
    in_progress: Vec<u32>,
    elements_done: HashMap<Key, u32>,
    abstract_elements: Vec<u32>,
}

impl<'f, 'd, 't> Compiler<'f, 'd, 't> {
    fn new(files: &'f Files, docs: &'d [Document<'t>]) -> Result<Self, ImportError> {
        let mut c = Self {
            files,
            docs,
            simple_types: HashMap::new(),
            complex_types: HashMap::new(),
            elements: HashMap::new(),
            groups: HashMap::new(),
            attributes: HashMap::new(),
            attribute_groups: HashMap::new(),
            substitutes: HashMap::new(),
            rules: Rules::default(),
            types_done: HashMap::new(),
            in_progress: Vec::new(),
            elements_done: HashMap::new(),
            abstract_elements: Vec::new(),
        };
        for (fi, doc) in docs.iter().enumerate() {
            let tns = &files.tns[fi];
            for n in xs_children(doc.root_element()) {
                let Some(kind) = xs_name(n) else { continue };
                let table = match kind {
                    "simpleType" => &mut c.simple_types,
                    "complexType" => &mut c.complex_types,
                    "element" => &mut c.elements,
                    "group" => &mut c.groups,
                    "attribute" => &mut c.attributes,
                    "attributeGroup" => &mut c.attribute_groups,
                    "include" | "import" => continue,
                    "notation" => return Err(c.unsupported(fi, "xs:notation")),
                    other => return Err(c.unsupported(fi, &format!("top-level xs:{other}"))),
                };
                let name = n.attribute("name").ok_or_else(|| {
                    ImportError::new(&files.paths[fi], format!("xs:{kind} without a name"))
                })?;
                let key = (tns.clone(), name.to_owned());
                if let Some(&(f0, id0)) = table.get(&key) {
                    // The same definition in two files (a copy) is harmless; a different one is not.
                    let same = docs[f0]
                        .get_node(id0)
                        .is_some_and(|o| node_text(o) == node_text(n));
                    if !same {
                        return Err(ImportError::new(
                            &files.paths[fi],
                            format!(
                                "xs:{kind} `{name}` is defined twice (also in {})",
                                files.paths[f0].display()
                            ),
                        ));
                    }
                    continue;
                }
                table.insert(key.clone(), (fi, n.id()));
                if kind == "element" {
                    if let Some(head) = n.attribute("substitutionGroup") {
                        let head = c.resolve(n, head, fi)?;
                        c.substitutes.entry(head).or_default().push(key);
                    }
                }
            }
        }
        Ok(c)
    }

    fn path(&self, fi: usize) -> &Path {
        &self.files.paths[fi]
    }

    fn unsupported(&self, fi: usize, what: &str) -> ImportError {
        ImportError::new(self.path(fi), format!("unsupported XSD feature: {what}"))
    }

    fn node(&self, fi: usize, id: roxmltree::NodeId) -> Node<'d, 't> {
        // Ids come from the same documents, so the lookup cannot fail; fall back to the root.
        let doc = &self.docs[fi];
        doc.get_node(id).unwrap_or_else(|| doc.root())
    }

    fn ns(&mut self, uri: &str) -> u16 {
        if uri.is_empty() {
            return NO_NS;
        }
        if let Some(i) = self.rules.namespaces.iter().position(|n| &**n == uri) {
            return u16::try_from(i).unwrap_or(NO_NS);
        }
        self.rules.namespaces.push(uri.into());
        u16::try_from(self.rules.namespaces.len() - 1).unwrap_or(NO_NS)
    }

    /// Resolves a QName-valued attribute (`type`, `ref`, `base`, …) in the context of `n`.
    fn resolve(&self, n: Node<'_, '_>, qname: &str, fi: usize) -> Result<Key, ImportError> {
        let (prefix, local) = match qname.split_once(':') {
            Some((p, l)) => (Some(p), l),
            None => (None, qname),
        };
        let ns = match n.lookup_namespace_uri(prefix) {
            Some(ns) => ns,
            None if prefix.is_none() => "",
            None => {
                return Err(ImportError::new(
                    self.path(fi),
                    format!("undeclared prefix in `{qname}`"),
                ))
            }
        };
        Ok((ns.to_owned(), local.to_owned()))
    }

    /// Checks that an XSD element carries only attributes this importer understands.
    fn check_attributes(
        &self,
        n: Node<'_, '_>,
        fi: usize,
        allowed: &[&str],
    ) -> Result<(), ImportError> {
        for a in n.attributes() {
            if a.namespace().is_some() {
                continue; // foreign attributes are annotations
            }
            if !allowed.contains(&a.name()) && a.name() != "id" {
                return Err(self.unsupported(
                    fi,
                    &format!("attribute `{}` on xs:{}", a.name(), n.tag_name().name()),
                ));
            }
        }
        Ok(())
    }

    fn type_ref(&mut self, key: &Key, fi: usize, depth: usize) -> Result<TypeRef, ImportError> {
        if key.0 == XS {
            return Builtin::from_name(&key.1)
                .map(TypeRef::Builtin)
                .ok_or_else(|| self.unsupported(fi, &format!("built-in type xs:{}", key.1)));
        }
        if let Some(t) = self.types_done.get(key) {
            return Ok(*t);
        }
        if depth > MAX_DEPTH {
            return Err(ImportError::new(self.path(fi), "types nested too deeply"));
        }
        if let Some(&(tf, id)) = self.simple_types.get(key) {
            let i = u32::try_from(self.rules.simple.len()).unwrap_or(u32::MAX);
            self.rules.simple.push(SimpleType {
                name: key.1.clone().into(),
                base: TypeRef::Builtin(Builtin::AnySimpleType),
                facets: Facets::default(),
            });
            self.types_done.insert(key.clone(), TypeRef::Simple(i));
            let node = self.node(tf, id);
            let s = self.simple_type(node, tf, &key.1, depth + 1)?;
            self.rules.simple[i as usize] = s;
            return Ok(TypeRef::Simple(i));
        }
        if let Some(&(tf, id)) = self.complex_types.get(key) {
            let i = u32::try_from(self.rules.complex.len()).unwrap_or(u32::MAX);
            self.rules.complex.push(ComplexType {
                name: key.1.clone().into(),
                attributes: Vec::new(),
                any_attribute: false,
                content: Content::Empty,
            });
            self.types_done.insert(key.clone(), TypeRef::Complex(i));
            self.in_progress.push(i);
            let node = self.node(tf, id);
            let c = self.complex_type(node, tf, &key.1, depth + 1)?;
            self.in_progress.retain(|&x| x != i);
            self.rules.complex[i as usize] = c;
            return Ok(TypeRef::Complex(i));
        }
        Err(ImportError::new(
            self.path(fi),
            format!("unresolved type {{{}}}{}", key.0, key.1),
        ))
    }

    /// Compiles an anonymous or named simple type.
    fn simple_type(
        &mut self,
        n: Node<'_, 't>,
        fi: usize,
        name: &str,
        depth: usize,
    ) -> Result<SimpleType, ImportError> {
        self.check_attributes(n, fi, &["name", "final"])?;
        let mut kids = xs_children(n);
        let Some(r) = kids.next() else {
            return Err(ImportError::new(
                self.path(fi),
                format!("simple type `{name}` is empty"),
            ));
        };
        match xs_name(r) {
            Some("restriction") => {}
            Some(other) => return Err(self.unsupported(fi, &format!("xs:{other}"))),
            None => return Err(self.unsupported(fi, "foreign element in xs:simpleType")),
        }
        self.check_attributes(r, fi, &["base"])?;
        let (base, facet_nodes) = self.restriction_base(r, fi, name, depth)?;
        let facets = self.facets(&facet_nodes, fi)?;
        Ok(SimpleType {
            name: name.into(),
            base,
            facets,
        })
    }

    /// The base of a simple restriction (attribute or inline type) and its facet nodes.
    fn restriction_base<'n>(
        &mut self,
        r: Node<'n, 't>,
        fi: usize,
        name: &str,
        depth: usize,
    ) -> Result<(TypeRef, Vec<Node<'n, 't>>), ImportError> {
        let mut facets = Vec::new();
        let mut base = None;
        if let Some(b) = r.attribute("base") {
            let key = self.resolve(r, b, fi)?;
            base = Some(self.type_ref(&key, fi, depth)?);
        }
        for c in xs_children(r) {
            if xs_name(c) == Some("simpleType") {
                let s = self.simple_type(c, fi, &format!("{name}/base"), depth + 1)?;
                base = Some(self.push_simple(s));
            } else {
                facets.push(c);
            }
        }
        let base =
            base.ok_or_else(|| ImportError::new(self.path(fi), "restriction without a base"))?;
        Ok((base, facets))
    }

    fn push_simple(&mut self, s: SimpleType) -> TypeRef {
        self.rules.simple.push(s);
        TypeRef::Simple(u32::try_from(self.rules.simple.len() - 1).unwrap_or(u32::MAX))
    }

    fn facets(&self, nodes: &[Node<'_, '_>], fi: usize) -> Result<Facets, ImportError> {
        let mut f = Facets::default();
        for n in nodes {
            let kind = xs_name(*n).unwrap_or("?");
            const KNOWN: &[&str] = &[
                "pattern",
                "enumeration",
                "length",
                "minLength",
                "maxLength",
                "totalDigits",
                "fractionDigits",
                "minInclusive",
                "maxInclusive",
                "minExclusive",
                "maxExclusive",
                "whiteSpace",
            ];
            if !KNOWN.contains(&kind) {
                return Err(self.unsupported(fi, &format!("facet xs:{kind}")));
            }
            self.check_attributes(*n, fi, &["value", "fixed"])?;
            let value = n.attribute("value").ok_or_else(|| {
                ImportError::new(self.path(fi), format!("xs:{kind} without a value"))
            })?;
            let num = || {
                value.trim().parse::<u64>().map_err(|_| {
                    ImportError::new(self.path(fi), format!("xs:{kind} value is not a number"))
                })
            };
            match kind {
                "pattern" => {
                    super::regex::translate(value).map_err(|e| {
                        ImportError::new(self.path(fi), format!("{e} in `{value}`"))
                    })?;
                    f.patterns.push(value.into());
                }
                "enumeration" => f.enumeration.push(value.into()),
                "length" => f.length = Some(num()?),
                "minLength" => f.min_length = Some(num()?),
                "maxLength" => f.max_length = Some(num()?),
                "totalDigits" => f.total_digits = Some(num()?),
                "fractionDigits" => f.fraction_digits = Some(num()?),
                "minInclusive" => f.min_inclusive = Some(value.into()),
                "maxInclusive" => f.max_inclusive = Some(value.into()),
                "minExclusive" => f.min_exclusive = Some(value.into()),
                "maxExclusive" => f.max_exclusive = Some(value.into()),
                "whiteSpace" => {
                    f.white_space = Some(match value {
                        "collapse" => WhiteSpace::Collapse,
                        "preserve" => WhiteSpace::Preserve,
                        "replace" => WhiteSpace::Replace,
                        _ => return Err(ImportError::new(self.path(fi), "bad xs:whiteSpace")),
                    });
                }
                other => return Err(self.unsupported(fi, &format!("facet xs:{other}"))),
            }
        }
        Ok(f)
    }

    fn complex_type(
        &mut self,
        n: Node<'_, 't>,
        fi: usize,
        name: &str,
        depth: usize,
    ) -> Result<ComplexType, ImportError> {
        self.check_attributes(n, fi, &["name", "mixed", "abstract", "block", "final"])?;
        if matches!(n.attribute("abstract"), Some("true" | "1")) {
            return Err(self.unsupported(fi, "abstract complex type"));
        }
        let mut mixed = is_true(n.attribute("mixed"));
        let mut ct = ComplexType {
            name: name.into(),
            attributes: Vec::new(),
            any_attribute: false,
            content: Content::Empty,
        };
        let mut particle = None;
        for c in xs_children(n) {
            match xs_name(c) {
                Some("simpleContent") => {
                    self.check_attributes(c, fi, &[])?;
                    return self.simple_content(c, fi, name, depth);
                }
                Some("complexContent") => {
                    self.check_attributes(c, fi, &["mixed"])?;
                    mixed |= is_true(c.attribute("mixed"));
                    return self.complex_content(c, fi, name, mixed, depth);
                }
                Some("sequence" | "choice" | "all" | "group") => {
                    particle = self.particle(c, fi, depth + 1)?;
                }
                Some("attribute" | "attributeGroup" | "anyAttribute") => {
                    self.attribute_use(c, fi, &mut ct, depth)?;
                }
                Some(other) => {
                    return Err(self.unsupported(fi, &format!("xs:{other} in xs:complexType")))
                }
                None => return Err(self.unsupported(fi, "foreign element in xs:complexType")),
            }
        }
        ct.content = content(mixed, particle);
        Ok(ct)
    }

    fn simple_content(
        &mut self,
        sc: Node<'_, 't>,
        fi: usize,
        name: &str,
        depth: usize,
    ) -> Result<ComplexType, ImportError> {
        let d = xs_children(sc)
            .next()
            .ok_or_else(|| ImportError::new(self.path(fi), "empty xs:simpleContent"))?;
        let kind = xs_name(d).unwrap_or("?");
        self.check_attributes(d, fi, &["base"])?;
        let base_key = self.resolve(d, d.attribute("base").unwrap_or(""), fi)?;
        let base = self.type_ref(&base_key, fi, depth + 1)?;
        let mut ct = ComplexType {
            name: name.into(),
            attributes: Vec::new(),
            any_attribute: false,
            content: Content::Empty,
        };
        let value_type = match base {
            TypeRef::Complex(i) => {
                let b = self.finished_complex(i, fi)?;
                ct.attributes.clone_from(&b.attributes);
                ct.any_attribute = b.any_attribute;
                match b.content {
                    Content::Simple(t) => t,
                    _ => {
                        return Err(ImportError::new(
                            self.path(fi),
                            "simple content from a complex base without simple content",
                        ))
                    }
                }
            }
            t => t,
        };
        let mut facet_nodes = Vec::new();
        for c in xs_children(d) {
            match xs_name(c) {
                Some("attribute" | "attributeGroup" | "anyAttribute") => {
                    self.attribute_use(c, fi, &mut ct, depth)?
                }
                Some(_) if kind == "restriction" => facet_nodes.push(c),
                _ => return Err(self.unsupported(fi, "content of xs:simpleContent/xs:extension")),
            }
        }
        let value_type = match kind {
            "extension" => value_type,
            "restriction" => {
                let facets = self.facets(&facet_nodes, fi)?;
                self.push_simple(SimpleType {
                    name: format!("{name}/content").into(),
                    base: value_type,
                    facets,
                })
            }
            other => return Err(self.unsupported(fi, &format!("xs:{other} in xs:simpleContent"))),
        };
        ct.content = Content::Simple(value_type);
        Ok(ct)
    }

    fn finished_complex(&self, i: u32, fi: usize) -> Result<ComplexType, ImportError> {
        if self.in_progress.contains(&i) {
            return Err(ImportError::new(
                self.path(fi),
                "a complex type derives from itself",
            ));
        }
        self.rules
            .complex
            .get(i as usize)
            .cloned()
            .ok_or_else(|| ImportError::new(self.path(fi), "missing base type"))
    }

    fn complex_content(
        &mut self,
        cc: Node<'_, 't>,
        fi: usize,
        name: &str,
        mixed: bool,
        depth: usize,
    ) -> Result<ComplexType, ImportError> {
        let d = xs_children(cc)
            .next()
            .ok_or_else(|| ImportError::new(self.path(fi), "empty xs:complexContent"))?;
        let kind = xs_name(d).unwrap_or("?");
        self.check_attributes(d, fi, &["base"])?;
        let base_key = self.resolve(d, d.attribute("base").unwrap_or(""), fi)?;
        let base = match self.type_ref(&base_key, fi, depth + 1)? {
            TypeRef::Complex(i) => Some(self.finished_complex(i, fi)?),
            TypeRef::Builtin(Builtin::AnyType) => None,
            _ => {
                return Err(ImportError::new(
                    self.path(fi),
                    "complex content derived from a simple type",
                ))
            }
        };
        let mut ct = ComplexType {
            name: name.into(),
            attributes: Vec::new(),
            any_attribute: false,
            content: Content::Empty,
        };
        if let Some(b) = &base {
            ct.attributes.clone_from(&b.attributes);
            ct.any_attribute = b.any_attribute;
        }
        let mut own = None;
        for c in xs_children(d) {
            match xs_name(c) {
                Some("sequence" | "choice" | "all" | "group") => {
                    own = self.particle(c, fi, depth + 1)?
                }
                Some("attribute" | "attributeGroup" | "anyAttribute") => {
                    self.attribute_use(c, fi, &mut ct, depth)?
                }
                Some(other) => {
                    return Err(self.unsupported(fi, &format!("xs:{other} in xs:{kind}")))
                }
                None => return Err(self.unsupported(fi, "foreign element in xs:complexContent")),
            }
        }
        ct.content = match (kind, base.map(|b| b.content)) {
            ("restriction", _) | ("extension", None | Some(Content::Empty)) => content(mixed, own),
            (
                "extension",
                Some(Content::Elements {
                    mixed: base_mixed,
                    particle,
                }),
            ) => {
                let particle = match own {
                    Some(own) => Particle {
                        min: 1,
                        max: 1,
                        term: Term::Sequence(vec![particle, own]),
                    },
                    None => particle,
                };
                Content::Elements {
                    mixed: mixed || base_mixed,
                    particle,
                }
            }
            ("extension", Some(Content::Any)) => Content::Any,
            ("extension", Some(Content::Simple(_))) => {
                return Err(self.unsupported(fi, "complex content extending simple content"))
            }
            (other, _) => {
                return Err(self.unsupported(fi, &format!("xs:{other} in xs:complexContent")))
            }
        };
        Ok(ct)
    }

    fn attribute_use(
        &mut self,
        n: Node<'_, 't>,
        fi: usize,
        ct: &mut ComplexType,
        depth: usize,
    ) -> Result<(), ImportError> {
        if depth > MAX_DEPTH {
            return Err(ImportError::new(
                self.path(fi),
                "attribute groups nested too deeply",
            ));
        }
        match xs_name(n) {
            Some("anyAttribute") => {
                self.check_attributes(n, fi, &["namespace", "processContents"])?;
                ct.any_attribute = true;
            }
            Some("attributeGroup") => {
                self.check_attributes(n, fi, &["ref"])?;
                let key = self.resolve(n, n.attribute("ref").unwrap_or(""), fi)?;
                let &(gf, id) = self.attribute_groups.get(&key).ok_or_else(|| {
                    ImportError::new(
                        self.path(fi),
                        format!("unresolved attribute group {}", key.1),
                    )
                })?;
                let g = self.node(gf, id);
                for c in xs_children(g) {
                    self.attribute_use(c, gf, ct, depth + 1)?;
                }
            }
            Some("attribute") => {
                let a = self.attribute(n, fi, depth)?;
                if let Some(a) = a {
                    ct.attributes.retain(|x| x.name != a.name);
                    ct.attributes.push(a);
                } else if let Some(name) = n.attribute("name").or(n.attribute("ref")) {
                    // `use="prohibited"` removes an inherited attribute.
                    let local = name.rsplit(':').next().unwrap_or(name);
                    ct.attributes.retain(|x| &*x.name.local != local);
                }
            }
            _ => return Err(self.unsupported(fi, "attribute content")),
        }
        Ok(())
    }

    /// Compiles an attribute use; `None` for a prohibited one.
    fn attribute(
        &mut self,
        n: Node<'_, 't>,
        fi: usize,
        depth: usize,
    ) -> Result<Option<AttributeDecl>, ImportError> {
        self.check_attributes(
            n,
            fi,
            &["name", "ref", "type", "use", "fixed", "default", "form"],
        )?;
        let required = match n.attribute("use") {
            None | Some("optional") => false,
            Some("required") => true,
            Some("prohibited") => return Ok(None),
            Some(_) => return Err(ImportError::new(self.path(fi), "bad attribute use")),
        };
        let (decl, dfi, ns) = if let Some(r) = n.attribute("ref") {
            let key = self.resolve(n, r, fi)?;
            let &(af, id) = self.attributes.get(&key).ok_or_else(|| {
                ImportError::new(self.path(fi), format!("unresolved attribute {}", key.1))
            })?;
            let ns = self.ns(&key.0);
            (self.node(af, id), af, ns)
        } else {
            let global = n.parent().is_some_and(|p| xs_name(p) == Some("schema"));
            let qualified = match n.attribute("form") {
                Some(f) => f == "qualified",
                None => {
                    global
                        || self.docs[fi]
                            .root_element()
                            .attribute("attributeFormDefault")
                            == Some("qualified")
                }
            };
            let ns = if qualified {
                let tns = self.files.tns[fi].clone();
                self.ns(&tns)
            } else {
                NO_NS
            };
            (n, fi, ns)
        };
        self.check_attributes(
            decl,
            dfi,
            &["name", "ref", "type", "use", "fixed", "default", "form"],
        )?;
        let name = decl
            .attribute("name")
            .ok_or_else(|| ImportError::new(self.path(dfi), "attribute without a name"))?;
        let ty = if let Some(t) = decl.attribute("type") {
            let key = self.resolve(decl, t, dfi)?;
            self.type_ref(&key, dfi, depth + 1)?
        } else if let Some(s) = xs_children(decl).find(|c| xs_name(*c) == Some("simpleType")) {
            let s = self.simple_type(s, dfi, &format!("@{name}"), depth + 1)?;
            self.push_simple(s)
        } else {
            TypeRef::Builtin(Builtin::AnySimpleType)
        };
        let fixed = n
            .attribute("fixed")
            .or(decl.attribute("fixed"))
            .map(Into::into);
        Ok(Some(AttributeDecl {
            name: QName {
                ns,
                local: name.into(),
            },
            ty,
            required,
            fixed,
        }))
    }

    fn occurs(&self, n: Node<'_, '_>, fi: usize) -> Result<(u32, u32), ImportError> {
        let bad = || ImportError::new(self.path(fi), "bad minOccurs or maxOccurs");
        let min = match n.attribute("minOccurs") {
            None => 1,
            Some(v) => v.trim().parse().map_err(|_| bad())?,
        };
        let max = match n.attribute("maxOccurs").map(str::trim) {
            None => 1,
            Some("unbounded") => UNBOUNDED,
            Some(v) => v.parse().map_err(|_| bad())?,
        };
        if max != UNBOUNDED && min > max {
            return Err(bad());
        }
        Ok((min, max))
    }

    /// Compiles a particle; `None` when `maxOccurs="0"` removes it.
    fn particle(
        &mut self,
        n: Node<'_, 't>,
        fi: usize,
        depth: usize,
    ) -> Result<Option<Particle>, ImportError> {
        if depth > MAX_DEPTH {
            return Err(ImportError::new(
                self.path(fi),
                "content model nested too deeply",
            ));
        }
        let (min, max) = self.occurs(n, fi)?;
        if max == 0 {
            return Ok(None);
        }
        let term = match xs_name(n) {
            Some("element") => {
                if let Some(r) = n.attribute("ref") {
                    self.check_attributes(n, fi, &["ref", "minOccurs", "maxOccurs"])?;
                    let key = self.resolve(n, r, fi)?;
                    self.element_ref(&key, fi, depth)?
                } else {
                    Term::Element(self.local_element(n, fi, depth)?)
                }
            }
            Some("group") => {
                self.check_attributes(n, fi, &["ref", "minOccurs", "maxOccurs"])?;
                let key = self.resolve(n, n.attribute("ref").unwrap_or(""), fi)?;
                let &(gf, id) = self.groups.get(&key).ok_or_else(|| {
                    ImportError::new(self.path(fi), format!("unresolved group {}", key.1))
                })?;
                let g = self.node(gf, id);
                let inner = xs_children(g)
                    .next()
                    .ok_or_else(|| ImportError::new(self.path(gf), "empty xs:group"))?;
                match self.particle(inner, gf, depth + 1)? {
                    Some(p) => p.term,
                    None => return Ok(None),
                }
            }
            Some(kind @ ("sequence" | "choice" | "all")) => {
                self.check_attributes(n, fi, &["minOccurs", "maxOccurs"])?;
                let mut children = Vec::new();
                for c in xs_children(n) {
                    if let Some(p) = self.particle(c, fi, depth + 1)? {
                        children.push(p);
                    }
                }
                match kind {
                    "sequence" => Term::Sequence(children),
                    "choice" => Term::Choice(children),
                    _ => {
                        if children.len() > 64 {
                            return Err(self.unsupported(fi, "xs:all with more than 64 members"));
                        }
                        Term::All(children)
                    }
                }
            }
            Some("any") => {
                self.check_attributes(
                    n,
                    fi,
                    &["namespace", "processContents", "minOccurs", "maxOccurs"],
                )?;
                let tns = self.files.tns[fi].clone();
                let namespaces = match n.attribute("namespace").map(str::trim) {
                    None | Some("##any") => NsConstraint::Any,
                    Some("##other") => NsConstraint::Other(self.ns(&tns)),
                    Some(list) => {
                        let mut l = Vec::new();
                        for token in list.split_whitespace() {
                            l.push(match token {
                                "##targetNamespace" => self.ns(&tns),
                                "##local" => NO_NS,
                                uri => self.ns(uri),
                            });
                        }
                        NsConstraint::List(l)
                    }
                };
                let strict = match n.attribute("processContents") {
                    None | Some("strict") => true,
                    Some("lax" | "skip") => false,
                    Some(_) => return Err(ImportError::new(self.path(fi), "bad processContents")),
                };
                Term::Any(Wildcard { namespaces, strict })
            }
            Some(other) => {
                return Err(self.unsupported(fi, &format!("xs:{other} in a content model")))
            }
            None => return Err(self.unsupported(fi, "foreign element in a content model")),
        };
        Ok(Some(Particle { min, max, term }))
    }

    /// A reference to a global element, widened to its substitution group.
    fn element_ref(&mut self, key: &Key, fi: usize, depth: usize) -> Result<Term, ImportError> {
        let &(ef, id) = self.elements.get(key).ok_or_else(|| {
            ImportError::new(
                self.path(fi),
                format!("unresolved element {{{}}}{}", key.0, key.1),
            )
        })?;
        let head = self.global_element(ef, id, depth + 1)?;
        let members = self.substitutes.get(key).cloned().unwrap_or_default();
        if members.is_empty() {
            return Ok(Term::Element(head));
        }
        let mut choice = Vec::new();
        if !self.abstract_elements.contains(&head) {
            choice.push(Particle {
                min: 1,
                max: 1,
                term: Term::Element(head),
            });
        }
        for m in members {
            // Members may head groups of their own.
            let t = self.element_ref(&m, fi, depth + 1)?;
            choice.push(Particle {
                min: 1,
                max: 1,
                term: t,
            });
        }
        Ok(Term::Choice(choice))
    }

    fn global_element(
        &mut self,
        fi: usize,
        id: roxmltree::NodeId,
        depth: usize,
    ) -> Result<u32, ImportError> {
        let n = self.node(fi, id);
        let name = n.attribute("name").unwrap_or("");
        let key = (self.files.tns[fi].clone(), name.to_owned());
        if let Some(&e) = self.elements_done.get(&key) {
            return Ok(e);
        }
        let ns = self.ns(&key.0);
        let i = self.reserve_element(ns, name, true);
        self.elements_done.insert(key, i);
        if is_true(n.attribute("abstract")) {
            self.abstract_elements.push(i);
        }
        self.fill_element(n, fi, i, depth)?;
        Ok(i)
    }

    fn local_element(
        &mut self,
        n: Node<'_, 't>,
        fi: usize,
        depth: usize,
    ) -> Result<u32, ImportError> {
        let name = n
            .attribute("name")
            .ok_or_else(|| ImportError::new(self.path(fi), "element without name or ref"))?;
        let qualified = match n.attribute("form") {
            Some(f) => f == "qualified",
            None => {
                self.docs[fi].root_element().attribute("elementFormDefault") == Some("qualified")
            }
        };
        let ns = if qualified {
            let tns = self.files.tns[fi].clone();
            self.ns(&tns)
        } else {
            NO_NS
        };
        let i = self.reserve_element(ns, name, false);
        self.fill_element(n, fi, i, depth)?;
        Ok(i)
    }

    fn reserve_element(&mut self, ns: u16, name: &str, global: bool) -> u32 {
        self.rules.elements.push(ElementDecl {
            name: QName {
                ns,
                local: name.into(),
            },
            ty: TypeRef::Builtin(Builtin::AnyType),
            global,
            nillable: false,
            fixed: None,
        });
        u32::try_from(self.rules.elements.len() - 1).unwrap_or(u32::MAX)
    }

    fn fill_element(
        &mut self,
        n: Node<'_, 't>,
        fi: usize,
        i: u32,
        depth: usize,
    ) -> Result<(), ImportError> {
        self.check_attributes(
            n,
            fi,
            &[
                "name",
                "type",
                "minOccurs",
                "maxOccurs",
                "nillable",
                "fixed",
                "default",
                "form",
                "substitutionGroup",
                "abstract",
                "block",
                "final",
            ],
        )?;
        let name = n.attribute("name").unwrap_or("");
        let mut ty = None;
        if let Some(t) = n.attribute("type") {
            let key = self.resolve(n, t, fi)?;
            ty = Some(self.type_ref(&key, fi, depth + 1)?);
        }
        for c in xs_children(n) {
            match xs_name(c) {
                Some("simpleType") => {
                    let s = self.simple_type(c, fi, &format!("{name}/anonymous"), depth + 1)?;
                    ty = Some(self.push_simple(s));
                }
                Some("complexType") => {
                    let idx = u32::try_from(self.rules.complex.len()).unwrap_or(u32::MAX);
                    self.rules.complex.push(ComplexType {
                        name: name.into(),
                        attributes: Vec::new(),
                        any_attribute: false,
                        content: Content::Empty,
                    });
                    let ct = self.complex_type(c, fi, name, depth + 1)?;
                    self.rules.complex[idx as usize] = ct;
                    ty = Some(TypeRef::Complex(idx));
                }
                Some(k @ ("key" | "keyref" | "unique")) => {
                    return Err(self.unsupported(fi, &format!("identity constraint xs:{k}")))
                }
                Some(other) => {
                    return Err(self.unsupported(fi, &format!("xs:{other} in xs:element")))
                }
                None => return Err(self.unsupported(fi, "foreign element in xs:element")),
            }
        }
        if ty.is_none() {
            if let Some(head) = n.attribute("substitutionGroup") {
                let key = self.resolve(n, head, fi)?;
                if let Some(&(hf, hid)) = self.elements.get(&key) {
                    let h = self.global_element(hf, hid, depth + 1)?;
                    ty = Some(self.rules.elements[h as usize].ty);
                }
            }
        }
        let e = &mut self.rules.elements[i as usize];
        e.ty = ty.unwrap_or(TypeRef::Builtin(Builtin::AnyType));
        e.nillable = is_true(n.attribute("nillable"));
        e.fixed = n.attribute("fixed").map(Into::into);
        Ok(())
    }
}

fn is_true(v: Option<&str>) -> bool {
    matches!(v.map(str::trim), Some("true" | "1"))
}

fn content(mixed: bool, particle: Option<Particle>) -> Content {
    match particle {
        Some(particle) => Content::Elements { mixed, particle },
        // Mixed content without elements: text only.
        None if mixed => Content::Elements {
            mixed,
            particle: Particle {
                min: 1,
                max: 1,
                term: Term::Sequence(Vec::new()),
            },
        },
        None => Content::Empty,
    }
}

/// The source text of a node (to tell a copied definition from a different one).
fn node_text<'a>(n: Node<'_, 'a>) -> &'a str {
    n.document().input_text().get(n.range()).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes a schema body (inside `xs:schema` with target namespace `urn:t`) to a fresh file.
    fn schema_file(tag: &str, body: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("medcom-import-{}-{tag}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s.xsd");
        let text = format!(
            r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns="urn:t" targetNamespace="urn:t" elementFormDefault="qualified">{body}</xs:schema>"#
        );
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Unsupported XSD features: schema body (root element `r`), expected error message.
    #[rustfmt::skip]
    const UNSUPPORTED: &[(&str, &str)] = &[
        (r#"<xs:element name="r"><xs:simpleType><xs:list itemType="xs:int"/></xs:simpleType></xs:element>"#, "unsupported XSD feature: xs:list"),
        (r#"<xs:element name="r"><xs:simpleType><xs:union memberTypes="xs:int xs:date"/></xs:simpleType></xs:element>"#, "unsupported XSD feature: xs:union"),
        (r#"<xs:redefine schemaLocation="x.xsd"/><xs:element name="r"/>"#, "unsupported XSD feature: xs:redefine"),
        (r#"<xs:override schemaLocation="x.xsd"/><xs:element name="r"/>"#, "unsupported XSD feature: xs:override"),
        (r#"<xs:notation name="n" public="p"/><xs:element name="r"/>"#, "unsupported XSD feature: xs:notation"),
        (r#"<xs:element name="r"><xs:complexType><xs:sequence><xs:element name="a"/></xs:sequence></xs:complexType><xs:key name="k"><xs:selector xpath="a"/><xs:field xpath="."/></xs:key></xs:element>"#, "unsupported XSD feature: identity constraint xs:key"),
        (r#"<xs:element name="r"><xs:unique name="u"><xs:selector xpath="a"/><xs:field xpath="."/></xs:unique></xs:element>"#, "unsupported XSD feature: identity constraint xs:unique"),
        (r#"<xs:element name="r"><xs:keyref name="k" refer="x"><xs:selector xpath="a"/><xs:field xpath="."/></xs:keyref></xs:element>"#, "unsupported XSD feature: identity constraint xs:keyref"),
        (r#"<xs:element name="r"><xs:complexType><xs:sequence/><xs:assert test="true()"/></xs:complexType></xs:element>"#, "unsupported XSD feature: xs:assert in xs:complexType"),
        (r#"<xs:element name="r"><xs:complexType><xs:openContent/></xs:complexType></xs:element>"#, "unsupported XSD feature: xs:openContent in xs:complexType"),
        (r#"<xs:element name="r"><xs:simpleType><xs:restriction base="xs:int"><xs:assertion test="$value gt 0"/></xs:restriction></xs:simpleType></xs:element>"#, "unsupported XSD feature: facet xs:assertion"),
        (r#"<xs:element name="r"><xs:simpleType><xs:restriction base="xs:string"><xs:pattern value="\i\c*"/></xs:restriction></xs:simpleType></xs:element>"#, "unsupported XSD regex feature: `\\i`/`\\I` (XML name start) in `\\i\\c*`"),
        (r#"<xs:element name="r"><xs:simpleType><xs:restriction base="xs:string"><xs:pattern value="[a-z-[aeiou]]"/></xs:restriction></xs:simpleType></xs:element>"#, "unsupported XSD regex feature: character class subtraction in `[a-z-[aeiou]]`"),
        (r#"<xs:element name="r"><xs:simpleType><xs:restriction base="xs:string"><xs:pattern value="\p{Lu}"/></xs:restriction></xs:simpleType></xs:element>"#, "unsupported XSD regex feature: `\\p{..}`/`\\P{..}` categories in `\\p{Lu}`"),
        (r#"<xs:element name="r" type="T"/><xs:complexType name="T" abstract="true"/>"#, "unsupported XSD feature: abstract complex type"),
        (r#"<xs:element name="r" type="xs:ENTITY"/>"#, "unsupported XSD feature: built-in type xs:ENTITY"),
        (r#"<xs:element name="r" type="xs:QName"/>"#, "unsupported XSD feature: built-in type xs:QName"),
        (r#"<xs:element name="r" xmlns:v="urn:v" block="substitution" v:x="1" foo="1"/>"#, "unsupported XSD feature: attribute `foo` on xs:element"),
        (r#"<xs:element name="r"><xs:complexType><xs:all><xs:element name="a"/></xs:all><xs:anyAttribute/><xs:attribute name="x" inheritable="true"/></xs:complexType></xs:element>"#, "unsupported XSD feature: attribute `inheritable` on xs:attribute"),
        (r#"<xs:import namespace="urn:x" schemaLocation="http://example.org/x.xsd"/><xs:element name="r"/>"#, "import from the network is not supported: http://example.org/x.xsd"),
        (r#"<xs:import namespace="urn:x"/><xs:element name="r" xmlns:x="urn:x" type="x:T"/>"#, "unresolved type {urn:x}T"),
        (r#"<xs:element name="r" type="T"/><xs:simpleType name="T"><xs:restriction base="T"/></xs:simpleType>"#, "simple type s0 derives from itself"),
        (r#"<xs:element name="r" type="T"/><xs:complexType name="T"><xs:complexContent><xs:extension base="T"/></xs:complexContent></xs:complexType>"#, "a complex type derives from itself"),
        (r#"<xs:element name="x"/>"#, "no global element `r`"),
    ];

    #[test]
    fn unsupported_features_are_errors() {
        for (i, &(body, want)) in UNSUPPORTED.iter().enumerate() {
            let path = schema_file(&format!("u{i}"), body);
            let got = compile(&path, &["r"])
                .map(|_| ())
                .map_err(|e| e.message().to_owned());
            assert_eq!(got, Err(want.to_owned()), "{body}");
        }
    }

    /// Supported constructs: schema body (root `r`), instance, expected finding codes.
    #[rustfmt::skip]
    const SUPPORTED: &[(&str, &str, &[&str])] = &[
        // Substitution groups with an abstract head.
        (r#"<xs:element name="r"><xs:complexType><xs:sequence><xs:element ref="h" maxOccurs="2"/></xs:sequence></xs:complexType></xs:element>
            <xs:element name="h" abstract="true" type="xs:string"/><xs:element name="m1" substitutionGroup="h"/><xs:element name="m2" substitutionGroup="h" type="xs:int"/>"#,
         r#"<r xmlns="urn:t"><m1>a</m1><m2>x</m2></r>"#, &["xsd-datatype"]),
        (r#"<xs:element name="r"><xs:complexType><xs:sequence><xs:element ref="h"/></xs:sequence></xs:complexType></xs:element>
            <xs:element name="h" abstract="true" type="xs:string"/><xs:element name="m1" substitutionGroup="h"/>"#,
         r#"<r xmlns="urn:t"><h>a</h></r>"#, &["xsd-unexpected-element"]),
        // xs:all, in any order.
        (r#"<xs:element name="r"><xs:complexType><xs:all><xs:element name="a"/><xs:element name="b" minOccurs="0"/></xs:all></xs:complexType></xs:element>"#,
         r#"<r xmlns="urn:t"><b/><a/></r>"#, &[]),
        // Simple content extension with required and fixed attributes.
        (r#"<xs:element name="r"><xs:complexType><xs:simpleContent><xs:extension base="xs:token"><xs:attribute name="k" use="required"/><xs:attribute name="f" type="xs:string" fixed="1"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>"#,
         r#"<r xmlns="urn:t" f="2">v</r>"#, &["xsd-fixed", "xsd-missing-attribute"]),
        // Simple content restriction.
        (r#"<xs:element name="r"><xs:complexType><xs:simpleContent><xs:restriction base="B"><xs:maxLength value="2"/></xs:restriction></xs:simpleContent></xs:complexType></xs:element>
            <xs:complexType name="B"><xs:simpleContent><xs:extension base="xs:string"/></xs:simpleContent></xs:complexType>"#,
         r#"<r xmlns="urn:t">abc</r>"#, &["xsd-length"]),
        // Complex content extension appends to the base; restriction restates.
        (r#"<xs:element name="r" type="E"/><xs:complexType name="B"><xs:sequence><xs:element name="a"/></xs:sequence><xs:attribute name="x"/></xs:complexType>
            <xs:complexType name="E"><xs:complexContent><xs:extension base="B"><xs:sequence><xs:element name="b"/></xs:sequence></xs:extension></xs:complexContent></xs:complexType>"#,
         r#"<r xmlns="urn:t" x="1"><a/><b/></r>"#, &[]),
        (r#"<xs:element name="r" type="E"/><xs:complexType name="B"><xs:sequence><xs:element name="a" minOccurs="0"/></xs:sequence></xs:complexType>
            <xs:complexType name="E"><xs:complexContent><xs:restriction base="B"><xs:sequence><xs:element name="a"/></xs:sequence></xs:restriction></xs:complexContent></xs:complexType>"#,
         r#"<r xmlns="urn:t"/>"#, &["xsd-missing-element"]),
        // Groups, attribute groups, maxOccurs="0", nillable, mixed, wildcards.
        (r#"<xs:element name="r"><xs:complexType><xs:sequence><xs:group ref="g" maxOccurs="2"/><xs:element name="z" minOccurs="0" maxOccurs="0"/></xs:sequence><xs:attributeGroup ref="ag"/></xs:complexType></xs:element>
            <xs:group name="g"><xs:choice><xs:element name="a"/><xs:element name="b"/></xs:choice></xs:group><xs:attributeGroup name="ag"><xs:attribute name="q" type="xs:boolean"/></xs:attributeGroup>"#,
         r#"<r xmlns="urn:t" q="yes"><a/><b/><z/></r>"#, &["xsd-datatype", "xsd-unexpected-element"]),
        (r#"<xs:element name="r"><xs:complexType mixed="true"><xs:sequence><xs:element name="n" type="xs:int" nillable="true"/><xs:element name="m" type="xs:int"/></xs:sequence></xs:complexType></xs:element>"#,
         r#"<r xmlns="urn:t" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">text<n xsi:nil="true"/><m xsi:nil="true"/></r>"#, &["xsd-nil"]),
        (r###"<xs:element name="r"><xs:complexType><xs:sequence><xs:any namespace="##other" processContents="lax" maxOccurs="unbounded"/></xs:sequence></xs:complexType></xs:element>"###,
         r#"<r xmlns="urn:t"><x:a xmlns:x="urn:x"/><b/></r>"#, &["xsd-unexpected-element"]),
        // Unqualified local elements are in no namespace.
        (r#"<xs:element name="r"><xs:complexType><xs:sequence><xs:element name="a" form="unqualified"/></xs:sequence></xs:complexType></xs:element>"#,
         r#"<t:r xmlns:t="urn:t"><a/></t:r>"#, &[]),
    ];

    #[test]
    fn supported_constructs_validate() {
        for (i, &(body, instance, want)) in SUPPORTED.iter().enumerate() {
            let path = schema_file(&format!("s{i}"), body);
            let rules = compile(&path, &["r"]).unwrap_or_else(|e| panic!("{body}: {e}"));
            // The rules survive their own text form.
            let rules = Rules::parse(&rules.to_text()).unwrap();
            let doc = crate::legacy::schema::parse(instance).unwrap();
            let findings = crate::legacy::schema::validate_with(&rules, &doc);
            let got: Vec<&str> = findings.iter().map(crate::finding::Finding::code).collect();
            assert_eq!(got, want, "{instance}: {findings:#?}");
        }
    }
}
