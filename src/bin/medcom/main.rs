//! `medcom`: convert, validate, send, receive and acknowledge MedCom messages from the command
//! line. `medcom --help` lists the commands, `medcom help CMD` (or `medcom CMD --help`)
//! describes one.
//!
//! Exit codes: 0 success, 1 unreadable or invalid input (the error, with its location, on
//! stderr), 2 usage or I/O errors.

use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory, Parser, Subcommand};

mod ack;
mod convert;
mod import;
mod outbox;
mod receive;
mod send;
mod serve;
mod validate;

/// How a command ended.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The input could not be read as a message (exit 1).
    Input(String),
    /// Some input is invalid; the findings are already on stdout (exit 1).
    Invalid,
    /// Bad arguments (exit 2).
    Usage(String),
    /// Reading or writing a file or stream failed (exit 2).
    Io(String),
}

pub(crate) type Outcome = Result<(), Failure>;

/// Read, write, validate, send, receive and acknowledge Danish MedCom messages (FHIR R4,
/// OIOXML, EDIFACT).
#[derive(Debug, Parser)]
#[command(
    name = "medcom",
    version,
    about = "Read, write, validate, send, receive and acknowledge Danish MedCom messages \
             (FHIR R4 XML and JSON, OIOXML, EDIFACT)",
    after_help = "Exit codes: 0 success; 1 unreadable or invalid input; 2 usage or I/O errors.\n\
                  Colour on terminals; NO_COLOR turns it off.",
    propagate_version = true,
    max_term_width = 100
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Converts a FHIR message between XML and JSON, or a legacy letter between OIOXML and
    /// EDIFACT.
    #[command(long_about = convert::ABOUT)]
    Convert(convert::Options),
    /// Validates FHIR messages, OIOXML letters and EDIFACT interchanges.
    #[command(long_about = validate::ABOUT)]
    Validate(validate::Options),
    /// Receives a message: validates it, records it in the duplicate table and answers it.
    #[command(long_about = receive::ABOUT)]
    Receive(receive::Options),
    /// Validates, records and envelopes an outgoing message.
    #[command(long_about = send::ABOUT)]
    Send(send::Options),
    /// Lists outgoing messages and their state, or resends the due ones.
    #[command(long_about = outbox::ABOUT)]
    Outbox(outbox::Options),
    /// Writes the acknowledgement of a FHIR message or the receipt of a legacy letter.
    #[command(long_about = ack::ABOUT)]
    Ack(ack::Options),
    /// Serves validation, conversion and acknowledgement over HTTP, with a web page.
    #[command(long_about = serve::ABOUT)]
    Serve(serve::Options),
    /// Regenerates the project's compiled rule files from the shared reference material.
    #[command(long_about = import::ABOUT)]
    Import(import::Options),
    /// Prints a shell completion script.
    #[command(
        long_about = "Prints the completion script for SHELL to stdout, e.g.\n  \
                      medcom completions bash > ~/.local/share/bash-completion/completions/medcom"
    )]
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Prints the manual page (roff) of medcom, or of one command.
    #[command(
        long_about = "Prints the manual page of medcom, or of COMMAND, as roff to stdout, \
                            e.g.\n  medcom man | man -l -\n  medcom man validate > medcom-validate.1"
    )]
    Man {
        /// The command whose page to print (the overview when absent).
        command: Option<String>,
    },
}

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => return clap_failure(&e, command_name(&args)),
    };
    let name = command_name(&args);
    let result = match cli.command {
        Command::Ack(o) => ack::run(o),
        Command::Convert(o) => convert::run(o),
        Command::Import(o) => import::run(o),
        Command::Validate(o) => validate::run(o),
        Command::Receive(o) => receive::run(o),
        Command::Send(o) => send::run(o),
        Command::Outbox(o) => outbox::run(o),
        Command::Serve(o) => serve::run(o),
        Command::Completions { shell } => completions(shell),
        Command::Man { command } => man(command.as_deref()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => report(&f, name),
    }
}

/// The command named on the command line, for the hint after a usage error.
fn command_name(args: &[std::ffi::OsString]) -> Option<String> {
    let name = args.get(1)?.to_str()?;
    Cli::command()
        .get_subcommands()
        .any(|c| c.get_name() == name)
        .then(|| name.to_owned())
}

fn completions(shell: clap_complete::Shell) -> Outcome {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "medcom", &mut out);
    write_stdout(&out)
}

fn man(command: Option<&str>) -> Outcome {
    let mut cli = Cli::command();
    cli.build();
    let page = match command {
        None => cli,
        Some(name) => {
            let sub = cli
                .find_subcommand(name)
                .ok_or_else(|| Failure::Usage(format!("no command '{name}' to print a page of")))?;
            // The page is named medcom-NAME, its synopsis `medcom NAME ...`.
            sub.clone()
                .name(format!("medcom-{name}"))
                .bin_name(format!("medcom {name}"))
                .version(env!("CARGO_PKG_VERSION"))
        }
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut out)
        .map_err(|e| Failure::Io(e.to_string()))?;
    write_stdout(&out)
}

/// Help and version go to stdout in full; a usage error is one line and a hint on stderr.
fn clap_failure(e: &clap::Error, command: Option<String>) -> ExitCode {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            // Clap colours help on a terminal unless NO_COLOR is set.
            return match e.print() {
                Err(io) if io.kind() != std::io::ErrorKind::BrokenPipe => {
                    report(&Failure::Io(format!("stdout: {io}")), command)
                }
                _ => ExitCode::SUCCESS,
            };
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ErrorKind::MissingSubcommand
            if command.is_none() =>
        {
            return report(&Failure::Usage("no command given".into()), None);
        }
        _ => {}
    }
    report(&Failure::Usage(one_line(e, command.as_deref())), command)
}

/// Clap's error as one line: its first line, what it lists (missing arguments, possible
/// values) and its suggestion.
fn one_line(e: &clap::Error, command: Option<&str>) -> String {
    let strings = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => vec![s.clone()],
        Some(ContextValue::Strings(v)) => v.clone(),
        _ => Vec::new(),
    };
    let mut line = match e.kind() {
        ErrorKind::MissingRequiredArgument => format!(
            "{} needs {}",
            command.unwrap_or("medcom"),
            strings(ContextKind::InvalidArg).join(" and ")
        ),
        _ => {
            let rendered = e.render().to_string();
            let first = rendered.lines().next().unwrap_or("invalid arguments");
            first.strip_prefix("error: ").unwrap_or(first).to_owned()
        }
    };
    if let Some(ContextValue::String(reason)) = e.get(ContextKind::Custom) {
        if !line.contains(reason.as_str()) {
            line = format!("{line}: {reason}");
        }
    }
    let valid = strings(ContextKind::ValidValue);
    if !valid.is_empty() && e.kind() != ErrorKind::MissingRequiredArgument {
        line = format!("{line}; it takes {}", or_list(&valid));
    }
    let suggested: Vec<String> = strings(ContextKind::SuggestedSubcommand)
        .into_iter()
        .chain(strings(ContextKind::SuggestedArg))
        .collect();
    if !suggested.is_empty() {
        let quoted: Vec<String> = suggested.iter().map(|s| format!("'{s}'")).collect();
        line = format!("{line}; did you mean {}?", or_list(&quoted));
    }
    line
}

/// `a`, `a or b`, `a, b or c`.
fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn report(failure: &Failure, command: Option<String>) -> ExitCode {
    match failure {
        Failure::Input(msg) => {
            eprintln!("medcom: {msg}");
            ExitCode::from(1)
        }
        Failure::Invalid => ExitCode::from(1),
        Failure::Usage(msg) => {
            let help = command.map_or_else(
                || "medcom --help".to_owned(),
                |c| format!("medcom {c} --help"),
            );
            let error = paint_stderr("error:", Style::Error);
            eprintln!("medcom: {error} {msg} (see '{help}')");
            ExitCode::from(2)
        }
        Failure::Io(msg) => {
            eprintln!("medcom: {msg}");
            ExitCode::from(2)
        }
    }
}

/// Colours of the few coloured words.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Style {
    /// Errors, and a summary with invalid files.
    Error,
    /// A summary with every file valid.
    Good,
}

/// Whether colour is allowed at all: `NO_COLOR` (any non-empty value) forbids it.
fn colour_wanted() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Colours `text` when the stream is a terminal (or `CLICOLOR_FORCE` is set) and `NO_COLOR`
/// allows it: the conventions clap's own help follows.
fn paint(text: &str, style: Style, terminal: bool) -> String {
    let forced = std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0");
    if !(terminal || forced) || !colour_wanted() {
        return text.to_owned();
    }
    let code = match style {
        Style::Error => "1;31",
        Style::Good => "1;32",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// `text` coloured for stdout (plain unless stdout is a terminal).
pub(crate) fn paint_stdout(text: &str, style: Style) -> String {
    paint(text, style, std::io::stdout().is_terminal())
}

fn paint_stderr(text: &str, style: Style) -> String {
    paint(text, style, std::io::stderr().is_terminal())
}

/// `1 file`, `2 files`.
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A count option's value: a whole number of at least `least`.
pub(crate) fn at_least<T>(least: T) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy + Send + Sync + 'static,
{
    move |s: &str| match s.parse::<T>() {
        Ok(n) if n >= least => Ok(n),
        _ => Err(format!("takes a number of at least {least}")),
    }
}

/// Reads a file, or stdin for `-`.
pub(crate) fn read_input(path: &str) -> Result<Vec<u8>, Failure> {
    if path == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| Failure::Io(format!("stdin: {e}")))?;
        Ok(buf)
    } else {
        std::fs::read(path).map_err(|e| Failure::Io(format!("{path}: {e}")))
    }
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
pub(crate) fn write_stdout(bytes: &[u8]) -> Outcome {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Io(format!("stdout: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn lists_read_as_prose() {
        let s = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(or_list(&s(&["a"])), "a");
        assert_eq!(or_list(&s(&["a", "b"])), "a or b");
        assert_eq!(or_list(&s(&["a", "b", "c"])), "a, b or c");
        assert_eq!(plural(1, "file", "files"), "1 file");
        assert_eq!(plural(2, "file", "files"), "2 files");
    }
}
