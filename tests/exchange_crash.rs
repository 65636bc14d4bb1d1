//! Crash safety and scale-out of the receiving side, through the real `medcom receive --batch`
//! process: 10,000 messages (10% duplicates) streamed into a receiver that is killed with
//! SIGKILL at random points at least 20 times and restarted; afterwards no message was processed
//! twice, none was lost, and every copy of a message got the same acknowledgement content. Run
//! for the SQLite store and, when `MEDCOM_TEST_POSTGRES` names a server, for PostgreSQL, where
//! two receivers fed the same messages concurrently also process each exactly once.

mod exchange;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const TOTAL: usize = 10_000;
const UNIQUE: usize = 9_000;
const MIN_KILLS: usize = 20;

/// One message file and the message it carries.
struct Input {
    path: PathBuf,
    unique: usize,
}

/// Writes 9,000 distinct messages (one in ten legacy OIOXML, the rest FHIR JSON) and 1,000
/// byte-identical copies, interleaved.
fn corpus(dir: &Path) -> Vec<Input> {
    let mut inputs = Vec::with_capacity(TOTAL);
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    for i in 0..UNIQUE {
        let bytes = if i % 10 == 9 {
            exchange::message("oioxml", &format!("K{i:013}"), &format!("B{i:09}"))
        } else {
            exchange::message(
                "fhir-json",
                &format!("{i:08x}-0000-4000-8000-000000000001"),
                &format!("{i:08x}-0000-4000-8000-000000000002"),
            )
        };
        let path = dir.join(format!("m{i:05}"));
        std::fs::write(&path, bytes).expect("write message");
        inputs.push(Input { path, unique: i });
        // Every ninth message is followed, a little later, by a copy.
        if i % 9 == 8 {
            let of = i - (next() % 8) as usize;
            let copy = dir.join(format!("d{i:05}"));
            std::fs::copy(dir.join(format!("m{of:05}")), &copy).expect("copy");
            inputs.push(Input {
                path: copy,
                unique: of,
            });
        }
    }
    assert_eq!(inputs.len(), TOTAL);
    inputs
}

fn receiver(store: &str, acks: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_medcom"))
        .args(["receive", "--store", store, "--batch", "--ack-out"])
        .arg(acks)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("medcom runs")
}

/// One answer line.
#[derive(Clone, Debug)]
struct Answer {
    decision: String,
    message_id: String,
    ack_id: String,
}

fn parse(line: &str) -> Answer {
    let v: serde_json::Value = serde_json::from_str(line).expect("JSON line");
    let s = |k: &str| v[k].as_str().unwrap_or("").to_owned();
    Answer {
        decision: s("decision"),
        message_id: s("message_id"),
        ack_id: s("ack_id"),
    }
}

/// Feeds `pending` to a receiver, reading answers until `kill_after` of them (then SIGKILL) or
/// the end. Returns the answers in order (a prefix of `pending`).
fn run_once(
    store: &str,
    acks: &Path,
    pending: &[&Input],
    kill_after: Option<usize>,
) -> Vec<Answer> {
    let mut child = receiver(store, acks);
    let mut stdin = child.stdin.take().expect("stdin");
    let paths: Vec<String> = pending
        .iter()
        .map(|i| format!("{}\n", i.path.display()))
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
    let mut answers = Vec::new();
    for line in stdout.lines() {
        let Ok(line) = line else { break };
        answers.push(parse(&line));
        if Some(answers.len()) == kill_after {
            child.kill().expect("SIGKILL");
            break;
        }
    }
    let _ = child.wait();
    let _ = writer.join();
    answers
}

/// Streams the corpus with kills until every input is answered; returns every answer per input
/// index and the number of kills.
fn stream_with_kills(store: &str, dir: &Path, inputs: &[Input]) -> (Vec<Vec<Answer>>, usize) {
    let acks = dir.join("acks");
    std::fs::create_dir_all(&acks).expect("acks dir");
    let mut answers: Vec<Vec<Answer>> = vec![Vec::new(); inputs.len()];
    let mut pending: Vec<usize> = (0..inputs.len()).collect();
    let mut kills = 0;
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    while !pending.is_empty() {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        // Kill after 100–500 answers while enough input is left, so at least 20 kills happen.
        let kill_after = (kills < 40 && pending.len() > 600).then(|| 100 + (rng % 400) as usize);
        let batch: Vec<&Input> = pending.iter().map(|&i| &inputs[i]).collect();
        let got = run_once(store, &acks, &batch, kill_after);
        if kill_after.is_some() {
            kills += 1;
        }
        for (k, a) in got.iter().enumerate() {
            answers[pending[k]].push(a.clone());
        }
        // Unanswered messages are sent again, as a sender would.
        pending.drain(..got.len());
    }
    (answers, kills)
}

/// The checks of done-when point 4.
fn check(store: &str, dir: &Path, inputs: &[Input], answers: &[Vec<Answer>], kills: usize) {
    assert!(kills >= MIN_KILLS, "only {kills} kills");
    let mut by_message: HashMap<usize, Vec<&Answer>> = HashMap::new();
    for (i, a) in answers.iter().enumerate() {
        assert_eq!(a.len(), 1, "input {i} answered {} times", a.len());
        by_message.entry(inputs[i].unique).or_default().extend(a);
    }
    assert_eq!(by_message.len(), UNIQUE, "a message was lost");
    let acks = dir.join("acks");
    for (unique, list) in &by_message {
        let processed = list.iter().filter(|a| a.decision == "process").count();
        assert!(
            processed <= 1,
            "message {unique} processed {processed} times"
        );
        let first = &list[0];
        for a in list {
            assert!(
                matches!(a.decision.as_str(), "process" | "duplicate" | "reject"),
                "{a:?}"
            );
            assert_eq!(a.message_id, first.message_id);
            assert!(!a.ack_id.is_empty(), "{a:?} has no acknowledgement");
            assert_eq!(
                a.ack_id, first.ack_id,
                "message {unique}: two acknowledgements"
            );
        }
    }
    // Duplicates got the same acknowledgement content as the original, in a new envelope.
    for input in inputs.iter().filter(|i| {
        i.path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('d'))
    }) {
        let name = |p: &Path| {
            acks.join(format!(
                "{}.ack",
                p.file_name().expect("name").to_string_lossy()
            ))
        };
        let copy = std::fs::read(name(&input.path)).expect("ack of the copy");
        let original =
            std::fs::read(name(&dir.join(format!("m{:05}", input.unique)))).expect("ack");
        if input.unique % 10 == 9 {
            assert_eq!(copy, original, "legacy receipt differs");
        } else {
            assert_eq!(
                exchange::content(&copy),
                exchange::content(&original),
                "acknowledgement content differs"
            );
        }
    }
    // The store recorded each message exactly once, and no more.
    let counts = medcom::exchange::store::open(store)
        .expect("store")
        .counts()
        .expect("counts");
    assert_eq!(counts.messages, UNIQUE as u64, "{counts:?}");
    assert!(counts.receptions >= TOTAL as u64, "{counts:?}");
    eprintln!("{kills} kills; {counts:?}");
}

#[test]
fn sqlite_receiver_survives_sigkill() {
    if cfg!(not(feature = "sqlite")) {
        eprintln!("\n*** SKIPPED: built without the `sqlite` feature ***\n");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let inputs = corpus(dir.path());
    let store = dir.path().join("mailbox.db");
    let store = store.to_str().expect("utf-8");
    let (answers, kills) = stream_with_kills(store, dir.path(), &inputs);
    check(store, dir.path(), &inputs, &answers, kills);
}

/// The PostgreSQL server named by `MEDCOM_TEST_POSTGRES`, emptied; `None` (loudly) when unset.
#[cfg(feature = "postgres")]
fn postgres() -> Option<String> {
    let Some(url) = std::env::var("MEDCOM_TEST_POSTGRES")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        eprintln!("\n*** SKIPPED: MEDCOM_TEST_POSTGRES is not set (run .ci/postgres.sh) ***\n");
        return None;
    };
    let mut store =
        medcom::exchange::store::postgres::PostgresStore::connect(&url).expect("connect");
    store.clear().expect("clear");
    Some(url)
}

#[cfg(not(feature = "postgres"))]
fn postgres() -> Option<String> {
    eprintln!("\n*** SKIPPED: built without the `postgres` feature (use --all-features) ***\n");
    None
}

/// Both PostgreSQL tests share one database: run them one after the other.
static POSTGRES: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn postgres_receiver_survives_sigkill() {
    let _one = POSTGRES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let Some(url) = postgres() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let inputs = corpus(dir.path());
    let (answers, kills) = stream_with_kills(&url, dir.path(), &inputs);
    check(&url, dir.path(), &inputs, &answers, kills);
}

#[test]
fn two_postgres_receivers_process_each_message_once() {
    let _one = POSTGRES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let Some(url) = postgres() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let inputs = corpus(dir.path());
    let all: Vec<&Input> = inputs.iter().collect();
    let acks_a = dir.path().join("acks-a");
    let acks_b = dir.path().join("acks-b");
    std::fs::create_dir_all(&acks_a).expect("dir");
    std::fs::create_dir_all(&acks_b).expect("dir");
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| run_once(&url, &acks_a, &all, None));
        let b = s.spawn(|| run_once(&url, &acks_b, &all, None));
        (a.join().expect("node a"), b.join().expect("node b"))
    });
    assert_eq!((a.len(), b.len()), (TOTAL, TOTAL));
    let mut processed: HashMap<&str, usize> = HashMap::new();
    let mut ack: HashMap<&str, &str> = HashMap::new();
    for answer in a.iter().chain(&b) {
        if answer.decision == "process" {
            *processed.entry(&answer.message_id).or_default() += 1;
        }
        let first = ack.entry(&answer.message_id).or_insert(&answer.ack_id);
        assert_eq!(
            *first,
            answer.ack_id.as_str(),
            "two acknowledgements for {}",
            answer.message_id
        );
    }
    assert_eq!(processed.len(), UNIQUE, "a message was never processed");
    assert!(
        processed.values().all(|&n| n == 1),
        "a message was processed twice"
    );
    let both = [&a, &b].map(|n| n.iter().filter(|x| x.decision == "process").count());
    eprintln!("processed by node a: {}, by node b: {}", both[0], both[1]);
    let counts = medcom::exchange::store::open(&url)
        .expect("store")
        .counts()
        .expect("counts");
    assert_eq!(counts.messages, UNIQUE as u64);
}
