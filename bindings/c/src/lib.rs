//! The C ABI of medcom: validate MedCom messages (FHIR R4 XML or JSON, OIOXML, EDIFACT, or one
//! of them in a VANSEnvelope or EHMI SBDH envelope) from C, and through it from Java (the Foreign
//! Function & Memory API) and .NET (P/Invoke).
//!
//! `medcom.h` beside this crate declares these functions; a test regenerates it with cbindgen
//! and fails when the checked-in copy differs.
//!
//! The rules every function keeps:
//! - Strings it returns are NUL-terminated UTF-8, owned by the caller, freed with
//!   [`medcom_string_free`] (never with `free`).
//! - An input is `data` and `len`: `len` bytes at `data`, which need not be NUL-terminated and
//!   may hold any bytes. NULL `data` with `len` 0 is the empty input; NULL with a length is
//!   refused.
//! - Nothing panics across the boundary: a failure inside becomes the function's error value
//!   (NULL, and a message where the function has an `error` out-parameter).
//! - Every function may be called from any number of threads at once.

use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::sync::OnceLock;

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
