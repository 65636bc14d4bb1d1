//! Generates `src/model/generated.rs`, the R4 type table, from the R4 core StructureDefinitions.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use super::ImportError;

/// Version stamp written into the generated file; bump it when the output format changes.
pub const CODEGEN_VERSION: u32 = 1;

struct TypeOut {
    name: String,
    kind: String,
    is_abstract: bool,
    base: Option<String>,
    elements: Vec<ElementOut>,
}

struct ElementOut {
    name: String,
    min: u32,
    max: u32,
    types: Vec<String>,
    flags: u8,
}

const CHOICE: u8 = 1;
const XML_ATTR: u8 = 2;
const MODIFIER: u8 = 4;
const SUMMARY: u8 = 8;

const PRIMITIVES: &[(&str, &str)] = &[
    ("base64Binary", "Base64Binary"),
    ("boolean", "Boolean"),
    ("canonical", "Canonical"),
    ("code", "Code"),
    ("date", "Date"),
    ("dateTime", "DateTime"),
    ("decimal", "Decimal"),
    ("id", "Id"),
    ("instant", "Instant"),
    ("integer", "Integer"),
    ("markdown", "Markdown"),
    ("oid", "Oid"),
    ("positiveInt", "PositiveInt"),
    ("string", "String"),
    ("time", "Time"),
    ("unsignedInt", "UnsignedInt"),
    ("uri", "Uri"),
    ("url", "Url"),
    ("uuid", "Uuid"),
    ("xhtml", "Xhtml"),
];

/// Reads every specialization StructureDefinition in `package_dir` (the `package/` folder of
/// `hl7.fhir.r4.core#4.0.1`) and returns the Rust source of the type table.
///
/// # Errors
///
/// An [`ImportError`] when the folder cannot be read or a definition is not as R4 publishes it.
pub fn generate(package_dir: &Path) -> Result<String, ImportError> {
    let mut files: Vec<_> = std::fs::read_dir(package_dir)
        .map_err(|e| ImportError::io(package_dir, &e))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("StructureDefinition-") && n.ends_with(".json"))
        })
        .collect();
    files.sort();
    let mut types: Vec<TypeOut> = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).map_err(|e| ImportError::io(path, &e))?;
        let sd: Value = serde_json::from_str(&text)
            .map_err(|e| ImportError::format(path, format!("not JSON: {e}")))?;
        let kind = sd["kind"].as_str().unwrap_or("");
        let derivation = sd["derivation"].as_str();
        if !matches!(kind, "primitive-type" | "complex-type" | "resource")
            || derivation == Some("constraint")
        {
            continue;
        }
        read_definition(&sd, path, &mut types)?;
    }
    render(&types)
}

fn read_definition(sd: &Value, path: &Path, types: &mut Vec<TypeOut>) -> Result<(), ImportError> {
    let bad = |why: &str| ImportError::format(path, why.to_owned());
    let name = sd["type"]
        .as_str()
        .ok_or_else(|| bad("no type"))?
        .to_owned();
    let kind = match sd["kind"].as_str() {
        Some("primitive-type") => {
            let p = PRIMITIVES
                .iter()
                .find(|(n, _)| *n == name)
                .ok_or_else(|| bad("unknown primitive"))?;
            format!("Primitive(P::{})", p.1)
        }
        Some("resource") => "Resource".to_owned(),
        _ => "Complex".to_owned(),
    };
    let is_resource = sd["kind"] == "resource";
    let base = sd["baseDefinition"]
        .as_str()
        .and_then(|b| b.rsplit('/').next())
        .map(str::to_owned);
    let elements = sd["snapshot"]["element"]
        .as_array()
        .ok_or_else(|| bad("no snapshot"))?;
    // Backbone types, keyed by their path, in the order first met.
    let mut backbones: BTreeMap<String, usize> = BTreeMap::new();
    let root = types.len();
    types.push(TypeOut {
        name: name.clone(),
        kind,
        is_abstract: sd["abstract"].as_bool().unwrap_or(false),
        base,
        elements: Vec::new(),
    });
    for (i, el) in elements.iter().enumerate() {
        let full = el["path"]
            .as_str()
            .ok_or_else(|| bad("element without path"))?;
        let Some((parent_path, last)) = full.rsplit_once('.') else {
            continue;
        };
        if sd["kind"] == "primitive-type" && parent_path == name && last == "value" {
            continue; // the primitive's own value is the node's value, not a child
        }
        let parent = if parent_path == name {
            root
        } else {
            *backbones
                .get(parent_path)
                .ok_or_else(|| bad("child of an element that has no inline type"))?
        };
        let (el_name, choice) = match last.strip_suffix("[x]") {
            Some(n) => (n.to_owned(), true),
            None => (last.to_owned(), false),
        };
        let has_children = elements
            .get(i + 1)
            .and_then(|n| n["path"].as_str())
            .is_some_and(|p| p.strip_prefix(full).is_some_and(|r| r.starts_with('.')));
        let mut el_types = Vec::new();
        if let Some(reference) = el["contentReference"].as_str() {
            let target = reference.trim_start_matches('#');
            el_types.push(target.to_owned());
        } else if has_children {
            // Inline type: `Bundle.entry`, `Timing.repeat`.
            let base = el["type"][0]["code"].as_str().unwrap_or("BackboneElement");
            backbones.insert(full.to_owned(), types.len());
            types.push(TypeOut {
                name: full.to_owned(),
                kind: "Backbone".to_owned(),
                is_abstract: false,
                base: Some(base.to_owned()),
                elements: Vec::new(),
            });
            el_types.push(full.to_owned());
        } else {
            for t in el["type"]
                .as_array()
                .ok_or_else(|| bad("element without type"))?
            {
                let code = t["code"].as_str().ok_or_else(|| bad("type without code"))?;
                let mut resolved = if let Some(system) =
                    code.strip_prefix("http://hl7.org/fhirpath/System.")
                {
                    let fhir_type = t["extension"].as_array().and_then(|exts| {
                        exts.iter()
                            .find(|x| x["url"] == "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type")
                            .and_then(|x| x["valueUrl"].as_str().or(x["valueUri"].as_str()))
                    });
                    fhir_type.map_or_else(|| system.to_ascii_lowercase(), str::to_owned)
                } else {
                    code.to_owned()
                };
                // R4 types Resource.id as System.String, but the specification (and every
                // instance) treats it as `id`.
                if is_resource && parent == root && el_name == "id" {
                    resolved = "id".to_owned();
                }
                el_types.push(resolved);
            }
        }
        let mut flags = 0;
        if choice {
            flags |= CHOICE;
        }
        if el["representation"]
            .as_array()
            .is_some_and(|r| r.iter().any(|x| x == "xmlAttr"))
        {
            flags |= XML_ATTR;
        }
        if el["isModifier"].as_bool() == Some(true) {
            flags |= MODIFIER;
        }
        if el["isSummary"].as_bool() == Some(true) {
            flags |= SUMMARY;
        }
        let min = el["min"]
            .as_u64()
            .and_then(|m| u32::try_from(m).ok())
            .ok_or_else(|| bad("min"))?;
        let max = match el["max"].as_str() {
            Some("*") => u32::MAX,
            Some(m) => m.parse().map_err(|_| bad("max"))?,
            None => return Err(bad("max")),
        };
        types[parent].elements.push(ElementOut {
            name: el_name,
            min,
            max,
            types: el_types,
            flags,
        });
    }
    Ok(())
}

fn render(types: &[TypeOut]) -> Result<String, ImportError> {
    let index: HashMap<&str, usize> = types
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.as_str(), i))
        .collect();
    let lookup = |name: &str| -> Result<u16, ImportError> {
        index
            .get(name)
            .and_then(|&i| u16::try_from(i).ok())
            .ok_or_else(|| {
                ImportError::format(
                    Path::new("hl7.fhir.r4.core"),
                    format!("unknown type {name}"),
                )
            })
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "// Generated by medcom-codegen v{CODEGEN_VERSION} from hl7.fhir.r4.core#4.0.1 \
         (StructureDefinition snapshots). Do not edit:\n// regenerate with `cargo run -- import r4-types PACKAGE_DIR > src/model/generated.rs`.\n"
    );
    out.push_str(
        "use super::types::{ElementDef, PrimitiveKind as P, TypeDef, TypeKind::{self, *}};\n\n",
    );
    out.push_str(
        "const fn e(name: &'static str, min: u32, max: u32, first_type: u32, type_count: u16, flags: u8) -> ElementDef {\n    ElementDef { name, min, max, first_type, type_count, flags }\n}\n\n",
    );
    out.push_str(
        "const fn t(name: &'static str, kind: TypeKind, is_abstract: bool, base: u16, first_element: u32, element_count: u16) -> TypeDef {\n    TypeDef { name, kind, is_abstract, base, first_element, element_count }\n}\n\n",
    );
    out.push_str("const M: u32 = u32::MAX;\n\n");
    let mut type_lines = String::new();
    let mut element_lines = String::new();
    let mut type_table: Vec<u16> = Vec::new();
    let mut type_slices: HashMap<Vec<u16>, u32> = HashMap::new();
    let mut first_element = 0u32;
    for t in types {
        let base = match &t.base {
            Some(b) if index.contains_key(b.as_str()) => lookup(b)?,
            _ => u16::MAX,
        };
        let _ = writeln!(
            type_lines,
            "    t({:?}, {}, {}, {}, {}, {}),",
            t.name,
            t.kind,
            t.is_abstract,
            base,
            first_element,
            t.elements.len()
        );
        let _ = writeln!(element_lines, "    // {}", t.name);
        for el in &t.elements {
            let ids = el
                .types
                .iter()
                .map(|n| lookup(n))
                .collect::<Result<Vec<_>, _>>()?;
            let start = if let Some(&s) = type_slices.get(&ids) {
                s
            } else {
                let s = u32::try_from(type_table.len()).unwrap_or(u32::MAX);
                type_table.extend_from_slice(&ids);
                type_slices.insert(ids.clone(), s);
                s
            };
            let max = if el.max == u32::MAX {
                "M".to_owned()
            } else {
                el.max.to_string()
            };
            let _ = writeln!(
                element_lines,
                "    e({:?}, {}, {}, {}, {}, {}),",
                el.name,
                el.min,
                max,
                start,
                ids.len(),
                el.flags
            );
        }
        first_element += u32::try_from(t.elements.len()).unwrap_or(0);
    }
    let _ = writeln!(
        out,
        "pub(crate) static TYPES: [TypeDef; {}] = [\n{type_lines}];\n",
        types.len()
    );
    let _ = writeln!(
        out,
        "pub(crate) static ELEMENTS: [ElementDef; {first_element}] = [\n{element_lines}];\n"
    );
    let _ = write!(
        out,
        "pub(crate) static ELEMENT_TYPES: [u16; {}] = [",
        type_table.len()
    );
    for (i, t) in type_table.iter().enumerate() {
        if i % 20 == 0 {
            out.push_str("\n   ");
        }
        let _ = write!(out, " {t},");
    }
    out.push_str("\n];\n\n");
    let mut sorted: Vec<usize> = (0..types.len()).collect();
    sorted.sort_by(|&a, &b| types[a].name.cmp(&types[b].name));
    let _ = write!(
        out,
        "pub(crate) static TYPE_NAMES_SORTED: [u16; {}] = [",
        types.len()
    );
    for (i, t) in sorted.iter().enumerate() {
        if i % 20 == 0 {
            out.push_str("\n   ");
        }
        let _ = write!(out, " {t},");
    }
    out.push_str("\n];\n");
    Ok(out)
}
