//! Value lists between EDIFACT qualifiers and OIOXML codes (MedCom's converter tables).

use crate::legacy::{LegacyError, LegacyErrorKind};

/// A two-way value list: (EDIFACT, OIOXML).
pub(crate) type Table = &'static [(&'static str, &'static str)];

/// EDIFACT value → OIOXML code.
pub(crate) fn to_xml(
    table: Table,
    field: &'static str,
    edi: &str,
) -> Result<&'static str, LegacyError> {
    table
        .iter()
        .find(|(e, _)| *e == edi)
        .map(|(_, x)| *x)
        .ok_or_else(|| unknown(field, edi))
}

/// OIOXML code → EDIFACT value.
pub(crate) fn to_edi(
    table: Table,
    field: &'static str,
    xml: &str,
) -> Result<&'static str, LegacyError> {
    table
        .iter()
        .find(|(_, x)| *x == xml)
        .map(|(e, _)| *e)
        .ok_or_else(|| unknown(field, xml))
}

fn unknown(field: &'static str, code: &str) -> LegacyError {
    LegacyError::new(LegacyErrorKind::UnknownCode {
        field,
        code: code.chars().take(40).collect(),
    })
}

/// NAD identifier qualifier (NAD 2:2) → `IdentifierCode`; the agency (NAD 2:3) follows from it.
pub(crate) const IDENTIFIER_CODE: Table = &[
    ("SKS", "sygehusafdelingsnummer"),
    ("YNR", "ydernummer"),
    ("", "lokationsnummer"),
    ("EAN", "lokationsnummer"),
    ("KOM", "kommunenummer"),
    ("SOR", "sorkode"),
];

/// `IdentifierCode` → NAD code list agency (NAD 2:3).
pub(crate) const IDENTIFIER_AGENCY: Table = &[
    ("SST", "sygehusafdelingsnummer"),
    ("SFU", "ydernummer"),
    ("9", "lokationsnummer"),
    ("IM", "kommunenummer"),
    ("SST", "sorkode"),
];

/// GIS status → `StatusCode`.
pub(crate) const STATUS: Table = &[("N", "nytbrev"), ("M", "rettetbrev")];

/// PAS → `EpisodeOfCareStatusCode`.
pub(crate) const EPISODE_STATUS: Table = &[
    ("POT", "inaktiv"),
    ("HS", "indlagt"),
    ("HA", "ambulant"),
    ("DA", "doed"),
    ("REQ", "ambulant_roentgen"),
];

/// REL 2:1 → `RelationCode`.
pub(crate) const RELATION: Table = &[
    ("GU", "uspec_paaroerende"),
    ("MO", "mor"),
    ("FA", "far"),
    ("SD", "barn"),
];

/// CIN 2:2 → `DiagnoseTypeCode`.
pub(crate) const DIAGNOSE_TYPE: Table = &[
    ("SKS", "SKSdiagnosekode"),
    ("USP", "uspecificeretkode"),
    ("ICP", "ICPCkode"),
];

/// CIN 1:1 → `DiagnoseDescriptionCode`.
pub(crate) const DIAGNOSE_DESCRIPTION: Table = &[
    ("DI", "uspec_diagnose"),
    ("H", "henv_diagnose"),
    ("B", "bidiagnose"),
    ("DM", "tillaegsdiagnose"),
    ("A", "aktionsdiagnose"),
    ("G", "grundmorbus"),
    ("M", "midlertidig_diagnose"),
    ("S", "forloebsdiagnose"),
    ("TR", "operation"),
    ("IN", "roentgenundersoegelse"),
];

/// FTX qualifier of a receipt → `RefuseCode`.
pub(crate) const REFUSE: Table = &[
    ("NC", "ikke_specificeret"),
    ("LOK", "ukendt_lokationsnummer"),
    ("MID", "problem_med_modtagerID"),
    ("VER", "problem_med_version"),
    ("SYN", "syntaksfejl"),
];

/// RFF qualifier in S02 of DIS91 → `Priority`.
pub(crate) const PRIORITY: Table = &[("HI", "høj_prioritet"), ("NO", "rutine")];

/// Message version prefix → UNH message type.
pub(crate) const MESSAGE_TYPE: Table = &[
    ("MEDDIS", "D"),
    ("MEDREF", "H"),
    ("MEDREQ", "Q"),
    ("MEDRPT", "R"),
    ("MEDBIN", "B"),
    ("CONTRL", "C"),
];

/// SPR AFSSPEC (SPR 2:1) → `MedicalSpecialityCode`.
pub(crate) const SPECIALITY: Table = &[
    ("99", "ikkeklassificeret"),
    ("1", "intern_medicin_sygehus"),
    ("2", "geriatri"),
    ("3", "hepatologi"),
    ("4", "haematologi"),
    ("5", "infektionsmedicin"),
    ("6", "kardiologi"),
    ("7", "med_allergologi"),
    ("8", "med_endokrinologi"),
    ("9", "med_gastroenterologi"),
    ("10", "med_lungesygdomme"),
    ("11", "nefrologi"),
    ("12", "reumatologi"),
    ("18", "dermato_venerologi_sygehus"),
    ("20", "neurologi"),
    ("22", "onkologi"),
    ("30", "kirurgi_sygehus"),
    ("31", "karkirurgi"),
    ("32", "kir_gastroenterologi"),
    ("33", "plastikkirurgi"),
    ("34", "thoraxkirurgi"),
    ("35", "urologi"),
    ("38", "gynaekologi_obstetrik_sygehus"),
    ("40", "neurokirurgi"),
    ("42", "ortopaedisk_kirurgi_sygehus"),
    ("44", "oftalmologi"),
    ("46", "oto_rhino_laryngologi"),
    ("48", "hospitalsodontologi"),
    ("50", "psykiatri_sygehus"),
    ("52", "boerne_ungdomspsykiatri"),
    ("60", "klin_biokemi"),
    ("61", "klin_fys_nuklearmedicin"),
    ("62", "klin_immunologi"),
    ("63", "klin_mikrobiologi"),
    ("64", "klin_neurofysiologi"),
    ("65", "patologisk_anatomi"),
    ("66", "diagnostisk_radiologi"),
    ("67", "klin_farmakologi"),
    ("68", "klin_genetik"),
    ("80", "paediatri_sygehus"),
    ("84", "anaestesiologi_sygehus"),
    ("86", "arbejdsmedicin"),
    ("90", "almen_medicin"),
    ("91", "samfundsmedicin"),
    ("580", "almenlaege_laegevagt"),
    ("1519", "oejenlaege"),
    ("2021", "oere_naese_halslaege"),
    ("2501", "anaestesiologi_praksis"),
    ("2503", "roentgen_kbh"),
    ("2504", "dermato_venerologi_praksis"),
    ("2505", "roentgen"),
    ("2506", "reumatologi_fysiurgi"),
    ("2507", "gynaekologi_obstetrik_praksis"),
    ("2508", "intern_medicin_praksis"),
    ("2509", "kirurgi_praksis"),
    ("2511", "klinisk_kemi"),
    ("2518", "neuromedicin"),
    ("2520", "ortopaedisk_kirurgi_praksis"),
    ("2522", "patologi "),
    ("2523", "plastkirurgi"),
    ("2524", "psykiatri_praksis"),
    ("2525", "paediatri"),
    ("2526", "boernepsykiatri"),
    ("2528", "tropemedicin"),
    ("4050", "tandlaege"),
    ("4551", "fysioterapi"),
    ("5053", "kiropraktor"),
    ("5552", "briller"),
    ("6054", "fodterapi"),
    ("6055", "fodbehandlking"),
    ("7045", "med_laboratorier"),
    ("7046", "omegnslaboratorier"),
    ("9463", "psykolog"),
];
