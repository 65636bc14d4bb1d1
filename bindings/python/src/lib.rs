//! The native part of the `medcom` Python package: validation, conversion and acknowledgements
//! of MedCom messages on the library's front door. The Python package (`python/medcom`)
//! re-exports these functions and defines the exception classes they raise.
#![forbid(unsafe_code)]

use std::sync::OnceLock;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

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

/// Validates one message of any kind and returns its report.
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
    m.add_function(wrap_pyfunction!(warm_up, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
