//! The native part of the `medcom` Python package: validation, conversion and acknowledgements
//! of MedCom messages on the library's front door (`medcom::Validator`, `medcom::convert`,
//! `medcom::acknowledge`). The Python package (`python/medcom`)
//! re-exports these functions and defines the exception classes they raise.
#![forbid(unsafe_code)]

use std::sync::OnceLock;

use medcom::convert::{AckOptions, ConvertError, ConvertErrorKind, ConvertOptions, Target};
use medcom::exchange::ReceivePolicy;
use medcom::messages::ResponseCode;
use medcom::Format;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyBytes;

/// The validator for one combination of options, made once per process and shared by every
/// thread (`medcom::Validator` is `Send + Sync`).
fn validator(profiles: bool, unmask: bool) -> &'static medcom::Validator {
    static VALIDATORS: [OnceLock<medcom::Validator>; 4] = [const { OnceLock::new() }; 4];
    let index = usize::from(profiles) * 2 + usize::from(unmask);
    VALIDATORS[index].get_or_init(|| medcom::Validator::new().profiles(profiles).unmask(unmask))
}

/// `json.loads`, looked up once.
fn json_loads(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    LOADS
        .get_or_try_init(py, || {
            Ok::<_, PyErr>(py.import("json")?.getattr("loads")?.unbind())
        })
        .map(|loads| loads.bind(py))
}

/// An exception class of the Python package (`medcom._errors`), raised with its message and
/// position.
fn error(
    py: Python<'_>,
    class: &str,
    message: String,
    position: Option<medcom::Position>,
) -> PyErr {
    let raised = py.import("medcom._errors").and_then(|module| {
        let (line, column, byte) = match position {
            Some(p) => (Some(p.line), Some(p.column), Some(p.byte)),
            None => (None, None, None),
        };
        module.getattr(class)?.call1((message, line, column, byte))
    });
    match raised {
        Ok(exception) => PyErr::from_value(exception),
        Err(e) => e,
    }
}

/// Validates one message of any kind and returns its report: the object
/// `medcom validate --format json` prints for one file (`valid`, `message_type`, `issues`),
/// with `path` None. Bad input gives a report with `valid` False, never an exception.
/// `profiles=False` checks FHIR messages by the MedCom message rules alone; `unmask=True`
/// quotes the offending values (may be patient data). The GIL is released while validating.
#[pyfunction]
#[pyo3(signature = (data, *, profiles = true, unmask = false))]
fn validate<'py>(
    py: Python<'py>,
    data: &[u8],
    profiles: bool,
    unmask: bool,
) -> PyResult<Bound<'py, PyAny>> {
    // The input is an immutable `bytes`: other threads may run Python while this one validates.
    let json = py.detach(|| serde_json::to_string(&validator(profiles, unmask).validate(data)));
    let json = json.map_err(|e| error(py, "MedcomError", e.to_string(), None))?;
    json_loads(py)?.call1((json,))
}

/// The exception for a failed conversion or acknowledgement: the class of its kind, with the
/// message and the position.
fn convert_error(py: Python<'_>, e: &ConvertError) -> PyErr {
    let class = match e.kind() {
        ConvertErrorKind::Read { .. } => "ReadError",
        ConvertErrorKind::Unsupported { .. } => "UnsupportedError",
        ConvertErrorKind::SchemaErrors { .. } => "SchemaError",
        ConvertErrorKind::Acknowledge { .. } => "AcknowledgeError",
        ConvertErrorKind::Usage { .. } => "UsageError",
        _ => "MedcomError",
    };
    error(py, class, e.kind().to_string(), e.position())
}

/// A usage error: an argument that does not apply.
fn usage(py: Python<'_>, message: String) -> PyErr {
    error(py, "UsageError", message, None)
}

/// Converts a message to another format, recognising the input by its content, as
/// `medcom convert` does: FHIR between `"xml"` and `"json"`, a legacy letter between
/// `"oioxml"` and `"edifact"`; `to=None` is the other format of the input's generation.
/// Raises `ReadError` (with `line` and `column`), `UnsupportedError`, `SchemaError` or
/// `UsageError`. The GIL is released while converting.
#[pyfunction]
#[pyo3(signature = (data, to = None, *, pretty = false))]
fn convert<'py>(
    py: Python<'py>,
    data: &[u8],
    to: Option<&str>,
    pretty: bool,
) -> PyResult<Bound<'py, PyBytes>> {
    let to = match to {
        None => None,
        Some(name) => Some(Target::from_name(name).ok_or_else(|| {
            usage(
                py,
                format!("unknown format {name:?} (json, xml, oioxml or edifact)"),
            )
        })?),
    };
    let options = ConvertOptions::new().pretty(pretty);
    let converted = py.detach(|| medcom::convert(data, to, &options));
    match converted {
        Ok(c) => Ok(PyBytes::new(py, c.bytes())),
        Err(e) => Err(convert_error(py, &e)),
    }
}

// The signature's literal (which Python's `help` shows) is the library's default.
const _: () = assert!(medcom::messages::DEFAULT_MAX_ACK_ISSUES == 100);

/// Answers a received message as `medcom ack` does: a FHIR message's Acknowledgement, a
/// legacy letter's receipt. `code` is `"ok"`, `"transient-error"` or `"fatal-error"`; None
/// validates the message and lets the receive policy decide (`strict=True`: any error is
/// fatal). Raises `ReadError` (with `line` and `column`), `AcknowledgeError` or `UsageError`.
/// The GIL is released while answering.
#[pyfunction]
#[pyo3(signature = (data, code = None, *, strict = false, to = None, max_issues = 100))]
fn ack<'py>(
    py: Python<'py>,
    data: &[u8],
    code: Option<&str>,
    strict: bool,
    to: Option<&str>,
    max_issues: usize,
) -> PyResult<Bound<'py, PyBytes>> {
    let code = match code {
        None => None,
        Some(name) => Some(ResponseCode::from_code(name).ok_or_else(|| {
            usage(
                py,
                format!("unknown response code {name:?} (ok, transient-error or fatal-error)"),
            )
        })?),
    };
    let to = match to {
        None => None,
        Some("json") => Some(Format::Json),
        Some("xml") => Some(Format::Xml),
        Some(name) => {
            return Err(usage(
                py,
                format!("unknown acknowledgement format {name:?} (json or xml)"),
            ))
        }
    };
    if max_issues == 0 {
        return Err(usage(py, "max_issues must be at least 1".to_owned()));
    }
    let policy = if strict {
        ReceivePolicy::Strict
    } else {
        ReceivePolicy::Standard
    };
    let options = AckOptions::new()
        .code(code)
        .policy(policy)
        .to(to)
        .max_issues(max_issues);
    let answer = py.detach(|| medcom::acknowledge(data, &options));
    match answer {
        Ok(a) => Ok(PyBytes::new(py, a.bytes())),
        Err(e) => Err(convert_error(py, &e)),
    }
}

/// Loads the profile rules of every MedCom standard now, on up to `threads` threads, so that
/// the first validation of each standard is not slower than the rest.
#[pyfunction]
#[pyo3(signature = (threads = 1))]
fn warm_up(py: Python<'_>, threads: usize) {
    py.detach(|| validator(true, false).warm_up(threads.max(1)));
}

/// The native module `medcom._medcom`.
#[pymodule]
fn _medcom(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(convert, m)?)?;
    m.add_function(wrap_pyfunction!(ack, m)?)?;
    m.add_function(wrap_pyfunction!(warm_up, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
