//! Danish municipality codes (kommunekoder): the 98 municipalities and Christiansø (0411).
//!
//! DK Core writes them zero-padded to four digits (`0101`); OIOXML letters carry three (`101`).
//! Both forms are accepted. Greenland's codes (0955–0960) are a code system of their own and are
//! not included.

use crate::finding::{Finding, Severity};

/// Code and Danish name of every municipality, sorted by code.
const MUNICIPALITIES: [(u16, &str); 99] = [
    (101, "København"),
    (147, "Frederiksberg"),
    (151, "Ballerup"),
    (153, "Brøndby"),
    (155, "Dragør"),
    (157, "Gentofte"),
    (159, "Gladsaxe"),
    (161, "Glostrup"),
    (163, "Herlev"),
    (165, "Albertslund"),
    (167, "Hvidovre"),
    (169, "Høje-Taastrup"),
    (173, "Lyngby-Taarbæk"),
    (175, "Rødovre"),
    (183, "Ishøj"),
    (185, "Tårnby"),
    (187, "Vallensbæk"),
    (190, "Furesø"),
    (201, "Allerød"),
    (210, "Fredensborg"),
    (217, "Helsingør"),
    (219, "Hillerød"),
    (223, "Hørsholm"),
    (230, "Rudersdal"),
    (240, "Egedal"),
    (250, "Frederikssund"),
    (253, "Greve"),
    (259, "Køge"),
    (260, "Halsnæs"),
    (265, "Roskilde"),
    (269, "Solrød"),
    (270, "Gribskov"),
    (306, "Odsherred"),
    (316, "Holbæk"),
    (320, "Faxe"),
    (326, "Kalundborg"),
    (329, "Ringsted"),
    (330, "Slagelse"),
    (336, "Stevns"),
    (340, "Sorø"),
    (350, "Lejre"),
    (360, "Lolland"),
    (370, "Næstved"),
    (376, "Guldborgsund"),
    (390, "Vordingborg"),
    (400, "Bornholm"),
    (410, "Middelfart"),
    (411, "Christiansø"),
    (420, "Assens"),
    (430, "Faaborg-Midtfyn"),
    (440, "Kerteminde"),
    (450, "Nyborg"),
    (461, "Odense"),
    (479, "Svendborg"),
    (480, "Nordfyns"),
    (482, "Langeland"),
    (492, "Ærø"),
    (510, "Haderslev"),
    (530, "Billund"),
    (540, "Sønderborg"),
    (550, "Tønder"),
    (561, "Esbjerg"),
    (563, "Fanø"),
    (573, "Varde"),
    (575, "Vejen"),
    (580, "Aabenraa"),
    (607, "Fredericia"),
    (615, "Horsens"),
    (621, "Kolding"),
    (630, "Vejle"),
    (657, "Herning"),
    (661, "Holstebro"),
    (665, "Lemvig"),
    (671, "Struer"),
    (706, "Syddjurs"),
    (707, "Norddjurs"),
    (710, "Favrskov"),
    (727, "Odder"),
    (730, "Randers"),
    (740, "Silkeborg"),
    (741, "Samsø"),
    (746, "Skanderborg"),
    (751, "Aarhus"),
    (756, "Ikast-Brande"),
    (760, "Ringkøbing-Skjern"),
    (766, "Hedensted"),
    (773, "Morsø"),
    (779, "Skive"),
    (787, "Thisted"),
    (791, "Viborg"),
    (810, "Brønderslev"),
    (813, "Frederikshavn"),
    (820, "Vesthimmerland"),
    (825, "Læsø"),
    (840, "Rebild"),
    (846, "Mariagerfjord"),
    (849, "Jammerbugt"),
    (851, "Aalborg"),
    (860, "Hjørring"),
];

/// A municipality.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Municipality {
    /// The code as a number, e.g. 101.
    pub code: u16,
    /// The Danish name, e.g. `København`.
    pub name: &'static str,
}

impl Municipality {
    /// The code zero-padded to four digits, as DK Core writes it.
    ///
    /// # Examples
    ///
    /// ```
    /// let m = medcom::dk::municipality::lookup("461").unwrap();
    /// assert_eq!((m.code4(), m.name), ("0461".to_owned(), "Odense"));
    /// ```
    #[must_use]
    pub fn code4(&self) -> String {
        format!("{:04}", self.code)
    }

    /// The code in three digits, as OIOXML letters write it.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(medcom::dk::municipality::lookup("0101").unwrap().code3(), "101");
    /// ```
    #[must_use]
    pub fn code3(&self) -> String {
        format!("{:03}", self.code)
    }
}

/// Finds a municipality by its 4-digit (`0101`) or 3-digit (`101`) code.
///
/// # Examples
///
/// ```
/// use medcom::dk::municipality::lookup;
/// assert_eq!(lookup("0411").unwrap().name, "Christiansø");
/// assert!(lookup("999").is_none());
/// assert!(lookup("101 ").is_none());
/// ```
#[must_use]
pub fn lookup(code: &str) -> Option<Municipality> {
    if !(3..=4).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number: u16 = code.parse().ok()?;
    let i = MUNICIPALITIES.binary_search_by_key(&number, |m| m.0).ok()?;
    let (code, name) = MUNICIPALITIES[i];
    Some(Municipality { code, name })
}

/// Every municipality, by code.
///
/// # Examples
///
/// ```
/// assert_eq!(medcom::dk::municipality::all().count(), 99);
/// ```
pub fn all() -> impl Iterator<Item = Municipality> {
    MUNICIPALITIES
        .iter()
        .map(|&(code, name)| Municipality { code, name })
}

/// Reports `dk-municipality-unknown` (warning: older letters may carry codes from before the 2007
/// reform) at `location` unless `value` is a known code.
///
/// # Examples
///
/// ```
/// assert!(medcom::dk::municipality::findings("0751", "x").is_empty());
/// assert_eq!(medcom::dk::municipality::findings("0752", "x")[0].code(), "dk-municipality-unknown");
/// ```
#[must_use]
pub fn findings(value: &str, location: &str) -> Vec<Finding> {
    if lookup(value).is_some() {
        return Vec::new();
    }
    vec![Finding::new(
        "dk-municipality-unknown",
        Severity::Warning,
        location,
        "not a current Danish municipality code",
    )
    .with_rule("municipality")
    .with_value(value)]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// code, expected name.
    #[rustfmt::skip]
    const CASES: &[(&str, Option<&str>)] = &[
        ("0101", Some("København")),
        ("101", Some("København")),
        ("0411", Some("Christiansø")),
        ("0860", Some("Hjørring")),
        ("860", Some("Hjørring")),
        ("0955", None), // Greenland
        ("0000", None),
        ("01010", None),
        ("10", None),
        ("-101", None),
        ("", None),
    ];

    #[test]
    fn cases() {
        for &(code, name) in CASES {
            assert_eq!(lookup(code).map(|m| m.name), name, "{code}");
        }
    }

    #[test]
    fn table_is_sorted_and_complete() {
        assert!(MUNICIPALITIES.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(MUNICIPALITIES.len(), 99);
    }
}
