//! Schema validation of legacy XML: OIOXML `Emessage` envelopes and their letters, the
//! VANSEnvelope and the EHMI SBDH.
//!
//! The official XSDs are compiled by the project's own importer ([`import`]) into compact rules
//! ([`Rules`], committed under `schemas/legacy/` and embedded in the crate), so validation needs
//! no XSD at run time. The validator picks the rules by the root element's namespace, checks
//! content models (sequence, choice, all, occurrence bounds), simple types (patterns,
//! enumerations, lengths, digits, ranges, dates and times), attributes and unexpected elements,
//! and reports [`Finding`]s with an XPath-style location and the line and column. A second pass
//! checks the Danish identifiers the letters carry (CPR, eCPR, GLN, SOR, municipality codes; see
//! [`crate::dk`]).
//!
//! # Examples
//!
//! ```
//! use medcom::legacy::schema;
//! let xml = r#"<VANSEnvelope xmlns="urn:oio:medcom:vans-envelope:1.0.4">
//!   <SenderID EndPointType="EAN">5790000121526</SenderID>
//! </VANSEnvelope>"#;
//! let doc = schema::parse(xml).unwrap();
//! let findings = schema::validate(&doc);
//! assert_eq!(findings[0].code(), "xsd-missing-element");
//! assert_eq!(findings[0].location(), "/VANSEnvelope");
//! assert_eq!(findings[0].message(), "missing element `ReceiverID`");
//! ```

mod content;
mod encoding;
mod identifiers;
pub mod import;
mod regex;
mod rules;
mod simple;
mod validate;

use std::sync::OnceLock;

pub use encoding::{decode, DecodeError};
/// The XML tree the schema API reads and returns ([`parse`], [`validate`]), re-exported so
/// that callers name the very version the crate uses.
pub use roxmltree;
pub use rules::{Rules, RulesError};

use crate::finding::{Finding, Severity, DEFAULT_MAX_FINDINGS};

/// One compiled schema set: a document kind's namespace and where its rules come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SchemaSet {
    /// File stem under `schemas/legacy/`, e.g. `sundcom-2005-08-07`.
    pub name: &'static str,
    /// The root element's namespace.
    pub namespace: &'static str,
    /// The root XSD, relative to `medcom/legacy/files/` in the shared reference material.
    pub source: &'static str,
    /// The accepted root elements.
    pub roots: &'static [&'static str],
    text: &'static str,
}

macro_rules! sets {
    ($($name:literal, $ns:literal, $source:literal, [$($root:literal),*];)*) => {
        /// Every embedded schema set.
        pub const SCHEMA_SETS: &[SchemaSet] = &[$(SchemaSet {
            name: $name,
            namespace: $ns,
            source: $source,
            roots: &[$($root),*],
            text: include_str!(concat!("../../../schemas/legacy/", $name, ".rules")),
        },)*];
    };
}

sets! {
    "sundcom-2005-08-07", "http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2005/08/07/",
        "glasdam_edifact_converter/data/xml/Schemas/2005/08/07/EMessage.xsd", ["Emessage"];
    "sundcom-2006-07-01", "http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2006/07/01/",
        "glasdam_edifact_converter/data/xml/Schemas/2006/07/01/EMessage.xsd", ["Emessage"];
    "sundcom-2007-02-01", "http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2007/02/01/",
        "glasdam_edifact_converter/data/xml/Schemas/2007/02/01/EMessage.xsd", ["Emessage"];
    "sundcom-2009-08-01", "http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2009/08/01/",
        "OS2korrespondance/src/main/resources/xsd/2009/08/01/EMessage.xsd", ["Emessage"];
    "medcom-2012-03-28", "http://rep.oio.dk/medcom.dk/xml/schemas/2012/03/28/",
        "OS2korrespondance/src/main/resources/xsd/2012/03/28/EMessage.xsd", ["Emessage"];
    "medcom-2013-09-02", "http://rep.oio.dk/medcom.dk/xml/schemas/2013/09/02/",
        "OS2korrespondance/src/main/resources/xsd/2013/09/02/EMessage.xsd", ["Emessage"];
    "medcom-2015-08-01", "http://rep.oio.dk/medcom.dk/xml/schemas/2015/08/01/",
        "OS2korrespondance/src/main/resources/xsd/2015/08/01/EMessage.xsd", ["Emessage"];
    "medcom-2017-05-01", "http://rep.oio.dk/medcom.dk/xml/schemas/2017/05/01/",
        "OS2korrespondance/src/main/resources/xsd/2017/05/01/EMessage.xsd", ["Emessage"];
    "medcom-2018-08-06", "http://rep.oio.dk/medcom.dk/xml/schemas/2018/08/06/",
        "OS2korrespondance/src/main/resources/xsd/2018/08/06/EMessage.xsd", ["Emessage"];
    "medcom-2019-02-19", "http://rep.oio.dk/medcom.dk/xml/schemas/2019/02/19/",
        "OS2korrespondance/src/main/resources/xsd/2019/02/19/EMessage.xsd", ["Emessage"];
    "medcom-2020-05-06", "http://rep.oio.dk/medcom.dk/xml/schemas/2020/05/06/",
        "OS2korrespondance/src/main/resources/xsd/2020/05/06/EMessage.xsd", ["Emessage"];
    "vans-envelope-1.0.4", "urn:oio:medcom:vans-envelope:1.0.4",
        "EXTRACT_vans-envelope-1.0.4.xsd", ["VANSEnvelope"];
    "ehmi-sbdh", "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader",
        "dk-ehmi-sbdh/input/pagecontent/ehmiSBDH/ehmiStandardBusinessDocumentHeader.xsd",
        ["StandardBusinessDocument"];
}

/// How many sets [`SCHEMA_SETS`] holds (sizes the cache).
const SET_COUNT: usize = 13;

const _: () = assert!(SCHEMA_SETS.len() == SET_COUNT);

static CACHE: [OnceLock<Result<Rules, RulesError>>; SET_COUNT] =
    [const { OnceLock::new() }; SET_COUNT];

impl SchemaSet {
    /// The embedded rules text.
    #[must_use]
    pub fn text(&self) -> &'static str {
        self.text
    }

    /// The embedded rules, read once.
    ///
    /// # Errors
    ///
    /// A [`RulesError`] if the embedded text does not read (a test guards against that).
    ///
    /// # Examples
    ///
    /// ```
    /// let set = &medcom::legacy::schema::SCHEMA_SETS[0];
    /// assert!(set.rules().is_ok());
    /// ```
    pub fn rules(&self) -> Result<&'static Rules, &'static RulesError> {
        let i = SCHEMA_SETS
            .iter()
            .position(|s| s.name == self.name)
            .unwrap_or(0)
            .min(SET_COUNT - 1);
        CACHE[i].get_or_init(|| Rules::parse(self.text)).as_ref()
    }
}

/// The embedded rules for a root namespace (an `Emessage` namespace, the VANSEnvelope or the
/// SBDH namespace).
///
/// # Examples
///
/// ```
/// use medcom::legacy::schema::rules_for_namespace;
/// assert!(rules_for_namespace("http://rep.oio.dk/medcom.dk/xml/schemas/2018/08/06/").is_some());
/// // The namespace must match exactly: the 2005 letters use the sundcom.dk prefix.
/// assert!(rules_for_namespace("http://rep.oio.dk/medcom.dk/xml/schemas/2005/08/07/").is_none());
/// ```
#[must_use]
pub fn rules_for_namespace(namespace: &str) -> Option<&'static Rules> {
    SCHEMA_SETS
        .iter()
        .find(|s| s.namespace == namespace)
        .and_then(|s| s.rules().ok())
}

/// Parses XML text with safe options (no DTD) and a node limit of four million.
///
/// # Errors
///
/// The `roxmltree` error for text that is not well-formed.
///
/// # Examples
///
/// ```
/// assert!(medcom::legacy::schema::parse("<!DOCTYPE a><a/>").is_err());
/// ```
pub fn parse(text: &str) -> Result<roxmltree::Document<'_>, roxmltree::Error> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: 4_000_000,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(text, options)
}

/// [`parse`] within the limits of the OIOXML reader's default options
/// ([`crate::legacy::oioxml::ReadOptions`]): nesting depth, attributes per element and
/// namespace declarations in scope, checked in one pass before the tree is built, so that
/// validation and the envelope readers stop where reading for acknowledgement and conversion
/// does.
///
/// # Errors
///
/// [`crate::legacy::LegacyErrorKind::LimitExceeded`] or
/// [`crate::legacy::LegacyErrorKind::MalformedXml`], with line and column.
///
/// # Examples
///
/// ```
/// let deep = format!("{}{}", "<a>".repeat(65), "</a>".repeat(65));
/// let err = medcom::legacy::schema::parse_checked(&deep).unwrap_err();
/// assert_eq!(err.kind().code(), "limit-exceeded");
/// assert!(medcom::legacy::schema::parse(&deep).is_ok());
/// ```
pub fn parse_checked(text: &str) -> Result<roxmltree::Document<'_>, crate::legacy::LegacyError> {
    crate::legacy::oioxml::check_limits(
        text,
        false,
        &crate::legacy::oioxml::ReadOptions::default(),
    )?;
    parse(text).map_err(|e| {
        let pos = e.pos();
        crate::legacy::LegacyError::new(crate::legacy::LegacyErrorKind::MalformedXml {
            reason: e.to_string(),
        })
        .with_position(crate::error::Position {
            byte: 0,
            line: pos.row,
            column: pos.col,
        })
    })
}

/// Schema validation only, against the rules of the root element's namespace.
///
/// A document whose namespace no embedded rules cover gets one `xsd-unknown-namespace` finding.
///
/// # Examples
///
/// ```
/// let doc = medcom::legacy::schema::parse(r#"<Emessage xmlns="urn:nowhere"/>"#).unwrap();
/// let f = medcom::legacy::schema::validate_schema(&doc);
/// assert_eq!(f[0].code(), "xsd-unknown-namespace");
/// ```
#[must_use]
pub fn validate_schema(doc: &roxmltree::Document<'_>) -> Vec<Finding> {
    schema_capped(doc, DEFAULT_MAX_FINDINGS).finish()
}

fn schema_capped(doc: &roxmltree::Document<'_>, max: usize) -> validate::Capped {
    let root = doc.root_element();
    match rules_for_namespace(root.tag_name().namespace().unwrap_or("")) {
        Some(rules) => validate::document(rules, doc, max),
        None => {
            let mut out = validate::Capped::new(max);
            out.push(
                Finding::new(
                    "xsd-unknown-namespace",
                    Severity::Error,
                    validate::path_of(root),
                    "no schema rules for the root element's namespace",
                )
                .with_position(validate::position(root))
                .with_rule(root.tag_name().namespace().unwrap_or("").to_owned()),
            );
            out
        }
    }
}

/// Schema validation against the given rules.
///
/// # Examples
///
/// ```
/// use medcom::legacy::schema;
/// let rules = schema::rules_for_namespace("urn:oio:medcom:vans-envelope:1.0.4").unwrap();
/// let doc = schema::parse(r#"<x/>"#).unwrap();
/// assert_eq!(schema::validate_with(rules, &doc)[0].code(), "xsd-unknown-root");
/// ```
#[must_use]
pub fn validate_with(rules: &Rules, doc: &roxmltree::Document<'_>) -> Vec<Finding> {
    validate::document(rules, doc, DEFAULT_MAX_FINDINGS).finish()
}

/// The Danish identifier checks alone (see [`crate::dk`]): CPR, eCPR, GLN, SOR and municipality
/// codes where the letters carry them.
///
/// # Examples
///
/// ```
/// let doc = medcom::legacy::schema::parse(
///     "<Patient><CivilRegistrationNumber>3102451234</CivilRegistrationNumber></Patient>",
/// ).unwrap();
/// let f = medcom::legacy::schema::validate_identifiers(&doc);
/// assert_eq!(f[0].code(), "dk-cpr-date");
/// assert_eq!(f[0].location(), "/Patient/CivilRegistrationNumber");
/// ```
#[must_use]
pub fn validate_identifiers(doc: &roxmltree::Document<'_>) -> Vec<Finding> {
    identifiers::check(doc, DEFAULT_MAX_FINDINGS).finish()
}

/// Schema validation, then the identifier checks. An identifier finding is left out where the
/// schema pass already reported an error at the same location (a malformed value is reported
/// once). At most [`crate::finding::DEFAULT_MAX_FINDINGS`] findings are kept (see
/// [`validate_at_most`]).
///
/// # Examples
///
/// ```
/// use medcom::legacy::schema;
/// let doc = schema::parse(r#"<VANSEnvelope xmlns="urn:oio:medcom:vans-envelope:1.0.4"/>"#).unwrap();
/// assert!(!schema::validate(&doc).is_empty());
/// ```
#[must_use]
pub fn validate(doc: &roxmltree::Document<'_>) -> Vec<Finding> {
    validate_at_most(doc, DEFAULT_MAX_FINDINGS)
}

/// [`validate`], keeping at most `max` findings: further ones are only counted, and one
/// `findings-truncated` finding says how many were left out (see [`crate::finding::cap`]).
///
/// # Examples
///
/// ```
/// use medcom::legacy::schema;
/// let xml = format!(r#"<Emessage xmlns="http://rep.oio.dk/medcom.dk/xml/schemas/2018/08/06/">{}</Emessage>"#, "<u/>".repeat(5));
/// let findings = schema::validate_at_most(&schema::parse(&xml).unwrap(), 2);
/// assert_eq!(findings.len(), 3);
/// assert_eq!(findings[2].code(), "findings-truncated");
/// ```
#[must_use]
pub fn validate_at_most(doc: &roxmltree::Document<'_>, max: usize) -> Vec<Finding> {
    validate::with_memo(doc, || {
        let schema = schema_capped(doc, max);
        let ids = identifiers::check(doc, max);
        let errors: std::collections::HashSet<&str> = schema
            .kept
            .iter()
            .filter(|f| f.severity() == Severity::Error)
            .map(Finding::location)
            .collect();
        let mut all = validate::Capped::new(max);
        for f in &schema.kept {
            all.push(f.clone());
        }
        for f in ids.kept.iter().filter(|f| !errors.contains(f.location())) {
            all.push(f.clone());
        }
        all.left_out += schema.left_out + ids.left_out;
        all.worst = all.worst.min(schema.worst).min(ids.worst);
        all.finish()
    })
}

/// Decodes, parses and validates bytes (schema and identifiers).
///
/// # Errors
///
/// A [`LegacyError`](crate::legacy::LegacyError) for bytes that do not decode
/// (`unsupported-encoding`, or `malformed-xml` for bad UTF-8) or do not parse as XML, with
/// its position.
///
/// # Examples
///
/// ```
/// assert!(medcom::legacy::schema::validate_bytes(b"<a").is_err());
/// ```
pub fn validate_bytes(bytes: &[u8]) -> Result<Vec<Finding>, crate::legacy::LegacyError> {
    use crate::legacy::{LegacyError, LegacyErrorKind};
    let text = decode(bytes).map_err(|e| match e {
        DecodeError::UnsupportedEncoding { name } => {
            LegacyError::new(LegacyErrorKind::UnsupportedEncoding { name })
        }
        DecodeError::InvalidUtf8 { byte } => {
            let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            let prefix = std::str::from_utf8(bytes.get(..byte).unwrap_or_default()).unwrap_or("");
            LegacyError::new(LegacyErrorKind::MalformedXml {
                reason: format!("invalid UTF-8 at byte {byte}"),
            })
            .with_position(crate::error::Position::from_offset(prefix, byte))
        }
    })?;
    let doc = parse_checked(&text)?;
    Ok(validate(&doc))
}
