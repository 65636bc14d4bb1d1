//! VANSEnvelope 1.0.4 (`urn:oio:medcom:vans-envelope:1.0.4`): the `Message` form carrying a
//! base64 payload with `MetaInformation` derived from it, and the `Receipt` form
//! (PositiveMessage, NegativeMessage, NegativeVans) answering a message envelope.
//!
//! # Examples
//!
//! ```
//! use medcom::exchange::envelope::vans::{EndPoint, VansEnvelope};
//! let bundle = br#"{"resourceType":"Bundle","id":"b1","type":"message","entry":[{"resource":
//!   {"resourceType":"MessageHeader","id":"m1","eventCoding":{"code":"empty-message"}}}]}"#;
//! let ids = ("0a4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11", "1b4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11");
//! let env = VansEnvelope::wrap(
//!     EndPoint::ean("5790000121526"), EndPoint::ean("5790000201389"),
//!     ids.0, ids.1, "2024-05-01T10:00:00Z", bundle,
//! ).unwrap();
//! let xml = env.to_xml();
//! assert!(xml.contains("<ServiceTag name=\"MCM:MIME\">application/fhir+json</ServiceTag>"));
//! let back = VansEnvelope::read(&xml).unwrap();
//! assert_eq!(back.payload(), Some(&bundle[..]));
//! ```

use super::{child, child_text, required, XmlOut};
use crate::exchange::payload::{Payload, PayloadFormat};
use crate::exchange::{base64, ExchangeError};

/// The VANSEnvelope namespace.
pub const NAMESPACE: &str = "urn:oio:medcom:vans-envelope:1.0.4";

/// `EndPointType`: how an end point is identified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndPointKind {
    /// A GLN (EAN location number).
    Ean,
    /// A CVR number.
    Cvr,
    /// A VANS mailbox id.
    Vans,
}

impl EndPointKind {
    fn code(self) -> &'static str {
        match self {
            Self::Ean => "EAN",
            Self::Cvr => "CVR",
            Self::Vans => "VANS",
        }
    }
}

/// `SenderID` / `ReceiverID`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndPoint {
    /// How the id is to be read.
    pub kind: EndPointKind,
    /// The id (1–18 characters).
    pub id: String,
}

impl EndPoint {
    /// An end point identified by GLN.
    #[must_use]
    pub fn ean(gln: &str) -> Self {
        Self {
            kind: EndPointKind::Ean,
            id: gln.to_owned(),
        }
    }
}

/// `Document/Format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DocumentFormat {
    /// `XML` (OIOXML).
    Xml,
    /// `EDIFACT`.
    Edifact,
    /// `HL7` (every FHIR message).
    Hl7,
    /// `Binary`.
    Binary,
    /// `Other`.
    Other,
}

impl DocumentFormat {
    /// The schema's code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Xml => "XML",
            Self::Edifact => "EDIFACT",
            Self::Hl7 => "HL7",
            Self::Binary => "Binary",
            Self::Other => "Other",
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "XML" => Self::Xml,
            "EDIFACT" => Self::Edifact,
            "HL7" => Self::Hl7,
            "Binary" => Self::Binary,
            "Other" => Self::Other,
            _ => return None,
        })
    }
}

/// `MetaInformation` of a message (also quoted as `OriginalMessage` by receipts).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetaInformation {
    /// `Identifier`: the message identifier the duplicate table keys on (a UUID).
    pub identifier: String,
    /// `Processing`: provider and service identifier.
    pub processing: Option<(String, String)>,
    /// `Document/Format`.
    pub format: DocumentFormat,
    /// `Document/Name`, e.g. `MCM:XDIS91` or `MCM:FDIS91#other`.
    pub name: String,
    /// `Document/Version`.
    pub version: Option<String>,
    /// `Document/SizeInBytes`: the payload's length.
    pub size_in_bytes: u64,
    /// `Transport`, when present.
    pub transport: Option<Transport>,
}

/// `Transport`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transport {
    /// `Type`: `Some(true)` reliable, `Some(false)` unreliable, `None` default (reliable).
    pub reliable: Option<bool>,
    /// `TransformMessage`.
    pub transform_message: bool,
    /// `ServiceTag`s as (name, value), at most five.
    pub service_tags: Vec<(String, String)>,
}

impl MetaInformation {
    /// Metadata derived from a payload: Format, Name and Version from its type, its size, and
    /// the service tags `MCM:MIME` (FHIR) and `MCM:STATISTIC`.
    #[must_use]
    pub fn derive(identifier: &str, payload: &Payload, size: usize) -> Self {
        let format = match payload.format {
            PayloadFormat::Fhir(_) => DocumentFormat::Hl7,
            PayloadFormat::Legacy(crate::legacy::LegacyFormat::Edifact) => DocumentFormat::Edifact,
            PayloadFormat::Legacy(_) => DocumentFormat::Xml,
        };
        let mut tags = Vec::new();
        if payload.format.is_fhir() {
            tags.push(("MCM:MIME".to_owned(), payload.format.mime().to_owned()));
        }
        tags.push(("MCM:STATISTIC".to_owned(), payload.name.clone()));
        Self {
            identifier: identifier.to_owned(),
            processing: None,
            format,
            name: payload.name.clone(),
            version: payload.version.clone(),
            size_in_bytes: size as u64,
            transport: Some(Transport {
                reliable: Some(true),
                transform_message: false,
                service_tags: tags,
            }),
        }
    }

    fn write(&self, out: &mut XmlOut, element: &str) {
        out.open(element, &[]);
        out.leaf("Identifier", &[], &self.identifier);
        if let Some((provider, service)) = &self.processing {
            out.open("Processing", &[]);
            out.leaf("ProviderIdentifier", &[], provider);
            out.leaf("ServiceIdentifier", &[], service);
            out.close("Processing");
        }
        out.open("Document", &[]);
        out.leaf("Format", &[], self.format.code());
        out.leaf("Name", &[], &self.name);
        if let Some(v) = &self.version {
            out.leaf("Version", &[], v);
        }
        out.leaf("SizeInBytes", &[], &self.size_in_bytes.to_string());
        out.close("Document");
        if let Some(t) = &self.transport {
            out.open("Transport", &[]);
            if let Some(r) = t.reliable {
                out.leaf("Type", &[], if r { "reliable" } else { "unreliable" });
            }
            out.leaf(
                "TransformMessage",
                &[],
                if t.transform_message { "true" } else { "false" },
            );
            for (name, value) in t.service_tags.iter().take(5) {
                out.leaf("ServiceTag", &[("name", name)], value);
            }
            out.close("Transport");
        }
        out.close(element);
    }

    fn read(node: roxmltree::Node<'_, '_>) -> Result<Self, ExchangeError> {
        let document = child(node, "Document")
            .ok_or_else(|| ExchangeError::envelope("`MetaInformation` lacks `Document`"))?;
        let format = DocumentFormat::from_code(required(document, "Format")?)
            .ok_or_else(|| ExchangeError::envelope("unknown `Document/Format`"))?;
        let size_in_bytes = required(document, "SizeInBytes")?
            .parse()
            .map_err(|_| ExchangeError::envelope("`SizeInBytes` is no number"))?;
        let processing = child(node, "Processing")
            .map(|p| -> Result<_, ExchangeError> {
                Ok((
                    required(p, "ProviderIdentifier")?.to_owned(),
                    required(p, "ServiceIdentifier")?.to_owned(),
                ))
            })
            .transpose()?;
        let transport = child(node, "Transport").map(|t| Transport {
            reliable: child_text(t, "Type").map(|v| v != "unreliable"),
            transform_message: child_text(t, "TransformMessage")
                .is_some_and(|v| v == "true" || v == "1"),
            service_tags: t
                .children()
                .filter(|c| c.is_element() && c.tag_name().name() == "ServiceTag")
                .map(|c| {
                    (
                        c.attribute("name").unwrap_or("").to_owned(),
                        c.text().unwrap_or("").trim().to_owned(),
                    )
                })
                .collect(),
        });
        Ok(Self {
            identifier: required(node, "Identifier")?.to_owned(),
            processing,
            format,
            name: required(document, "Name")?.to_owned(),
            version: child_text(document, "Version").map(str::to_owned),
            size_in_bytes,
            transport,
        })
    }

    /// The value of a service tag.
    #[must_use]
    pub fn service_tag(&self, name: &str) -> Option<&str> {
        self.transport
            .as_ref()?
            .service_tags
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Which receipt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReceiptKind {
    /// `PositiveMessage`: the message was received.
    PositiveMessage,
    /// `NegativeMessage`: the receiver refuses the message.
    NegativeMessage,
    /// `NegativeVans`: the network refuses the envelope.
    NegativeVans,
}

impl ReceiptKind {
    fn element(self) -> &'static str {
        match self {
            Self::PositiveMessage => "PositiveMessage",
            Self::NegativeMessage => "NegativeMessage",
            Self::NegativeVans => "NegativeVans",
        }
    }
}

/// The `Receipt` form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// Which receipt.
    pub kind: ReceiptKind,
    /// `Error`: optional code and the description (required for negative receipts).
    pub error: Option<(Option<u64>, String)>,
    /// `OriginalEnvelopeIdentifier`.
    pub original_envelope: String,
    /// `OriginalMessage` (required except for `NegativeVans`).
    pub original_message: Option<MetaInformation>,
}

/// The body of an envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Body {
    /// A message with its metadata and the decoded payload.
    Message {
        /// `MetaInformation`.
        meta: MetaInformation,
        /// The payload, decoded from `Data`.
        data: Vec<u8>,
    },
    /// A receipt.
    Receipt(Receipt),
}

/// A VANSEnvelope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VansEnvelope {
    /// `SenderID`.
    pub sender: EndPoint,
    /// `ReceiverID`.
    pub receiver: EndPoint,
    /// `EnvelopeIdentifier` (a UUID, new for every envelope sent, resends included).
    pub envelope_id: String,
    /// `SentDateTime`.
    pub sent: String,
    /// Message or receipt.
    pub body: Body,
}

impl VansEnvelope {
    /// Wraps a payload (FHIR or legacy), deriving `MetaInformation` from it.
    ///
    /// # Errors
    ///
    /// [`ExchangeError`] when the payload is no message this crate reads.
    pub fn wrap(
        sender: EndPoint,
        receiver: EndPoint,
        envelope_id: &str,
        message_id: &str,
        sent: &str,
        payload: &[u8],
    ) -> Result<Self, ExchangeError> {
        let facts = Payload::read(payload).unwrap_or_else(|_| Payload::sketch(payload));
        Ok(Self::wrap_with(
            sender,
            receiver,
            envelope_id,
            sent,
            MetaInformation::derive(message_id, &facts, payload.len()),
            payload,
        ))
    }

    /// Wraps a payload with the given metadata.
    #[must_use]
    pub fn wrap_with(
        sender: EndPoint,
        receiver: EndPoint,
        envelope_id: &str,
        sent: &str,
        meta: MetaInformation,
        payload: &[u8],
    ) -> Self {
        Self {
            sender,
            receiver,
            envelope_id: envelope_id.to_owned(),
            sent: sent.to_owned(),
            body: Body::Message {
                meta,
                data: payload.to_vec(),
            },
        }
    }

    /// The receipt answering this message envelope (sender and receiver swapped); `None` when
    /// this envelope is itself a receipt.
    #[must_use]
    pub fn receipt(
        &self,
        kind: ReceiptKind,
        error: Option<(Option<u64>, String)>,
        envelope_id: &str,
        sent: &str,
    ) -> Option<Self> {
        let Body::Message { meta, .. } = &self.body else {
            return None;
        };
        Some(Self {
            sender: self.receiver.clone(),
            receiver: self.sender.clone(),
            envelope_id: envelope_id.to_owned(),
            sent: sent.to_owned(),
            body: Body::Receipt(Receipt {
                kind,
                error: if kind == ReceiptKind::PositiveMessage {
                    None
                } else {
                    Some(error.unwrap_or((None, "refused".to_owned())))
                },
                original_envelope: self.envelope_id.clone(),
                original_message: Some(meta.clone()),
            }),
        })
    }

    /// The decoded payload of a message envelope.
    #[must_use]
    pub fn payload(&self) -> Option<&[u8]> {
        match &self.body {
            Body::Message { data, .. } => Some(data),
            Body::Receipt(_) => None,
        }
    }

    /// The metadata of a message envelope.
    #[must_use]
    pub fn meta(&self) -> Option<&MetaInformation> {
        match &self.body {
            Body::Message { meta, .. } => Some(meta),
            Body::Receipt(_) => None,
        }
    }

    /// Writes the envelope as XML text.
    #[must_use]
    pub fn to_xml(&self) -> String {
        let mut out = XmlOut::new();
        out.open("VANSEnvelope", &[("xmlns", NAMESPACE)]);
        out.text.push('\n');
        out.leaf(
            "SenderID",
            &[("EndPointType", self.sender.kind.code())],
            &self.sender.id,
        );
        out.leaf(
            "ReceiverID",
            &[("EndPointType", self.receiver.kind.code())],
            &self.receiver.id,
        );
        out.leaf("EnvelopeIdentifier", &[], &self.envelope_id);
        out.leaf("SentDateTime", &[], &self.sent);
        match &self.body {
            Body::Message { meta, data } => {
                out.open("Message", &[]);
                meta.write(&mut out, "MetaInformation");
                out.leaf("Data", &[], &base64::encode(data));
                out.close("Message");
            }
            Body::Receipt(r) => {
                out.open("Receipt", &[]);
                out.open(r.kind.element(), &[]);
                if let Some((code, description)) = &r.error {
                    out.open("Error", &[]);
                    if let Some(c) = code {
                        out.leaf("Code", &[], &c.to_string());
                    }
                    out.leaf("Description", &[], description);
                    out.close("Error");
                }
                out.leaf("OriginalEnvelopeIdentifier", &[], &r.original_envelope);
                if let Some(m) = &r.original_message {
                    m.write(&mut out, "OriginalMessage");
                }
                out.close(r.kind.element());
                out.close("Receipt");
            }
        }
        out.close("VANSEnvelope");
        out.text
    }

    /// Reads a VANSEnvelope from XML text.
    ///
    /// # Errors
    ///
    /// [`ExchangeError`] for malformed XML, another root, missing parts or a `Data` that is not
    /// base64.
    pub fn read(text: &str) -> Result<Self, ExchangeError> {
        let doc = crate::legacy::schema::parse_checked(text)
            .map_err(|e| ExchangeError::envelope(format!("not well-formed XML: {e}")))?;
        Self::from_node(doc.root_element())
    }

    pub(crate) fn from_node(root: roxmltree::Node<'_, '_>) -> Result<Self, ExchangeError> {
        if root.tag_name().name() != "VANSEnvelope"
            || root.tag_name().namespace() != Some(NAMESPACE)
        {
            return Err(ExchangeError::envelope("the root is no VANSEnvelope"));
        }
        let end_point = |name: &'static str| -> Result<EndPoint, ExchangeError> {
            let node = child(root, name)
                .ok_or_else(|| ExchangeError::envelope(format!("`VANSEnvelope` lacks `{name}`")))?;
            let kind = match node.attribute("EndPointType") {
                Some("EAN") => EndPointKind::Ean,
                Some("CVR") => EndPointKind::Cvr,
                Some("VANS") => EndPointKind::Vans,
                _ => return Err(ExchangeError::envelope("unknown `EndPointType`")),
            };
            Ok(EndPoint {
                kind,
                id: node.text().unwrap_or("").trim().to_owned(),
            })
        };
        let body = if let Some(message) = child(root, "Message") {
            let meta = child(message, "MetaInformation")
                .ok_or_else(|| ExchangeError::envelope("`Message` lacks `MetaInformation`"))?;
            let data = base64::decode(required(message, "Data")?)
                .ok_or_else(|| ExchangeError::envelope("`Data` is not base64"))?;
            Body::Message {
                meta: MetaInformation::read(meta)?,
                data,
            }
        } else if let Some(receipt) = child(root, "Receipt") {
            let form = receipt
                .children()
                .find(roxmltree::Node::is_element)
                .ok_or_else(|| ExchangeError::envelope("empty `Receipt`"))?;
            let kind = match form.tag_name().name() {
                "PositiveMessage" => ReceiptKind::PositiveMessage,
                "NegativeMessage" => ReceiptKind::NegativeMessage,
                "NegativeVans" => ReceiptKind::NegativeVans,
                _ => return Err(ExchangeError::envelope("unknown receipt form")),
            };
            let error = child(form, "Error")
                .map(|e| -> Result<_, ExchangeError> {
                    let code = child_text(e, "Code")
                        .map(|c| c.parse().map_err(|_| ExchangeError::envelope("bad `Code`")))
                        .transpose()?;
                    Ok((code, required(e, "Description")?.to_owned()))
                })
                .transpose()?;
            Body::Receipt(Receipt {
                kind,
                error,
                original_envelope: required(form, "OriginalEnvelopeIdentifier")?.to_owned(),
                original_message: child(form, "OriginalMessage")
                    .map(MetaInformation::read)
                    .transpose()?,
            })
        } else {
            return Err(ExchangeError::envelope(
                "`VANSEnvelope` lacks `Message` or `Receipt`",
            ));
        };
        Ok(Self {
            sender: end_point("SenderID")?,
            receiver: end_point("ReceiverID")?,
            envelope_id: required(root, "EnvelopeIdentifier")?.to_owned(),
            sent: required(root, "SentDateTime")?.to_owned(),
            body,
        })
    }
}
