//! The README's command reference and the command-line parser agree: every command and every
//! option the parser knows is in the README under its command, and the README names none the
//! parser does not know. The parser is read through `medcom --help` and `medcom CMD --help`.

mod common;

use std::collections::BTreeSet;

const BEGIN: &str = "<!-- command reference: begin";
const END: &str = "<!-- command reference: end -->";

/// Text of `medcom ARGS`, which must succeed.
fn help(args: &[&str]) -> String {
    let out = common::run_medcom(args, b"");
    assert_eq!(out.status.code(), Some(0), "{args:?}");
    String::from_utf8(out.stdout).expect("UTF-8 help")
}

/// The lines of a help section (`Commands:`, `Options:`) up to the next blank line.
fn section<'a>(text: &'a str, title: &str) -> Vec<&'a str> {
    text.lines()
        .skip_while(|l| *l != title)
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .collect()
}

/// The parser's commands, without clap's own `help`.
fn commands() -> BTreeSet<String> {
    section(&help(&["--help"]), "Commands:")
        .iter()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_owned)
        .collect()
}

/// Long options of one command, without `--help` and `--version`.
fn options(command: &str) -> BTreeSet<String> {
    section(&help(&[command, "-h"]), "Options:")
        .iter()
        // The flags column ends where the description starts, after two spaces.
        .filter_map(|l| l.trim().split("  ").next())
        .flat_map(|l| l.split(|c: char| c.is_whitespace() || c == ','))
        .filter(|w| w.starts_with("--"))
        .filter(|w| !matches!(*w, "--help" | "--version"))
        .map(str::to_owned)
        .collect()
}

/// `--word` tokens of a text.
fn mentioned(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find("--") {
        let word: String = rest[i + 2..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '-')
            .collect();
        if !word.is_empty() {
            found.insert(format!("--{word}"));
        }
        rest = &rest[i + 2 + word.len()..];
    }
    found
}

/// The README's reference: command name → its subsection's text.
fn readme() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let start = text.find(BEGIN).expect("README has the begin marker");
    let end = text[start..].find(END).expect("README has the end marker") + start;
    text[start..end]
        .split("\n### `medcom ")
        .skip(1)
        .map(|part| {
            let name = part.split([' ', '`']).next().unwrap_or("").to_owned();
            (name, part.to_owned())
        })
        .collect()
}

#[test]
fn readme_lists_every_command_and_option_of_the_parser() {
    let readme = readme();
    let documented: BTreeSet<String> = readme.iter().map(|(n, _)| n.clone()).collect();
    let parsed = commands();
    assert!(parsed.len() >= 9, "{parsed:?}");
    assert_eq!(
        documented, parsed,
        "README commands (left) vs the parser's (right)"
    );
    for (name, text) in &readme {
        let known = options(name);
        let named = mentioned(text);
        assert_eq!(
            named, known,
            "medcom {name}: options in the README (left) vs the parser's (right)"
        );
    }
}

/// The check itself can fail: a section without its options does not pass.
#[test]
fn a_missing_option_is_noticed() {
    assert!(options("validate").contains("--max-findings"));
    assert!(!mentioned("`--format text|json` and `--jobs N`").contains("--max-findings"));
    assert_eq!(
        mentioned("--a-b, --c=1 and - x --"),
        ["--a-b", "--c"].iter().map(|s| (*s).to_owned()).collect()
    );
}
