//! Time and identifiers, injectable so tests control both.

use std::time::{SystemTime, UNIX_EPOCH};

/// A source of the current time and of fresh identifiers.
///
/// The engine never reads the system clock or a random source directly: tests pass a
/// [`TestClock`] and move it forward.
pub trait Clock: Send + Sync {
    /// Seconds since the Unix epoch (UTC).
    fn now(&self) -> i64;
    /// A fresh UUID (version 4, lowercase).
    fn uuid(&self) -> String;
}

/// The system clock with random version-4 UUIDs from the operating system's randomness
/// (the `uuid` crate's `new_v4`).
///
/// # Examples
///
/// ```
/// use medcom::exchange::clock::{Clock, SystemClock};
/// let clock = SystemClock::default();
/// let id = clock.uuid();
/// assert_eq!(&id[14..15], "4");
/// assert_ne!(id, clock.uuid());
/// ```
#[derive(Debug, Default)]
pub struct SystemClock {
    // Private: built with `default()` only.
    _private: (),
}

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
    }

    fn uuid(&self) -> String {
        uuid::Uuid::new_v4().to_string()
    }
}

/// A clock that stands still until moved, with UUIDs from a seeded generator (reproducible).
///
/// # Examples
///
/// ```
/// use medcom::exchange::clock::{Clock, TestClock};
/// let clock = TestClock::new(1_700_000_000, 7);
/// clock.advance(60);
/// assert_eq!(clock.now(), 1_700_000_060);
/// assert_ne!(clock.uuid(), clock.uuid());
/// ```
#[derive(Debug)]
pub struct TestClock {
    now: std::sync::atomic::AtomicI64,
    rng: std::sync::Mutex<Rng>,
}

impl TestClock {
    /// A clock at `now` (Unix seconds) whose UUIDs come from `seed`.
    #[must_use]
    pub fn new(now: i64, seed: u64) -> Self {
        Self {
            now: std::sync::atomic::AtomicI64::new(now),
            rng: std::sync::Mutex::new(Rng::new(seed)),
        }
    }

    /// Moves the clock forward.
    pub fn advance(&self, seconds: i64) {
        self.now
            .fetch_add(seconds, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now(&self) -> i64 {
        self.now.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn uuid(&self) -> String {
        let mut rng = self
            .rng
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        uuid_v4(rng.next(), rng.next())
    }
}

/// SplitMix64 for reproducible test identifiers (never for the system clock's).
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// A version-4 UUID from 128 given bits (the version and variant bits are set over them).
fn uuid_v4(a: u64, b: u64) -> String {
    let bits = (u128::from(a) << 64) | u128::from(b);
    uuid::Builder::from_random_bytes(bits.to_be_bytes())
        .into_uuid()
        .to_string()
}

/// Formats Unix seconds as an XML/FHIR dateTime in UTC, `YYYY-MM-DDThh:mm:ssZ`.
///
/// # Examples
///
/// ```
/// assert_eq!(medcom::exchange::clock::date_time(0), "1970-01-01T00:00:00Z");
/// assert_eq!(medcom::exchange::clock::date_time(951_782_400), "2000-02-29T00:00:00Z");
/// ```
#[must_use]
pub fn date_time(seconds: i64) -> String {
    let (y, m, d, hh, mm, ss) = civil(seconds);
    format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z")
}

/// Date (`YYYY-MM-DD`) and time (`hh:mm`) for legacy receipts, in UTC.
#[must_use]
pub fn date_and_minute(seconds: i64) -> (String, String) {
    let (y, m, d, hh, mm, _) = civil(seconds);
    (format!("{y:04}-{m:02}-{d:02}"), format!("{hh:02}:{mm:02}"))
}

use crate::calendar::civil_time as civil;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_version_4() {
        let c = TestClock::new(0, 1);
        let u = c.uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
        let s = SystemClock::default();
        assert_ne!(s.uuid(), s.uuid());
    }
}
