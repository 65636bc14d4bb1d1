//! The lexical kinds of the FHIR primitive types: below the element model, so that reader
//! errors can name them.

/// The lexical kind of a FHIR primitive type, as R4 defines it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PrimitiveKind {
    /// `base64Binary`.
    Base64Binary,
    /// `boolean`.
    Boolean,
    /// `canonical`.
    Canonical,
    /// `code`.
    Code,
    /// `date`.
    Date,
    /// `dateTime`.
    DateTime,
    /// `decimal`.
    Decimal,
    /// `id`.
    Id,
    /// `instant`.
    Instant,
    /// `integer`.
    Integer,
    /// `markdown`.
    Markdown,
    /// `oid`.
    Oid,
    /// `positiveInt`.
    PositiveInt,
    /// `string`.
    String,
    /// `time`.
    Time,
    /// `unsignedInt`.
    UnsignedInt,
    /// `uri`.
    Uri,
    /// `url`.
    Url,
    /// `uuid`.
    Uuid,
    /// `xhtml` (the narrative `div`).
    Xhtml,
}

impl PrimitiveKind {
    /// How the value is written in JSON.
    #[must_use]
    pub fn json_form(self) -> JsonForm {
        match self {
            Self::Boolean => JsonForm::Bool,
            Self::Decimal | Self::Integer | Self::PositiveInt | Self::UnsignedInt => {
                JsonForm::Number
            }
            _ => JsonForm::String,
        }
    }
}

/// The JSON token a primitive value is written as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonForm {
    /// `true` or `false`.
    Bool,
    /// A JSON number.
    Number,
    /// A JSON string.
    String,
}
