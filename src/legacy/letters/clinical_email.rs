//! XDIS91 `ClinicalEmail` (XD9134L): view and builder.

use super::{
    check_lines, check_optional, check_text, letter_of, letter_view_common, text_element,
    text_lines, Header, Party, Patient,
};
use crate::legacy::convert::codes;
use crate::legacy::oioxml::{converter_namespace, Element};
use crate::legacy::LegacyError;

/// `AdditionalInformation/Priority`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Priority {
    /// `høj_prioritet`.
    High,
    /// `rutine`.
    Routine,
}

impl Priority {
    /// The OIOXML code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::High => "høj_prioritet",
            Self::Routine => "rutine",
        }
    }
}

/// A view of a correspondence letter.
///
/// # Examples
///
/// ```
/// use medcom::legacy::{letters::ClinicalEmail, oioxml};
/// # let xml = r#"<Emessage xmlns="http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2006/07/01/"><Envelope/><ClinicalEmail><AdditionalInformation><Subject>Svar</Subject></AdditionalInformation></ClinicalEmail></Emessage>"#;
/// let root = oioxml::read(xml.as_bytes()).unwrap();
/// assert_eq!(ClinicalEmail::new(&root).unwrap().subject(), Some("Svar"));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct ClinicalEmail<'a>(&'a Element);

impl<'a> ClinicalEmail<'a> {
    /// The view of the `ClinicalEmail` in an `Emessage`.
    ///
    /// # Errors
    ///
    /// When the root is not an `Emessage` or holds no `ClinicalEmail`.
    pub fn new(emessage: &'a Element) -> Result<Self, LegacyError> {
        letter_of(emessage, "ClinicalEmail").map(Self)
    }

    letter_view_common!();

    /// `AdditionalInformation/Subject`.
    #[must_use]
    pub fn subject(&self) -> Option<&'a str> {
        self.0
            .child("AdditionalInformation")
            .and_then(|a| a.child("Subject"))
            .map(Element::text)
    }

    /// `AdditionalInformation/Priority`.
    #[must_use]
    pub fn priority(&self) -> Option<&'a str> {
        self.0
            .child("AdditionalInformation")
            .and_then(|a| a.child("Priority"))
            .map(Element::text)
    }

    /// The lines of every `ClinicalInformation/Text01`.
    #[must_use]
    pub fn clinical_text(&self) -> Vec<String> {
        self.0
            .children_named("ClinicalInformation")
            .filter_map(|c| c.child("Text01"))
            .flat_map(text_lines)
            .collect()
    }
}

/// Builds a correspondence letter (XD9134L, namespace 2006/07/01).
///
/// # Examples
///
/// ```
/// use medcom::legacy::letters::*;
/// use medcom::legacy::oioxml::AcknowledgementCode;
/// let at = DateTime::new("2024-05-01", "10:00").unwrap();
/// let party = Party {
///     ean: "5790000120420".into(), identifier: "079741".into(), identifier_kind: IdentifierKind::Provider,
///     organisation: "Lægehuset".into(), department: None, unit: None, address: Address::default(),
/// };
/// let header = Header {
///     envelope_identifier: "K1".into(), sent: at.clone(), acknowledgement: AcknowledgementCode::MinusPositive,
///     letter_identifier: "B1".into(), authorised: at, corrected: false, episode_identifier: None,
/// };
/// let patient = Patient {
///     identifier: PatientIdentifier::Cpr("0101010000".into()), surname: "Hansen".into(),
///     given_name: Some("Ole".into()), address: Address::default(), episode: EpisodeStatus::Inactive,
/// };
/// let err = ClinicalEmailBuilder::new(header, party.clone(), party, patient, vec![".".into()]).build().unwrap_err();
/// assert_eq!(err.kind().code(), "invalid-value");
/// ```
#[derive(Clone, Debug)]
pub struct ClinicalEmailBuilder {
    header: Header,
    sender: Party,
    speciality: Option<String>,
    receiver: Party,
    patient: Patient,
    priority: Option<Priority>,
    subject: Option<String>,
    text: Vec<String>,
    more_text: Vec<Vec<String>>,
    references: Vec<(String, String)>,
}

impl ClinicalEmailBuilder {
    /// A builder with what every correspondence letter has.
    #[must_use]
    pub fn new(
        header: Header,
        sender: Party,
        receiver: Party,
        patient: Patient,
        text: Vec<String>,
    ) -> Self {
        Self {
            header,
            sender,
            speciality: None,
            receiver,
            patient,
            priority: None,
            subject: None,
            text,
            more_text: Vec::new(),
            references: Vec::new(),
        }
    }

    /// Another `ClinicalInformation` block after the first (at most ten in all).
    #[must_use]
    pub fn with_more_text(mut self, lines: Vec<String>) -> Self {
        self.more_text.push(lines);
        self
    }

    /// A `Reference` to content by URL: its description (1–70 characters) and the URL (1–350
    /// characters; at most ten references).
    #[must_use]
    pub fn with_reference(mut self, description: &str, url: &str) -> Self {
        self.references
            .push((description.to_owned(), url.to_owned()));
        self
    }

    /// The sender's `MedicalSpecialityCode`.
    #[must_use]
    pub fn with_speciality(mut self, code: &str) -> Self {
        self.speciality = Some(code.to_owned());
        self
    }

    /// `AdditionalInformation/Priority`.
    #[must_use]
    pub fn with_priority(mut self, p: Priority) -> Self {
        self.priority = Some(p);
        self
    }

    /// `AdditionalInformation/Subject` (1–70 characters).
    #[must_use]
    pub fn with_subject(mut self, s: &str) -> Self {
        self.subject = Some(s.to_owned());
        self
    }

    /// Checks every part and builds the `Emessage`.
    ///
    /// # Errors
    ///
    /// [`crate::legacy::LegacyErrorKind::InvalidValue`] or
    /// [`crate::legacy::LegacyErrorKind::UnknownCode`] naming the first field the standard
    /// forbids.
    pub fn build(self) -> Result<Element, LegacyError> {
        self.header.check()?;
        self.sender.check()?;
        self.receiver.check()?;
        self.patient.check()?;
        if let Some(s) = &self.speciality {
            codes::to_edi(codes::SPECIALITY, "MedicalSpecialityCode", s)?;
        }
        check_optional("Subject", self.subject.as_deref(), 70)?;
        if let Some(s) = &self.subject {
            check_text("Subject", s, 70)?;
        }
        check_lines("ClinicalInformation/Text01", &self.text)?;
        for lines in &self.more_text {
            check_lines("ClinicalInformation/Text01", lines)?;
        }
        if self.more_text.len() >= 10 {
            return Err(super::invalid("ClinicalInformation", "at most ten blocks"));
        }
        if self.references.len() > 10 {
            return Err(super::invalid("Reference", "at most ten references"));
        }
        for (description, url) in &self.references {
            check_text("RefDescription", description, 70)?;
            check_text("URL", url, 350)?;
        }
        let mut root = self.header.emessage(converter_namespace("XD9134L"));
        let mut l = root.child_element("ClinicalEmail");
        l.push(self.header.letter(&l, "XD9134L", "XDIS91"));
        let mut sender = self.sender.element(&l, "Sender", true);
        if let Some(s) = &self.speciality {
            sender.push_text_child("MedicalSpecialityCode", s);
        }
        l.push(sender);
        l.push(self.receiver.element(&l, "Receiver", true));
        l.push(self.patient.element(&l, true));
        if self.priority.is_some() || self.subject.is_some() {
            let mut a = l.child_element("AdditionalInformation");
            if let Some(p) = self.priority {
                a.push_text_child("Priority", p.code());
            }
            if let Some(s) = &self.subject {
                a.push_text_child("Subject", s);
            }
            l.push(a);
        }
        for lines in std::iter::once(&self.text).chain(&self.more_text) {
            let mut ci = l.child_element("ClinicalInformation");
            ci.push(text_element(&ci, "Text01", lines));
            l.push(ci);
        }
        for (description, url) in &self.references {
            l.push(
                l.child_element("Reference")
                    .with_text_child("RefDescription", description)
                    .with_text_child("URL", url),
            );
        }
        root.push(l);
        Ok(root)
    }
}
