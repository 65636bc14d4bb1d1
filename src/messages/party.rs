//! The parties of a message: organizations (sender, receiver and the organizations authors
//! belong to), the patient, and authors (Practitioner with PractitionerRole) or care teams.

use crate::dk::cpr::Cpr;
use crate::dk::ecpr::{Ecpr, EcprKind};
use crate::dk::gln::Gln;
use crate::dk::sor::Sor;

use super::{BuildError, SOR_ENDPOINT};

/// SOR identifier system (`urn:oid:1.2.208.176.1.1`).
pub const SOR_SYSTEM: &str = "urn:oid:1.2.208.176.1.1";
/// EAN/GLN identifier system as DK-core 2.0.0 and 3.4.0 (every current message) spell it.
pub const GLN_SYSTEM: &str = "https://www.gs1.org/gln";
/// CPR identifier system.
pub const CPR_SYSTEM: &str = "urn:oid:1.2.208.176.1.2";
/// National X-eCPR identifier system.
pub const X_ECPR_SYSTEM: &str = "urn:oid:1.2.208.176.1.6.1.1";
/// Decentral D-eCPR identifier system (the general OID of DK-core's D-eCPR code system).
pub const D_ECPR_SYSTEM: &str = "urn:oid:1.2.208.176.1.6.1.3";
/// MedCom's administrative SKS practitioner roles.
pub const ROLE_SYSTEM: &str =
    "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-core-PractitionerRolesSKSadministrativ";

/// An organization: a SOR identifier, for messaging organizations (sender and receivers) also
/// an EAN/GLN location number, a name and the endpoint messages reach it at.
///
/// # Examples
///
/// ```
/// use medcom::messages::Organization;
/// let org = Organization::new("265161000016000", "5790000209354").with_name("Hjerteafdelingen");
/// assert_eq!(org.endpoint, "https://sor2.sum.dsdn.dk/#id=265161000016000");
/// assert!(org.check().is_ok());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Organization {
    /// SOR identifier (at least 11 digits).
    pub sor: String,
    /// EAN/GLN location number (13 digits with a GS1 check digit); required of the sender and
    /// receivers of a message.
    pub gln: Option<String>,
    /// The name ("shall be present if known").
    pub name: Option<String>,
    /// `MessageHeader.destination.endpoint` / `source.endpoint` for this organization.
    /// Default: the SOR URL `https://sor2.sum.dsdn.dk/#id=<SOR>`.
    pub endpoint: String,
    /// Further identifiers (e.g. a producer id or a Ydernummer), after GLN and SOR.
    pub other_identifiers: Vec<Identifier>,
    /// Other names (`Organization.alias`), e.g. the department and unit a legacy letter
    /// names beside the organization.
    pub aliases: Vec<String>,
}

/// An identifier: system and value.
///
/// # Examples
///
/// ```
/// let i = medcom::messages::Identifier::new("urn:oid:1.2.208.176.1.4", "012345");
/// assert_eq!(i.value, "012345");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Identifier {
    /// The system.
    pub system: String,
    /// The value.
    pub value: String,
}

impl Identifier {
    /// An identifier.
    #[must_use]
    pub fn new(system: &str, value: &str) -> Self {
        Self {
            system: system.to_owned(),
            value: value.to_owned(),
        }
    }
}

impl Organization {
    /// A messaging organization with its SOR identifier and EAN/GLN number.
    #[must_use]
    pub fn new(sor: &str, gln: &str) -> Self {
        Self {
            sor: sor.to_owned(),
            gln: Some(gln.to_owned()),
            name: None,
            endpoint: format!("{SOR_ENDPOINT}{sor}"),
            other_identifiers: Vec::new(),
            aliases: Vec::new(),
        }
    }

    /// An organization known by its SOR identifier only (not usable as sender or receiver).
    ///
    /// # Examples
    ///
    /// ```
    /// let org = medcom::messages::Organization::sor_only("265161000016000");
    /// assert!(org.gln.is_none());
    /// ```
    #[must_use]
    pub fn sor_only(sor: &str) -> Self {
        Self {
            sor: sor.to_owned(),
            gln: None,
            name: None,
            endpoint: format!("{SOR_ENDPOINT}{sor}"),
            other_identifiers: Vec::new(),
            aliases: Vec::new(),
        }
    }

    /// Sets the name.
    #[must_use]
    pub fn with_name(mut self, name: &str) -> Self {
        self.name = Some(name.to_owned());
        self
    }

    /// Sets the endpoint.
    #[must_use]
    pub fn with_endpoint(mut self, endpoint: &str) -> Self {
        self.endpoint = endpoint.to_owned();
        self
    }

    /// Adds a further identifier.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::Organization;
    /// let gp = Organization::new("123456789012342", "5790001382445")
    ///     .with_identifier("urn:oid:1.2.208.176.1.4", "012345");
    /// assert_eq!(gp.other_identifiers.len(), 1);
    /// ```
    #[must_use]
    pub fn with_identifier(mut self, system: &str, value: &str) -> Self {
        self.other_identifiers.push(Identifier::new(system, value));
        self
    }

    /// Whether the identifiers are well formed: SOR of at least 11 digits, GLN of 13 digits
    /// with a valid check digit (DK-core `min-digits-sor`, `gln-length`, `gln-modulus-10`).
    ///
    /// # Errors
    ///
    /// [`BuildError::InvalidSor`] or [`BuildError::InvalidGln`].
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::{BuildError, Organization};
    /// let bad = Organization::new("265161000016000", "5790000209355");
    /// assert!(matches!(bad.check(), Err(BuildError::InvalidGln { .. })));
    /// ```
    pub fn check(&self) -> Result<(), BuildError> {
        if Sor::parse(&self.sor).is_err() {
            return Err(BuildError::InvalidSor {
                value: self.sor.clone(),
            });
        }
        if let Some(gln) = &self.gln {
            if !Gln::parse(gln).is_ok_and(|g| g.has_valid_check_digit()) {
                return Err(BuildError::InvalidGln { value: gln.clone() });
            }
        }
        if self.endpoint.trim().is_empty() {
            return Err(BuildError::Missing {
                what: "organization endpoint",
            });
        }
        Ok(())
    }

    /// As [`Self::check`], and the GLN must be present (sender and receivers).
    pub(crate) fn check_messaging(&self) -> Result<(), BuildError> {
        self.check()?;
        if self.gln.is_none() {
            return Err(BuildError::Missing {
                what: "GLN of a sending or receiving organization",
            });
        }
        Ok(())
    }
}

/// The patient's identifier.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PersonIdentifier {
    /// A CPR number (system `urn:oid:1.2.208.176.1.2`).
    Cpr(String),
    /// An eCPR replacement number with its system (X-eCPR or D-eCPR).
    Ecpr {
        /// The identifier system.
        system: String,
        /// The number.
        value: String,
    },
}

impl PersonIdentifier {
    /// An eCPR number with the system its kind calls for (national X-eCPR or decentral
    /// D-eCPR); a malformed number gets the X-eCPR system and is refused when built.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::PersonIdentifier;
    /// let id = PersonIdentifier::ecpr("0101901AB3");
    /// assert_eq!(id.system(), "urn:oid:1.2.208.176.1.6.1.1");
    /// ```
    #[must_use]
    pub fn ecpr(value: &str) -> Self {
        let system = match Ecpr::parse(value).map(|e| e.kind()) {
            Ok(EcprKind::Decentral) => D_ECPR_SYSTEM,
            _ => X_ECPR_SYSTEM,
        };
        Self::Ecpr {
            system: system.to_owned(),
            value: value.to_owned(),
        }
    }

    /// The identifier system.
    #[must_use]
    pub fn system(&self) -> &str {
        match self {
            Self::Cpr(_) => CPR_SYSTEM,
            Self::Ecpr { system, .. } => system,
        }
    }

    /// The number.
    #[must_use]
    pub fn value(&self) -> &str {
        match self {
            Self::Cpr(v) | Self::Ecpr { value: v, .. } => v,
        }
    }

    /// Whether it is a CPR number.
    #[must_use]
    pub fn is_cpr(&self) -> bool {
        matches!(self, Self::Cpr(_))
    }

    pub(crate) fn check(&self) -> Result<(), BuildError> {
        match self {
            Self::Cpr(v) => Cpr::parse(v).map(|_| ()).map_err(BuildError::InvalidCpr),
            Self::Ecpr { value, .. } => Ecpr::parse(value)
                .map(|_| ())
                .map_err(BuildError::InvalidEcpr),
        }
    }
}

/// A person's name: family name and given names.
///
/// # Examples
///
/// ```
/// let name = medcom::messages::PersonName::new("Elmer", &["Bruno"]);
/// assert_eq!(name.to_string(), "Bruno Elmer");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PersonName {
    /// Family name.
    pub family: Option<String>,
    /// Given names, in order.
    pub given: Vec<String>,
    /// The name is not known (a legacy notification names no patient): the family name is
    /// written with a data-absent-reason `unknown`, and a patient may then have no name parts.
    pub unknown: bool,
}

impl PersonName {
    /// A name from family and given names.
    #[must_use]
    pub fn new(family: &str, given: &[&str]) -> Self {
        Self {
            family: Some(family.to_owned()),
            given: given.iter().map(|g| (*g).to_owned()).collect(),
            unknown: false,
        }
    }

    /// A name that is not known (no parts; see [`Self::unknown`](PersonName#structfield.unknown)).
    ///
    /// # Examples
    ///
    /// ```
    /// let name = medcom::messages::PersonName::not_known();
    /// assert!(name.unknown && name.family.is_none());
    /// ```
    #[must_use]
    pub fn not_known() -> Self {
        Self {
            unknown: true,
            ..Self::default()
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.family.as_deref().is_none_or(|f| f.trim().is_empty())
            && self.given.iter().all(|g| g.trim().is_empty())
    }
}

impl std::fmt::Display for PersonName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<&str> = self
            .given
            .iter()
            .map(String::as_str)
            .chain(self.family.as_deref())
            .collect();
        f.write_str(&parts.join(" "))
    }
}

/// A postal address.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Address {
    /// Street lines.
    pub lines: Vec<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// City.
    pub city: Option<String>,
}

impl Address {
    /// An address of one line, a postal code and a city.
    ///
    /// # Examples
    ///
    /// ```
    /// let a = medcom::messages::Address::new("Herlev Ringvej 75", "2730", "Herlev");
    /// assert_eq!(a.lines, ["Herlev Ringvej 75"]);
    /// ```
    #[must_use]
    pub fn new(line: &str, postal_code: &str, city: &str) -> Self {
        Self {
            lines: vec![line.to_owned()],
            postal_code: Some(postal_code.to_owned()),
            city: Some(city.to_owned()),
        }
    }
}

/// A telephone number or e-mail address (`ContactPoint`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Telecom {
    /// `phone` or `email` (any `ContactPoint.system` code).
    pub system: String,
    /// The number or address.
    pub value: String,
}

impl Telecom {
    /// A telephone number.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(medcom::messages::Telecom::phone("38683868").system, "phone");
    /// ```
    #[must_use]
    pub fn phone(value: &str) -> Self {
        Self {
            system: "phone".to_owned(),
            value: value.to_owned(),
        }
    }
}

/// The patient (MedComCorePatient): a CPR or eCPR number, the official name, and optionally
/// address, telecom and whether deceased.
///
/// # Examples
///
/// ```
/// use medcom::messages::{Patient, PersonName};
/// let p = Patient::cpr("2509471005", PersonName::new("Elmer", &["Bruno"]));
/// assert!(p.identifier.is_cpr());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Patient {
    /// CPR or eCPR.
    pub identifier: PersonIdentifier,
    /// The official name.
    pub name: PersonName,
    /// Address, if given.
    pub address: Option<Address>,
    /// Telephone numbers and e-mail addresses.
    pub telecom: Vec<Telecom>,
    /// `Patient.deceasedBoolean`, if given.
    pub deceased: Option<bool>,
}

impl Patient {
    /// A patient with a CPR number.
    #[must_use]
    pub fn cpr(cpr: &str, name: PersonName) -> Self {
        Self::new(PersonIdentifier::Cpr(cpr.to_owned()), name)
    }

    /// A patient with an eCPR number (system chosen by [`PersonIdentifier::ecpr`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::{Patient, PersonName};
    /// let p = Patient::ecpr("0101901AB3", PersonName::new("Doe", &["Jane"]));
    /// assert!(!p.identifier.is_cpr());
    /// ```
    #[must_use]
    pub fn ecpr(ecpr: &str, name: PersonName) -> Self {
        Self::new(PersonIdentifier::ecpr(ecpr), name)
    }

    /// A patient with any identifier.
    #[must_use]
    pub fn new(identifier: PersonIdentifier, name: PersonName) -> Self {
        Self {
            identifier,
            name,
            address: None,
            telecom: Vec::new(),
            deceased: None,
        }
    }

    /// Sets the address.
    #[must_use]
    pub fn with_address(mut self, address: Address) -> Self {
        self.address = Some(address);
        self
    }

    /// Adds a telephone number or e-mail address.
    #[must_use]
    pub fn with_telecom(mut self, telecom: Telecom) -> Self {
        self.telecom.push(telecom);
        self
    }

    /// Sets `deceasedBoolean`.
    #[must_use]
    pub fn with_deceased(mut self, deceased: bool) -> Self {
        self.deceased = Some(deceased);
        self
    }

    pub(crate) fn check(&self) -> Result<(), BuildError> {
        self.identifier.check()?;
        if self.name.is_empty() && !self.name.unknown {
            return Err(BuildError::Missing {
                what: "patient name",
            });
        }
        Ok(())
    }
}

/// A practitioner's role (`PractitionerRole.code`): a coded role or free text, never both
/// (`medcom-core-practitionerrole-code-xor-text`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Role {
    /// A coded role.
    Code {
        /// The code system.
        system: String,
        /// The code, e.g. `sygeplejerske`.
        code: String,
    },
    /// A role as text.
    Text(String),
}

impl Role {
    /// A role from MedCom's administrative SKS roles, e.g. `sygeplejerske`, `laege`.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::Role;
    /// assert!(matches!(Role::sks("laege"), Role::Code { .. }));
    /// ```
    #[must_use]
    pub fn sks(code: &str) -> Self {
        Self::Code {
            system: ROLE_SYSTEM.to_owned(),
            code: code.to_owned(),
        }
    }
}

/// An author: a practitioner (name) in a role, usually at an organization — a PractitionerRole
/// with its Practitioner in the message.
///
/// # Examples
///
/// ```
/// use medcom::messages::{Author, Organization, PersonName, Role};
/// let org = Organization::new("265161000016000", "5790000209354");
/// let a = Author::new(PersonName::new("Burns", &["Michael"]), Role::sks("sygeplejerske"), org);
/// assert_eq!(a.name.to_string(), "Michael Burns");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Author {
    /// The practitioner's name.
    pub name: PersonName,
    /// The role.
    pub role: Role,
    /// The organization the role is at (`PractitionerRole.organization`); MedCom's examples
    /// often leave it out, but a specific sender or recipient needs it.
    pub organization: Option<Organization>,
    /// The practitioner's telephone numbers and e-mail addresses (`Practitioner.telecom`;
    /// HomeCareObservation's performer needs a phone).
    pub telecom: Vec<Telecom>,
}

impl Author {
    /// An author at an organization.
    #[must_use]
    pub fn new(name: PersonName, role: Role, organization: Organization) -> Self {
        Self {
            name,
            role,
            organization: Some(organization),
            telecom: Vec::new(),
        }
    }

    /// An author whose organization is not given.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::{Author, PersonName, Role};
    /// let a = Author::without_organization(PersonName::new("Waters", &["Emma"]), Role::sks("laege"));
    /// assert!(a.organization.is_none());
    /// ```
    #[must_use]
    pub fn without_organization(name: PersonName, role: Role) -> Self {
        Self {
            name,
            role,
            organization: None,
            telecom: Vec::new(),
        }
    }

    /// Adds a telephone number or e-mail address of the practitioner.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::{Author, PersonName, Role, Telecom};
    /// let a = Author::without_organization(PersonName::new("Waters", &["Emma"]), Role::sks("laege"))
    ///     .with_telecom(Telecom::phone("44527000"));
    /// assert_eq!(a.telecom.len(), 1);
    /// ```
    #[must_use]
    pub fn with_telecom(mut self, telecom: Telecom) -> Self {
        self.telecom.push(telecom);
        self
    }

    pub(crate) fn check(&self) -> Result<(), BuildError> {
        if self.name.is_empty() {
            return Err(BuildError::Missing {
                what: "practitioner name",
            });
        }
        match &self.role {
            Role::Code { system, code } if system.is_empty() || code.is_empty() => {
                Err(BuildError::Missing {
                    what: "practitioner role code",
                })
            }
            Role::Text(t) if t.trim().is_empty() => Err(BuildError::Missing {
                what: "practitioner role text",
            }),
            _ => self
                .organization
                .as_ref()
                .map_or(Ok(()), Organization::check),
        }
    }
}

/// A care team (MedComCoreCareTeam): a name and the organization managing it.
///
/// # Examples
///
/// ```
/// use medcom::messages::{CareTeam, Organization};
/// let t = CareTeam::new("Team Nord", Organization::sor_only("953741000016009"));
/// assert_eq!(t.name, "Team Nord");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CareTeam {
    /// The team's name.
    pub name: String,
    /// The managing organization.
    pub organization: Organization,
}

impl CareTeam {
    /// A care team.
    #[must_use]
    pub fn new(name: &str, organization: Organization) -> Self {
        Self {
            name: name.to_owned(),
            organization,
        }
    }
}

/// A specific person or team within an organization: a practitioner in a role, or a care team.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Party {
    /// A practitioner in a role.
    Practitioner(Author),
    /// A care team.
    CareTeam(CareTeam),
}

impl Party {
    /// The organization the party belongs to, when known.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::{CareTeam, Organization, Party};
    /// let p = Party::CareTeam(CareTeam::new("Team", Organization::sor_only("95374100001600")));
    /// assert_eq!(p.organization().unwrap().sor, "95374100001600");
    /// ```
    #[must_use]
    pub fn organization(&self) -> Option<&Organization> {
        match self {
            Self::Practitioner(a) => a.organization.as_ref(),
            Self::CareTeam(t) => Some(&t.organization),
        }
    }

    pub(crate) fn check(&self) -> Result<(), BuildError> {
        match self {
            Self::Practitioner(a) => a.check(),
            Self::CareTeam(t) if t.name.trim().is_empty() => Err(BuildError::Missing {
                what: "care team name",
            }),
            Self::CareTeam(t) => t.organization.check(),
        }
    }
}
