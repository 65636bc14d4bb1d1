//! The validation service behind `medcom serve` (feature `server`): the library's front door
//! ([`crate::Validator`]) over HTTP, for systems written in other languages, test labs and
//! anyone with a browser.
//!
//! | request | answer |
//! |---|---|
//! | `POST /$validate`, `POST /{resourceType}/$validate` | an OperationOutcome (JSON, or XML when `Accept` or `_format` asks), status 200 whether or not the content is valid |
//! | `POST /$convert?to=json\|xml\|oioxml\|edifact` | the message in the other format |
//! | `POST /$ack` | the acknowledgement (FHIR) or receipt (OIOXML, EDIFACT) the receive policy answers |
//! | `GET /` | the web page: paste or drop files, see the findings beside the source line |
//! | `GET /health` | `{"status":"ok"}` while the service accepts requests |
//! | `GET /metrics` | Prometheus text: requests, latency, findings by code (never values) |
//!
//! The body of a `POST` is FHIR JSON or XML, OIOXML or EDIFACT, by `Content-Type` when it
//! names one (`application/fhir+json`, `application/fhir+xml`, `application/json`,
//! `application/xml`, `text/xml`, `application/edifact`) and by content when it does not
//! (absent, `application/octet-stream`, `text/plain`). Any other type is refused with 415. A
//! body that does not read as what it claims to be gets an OperationOutcome with the read error
//! and its line and column, never a server error.
//!
//! `$validate` takes the settings of `medcom validate` as query parameters: `profiles=false`
//! (the MedCom message rules alone), `unmask=true` (findings show values, which may be patient
//! data), `stack=NAME@VERSION`, `max-findings=N`; and `_format=json|xml` to choose the answer's
//! format over `Accept`.
//!
//! `$convert` and `$ack` answer exactly as `medcom convert` and `medcom ack` write (they call
//! [`crate::convert()`] and [`crate::acknowledge()`]), with the output's media type and a
//! `medcom-format` header naming it. `$convert` takes `to=json|xml|oioxml|edifact` (default:
//! the other format of the body's generation) and `pretty=true`; `$ack` takes
//! `code=ok|transient-error|fatal-error` (default: the receive policy decides),
//! `strict=true`, `max-issues=N` and `to=json|xml` (FHIR only; a legacy letter's receipt is
//! in the letter's format). A body they cannot work on gets 422 and an OperationOutcome: the
//! read error with its line and column, an OIOXML letter's first schema error (a conversion
//! would drop what the tables do not know), a target of the other generation, or why the
//! message cannot be acknowledged.
//!
//! Every limit has a safe default ([`Settings`]): the body size (64 MiB; more is refused with
//! 413 and an OperationOutcome), the time to send a request's head (30 s) and to send the whole
//! request and be answered (60 s; 408), the requests worked on at once (64; more are refused
//! with 503 and `Retry-After`), the connections open at once (4,096; more wait in the kernel's
//! queue). Request bodies and patient data are never logged: the access log (off by default)
//! names the route, the status, the body's size and the time taken. SIGTERM or SIGINT stops
//! accepting connections, lets the requests in flight finish (up to the drain timeout) and
//! returns.
//!
//! The service keeps no state between requests beyond its counters: run as many instances as
//! needed behind a load balancer.
//!
//! # Examples
//!
//! ```no_run
//! use medcom::serve::{Server, Settings};
//! let server = Server::bind(Settings::new().listen("127.0.0.1:8080".parse().unwrap())).unwrap();
//! eprintln!("listening on http://{}", server.local_addr());
//! server.run().unwrap(); // until SIGTERM or SIGINT
//! ```

mod metrics;
mod negotiate;
mod page;
mod routes;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::sync::{watch, Semaphore};

use crate::migrate::AddressBook;

/// The service's settings, each with a safe default.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// let settings = medcom::serve::Settings::new().max_body(1 << 20).request_timeout(Duration::from_secs(5));
/// assert_eq!(settings.listen_addr().to_string(), "127.0.0.1:8080");
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct Settings {
    listen: SocketAddr,
    max_body: usize,
    header_timeout: Duration,
    request_timeout: Duration,
    max_requests: usize,
    max_connections: usize,
    drain_timeout: Duration,
    threads: usize,
    access_log: bool,
    signals: bool,
    address_book: Option<Arc<dyn AddressBook>>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("listen", &self.listen)
            .field("max_body", &self.max_body)
            .field("header_timeout", &self.header_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("max_requests", &self.max_requests)
            .field("max_connections", &self.max_connections)
            .field("drain_timeout", &self.drain_timeout)
            .field("threads", &self.threads)
            .field("access_log", &self.access_log)
            .field("signals", &self.signals)
            .field("address_book", &self.address_book.is_some())
            .finish()
    }
}

/// The address `medcom serve` listens on unless told otherwise: loopback only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Default largest request body: 64 MiB.
pub const DEFAULT_MAX_BODY: usize = 64 << 20;
/// Default time a client has to send a request's head (and the most an idle connection stays
/// open): 30 s.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(30);
/// Default time a client has to send a whole request and get its answer: 60 s.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Default number of requests worked on at once: 64.
pub const DEFAULT_MAX_REQUESTS: usize = 64;
/// Default number of connections open at once: 4,096.
pub const DEFAULT_MAX_CONNECTIONS: usize = 4096;
/// Default time the requests in flight get to finish after SIGTERM: 30 s.
pub const DEFAULT_DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            max_body: DEFAULT_MAX_BODY,
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_requests: DEFAULT_MAX_REQUESTS,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            drain_timeout: DEFAULT_DRAIN_TIMEOUT,
            threads: 0,
            access_log: false,
            signals: true,
            address_book: None,
        }
    }
}

impl Settings {
    /// The default settings.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The address to listen on. Default: [`DEFAULT_LISTEN`] (loopback only; listening wider
    /// is a deliberate choice).
    #[must_use]
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// The address to listen on.
    #[must_use]
    pub fn listen_addr(&self) -> SocketAddr {
        self.listen
    }

    /// The largest request body in bytes; a larger one is answered 413. Default:
    /// [`DEFAULT_MAX_BODY`].
    #[must_use]
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// How long a client may take to send a request's head; the connection is closed after
    /// it, and an idle keep-alive connection too. Default: [`DEFAULT_HEADER_TIMEOUT`].
    #[must_use]
    pub fn header_timeout(mut self, timeout: Duration) -> Self {
        self.header_timeout = timeout;
        self
    }

    /// How long a request may take from its head to its answer (a slow body included); the
    /// answer is then 408. Default: [`DEFAULT_REQUEST_TIMEOUT`].
    #[must_use]
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// How many `POST` requests are worked on at once; more are answered 503 with
    /// `Retry-After`. Each may hold a body of up to [`Settings::max_body`] in memory. Default:
    /// [`DEFAULT_MAX_REQUESTS`].
    #[must_use]
    pub fn max_requests(mut self, n: usize) -> Self {
        self.max_requests = n.max(1);
        self
    }

    /// How many connections are open at once; more wait in the kernel's accept queue. Default:
    /// [`DEFAULT_MAX_CONNECTIONS`].
    #[must_use]
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// How long the requests in flight get to finish after a stop. Default:
    /// [`DEFAULT_DRAIN_TIMEOUT`].
    #[must_use]
    pub fn drain_timeout(mut self, timeout: Duration) -> Self {
        self.drain_timeout = timeout;
        self
    }

    /// Worker threads; 0 means one per core. Default: 0.
    #[must_use]
    pub fn threads(mut self, n: usize) -> Self {
        self.threads = n;
        self
    }

    /// Whether each request is logged to stderr (route, status, body size, time; never the
    /// body, the query or the path of an unknown route). Default: `false`.
    #[must_use]
    pub fn access_log(mut self, on: bool) -> Self {
        self.access_log = on;
        self
    }

    /// Whether SIGTERM and SIGINT stop the service (drain, then [`Server::run`] returns).
    /// Default: `true`; an embedding that stops it through [`Server::stopper`] may turn it
    /// off.
    #[must_use]
    pub fn signals(mut self, on: bool) -> Self {
        self.signals = on;
        self
    }

    /// The parties `$convert` looks up when it converts between legacy letters and FHIR
    /// messages (see [`crate::migrate`]). Default: none, and such conversions get 422.
    #[must_use]
    pub fn address_book(mut self, book: Arc<dyn AddressBook>) -> Self {
        self.address_book = Some(book);
        self
    }
}

/// A bound, not yet running service.
#[derive(Debug)]
pub struct Server {
    listener: std::net::TcpListener,
    settings: Settings,
    stop: watch::Sender<bool>,
}

/// Stops a running [`Server`] from another thread, as SIGTERM does.
#[derive(Clone, Debug)]
pub struct Stopper(watch::Sender<bool>);

impl Stopper {
    /// Stops accepting connections and lets the requests in flight finish.
    pub fn stop(&self) {
        let _ = self.0.send(true);
    }
}

impl Server {
    /// Binds the listening socket (so that the port is known before [`Server::run`]).
    ///
    /// # Errors
    ///
    /// The socket cannot be bound (address in use, no permission).
    pub fn bind(settings: Settings) -> std::io::Result<Self> {
        let listener = std::net::TcpListener::bind(settings.listen)?;
        listener.set_nonblocking(true)?;
        let (stop, _) = watch::channel(false);
        Ok(Self {
            listener,
            settings,
            stop,
        })
    }

    /// The address the service listens on (with the port the system chose for port 0).
    ///
    /// # Panics
    ///
    /// Never: a bound socket has an address.
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        #[allow(clippy::expect_used)]
        self.listener.local_addr().expect("a bound socket")
    }

    /// A handle that stops the service.
    #[must_use]
    pub fn stopper(&self) -> Stopper {
        Stopper(self.stop.clone())
    }

    /// Serves until stopped (SIGTERM, SIGINT or [`Stopper::stop`]), then drains: no new
    /// connections, idle ones closed, the requests in flight answered (up to the drain
    /// timeout).
    ///
    /// # Errors
    ///
    /// The runtime cannot start or the signal handlers cannot be installed.
    pub fn run(self) -> std::io::Result<()> {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        if self.settings.threads > 0 {
            builder.worker_threads(self.settings.threads);
        }
        let runtime = builder.enable_all().thread_name("medcom serve").build()?;
        runtime.block_on(self.serve())
    }

    async fn serve(self) -> std::io::Result<()> {
        let Self {
            listener,
            settings,
            stop,
        } = self;
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let app = Arc::new(routes::App::new(&settings));
        let router = routes::router(Arc::clone(&app));
        let connections = Arc::new(Semaphore::new(settings.max_connections));
        let graceful = GracefulShutdown::new();
        let mut stopped = stop.subscribe();
        if settings.signals {
            signals(stop.clone())?;
        }
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(settings.header_timeout)
            .max_buf_size(64 << 10);
        loop {
            let permit = tokio::select! {
                permit = Arc::clone(&connections).acquire_owned() => permit,
                _ = stopped.wait_for(|s| *s) => break,
            };
            let Ok(permit) = permit else { break };
            let (stream, _) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    // Out of file descriptors or a connection reset before accept: wait a
                    // moment rather than spin.
                    Err(_) => {
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    }
                },
                _ = stopped.wait_for(|s| *s) => break,
            };
            let _ = stream.set_nodelay(true);
            let service = TowerToHyperService::new(router.clone());
            let connection = http.serve_connection(TokioIo::new(stream), service);
            let connection = graceful.watch(connection);
            let app = Arc::clone(&app);
            tokio::spawn(async move {
                app.metrics.connection_opened();
                let _ = connection.await;
                app.metrics.connection_closed();
                drop(permit);
            });
        }
        drop(listener);
        app.draining();
        let _ = tokio::time::timeout(settings.drain_timeout, graceful.shutdown()).await;
        Ok(())
    }
}

/// SIGTERM and SIGINT stop the service.
fn signals(stop: watch::Sender<bool>) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        tokio::spawn(async move {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
            let _ = stop.send(true);
        });
    }
    #[cfg(not(unix))]
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            let _ = stop.send(true);
        }
    });
    Ok(())
}
