//! The layers of the library, kept: every `crate::` path in `src/` (outside the command-line
//! tool) names a top-level module of the same or a lower layer, in the order of [`LAYERS`];
//! there is then no import cycle between top-level modules. The crate root's own items and
//! re-exports count as the module they come from.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every top-level module, lowest first, with its layer. A module may use the modules above
/// it in this table, never one below it. Data flows one way: bytes → model → readers and
/// writers → FHIRPath and profiles → validation → typed messages → exchange → the front door.
const LAYERS: &[(&str, &str)] = &[
    ("primitive", "bytes"),
    ("error", "bytes"),
    ("lines", "bytes"),
    ("words", "bytes"),
    ("options", "bytes"),
    ("base64", "bytes"),
    ("calendar", "bytes"),
    ("clock", "bytes"),
    ("finding", "model"),
    ("model", "model"),
    ("dk", "model"),
    ("xml", "readers and writers"),
    ("json", "readers and writers"),
    // `medcom::parse` and `Format`: the FHIR readers behind one call.
    ("(root)", "readers and writers"),
    ("legacy", "readers and writers"),
    // The importer reads the official packages into rule files; the profile engine runs it
    // to build an engine from package folders.
    ("import", "readers and writers"),
    ("fhirpath", "FHIRPath and profiles"),
    ("profile", "FHIRPath and profiles"),
    ("validate", "validation"),
    ("messages", "typed messages"),
    // The migration bridge: legacy letters to typed FHIR messages and back.
    ("migrate", "typed messages"),
    ("exchange", "exchange"),
    ("input", "front door"),
    ("convert", "front door"),
    // The validation service (`medcom serve`): HTTP over the front door.
    ("serve", "service"),
    // Entry points for the fuzz targets: may use everything.
    ("__fuzz", "entry points"),
];

fn rank(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(m, _)| *m == module)
}

/// The source with comments and string literals blanked out (their `crate::` are no imports).
fn code_of(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            let mut depth = 0usize;
            while i < b.len() {
                if b[i..].starts_with(b"/*") {
                    depth += 1;
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if b[i] == b'r'
            && (b[i..].starts_with(b"r#") || b[i..].starts_with(b"r\""))
            && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_'))
        {
            let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
            if b.get(i + 1 + hashes) != Some(&b'"') {
                out.push('r');
                i += 1;
                continue;
            }
            let mut close = vec![b'"'];
            close.extend(std::iter::repeat_n(b'#', hashes));
            i += 2 + hashes;
            while i < b.len() && !b[i..].starts_with(&close) {
                i += 1;
            }
            i += close.len();
            out.push_str("\"\"");
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == b'\'' && b.get(i + 2) == Some(&b'\'') {
            // A character literal such as '"' (a lifetime has no closing quote).
            i += 3;
        } else if b[i] == b'\'' && b.get(i + 1) == Some(&b'\\') {
            i += 2;
            while i < b.len() && b[i] != b'\'' {
                i += 1;
            }
            i += 1;
        } else {
            let start = i;
            i += 1;
            while i < b.len() && !matches!(b[i], b'/' | b'"' | b'\'' | b'r') {
                i += 1;
            }
            out.push_str(&text[start..i]);
        }
    }
    out
}

/// The first segments of the `crate::` paths in `code`, groups (`crate::{a, b::c}`) opened.
fn crate_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue; // `$crate::` or `foocrate::`
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let first = item.trim().split("::").next().unwrap_or("").trim();
                if !first.is_empty() {
                    out.push(first.to_owned());
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.push(name);
        }
    }
    out
}

/// The crate root's items by name: the module each re-export comes from, `(root)` for items
/// defined in `lib.rs`.
fn root_items(lib: &str) -> BTreeMap<String, String> {
    let mut items = BTreeMap::new();
    let code = code_of(lib);
    for line in code.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("pub use ") {
            let rest = rest.trim_end_matches(';');
            let (module, names) = rest.split_once("::").unwrap_or((rest, ""));
            for name in names.trim_matches(['{', '}']).split(',') {
                let name = name.trim().rsplit(" as ").next().unwrap_or("").trim();
                if !name.is_empty() {
                    items.insert(name.to_owned(), module.to_owned());
                }
            }
        }
        for kind in ["pub fn ", "pub enum ", "pub struct ", "pub trait "] {
            if let Some(rest) = line.strip_prefix(kind) {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                items.insert(name, "(root)".to_owned());
            }
        }
    }
    items
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("src/ lists")
        .map(|e| e.expect("an entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every import of a top-level module by another: (user, used, file).
fn imports() -> Vec<(String, String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs");
    let root = root_items(&lib);
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut out = Vec::new();
    for file in files {
        let rel = file.strip_prefix(&src).expect("under src/");
        let mut parts = rel.iter().map(|p| p.to_string_lossy().into_owned());
        let first = parts.next().expect("a path");
        if first == "lib.rs" || first == "bin" {
            continue;
        }
        let user = first.trim_end_matches(".rs").to_owned();
        let text = std::fs::read_to_string(&file).expect("a source file");
        for name in crate_paths(&code_of(&text)) {
            let used = root.get(&name).cloned().unwrap_or(name);
            if used != user {
                out.push((user.clone(), used, rel.display().to_string()));
            }
        }
    }
    out
}

#[test]
fn every_top_level_module_is_in_the_table() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs");
    let mut missing = Vec::new();
    for line in code_of(&lib).lines().map(str::trim) {
        let line = line.strip_prefix("pub ").unwrap_or(line);
        if let Some(name) = line.strip_prefix("mod ") {
            let name = name.trim_end_matches(';').trim();
            if rank(name).is_none() {
                missing.push(name.to_owned());
            }
        }
    }
    assert!(missing.is_empty(), "modules without a layer: {missing:?}");
}

#[test]
fn no_module_imports_one_above_it() {
    let mut upward = Vec::new();
    for (user, used, file) in imports() {
        let (Some(u), Some(d)) = (rank(&user), rank(&used)) else {
            upward.push(format!("{file}: {user} uses {used}, which has no layer"));
            continue;
        };
        if d > u {
            upward.push(format!(
                "{file}: {user} ({}) uses {used} ({})",
                LAYERS[u].1, LAYERS[d].1
            ));
        }
    }
    upward.sort();
    upward.dedup();
    assert!(
        upward.is_empty(),
        "imports against the layer order:\n{}",
        upward.join("\n")
    );
}

#[test]
fn the_scanner_sees_grouped_paths_and_skips_comments_and_strings() {
    let code = code_of(
        "use crate::{model::Node, xml};\n// crate::exchange\nlet s = \"crate::messages\";\nlet r = r#\"crate::input\"#;\nlet c = '\"'; crate::json::parse(x)",
    );
    assert_eq!(crate_paths(&code), ["model", "xml", "json"]);
    // The real sources are read: edges known to exist are found.
    let all = imports();
    for (user, used) in [
        ("exchange", "messages"),
        ("validate", "profile"),
        ("model", "error"),
    ] {
        assert!(
            all.iter().any(|(u, d, _)| u == user && d == used),
            "{user} -> {used} not seen"
        );
    }
}
