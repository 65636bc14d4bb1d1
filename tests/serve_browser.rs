//! The web page in a real browser: headless Chromium driven over WebDriver (chromedriver, from
//! Debian's `chromium-driver`). It loads the page, submits a valid message (chosen as a file)
//! and an invalid one (pasted), checks the rendered verdicts, findings and source view, turns on
//! the unmask toggle, drops an EDIFACT and an OIOXML letter on the page, and saves a screenshot
//! to `target/serve-page.png`.
//!
//! Without chromedriver the test says so loudly and passes; `MEDCOM_REQUIRE_BROWSER=1` (set by
//! `.ci/run`) makes that a failure. `MEDCOM_CHROMEDRIVER` and `MEDCOM_CHROMIUM` name the
//! programs when they are not `chromedriver` and `chromium` on the `PATH`.
#![cfg(feature = "server")]

mod common;

use std::io::Write as _;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use common::http;
use medcom::serve::{Server, Settings};
use serde_json::{json, Value};

/// The WebDriver key for Enter.
const ENTER: &str = "\u{E007}";
/// The WebDriver name of an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A program on the `PATH` (or named by `var`).
fn program(var: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(var) {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// chromedriver on a free loopback port; killed when dropped.
struct Driver {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    fn start(program: &Path) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(program)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let driver = Self {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if std::net::TcpStream::connect(driver.addr).is_ok() {
                let status = driver.call("GET", "/status", None);
                if status["value"]["ready"] == true {
                    return driver;
                }
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// One WebDriver command; its `value` is checked for errors by the caller.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let headers: &[(&str, &str)] = if method == "POST" {
            &[("Content-Type", "application/json")]
        } else {
            &[]
        };
        http::request(self.addr, method, path, headers, body.as_bytes()).json()
    }
}

/// A browser session.
struct Session<'d> {
    driver: &'d Driver,
    id: String,
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        let _ = self
            .driver
            .call("DELETE", &format!("/session/{}", self.id), None);
    }
}

impl<'d> Session<'d> {
    fn new(driver: &'d Driver, chromium: &Path, profile: &Path) -> Self {
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,1400",
        ]
        .iter()
        .map(|a| (*a).to_owned())
        .chain([format!("--user-data-dir={}", profile.display())])
        .collect::<Vec<_>>();
        let answer = driver.call(
            "POST",
            "/session",
            Some(json!({"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {"binary": chromium.display().to_string(), "args": args}
            }}})),
        );
        let id = answer["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {answer}"))
            .to_owned();
        Self { driver, id }
    }

    fn command(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let answer = self
            .driver
            .call(method, &format!("/session/{}{path}", self.id), body);
        let value = answer["value"].clone();
        assert!(
            value.get("error").is_none(),
            "{method} {path}: {}",
            value["message"]
        );
        value
    }

    fn open(&self, url: &str) {
        self.command("POST", "/url", Some(json!({ "url": url })));
    }

    fn element(&self, css: &str) -> String {
        let v = self.command(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        v[ELEMENT].as_str().expect("an element").to_owned()
    }

    fn keys(&self, element: &str, text: &str) {
        self.command(
            "POST",
            &format!("/element/{element}/value"),
            Some(json!({ "text": text })),
        );
    }

    fn click(&self, element: &str) {
        self.command(
            "POST",
            &format!("/element/{element}/click"),
            Some(json!({})),
        );
    }

    fn script(&self, script: &str, args: Value) -> Value {
        self.command(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
    }

    /// Waits until the status line says `text`.
    fn wait_for_status(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let status = self.script(
                "return document.getElementById('status').textContent",
                json!([]),
            );
            if status.as_str() == Some(text) {
                return;
            }
            assert!(Instant::now() < deadline, "status stayed {status}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The rendered results, read from the page.
    fn results(&self) -> Value {
        self.script(
            "return [...document.querySelectorAll('article.result')].map((a) => ({
               title: a.querySelector('h2').textContent,
               valid: a.dataset.valid,
               labelled: document.getElementById(a.getAttribute('aria-labelledby')) !== null,
               rows: [...a.querySelectorAll('tbody tr')].map((r) =>
                 [...r.querySelectorAll('td')].map((c) => c.textContent)),
               caption: (a.querySelector('figcaption') || {}).textContent || '',
               hit: (a.querySelector('li.hit') || {}).textContent || '',
               hitNumber: a.querySelector('li.hit') ?
                 [...a.querySelectorAll('.source li')].indexOf(a.querySelector('li.hit')) +
                 a.querySelector('.source ol').start : 0,
             }))",
            json!([]),
        )
    }
}

#[test]
fn the_page_validates_a_valid_and_an_invalid_message_in_chromium() {
    let required = std::env::var_os("MEDCOM_REQUIRE_BROWSER").is_some_and(|v| !v.is_empty());
    let driver = program("MEDCOM_CHROMEDRIVER", &["chromedriver"]);
    let chromium = program("MEDCOM_CHROMIUM", &["chromium", "chromium-browser"]);
    let (Some(driver), Some(chromium)) = (driver, chromium) else {
        assert!(
            !required,
            "MEDCOM_REQUIRE_BROWSER is set but chromium or chromedriver is missing \
             (apt-get install chromium chromium-driver)"
        );
        // Straight to stderr, past the test harness's capture: a skip must be seen.
        let _ = writeln!(
            std::io::stderr(),
            "\n*** SKIPPED: chromium or chromedriver not found (apt-get install chromium \
             chromium-driver, or set MEDCOM_CHROMIUM and MEDCOM_CHROMEDRIVER) ***\n"
        );
        return;
    };
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/validate");
    let valid = fixtures.join("hn-admit-valid.json");
    let invalid = std::fs::read_to_string(fixtures.join("cc-bad-cpr.json")).expect("fixture");

    let server = Server::bind(
        Settings::new()
            .listen("127.0.0.1:0".parse().expect("address"))
            .signals(false),
    )
    .expect("bound");
    let addr = server.local_addr();
    let stopper = server.stopper();
    let service = std::thread::spawn(move || server.run());

    let profile = tempfile::tempdir().expect("a profile folder");
    let driver = Driver::start(&driver);
    let session = Session::new(&driver, &chromium, profile.path());
    session.open(&format!("http://{addr}/"));

    // The invalid message pasted, the valid one chosen as a file; submitted from the keyboard.
    let text = session.element("#text");
    session.script(
        "arguments[0].value = arguments[1]; \
         arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
        json!([{ELEMENT: text}, invalid]),
    );
    let files = session.element("#files");
    session.keys(&files, &valid.display().to_string());
    let button = session.element("#validate");
    session.keys(&button, ENTER);
    session.wait_for_status("Checked 2 inputs: 1 valid, 1 not valid.");

    let results = session.results();
    let results = results.as_array().expect("results");
    assert_eq!(results.len(), 2, "{results:?}");
    let (pasted, chosen) = (&results[0], &results[1]);
    assert_eq!(pasted["valid"], "false");
    assert!(pasted["labelled"].as_bool().unwrap_or(false));
    assert_eq!(
        pasted["title"].as_str(),
        Some("Not valid: pasted message"),
        "{pasted}"
    );
    let rows = pasted["rows"].as_array().expect("rows");
    let cpr = rows
        .iter()
        .find(|r| r[1] == "dk-cpr-date")
        .unwrap_or_else(|| panic!("no dk-cpr-date row: {rows:?}"));
    assert_eq!(cpr[0], "error");
    assert_eq!(cpr[2], "Bundle.entry[1].resource.identifier[0].value");
    assert_eq!(cpr[3], "46:13");
    assert!(
        !cpr[4].as_str().unwrap_or("").contains("3113450000"),
        "masked: {cpr}"
    );
    assert_eq!(chosen["valid"], "true");
    assert_eq!(chosen["title"].as_str(), Some("Valid: hn-admit-valid.json"));

    // Choosing the CPR finding from the keyboard shows its line in the source view.
    let index = rows
        .iter()
        .position(|r| r[1] == "dk-cpr-date")
        .expect("row");
    let goto = session.element(&format!(
        "article.result:first-of-type tbody tr:nth-child({}) button.goto",
        index + 1
    ));
    session.keys(&goto, ENTER);
    let results = session.results();
    let pasted = &results[0];
    assert_eq!(
        pasted["caption"].as_str(),
        Some("Source of pasted message at line 46, column 13")
    );
    assert_eq!(pasted["hitNumber"], 46);
    let line46 = invalid.lines().nth(45).expect("line 46");
    assert_eq!(pasted["hit"].as_str(), Some(line46));

    let shot = session.command("GET", "/screenshot", None);
    let png = base64::engine::general_purpose::STANDARD
        .decode(shot.as_str().expect("base64"))
        .expect("a PNG");
    assert!(png.starts_with(b"\x89PNG"));
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/serve-page.png");
    std::fs::write(&out, png).expect("screenshot written");
    eprintln!("screenshot: {}", out.display());

    // The unmask toggle shows the value.
    let unmask = session.element("#unmask");
    session.click(&unmask);
    session.script(
        "document.getElementById('status').textContent = ''",
        json!([]),
    );
    session.keys(&button, ENTER);
    session.wait_for_status("Checked 2 inputs: 1 valid, 1 not valid.");
    let results = session.results();
    let unmasked = results[0]["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r[1] == "dk-cpr-date")
        .expect("the CPR row")
        .clone();
    assert!(
        unmasked[4].as_str().unwrap_or("").contains("3113450000"),
        "{unmasked}"
    );

    // Legacy letters dropped on the box are checked at once.
    let dropped: Vec<Value> = ["validate/legacy-bad.edi", "cli/xdis91.xml"]
        .iter()
        .map(|name| {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures")
                .join(name);
            let bytes = std::fs::read(&path).expect("fixture");
            let file = path
                .file_name()
                .expect("a name")
                .to_string_lossy()
                .into_owned();
            json!([
                file,
                base64::engine::general_purpose::STANDARD.encode(bytes)
            ])
        })
        .collect();
    session.script(
        "document.getElementById('status').textContent = ''",
        json!([]),
    );
    session.script(
        "const files = new DataTransfer(); \
         for (const [name, data] of arguments[0]) { \
           const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0)); \
           files.items.add(new File([bytes], name)); \
         } \
         document.getElementById('drop').dispatchEvent( \
           new DragEvent('drop', {dataTransfer: files, bubbles: true, cancelable: true}));",
        json!([dropped]),
    );
    session.wait_for_status("Checked 2 inputs: 0 valid, 2 not valid.");
    let results = session.results();
    // The findings of each, at their line:column.
    let has = |i: usize, code: &str, at: &str| {
        results[i]["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .any(|r| r[1] == code && r[3] == at)
    };
    assert_eq!(
        results[0]["title"].as_str(),
        Some("Not valid: legacy-bad.edi")
    );
    assert!(has(0, "edifact-missing-value", "1:10"), "{}", results[0]);
    assert_eq!(results[1]["title"].as_str(), Some("Not valid: xdis91.xml"));
    assert!(has(1, "dk-gln-check-digit", "1:718"), "{}", results[1]);

    drop(session);
    drop(driver);
    stopper.stop();
    service
        .join()
        .expect("service thread")
        .expect("service ran");
}
