//! What a request's body is (by `Content-Type`, else by content) and in which format the answer
//! goes (`_format`, else `Accept`); answers as OperationOutcomes.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::error::Position;
use crate::finding::{Finding, Severity};
use crate::input::Kind;
use crate::validate::Report;

/// What the `Content-Type` says the body is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Declared {
    /// Nothing specific: decided by content (absent, `application/octet-stream`, `text/plain`).
    Sniff,
    /// FHIR JSON.
    Json,
    /// XML: FHIR, OIOXML or an envelope.
    Xml,
    /// An EDIFACT interchange.
    Edifact,
}

/// The body's declared type, or the `Content-Type` that cannot be read (415).
pub(crate) fn declared(headers: &HeaderMap) -> Result<Declared, String> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Ok(Declared::Sniff);
    };
    let text = value.to_str().map_err(|_| "(not ASCII)".to_owned())?;
    let mut parts = text.split(';');
    let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let declared = match essence.as_str() {
        "" | "application/octet-stream" | "text/plain" => Declared::Sniff,
        "application/fhir+json" | "application/json" | "application/json+fhir" => Declared::Json,
        "application/fhir+xml" | "application/xml" | "text/xml" | "application/xml+fhir" => {
            Declared::Xml
        }
        "application/edifact" => Declared::Edifact,
        _ => return Err(text.to_owned()),
    };
    // FHIR JSON is UTF-8 only; XML names its own encoding in its declaration.
    for parameter in parts {
        let Some((name, value)) = parameter.split_once('=') else {
            continue;
        };
        if !name.trim().eq_ignore_ascii_case("charset") {
            continue;
        }
        let charset = value.trim().trim_matches('"').to_ascii_lowercase();
        let readable = matches!(charset.as_str(), "utf-8" | "utf8" | "us-ascii")
            || (charset == "iso-8859-1"
                && matches!(
                    declared,
                    Declared::Xml | Declared::Sniff | Declared::Edifact
                ));
        if !readable {
            return Err(text.to_owned());
        }
    }
    Ok(declared)
}

/// A read-error finding when the content is not what the `Content-Type` says, at the first
/// byte of content.
pub(crate) fn mismatch(declared: Declared, body: &[u8]) -> Option<Finding> {
    let kind = Kind::detect(body);
    let (code, what) = match declared {
        Declared::Sniff => return None,
        Declared::Json if kind == Kind::FhirJson => return None,
        Declared::Json => ("fhir-read", "FHIR JSON"),
        Declared::Xml if matches!(kind, Kind::FhirXml | Kind::Oioxml | Kind::Vans | Kind::Sbdh) => {
            return None
        }
        Declared::Xml => ("fhir-read", "XML"),
        Declared::Edifact if kind == Kind::Edifact => return None,
        Declared::Edifact => ("legacy-read", "an EDIFACT interchange"),
    };
    Some(
        Finding::new(
            code,
            Severity::Error,
            "",
            format!("the body is not {what}, as its Content-Type says"),
        )
        .with_position(content_start(body)),
    )
}

/// Where the content starts: after a byte order mark and whitespace.
fn content_start(body: &[u8]) -> Position {
    let bom = if body.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let blank = body[bom..]
        .iter()
        .take_while(|b| b.is_ascii_whitespace())
        .count();
    let prefix = std::str::from_utf8(&body[bom..bom + blank]).unwrap_or("");
    let mut p = Position::from_offset(prefix, prefix.len());
    p.byte += bom;
    p
}

/// The answer's format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Answer {
    /// FHIR JSON (the default).
    Json,
    /// FHIR XML.
    Xml,
}

impl Answer {
    /// `_format` when given (`json`, `xml` or a media type), else the first JSON or XML type
    /// in `Accept`; JSON when neither says.
    pub(crate) fn of(headers: &HeaderMap, format: Option<&str>) -> Result<Self, String> {
        if let Some(format) = format {
            return match Self::media(format) {
                Some(answer) => Ok(answer),
                None => Err(format!("_format={format} is neither json nor xml")),
            };
        }
        let accept = headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        for range in accept.split(',') {
            let mut parts = range.split(';');
            let media = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    == Some(0.0)
            });
            if refused {
                continue;
            }
            if let Some(answer) = Self::media(media) {
                return Ok(answer);
            }
        }
        Ok(Self::Json)
    }

    fn media(media: &str) -> Option<Self> {
        let media = media.trim().to_ascii_lowercase();
        match media.as_str() {
            "json" | "application/fhir+json" | "application/json" | "application/json+fhir" => {
                Some(Self::Json)
            }
            "xml"
            | "application/fhir+xml"
            | "application/xml"
            | "text/xml"
            | "application/xml+fhir" => Some(Self::Xml),
            _ => None,
        }
    }

    /// The `Content-Type` of an answer in this format.
    pub(crate) fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/fhir+json; charset=utf-8",
            Self::Xml => "application/fhir+xml; charset=utf-8",
        }
    }
}

/// A report as an OperationOutcome response.
pub(crate) fn outcome(status: StatusCode, report: &Report, answer: Answer) -> Response {
    let doc = report.to_operation_outcome();
    let body = match answer {
        Answer::Json => crate::json::to_string(&doc),
        Answer::Xml => crate::xml::to_string(&doc),
    };
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(answer.content_type()),
        )],
        body,
    )
        .into_response()
}

/// A request the service refuses, as an OperationOutcome with one error issue.
pub(crate) fn problem(
    status: StatusCode,
    code: &'static str,
    message: impl Into<String>,
    answer: Answer,
) -> Response {
    let report = Report::new(
        vec![Finding::new(code, Severity::Error, "", message)],
        false,
    );
    outcome(status, &report, answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(name: header::HeaderName, value: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, HeaderValue::from_static(value));
        h
    }

    #[test]
    fn content_types() {
        let ct = |v| declared(&with(header::CONTENT_TYPE, v));
        assert_eq!(declared(&HeaderMap::new()), Ok(Declared::Sniff));
        assert_eq!(
            ct("application/fhir+json; charset=UTF-8"),
            Ok(Declared::Json)
        );
        assert_eq!(ct("text/xml;charset=iso-8859-1"), Ok(Declared::Xml));
        assert_eq!(ct("application/EDIFACT"), Ok(Declared::Edifact));
        assert!(ct("application/json; charset=utf-16").is_err());
        assert!(ct("image/png").is_err());
        assert!(ct("multipart/form-data; boundary=x").is_err());
    }

    #[test]
    fn answers() {
        let accept = |v| Answer::of(&with(header::ACCEPT, v), None);
        assert_eq!(accept("application/fhir+xml"), Ok(Answer::Xml));
        assert_eq!(accept("text/html, application/xml;q=0.9"), Ok(Answer::Xml));
        assert_eq!(accept("application/xml;q=0, */*"), Ok(Answer::Json));
        assert_eq!(accept("*/*"), Ok(Answer::Json));
        assert_eq!(Answer::of(&HeaderMap::new(), Some("xml")), Ok(Answer::Xml));
        assert!(Answer::of(&HeaderMap::new(), Some("ttl")).is_err());
    }

    #[test]
    fn mismatches_point_at_the_content() {
        let f = mismatch(Declared::Json, b"\n  <Bundle/>").unwrap();
        assert_eq!(f.code(), "fhir-read");
        let p = f.position().unwrap();
        assert_eq!((p.line, p.column, p.byte), (2, 3, 3));
        assert!(mismatch(Declared::Xml, b"<Emessage/>").is_none());
        assert!(mismatch(Declared::Sniff, b"anything").is_none());
        assert_eq!(
            mismatch(Declared::Edifact, b"{}").unwrap().code(),
            "legacy-read"
        );
    }
}
