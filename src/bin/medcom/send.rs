//! `medcom send --store URL [--envelope vans|sbdh|none] FILE|-`

use std::sync::Arc;

use medcom::exchange::clock::SystemClock;
use medcom::exchange::engine::{EngineOptions, EnvelopeKind};
use medcom::exchange::{store, Engine};

use crate::{read_input, write_stdout, Failure, Outcome};

pub(crate) fn run(args: &[String]) -> Outcome {
    let mut store_url: Option<&str> = None;
    let mut kind = EnvelopeKind::Vans;
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
            "--envelope" => {
                kind = match it.next().map(String::as_str) {
                    Some("vans") => EnvelopeKind::Vans,
                    Some("sbdh") => EnvelopeKind::Sbdh,
                    Some("none") => EnvelopeKind::Bare,
                    _ => return Err(Failure::Usage("--envelope takes vans, sbdh or none".into())),
                };
            }
            "-" => file = Some("-"),
            flag if flag.starts_with('-') => {
                return Err(Failure::Usage(format!("unknown option '{flag}'")))
            }
            path if file.is_none() => file = Some(path),
            _ => return Err(Failure::Usage("send takes one FILE".into())),
        }
    }
    let url = store_url.ok_or_else(|| Failure::Usage("send needs --store URL".into()))?;
    let path = file.ok_or_else(|| Failure::Usage("send needs a FILE (or - for stdin)".into()))?;
    let bytes = read_input(path)?;
    let store = store::open(url).map_err(|e| Failure::Io(e.to_string()))?;
    let mut engine = Engine::new(store, Arc::new(SystemClock::default()))
        .with_options(EngineOptions::default().with_envelope(kind));
    let (_, envelope) = engine.send(&bytes).map_err(|e| match e.kind() {
        medcom::exchange::ExchangeErrorKind::Store(_) => Failure::Io(e.to_string()),
        _ => Failure::Input(format!("{path}: {e}")),
    })?;
    write_stdout(&envelope)
}
