//! `medcom receive --store URL [--ack-out PATH] [--batch] FILE|-`

use std::io::BufRead;
use std::sync::Arc;

use medcom::exchange::clock::SystemClock;
use medcom::exchange::{store, Engine, Outcome as Received};

use crate::{read_input, write_stdout, Failure, Outcome};

/// One JSON line for a reception.
fn line(o: &Received) -> String {
    let mut v = serde_json::json!({
        "decision": o.decision.as_str(),
        "message_id": o.message_id,
        "ack_id": o.ack_id,
    });
    if let Some(e) = &o.error {
        v["error"] = serde_json::Value::String(e.clone());
    }
    format!("{v}\n")
}

pub(crate) fn run(args: &[String]) -> Outcome {
    let mut store_url: Option<&str> = None;
    let mut ack_out: Option<&str> = None;
    let mut batch = false;
    let mut file: Option<&str> = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--store" => {
                store_url = Some(
                    it.next()
                        .ok_or_else(|| Failure::Usage("--store needs a URL".into()))?,
                );
            }
            "--ack-out" => {
                ack_out = Some(
                    it.next()
                        .ok_or_else(|| Failure::Usage("--ack-out needs a path".into()))?,
                );
            }
            "--batch" => batch = true,
            "-" => file = Some("-"),
            flag if flag.starts_with('-') => {
                return Err(Failure::Usage(format!("unknown option '{flag}'")))
            }
            path if file.is_none() => file = Some(path),
            _ => return Err(Failure::Usage("receive takes one FILE".into())),
        }
    }
    let url = store_url.ok_or_else(|| Failure::Usage("receive needs --store URL".into()))?;
    let store = store::open(url).map_err(|e| Failure::Io(e.to_string()))?;
    let mut engine = Engine::new(store, Arc::new(SystemClock::default()));
    if batch {
        return run_batch(&mut engine, ack_out);
    }
    let path =
        file.ok_or_else(|| Failure::Usage("receive needs a FILE (or - for stdin)".into()))?;
    let bytes = read_input(path)?;
    let out = engine
        .receive(&bytes)
        .map_err(|e| Failure::Io(e.to_string()))?;
    if let (Some(target), Some(response)) = (ack_out, &out.response) {
        std::fs::write(target, response).map_err(|e| Failure::Io(format!("{target}: {e}")))?;
    }
    write_stdout(line(&out).as_bytes())?;
    match out.decision {
        medcom::exchange::Decision::Error => Err(Failure::Input(
            out.error.unwrap_or_else(|| "not received".to_owned()),
        )),
        _ => Ok(()),
    }
}

/// Daemon mode: reads file paths from stdin, one per line, and answers each with its JSON line
/// (flushed at once); with `--ack-out DIR`, writes each response to `DIR/<file name>.ack`.
fn run_batch(engine: &mut Engine, ack_dir: Option<&str>) -> Outcome {
    let stdin = std::io::stdin();
    for path in stdin.lock().lines() {
        let path = path.map_err(|e| Failure::Io(format!("stdin: {e}")))?;
        let path = path.trim();
        if path.is_empty() {
            continue;
        }
        let bytes = std::fs::read(path).map_err(|e| Failure::Io(format!("{path}: {e}")))?;
        let out = engine
            .receive(&bytes)
            .map_err(|e| Failure::Io(e.to_string()))?;
        if let (Some(dir), Some(response)) = (ack_dir, &out.response) {
            let name = std::path::Path::new(path)
                .file_name()
                .map_or_else(|| "response".into(), |n| n.to_string_lossy().into_owned());
            let target = std::path::Path::new(dir).join(format!("{name}.ack"));
            std::fs::write(&target, response)
                .map_err(|e| Failure::Io(format!("{}: {e}", target.display())))?;
        }
        write_stdout(line(&out).as_bytes())?;
    }
    Ok(())
}
