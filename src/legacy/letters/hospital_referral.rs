//! XREF01 `HospitalReferral` (XH0130R): view and builder.

use super::discharge_letter::Diagnosis;
use super::{
    check_lines, letter_of, letter_view_common, text_element, text_lines, Header, Party, Patient,
};
use crate::legacy::oioxml::{Element, DEFAULT_NAMESPACE};
use crate::legacy::LegacyError;

/// A view of a hospital referral.
///
/// # Examples
///
/// ```
/// use medcom::legacy::{letters::HospitalReferral, oioxml};
/// # let xml = br#"<Emessage xmlns="http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2005/08/07/"><Envelope/><HospitalReferral><Referral><Refer><DiagnoseCode>DI10</DiagnoseCode></Refer></Referral></HospitalReferral></Emessage>"#;
/// let root = oioxml::read(xml).unwrap();
/// assert_eq!(HospitalReferral::new(&root).unwrap().diagnosis_code(), Some("DI10"));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct HospitalReferral<'a>(&'a Element);

impl<'a> HospitalReferral<'a> {
    /// The view of the `HospitalReferral` in an `Emessage`.
    ///
    /// # Errors
    ///
    /// When the root is not an `Emessage` or holds no `HospitalReferral`.
    pub fn new(emessage: &'a Element) -> Result<Self, LegacyError> {
        letter_of(emessage, "HospitalReferral").map(Self)
    }

    letter_view_common!();

    /// `Referral/Refer/DiagnoseCode`.
    #[must_use]
    pub fn diagnosis_code(&self) -> Option<&'a str> {
        self.0
            .child("Referral")
            .and_then(|r| r.child("Refer"))
            .and_then(|r| r.child("DiagnoseCode"))
            .map(Element::text)
    }

    /// The lines of `RelevantClinicalInformation/Anamnesis`.
    #[must_use]
    pub fn anamnesis(&self) -> Vec<String> {
        self.0
            .child("RelevantClinicalInformation")
            .and_then(|r| r.child("Anamnesis"))
            .map(text_lines)
            .unwrap_or_default()
    }
}

/// The referring doctor of a referral (`Sender/Referrer`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Referrer {
    /// `PersonName` (1–35 characters).
    pub name: String,
    /// `PersonTitle` (1–35 characters).
    pub title: Option<String>,
}

/// Builds a hospital referral (XH0130R, namespace 2005/08/07).
///
/// The result converts to EDIFACT REF01 and back unchanged.
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
///     given_name: None, address: Address::default(), episode: EpisodeStatus::Inactive,
/// };
/// let referrer = Referrer { name: "Hans Jensen".into(), title: Some("Læge".into()) };
/// let xml = HospitalReferralBuilder::new(header, party.clone(), referrer, party, patient)
///     .with_diagnosis(Diagnosis { code: "DI10".into(), text: "Hypertension".into() })
///     .build().unwrap();
/// assert_eq!(HospitalReferral::new(&xml).unwrap().diagnosis_code(), Some("DI10"));
/// ```
#[derive(Clone, Debug)]
pub struct HospitalReferralBuilder {
    header: Header,
    sender: Party,
    referrer: Referrer,
    receiver: Party,
    patient: Patient,
    diagnosis: Option<Diagnosis>,
    anamnesis: Option<Vec<String>>,
}

impl HospitalReferralBuilder {
    /// A builder with what every referral has: the sending practice, the referring
    /// doctor (`Sender/Referrer`, required by the schema), the receiver and the patient.
    #[must_use]
    pub fn new(
        header: Header,
        sender: Party,
        referrer: Referrer,
        receiver: Party,
        patient: Patient,
    ) -> Self {
        Self {
            header,
            sender,
            referrer,
            receiver,
            patient,
            diagnosis: None,
            anamnesis: None,
        }
    }

    /// `Referral/Refer` with an SKS code.
    #[must_use]
    pub fn with_diagnosis(mut self, d: Diagnosis) -> Self {
        self.diagnosis = Some(d);
        self
    }

    /// `RelevantClinicalInformation/Anamnesis`, one string per line.
    #[must_use]
    pub fn with_anamnesis(mut self, lines: Vec<String>) -> Self {
        self.anamnesis = Some(lines);
        self
    }

    /// Checks every part and builds the `Emessage`.
    ///
    /// # Errors
    ///
    /// [`crate::legacy::LegacyErrorKind::InvalidValue`] naming the first field the standard
    /// forbids.
    pub fn build(self) -> Result<Element, LegacyError> {
        self.header.check()?;
        self.sender.check()?;
        super::check_text("PersonName", &self.referrer.name, 35)?;
        if let Some(t) = &self.referrer.title {
            super::check_text("PersonTitle", t, 35)?;
        }
        self.receiver.check()?;
        self.patient.check()?;
        if let Some(d) = &self.diagnosis {
            super::check_text("DiagnoseCode", &d.code, 10)?;
            super::check_text("DiagnoseText", &d.text, 60)?;
        }
        if let Some(a) = &self.anamnesis {
            check_lines("Anamnesis", a)?;
        }
        let mut root = self.header.emessage(DEFAULT_NAMESPACE);
        let mut l = root.child_element("HospitalReferral");
        l.push(self.header.letter(&l, "XH0130R", "XREF01"));
        let mut sender = self.sender.element(&l, "Sender", true);
        let mut r = sender
            .child_element("Referrer")
            .with_text_child("PersonName", &self.referrer.name);
        if let Some(t) = &self.referrer.title {
            r.push_text_child("PersonTitle", t);
        }
        sender.push(r);
        l.push(sender);
        l.push(self.receiver.element(&l, "Receiver", true));
        l.push(self.patient.element(&l, false));
        if let Some(d) = &self.diagnosis {
            let mut r = l.child_element("Referral");
            r.push(
                r.child_element("Refer")
                    .with_text_child("DiagnoseCode", &d.code)
                    .with_text_child("DiagnoseTypeCode", "SKSdiagnosekode")
                    .with_text_child("DiagnoseText", &d.text),
            );
            l.push(r);
        }
        if let Some(a) = &self.anamnesis {
            let mut r = l.child_element("RelevantClinicalInformation");
            r.push(text_element(&r, "Anamnesis", a));
            l.push(r);
        }
        root.push(l);
        Ok(root)
    }
}
