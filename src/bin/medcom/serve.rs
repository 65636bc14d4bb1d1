//! `medcom serve [--listen ADDR] [limits...] [--access-log]`
//!
//! The validation service and its web page ([`medcom::serve`]). The command is always listed;
//! a `medcom` built without the `server` feature says how to get it and exits 2.

use crate::{at_least, Failure, Outcome};

/// The command's description in `medcom serve --help`.
pub(crate) const ABOUT: &str = "Serves validation over HTTP, with a web page: POST /$validate \
(and /{resourceType}/$validate) answers an OperationOutcome for a FHIR message (JSON or XML), an \
OIOXML letter or an EDIFACT interchange; POST /$convert?to=json|xml|oioxml|edifact converts; \
POST /$ack answers the acknowledgement or receipt; GET / is the page (paste or drop files), GET \
/health and GET /metrics (Prometheus) the rest.

Listens on loopback unless --listen says otherwise. Bodies and patient data are never logged. \
SIGTERM or SIGINT stops accepting connections, lets the requests in flight finish, and exits 0. \
Needs a medcom built with the server feature (cargo install medcom --features server).";

/// `medcom serve` options.
#[derive(Debug, clap::Args)]
pub(crate) struct Options {
    /// Address and port to listen on; port 0 picks a free one (the first line on stderr names
    /// it).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    listen: std::net::SocketAddr,
    /// Largest request body in bytes; larger ones get 413.
    #[arg(long, value_name = "BYTES", default_value_t = 64 << 20, value_parser = at_least(1usize))]
    max_body: usize,
    /// Seconds a client has to send a request's head (also how long an idle connection stays
    /// open).
    #[arg(long, value_name = "SECS", default_value_t = 30.0, value_parser = seconds)]
    header_timeout: f64,
    /// Seconds a client has to send a whole request and get its answer; then 408.
    #[arg(long, value_name = "SECS", default_value_t = 60.0, value_parser = seconds)]
    request_timeout: f64,
    /// Requests worked on at once; more get 503 with Retry-After.
    #[arg(long, value_name = "N", default_value_t = 64, value_parser = at_least(1usize))]
    max_requests: usize,
    /// Connections open at once; more wait to be accepted.
    #[arg(long, value_name = "N", default_value_t = 4096, value_parser = at_least(1usize))]
    max_connections: usize,
    /// Seconds the requests in flight get to finish after SIGTERM.
    #[arg(long, value_name = "SECS", default_value_t = 30.0, value_parser = seconds)]
    drain_timeout: f64,
    /// Worker threads (0: one per core).
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = at_least(0usize))]
    threads: usize,
    /// Log each request to stderr: route, status, body size, time (never the body or query).
    #[arg(long)]
    access_log: bool,
    /// A CSV file of the parties (header `gln,sor`, as for `convert`): `$convert` then converts
    /// between legacy letters and FHIR messages.
    #[arg(long, value_name = "FILE")]
    address_book: Option<String>,
}

/// A positive number of seconds.
fn seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(n) if n > 0.0 && n.is_finite() && n < 1e9 => Ok(n),
        _ => Err("takes a positive number of seconds".to_owned()),
    }
}

#[cfg(feature = "server")]
pub(crate) fn run(options: Options) -> Outcome {
    use std::time::Duration;

    use medcom::serve::{Server, Settings};

    let settings = Settings::new()
        .listen(options.listen)
        .max_body(options.max_body)
        .header_timeout(Duration::from_secs_f64(options.header_timeout))
        .request_timeout(Duration::from_secs_f64(options.request_timeout))
        .max_requests(options.max_requests)
        .max_connections(options.max_connections)
        .drain_timeout(Duration::from_secs_f64(options.drain_timeout))
        .threads(options.threads)
        .access_log(options.access_log);
    let settings = match &options.address_book {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| Failure::Io(format!("{path}: {e}")))?;
            let book = medcom::migrate::CsvAddressBook::from_csv(&text)
                .map_err(|e| Failure::Usage(format!("{path}: {e}")))?;
            settings.address_book(std::sync::Arc::new(book))
        }
        None => settings,
    };
    let server =
        Server::bind(settings).map_err(|e| Failure::Io(format!("{}: {e}", options.listen)))?;
    eprintln!("medcom serve: listening on http://{}", server.local_addr());
    server.run().map_err(|e| Failure::Io(e.to_string()))?;
    eprintln!("medcom serve: stopped");
    Ok(())
}

#[cfg(not(feature = "server"))]
pub(crate) fn run(options: Options) -> Outcome {
    let _ = options;
    Err(Failure::Usage(
        "this medcom was built without the HTTP service; build it with the server feature \
         (cargo install medcom --features server)"
            .to_owned(),
    ))
}
