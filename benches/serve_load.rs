//! Load on `medcom serve` over loopback: requests per second and p50/p99 latency of
//! `POST /$validate` at 1, 8 and 64 concurrent clients (each on its own keep-alive
//! connection, one request at a time), beside `medcom validate --jobs 2 --format outcome` on
//! copies of the same message in the same run; then the service's memory (RSS) with 1,000
//! idle connections open.
//!
//! ```text
//! cargo bench --features server --bench serve_load -- [--rounds 3] [--seconds 2]
//!     [--clients 1,8,64] [--idle 1000] [--copies 5000] [--format xml|json] [--threads 0]
//! ```
//!
//! The message is the CareCommunication 5.0.2 example `Bundle-0d5b3c18…` read in place from
//! `../shared` (`MEDCOM_SHARED`); without it the bench says so and stops. The clients run in
//! this process, the service in its own (`medcom serve`, default settings but the
//! concurrency limit raised above the clients), on the same cores: read the figures as what
//! one machine does when it is both.
#![allow(clippy::print_stdout)]

#[path = "../tests/common/http.rs"]
#[allow(dead_code, unreachable_pub)]
mod http;

use std::fmt::Write as _;
use std::io::BufRead;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Options {
    seconds: f64,
    clients: Vec<usize>,
    idle: usize,
    copies: usize,
    rounds: usize,
    format: String,
    threads: usize,
}

fn options() -> Options {
    let mut o = Options {
        seconds: 2.0,
        clients: vec![1, 8, 64],
        idle: 1000,
        copies: 5000,
        rounds: 3,
        format: "xml".to_owned(),
        threads: 0,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--seconds" => o.seconds = value.parse().expect("--seconds takes a number"),
            "--clients" => {
                o.clients = value
                    .split(',')
                    .map(|c| c.parse().expect("--clients takes numbers"))
                    .collect();
            }
            "--idle" => o.idle = value.parse().expect("--idle takes a number"),
            "--copies" => o.copies = value.parse().expect("--copies takes a number"),
            "--rounds" => o.rounds = value.parse().expect("--rounds takes a number"),
            "--format" => o.format = value,
            "--threads" => o.threads = value.parse().expect("--threads takes a number"),
            // `cargo bench` passes `--bench`.
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    o
}

/// `medcom serve` on a free loopback port; killed when dropped.
struct Service {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Service {
    fn start(max_requests: usize, threads: usize) -> Self {
        let (child, addr, stderr) = http::spawn_service(
            env!("CARGO_BIN_EXE_medcom"),
            &[
                "--max-requests",
                &max_requests.to_string(),
                "--threads",
                &threads.to_string(),
            ],
        );
        // Keep draining stderr so that the service never blocks on it.
        std::thread::spawn(move || for _ in stderr.lines() {});
        Self { child, addr }
    }

    /// Resident and peak memory, in KiB, from `/proc`.
    fn memory(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                .unwrap_or(0)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }
}

/// `(requests per second, p50, p99, errors)` for `clients` connections over `seconds`.
fn load(
    addr: SocketAddr,
    body: &Arc<Vec<u8>>,
    ty: &'static str,
    clients: usize,
    seconds: f64,
) -> (f64, Duration, Duration, usize) {
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(seconds);
    let workers: Vec<_> = (0..clients)
        .map(|_| {
            let body = Arc::clone(body);
            std::thread::spawn(move || {
                let mut stream = http::connect(addr);
                let mut times = Vec::new();
                let mut errors = 0;
                while Instant::now() < deadline {
                    let t = Instant::now();
                    http::send(
                        &mut stream,
                        "POST",
                        "/$validate",
                        &[("Content-Type", ty)],
                        &body,
                    );
                    let r = http::read_response(&mut stream).expect("an answer");
                    times.push(t.elapsed());
                    if r.status != 200 || r.header("medcom-valid") != Some("true") {
                        errors += 1;
                    }
                    if r.header("connection") == Some("close") {
                        stream = http::connect(addr);
                    }
                }
                (times, errors)
            })
        })
        .collect();
    let mut times = Vec::new();
    let mut errors = 0;
    for w in workers {
        let (t, e) = w.join().expect("a client");
        times.extend(t);
        errors += e;
    }
    let elapsed = start.elapsed().as_secs_f64();
    times.sort_unstable();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    (times.len() as f64 / elapsed, at(0.50), at(0.99), errors)
}

/// Messages per second of `medcom validate --jobs 2 --format outcome` over `copies` copies.
fn cli_rate(folder: &Path, copies: usize) -> (f64, f64) {
    let before = children_cpu();
    let start = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_medcom"))
        .args(["validate", "--jobs", "2", "--format", "outcome"])
        .arg(folder)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("medcom validate runs");
    let took = start.elapsed().as_secs_f64();
    assert_eq!(status.code(), Some(0), "the copies validate");
    (
        copies as f64 / took,
        (children_cpu() - before) / copies as f64,
    )
}

/// CPU time of this process's waited-for children, in seconds (cutime and cstime, fields 16
/// and 17 of the line).
fn children_cpu() -> f64 {
    stat_seconds("/proc/self/stat", 13)
}

/// User and system CPU time of a process so far, in seconds (utime and stime, fields 14 and
/// 15 of the line).
fn cpu(pid: &str) -> f64 {
    stat_seconds(&format!("/proc/{pid}/stat"), 11)
}

/// Two adjacent fields of a `/proc/.../stat` file, `at` and `at + 1` counted after the
/// command name, summed as seconds (ticks of 1/100 s, as Linux reports them to user space).
fn stat_seconds(path: &str, at: usize) -> f64 {
    let stat = std::fs::read_to_string(path).unwrap_or_default();
    // The fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(at) + ticks(at + 1)) / 100.0
}

fn median(xs: &[f64]) -> f64 {
    let mut xs = xs.to_vec();
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// One number of clients in one round.
#[derive(Clone)]
struct Level {
    rps: f64,
    p50: Duration,
    p99: Duration,
    errors: usize,
    server_cpu: f64,
    client_cpu: f64,
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let o = options();
    let shared = std::env::var_os("MEDCOM_SHARED").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"),
        PathBuf::from,
    );
    let example = shared
        .join(
            "medcom/fhir/examples/medcomfhir-website/ig/carecommunication/5.0.2/\
             Bundle-0d5b3c18-fab6-4d93-9d88-c9c8abf1f18c",
        )
        .with_extension(&o.format);
    let Ok(message) = std::fs::read(&example) else {
        eprintln!(
            "*** SKIPPED: {} not found (set MEDCOM_SHARED) ***",
            example.display()
        );
        return;
    };
    let ty = if o.format == "json" {
        "application/fhir+json"
    } else {
        "application/fhir+xml"
    };
    let body = Arc::new(message);
    let max_clients = o.clients.iter().copied().max().unwrap_or(1);

    // Copies of the message for the command line.
    let folder = tempfile::tempdir().expect("a temporary folder");
    for i in 0..o.copies {
        std::fs::write(
            folder.path().join(format!("cc-{i:05}.{}", o.format)),
            body.as_slice(),
        )
        .expect("a copy");
    }
    let service = Service::start(max_clients.max(64), o.threads);
    // Warm up: the profile rules load on first use.
    for _ in 0..50 {
        let r = http::post(service.addr, "/$validate", ty, &body);
        assert_eq!(r.header("medcom-valid"), Some("true"), "{}", r.text());
    }
    let (rss_start, _) = service.memory();

    // Rounds of: the command line, then the service at each number of clients; the machine's
    // other work shifts between rounds, so each figure is the median over the rounds.
    let server_pid = service.child.id().to_string();
    let mut cli = Vec::new();
    let mut levels: Vec<Vec<Level>> = vec![Vec::new(); o.clients.len()];
    for _ in 0..o.rounds {
        cli.push(cli_rate(folder.path(), o.copies));
        for (i, &clients) in o.clients.iter().enumerate() {
            let (server_before, client_before) = (cpu(&server_pid), cpu("self"));
            let (rps, p50, p99, errors) = load(service.addr, &body, ty, clients, o.seconds);
            let served = rps * o.seconds;
            levels[i].push(Level {
                rps,
                p50,
                p99,
                errors,
                server_cpu: (cpu(&server_pid) - server_before) / served,
                client_cpu: (cpu("self") - client_before) / served,
            });
        }
    }
    let cli_rates: Vec<f64> = cli.iter().map(|c| c.0).collect();
    let cli_rate = median(&cli_rates);
    let cli_cpu = median(&cli.iter().map(|c| c.1).collect::<Vec<_>>());
    let (rss_loaded, hwm_loaded) = service.memory();

    // Idle connections: each has sent one request and keeps its connection open.
    let mut idle: Vec<TcpStream> = Vec::with_capacity(o.idle);
    for _ in 0..o.idle {
        let mut s = http::connect(service.addr);
        http::send(&mut s, "GET", "/health", &[], b"");
        let r = http::read_response(&mut s).expect("an answer");
        assert_eq!(r.status, 200);
        idle.push(s);
    }
    let metrics = http::get(service.addr, "/metrics").text();
    let open = metrics
        .lines()
        .find_map(|l| l.strip_prefix("medcom_connections "))
        .unwrap_or("?")
        .to_owned();
    // The service still answers at once.
    let t = Instant::now();
    let r = http::post(service.addr, "/$validate", ty, &body);
    let beside_idle = t.elapsed();
    assert_eq!(r.header("medcom-valid"), Some("true"));
    let (rss_idle, hwm_idle) = service.memory();
    drop(idle);

    let mut out = String::new();
    let _ = writeln!(
        out,
        "CareCommunication 5.0.2 {} ({} bytes), POST /$validate; {} rounds of {} s per level, \
         medians. medcom validate --jobs 2 --format outcome on {} copies in the same rounds: \
         {:.0} msg/s (rounds: {}), {:.0} µs CPU per message.\n",
        o.format.to_uppercase(),
        body.len(),
        o.rounds,
        o.seconds,
        o.copies,
        cli_rate,
        cli_rates
            .iter()
            .map(|r| format!("{r:.0}"))
            .collect::<Vec<_>>()
            .join(", "),
        cli_cpu * 1e6
    );
    let _ = writeln!(
        out,
        "| clients | requests/s | p50 | p99 | errors | service / CLI rate (same round) | service CPU per \
         request | clients' CPU per request |"
    );
    let _ = writeln!(
        out,
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    for (clients, rounds) in o.clients.iter().zip(&levels) {
        let pick = |f: fn(&Level) -> f64| median(&rounds.iter().map(f).collect::<Vec<_>>());
        let rps = pick(|l| l.rps);
        let _ = writeln!(
            out,
            "| {clients} | {rps:.0} | {:.2} ms | {:.2} ms | {} | {:.0}% | {:.0} µs | {:.0} µs |",
            pick(|l| l.p50.as_secs_f64()) * 1e3,
            pick(|l| l.p99.as_secs_f64()) * 1e3,
            rounds.iter().map(|l| l.errors).sum::<usize>(),
            // Each round's rate against the command line's in the same round.
            100.0
                * median(
                    &rounds
                        .iter()
                        .zip(&cli_rates)
                        .map(|(l, c)| l.rps / c)
                        .collect::<Vec<_>>()
                ),
            pick(|l| l.server_cpu) * 1e6,
            pick(|l| l.client_cpu) * 1e6
        );
    }
    let _ = writeln!(
        out,
        "\nRSS: {} KiB after warm-up, {} KiB after the load (peak {} KiB), {} KiB with {} \
         idle connections open (the service counts {open}; peak {} KiB): {:.1} KiB per idle \
         connection; a request beside them took {}.",
        rss_start,
        rss_loaded,
        hwm_loaded,
        rss_idle,
        o.idle,
        hwm_idle,
        (rss_idle as f64 - rss_loaded as f64) / o.idle.max(1) as f64,
        ms(beside_idle)
    );
    print!("{out}");
}
