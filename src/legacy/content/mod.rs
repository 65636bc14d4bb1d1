//! Content validation of EDIFACT interchanges (DIS01, REF01, DIS91, CONTRL … every version
//! the [conversion](crate::legacy::convert) supports), with the same finding codes as their
//! OIOXML twins.
//!
//! The interchange is read segment by segment and checked message by message, so memory
//! stays proportional to the largest message, not to the interchange:
//!
//! - **Envelope and control segments**: UNB (date and time, acknowledgement request), the
//!   UNH/UNT and UNB/UNZ pairing, UNT segment counts, UNZ message counts and both control
//!   references; segments outside a message; a truncated interchange.
//! - **Header**: UNH's message type, directory and MedCom message name must be those of its
//!   version; a version the conversion tables do not know is refused.
//! - **Content**: the message goes through the conversion tables (which know each message
//!   type's segment groups, segments, qualifiers and code lists, and reject anything else),
//!   and the OIOXML letter they give is validated against the official schema rules of its
//!   namespace and the Danish identifier checks ([`crate::dk`]: CPR with its date, eCPR,
//!   GLN/EAN location numbers, SOR, municipality codes). Those findings keep their OIOXML codes
//!   (`xsd-*`, `dk-*`), so one defect gets one code in both syntaxes; a value outside an
//!   EDIFACT code list is `xsd-enumeration` like its XML twin.
//! - **Order**: the segments must come in the order the same tables write them.
//!
//! Every finding is located at its segment: `UNH[1]/PNA[7]/2:1` is message 1, segment 7 of
//! the message (UNH is 1, as CONTRL counts), element 2, component 1; envelope segments are
//! `UNB/4:1`, `UNZ/1:1`. The position is the line and column of that component in the input,
//! also in a wrapped file. Messages never quote patient data; the offending value travels in
//! [`Finding::value`].
//!
//! # Examples
//!
//! ```
//! use medcom::legacy::content;
//! let edi = b"UNA:+.? 'UNB+UNOC:3+5790000120420:14+5790000181872:14+991111:1850+K1'\
//!     UNH+B1+CONTRL:D:93A:ZZ:C0330Q+CTL03'UCI+R9+5790000181872:14+5790000120420:14+7'\
//!     UCM+L9+MEDREF:D:93A:UN:H0130R+7'UNT+4+B1'UNZ+1+K1'";
//! assert!(content::validate(edi).is_valid());
//!
//! let wrong_count = String::from_utf8_lossy(edi).replace("UNT+4", "UNT+5");
//! let validation = content::validate(wrong_count.as_bytes());
//! let f = &validation.findings()[0];
//! assert_eq!(f.code(), "edifact-control-count");
//! assert_eq!(f.location(), "UNH[1]/UNT[4]/1:1");
//! assert_eq!(validation.refusals()[0].letter.as_deref(), Some("B1"));
//! ```

mod locate;
mod message;

use locate::Place;
use message::Envelope;

use crate::finding::{Finding, Severity};
use crate::legacy::edifact::Interchange;
use crate::legacy::edifact::Scanner;
use crate::legacy::edifact::{Delimiters, ReadOptions, Segment};
use crate::legacy::oioxml::AcknowledgementCode;
use crate::legacy::receipt::{self, Original, ReceiptKind, ReceiptOptions, Refusal, RefuseCode};
use crate::legacy::{convert, LegacyErrorKind};

/// Options for EDIFACT content validation, with safe defaults.
///
/// # Examples
///
/// ```
/// let options = medcom::legacy::content::ValidateOptions::default().with_max_findings(10);
/// assert_eq!(options.max_findings, 10);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ValidateOptions {
    /// The reader's options and limits. Default: [`ReadOptions::default`] (wrapped files are
    /// unwrapped).
    pub read: ReadOptions,
    /// Most findings kept; more are counted in one `edifact-limit` finding. Default: 1,000.
    pub max_findings: usize,
    /// Most segments one message may hold (no MedCom letter comes near); a longer message is
    /// an `edifact-limit` error, its counts are still checked, its content is not. This bounds
    /// memory: only one message is held at a time. Default: 20,000.
    pub max_message_segments: usize,
    /// Most values (components over all elements and segments) one message may hold, with the
    /// same effect. Default: 200,000.
    pub max_message_values: usize,
}

impl Default for ValidateOptions {
    fn default() -> Self {
        Self {
            read: ReadOptions::default(),
            max_findings: 1_000,
            max_message_segments: 20_000,
            max_message_values: 200_000,
        }
    }
}

impl ValidateOptions {
    /// Sets [`Self::max_findings`].
    #[must_use]
    pub fn with_max_findings(mut self, max: usize) -> Self {
        self.max_findings = max;
        self
    }

    /// Sets [`Self::max_message_segments`].
    #[must_use]
    pub fn with_max_message_segments(mut self, max: usize) -> Self {
        self.max_message_segments = max;
        self
    }

    /// Sets [`Self::max_message_values`].
    #[must_use]
    pub fn with_max_message_values(mut self, max: usize) -> Self {
        self.max_message_values = max;
        self
    }

    /// Sets [`Self::read`].
    #[must_use]
    pub fn with_read_options(mut self, read: ReadOptions) -> Self {
        self.read = read;
        self
    }
}

/// One letter (message) as validation saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct LetterSeen {
    reference: String,
    version: String,
    errors: usize,
    unsupported: bool,
}

/// The envelope as UNB gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct EnvelopeSeen {
    reference: String,
    sender: String,
    recipient: String,
    acknowledgement: AcknowledgementCode,
}

/// The result of validating an interchange: findings, and what a receipt needs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Validation {
    findings: Vec<Finding>,
    /// Per finding, the letter (index into `letters`) it belongs to; `None` is the envelope.
    letter_of: Vec<Option<usize>>,
    letters: Vec<LetterSeen>,
    envelope: Option<EnvelopeSeen>,
    envelope_errors: usize,
}

impl Validation {
    /// The findings, in input order per message.
    #[must_use]
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// The findings, owned.
    #[must_use]
    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }

    /// Whether nothing is an error (warnings allowed).
    #[must_use]
    pub fn is_valid(&self) -> bool {
        self.envelope_errors == 0 && self.letters.iter().all(|l| l.errors == 0)
    }

    /// What a receipt answers (envelope identifier, parties, letters, the acknowledgement
    /// asked for); `None` when the interchange has no readable UNB.
    #[must_use]
    pub fn original(&self) -> Option<Original> {
        let env = self.envelope.as_ref()?;
        Some(Original {
            envelope: env.reference.clone(),
            sender: env.sender.clone(),
            receiver: env.recipient.clone(),
            letters: self
                .letters
                .iter()
                .map(|l| (l.reference.clone(), l.version.clone()))
                .collect(),
            acknowledgement: env.acknowledgement,
        })
    }

    /// The refusals a negative receipt carries: the envelope for an error outside the letters
    /// (syntax), each letter with errors (its version when the version is unknown, syntax
    /// otherwise), with the first findings as text. Empty for a valid interchange.
    #[must_use]
    pub fn refusals(&self) -> Vec<Refusal> {
        let text = |letter: Option<usize>| {
            let mut lines: Vec<String> = self
                .findings
                .iter()
                .zip(&self.letter_of)
                .filter(|(f, l)| **l == letter && f.severity() == Severity::Error)
                .map(|(f, _)| f.to_string())
                .collect();
            if lines.len() > 5 {
                let more = lines.len() - 5;
                lines.truncate(5);
                lines.push(format!("... {more} more errors"));
            }
            lines.join("\n")
        };
        let mut out = Vec::new();
        if self.envelope_errors > 0 {
            out.push(Refusal {
                letter: None,
                code: RefuseCode::Syntax,
                text: text(None),
            });
        }
        for (n, l) in self.letters.iter().enumerate() {
            if l.errors > 0 {
                out.push(Refusal {
                    letter: Some(l.reference.clone()),
                    code: if l.unsupported {
                        RefuseCode::Version
                    } else {
                        RefuseCode::Syntax
                    },
                    text: text(Some(n)),
                });
            }
        }
        out
    }
}

impl Validation {
    /// The CONTRL receipt the validated interchange needs ([`ReceiptKind::required`]): a
    /// negative one (CTL02, action 4 in UCI/UCM, the refusals of [`Self::refusals`] as FTX)
    /// whenever there is an error, a positive one (CTL03, action 7) for a clean interchange
    /// whose UNB asks for it, else none.
    ///
    /// # Errors
    ///
    /// [`LegacyErrorKind::MissingSegment`] when there is no readable UNB to answer, or an
    /// error of the CONTRL conversion.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::legacy::{content, receipt::ReceiptOptions};
    /// let edi = b"UNB+UNOC:3+5790000120420:14+5790000128686:14+990115:1202+K1++++0'\
    ///     UNH+B1+MEDDIS:D:93A:UN:D0133L+DIS01'UNT+2+B1'UNZ+1+K1'";
    /// let validation = content::validate(edi);
    /// let options = ReceiptOptions::new("R1", "L1", "2024-05-01", "10:00");
    /// let answer = validation.receipt(&options).unwrap().unwrap();
    /// let body = answer.messages()[0].body();
    /// assert_eq!(answer.messages()[0].version(), "C0230Q");
    /// assert_eq!(body[0].component(4, 1), "4"); // UCI: rejected
    /// assert_eq!(body[1].component(3, 1), "4"); // UCM B1: rejected
    /// ```
    pub fn receipt(
        &self,
        options: &ReceiptOptions,
    ) -> Result<Option<Interchange>, crate::legacy::LegacyError> {
        let original = self.original().ok_or_else(|| {
            crate::legacy::LegacyError::new(LegacyErrorKind::MissingSegment { tag: "UNB" })
        })?;
        let refusals = self.refusals();
        let Some(kind) = ReceiptKind::required(original.acknowledgement, !refusals.is_empty())
        else {
            return Ok(None);
        };
        let xml = receipt::build(&original, kind, &refusals, options);
        convert::to_edifact(&xml).map(Some)
    }
}

/// Validates an EDIFACT interchange with the default options.
///
/// # Examples
///
/// See the [module documentation](self).
#[must_use]
pub fn validate(input: &[u8]) -> Validation {
    validate_with_options(input, &ValidateOptions::default())
}

/// Collects findings with their letter, up to the limit.
pub(crate) struct Sink {
    out: Validation,
    max: usize,
    dropped: usize,
    dropped_errors: usize,
    current: Option<usize>,
}

impl Sink {
    /// Whether further findings are only counted.
    pub(crate) fn is_full(&self) -> bool {
        self.out.findings.len() >= self.max
    }

    /// Counts a finding past the cap; `message` from 1, as [`Place::message`].
    pub(crate) fn count(&mut self, severity: Severity, message: Option<usize>) {
        let letter = message.and_then(|m| m.checked_sub(1));
        if severity == Severity::Error {
            match letter.and_then(|l| self.out.letters.get_mut(l)) {
                Some(l) => l.errors += 1,
                None => self.out.envelope_errors += 1,
            }
        }
        self.dropped += 1;
        self.dropped_errors += usize::from(severity == Severity::Error);
    }

    fn push_found(&mut self, f: Finding, letter: Option<usize>) {
        if self.is_full() {
            self.count(f.severity(), letter.map(|l| l + 1));
            return;
        }
        if f.severity() == Severity::Error {
            match letter.and_then(|l| self.out.letters.get_mut(l)) {
                Some(l) => l.errors += 1,
                None => self.out.envelope_errors += 1,
            }
        }
        self.out.findings.push(f);
        self.out.letter_of.push(letter);
    }

    /// A finding at a place: its location and position filled in.
    fn push_at(&mut self, input: &[u8], d: &Delimiters, at: Place<'_>, f: Finding) {
        let mut out = Finding::new(f.code(), f.severity(), at.location(), f.message());
        if let Some(rule) = f.rule() {
            out = out.with_rule(rule.to_owned());
        }
        if let Some(v) = f.value() {
            out = out.with_value(v.to_owned());
        }
        if let Some(p) = at.position(input, d) {
            out = out.with_position(p);
        }
        let letter = at.message.and_then(|m| m.checked_sub(1));
        self.push_found(out, letter);
    }

    pub(crate) fn push(&mut self, env: &Envelope<'_>, at: Place<'_>, f: Finding) {
        self.push_at(env.input, &env.delimiters, at, f);
    }

    /// The current letter's version is unknown.
    pub(crate) fn unsupported(&mut self) {
        if let Some(l) = self.current.and_then(|c| self.out.letters.get_mut(c)) {
            l.unsupported = true;
        }
    }
}

/// The finding code of a reader or conversion error.
pub(crate) fn code_of(kind: &LegacyErrorKind) -> &'static str {
    match kind {
        LegacyErrorKind::ControlCount { .. } => "edifact-control-count",
        LegacyErrorKind::ControlReference { .. } => "edifact-control-reference",
        LegacyErrorKind::EmptyInput => "edifact-empty-input",
        LegacyErrorKind::InvalidUna => "edifact-invalid-una",
        LegacyErrorKind::InvalidTag => "edifact-invalid-tag",
        LegacyErrorKind::InvalidValue { .. } => "edifact-invalid-value",
        LegacyErrorKind::LimitExceeded { .. } => "edifact-limit",
        LegacyErrorKind::MissingSegment { .. } | LegacyErrorKind::MissingElement { .. } => {
            "edifact-missing-segment"
        }
        LegacyErrorKind::TrailingContent => "edifact-trailing-content",
        LegacyErrorKind::UnexpectedSegment { .. } => "edifact-unexpected-segment",
        // The conversion's code lists are the EDIFACT side of the schema's enumerations.
        LegacyErrorKind::UnknownCode { .. } => "xsd-enumeration",
        LegacyErrorKind::UnsupportedMessage { .. } => "edifact-unsupported-message",
        LegacyErrorKind::UnsupportedSyntax { .. } => "edifact-unsupported-syntax",
        LegacyErrorKind::UnterminatedSegment => "edifact-unterminated-segment",
        _ => "edifact-invalid-value",
    }
}

fn error(code: &'static str, message: impl Into<String>) -> Finding {
    Finding::new(code, Severity::Error, "", message)
}

fn envelope_place(segment: &Segment, element: usize, component: usize) -> Place<'_> {
    Place {
        message: None,
        number: 0,
        segment,
        element,
        component,
    }
}

/// Checks UNB beyond what the reader needs; returns UNB as the conversion should read it
/// (an invalid date or acknowledgement request replaced, as they are reported here).
fn check_unb(input: &[u8], d: &Delimiters, unb: &Segment, sink: &mut Sink) -> Segment {
    let mut elements = unb.elements().to_vec();
    for (e, what) in [
        (2, "sender"),
        (3, "recipient"),
        (5, "interchange reference"),
    ] {
        if unb.component(e, 1).is_empty() {
            sink.push_at(
                input,
                d,
                envelope_place(unb, e, 1),
                error("edifact-missing-value", format!("UNB has no {what}")),
            );
        }
    }
    let date = unb.component(4, 1);
    let time = unb.component(4, 2);
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let mut fix_date = false;
    if !digits(date, 6) || !digits(time, 4) {
        sink.push_at(
            input,
            d,
            envelope_place(unb, 4, 1),
            error(
                "edifact-invalid-value",
                "UNB date and time must be YYMMDD:HHMM",
            ),
        );
        fix_date = true;
    } else {
        let n = |s: &str, a: usize| {
            s.get(a..a + 2)
                .and_then(|x| x.parse::<u8>().ok())
                .unwrap_or(0)
        };
        let year = 2000 + u16::from(n(date, 0));
        let (month, day) = (n(date, 2), n(date, 4));
        if day == 0 || day > crate::dk::days_in_month(year, month) {
            sink.push_at(
                input,
                d,
                envelope_place(unb, 4, 1),
                error("xsd-date", "UNB date is not a calendar date").with_value(date),
            );
            fix_date = true;
        }
        if n(time, 0) > 23 || n(time, 2) > 59 {
            sink.push_at(
                input,
                d,
                envelope_place(unb, 4, 2),
                error("xsd-date", "UNB time is not a time of day").with_value(time),
            );
            fix_date = true;
        }
    }
    if fix_date {
        if let Some(e) = elements.get_mut(3) {
            *e = vec!["000101".to_owned(), "0000".to_owned()];
        }
    }
    if !matches!(unb.component(9, 1), "" | "0" | "1") {
        sink.push_at(
            input,
            d,
            envelope_place(unb, 9, 1),
            error(
                "xsd-enumeration",
                "UNB acknowledgement request must be 0 or 1 (AcknowledgementCode)",
            ),
        );
        if let Some(e) = elements.get_mut(8) {
            *e = vec!["0".to_owned()];
        }
    }
    Segment::from_parts("UNB".to_owned(), elements, unb.position())
}

/// A message being read: UNH and the segments after it.
struct Open {
    unh: Segment,
    body: Vec<Segment>,
    number: usize,
    /// Segments beyond the limit, counted but not kept.
    dropped: usize,
    /// Values (components) kept.
    values: usize,
}

impl Open {
    /// Segments from UNH to UNT.
    fn count(&self) -> usize {
        self.body.len() + self.dropped + 2
    }
}

/// Validates an EDIFACT interchange.
///
/// # Examples
///
/// ```
/// use medcom::legacy::content::{validate_with_options, ValidateOptions};
/// let v = validate_with_options(b"UNB+UNOC:3+A:14+B:14+990101:1200+K'UNH+1+MEDDIS'", &ValidateOptions::default());
/// let codes: Vec<&str> = v.findings().iter().map(|f| f.code()).collect();
/// assert!(codes.contains(&"edifact-missing-segment"), "{codes:?}");
/// assert!(!v.is_valid());
/// ```
#[must_use]
pub fn validate_with_options(input: &[u8], options: &ValidateOptions) -> Validation {
    let mut sink = Sink {
        out: Validation::default(),
        max: options.max_findings.max(1),
        dropped: 0,
        dropped_errors: 0,
        current: None,
    };
    let reader_finding = |e: &crate::legacy::LegacyError| {
        let mut f = Finding::new(
            code_of(e.kind()),
            Severity::Error,
            e.location().unwrap_or("").to_owned(),
            e.kind().to_string(),
        );
        if let Some(p) = e.position() {
            f = f.with_position(p);
        }
        f
    };
    let mut scanner = match Scanner::new(input, &options.read) {
        Ok(s) => s,
        Err(e) => {
            sink.push_found(reader_finding(&e), None);
            return sink.finish();
        }
    };
    let d = scanner.delimiters();
    let mut unb: Option<Segment> = None;
    let mut conversion_unb: Option<Segment> = None;
    let mut open: Option<Open> = None;
    let mut started = 0usize;
    let mut unz: Option<Segment> = None;
    let mut any = false;
    let mut truncated = false;
    let mut trailing = false;
    let unexpected = |s: &Segment| {
        error(
            "edifact-unexpected-segment",
            format!("segment {} is not allowed here", s.tag()),
        )
    };
    for item in &mut scanner {
        let seg = match item {
            Ok(s) => s,
            Err(e) => {
                let letter = open.as_ref().map(|o| o.number - 1);
                sink.push_found(reader_finding(&e), letter);
                truncated = true;
                break;
            }
        };
        if !any {
            any = true;
            if seg.tag() == "UNB" {
                conversion_unb = Some(check_unb(input, &d, &seg, &mut sink));
                sink.out.envelope = Some(EnvelopeSeen {
                    reference: seg.component(5, 1).to_owned(),
                    sender: seg.component(2, 1).to_owned(),
                    recipient: seg.component(3, 1).to_owned(),
                    acknowledgement: if seg.component(9, 1) == "1" {
                        AcknowledgementCode::PlusPositive
                    } else {
                        AcknowledgementCode::MinusPositive
                    },
                });
                unb = Some(seg);
                continue;
            }
            sink.push_at(
                input,
                &d,
                envelope_place(&seg, 0, 0),
                error(
                    "edifact-missing-segment",
                    "the interchange does not start with UNB",
                ),
            );
        }
        if unz.is_some() {
            if !trailing {
                trailing = true;
                sink.push_at(
                    input,
                    &d,
                    envelope_place(&seg, 0, 0),
                    error(
                        "edifact-trailing-content",
                        "content after the end of the interchange (UNZ)",
                    ),
                );
            }
            continue;
        }
        match seg.tag() {
            "UNH" | "UNZ" => {
                if let Some(o) = open.take() {
                    let at = Place::whole(Some(o.number), o.count(), &seg);
                    sink.push_at(
                        input,
                        &d,
                        at,
                        error("edifact-missing-segment", "the message ends without UNT"),
                    );
                }
                if seg.tag() == "UNH" {
                    started += 1;
                    sink.out.letters.push(LetterSeen {
                        reference: seg.component(1, 1).to_owned(),
                        version: seg.component(2, 5).to_owned(),
                        errors: 0,
                        unsupported: false,
                    });
                    sink.current = Some(started - 1);
                    open = Some(Open {
                        unh: seg,
                        body: Vec::new(),
                        number: started,
                        dropped: 0,
                        values: 0,
                    });
                } else {
                    sink.current = None;
                    check_unz(input, &d, &seg, unb.as_ref(), started, &mut sink);
                    unz = Some(seg);
                }
            }
            "UNT" => match open.take() {
                Some(o) => {
                    check_unt(input, &d, &o, &seg, &mut sink);
                    if o.dropped > 0 {
                        continue;
                    }
                    if let Some(unb) = &conversion_unb {
                        let env = Envelope {
                            input,
                            delimiters: d,
                            unb,
                        };
                        message::check(
                            &env,
                            o.number,
                            o.number == 1,
                            o.unh,
                            o.body,
                            seg,
                            &mut sink,
                        );
                    }
                }
                None => sink.push_at(input, &d, envelope_place(&seg, 0, 0), unexpected(&seg)),
            },
            "UNB" => sink.push_at(input, &d, envelope_place(&seg, 0, 0), unexpected(&seg)),
            _ => match open.as_mut() {
                Some(o)
                    if o.dropped == 0
                        && o.body.len() < options.max_message_segments
                        && o.values < options.max_message_values =>
                {
                    o.values += seg.elements().iter().map(|e| e.len().max(1)).sum::<usize>();
                    o.body.push(seg);
                }
                Some(o) => {
                    if o.dropped == 0 {
                        let at = Place::whole(Some(o.number), o.count(), &seg);
                        sink.push_at(
                            input,
                            &d,
                            at,
                            error(
                                "edifact-limit",
                                format!(
                                    "the message holds more than {} segments or {} values; its content is not checked",
                                    options.max_message_segments, options.max_message_values
                                ),
                            ),
                        );
                    }
                    o.dropped += 1;
                }
                None => sink.push_at(input, &d, envelope_place(&seg, 0, 0), unexpected(&seg)),
            },
        }
    }
    if !any && !truncated {
        sink.push_found(
            error("edifact-empty-input", "the input holds no segments")
                .with_position(scanner.position()),
            None,
        );
    } else if !truncated {
        let end = scanner.position();
        if let Some(o) = open.take() {
            sink.push_found(
                Finding::new(
                    "edifact-missing-segment",
                    Severity::Error,
                    format!("UNH[{}]", o.number),
                    "the interchange ends inside a message (no UNT)",
                )
                .with_position(end),
                Some(o.number - 1),
            );
        }
        if unz.is_none() {
            sink.push_found(
                Finding::new(
                    "edifact-missing-segment",
                    Severity::Error,
                    "UNZ",
                    "the interchange ends without UNZ",
                )
                .with_position(end),
                None,
            );
        }
    }
    sink.finish()
}

fn check_unt(input: &[u8], d: &Delimiters, o: &Open, unt: &Segment, sink: &mut Sink) {
    let at = |element| Place {
        message: Some(o.number),
        number: o.count(),
        segment: unt,
        element,
        component: 1,
    };
    let actual = o.count();
    let declared = unt.component(1, 1);
    if declared != actual.to_string() {
        sink.push_at(
            input,
            d,
            at(1),
            error(
                "edifact-control-count",
                format!(
                    "UNT declares {} segments but the message has {actual}",
                    declared.chars().take(16).collect::<String>()
                ),
            ),
        );
    }
    if unt.component(2, 1) != o.unh.component(1, 1) {
        sink.push_at(
            input,
            d,
            at(2),
            error(
                "edifact-control-reference",
                "UNT reference differs from the UNH it closes",
            ),
        );
    }
}

fn check_unz(
    input: &[u8],
    d: &Delimiters,
    unz: &Segment,
    unb: Option<&Segment>,
    messages: usize,
    sink: &mut Sink,
) {
    let declared = unz.component(1, 1);
    if declared != messages.to_string() {
        sink.push_at(
            input,
            d,
            envelope_place(unz, 1, 1),
            error(
                "edifact-control-count",
                format!(
                    "UNZ declares {} messages but the interchange has {messages}",
                    declared.chars().take(16).collect::<String>()
                ),
            ),
        );
    }
    if let Some(unb) = unb {
        if unz.component(2, 1) != unb.component(5, 1) {
            sink.push_at(
                input,
                d,
                envelope_place(unz, 2, 1),
                error(
                    "edifact-control-reference",
                    "UNZ reference differs from the UNB it closes",
                ),
            );
        }
    }
}

impl Sink {
    fn finish(mut self) -> Validation {
        if self.dropped > 0 {
            // An error among those left out keeps the result an error.
            let severity = if self.dropped_errors > 0 {
                Severity::Error
            } else {
                Severity::Information
            };
            self.out.findings.push(Finding::new(
                "edifact-limit",
                severity,
                "",
                format!("{} more findings were not kept", self.dropped),
            ));
            self.out.letter_of.push(None);
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (interchange, expected codes, first location)
    #[rustfmt::skip]
    const CASES: &[(&str, &[&str], &str)] = &[
        ("", &["edifact-empty-input"], ""),
        ("UNB+UNOC:3+A:14+B:14+990101:1200+K'UNZ+0+K'", &[], ""),
        ("UNB+UNOC:3+A:14+B:14+990101:1200+K'UNZ+1+K'", &["edifact-control-count"], "UNZ/1:1"),
        ("UNB+UNOC:3+A:14+B:14+990101:1200+K'UNZ+0+Q'", &["edifact-control-reference"], "UNZ/2:1"),
        ("UNB+UNOC:3+A:14+B:14+991301:1200+K'UNZ+0+K'", &["xsd-date"], "UNB/4:1"),
        ("UNB+UNOC:3+A:14+B:14+990101:1200+K++++7'UNZ+0+K'", &["xsd-enumeration"], "UNB/9:1"),
        ("UNB+UNOC:3+A:14+B:14+990101:1200+K'", &["edifact-missing-segment"], "UNZ"),
        ("UNB+UNOC:3+A:14+B:14+990101:1200+K'UNZ+0+K'UNZ+0+K'", &["edifact-trailing-content"], "UNZ"),
        ("UNB+UNOC:3+A:14+B:14+990101:1200+K'FTX+X'UNZ+0+K'", &["edifact-unexpected-segment"], "FTX"),
        ("UNB+UNOC:3+A:14+B:14+990101:1200+K'UNH+1+X:D:93A:UN:Z9'UNT+2+1'UNZ+1+K'", &["edifact-unsupported-message"], "UNH[1]/UNH[1]/2:5"),
        ("UNB+UNOC:3+A:14+B:14+990101:1200+K'UNH+1+MEDDIS:D:93A:UN:D0133L+DIS01'UNT+2+1'UNZ+1+K'", &["edifact-missing-segment"], "UNH[1]/UNH[1]"),
        ("UNB+UNOC:3+A:14+B:14+990101:1200+K'UNH+1+MEDDIS:D:93A:UN:D0133L+DIS01'BGM+X'UNZ+1+K'", &["edifact-missing-segment"], "UNH[1]/UNZ[3]"),
        ("UNB+UNOC:3+A:14+B:14+990101:1200+K'UNH+1+MEDDIS:D:93A:UN:D0133L+DIS01'BGM+X", &["edifact-unterminated-segment"], ""),
    ];

    #[test]
    fn envelope_and_control_findings() {
        for (input, codes, location) in CASES {
            let v = validate(input.as_bytes());
            let got: Vec<&str> = v.findings().iter().map(Finding::code).collect();
            for code in *codes {
                assert!(got.contains(code), "{input}: {got:?}");
            }
            if codes.is_empty() {
                assert!(v.is_valid(), "{input}: {got:?}");
            } else {
                assert!(!v.is_valid(), "{input}");
                assert!(!v.refusals().is_empty(), "{input}");
                if !location.is_empty() {
                    assert_eq!(v.findings()[0].location(), *location, "{input}: {got:?}");
                }
            }
        }
    }

    #[test]
    fn long_messages_are_counted_not_held() {
        let edi = "UNB+UNOC:3+A:14+B:14+990101:1200+K'UNH+1+MEDDIS:D:93A:UN:D0133L+DIS01'\
                   FTX+A'FTX+B'FTX+C'UNT+5+1'UNZ+1+K'";
        for options in [
            ValidateOptions::default().with_max_message_segments(2),
            ValidateOptions::default().with_max_message_values(2),
        ] {
            let v = validate_with_options(edi.as_bytes(), &options);
            let codes: Vec<&str> = v.findings().iter().map(Finding::code).collect();
            assert_eq!(codes, ["edifact-limit"], "{options:?}");
            assert_eq!(v.findings()[0].location(), "UNH[1]/FTX[4]");
        }
    }

    #[test]
    fn positions_point_into_wrapped_lines() {
        let v = validate(b"UNB+UNOC:3+A:14+B:14+990101:1200+K'UNZ+0\n+Q'");
        let f = &v.findings()[0];
        assert_eq!(f.location(), "UNZ/2:1");
        let p = f.position().unwrap();
        assert_eq!((p.line, p.column), (2, 2));
    }
}
