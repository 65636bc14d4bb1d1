//! Conversion and acknowledgement of any input by content: the calls behind `medcom convert`
//! and `medcom ack`, for embeddings (the service, the bindings) that must answer exactly as
//! the command does.
//!
//! - [`convert()`]: a FHIR message between XML and JSON, a legacy letter between OIOXML and
//!   EDIFACT;
//! - [`acknowledge()`]: a FHIR message's Acknowledgement (MedCom Acknowledgement 2.0.3), or a
//!   legacy letter's receipt (XCTL or CTL).
//!
//! Both return the bytes with their [`Target`] format, or a [`ConvertError`] with the position
//! of the problem where there is one.
//!
//! # Examples
//!
//! ```
//! use medcom::convert::{ConvertOptions, Target};
//!
//! let json = br#"{"resourceType":"Basic","code":{"text":"x"}}"#;
//! let xml = medcom::convert(json, None, &ConvertOptions::new()).unwrap();
//! assert_eq!(xml.target(), Target::Xml);
//! let text = String::from_utf8(xml.into_bytes()).unwrap();
//! assert!(text.contains(r#"<Basic xmlns="http://hl7.org/fhir"><code><text value="x"/>"#));
//!
//! let err = medcom::convert(b"{\"resourceType\":", None, &ConvertOptions::new()).unwrap_err();
//! assert_eq!(err.position().map(|p| p.line), Some(1));
//! ```

use std::fmt;
use std::str::FromStr;

use crate::error::{Position, ReadError};
use crate::exchange::clock::{date_and_minute, Clock, SystemClock};
use crate::exchange::ReceivePolicy;
use crate::finding::{Finding, Severity};
use crate::legacy::receipt::{self, Original, ReceiptKind, ReceiptOptions, Refusal, RefuseCode};
use crate::legacy::{self, edifact, oioxml, LegacyError, LegacyFormat};
use crate::messages::{reply, Acknowledgement, Context, ResponseCode, DEFAULT_MAX_ACK_ISSUES};
use crate::validate::Validator;
use crate::{Format, Mode, ReadOptions};

/// A format to convert to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// FHIR JSON.
    Json,
    /// FHIR XML.
    Xml,
    /// A legacy letter in OIOXML.
    Oioxml,
    /// A legacy letter in EDIFACT.
    Edifact,
}

impl Target {
    /// Every target, in the order of their names on the command line.
    pub const ALL: [Target; 4] = [Self::Json, Self::Xml, Self::Oioxml, Self::Edifact];

    /// The target a name (`json`, `xml`, `oioxml`, `edifact`) stands for.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::convert::Target;
    /// assert_eq!(Target::from_name("edifact"), Some(Target::Edifact));
    /// assert_eq!(Target::from_name("pdf"), None);
    /// ```
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The name on the command line and in the service's `to` parameter.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Xml => "xml",
            Self::Oioxml => "oioxml",
            Self::Edifact => "edifact",
        }
    }

    /// The media type of content in this format.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(medcom::convert::Target::Json.media_type(), "application/fhir+json");
    /// ```
    #[must_use]
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Json => "application/fhir+json",
            Self::Xml => "application/fhir+xml",
            Self::Oioxml => "application/xml",
            // EDIFACT as UN/EDIFACT interchanges are sent (RFC 1767).
            Self::Edifact => "application/EDIFACT",
        }
    }

    /// The FHIR format, for the FHIR targets.
    #[must_use]
    pub fn fhir_format(self) -> Option<Format> {
        match self {
            Self::Json => Some(Format::Json),
            Self::Xml => Some(Format::Xml),
            Self::Oioxml | Self::Edifact => None,
        }
    }

    fn of_fhir(format: Format) -> Self {
        match format {
            Format::Json => Self::Json,
            _ => Self::Xml,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error of parsing a [`Target`] from a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownTarget(String);

impl fmt::Display for UnknownTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "'{}' is not a format; expected json, xml, oioxml or edifact",
            self.0
        )
    }
}

impl std::error::Error for UnknownTarget {}

impl FromStr for Target {
    type Err = UnknownTarget;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_name(s).ok_or_else(|| UnknownTarget(s.to_owned()))
    }
}

/// Settings of [`convert()`].
///
/// The default writes compact output.
#[derive(Clone, Debug, Default)]
pub struct ConvertOptions {
    pretty: bool,
}

impl ConvertOptions {
    /// The defaults: compact output.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Indents FHIR output (legacy output has one layout).
    #[must_use]
    pub fn pretty(mut self, on: bool) -> Self {
        self.pretty = on;
        self
    }
}

/// Converted bytes and their format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Converted {
    target: Target,
    bytes: Vec<u8>,
}

impl Converted {
    /// The format of [`Converted::bytes`].
    #[must_use]
    pub fn target(&self) -> Target {
        self.target
    }

    /// The converted content.
    #[must_use]
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The converted content, owned.
    #[must_use]
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

/// What went wrong in [`convert()`] or [`acknowledge()`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConvertErrorKind {
    /// The input is not a readable message.
    Read {
        /// Why, without the position.
        message: String,
    },
    /// The input does not convert to this format.
    Unsupported {
        /// The format asked for.
        to: Target,
        /// Whether the input is a legacy letter (else a FHIR resource).
        legacy: bool,
    },
    /// An OIOXML letter with schema errors: converting it would drop what the conversion
    /// tables do not know.
    SchemaErrors {
        /// How many schema errors the letter has.
        count: usize,
        /// The first of them.
        first: String,
    },
    /// The message cannot be acknowledged (e.g. it has no MessageHeader, or no UNB).
    Acknowledge {
        /// Why.
        message: String,
    },
    /// A setting that does not apply to this input.
    Usage {
        /// Why.
        message: String,
    },
}

impl fmt::Display for ConvertErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Read { message } | Self::Acknowledge { message } | Self::Usage { message } => {
                f.write_str(message)
            }
            Self::Unsupported { legacy: true, .. } => {
                f.write_str("a legacy message converts only to oioxml or edifact")
            }
            Self::Unsupported { to, legacy: false } => {
                write!(f, "--to {to} takes a legacy message")
            }
            Self::SchemaErrors { count, first } => write!(
                f,
                "{first} (the letter has {count} schema error{}; converting it would drop what \
                 the conversion tables do not know)",
                if *count == 1 { "" } else { "s" }
            ),
        }
    }
}

/// The error of [`convert()`] and [`acknowledge()`]: its kind, and where in the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConvertError(Box<(ConvertErrorKind, Option<Position>)>);

impl ConvertError {
    /// An error of this kind, at this position.
    #[must_use]
    pub fn new(kind: ConvertErrorKind, position: Option<Position>) -> Self {
        Self(Box::new((kind, position)))
    }

    /// What went wrong.
    #[must_use]
    pub fn kind(&self) -> &ConvertErrorKind {
        &self.0 .0
    }

    /// Where in the input, when known.
    #[must_use]
    pub fn position(&self) -> Option<Position> {
        self.0 .1
    }

    /// Whether the error is about the settings, not the input.
    #[must_use]
    pub fn is_usage(&self) -> bool {
        matches!(
            self.kind(),
            ConvertErrorKind::Usage { .. } | ConvertErrorKind::Unsupported { .. }
        )
    }

    fn read(message: String, position: Option<Position>) -> Self {
        Self::new(ConvertErrorKind::Read { message }, position)
    }

    fn usage(message: &str) -> Self {
        Self::new(
            ConvertErrorKind::Usage {
                message: message.to_owned(),
            },
            None,
        )
    }
}

impl fmt::Display for ConvertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = self.position() {
            write!(f, "{p}: ")?;
        }
        self.kind().fmt(f)
    }
}

impl std::error::Error for ConvertError {}

impl From<ReadError> for ConvertError {
    fn from(e: ReadError) -> Self {
        let message = match e.path() {
            Some(path) => format!("{path}: {}", e.kind()),
            None => e.kind().to_string(),
        };
        Self::read(message, Some(e.position()))
    }
}

impl From<LegacyError> for ConvertError {
    fn from(e: LegacyError) -> Self {
        let mut message = String::new();
        if let Some(s) = e.segment() {
            message.push_str(&format!("segment {s}: "));
        }
        if let Some(l) = e.location() {
            message.push_str(l);
            message.push_str(": ");
        }
        message.push_str(&e.kind().to_string());
        Self::read(message, e.position())
    }
}

/// Converts a FHIR resource between XML and JSON, or a legacy letter between OIOXML and
/// EDIFACT, recognising the input by its content. `None` converts to the other format of the
/// same generation; converting to the input's own format gives a FHIR resource rewritten (its
/// canonical form), a legacy letter as it is.
///
/// An OIOXML letter with schema errors is refused ([`ConvertErrorKind::SchemaErrors`]): the
/// conversion tables map what the schema allows, and the rest would be dropped without a word.
///
/// # Errors
///
/// [`ConvertErrorKind::Read`] with the position when the input does not read,
/// [`ConvertErrorKind::Unsupported`] for a target of the other generation,
/// [`ConvertErrorKind::SchemaErrors`] as above.
///
/// # Examples
///
/// ```
/// use medcom::convert::{ConvertErrorKind, ConvertOptions, Target};
///
/// let json = br#"{"resourceType":"Basic","code":{"text":"x"}}"#;
/// let same = medcom::convert(json, Some(Target::Json), &ConvertOptions::new()).unwrap();
/// assert_eq!(same.bytes(), json);
///
/// let err = medcom::convert(json, Some(Target::Edifact), &ConvertOptions::new()).unwrap_err();
/// assert!(matches!(err.kind(), ConvertErrorKind::Unsupported { .. }));
/// ```
pub fn convert(
    input: &[u8],
    to: Option<Target>,
    options: &ConvertOptions,
) -> Result<Converted, ConvertError> {
    if let Some(format) = LegacyFormat::detect(input) {
        return convert_legacy(input, format, to);
    }
    let to = match to {
        None => Target::of_fhir(match Format::detect(input) {
            Some(Format::Json) => Format::Xml,
            _ => Format::Json,
        }),
        Some(t @ (Target::Json | Target::Xml)) => t,
        Some(t) => {
            return Err(ConvertError::new(
                ConvertErrorKind::Unsupported {
                    to: t,
                    legacy: false,
                },
                None,
            ))
        }
    };
    let doc = crate::parse_bytes(input, &ReadOptions::default())?;
    let text = match (to, options.pretty) {
        (Target::Json, false) => crate::json::to_string(&doc),
        (Target::Json, true) => crate::json::to_string_pretty(&doc),
        (_, false) => crate::xml::to_string(&doc),
        (_, true) => crate::xml::to_string_pretty(&doc),
    };
    Ok(Converted {
        target: to,
        bytes: text.into_bytes(),
    })
}

fn convert_legacy(
    input: &[u8],
    format: LegacyFormat,
    to: Option<Target>,
) -> Result<Converted, ConvertError> {
    let (target, bytes) = match (format, to) {
        (LegacyFormat::Edifact, None | Some(Target::Oioxml)) => (
            Target::Oioxml,
            legacy::convert::edifact_to_oioxml_text(input)?.into_bytes(),
        ),
        (LegacyFormat::Oioxml, None | Some(Target::Edifact)) => {
            let errors: Vec<Finding> = legacy::schema::validate_bytes(input)?
                .into_iter()
                .filter(|f| f.severity() == Severity::Error)
                .collect();
            if let Some(first) = errors.first() {
                return Err(ConvertError::new(
                    ConvertErrorKind::SchemaErrors {
                        count: errors.len(),
                        first: first.to_string(),
                    },
                    first.position(),
                ));
            }
            (Target::Edifact, legacy::convert::oioxml_to_edifact(input)?)
        }
        (LegacyFormat::Edifact, Some(Target::Edifact)) => (Target::Edifact, input.to_vec()),
        (LegacyFormat::Oioxml, Some(Target::Oioxml)) => (Target::Oioxml, input.to_vec()),
        (_, Some(t)) => {
            return Err(ConvertError::new(
                ConvertErrorKind::Unsupported {
                    to: t,
                    legacy: true,
                },
                None,
            ))
        }
    };
    Ok(Converted { target, bytes })
}

/// Settings of [`acknowledge()`].
///
/// The defaults: the receive policy decides the code ([`ReceivePolicy::Standard`]), at most
/// [`DEFAULT_MAX_ACK_ISSUES`] issues, the acknowledgement in the message's format.
#[derive(Clone, Debug)]
pub struct AckOptions {
    code: Option<ResponseCode>,
    policy: ReceivePolicy,
    max_issues: usize,
    to: Option<Format>,
}

impl Default for AckOptions {
    fn default() -> Self {
        Self {
            code: None,
            policy: ReceivePolicy::Standard,
            max_issues: DEFAULT_MAX_ACK_ISSUES,
            to: None,
        }
    }
}

impl AckOptions {
    /// The defaults.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The response code; `None` (the default) validates the message and lets the policy
    /// decide.
    #[must_use]
    pub fn code(mut self, code: Option<ResponseCode>) -> Self {
        self.code = code;
        self
    }

    /// The receive policy that decides the code when none is given.
    #[must_use]
    pub fn policy(mut self, policy: ReceivePolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Issues listed in a FHIR acknowledgement; one more says how many were left out (at
    /// least 1).
    #[must_use]
    pub fn max_issues(mut self, max: usize) -> Self {
        self.max_issues = max.max(1);
        self
    }

    /// The acknowledgement's format; `None` (the default) is the message's. FHIR only: a
    /// legacy letter's receipt is in the letter's format.
    #[must_use]
    pub fn to(mut self, to: Option<Format>) -> Self {
        self.to = to;
        self
    }
}

/// The answer to a received message: a FHIR message's Acknowledgement, a legacy letter's
/// receipt (positive, or negative for an error code or a letter that fails validation: the
/// OIOXML schema rules, the EDIFACT content rules).
///
/// Without a code the FHIR message is validated (profiles and message rules) and the receive
/// policy decides: `fatal-error` naming the broken rules when something prevents processing,
/// else `ok`.
///
/// # Errors
///
/// [`ConvertErrorKind::Read`] when the input does not read, [`ConvertErrorKind::Acknowledge`]
/// when it cannot be acknowledged (no MessageHeader; an acknowledgement; no readable UNB),
/// [`ConvertErrorKind::Usage`] for a format asked of a legacy receipt.
///
/// # Examples
///
/// ```
/// use medcom::convert::{AckOptions, ConvertErrorKind};
///
/// let err = medcom::acknowledge(br#"{"resourceType":"Basic"}"#, &AckOptions::new()).unwrap_err();
/// assert!(matches!(err.kind(), ConvertErrorKind::Acknowledge { .. }));
/// ```
pub fn acknowledge(input: &[u8], options: &AckOptions) -> Result<Converted, ConvertError> {
    if let Some(format) = LegacyFormat::detect(input) {
        if options.to.is_some() {
            return Err(ConvertError::usage(
                "--to applies to FHIR messages; a legacy message gets a legacy receipt",
            ));
        }
        return legacy_receipt(input, format, options.code);
    }
    let read = ReadOptions::default().with_mode(Mode::Lenient);
    let doc = crate::parse_bytes(input, &read)?;
    let ctx = Context::new();
    let ack = match options.code {
        Some(c) => reply::acknowledge(&doc, c, &ctx),
        None => {
            let findings = Validator::new().report(&doc).findings().to_vec();
            let verdict = options.policy.judge(&doc, &findings);
            Acknowledgement::for_message(&doc).and_then(|a| {
                verdict
                    .issues()
                    .into_iter()
                    .fold(
                        a.with_code(verdict.code)
                            .with_max_issues(options.max_issues),
                        Acknowledgement::with_issue,
                    )
                    .build(&ctx)
            })
        }
    }
    .map_err(|e| {
        ConvertError::new(
            ConvertErrorKind::Acknowledge {
                message: e.to_string(),
            },
            None,
        )
    })?;
    let target = Target::of_fhir(
        options
            .to
            .or_else(|| Format::detect(input))
            .unwrap_or(Format::Xml),
    );
    let text = match target {
        Target::Json => crate::json::to_string(&ack),
        _ => crate::xml::to_string(&ack),
    };
    Ok(Converted {
        target,
        bytes: text.into_bytes(),
    })
}

/// Legacy identifiers are 1–14 characters: the first 14 hex digits of a UUID.
fn short_id(clock: &SystemClock) -> String {
    clock
        .uuid()
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(14)
        .collect()
}

/// The refusal an error code or failed validation gives, or none.
fn refusal(code: Option<ResponseCode>, errors: &[String]) -> Option<Refusal> {
    let (refuse, text) = match code {
        Some(ResponseCode::Ok) => return None,
        Some(ResponseCode::TransientError) => (
            RefuseCode::Unspecified,
            "Midlertidig fejl: send venligst igen senere".to_owned(),
        ),
        Some(_) => (RefuseCode::Unspecified, "Meddelelsen afvises".to_owned()),
        None if errors.is_empty() => return None,
        None => (RefuseCode::Syntax, errors.join("\n")),
    };
    Some(Refusal {
        letter: None,
        code: refuse,
        text,
    })
}

fn legacy_receipt(
    input: &[u8],
    format: LegacyFormat,
    code: Option<ResponseCode>,
) -> Result<Converted, ConvertError> {
    let clock = SystemClock::default();
    let (date, time) = date_and_minute(clock.now());
    let options = ReceiptOptions::new(&short_id(&clock), &short_id(&clock), &date, &time);
    match format {
        LegacyFormat::Edifact => {
            let validation = legacy::content::validate(input);
            let original = validation.original().ok_or_else(|| {
                let why = validation
                    .findings()
                    .first()
                    .map_or_else(|| "no UNB".to_owned(), ToString::to_string);
                ConvertError::new(
                    ConvertErrorKind::Acknowledge {
                        message: format!("no receipt without a readable UNB: {why}"),
                    },
                    validation.findings().first().and_then(Finding::position),
                )
            })?;
            let refusals: Vec<Refusal> = match code {
                None => validation.refusals(),
                Some(_) => refusal(code, &[]).into_iter().collect(),
            };
            let xml = receipt::build(&original, kind_of(&refusals), &refusals, &options);
            let answer = legacy::convert::to_edifact(&xml)?;
            Ok(Converted {
                target: Target::Edifact,
                bytes: edifact::write(&answer)?,
            })
        }
        _ => {
            // Only the envelope and letter ids are kept: the tree is gone before the schema
            // check builds its own.
            let original = {
                let root = oioxml::read(input)?;
                let message = oioxml::Emessage::new(&root)?;
                Original::from_emessage(&message)
            };
            let errors: Vec<String> = if code.is_none() {
                legacy::schema::validate_bytes(input)?
                    .into_iter()
                    .filter(|f| f.severity() == Severity::Error)
                    .map(|f| format!("{}: {}", f.code(), f.message()))
                    .collect()
            } else {
                Vec::new()
            };
            let refusals: Vec<Refusal> = refusal(code, &errors).into_iter().collect();
            let xml = receipt::build(&original, kind_of(&refusals), &refusals, &options);
            Ok(Converted {
                target: Target::Oioxml,
                bytes: oioxml::to_string(&xml).into_bytes(),
            })
        }
    }
}

/// Positive without refusals, negative otherwise.
fn kind_of(refusals: &[Refusal]) -> ReceiptKind {
    if refusals.is_empty() {
        ReceiptKind::Positive
    } else {
        ReceiptKind::Negative
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_round_trip_their_names() {
        for t in Target::ALL {
            assert_eq!(t.name().parse::<Target>(), Ok(t));
        }
        assert!("JSON".parse::<Target>().is_err());
    }

    #[test]
    fn a_legacy_letter_asked_for_a_fhir_format_is_unsupported() {
        let edifact = b"UNA:+.? 'UNB+UNOC:3+A:14+B:14+990115:1202+R'UNZ+0+R'";
        let err = convert(edifact, Some(Target::Json), &ConvertOptions::new()).unwrap_err();
        assert!(err.is_usage());
        assert_eq!(
            err.to_string(),
            "a legacy message converts only to oioxml or edifact"
        );
    }

    #[test]
    fn read_errors_keep_their_position_out_of_the_message() {
        let err = convert(
            b"<Basic xmlns=\"http://hl7.org/fhir\">",
            None,
            &ConvertOptions::new(),
        )
        .unwrap_err();
        let p = err.position().expect("placed");
        assert!(err.to_string().starts_with(&format!("{p}: ")));
        assert!(
            !matches!(err.kind(), ConvertErrorKind::Read { message } if message.starts_with(&p.to_string()))
        );
    }
}
