//! XDIS01 `DischargeLetter` (XD0133L): view and builder.

use super::{
    check_lines, check_optional, check_text, invalid, letter_of, letter_view_common, text_element,
    text_lines, DateTime, Header, Party, Patient,
};
use crate::legacy::convert::codes;
use crate::legacy::oioxml::{Element, DEFAULT_NAMESPACE};
use crate::legacy::LegacyError;

/// A diagnosis: SKS code and text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnosis {
    /// `DiagnoseCode` (1–10 characters).
    pub code: String,
    /// `DiagnoseText` (1–60 characters).
    pub text: String,
}

impl Diagnosis {
    fn check(&self) -> Result<(), LegacyError> {
        check_text("DiagnoseCode", &self.code, 10)?;
        check_text("DiagnoseText", &self.text, 60)
    }
}

/// A view of a discharge letter.
///
/// # Examples
///
/// ```
/// use medcom::legacy::{letters::DischargeLetter, oioxml};
/// # let xml = br#"<Emessage xmlns="http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2005/08/07/"><Envelope/><DischargeLetter><Letter><Identifier>B1</Identifier></Letter><ClinicalInformation><Text01>Rask<Break/></Text01></ClinicalInformation></DischargeLetter></Emessage>"#;
/// let root = oioxml::read(xml).unwrap();
/// let letter = DischargeLetter::new(&root).unwrap();
/// assert_eq!(letter.identifier(), "B1");
/// assert_eq!(letter.clinical_text(), ["Rask"]);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct DischargeLetter<'a>(&'a Element);

impl<'a> DischargeLetter<'a> {
    /// The view of the `DischargeLetter` in an `Emessage`.
    ///
    /// # Errors
    ///
    /// When the root is not an `Emessage` or holds no `DischargeLetter`.
    pub fn new(emessage: &'a Element) -> Result<Self, LegacyError> {
        letter_of(emessage, "DischargeLetter").map(Self)
    }

    letter_view_common!();

    /// `Admission` date and time.
    #[must_use]
    pub fn admission(&self) -> Option<(&'a str, &'a str)> {
        self.0
            .child("Admission")
            .map(|a| (a.child_text("Date"), a.child_text("Time")))
    }

    /// `Discharge` date and time.
    #[must_use]
    pub fn discharge(&self) -> Option<(&'a str, &'a str)> {
        self.0
            .child("Discharge")
            .map(|a| (a.child_text("Date"), a.child_text("Time")))
    }

    /// `Diagnose/Main`: code and text.
    #[must_use]
    pub fn main_diagnosis(&self) -> Option<(&'a str, &'a str)> {
        self.0
            .child("Diagnose")
            .and_then(|d| d.child("Main"))
            .map(|m| (m.child_text("DiagnoseCode"), m.child_text("DiagnoseText")))
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

/// Builds a discharge letter (XD0133L, namespace 2005/08/07).
///
/// # Examples
///
/// ```
/// use medcom::legacy::letters::*;
/// use medcom::legacy::oioxml::AcknowledgementCode;
/// let at = DateTime::new("2024-05-01", "10:00").unwrap();
/// let party = |name: &str| Party {
///     ean: "5790000120420".into(), identifier: "2001060".into(),
///     identifier_kind: IdentifierKind::HospitalDepartment, organisation: name.into(),
///     department: None, unit: None, address: Address::default(),
/// };
/// let header = Header {
///     envelope_identifier: "K1".into(), sent: at.clone(), acknowledgement: AcknowledgementCode::PlusPositive,
///     letter_identifier: "B1".into(), authorised: at.clone(), corrected: false, episode_identifier: None,
/// };
/// let patient = Patient {
///     identifier: PatientIdentifier::Cpr("0101010000".into()), surname: "Hansen".into(),
///     given_name: None, address: Address::default(), episode: EpisodeStatus::Inactive,
/// };
/// let xml = DischargeLetterBuilder::new(header, party("Sygehus"), party("Lægehus"), patient, vec!["Udskrevet.".into()])
///     .with_discharge(at)
///     .build()
///     .unwrap();
/// let edi = medcom::legacy::convert::to_edifact(&xml).unwrap();
/// assert_eq!(edi.messages()[0].version(), "D0133L");
/// ```
#[derive(Clone, Debug)]
pub struct DischargeLetterBuilder {
    header: Header,
    sender: Party,
    sender_phone: Option<String>,
    speciality: Option<String>,
    receiver: Party,
    cc: Option<Party>,
    patient: Patient,
    admission: Option<DateTime>,
    discharge: Option<DateTime>,
    main: Option<Diagnosis>,
    additional: Vec<Diagnosis>,
    text: Vec<String>,
}

impl DischargeLetterBuilder {
    /// A builder with what every discharge letter has; `text` is its clinical text, one
    /// string per line.
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
            sender_phone: None,
            speciality: None,
            receiver,
            cc: None,
            patient,
            admission: None,
            discharge: None,
            main: None,
            additional: Vec::new(),
            text,
        }
    }

    /// The sender's telephone number.
    #[must_use]
    pub fn with_sender_phone(mut self, phone: &str) -> Self {
        self.sender_phone = Some(phone.to_owned());
        self
    }

    /// The sender's `MedicalSpecialityCode` (e.g. `kirurgi_sygehus`).
    #[must_use]
    pub fn with_speciality(mut self, code: &str) -> Self {
        self.speciality = Some(code.to_owned());
        self
    }

    /// A copy receiver (`CCReceiver`; its EAN is not carried).
    #[must_use]
    pub fn with_cc_receiver(mut self, cc: Party) -> Self {
        self.cc = Some(cc);
        self
    }

    /// `Admission`.
    #[must_use]
    pub fn with_admission(mut self, at: DateTime) -> Self {
        self.admission = Some(at);
        self
    }

    /// `Discharge`.
    #[must_use]
    pub fn with_discharge(mut self, at: DateTime) -> Self {
        self.discharge = Some(at);
        self
    }

    /// `Diagnose/Main`.
    #[must_use]
    pub fn with_main_diagnosis(mut self, d: Diagnosis) -> Self {
        self.main = Some(d);
        self
    }

    /// A `Diagnose/Other` with description `tillaegsdiagnose` and an SKS code.
    #[must_use]
    pub fn with_additional_diagnosis(mut self, d: Diagnosis) -> Self {
        self.additional.push(d);
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
        if let Some(cc) = &self.cc {
            cc.check()?;
        }
        self.patient.check()?;
        check_optional(
            "TelephoneSubscriberIdentifier",
            self.sender_phone.as_deref(),
            25,
        )?;
        if let Some(s) = &self.speciality {
            codes::to_edi(codes::SPECIALITY, "MedicalSpecialityCode", s)?;
        }
        if let Some(m) = &self.main {
            m.check()?;
        }
        for d in &self.additional {
            d.check()?;
        }
        if self.additional.len() > 20 {
            return Err(invalid("Diagnose/Other", "at most 20"));
        }
        check_lines("ClinicalInformation/Text01", &self.text)?;
        let mut root = self.header.emessage(DEFAULT_NAMESPACE);
        let mut l = root.child_element("DischargeLetter");
        l.push(self.header.letter(&l, "XD0133L", "XDIS01"));
        let mut sender = self.sender.element(&l, "Sender", true);
        if let Some(p) = &self.sender_phone {
            sender.push_text_child("TelephoneSubscriberIdentifier", p);
        }
        if let Some(s) = &self.speciality {
            sender.push_text_child("MedicalSpecialityCode", s);
        }
        l.push(sender);
        l.push(self.receiver.element(&l, "Receiver", true));
        if let Some(cc) = &self.cc {
            l.push(cc.element(&l, "CCReceiver", false));
        }
        l.push(self.patient.element(&l, true));
        if let Some(a) = &self.admission {
            l.push(a.element(&l, "Admission"));
        }
        if let Some(d) = &self.discharge {
            l.push(d.element(&l, "Discharge"));
        }
        if self.main.is_some() || !self.additional.is_empty() {
            let mut d = l.child_element("Diagnose");
            if let Some(m) = &self.main {
                d.push(
                    d.child_element("Main")
                        .with_text_child("DiagnoseCode", &m.code)
                        .with_text_child("DiagnoseText", &m.text),
                );
            }
            for a in &self.additional {
                d.push(
                    d.child_element("Other")
                        .with_text_child("DiagnoseDescriptionCode", "tillaegsdiagnose")
                        .with_text_child("DiagnoseCode", &a.code)
                        .with_text_child("DiagnoseTypeCode", "SKSdiagnosekode")
                        .with_text_child("DiagnoseText", &a.text),
                );
            }
            l.push(d);
        }
        let mut ci = l.child_element("ClinicalInformation");
        ci.push(text_element(&ci, "Text01", &self.text));
        l.push(ci);
        root.push(l);
        Ok(root)
    }
}
