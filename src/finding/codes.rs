//! Every finding code medcom reports: what it checks, its severities and where the rule comes
//! from. `docs/finding-codes.md` is generated from this table ([`reference_page`]), and a test
//! keeps the table, the codes used in the source and the page in step.
//!
//! # Examples
//!
//! ```
//! use medcom::finding::codes::{self, Source};
//! let code = codes::lookup("dk-cpr-date").unwrap();
//! assert_eq!(code.source, Source::DanishIdentifier);
//! assert!(codes::lookup("no-such-code").is_none());
//! ```

use super::Severity;

/// Where the rule behind a code comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Source {
    /// The FHIR profiles (StructureDefinitions of FHIR R4 core and of the MedCom implementation
    /// guides, with their invariants and value set bindings), as the official HL7 validator
    /// reads them.
    Profile,
    /// MedCom message rules that the implementation guides state in prose and the profiles do
    /// not express.
    MedComRule,
    /// The Danish identifier schemes: CPR and eCPR numbers (CPR office), GLN location numbers
    /// (GS1), SOR codes (Sundhedsdatastyrelsen), municipality codes.
    DanishIdentifier,
    /// MedCom's published OIOXML schemas (XSD), compiled into the project's rule files.
    OioxmlSchema,
    /// UN/EDIFACT syntax (ISO 9735) and MedCom's EDIFACT message guides.
    Edifact,
    /// medcom's own: input it cannot read, limits, rules it could not apply.
    Own,
}

impl Source {
    /// A short title for the source.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(medcom::finding::codes::Source::OioxmlSchema.title(), "OIOXML schema");
    /// ```
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Self::Profile => "FHIR profile",
            Self::MedComRule => "MedCom message rule",
            Self::DanishIdentifier => "Danish identifier",
            Self::OioxmlSchema => "OIOXML schema",
            Self::Edifact => "EDIFACT",
            Self::Own => "medcom",
        }
    }

    const ALL: [Self; 6] = [
        Self::Profile,
        Self::MedComRule,
        Self::DanishIdentifier,
        Self::OioxmlSchema,
        Self::Edifact,
        Self::Own,
    ];

    fn description(self) -> &'static str {
        match self {
            Self::Profile => "The FHIR profiles: the StructureDefinitions of FHIR R4 core and of \
                the MedCom implementation guides (cardinality, types, fixed values and patterns, \
                slicing, references, value set bindings, invariants), applied as the official HL7 \
                validator reads them. The finding's rule names the element or invariant.",
            Self::MedComRule => "Rules the MedCom implementation guides state in prose and the \
                profiles do not express.",
            Self::DanishIdentifier => "Danish identifiers: CPR and eCPR numbers (the CPR \
                office's rules), GLN location numbers (GS1), SOR codes \
                (Sundhedsdatastyrelsen), municipality codes. Where a legacy field may hold other numbers (an \
                alternative identifier, a VANS id), the finding is a warning.",
            Self::OioxmlSchema => "MedCom's published OIOXML schemas (XSD), compiled into the \
                project's rule files (`schemas/legacy/`).",
            Self::Edifact => "UN/EDIFACT syntax (ISO 9735) and MedCom's EDIFACT message guides; \
                code lists shared with the OIOXML schemas report `xsd-enumeration`.",
            Self::Own => "medcom's own: input it cannot read, limits it keeps, rules it could \
                not apply.",
        }
    }
}

/// One finding code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Code {
    /// The code, as in [`Finding::code`](super::Finding::code).
    pub code: &'static str,
    /// The severities it is reported with (most codes have one).
    pub severities: &'static [Severity],
    /// What it checks.
    pub checks: &'static str,
    /// Where the rule comes from.
    pub source: Source,
}

const E: &[Severity] = &[Severity::Error];
const W: &[Severity] = &[Severity::Warning];
const I: &[Severity] = &[Severity::Information];
const EW: &[Severity] = &[Severity::Error, Severity::Warning];
const EI: &[Severity] = &[Severity::Error, Severity::Information];
const EWI: &[Severity] = &[Severity::Error, Severity::Warning, Severity::Information];

const fn code(
    code: &'static str,
    severities: &'static [Severity],
    source: Source,
    checks: &'static str,
) -> Code {
    Code {
        code,
        severities,
        checks,
        source,
    }
}

use Source::{
    DanishIdentifier as Dk, Edifact, MedComRule as Rule, OioxmlSchema as Xsd, Own, Profile,
};

/// Every code, by source and then by name.
#[rustfmt::skip]
pub const ALL: &[Code] = &[
    code("fhir-binding", EW, Profile, "a coded value is not in the bound value set (error for a required binding, warning for an extensible one)"),
    code("fhir-cardinality-max", E, Profile, "an element occurs more often than its profile allows"),
    code("fhir-cardinality-min", E, Profile, "a required element is missing or occurs too rarely"),
    code("fhir-extension-unknown", W, Profile, "an extension whose definition is not available, so its content was not checked"),
    code("fhir-extension-context", W, Profile, "a known extension is used outside the contexts its definition allows"),
    code("fhir-modifier-extension-unknown", E, Profile, "a modifierExtension whose definition is not available: it may change the meaning of its element, so the element cannot be understood"),
    code("fhir-attachment-size", E, Profile, "an Attachment's size differs from the byte count of its inline data"),
    code("fhir-attachment-hash", E, Profile, "an Attachment's hash differs from the base64 SHA-1 of its inline data"),
    code("fhir-fixed", E, Profile, "a value differs from the fixed value of its element"),
    code("fhir-invariant", EW, Profile, "an invariant (a FHIRPath constraint, e.g. ele-1 or a MedCom invariant) does not hold; the rule names it"),
    code("fhir-max-length", E, Profile, "a string is longer than its element's maxLength"),
    code("fhir-pattern", E, Profile, "a value does not match the pattern of its element"),
    code("fhir-bundle-orphan", EW, Profile, "an entry of a document (error) or message (warning) Bundle that no chain of references connects to the first entry"),
    code("fhir-reference-target", E, Profile, "a reference points at a resource type or profile its element does not allow"),
    code("fhir-reference-unresolved", E, Profile, "a reference that must be bundled (aggregation = bundled, or named by a document's Composition or a message's MessageHeader.focus) does not resolve to a resource in the Bundle"),
    code("fhir-slice-cardinality", E, Profile, "a slice occurs too rarely or too often"),
    code("fhir-slice-order", E, Profile, "the slices of an ordered slicing are out of order"),
    code("fhir-slice-unmatched", E, Profile, "an element of a closed slicing matches none of its slices"),
    code("fhir-type", E, Profile, "an element's type (or the profile it conforms to) is not one its definition allows"),
    code("fhir-message-unknown", EW, Profile, "a message Bundle is not of a MedCom standard medcom knows: an error when it claims MedCom or has no MessageHeader, a warning for a message of another domain"),
    code("fhir-unsupported-version", E, Profile, "the message declares a version of its standard that no compiled version stack covers"),
    code("fhir-profile-unknown", W, Profile, "a declared or required profile is not part of the message's version stack, so it was not checked"),
    code("fhir-stack-forced", I, Profile, "the message was validated on the version stack asked for (validate --stack), not the one it declares"),
    code("medcom-header-first", E, Rule, "the Bundle is a message whose first entry is its MessageHeader"),
    code("medcom-message-type", E, Rule, "MessageHeader.eventCoding names a MedCom message standard"),
    code("medcom-uuid", EW, Rule, "identifiers that MedCom requires to be UUIDs (Bundle.id, MessageHeader.id, fullUrl) are lowercase UUIDs"),
    code("medcom-uuid-id", W, Rule, "resource ids are UUIDs"),
    code("medcom-timezone", E, Rule, "timestamps with a time carry a timezone"),
    code("medcom-provenance-target", E, Rule, "each Provenance points at the MessageHeader it documents"),
    code("medcom-provenance-entity", E, Rule, "a Provenance entity with a reply or forward role points at a previous MessageHeader"),
    code("medcom-cc-category", E, Rule, "a CareCommunication's category is one the standard allows for its use"),
    code("medcom-cc-reply-attachment", E, Rule, "a CareCommunication reply carries attachments as MedCom requires"),
    code("medcom-hn-state", E, Rule, "a HospitalNotification's activity, Encounter class and status agree"),
    code("medcom-ack-pairing", E, Rule, "an Acknowledgement answers the message it names (response identifier, sender and receiver)"),
    code("dk-cpr-format", E, Dk, "a CPR number is ten digits"),
    code("dk-cpr-date", E, Dk, "a CPR number's first six digits and century digit give a real birth date"),
    code("dk-cpr-modulus11", W, Dk, "a CPR number passes the modulus-11 check (not required for numbers issued since October 2007)"),
    code("dk-cpr-unknown", I, Dk, "a CPR number is the placeholder for an unknown person"),
    code("dk-ecpr-format", EW, Dk, "an eCPR (replacement CPR) number has the eCPR form"),
    code("dk-ecpr-date", EW, Dk, "an eCPR number's date part is a real date"),
    code("dk-gln-format", EW, Dk, "a GLN location number is 13 digits"),
    code("dk-gln-check-digit", W, Dk, "a GLN location number's modulus-10 check digit is right"),
    code("dk-sor-format", E, Dk, "a SOR code is at least 11 digits"),
    code("dk-sor-check-digit", W, Dk, "a SOR code's Verhoeff check digit is right"),
    code("dk-municipality-unknown", W, Dk, "a municipality code is a current Danish municipality"),
    code("xsd-unknown-namespace", E, Xsd, "the root element's namespace is one a MedCom schema defines"),
    code("xsd-unknown-root", E, Xsd, "the root element is one the schema accepts"),
    code("xsd-missing-element", E, Xsd, "a required element is missing"),
    code("xsd-unexpected-element", E, Xsd, "an element is not allowed where it is"),
    code("xsd-max-occurs", E, Xsd, "an element occurs more often than allowed"),
    code("xsd-missing-attribute", E, Xsd, "a required attribute is missing"),
    code("xsd-unexpected-attribute", E, Xsd, "an attribute is not allowed on its element"),
    code("xsd-text-not-allowed", E, Xsd, "an element with element-only content holds text"),
    code("xsd-nil", E, Xsd, "xsi:nil on an element that is not nillable, or a nil element with content"),
    code("xsd-xsi-type", E, Xsd, "xsi:type is not supported (the declared type is used)"),
    code("xsd-fixed", E, Xsd, "a value differs from its fixed value"),
    code("xsd-datatype", E, Xsd, "a value is not in the lexical space of its built-in type"),
    code("xsd-date", E, Xsd, "a date or time is not a real calendar date or time (also the EDIFACT interchange date)"),
    code("xsd-enumeration", E, Xsd, "a value is not one of the enumerated values (also EDIFACT code lists)"),
    code("xsd-pattern", E, Xsd, "a value does not match its pattern facet"),
    code("xsd-length", E, Xsd, "a value's length breaks its length, minLength or maxLength facet"),
    code("xsd-digits", E, Xsd, "a number has more digits or fraction digits than allowed"),
    code("xsd-range", E, Xsd, "a value is outside its minimum or maximum"),
    code("edifact-empty-input", E, Edifact, "the input holds at least one segment"),
    code("edifact-invalid-una", E, Edifact, "the UNA service string advice is well formed"),
    code("edifact-invalid-tag", E, Edifact, "a segment tag is three capital letters or digits"),
    code("edifact-unterminated-segment", E, Edifact, "every segment ends with the segment terminator"),
    code("edifact-unsupported-syntax", E, Edifact, "the interchange uses a syntax identifier and version medcom reads (UNOA-UNOC)"),
    code("edifact-missing-value", E, Edifact, "the UNB interchange header names sender, recipient, date and reference"),
    code("edifact-control-count", E, Edifact, "the segment or message count in UNT or UNZ matches"),
    code("edifact-control-reference", E, Edifact, "the reference in UNT or UNZ repeats the one in UNH or UNB"),
    code("edifact-trailing-content", E, Edifact, "nothing follows the interchange trailer UNZ"),
    code("edifact-unsupported-message", E, Edifact, "the message type and version are ones the conversion tables know"),
    code("edifact-missing-segment", E, Edifact, "a segment or data element the message guide requires is present"),
    code("edifact-unexpected-segment", E, Edifact, "a segment has a place in the message structure where it is"),
    code("edifact-segment-order", E, Edifact, "segments come in the order of the message structure"),
    code("edifact-invalid-value", E, Edifact, "a data element holds a value its message version allows"),
    code("edifact-limit", EI, Own, "an EDIFACT interchange stayed within the validator's limits; the rest is counted, and it is an error when errors were left out"),
    code("fhir-read", E, Own, "the input reads as a FHIR resource (well-formed XML or JSON, known elements, valid primitive values)"),
    code("legacy-unmapped", I, Own, "a field of a legacy letter that has no place in the FHIR message it converts to (medcom::migrate), named where it was"),
    code("legacy-signature", I, Own, "a legacy letter names no author: the converted CareCommunication's text is signed by the sender (medcom::migrate)"),
    code("fhir-unmapped", I, Own, "an element of a FHIR message that has no place in the legacy letter it converts to (medcom::migrate), named where it was"),
    code("legacy-read", E, Own, "the input reads as an OIOXML letter (encoding, well-formed XML, limits)"),
    code("xsd-limit", E, Own, "an OIOXML letter is shallow and small enough to check against its content models"),
    code("findings-truncated", EWI, Own, "more findings than the report keeps (validate --max-findings); its severity is the worst of those left out"),
    code("fhir-binding-unavailable", I, Own, "the value set of a binding is not available, so the code was not checked"),
    code("fhir-invariant-unsupported", W, Own, "an invariant uses FHIRPath medcom does not evaluate, so it was not checked"),
    code("fhir-invariant-error", W, Own, "an invariant could not be evaluated on this message"),
    code("fhir-rules-unavailable", E, Own, "the compiled rules of the message's version stack could not be read"),
    code("fhir-profiles-unavailable", E, Own, "the embedded profile rules could not be loaded"),
    code("fhir-resource-type", E, Own, "the body of POST /{resourceType}/$validate (medcom serve) is a FHIR resource of the type the URL names"),
    code("http-ack", E, Own, "the body of POST /$ack is a message that can be acknowledged: a FHIR message with a MessageHeader, a legacy letter with its envelope (medcom serve, 422)"),
    code("http-body", E, Own, "the request body arrived completely (medcom serve, 400)"),
    code("http-busy", E, Own, "the service had room for the request within its concurrency limit (medcom serve --max-requests, 503)"),
    code("http-convert", E, Own, "the body of POST /$convert converts to the format asked for: FHIR to json or xml, a legacy letter without schema errors to oioxml or edifact (medcom serve, 422)"),
    code("http-media-type", E, Own, "the request's Content-Type is one the service reads (medcom serve, 415)"),
    code("http-method", E, Own, "the route answers the request's method (medcom serve, 405)"),
    code("http-not-found", E, Own, "the request names a route of the service (medcom serve, 404)"),
    code("http-parameter", E, Own, "the query parameters are ones the route takes, with values it reads (medcom serve, 400)"),
    code("http-timeout", E, Own, "the request arrived and was answered within the request timeout (medcom serve --request-timeout, 408)"),
    code("http-too-large", E, Own, "the request body is within the size limit (medcom serve --max-body, 413)"),
];

/// The entry for `code`, if it is one medcom reports.
#[must_use]
pub fn lookup(code: &str) -> Option<&'static Code> {
    ALL.iter().find(|c| c.code == code)
}

/// `docs/finding-codes.md`: every code, grouped by where its rule comes from.
///
/// # Examples
///
/// ```
/// let page = medcom::finding::codes::reference_page();
/// assert!(page.contains("| `dk-cpr-date` |"));
/// ```
#[must_use]
pub fn reference_page() -> String {
    let mut out = String::from(
        "# Finding codes\n\n\
         <!-- Generated from src/finding/codes.rs by tests/finding_codes.rs: \
         MEDCOM_BLESS=1 cargo test --test finding_codes rewrites it. -->\n\n\
         Every finding medcom reports has one of these stable codes. The severity is the one \
         the finding is reported with; where a code lists several, the rule decides (a \
         required or extensible binding, an invariant's severity, a legacy letter). Messages \
         never quote patient data unless unmasked (`validate --unmask`).\n",
    );
    for source in Source::ALL {
        out.push_str(&format!(
            "\n## {}\n\n{}\n\n| code | severity | what it checks |\n| --- | --- | --- |\n",
            source.title(),
            source.description()
        ));
        for c in ALL.iter().filter(|c| c.source == source) {
            let severities: Vec<&str> = c.severities.iter().map(|s| s.code()).collect();
            out.push_str(&format!(
                "| `{}` | {} | {} |\n",
                c.code,
                severities.join(", "),
                c.checks
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_described() {
        let mut seen = std::collections::HashSet::new();
        for c in ALL {
            assert!(seen.insert(c.code), "{} twice", c.code);
            assert!(
                !c.severities.is_empty() && !c.checks.is_empty(),
                "{}",
                c.code
            );
        }
    }
}
