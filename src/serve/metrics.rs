//! The service's counters in the Prometheus text format: requests by route and status, latency
//! by route, findings by code and severity, connections and requests in flight. Labels come
//! from fixed sets (routes, registered finding codes), never from a request's content.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use crate::finding::Finding;

/// The routes requests are counted under.
pub(crate) const ROUTES: [&str; 7] = [
    "validate", "convert", "ack", "page", "health", "metrics", "other",
];

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// One route's latency histogram.
#[derive(Debug, Default)]
struct Histogram {
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    /// Microseconds.
    sum: AtomicU64,
}

/// Everything `/metrics` shows.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    statuses: Mutex<BTreeMap<(&'static str, u16), u64>>,
    latency: [Histogram; ROUTES.len()],
    findings: Mutex<BTreeMap<(&'static str, &'static str), u64>>,
    connections: AtomicI64,
    in_flight: AtomicI64,
}

/// The route a path is counted under (`/Bundle/$validate` is `validate`).
pub(crate) fn route(path: &str) -> &'static str {
    match path {
        "/" => "page",
        "/health" => "health",
        "/metrics" => "metrics",
        p if p.ends_with("/$validate") => "validate",
        "/$convert" => "convert",
        "/$ack" => "ack",
        _ => "other",
    }
}

impl Metrics {
    pub(crate) fn connection_opened(&self) {
        self.connections.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn connection_closed(&self) {
        self.connections.fetch_sub(1, Ordering::Relaxed);
    }

    pub(crate) fn started(&self) {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts an answered request.
    pub(crate) fn answered(&self, route: &'static str, status: u16, took: Duration) {
        self.in_flight.fetch_sub(1, Ordering::Relaxed);
        if let Ok(mut statuses) = self.statuses.lock() {
            *statuses.entry((route, status)).or_default() += 1;
        }
        let i = ROUTES
            .iter()
            .position(|r| *r == route)
            .unwrap_or(ROUTES.len() - 1);
        let h = &self.latency[i];
        let seconds = took.as_secs_f64();
        if let Some(b) = BUCKETS.iter().position(|b| seconds <= *b) {
            h.buckets[b].fetch_add(1, Ordering::Relaxed);
        }
        h.count.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        h.sum.fetch_add(micros, Ordering::Relaxed);
    }

    /// Counts findings by code and severity.
    pub(crate) fn findings(&self, findings: &[Finding]) {
        if findings.is_empty() {
            return;
        }
        if let Ok(mut counts) = self.findings.lock() {
            for f in findings {
                *counts.entry((f.code(), f.severity().code())).or_default() += 1;
            }
        }
    }

    /// The Prometheus text exposition.
    pub(crate) fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        out.push_str(
            "# HELP medcom_requests_total Requests answered, by route and status.\n\
             # TYPE medcom_requests_total counter\n",
        );
        if let Ok(statuses) = self.statuses.lock() {
            for ((route, status), n) in statuses.iter() {
                let _ = writeln!(
                    out,
                    "medcom_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
        }
        out.push_str(
            "# HELP medcom_request_duration_seconds Time from a request's head to its answer.\n\
             # TYPE medcom_request_duration_seconds histogram\n",
        );
        for (route, h) in ROUTES.iter().zip(&self.latency) {
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(&h.buckets) {
                cumulative += n.load(Ordering::Relaxed);
                let _ = writeln!(
                    out,
                    "medcom_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {cumulative}"
                );
            }
            let count = h.count.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "medcom_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {count}"
            );
            #[allow(clippy::cast_precision_loss)]
            let sum = h.sum.load(Ordering::Relaxed) as f64 / 1e6;
            let _ = writeln!(
                out,
                "medcom_request_duration_seconds_sum{{route=\"{route}\"}} {sum}\n\
                 medcom_request_duration_seconds_count{{route=\"{route}\"}} {count}"
            );
        }
        out.push_str(
            "# HELP medcom_findings_total Findings reported by $validate, by code and severity.\n\
             # TYPE medcom_findings_total counter\n",
        );
        if let Ok(findings) = self.findings.lock() {
            for ((code, severity), n) in findings.iter() {
                let _ = writeln!(
                    out,
                    "medcom_findings_total{{code=\"{code}\",severity=\"{severity}\"}} {n}"
                );
            }
        }
        let _ = write!(
            out,
            "# HELP medcom_connections Connections open.\n\
             # TYPE medcom_connections gauge\n\
             medcom_connections {}\n\
             # HELP medcom_requests_in_flight Requests being answered.\n\
             # TYPE medcom_requests_in_flight gauge\n\
             medcom_requests_in_flight {}\n",
            self.connections.load(Ordering::Relaxed),
            self.in_flight.load(Ordering::Relaxed)
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;

    #[test]
    fn renders_counts_and_cumulative_buckets() {
        let m = Metrics::default();
        m.started();
        m.answered("validate", 200, Duration::from_millis(3));
        m.started();
        m.answered("validate", 200, Duration::from_millis(30));
        m.findings(&[Finding::new("fhir-read", Severity::Error, "", "x")]);
        let text = m.render();
        assert!(text.contains("medcom_requests_total{route=\"validate\",status=\"200\"} 2\n"));
        assert!(text.contains(
            "medcom_request_duration_seconds_bucket{route=\"validate\",le=\"0.005\"} 1\n"
        ));
        assert!(text.contains(
            "medcom_request_duration_seconds_bucket{route=\"validate\",le=\"0.05\"} 2\n"
        ));
        assert!(text.contains("medcom_findings_total{code=\"fhir-read\",severity=\"error\"} 1\n"));
        assert!(text.contains("medcom_requests_in_flight 0\n"));
    }

    #[test]
    fn routes() {
        assert_eq!(route("/Bundle/$validate"), "validate");
        assert_eq!(route("/$convert"), "convert");
        assert_eq!(route("/patient/0101701234"), "other");
    }
}
