//! Legacy MedCom messages: OIOXML (`Emessage` envelopes and their letters) and their
//! schemas.
//!
//! [`schema`] validates OIOXML, VANSEnvelope and EHMI SBDH documents against the project's own
//! compiled rules (imported from the official XSDs), plus the Danish identifier checks.

pub mod schema;
