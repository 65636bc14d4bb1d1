//! Messages and helpers shared by the exchange tests.
#![allow(dead_code, unreachable_pub)]

use medcom::exchange::ack;

/// A small CareCommunication-shaped message (JSON), ids as placeholders `BUNDLE` and `HEADER`.
pub const FHIR_JSON: &str = r#"{"resourceType":"Bundle","id":"BUNDLE","type":"message","timestamp":"2024-05-01T10:00:00+02:00","entry":[
{"fullUrl":"https://medcomfhir.dk/ig/carecommunication/MessageHeader/HEADER","resource":{"resourceType":"MessageHeader","id":"HEADER",
 "eventCoding":{"system":"http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messaging-eventCodes","code":"care-communication-message"},
 "destination":[{"endpoint":"https://sor2.sum.dsdn.dk/#id=265161000016000","receiver":{"reference":"Organization/74cdf292-abf3-4f5f-80ea-60a48013ff6d"}}],
 "sender":{"reference":"Organization/d7056980-a8b2-42aa-8a0e-c1fc85d1f40d"},"source":{"endpoint":"https://sor2.sum.dsdn.dk/#id=953741000016009"},
 "focus":[{"reference":"Communication/2d2a4e2c-4b5f-4f49-8d39-6f5a7e0e3b11"}]}},
{"fullUrl":"https://medcomfhir.dk/ig/carecommunication/Communication/2d2a4e2c-4b5f-4f49-8d39-6f5a7e0e3b11","resource":{"resourceType":"Communication","id":"2d2a4e2c-4b5f-4f49-8d39-6f5a7e0e3b11",
 "status":"unknown","category":[{"coding":[{"system":"http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-careCommunication-categoryCodes","code":"carecoordination"}]}]}},
{"fullUrl":"https://medcomfhir.dk/ig/carecommunication/Patient/733cef33-3626-422b-955d-d506aebf6c6e","resource":{"resourceType":"Patient","id":"733cef33-3626-422b-955d-d506aebf6c6e",
 "identifier":[{"system":"urn:oid:1.2.208.176.1.2","value":"0201919990"}],"name":[{"family":"Test","given":["Bruno"]}]}},
{"fullUrl":"https://medcomfhir.dk/ig/carecommunication/Provenance/4c284936-5454-4116-95fc-3c8eeeed2400","resource":{"resourceType":"Provenance","id":"4c284936-5454-4116-95fc-3c8eeeed2400",
 "target":[{"reference":"MessageHeader/HEADER"}],"occurredDateTime":"2024-05-01T10:00:00+02:00","recorded":"2024-05-01T10:00:00+02:00",
 "activity":{"coding":[{"system":"http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messaging-activityCodes","code":"new-message"}]},
 "agent":[{"who":{"reference":"Organization/d7056980-a8b2-42aa-8a0e-c1fc85d1f40d"}}]}},
{"fullUrl":"https://medcomfhir.dk/ig/carecommunication/Organization/d7056980-a8b2-42aa-8a0e-c1fc85d1f40d","resource":{"resourceType":"Organization","id":"d7056980-a8b2-42aa-8a0e-c1fc85d1f40d",
 "identifier":[{"system":"https://www.gs1.org/gln","value":"5790001348120"},{"system":"urn:oid:1.2.208.176.1.1","value":"953741000016009"}],"name":"Sender"}},
{"fullUrl":"https://medcomfhir.dk/ig/carecommunication/Organization/74cdf292-abf3-4f5f-80ea-60a48013ff6d","resource":{"resourceType":"Organization","id":"74cdf292-abf3-4f5f-80ea-60a48013ff6d",
 "identifier":[{"system":"https://www.gs1.org/gln","value":"5790000209354"},{"system":"urn:oid:1.2.208.176.1.1","value":"265161000016000"}],"name":"Receiver"}}]}"#;

/// A legacy OIOXML message asking for a positive receipt, placeholders `ENVELOPE` and `LETTER`.
pub const OIOXML: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Emessage xmlns="http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2006/07/01/"><Envelope><Sent><Date>2024-05-01</Date><Time>10:00</Time></Sent><Identifier>ENVELOPE</Identifier><AcknowledgementCode>pluspositivkvitt</AcknowledgementCode></Envelope><ClinicalEmail><Letter><Identifier>LETTER</Identifier><VersionCode>XD9134L</VersionCode><StatisticalCode>XDIS91</StatisticalCode><Authorisation><Date>2024-05-01</Date><Time>09:58</Time></Authorisation><TypeCode>XDIS91</TypeCode><StatusCode>nytbrev</StatusCode></Letter><Sender><EANIdentifier>5790000120400</EANIdentifier><Identifier>1</Identifier><IdentifierCode>sygehusafdelingsnummer</IdentifierCode></Sender><Receiver><EANIdentifier>5790000128700</EANIdentifier><Identifier>2</Identifier><IdentifierCode>ydernummer</IdentifierCode></Receiver></ClinicalEmail></Emessage>"#;

/// A legacy EDIFACT interchange asking for a positive receipt (UNB element 9 = 1).
pub const EDIFACT: &str = "UNB+UNOC:3+5790000120420:14+5790000128686:14+990115:1202+ENVELOPE++++1'UNH+LETTER+MEDDIS:D:93A:UN:D0133L+DIS01'UNT+2+LETTER'UNZ+1+ENVELOPE'";

/// A message of a kind with its ids filled in.
pub fn message(kind: &str, envelope: &str, message: &str) -> Vec<u8> {
    let template = match kind {
        "fhir-json" => FHIR_JSON.to_owned(),
        "fhir-xml" => {
            let doc = medcom::json::parse(FHIR_JSON).expect("template");
            medcom::xml::to_string(&doc)
        }
        "oioxml" => OIOXML.to_owned(),
        "edifact" => EDIFACT.to_owned(),
        other => panic!("unknown kind {other}"),
    };
    let (env_key, msg_key) = if kind.starts_with("fhir") {
        ("BUNDLE", "HEADER")
    } else {
        ("ENVELOPE", "LETTER")
    };
    template
        .replace(env_key, envelope)
        .replace(msg_key, message)
        .into_bytes()
}

/// A FHIR document with `Bundle.id` and `Bundle.timestamp` blanked, to compare content.
pub fn content(bytes: &[u8]) -> Vec<u8> {
    ack::reissue(bytes, "x", "2000-01-01T00:00:00Z").expect("reads")
}

/// A PostgreSQL store of its own for one test: the server named by `MEDCOM_TEST_POSTGRES`, in a
/// schema `schema` created empty (dropped first when it exists); `None` (loudly) when unset.
#[cfg(feature = "postgres")]
pub fn postgres_store(schema: &str) -> Option<String> {
    let Some(base) = std::env::var("MEDCOM_TEST_POSTGRES")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        eprintln!("\n*** SKIPPED: MEDCOM_TEST_POSTGRES is not set (run .ci/postgres.sh) ***\n");
        return None;
    };
    let mut client = postgres::Client::connect(&base, postgres::NoTls).expect("connect");
    client
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
        ))
        .expect("schema");
    let sep = if base.contains('?') { '&' } else { '?' };
    Some(format!("{base}{sep}options=-csearch_path%3D{schema}"))
}

/// Without the `postgres` feature there is no PostgreSQL store to test (said loudly).
#[cfg(not(feature = "postgres"))]
pub fn postgres_store(_schema: &str) -> Option<String> {
    eprintln!("\n*** SKIPPED: built without the `postgres` feature (use --all-features) ***\n");
    None
}
