//! The delivery guarantee, through the real `medcom receive --batch` process: a receiver killed
//! with SIGKILL at random points (during start-up, while opening the store, between the store
//! write, the answer file and the printed line) at least 520 times per store, restarted each
//! time with what it had not answered. Afterwards no message was lost (each was handed over,
//! `process`, at least once), every input was answered, and every answer to one message has the
//! same acknowledgement identity and content. Run on SQLite and, when `MEDCOM_TEST_POSTGRES`
//! names a server, on PostgreSQL (in a schema of its own). Also: two receivers creating a new
//! store at the same moment, fed the same messages, process each exactly once, and threads
//! opening one new SQLite file at the same instant all succeed.

mod exchange;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const UNIQUE: usize = 240;
const KILLS_PER_STORE: usize = 520;

/// One message file and the message it carries.
struct Input {
    path: PathBuf,
    unique: usize,
    legacy: bool,
}

/// A small xorshift generator: the test is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// `UNIQUE` distinct messages (one in ten legacy OIOXML, the rest FHIR JSON), and a
/// byte-identical copy of every fifth one.
fn corpus(dir: &Path) -> Vec<Input> {
    let mut inputs = Vec::new();
    for i in 0..UNIQUE {
        let legacy = i % 10 == 9;
        let bytes = if legacy {
            exchange::message("oioxml", &format!("K{i:013}"), &format!("B{i:09}"))
        } else {
            exchange::message(
                "fhir-json",
                &format!("{i:08x}-0000-4000-8000-000000000001"),
                &format!("{i:08x}-0000-4000-8000-000000000002"),
            )
        };
        let path = dir.join(format!("m{i:05}"));
        std::fs::write(&path, &bytes).expect("write message");
        inputs.push(Input {
            path,
            unique: i,
            legacy,
        });
        if i % 5 == 4 {
            let copy = dir.join(format!("d{i:05}"));
            std::fs::write(&copy, &bytes).expect("copy");
            inputs.push(Input {
                path: copy,
                unique: i,
                legacy,
            });
        }
    }
    inputs
}

/// One answer line, with the content of the answer file as it was when the line came.
#[derive(Clone, Debug)]
struct Answer {
    decision: String,
    message_id: String,
    ack_id: String,
    code: String,
    content: Vec<u8>,
}

/// Runs one receiver on `batch` (indexes into `inputs`); kills it after `kill_after_lines`
/// lines and `delay_us` more microseconds, or after `delay_us` from the start when no line
/// count is given. Returns the answers it printed (every line up to the kill), by input index.
fn run_once(
    store: &str,
    acks: &Path,
    inputs: &[Input],
    batch: &[usize],
    kill: Option<(Option<usize>, u64)>,
) -> Vec<(usize, Answer)> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_medcom"))
        .args([
            "receive",
            "--store",
            store,
            "--batch",
            "--handover-timeout",
            "0",
        ])
        .arg("--ack-out")
        .arg(acks)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("medcom runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let by_path: HashMap<String, usize> = batch
        .iter()
        .map(|&i| (inputs[i].path.display().to_string(), i))
        .collect();
    let paths: Vec<String> = batch
        .iter()
        .map(|&i| format!("{}\n", inputs[i].path.display()))
        .collect();
    let writer = std::thread::spawn(move || {
        for p in paths {
            // The receiver may be killed while we write.
            if stdin.write_all(p.as_bytes()).is_err() {
                return;
            }
        }
    });
    let stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let (tx, rx) = mpsc::channel::<()>();
    let legacy: HashMap<usize, bool> = batch.iter().map(|&i| (i, inputs[i].legacy)).collect();
    let reader = std::thread::spawn(move || {
        let mut got = Vec::new();
        for line in stdout.lines() {
            let Ok(line) = line else { break };
            // A line cut short by the kill was never printed.
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else {
                break;
            };
            let s = |k: &str| v[k].as_str().unwrap_or("").to_owned();
            let index = by_path[&s("file")];
            let content = match v["ack_file"].as_str() {
                Some(f) => {
                    let bytes = std::fs::read(f).expect("answer file");
                    if legacy[&index] {
                        bytes
                    } else {
                        exchange::content(&bytes)
                    }
                }
                None => Vec::new(),
            };
            got.push((
                index,
                Answer {
                    decision: s("decision"),
                    message_id: s("message_id"),
                    ack_id: s("ack_id"),
                    code: s("code"),
                    content,
                },
            ));
            let _ = tx.send(());
        }
        got
    });
    if let Some((lines, delay_us)) = kill {
        if let Some(n) = lines {
            for _ in 0..n {
                if rx.recv_timeout(Duration::from_secs(30)).is_err() {
                    break;
                }
            }
        }
        std::thread::sleep(Duration::from_micros(delay_us));
        let _ = child.kill();
    }
    let _ = child.wait();
    let _ = writer.join();
    reader.join().expect("reader")
}

/// Streams the corpus into receivers killed at random points until `KILLS_PER_STORE` kills
/// happened, then lets one finish; returns every answer by input index.
fn stream_with_kills(store: &str, dir: &Path, inputs: &[Input], seed: u64) -> Vec<Vec<Answer>> {
    let acks = dir.join("acks");
    std::fs::create_dir_all(&acks).expect("acks dir");
    let mut rng = Rng(seed);
    let mut answers: Vec<Vec<Answer>> = vec![Vec::new(); inputs.len()];
    let mut kills = 0;
    while kills < KILLS_PER_STORE {
        // What is not answered yet, else copies of answered ones (they must get the same
        // answer), in a random order.
        let mut batch: Vec<usize> = (0..inputs.len())
            .filter(|&i| answers[i].is_empty())
            .collect();
        if batch.is_empty() {
            batch = (0..20)
                .map(|_| rng.below(inputs.len() as u64) as usize)
                .collect();
        }
        for i in (1..batch.len()).rev() {
            batch.swap(i, rng.below(i as u64 + 1) as usize);
        }
        // A third of the kills come at a random time from the start (start-up, store opening,
        // the first messages); the rest after a few answers plus up to 3 ms.
        let kill = if rng.below(3) == 0 {
            (None, rng.below(40_000))
        } else {
            (Some(rng.below(6) as usize), rng.below(3_000))
        };
        for (i, a) in run_once(store, &acks, inputs, &batch, Some(kill)) {
            answers[i].push(a);
        }
        kills += 1;
    }
    // A last receiver gets everything once more: what was never answered, and what was
    // answered but killed before its hand-over was confirmed (handed over again now).
    let all: Vec<usize> = (0..inputs.len()).collect();
    for (i, a) in run_once(store, &acks, inputs, &all, None) {
        answers[i].push(a);
    }
    eprintln!("{kills} kills on {store}");
    answers
}

/// No message lost, every input answered, every answer to one message the same.
fn check(store: &str, inputs: &[Input], answers: &[Vec<Answer>]) {
    let mut by_message: HashMap<usize, Vec<&Answer>> = HashMap::new();
    for (i, list) in answers.iter().enumerate() {
        assert!(!list.is_empty(), "input {i} never answered");
        by_message
            .entry(inputs[i].unique)
            .or_default()
            .extend(list.iter());
    }
    assert_eq!(by_message.len(), UNIQUE);
    let mut handed_over_again = 0;
    for (unique, list) in &by_message {
        let processed = list.iter().filter(|a| a.decision == "process").count();
        assert!(processed >= 1, "message {unique} was never handed over");
        handed_over_again += processed - 1;
        let first = list[0];
        for a in list {
            assert!(
                matches!(a.decision.as_str(), "process" | "duplicate" | "reject"),
                "message {unique}: {a:?}"
            );
            assert_eq!(a.message_id, first.message_id);
            assert!(!a.ack_id.is_empty(), "{a:?} has no answer");
            assert_eq!(a.ack_id, first.ack_id, "message {unique}: two answers");
            assert_eq!(a.code, first.code, "message {unique}: two codes");
            assert!(!a.content.is_empty(), "{a:?}: no answer file");
            assert!(
                a.content == first.content,
                "message {unique}: answer content differs"
            );
        }
    }
    let mut s = medcom::exchange::store::open(store).expect("store");
    let counts = s.counts().expect("counts");
    assert_eq!(counts.messages, UNIQUE as u64, "{counts:?}");
    for (input, list) in inputs.iter().zip(answers) {
        let a = &list[0];
        let generation = if input.legacy { "legacy" } else { "fhir" };
        let r = s
            .received(generation, &a.message_id)
            .expect("store")
            .expect("recorded");
        assert!(r.handed_over, "{} left pending", a.message_id);
    }
    eprintln!("{counts:?}; {handed_over_again} hand-overs repeated after a kill");
}

#[test]
fn sqlite_receiver_killed_at_random_points_loses_nothing() {
    if cfg!(not(feature = "sqlite")) {
        eprintln!("\n*** SKIPPED: built without the `sqlite` feature ***\n");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let inputs = corpus(dir.path());
    let store = dir.path().join("mailbox.db");
    let store = store.to_str().expect("utf-8");
    let answers = stream_with_kills(store, dir.path(), &inputs, 0x2545_f491_4f6c_dd1d);
    check(store, &inputs, &answers);
}

#[test]
fn postgres_receiver_killed_at_random_points_loses_nothing() {
    let Some(url) = exchange::postgres_store("receive_crash") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let inputs = corpus(dir.path());
    let answers = stream_with_kills(&url, dir.path(), &inputs, 0x9e37_79b9_7f4a_7c15);
    check(&url, &inputs, &answers);
}

/// Two receivers start on a store that does not exist yet and are fed the same 200 messages:
/// no error, and each message is processed by exactly one of them.
fn two_receivers_on_a_new_store(store: &str, dir: &Path) {
    let mut inputs = corpus(dir);
    inputs.retain(|i| {
        i.path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('m'))
    });
    inputs.truncate(200);
    let all: Vec<usize> = (0..inputs.len()).collect();
    let acks = [dir.join("acks-a"), dir.join("acks-b")];
    for a in &acks {
        std::fs::create_dir_all(a).expect("dir");
    }
    let run = |acks: &Path| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_medcom"))
            .args(["receive", "--store", store, "--batch", "--ack-out"])
            .arg(acks)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("medcom runs");
        let mut stdin = child.stdin.take().expect("stdin");
        for &i in &all {
            writeln!(stdin, "{}", inputs[i].path.display()).expect("write");
        }
        drop(stdin);
        child.wait_with_output().expect("output")
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| run(&acks[0]));
        let b = s.spawn(|| run(&acks[1]));
        (a.join().expect("a"), b.join().expect("b"))
    });
    let mut processed: HashMap<String, usize> = HashMap::new();
    for out in [&a, &b] {
        assert!(
            out.status.success(),
            "a receiver failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(text.lines().count(), 200, "{text}");
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).expect("JSON");
            let decision = v["decision"].as_str().unwrap_or("");
            assert!(
                matches!(decision, "process" | "duplicate" | "reject"),
                "{line}"
            );
            if decision == "process" {
                *processed
                    .entry(v["message_id"].as_str().unwrap_or("").to_owned())
                    .or_default() += 1;
            }
        }
    }
    assert_eq!(processed.len(), 200, "a message was never processed");
    assert!(
        processed.values().all(|&n| n == 1),
        "a message was processed twice"
    );
}

#[test]
fn two_sqlite_receivers_on_a_new_store_process_each_message_once() {
    if cfg!(not(feature = "sqlite")) {
        eprintln!("\n*** SKIPPED: built without the `sqlite` feature ***\n");
        return;
    }
    for round in 0..10 {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = dir.path().join(format!("new-{round}.db"));
        two_receivers_on_a_new_store(store.to_str().expect("utf-8"), dir.path());
    }
}

#[test]
fn two_postgres_receivers_on_a_new_store_process_each_message_once() {
    let Some(url) = exchange::postgres_store("receive_two_new") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    two_receivers_on_a_new_store(&url, dir.path());
}

/// The store-opening race itself, many times: four threads open one new SQLite file at the
/// same instant; every open succeeds.
#[test]
fn concurrent_first_opens_of_a_new_sqlite_store_all_succeed() {
    if cfg!(not(feature = "sqlite")) {
        eprintln!("\n*** SKIPPED: built without the `sqlite` feature ***\n");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    for round in 0..100 {
        let path = dir.path().join(format!("race-{round}.db"));
        let path = path.to_str().expect("utf-8");
        let barrier = std::sync::Barrier::new(4);
        std::thread::scope(|s| {
            let opens: Vec<_> = (0..4)
                .map(|_| {
                    s.spawn(|| {
                        barrier.wait();
                        medcom::exchange::store::open(path).map(|_| ())
                    })
                })
                .collect();
            for o in opens {
                let result = o.join().expect("thread");
                assert!(result.is_ok(), "round {round}: {result:?}");
            }
        });
    }
}
