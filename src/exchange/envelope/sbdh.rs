//! The EHMI StandardBusinessDocumentHeader (PEPPOL SBDH 1.2 as constrained by dk-ehmi-sbdh):
//! sender and receiver `0088:<GLN>`, `DocumentIdentification`, `BusinessScope` entries derived
//! from the payload, the `EHMI-ReceiptAcknowledgement` request, and the receipt signal
//! (`ehmisbdh-acknowledgement` carrying an ebBP `ReceiptAcknowledgement`).
//!
//! `BinaryContent` is written in the PEPPOL envelope namespace
//! (`http://peppol.eu/xsd/ticc/envelope/1.0`) as every official sample does; the SBDH XSD
//! declares it in the SBDH namespace, so the schema validator reports it as unexpected (see the
//! exchange tests). It is read in either namespace.
//!
//! # Examples
//!
//! ```
//! use medcom::exchange::envelope::sbdh::Sbdh;
//! let bundle = br#"{"resourceType":"Bundle","id":"b1","type":"message","entry":[{"resource":
//!   {"resourceType":"MessageHeader","id":"m1","eventCoding":{"code":"homecareobservation-message"}}}]}"#;
//! let env = Sbdh::wrap("5790000121526", "5790000201389", "c8792b06-eaa3-48db-a815-3e58b2086ab2",
//!     1_700_000_000, true, bundle).unwrap();
//! assert_eq!(env.scope("MESSAGEIDENTIFIER"), Some("m1"));
//! let back = Sbdh::read(&env.to_xml()).unwrap();
//! assert_eq!(back.payload(), Some(&bundle[..]));
//! assert!(back.requests_receipt());
//! ```

use super::{child, child_text, required, XmlOut};
use crate::exchange::clock::date_time;
use crate::exchange::payload::{Payload, PayloadFormat};
use crate::exchange::{base64, ExchangeError};
use crate::legacy::LegacyFormat;

/// The SBDH namespace.
pub const NAMESPACE: &str = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader";
/// The PEPPOL envelope namespace of `BinaryContent` in the official samples.
pub const BINARY_NAMESPACE: &str = "http://peppol.eu/xsd/ticc/envelope/1.0";
/// The ebBP signals namespace of the receipt.
pub const SIGNALS_NAMESPACE: &str = "http://docs.oasis-open.org/ebxml-bp/ebbp-signals-2.0";
/// `Identifier@Authority` of sender and receiver.
pub const AUTHORITY: &str = "iso6523-actorid-upis";
/// The `Scope/Identifier` of MedCom messaging scopes.
pub const SCOPE_IDENTIFIER: &str = "dk-medcom-messaging";
/// The `Standard` of a receipt signal.
pub const RECEIPT_STANDARD: &str = "ehmisbdh-acknowledgement";
/// The scope type of the receipt request and response.
pub const RECEIPT_SCOPE: &str = "EHMI-ReceiptAcknowledgement";
/// Milliseconds the sender allows for the receipt (the schema fixes `TimeToAcknowledgeReceipt`).
const TIME_TO_ACKNOWLEDGE_MS: i64 = 600_000;

/// `CorrelationInformation` of the receipt scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Correlation {
    /// `RequestingDocumentCreationDateTime`.
    pub requesting_created: String,
    /// `RequestingDocumentInstanceIdentifier`.
    pub requesting_instance: String,
    /// `ExpectedResponseDateTime`.
    pub expected_response: String,
}

/// One `BusinessScope/Scope`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    /// `Type`, e.g. `DOCUMENTID`, `MESSAGEIDENTIFIER`.
    pub kind: String,
    /// `InstanceIdentifier`.
    pub instance_identifier: String,
    /// `Identifier`, usually `dk-medcom-messaging`.
    pub identifier: String,
    /// `CorrelationInformation` (receipt scope).
    pub correlation: Option<Correlation>,
    /// `BusinessService`: the name and `TypeOfServiceTransaction` (receipt scope).
    pub service: Option<(String, String)>,
}

impl Scope {
    /// A plain MedCom messaging scope.
    #[must_use]
    pub fn new(kind: &str, value: &str) -> Self {
        Self {
            kind: kind.to_owned(),
            instance_identifier: value.to_owned(),
            identifier: SCOPE_IDENTIFIER.to_owned(),
            correlation: None,
            service: None,
        }
    }
}

/// `BinaryContent`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BinaryContent {
    /// `@mimeType`.
    pub mime: String,
    /// `@encoding`.
    pub encoding: Option<String>,
    /// The decoded bytes.
    pub data: Vec<u8>,
}

/// A `StandardBusinessDocument`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sbdh {
    /// `Sender/Identifier`, e.g. `0088:5790000121526`.
    pub sender: String,
    /// `Receiver/Identifier`.
    pub receiver: String,
    /// `DocumentIdentification/Standard`, e.g. `homecareobservation-message`.
    pub standard: String,
    /// `TypeVersion`.
    pub type_version: String,
    /// `InstanceIdentifier`: the envelope identifier.
    pub instance_identifier: String,
    /// `Type`, e.g. `Bundle`.
    pub document_type: String,
    /// `MultipleType`.
    pub multiple_type: Option<bool>,
    /// `CreationDateAndTime`.
    pub created: String,
    /// `BusinessScope` entries.
    pub scopes: Vec<Scope>,
    /// The payload.
    pub content: Option<BinaryContent>,
}

fn party(gln: &str) -> String {
    format!("0088:{gln}")
}

impl Sbdh {
    /// Wraps a payload (FHIR or legacy) for `receiver` with scopes derived from it; with
    /// `request_receipt`, adds the `EHMI-ReceiptAcknowledgement` request.
    ///
    /// # Errors
    ///
    /// [`ExchangeError`] when the payload is no message this crate reads.
    pub fn wrap(
        sender_gln: &str,
        receiver_gln: &str,
        instance_identifier: &str,
        created: i64,
        request_receipt: bool,
        payload: &[u8],
    ) -> Result<Self, ExchangeError> {
        let facts = Payload::read(payload).unwrap_or_else(|_| Payload::sketch(payload));
        let version = facts.version.clone().unwrap_or_else(|| "1.0".to_owned());
        let (document_type, document_id) = match facts.format {
            PayloadFormat::Fhir(_) => (
                "Bundle",
                format!(
                    "urn:dk:healthcare:medcom:messaging:fhir:structuredefinition::{e}##urn:dk:medcom:fhir:{e}::{version}",
                    e = facts.event
                ),
            ),
            PayloadFormat::Legacy(LegacyFormat::Edifact) => (
                "Interchange",
                format!(
                    "urn:dk:healthcare:medcom:messaging:edifact::{e}##urn:dk:medcom:edifact:{e}::{version}",
                    e = facts.event
                ),
            ),
            PayloadFormat::Legacy(_) => (
                "Emessage",
                format!(
                    "urn:dk:healthcare:medcom:messaging:oioxml:schema:xsd:Emessage##urn:dk:medcom:oioxml:{e}::{version}",
                    e = facts.event
                ),
            ),
        };
        let created_text = date_time(created);
        let mut scopes = vec![
            Scope::new("DOCUMENTID", &document_id),
            Scope::new("PROCESSID", "urn:ehmi:sdn-emergence"),
        ];
        if let Some(p) = &facts.patient {
            scopes.push(Scope::new("PATIENTID", p));
        }
        if let Some(s) = &facts.sender.sor {
            scopes.push(Scope::new("SENDERID", s));
        }
        if let Some(s) = &facts.receiver.sor {
            scopes.push(Scope::new("RECEIVERID", s));
        }
        for id in &facts.message_ids {
            scopes.push(Scope::new("MESSAGEIDENTIFIER", id));
        }
        scopes.push(Scope::new("MESSAGEENVELOPEIDENTIFIER", &facts.envelope_id));
        scopes.push(Scope::new("StatisticalInformation", &facts.name));
        if request_receipt {
            scopes.push(Scope {
                correlation: Some(Correlation {
                    requesting_created: created_text.clone(),
                    requesting_instance: instance_identifier.to_owned(),
                    expected_response: date_time(created + TIME_TO_ACKNOWLEDGE_MS / 1000),
                }),
                service: Some((
                    "EHMI-ReceiptAcknowledgement-Request".to_owned(),
                    "RequestingServiceTransaction".to_owned(),
                )),
                ..Scope::new(RECEIPT_SCOPE, "Request")
            });
        }
        Ok(Self {
            sender: party(sender_gln),
            receiver: party(receiver_gln),
            standard: facts.event.clone(),
            type_version: version,
            instance_identifier: instance_identifier.to_owned(),
            document_type: document_type.to_owned(),
            multiple_type: Some(false),
            created: created_text,
            scopes,
            content: Some(BinaryContent {
                mime: facts.format.mime().to_owned(),
                encoding: Some("UTF-8".to_owned()),
                data: payload.to_vec(),
            }),
        })
    }

    /// The first scope of a type, its `InstanceIdentifier` trimmed.
    #[must_use]
    pub fn scope(&self, kind: &str) -> Option<&str> {
        self.scopes
            .iter()
            .find(|s| s.kind == kind)
            .map(|s| s.instance_identifier.trim())
    }

    /// Whether the sender asks for an `EHMI-ReceiptAcknowledgement`.
    #[must_use]
    pub fn requests_receipt(&self) -> bool {
        self.scopes
            .iter()
            .any(|s| s.kind == RECEIPT_SCOPE && s.instance_identifier.trim() == "Request")
    }

    /// Whether this document is a receipt signal.
    #[must_use]
    pub fn is_receipt(&self) -> bool {
        self.standard == RECEIPT_STANDARD
    }

    /// The GLN of an `0088:<GLN>` party identifier.
    #[must_use]
    pub fn gln(party: &str) -> &str {
        party.strip_prefix("0088:").unwrap_or(party)
    }

    /// The decoded payload.
    #[must_use]
    pub fn payload(&self) -> Option<&[u8]> {
        self.content.as_ref().map(|c| c.data.as_slice())
    }

    /// The receipt signal answering this document: an `ehmisbdh-acknowledgement` from the
    /// receiver back to the sender with the ORIGINAL* scopes and an ebBP
    /// `ReceiptAcknowledgement`.
    #[must_use]
    pub fn receipt(&self, instance_identifier: &str, message_id: &str, now: i64) -> Self {
        let now_text = date_time(now);
        let original = |kind: &str| self.scope(kind).unwrap_or("").to_owned();
        let request = self
            .scopes
            .iter()
            .find(|s| s.kind == RECEIPT_SCOPE)
            .and_then(|s| s.correlation.clone())
            .unwrap_or_else(|| Correlation {
                requesting_created: self.created.clone(),
                requesting_instance: self.instance_identifier.clone(),
                expected_response: now_text.clone(),
            });
        let mut scopes = vec![
            Scope::new(
                "DOCUMENTID",
                "urn:dk:healthcare:messaging:oasis:ebxml:schema:xsd::ehmisbdh-acknowledgement##urn:dk:ehmi:sbdh:ehmisbdh-acknowledgement::1.0",
            ),
            Scope::new("PROCESSID", "urn:ehmi:sdn-emergence"),
        ];
        if let Some(s) = self.scope("RECEIVERID") {
            scopes.push(Scope::new("SENDERID", s));
        }
        if let Some(s) = self.scope("SENDERID") {
            scopes.push(Scope::new("RECEIVERID", s));
        }
        scopes.extend([
            Scope::new("MESSAGEIDENTIFIER", message_id),
            Scope::new("ORIGINALMESSAGEIDENTIFIER", &original("MESSAGEIDENTIFIER")),
            Scope::new("MESSAGEENVELOPEIDENTIFIER", instance_identifier),
            Scope::new(
                "ORIGINALMESSAGEENVELOPEIDENTIFIER",
                &original("MESSAGEENVELOPEIDENTIFIER"),
            ),
            Scope::new("ORIGINALMESSAGESTANDARD", &self.standard),
            Scope::new("ORIGINALMESSAGEVERSION", &self.type_version),
            Scope::new("ORIGINALENVELOPEIDENTIFIER", &self.instance_identifier),
            Scope::new("StatisticalInformation", RECEIPT_SCOPE),
            Scope {
                correlation: Some(request),
                service: Some((
                    "EHMI-ReceiptAcknowledgement-Response".to_owned(),
                    "RespondingServiceTransaction".to_owned(),
                )),
                ..Scope::new(RECEIPT_SCOPE, "Response")
            },
        ]);
        let mut signal = String::new();
        signal.push_str("<bpssignal:ReceiptAcknowledgement xmlns:bpssignal=\"");
        signal.push_str(SIGNALS_NAMESPACE);
        signal.push_str("\">");
        let mut out = XmlOut { text: signal };
        out.leaf(
            "bpssignal:OriginalMessageIdentifier",
            &[],
            &self.instance_identifier,
        );
        out.leaf(
            "bpssignal:OriginalDocumentIdentifier",
            &[],
            self.scope("DOCUMENTID").unwrap_or(&self.standard),
        );
        out.leaf("bpssignal:OriginalMessageDateTime", &[], &self.created);
        out.leaf("bpssignal:ThisMessageDateTime", &[], &now_text);
        out.leaf(
            "bpssignal:FromPartyInfo",
            &[("type", AUTHORITY)],
            &self.receiver,
        );
        out.leaf(
            "bpssignal:ToPartyInfo",
            &[("type", AUTHORITY)],
            &self.sender,
        );
        out.leaf(
            "bpssignal:CollaborationIdentifier",
            &[],
            &self.instance_identifier,
        );
        out.close("bpssignal:ReceiptAcknowledgement");
        Self {
            sender: self.receiver.clone(),
            receiver: self.sender.clone(),
            standard: RECEIPT_STANDARD.to_owned(),
            type_version: "ebbp-signals-2.0".to_owned(),
            instance_identifier: instance_identifier.to_owned(),
            document_type: "ReceiptAcknowledgement".to_owned(),
            multiple_type: Some(false),
            created: now_text,
            scopes,
            content: Some(BinaryContent {
                mime: "application/xml".to_owned(),
                encoding: Some("UTF-8".to_owned()),
                data: out.text.into_bytes(),
            }),
        }
    }

    /// For a receipt signal: the envelope identifier it answers
    /// (`ORIGINALENVELOPEIDENTIFIER`, else the correlation's requesting instance).
    #[must_use]
    pub fn answers(&self) -> Option<&str> {
        self.scope("ORIGINALENVELOPEIDENTIFIER").or_else(|| {
            self.scopes
                .iter()
                .find_map(|s| s.correlation.as_ref())
                .map(|c| c.requesting_instance.trim())
        })
    }

    /// Writes the document as XML text.
    #[must_use]
    pub fn to_xml(&self) -> String {
        let mut out = XmlOut::new();
        out.open("StandardBusinessDocument", &[("xmlns", NAMESPACE)]);
        out.text.push('\n');
        out.open("StandardBusinessDocumentHeader", &[]);
        out.leaf("HeaderVersion", &[], "1.0");
        for (element, value) in [("Sender", &self.sender), ("Receiver", &self.receiver)] {
            out.open(element, &[]);
            out.leaf("Identifier", &[("Authority", AUTHORITY)], value);
            out.close(element);
        }
        out.open("DocumentIdentification", &[]);
        out.leaf("Standard", &[], &self.standard);
        out.leaf("TypeVersion", &[], &self.type_version);
        out.leaf("InstanceIdentifier", &[], &self.instance_identifier);
        out.leaf("Type", &[], &self.document_type);
        if let Some(m) = self.multiple_type {
            out.leaf("MultipleType", &[], if m { "true" } else { "false" });
        }
        out.leaf("CreationDateAndTime", &[], &self.created);
        out.close("DocumentIdentification");
        out.open("BusinessScope", &[]);
        for s in &self.scopes {
            out.open("Scope", &[]);
            out.leaf("Type", &[], &s.kind);
            out.leaf("InstanceIdentifier", &[], &s.instance_identifier);
            out.leaf("Identifier", &[], &s.identifier);
            if let Some(c) = &s.correlation {
                out.open("CorrelationInformation", &[]);
                out.leaf(
                    "RequestingDocumentCreationDateTime",
                    &[],
                    &c.requesting_created,
                );
                out.leaf(
                    "RequestingDocumentInstanceIdentifier",
                    &[],
                    &c.requesting_instance,
                );
                out.leaf("ExpectedResponseDateTime", &[], &c.expected_response);
                out.close("CorrelationInformation");
            }
            if let Some((name, transaction)) = &s.service {
                out.open("BusinessService", &[]);
                out.leaf("BusinessServiceName", &[], name);
                out.text.push_str("<ServiceTransaction");
                for (k, v) in [
                    ("TypeOfServiceTransaction", transaction.as_str()),
                    ("IsNonRepudiationRequired", "false"),
                    ("IsAuthenticationRequired", "false"),
                    ("IsNonRepudiationOfReceiptRequired", "false"),
                    ("IsIntelligibleCheckRequired", "false"),
                    ("IsApplicationErrorResponseRequested", "false"),
                    ("TimeToAcknowledgeReceipt", "600000"),
                    ("TimeToAcknowledgeAcceptance", "0"),
                    ("TimeToPerform", "0"),
                    ("Recurrence", "0"),
                ] {
                    out.text.push_str(&format!(" {k}=\"{v}\""));
                }
                out.text.push_str("/>\n");
                out.close("BusinessService");
            }
            out.close("Scope");
        }
        out.close("BusinessScope");
        out.close("StandardBusinessDocumentHeader");
        if let Some(c) = &self.content {
            let mut attributes = vec![("xmlns", BINARY_NAMESPACE), ("mimeType", c.mime.as_str())];
            if let Some(e) = &c.encoding {
                attributes.push(("encoding", e));
            }
            out.leaf("BinaryContent", &attributes, &base64::encode(&c.data));
        }
        out.close("StandardBusinessDocument");
        out.text
    }

    /// Reads a document from XML text.
    ///
    /// # Errors
    ///
    /// [`ExchangeError`] for malformed XML, another root, missing parts or content that is not
    /// base64.
    pub fn read(text: &str) -> Result<Self, ExchangeError> {
        let doc = crate::legacy::schema::parse_checked(text)
            .map_err(|e| ExchangeError::envelope(format!("not well-formed XML: {e}")))?;
        Self::from_node(doc.root_element())
    }

    pub(crate) fn from_node(root: roxmltree::Node<'_, '_>) -> Result<Self, ExchangeError> {
        if root.tag_name().name() != "StandardBusinessDocument"
            || root.tag_name().namespace() != Some(NAMESPACE)
        {
            return Err(ExchangeError::envelope(
                "the root is no StandardBusinessDocument",
            ));
        }
        let header = child(root, "StandardBusinessDocumentHeader").ok_or_else(|| {
            ExchangeError::envelope("`StandardBusinessDocument` lacks its header")
        })?;
        let partner = |name: &'static str| -> Result<String, ExchangeError> {
            let p = child(header, name)
                .ok_or_else(|| ExchangeError::envelope(format!("the header lacks `{name}`")))?;
            Ok(required(p, "Identifier")?.to_owned())
        };
        let id = child(header, "DocumentIdentification")
            .ok_or_else(|| ExchangeError::envelope("the header lacks `DocumentIdentification`"))?;
        let scopes = child(header, "BusinessScope")
            .map(|b| {
                b.children()
                    .filter(|c| c.is_element() && c.tag_name().name() == "Scope")
                    .map(|s| -> Result<Scope, ExchangeError> {
                        Ok(Scope {
                            kind: required(s, "Type")?.to_owned(),
                            instance_identifier: required(s, "InstanceIdentifier")?.to_owned(),
                            identifier: child_text(s, "Identifier").unwrap_or("").to_owned(),
                            correlation: child(s, "CorrelationInformation")
                                .map(|c| -> Result<Correlation, ExchangeError> {
                                    Ok(Correlation {
                                        requesting_created: required(
                                            c,
                                            "RequestingDocumentCreationDateTime",
                                        )?
                                        .to_owned(),
                                        requesting_instance: required(
                                            c,
                                            "RequestingDocumentInstanceIdentifier",
                                        )?
                                        .to_owned(),
                                        expected_response: required(c, "ExpectedResponseDateTime")?
                                            .to_owned(),
                                    })
                                })
                                .transpose()?,
                            service: child(s, "BusinessService").map(|b| {
                                (
                                    child_text(b, "BusinessServiceName")
                                        .unwrap_or("")
                                        .to_owned(),
                                    child(b, "ServiceTransaction")
                                        .and_then(|t| t.attribute("TypeOfServiceTransaction"))
                                        .unwrap_or("")
                                        .to_owned(),
                                )
                            }),
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default();
        let content = child(root, "BinaryContent")
            .map(|b| -> Result<BinaryContent, ExchangeError> {
                Ok(BinaryContent {
                    mime: b.attribute("mimeType").unwrap_or("").to_owned(),
                    encoding: b.attribute("encoding").map(str::to_owned),
                    data: base64::decode(b.text().unwrap_or(""))
                        .ok_or_else(|| ExchangeError::envelope("`BinaryContent` is not base64"))?,
                })
            })
            .transpose()?;
        Ok(Self {
            sender: partner("Sender")?,
            receiver: partner("Receiver")?,
            standard: required(id, "Standard")?.to_owned(),
            type_version: required(id, "TypeVersion")?.to_owned(),
            instance_identifier: required(id, "InstanceIdentifier")?.to_owned(),
            document_type: required(id, "Type")?.to_owned(),
            multiple_type: child_text(id, "MultipleType").map(|m| m == "true"),
            created: required(id, "CreationDateAndTime")?.to_owned(),
            scopes,
            content,
        })
    }
}
