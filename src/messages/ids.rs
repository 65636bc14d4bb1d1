//! Identifiers and time, injectable so that built messages are reproducible in tests.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::clock::{date_time, Clock, SystemClock, TestClock};

/// A source of fresh resource identifiers: lowercase UUIDs of version 4, as MedCom asks for
/// every `Bundle.id`, resource id and `urn:uuid:` identifier.
pub trait IdSource: Send + Sync {
    /// A fresh identifier, e.g. `0b0a1f4e-8a2c-4f55-9d1e-5b8f0c1d2e3f`.
    fn next_id(&self) -> String;
}

/// Random UUIDv4s (the default), from the same OS-seeded generator as
/// [`SystemClock`](crate::clock::SystemClock).
///
/// # Examples
///
/// ```
/// use medcom::messages::{IdSource, RandomIds};
/// let ids = RandomIds::default();
/// let (a, b) = (ids.next_id(), ids.next_id());
/// assert_ne!(a, b);
/// assert_eq!(&a[14..15], "4");
/// ```
#[derive(Debug, Default)]
pub struct RandomIds {
    inner: SystemClock,
}

impl IdSource for RandomIds {
    fn next_id(&self) -> String {
        self.inner.uuid()
    }
}

/// Sequential UUIDv4-shaped identifiers for tests: `00000000-0000-4000-8000-000000000001`,
/// `…0002`, and so on (a prefix keeps two sources apart).
///
/// # Examples
///
/// ```
/// use medcom::messages::{IdSource, SequentialIds};
/// let ids = SequentialIds::new();
/// assert_eq!(ids.next_id(), "00000000-0000-4000-8000-000000000001");
/// assert_eq!(ids.next_id(), "00000000-0000-4000-8000-000000000002");
/// let other = SequentialIds::with_prefix(0xab);
/// assert_eq!(other.next_id(), "000000ab-0000-4000-8000-000000000001");
/// ```
#[derive(Debug, Default)]
pub struct SequentialIds {
    prefix: u32,
    next: AtomicU64,
}

impl SequentialIds {
    /// A source starting at 1, prefix 0.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A source starting at 1 whose identifiers begin with `prefix` (eight hex digits).
    #[must_use]
    pub fn with_prefix(prefix: u32) -> Self {
        Self {
            prefix,
            next: AtomicU64::new(0),
        }
    }
}

impl IdSource for SequentialIds {
    fn next_id(&self) -> String {
        let n = self.next.fetch_add(1, Ordering::SeqCst).wrapping_add(1) & 0xffff_ffff_ffff;
        format!("{:08x}-0000-4000-8000-{n:012x}", self.prefix)
    }
}

/// Where a built message takes its identifiers and time from, and how it writes `fullUrl`s.
///
/// Default ([`Context::new`]): random UUIDv4s ([`RandomIds`]), the system clock, and `fullUrl`s
/// of the form `urn:uuid:<id>` (references inside the message stay `Type/<id>`, which MedCom's
/// Provenance links require).
///
/// # Examples
///
/// ```
/// use medcom::messages::Context;
/// let ctx = Context::fixed(1_714_723_500);
/// assert_eq!(ctx.now(), "2024-05-03T08:05:00Z");
/// assert_eq!(ctx.next_id(), "00000000-0000-4000-8000-000000000001");
/// assert_eq!(ctx.full_url("Patient", "x"), "urn:uuid:x");
/// let ctx = ctx.with_base("https://sender.example/fhir/");
/// assert_eq!(ctx.full_url("Patient", "x"), "https://sender.example/fhir/Patient/x");
/// ```
#[derive(Clone)]
pub struct Context {
    ids: Arc<dyn IdSource>,
    clock: Arc<dyn Clock>,
    base: Option<String>,
    time: Option<String>,
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("base", &self.base)
            .field("time", &self.time)
            .finish_non_exhaustive()
    }
}

impl Default for Context {
    fn default() -> Self {
        Self::new()
    }
}

impl Context {
    /// Random identifiers, the system clock, `urn:uuid:` fullUrls.
    #[must_use]
    pub fn new() -> Self {
        Self {
            ids: Arc::new(RandomIds::default()),
            clock: Arc::new(SystemClock::default()),
            base: None,
            time: None,
        }
    }

    /// Reproducible: [`SequentialIds`] and a clock standing at `now` (Unix seconds).
    #[must_use]
    pub fn fixed(now: i64) -> Self {
        Self {
            ids: Arc::new(SequentialIds::new()),
            clock: Arc::new(TestClock::new(now, 0)),
            base: None,
            time: None,
        }
    }

    /// Replaces the identifier source.
    #[must_use]
    pub fn with_ids(mut self, ids: Arc<dyn IdSource>) -> Self {
        self.ids = ids;
        self
    }

    /// Replaces the clock (its UUIDs are not used; identifiers come from the [`IdSource`]).
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Stands the clock at a given FHIR `instant` (e.g. a timestamp an exchange engine already
    /// chose), overriding the clock.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = medcom::messages::Context::new().with_time("2024-05-01T12:00:00+02:00");
    /// assert_eq!(ctx.now(), "2024-05-01T12:00:00+02:00");
    /// ```
    #[must_use]
    pub fn with_time(mut self, instant: &str) -> Self {
        self.time = Some(instant.to_owned());
        self
    }

    /// Writes `fullUrl`s as `<base><Type>/<id>` (a RESTful base ending in `/`) instead of
    /// `urn:uuid:<id>`.
    #[must_use]
    pub fn with_base(mut self, base: &str) -> Self {
        self.base = Some(base.to_owned());
        self
    }

    /// A fresh identifier.
    #[must_use]
    pub fn next_id(&self) -> String {
        self.ids.next_id()
    }

    /// The current time as a FHIR `dateTime`/`instant` in UTC.
    #[must_use]
    pub fn now(&self) -> String {
        match &self.time {
            Some(t) => t.clone(),
            None => date_time(self.clock.now()),
        }
    }

    /// The `fullUrl` of a resource of type `ty` with id `id`.
    #[must_use]
    pub fn full_url(&self, ty: &str, id: &str) -> String {
        match &self.base {
            Some(b) => format!("{b}{ty}/{id}"),
            None => format!("urn:uuid:{id}"),
        }
    }

    /// The same context with another base (used to answer in the base the received message
    /// used).
    pub(crate) fn with_base_opt(&self, base: Option<String>) -> Self {
        Self {
            ids: self.ids.clone(),
            clock: self.clock.clone(),
            base: base.or_else(|| self.base.clone()),
            time: self.time.clone(),
        }
    }
}
