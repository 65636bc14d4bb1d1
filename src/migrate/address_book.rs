//! The address book: what the FHIR side needs about a party that a legacy letter does not
//! carry. A letter names its sender and receiver by location number (`EANIdentifier`); a FHIR
//! message names an Organization by SOR code and GLN, and leaves names and addresses to the SOR
//! registry. The conversion looks every party up in an [`AddressBook`].
//!
//! [`CsvAddressBook`] reads the CSV form `medcom convert --address-book FILE` takes: a header
//! row naming the columns, `gln` and `sor` required, in any order; optional `name` (the
//! organization's name when a FHIR message names none), `phone` (the telephone number written
//! as the author's contact of a converted letter's text) and `ean` (the location number
//! letters carry when it is not the GLN: a VANS mailbox such as `DKKMDKMDNET`, or a retired
//! number). Other columns are ignored; fields may be quoted (`"a, b"`, `""` for a quote).

use std::collections::HashMap;
use std::fmt;

use crate::dk::gln::Gln;
use crate::dk::sor::Sor;

/// One party of the address book.
///
/// # Examples
///
/// ```
/// use medcom::migrate::Entry;
/// let e = Entry::new("5790000121526", "265161000016000").with_name("Fys-klinikken");
/// assert_eq!(e.ean(), "5790000121526");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Entry {
    /// The GLN the FHIR side writes (13 digits, valid GS1 check digit).
    pub gln: String,
    /// The SOR code.
    pub sor: String,
    /// The organization's name, if known.
    pub name: Option<String>,
    /// A telephone number for the organization, if known.
    pub phone: Option<String>,
    /// The location number letters carry, when it is not the GLN.
    pub ean: Option<String>,
}

impl Entry {
    /// An entry of a GLN and a SOR code.
    #[must_use]
    pub fn new(gln: &str, sor: &str) -> Self {
        Self {
            gln: gln.to_owned(),
            sor: sor.to_owned(),
            name: None,
            phone: None,
            ean: None,
        }
    }

    /// Sets the name.
    #[must_use]
    pub fn with_name(mut self, name: &str) -> Self {
        self.name = Some(name.to_owned());
        self
    }

    /// Sets the telephone number.
    #[must_use]
    pub fn with_phone(mut self, phone: &str) -> Self {
        self.phone = Some(phone.to_owned());
        self
    }

    /// Sets the location number letters carry when it is not the GLN.
    #[must_use]
    pub fn with_ean(mut self, ean: &str) -> Self {
        self.ean = Some(ean.to_owned());
        self
    }

    /// The location number letters carry: `ean` when given, else the GLN.
    #[must_use]
    pub fn ean(&self) -> &str {
        self.ean.as_deref().unwrap_or(&self.gln)
    }
}

/// Looks parties up: by the location number a letter carries, and by the SOR code or GLN a
/// FHIR message carries.
pub trait AddressBook: Send + Sync {
    /// The party a letter names by `EANIdentifier`.
    fn by_location(&self, location: &str) -> Option<Entry>;
    /// The party a FHIR message names by SOR code.
    fn by_sor(&self, sor: &str) -> Option<Entry>;
}

/// An address book in memory, usually read from CSV.
///
/// # Examples
///
/// ```
/// use medcom::migrate::{AddressBook, CsvAddressBook};
/// let book = CsvAddressBook::from_csv("gln,sor,name\n5790000121526,265161000016000,\"Klinik, Store Torv\"\n").unwrap();
/// assert_eq!(book.by_location("5790000121526").unwrap().name.as_deref(), Some("Klinik, Store Torv"));
/// assert_eq!(book.by_sor("265161000016000").unwrap().gln, "5790000121526");
/// assert!(book.by_location("5790000120314").is_none());
/// ```
#[derive(Clone, Debug, Default)]
pub struct CsvAddressBook {
    entries: Vec<Entry>,
    by_location: HashMap<String, usize>,
    by_sor: HashMap<String, usize>,
}

/// Why an address book could not be read: the line (1-based) and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressBookError {
    line: usize,
    message: String,
}

impl AddressBookError {
    fn new(line: usize, message: impl Into<String>) -> Self {
        Self {
            line,
            message: message.into(),
        }
    }

    /// The line (1-based) of the problem.
    #[must_use]
    pub fn line(&self) -> usize {
        self.line
    }
}

impl fmt::Display for AddressBookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "address book line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for AddressBookError {}

/// The most rows an address book holds (the SOR registry has some 40,000 units).
const MAX_ROWS: usize = 1_000_000;

impl CsvAddressBook {
    /// An empty book.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an entry; a later entry for the same location number or SOR code wins.
    ///
    /// # Errors
    ///
    /// When the GLN is not 13 digits with a valid check digit or the SOR code is not a SOR
    /// code (at least 11 digits): the FHIR side could not carry them.
    pub fn insert(&mut self, entry: Entry) -> Result<(), String> {
        if !Gln::parse(&entry.gln).is_ok_and(|g| g.has_valid_check_digit()) {
            return Err(format!(
                "'{}' is not a GLN with a valid check digit",
                entry.gln
            ));
        }
        if Sor::parse(&entry.sor).is_err() {
            return Err(format!("'{}' is not a SOR code", entry.sor));
        }
        let i = self.entries.len();
        self.by_location.insert(entry.ean().to_owned(), i);
        self.by_location.entry(entry.gln.clone()).or_insert(i);
        self.by_sor.insert(entry.sor.clone(), i);
        self.entries.push(entry);
        Ok(())
    }

    /// Reads the CSV form (see the [module documentation](self)).
    ///
    /// # Errors
    ///
    /// An [`AddressBookError`] naming the line: no header, a header without `gln` or `sor`,
    /// an unterminated quote, a GLN or SOR code the FHIR side cannot carry, too many rows.
    pub fn from_csv(text: &str) -> Result<Self, AddressBookError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut rows = records(text);
        let (line, header) = rows
            .next()
            .ok_or_else(|| AddressBookError::new(1, "no header row"))??;
        let column = |name: &str| {
            header
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
        };
        let gln = column("gln").ok_or_else(|| AddressBookError::new(line, "no 'gln' column"))?;
        let sor = column("sor").ok_or_else(|| AddressBookError::new(line, "no 'sor' column"))?;
        let (name, phone, ean) = (column("name"), column("phone"), column("ean"));
        let mut book = Self::new();
        for row in rows {
            let (line, fields) = row?;
            if fields.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            if book.entries.len() >= MAX_ROWS {
                return Err(AddressBookError::new(line, "more than 1,000,000 rows"));
            }
            let get = |i: Option<usize>| {
                i.and_then(|i| fields.get(i))
                    .map(|f| f.trim())
                    .filter(|f| !f.is_empty())
            };
            let mut entry = Entry::new(
                get(Some(gln)).unwrap_or_default(),
                get(Some(sor)).unwrap_or_default(),
            );
            entry.name = get(name).map(str::to_owned);
            entry.phone = get(phone).map(str::to_owned);
            entry.ean = get(ean).map(str::to_owned);
            book.insert(entry)
                .map_err(|m| AddressBookError::new(line, m))?;
        }
        Ok(book)
    }

    /// The entries, in the order read.
    #[must_use]
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }
}

impl AddressBook for CsvAddressBook {
    fn by_location(&self, location: &str) -> Option<Entry> {
        self.by_location
            .get(location)
            .map(|&i| self.entries[i].clone())
    }

    fn by_sor(&self, sor: &str) -> Option<Entry> {
        self.by_sor.get(sor).map(|&i| self.entries[i].clone())
    }
}

type Record = Result<(usize, Vec<String>), AddressBookError>;

/// CSV records with the line each starts on (RFC 4180: `,` separates, `"` quotes, `""` is a
/// quote inside quotes, CRLF or LF ends a record).
fn records(text: &str) -> impl Iterator<Item = Record> + '_ {
    let mut chars = text.chars().peekable();
    let mut line = 1usize;
    std::iter::from_fn(move || {
        chars.peek()?;
        let start = line;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        loop {
            match chars.next() {
                None if quoted => {
                    return Some(Err(AddressBookError::new(start, "unterminated quote")));
                }
                None => break,
                Some('"') if quoted => {
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        field.push('"');
                    } else {
                        quoted = false;
                    }
                }
                Some('"') if field.trim().is_empty() => {
                    field.clear();
                    quoted = true;
                }
                Some(c) if quoted => {
                    if c == '\n' {
                        line += 1;
                    }
                    field.push(c);
                }
                Some(',') => fields.push(std::mem::take(&mut field)),
                Some('\r') if chars.peek() == Some(&'\n') => {}
                Some('\n') => {
                    line += 1;
                    break;
                }
                Some(c) => field.push(c),
            }
        }
        fields.push(field);
        Some(Ok((start, fields)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_columns_in_any_order_and_quoted_fields() {
        let book = CsvAddressBook::from_csv(
            "sor;x,name,gln,ean,phone\r\n\"265161000016000\",\"A \"\"B\"\"\",5790000121526,DKKMDKMDNET,38683868\r\n",
        );
        // `sor;x` is no `sor` column.
        assert_eq!(book.unwrap_err().line(), 1);
        let book = CsvAddressBook::from_csv(
            "sor,name,gln,ean,phone\r\n\"265161000016000\",\"A \"\"B\"\"\",5790000121526,DKKMDKMDNET,38683868\r\n\n",
        )
        .unwrap();
        let e = book.by_location("DKKMDKMDNET").unwrap();
        assert_eq!(e.name.as_deref(), Some("A \"B\""));
        assert_eq!(e.phone.as_deref(), Some("38683868"));
        assert_eq!(
            book.by_location("5790000121526").unwrap().sor,
            "265161000016000"
        );
    }

    #[test]
    fn refuses_what_fhir_cannot_carry() {
        let err =
            CsvAddressBook::from_csv("gln,sor\n5790000121526,1\n5790000120400,265161000016000\n")
                .unwrap_err();
        assert_eq!(err.line(), 2);
        let err = CsvAddressBook::from_csv("gln,sor\n5790000120400,265161000016000\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "address book line 2: '5790000120400' is not a GLN with a valid check digit"
        );
        assert!(CsvAddressBook::from_csv("gln,sor\n\"579").is_err());
        assert!(CsvAddressBook::from_csv("").is_err());
    }
}
