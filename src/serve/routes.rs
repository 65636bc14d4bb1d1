//! The routes: `$validate` (and per type), `$convert`, `$ack`, the page, health and metrics,
//! with the limits of [`Settings`] and the counters of [`Metrics`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::metrics::{self, Metrics};
use super::negotiate::{self, Answer, Declared};
use super::{page, Settings};
use crate::convert::{
    AckOptions, ConvertError, ConvertErrorKind, ConvertOptions, Converted, Target,
};
use crate::exchange::ReceivePolicy;
use crate::finding::{Finding, Severity};
use crate::input::Kind;
use crate::legacy::LegacyFormat;
use crate::messages::{ResponseCode, DEFAULT_MAX_ACK_ISSUES};
use crate::validate::Report;
use crate::{Format, Validator};

/// Bodies up to this size are worked on in the connection's own task; larger ones on the
/// blocking pool, so that one large message does not hold up the other connections of a
/// worker thread.
const INLINE_BODY: usize = 256 << 10;

/// What every request shares.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) metrics: Metrics,
    settings: Settings,
    requests: Arc<Semaphore>,
    draining: AtomicBool,
    validator: Validator,
}

impl App {
    pub(crate) fn new(settings: &Settings) -> Self {
        let validator = Validator::new();
        // The profile rules load on first use; load them now, beside the first requests.
        let warm = validator.clone();
        std::thread::spawn(move || warm.warm_up(1));
        Self {
            metrics: Metrics::default(),
            settings: settings.clone(),
            requests: Arc::new(Semaphore::new(settings.max_requests)),
            draining: AtomicBool::new(false),
            validator,
        }
    }

    /// From now on `/health` says the service is stopping.
    pub(crate) fn draining(&self) {
        self.draining.store(true, Ordering::Relaxed);
    }
}

pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(page::page))
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .route("/$validate", post(validate))
        .route("/{resource_type}/$validate", post(validate_typed))
        .route("/$convert", post(convert))
        .route("/$ack", post(ack))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(Arc::clone(&app), observe))
        .with_state(app)
}

/// Counts and times every request, logs it when asked (never its body, query or an unknown
/// path), and answers 408 when a `POST` is not done within the request timeout.
async fn observe(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let route = metrics::route(request.uri().path());
    let method = request.method().clone();
    let length = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let answer = Answer::of(request.headers(), None).unwrap_or(Answer::Json);
    let start = Instant::now();
    app.metrics.started();
    let response = if method == Method::POST {
        match tokio::time::timeout(app.settings.request_timeout, next.run(request)).await {
            Ok(response) => response,
            Err(_) => closing(negotiate::problem(
                StatusCode::REQUEST_TIMEOUT,
                "http-timeout",
                format!(
                    "the request was not received and answered within {} s",
                    app.settings.request_timeout.as_secs_f64()
                ),
                answer,
            )),
        }
    } else {
        next.run(request).await
    };
    let took = start.elapsed();
    let status = response.status().as_u16();
    app.metrics.answered(route, status, took);
    if app.settings.access_log {
        let size = length.map_or_else(|| "-".to_owned(), |n| n.to_string());
        eprintln!(
            "medcom serve: {method} {route} {status} {size} bytes {:.1} ms",
            took.as_secs_f64() * 1e3
        );
    }
    response
}

/// The response with `Connection: close` (the rest of its request's body is not read).
fn closing(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

async fn health(State(app): State<Arc<App>>) -> Response {
    let (status, word) = if app.draining.load(Ordering::Relaxed) {
        (StatusCode::SERVICE_UNAVAILABLE, "stopping")
    } else {
        (StatusCode::OK, "ok")
    };
    let body = format!(
        "{{\"status\":\"{word}\",\"version\":\"{}\"}}",
        env!("CARGO_PKG_VERSION")
    );
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

async fn metrics(State(app): State<Arc<App>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        app.metrics.render(),
    )
        .into_response()
}

async fn not_found(request: Request) -> Response {
    let answer = Answer::of(request.headers(), None).unwrap_or(Answer::Json);
    negotiate::problem(
        StatusCode::NOT_FOUND,
        "http-not-found",
        "no such route: the service answers POST /$validate, /{resourceType}/$validate, \
         /$convert and /$ack, and GET /, /health and /metrics",
        answer,
    )
}

async fn method_not_allowed(request: Request) -> Response {
    let answer = Answer::of(request.headers(), None).unwrap_or(Answer::Json);
    negotiate::problem(
        StatusCode::METHOD_NOT_ALLOWED,
        "http-method",
        format!("{} is not allowed here", request.method()),
        answer,
    )
}

/// A request refused before its body is read, as an OperationOutcome.
type Refusal = Box<Response>;

/// The query parameters, or a 400 answer.
fn parameters(request: &Request) -> Result<Vec<(String, String)>, Refusal> {
    Query::<Vec<(String, String)>>::try_from_uri(request.uri())
        .map(|q| q.0)
        .map_err(|e| {
            Box::new(negotiate::problem(
                StatusCode::BAD_REQUEST,
                "http-parameter",
                format!("the query does not read: {e}"),
                Answer::of(request.headers(), None).unwrap_or(Answer::Json),
            ))
        })
}

/// The answer's format (`_format` over `Accept`), or a 400 answer.
fn answer_of(headers: &HeaderMap, params: &[(String, String)]) -> Result<Answer, Refusal> {
    let format = params
        .iter()
        .find(|(k, _)| k == "_format")
        .map(|(_, v)| v.as_str());
    Answer::of(headers, format).map_err(|message| {
        Box::new(negotiate::problem(
            StatusCode::BAD_REQUEST,
            "http-parameter",
            message,
            Answer::Json,
        ))
    })
}

fn bad_parameter(message: String, answer: Answer) -> Refusal {
    Box::new(negotiate::problem(
        StatusCode::BAD_REQUEST,
        "http-parameter",
        message,
        answer,
    ))
}

fn boolean(name: &str, value: &str, answer: Answer) -> Result<bool, Refusal> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(bad_parameter(
            format!("{name} takes true or false, not '{value}'"),
            answer,
        )),
    }
}

/// The `Content-Type`, a slot among the requests worked on, and the body within the size
/// limit; or the answer that refuses the request.
async fn admit(
    app: &App,
    request: Request,
    answer: Answer,
) -> Result<(Declared, Bytes, OwnedSemaphorePermit), Refusal> {
    let declared = negotiate::declared(request.headers()).map_err(|ty| {
        Box::new(negotiate::problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "http-media-type",
            format!(
                "cannot read a body of type '{ty}': send FHIR JSON or XML, OIOXML or EDIFACT \
                 (application/fhir+json, application/fhir+xml, application/xml, \
                 application/edifact, or application/octet-stream to decide by content)"
            ),
            answer,
        ))
    })?;
    let permit = Arc::clone(&app.requests).try_acquire_owned().map_err(|_| {
        let mut response = negotiate::problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "http-busy",
            format!(
                "the service is working on {} requests already; try again shortly",
                app.settings.max_requests
            ),
            answer,
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        Box::new(closing(response))
    })?;
    let max = app.settings.max_body;
    let too_large = || {
        Box::new(closing(negotiate::problem(
            StatusCode::PAYLOAD_TOO_LARGE,
            "http-too-large",
            format!("the body is larger than the service's limit of {max} bytes"),
            answer,
        )))
    };
    let declared_length = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared_length.is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    let body = Limited::new(request.into_body(), max)
        .collect()
        .await
        .map_err(|e| {
            if e.downcast_ref::<LengthLimitError>().is_some() {
                too_large()
            } else {
                Box::new(closing(negotiate::problem(
                    StatusCode::BAD_REQUEST,
                    "http-body",
                    "the body was not received completely",
                    answer,
                )))
            }
        })?
        .to_bytes();
    Ok((declared, body, permit))
}

/// Runs `work` in this task for a small body, on the blocking pool for a large one.
async fn work<T: Send + 'static>(size: usize, work: impl FnOnce() -> T + Send + 'static) -> T {
    if size <= INLINE_BODY {
        return work();
    }
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => value,
        // The work panicked; let the connection's task report it as hyper does.
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

async fn validate(State(app): State<Arc<App>>, request: Request) -> Response {
    validate_as(&app, None, request)
        .await
        .unwrap_or_else(|refusal| *refusal)
}

async fn validate_typed(
    State(app): State<Arc<App>>,
    Path(resource_type): Path<String>,
    request: Request,
) -> Response {
    validate_as(&app, Some(resource_type), request)
        .await
        .unwrap_or_else(|refusal| *refusal)
}

/// `$validate`: the body's report as an OperationOutcome, status 200 whatever its verdict.
async fn validate_as(
    app: &App,
    resource_type: Option<String>,
    request: Request,
) -> Result<Response, Refusal> {
    let params = parameters(&request)?;
    let answer = answer_of(request.headers(), &params)?;
    let mut validator = app.validator.clone();
    let mut unmask = false;
    for (name, value) in &params {
        validator = match name.as_str() {
            "_format" => validator,
            "profiles" => validator.profiles(boolean(name, value, answer)?),
            "unmask" => {
                unmask = boolean(name, value, answer)?;
                validator.unmask(unmask)
            }
            "max-findings" => match value.parse::<usize>() {
                Ok(n) => validator.max_findings(n),
                Err(_) => {
                    return Err(bad_parameter(
                        format!("max-findings takes a whole number, not '{value}'"),
                        answer,
                    ))
                }
            },
            "stack" => validator
                .stack(value)
                .map_err(|e| bad_parameter(format!("stack={value}: {e}"), answer))?,
            _ => {
                return Err(bad_parameter(
                    format!(
                        "unknown parameter '{name}': $validate takes profiles, unmask, stack, \
                         max-findings and _format"
                    ),
                    answer,
                ))
            }
        };
    }
    let (declared, body, permit) = admit(app, request, answer).await?;
    let report = if let Some(finding) = negotiate::mismatch(declared, &body) {
        Report::new(vec![finding], unmask)
    } else if let Some(finding) = resource_type.and_then(|t| other_type(&t, &body)) {
        Report::new(vec![finding], unmask)
    } else {
        work(body.len(), move || validator.validate(&body)).await
    };
    drop(permit);
    app.metrics.findings(report.findings());
    let mut response = negotiate::outcome(StatusCode::OK, &report, answer);
    let headers = response.headers_mut();
    headers.insert(
        "medcom-valid",
        HeaderValue::from_static(if report.is_valid() { "true" } else { "false" }),
    );
    if let Some(ty) = report
        .message_type()
        .and_then(|t| HeaderValue::from_str(t).ok())
    {
        headers.insert("medcom-message-type", ty);
    }
    Ok(response)
}

/// For `/{resourceType}/$validate`: a finding when the body is a FHIR resource of another type.
fn other_type(expected: &str, body: &[u8]) -> Option<Finding> {
    let found = match Kind::detect(body) {
        Kind::FhirJson => {
            let value: serde_json::Value = serde_json::from_slice(body).ok()?;
            value.get("resourceType")?.as_str()?.to_owned()
        }
        Kind::FhirXml => {
            let text = std::str::from_utf8(body).ok()?;
            // roxmltree refuses DTDs by default.
            let doc = roxmltree::Document::parse(text).ok()?;
            doc.root_element().tag_name().name().to_owned()
        }
        // The legacy formats have no FHIR resource type.
        _ => {
            return Some(Finding::new(
                "fhir-resource-type",
                Severity::Error,
                "",
                format!(
                    "the URL names the FHIR resource type {expected}, the body is no FHIR resource"
                ),
            ))
        }
    };
    (found != expected).then(|| {
        Finding::new(
            "fhir-resource-type",
            Severity::Error,
            found.clone(),
            format!("the URL names the resource type {expected}, the body is a {found}"),
        )
    })
}

async fn convert(State(app): State<Arc<App>>, request: Request) -> Response {
    convert_as(&app, request)
        .await
        .unwrap_or_else(|refusal| *refusal)
}

/// `$convert`: the body in the format `to` names (default: the other format of its
/// generation), as `medcom convert` writes it.
async fn convert_as(app: &App, request: Request) -> Result<Response, Refusal> {
    let params = parameters(&request)?;
    let answer = Answer::of(request.headers(), None).unwrap_or(Answer::Json);
    let mut to = None;
    let mut options = ConvertOptions::new();
    for (name, value) in &params {
        match name.as_str() {
            "to" => {
                to = Some(Target::from_name(value).ok_or_else(|| {
                    bad_parameter(
                        format!("to takes json, xml, oioxml or edifact, not '{value}'"),
                        answer,
                    )
                })?);
            }
            "pretty" => options = options.pretty(boolean(name, value, answer)?),
            _ => {
                return Err(bad_parameter(
                    format!("unknown parameter '{name}': $convert takes to and pretty"),
                    answer,
                ))
            }
        }
    }
    let (declared, body, permit) = admit(app, request, answer).await?;
    if let Some(finding) = negotiate::mismatch(declared, &body) {
        return Err(unprocessable(finding, answer));
    }
    if let Some(book) = &app.settings.address_book {
        options = options.address_book(Arc::clone(book));
    }
    let legacy = LegacyFormat::detect(&body).is_some();
    let result = work(body.len(), move || crate::convert(&body, to, &options)).await;
    drop(permit);
    result
        .map(converted)
        .map_err(|e| convert_refusal(&e, legacy, answer))
}

async fn ack(State(app): State<Arc<App>>, request: Request) -> Response {
    ack_as(&app, request)
        .await
        .unwrap_or_else(|refusal| *refusal)
}

/// `$ack`: the acknowledgement of a FHIR message, or the receipt of a legacy letter, as
/// `medcom ack` writes it; without `code` the receive policy decides.
async fn ack_as(app: &App, request: Request) -> Result<Response, Refusal> {
    let params = parameters(&request)?;
    let answer = Answer::of(request.headers(), None).unwrap_or(Answer::Json);
    let mut code = None;
    let mut policy = ReceivePolicy::Standard;
    let mut max_issues = DEFAULT_MAX_ACK_ISSUES;
    let mut to = None;
    for (name, value) in &params {
        match name.as_str() {
            "code" => {
                code = Some(ResponseCode::from_code(value).ok_or_else(|| {
                    bad_parameter(
                        format!("code takes ok, transient-error or fatal-error, not '{value}'"),
                        answer,
                    )
                })?);
            }
            "strict" => {
                if boolean(name, value, answer)? {
                    policy = ReceivePolicy::Strict;
                }
            }
            "max-issues" => match value.parse::<usize>() {
                Ok(n) if n > 0 => max_issues = n,
                _ => {
                    return Err(bad_parameter(
                        format!("max-issues takes a whole number from 1, not '{value}'"),
                        answer,
                    ))
                }
            },
            "to" => {
                to = Some(match value.as_str() {
                    "json" => Format::Json,
                    "xml" => Format::Xml,
                    _ => {
                        return Err(bad_parameter(
                            format!("to takes json or xml, not '{value}'"),
                            answer,
                        ))
                    }
                });
            }
            _ => {
                return Err(bad_parameter(
                    format!(
                        "unknown parameter '{name}': $ack takes code, strict, max-issues and to"
                    ),
                    answer,
                ))
            }
        }
    }
    let options = AckOptions::new()
        .code(code)
        .policy(policy)
        .max_issues(max_issues)
        .to(to);
    let (declared, body, permit) = admit(app, request, answer).await?;
    if let Some(finding) = negotiate::mismatch(declared, &body) {
        return Err(unprocessable(finding, answer));
    }
    let legacy = LegacyFormat::detect(&body).is_some();
    let result = work(body.len(), move || crate::acknowledge(&body, &options)).await;
    drop(permit);
    result
        .map(converted)
        .map_err(|e| convert_refusal(&e, legacy, answer))
}

/// Converted bytes as an answer, with their media type.
fn converted(converted: Converted) -> Response {
    let target = converted.target();
    let media = match target {
        Target::Json | Target::Xml => format!("{}; charset=utf-8", target.media_type()),
        // An OIOXML letter names its encoding in its XML declaration.
        Target::Oioxml | Target::Edifact => target.media_type().to_owned(),
    };
    let mut response = (StatusCode::OK, converted.into_bytes()).into_response();
    let headers = response.headers_mut();
    if let Ok(media) = HeaderValue::from_str(&media) {
        headers.insert(header::CONTENT_TYPE, media);
    }
    headers.insert("medcom-format", HeaderValue::from_static(target.name()));
    response
}

/// A body that reads but cannot be worked on as asked: 422 with the finding.
fn unprocessable(finding: Finding, answer: Answer) -> Refusal {
    Box::new(negotiate::outcome(
        StatusCode::UNPROCESSABLE_ENTITY,
        &Report::new(vec![finding], false),
        answer,
    ))
}

/// The answer to a failed `$convert` or `$ack`: 422 with the read error and its position,
/// or with why the body does not convert or cannot be acknowledged; 400 for a parameter that
/// does not apply to the body.
fn convert_refusal(e: &ConvertError, legacy: bool, answer: Answer) -> Refusal {
    let (code, message) = match e.kind() {
        ConvertErrorKind::Read { message } => (
            if legacy { "legacy-read" } else { "fhir-read" },
            message.clone(),
        ),
        ConvertErrorKind::Unsupported { to, legacy: true } => (
            "http-convert",
            format!(
                "a legacy letter converts to oioxml or edifact, not to {to}, without an \
                 address book (medcom serve --address-book FILE converts between the generations)"
            ),
        ),
        ConvertErrorKind::Unsupported { to, legacy: false } => (
            "http-convert",
            format!(
                "a FHIR resource converts to json or xml, not to {to}, without an address book \
                 (medcom serve --address-book FILE converts between the generations)"
            ),
        ),
        ConvertErrorKind::SchemaErrors { .. } | ConvertErrorKind::Migrate(_) => {
            ("http-convert", e.kind().to_string())
        }
        ConvertErrorKind::Acknowledge { message } => ("http-ack", message.clone()),
        ConvertErrorKind::Usage { .. } => {
            return bad_parameter(
                "to applies to FHIR messages; a legacy letter gets its receipt in its own \
                 format"
                    .to_owned(),
                answer,
            )
        }
    };
    let mut finding = Finding::new(code, Severity::Error, "", message);
    if let Some(position) = e.position() {
        finding = finding.with_position(position);
    }
    unprocessable(finding, answer)
}
