//! The C ABI of medcom: validate MedCom messages (FHIR R4 XML or JSON, OIOXML, EDIFACT, or one
//! of them in a VANSEnvelope or EHMI SBDH envelope) from C, and through it from Java (the Foreign
//! Function & Memory API) and .NET (P/Invoke); convert them (FHIR XML and JSON, OIOXML and
//! EDIFACT) and answer them (a FHIR Acknowledgement, a legacy receipt).
//!
//! `medcom.h` beside this crate declares these functions; a test regenerates it with cbindgen
//! and fails when the checked-in copy differs.
//!
//! The rules every function keeps:
//! - Strings it returns are NUL-terminated, owned by the caller, freed with
//!   [`medcom_string_free`] (never with `free`). They are UTF-8, except EDIFACT from
//!   [`medcom_convert`], which is in its interchange's character set (UNOC: ISO 8859-1).
//! - An input is `data` and `len`: `len` bytes at `data`, which need not be NUL-terminated and
//!   may hold any bytes. NULL `data` with `len` 0 is the empty input; NULL with a length is
//!   refused.
//! - Nothing panics across the boundary: a failure inside becomes the function's error value
//!   (NULL, and an error object where the function has an `error` out-parameter).
//! - An `error` out-parameter may be NULL (the caller does not want the error). Otherwise it
//!   is set on every call: NULL on success, else a JSON object the caller frees with
//!   [`medcom_string_free`]: `{"kind":"read","message":"...","line":3,"column":7,"byte":58}`,
//!   where `kind` is one of `read` (the input is not a readable message), `unsupported` (no
//!   such conversion for this input), `schema` (an OIOXML letter with schema errors, which the
//!   conversion would lose content of), `acknowledge` (the message cannot be acknowledged),
//!   `usage` (an argument that does not apply: an unknown format or code, NULL input with a
//!   length), `output` (the result holds a NUL byte, which a C string cannot carry) or
//!   `internal`; `line`, `column` (from 1) and `byte` (from 0) are null when the error has no
//!   place in the input.
//! - Every function may be called from any number of threads at once.

use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::sync::OnceLock;

use medcom::convert::{AckOptions, ConvertError, ConvertErrorKind, ConvertOptions, Target};
use medcom::messages::ResponseCode;

/// Flag for [`medcom_validate_with`]: findings quote the offending values (may be patient data;
/// by default they are masked).
pub const MEDCOM_UNMASK: u32 = 1;

/// Flag for [`medcom_validate_with`]: FHIR messages are checked by the MedCom message rules
/// alone, not against the MedCom profiles (faster; not a conformance verdict).
pub const MEDCOM_NO_PROFILES: u32 = 2;

const KNOWN_FLAGS: u32 = MEDCOM_UNMASK | MEDCOM_NO_PROFILES;

/// The validator for a set of flags, made once per process and shared by every thread
/// (`medcom::Validator` is `Send + Sync`).
fn validator(flags: u32) -> &'static medcom::Validator {
    static VALIDATORS: [OnceLock<medcom::Validator>; 4] = [const { OnceLock::new() }; 4];
    VALIDATORS[(flags & KNOWN_FLAGS) as usize].get_or_init(|| {
        medcom::Validator::new()
            .unmask(flags & MEDCOM_UNMASK != 0)
            .profiles(flags & MEDCOM_NO_PROFILES == 0)
    })
}

/// The input as a slice: NULL with length 0 is the empty input, NULL with a length is refused.
///
/// # Safety
///
/// `data` is NULL or points to `len` readable bytes that stay unchanged until the returned slice
/// is dropped.
unsafe fn input<'a>(data: *const u8, len: usize) -> Option<&'a [u8]> {
    if data.is_null() {
        return (len == 0).then_some(&[]);
    }
    if isize::try_from(len).is_err() {
        return None;
    }
    // SAFETY: `data` is not NULL (checked above) and, by this function's contract, points to
    // `len` readable bytes that nobody changes while the slice lives; `len` fits in `isize`
    // (checked above), as `from_raw_parts` requires.
    Some(unsafe { std::slice::from_raw_parts(data, len) })
}

/// A string handed to the caller, or NULL when it holds a NUL byte (which C cannot carry).
fn into_c_string(text: String) -> *mut c_char {
    CString::new(text).map_or(ptr::null_mut(), CString::into_raw)
}

/// Runs `f`, turning a panic into NULL so that none unwinds into the caller's frames.
fn guarded(f: impl FnOnce() -> *mut c_char) -> *mut c_char {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(ptr::null_mut())
}

/// An error for the `error` out-parameter: its kind, message and place in the input.
#[derive(Debug)]
struct Failure {
    kind: &'static str,
    message: String,
    position: Option<medcom::Position>,
}

impl Failure {
    fn new(kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            position: None,
        }
    }

    /// The JSON object the caller receives, its members in the documented order.
    fn to_json(&self) -> String {
        let p = self.position;
        let number = |n: Option<u64>| n.map_or_else(|| "null".to_owned(), |n| n.to_string());
        format!(
            r#"{{"kind":"{}","message":{},"line":{},"column":{},"byte":{}}}"#,
            self.kind,
            serde_json::Value::from(self.message.as_str()),
            number(p.map(|p| u64::from(p.line))),
            number(p.map(|p| u64::from(p.column))),
            number(p.and_then(|p| u64::try_from(p.byte).ok())),
        )
    }
}

impl From<ConvertError> for Failure {
    fn from(e: ConvertError) -> Self {
        let kind = match e.kind() {
            ConvertErrorKind::Read { .. } => "read",
            ConvertErrorKind::Unsupported { .. } => "unsupported",
            ConvertErrorKind::SchemaErrors { .. } => "schema",
            ConvertErrorKind::Acknowledge { .. } => "acknowledge",
            ConvertErrorKind::Usage { .. } => "usage",
            _ => "internal",
        };
        Self {
            kind,
            message: e.kind().to_string(),
            position: e.position(),
        }
    }
}

/// A NUL-terminated argument as text: NULL is `None`; text that is not UTF-8 is refused.
///
/// # Safety
///
/// `s` is NULL or points to a NUL-terminated string that stays unchanged during the call.
unsafe fn argument<'a>(s: *const c_char, what: &str) -> Result<Option<&'a str>, Failure> {
    if s.is_null() {
        return Ok(None);
    }
    // SAFETY: `s` is not NULL (checked above) and, by this function's contract, points to a
    // NUL-terminated string that nobody changes while the returned text lives.
    let text = unsafe { CStr::from_ptr(s) };
    text.to_str()
        .map(Some)
        .map_err(|_| Failure::new("usage", format!("the {what} is not UTF-8")))
}

/// Runs a conversion-like call: the bytes it makes as a string, or NULL with the error stored
/// through `error` (when not NULL). Panics become an `internal` error.
///
/// # Safety
///
/// `error` is NULL or points to a writable `char *`.
unsafe fn answer(
    error: *mut *mut c_char,
    f: impl FnOnce() -> Result<Vec<u8>, Failure>,
) -> *mut c_char {
    let result = catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(Failure::new("internal", "an internal failure")))
        .and_then(|bytes| {
            CString::new(bytes).map_err(|_| {
                Failure::new(
                    "output",
                    "the result holds a NUL byte, which a C string cannot carry",
                )
            })
        });
    let (out, err) = match result {
        Ok(text) => (text.into_raw(), ptr::null_mut()),
        Err(failure) => (ptr::null_mut(), into_c_string(failure.to_json())),
    };
    if error.is_null() {
        free_owned(err);
    } else {
        // SAFETY: `error` is not NULL (checked above) and, by this function's contract, points
        // to a writable `char *`.
        unsafe { error.write(err) };
    }
    out
}

/// Frees a string made by [`into_c_string`] or `CString::into_raw` here.
fn free_owned(s: *mut c_char) {
    if !s.is_null() {
        // SAFETY: `s` was made by `CString::into_raw` in this library a moment ago and is
        // handed to nobody else.
        drop(unsafe { CString::from_raw(s) });
    }
}

/// Validates one input of any kind with the default settings (the MedCom profiles on the
/// version stack the message declares; values masked) and returns the report as JSON: the
/// object `medcom validate --format json` prints for one file, with `"path":null`, e.g.
/// `{"issues":[...],"message_type":"CareCommunication","path":null,"valid":true}`.
///
/// Input that is not a message gives a report with `"valid":false` and an error finding that
/// says where reading stopped. NULL is returned only when `data` is NULL and `len` is not 0, or
/// on an internal failure.
///
/// The caller frees the result with [`medcom_string_free`].
///
/// # Safety
///
/// `data` is NULL or points to `len` readable bytes that stay unchanged during the call.
#[no_mangle]
pub unsafe extern "C" fn medcom_validate(data: *const u8, len: usize) -> *mut c_char {
    // SAFETY: this function's contract is `medcom_validate_with`'s.
    unsafe { medcom_validate_with(data, len, 0) }
}

/// As [`medcom_validate`], with flags: 0, or [`MEDCOM_UNMASK`] and [`MEDCOM_NO_PROFILES`]
/// combined with `|`. Returns NULL for a flag this version does not know.
///
/// The caller frees the result with [`medcom_string_free`].
///
/// # Safety
///
/// `data` is NULL or points to `len` readable bytes that stay unchanged during the call.
#[no_mangle]
pub unsafe extern "C" fn medcom_validate_with(
    data: *const u8,
    len: usize,
    flags: u32,
) -> *mut c_char {
    if flags & !KNOWN_FLAGS != 0 {
        return ptr::null_mut();
    }
    // SAFETY: the caller keeps this function's contract, which is `input`'s.
    let Some(bytes) = (unsafe { input(data, len) }) else {
        return ptr::null_mut();
    };
    guarded(|| {
        let report = validator(flags).validate(bytes);
        serde_json::to_string(&report).map_or(ptr::null_mut(), into_c_string)
    })
}

/// Converts a message to another format, recognising the input by its content: a FHIR
/// message or resource between XML and JSON, a legacy letter between OIOXML and EDIFACT, as
/// `medcom convert` does. `to` is `"json"`, `"xml"`, `"oioxml"` or `"edifact"`, or NULL for the
/// other format of the input's generation.
///
/// Returns the converted message, NUL-terminated, or NULL on failure with the error object
/// (described at the top of `medcom.h` and of this crate's documentation) stored through
/// `error`: e.g. `read` with the line and column where the input stops being a message,
/// `unsupported` for a FHIR message asked in EDIFACT, `schema` for an OIOXML letter with
/// schema errors.
///
/// The caller frees the result and the error with [`medcom_string_free`].
///
/// # Safety
///
/// `data` is NULL or points to `len` readable bytes, and `to` is NULL or a NUL-terminated
/// string, both unchanged during the call; `error` is NULL or points to a writable `char *`.
#[no_mangle]
pub unsafe extern "C" fn medcom_convert(
    data: *const u8,
    len: usize,
    to: *const c_char,
    error: *mut *mut c_char,
) -> *mut c_char {
    // SAFETY: the caller keeps this function's contract, which is `input`'s for `data`.
    let bytes = unsafe { input(data, len) };
    // SAFETY: the caller keeps this function's contract, which is `argument`'s for `to`.
    let to = unsafe { argument(to, "format") };
    let convert = move || {
        let bytes = bytes.ok_or_else(|| Failure::new("usage", "NULL data with a length"))?;
        let to = match to? {
            None => None,
            Some(name) => Some(Target::from_name(name).ok_or_else(|| {
                Failure::new(
                    "usage",
                    format!("unknown format {name:?} (json, xml, oioxml or edifact)"),
                )
            })?),
        };
        Ok(medcom::convert(bytes, to, &ConvertOptions::new())?.into_bytes())
    };
    // SAFETY: the caller keeps this function's contract, which is `answer`'s for `error`.
    unsafe { answer(error, convert) }
}

/// Answers a received message as `medcom ack` does: a FHIR message gets its Acknowledgement
/// (MedCom Acknowledgement 2.0.3, in the message's format), a legacy OIOXML or EDIFACT letter
/// its receipt (XCTL or CTL). `code` is `"ok"`, `"transient-error"` or `"fatal-error"`, or NULL
/// to validate the message and let the standard receive policy decide (`fatal-error` naming
/// the broken rules when something prevents processing, else `ok`).
///
/// Returns the acknowledgement, NUL-terminated, or NULL on failure with the error object
/// (described at the top of `medcom.h` and of this crate's documentation) stored through
/// `error`: e.g. `acknowledge` for a message without a MessageHeader.
///
/// The caller frees the result and the error with [`medcom_string_free`].
///
/// # Safety
///
/// `data` is NULL or points to `len` readable bytes, and `code` is NULL or a NUL-terminated
/// string, both unchanged during the call; `error` is NULL or points to a writable `char *`.
#[no_mangle]
pub unsafe extern "C" fn medcom_ack(
    data: *const u8,
    len: usize,
    code: *const c_char,
    error: *mut *mut c_char,
) -> *mut c_char {
    // SAFETY: the caller keeps this function's contract, which is `input`'s for `data`.
    let bytes = unsafe { input(data, len) };
    // SAFETY: the caller keeps this function's contract, which is `argument`'s for `code`.
    let code = unsafe { argument(code, "response code") };
    let acknowledge = move || {
        let bytes = bytes.ok_or_else(|| Failure::new("usage", "NULL data with a length"))?;
        let code = match code? {
            None => None,
            Some(name) => Some(ResponseCode::from_code(name).ok_or_else(|| {
                Failure::new(
                    "usage",
                    format!("unknown response code {name:?} (ok, transient-error or fatal-error)"),
                )
            })?),
        };
        Ok(medcom::acknowledge(bytes, &AckOptions::new().code(code))?.into_bytes())
    };
    // SAFETY: the caller keeps this function's contract, which is `answer`'s for `error`.
    unsafe { answer(error, acknowledge) }
}

/// Frees a string that a function of this library returned. NULL is ignored.
///
/// # Safety
///
/// `s` is NULL or a string returned by this library and not freed yet.
#[no_mangle]
pub unsafe extern "C" fn medcom_string_free(s: *mut c_char) {
    if s.is_null() {
        return;
    }
    // SAFETY: by this function's contract `s` came from `CString::into_raw` in this library
    // (every string it returns does) and is freed once.
    drop(unsafe { CString::from_raw(s) });
}

/// The version of this library, e.g. `0.1.0` (a static string: not to be freed).
#[no_mangle]
pub extern "C" fn medcom_version() -> *const c_char {
    const VERSION: &CStr =
        match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
            Ok(version) => version,
            Err(_) => panic!("the version holds no NUL byte"),
        };
    VERSION.as_ptr()
}
