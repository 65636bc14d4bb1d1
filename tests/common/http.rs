//! A small HTTP/1.1 client over `std::net::TcpStream` for the service's tests: whole requests,
//! and the pieces (a head without its body, a body in parts) that tests of limits and timeouts
//! need; and `medcom serve` started on a free port.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::time::Duration;

/// An answer.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// The first header of this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

/// Connects with generous timeouts (a test must not hang forever).
pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    stream.set_nodelay(true).expect("nodelay");
    stream
}

/// The head of a request with a body of `length` bytes (`None`: chunked).
pub fn head(method: &str, path: &str, headers: &[(&str, &str)], length: Option<usize>) -> String {
    let mut text = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    match length {
        Some(n) => text.push_str(&format!("Content-Length: {n}\r\n")),
        None => text.push_str("Transfer-Encoding: chunked\r\n"),
    }
    text.push_str("\r\n");
    text
}

/// Sends one request on a new connection and reads its answer.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Response {
    let mut stream = connect(addr);
    send(&mut stream, method, path, headers, body);
    read_response(&mut stream).expect("an answer")
}

/// Sends one request on an open connection.
pub fn send(
    stream: &mut TcpStream,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) {
    let mut bytes = head(method, path, headers, Some(body.len())).into_bytes();
    bytes.extend_from_slice(body);
    stream.write_all(&bytes).expect("request sent");
}

pub fn post(addr: SocketAddr, path: &str, content_type: &str, body: &[u8]) -> Response {
    request(addr, "POST", path, &[("Content-Type", content_type)], body)
}

pub fn get(addr: SocketAddr, path: &str) -> Response {
    request(addr, "GET", path, &[], b"")
}

/// Reads one answer; `None` when the connection closes before a status line.
pub fn read_response(stream: &mut impl Read) -> Option<Response> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i;
        }
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let mut rest = buf[end + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let body = if let Some(n) = header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        fill(stream, &mut rest, n);
        rest.truncate(n);
        rest
    } else if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        let mut body = Vec::new();
        loop {
            let line_end = loop {
                if let Some(i) = find(&rest, b"\r\n") {
                    break i;
                }
                let want = rest.len() + 1;
                if !fill(stream, &mut rest, want) {
                    return None;
                }
            };
            let size_text = String::from_utf8_lossy(&rest[..line_end]).into_owned();
            let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
            rest.drain(..line_end + 2);
            if size == 0 {
                break;
            }
            fill(stream, &mut rest, size + 2);
            body.extend_from_slice(&rest[..size]);
            rest.drain(..size + 2);
        }
        body
    } else if status == 204 || status == 304 {
        Vec::new()
    } else {
        let _ = stream.read_to_end(&mut rest);
        rest
    };
    Some(Response {
        status,
        headers,
        body,
    })
}

/// Reads until `rest` holds `want` bytes; `false` when the connection ends first.
fn fill(stream: &mut impl Read, rest: &mut Vec<u8>, want: usize) -> bool {
    let mut chunk = [0u8; 8192];
    while rest.len() < want {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return false,
            Ok(n) => rest.extend_from_slice(&chunk[..n]),
        }
    }
    true
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `medcom serve` (the binary `bin`) with `args` on a free loopback port: the process, the
/// address its first line names, and the rest of its stderr.
pub fn spawn_service(bin: &str, args: &[&str]) -> (Child, SocketAddr, BufReader<ChildStderr>) {
    let mut child = Command::new(bin)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("medcom serve starts");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    stderr.read_line(&mut line).expect("the first line");
    let addr = line
        .trim()
        .strip_prefix("medcom serve: listening on http://")
        .unwrap_or_else(|| panic!("{line}"))
        .parse()
        .expect("an address");
    (child, addr, stderr)
}
