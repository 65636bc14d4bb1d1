//! Compiles the official FHIR packages of each current MedCom message standard into the project's
//! own compact rule files (`schemas/fhir/<standard>-<version>.json`).
//!
//! One file per message standard and version stack. It holds only what the stack's profiles
//! reach: the resource and datatype profiles, extensions, the R4 core definitions of the types
//! they use, the invariants (each expression once), and the expanded value sets of every
//! required or extensible binding and `memberOf()` call. Documentation text is stripped, and
//! elements that add nothing to their base definition are left out (the engine falls back to the
//! R4 core definition of the element's type for them).
//!
//! The format (version [`FORMAT`]) is compact JSON of the project's own design:
//! `{"format","stack","version","event","message","definition","packages","constraints",
//! "profiles","valueSets"}`; see [`crate::profile`] for how it is read.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use super::ImportError;

/// Version of the compiled format; bump it when the output changes shape.
pub const FORMAT: u64 = 1;

/// One current message standard and the package that defines it.
#[derive(Clone, Copy, Debug)]
pub struct StackDef {
    /// Message standard (`CareCommunication`).
    pub name: &'static str,
    /// The package that defines it.
    pub package: &'static str,
    /// Its version.
    pub version: &'static str,
    /// `MessageHeader.eventCoding.code`.
    pub event: &'static str,
    /// The message (Bundle) profile.
    pub message: &'static str,
    /// Prefix of `MessageHeader.definition` for this major version, if the standard has one.
    pub definition: &'static str,
    /// File name under `schemas/fhir/`.
    pub file: &'static str,
}

/// The message standards and versions in production, each on its own stack (DIGEST §2.0); a
/// standard with several stacks lists the current one first.
pub const STACKS: &[StackDef] = &[
    StackDef {
        name: "CareCommunication",
        package: "medcom.fhir.dk.carecommunication",
        version: "5.0.2",
        event: "care-communication-message",
        message: "http://medcomfhir.dk/ig/carecommunication/StructureDefinition/medcom-careCommunication-message",
        definition: "http://medcomfhir.dk/ig/messagedefinitions/MessageDefinition/MedComCareCommunicationMessageDefinition|5.",
        file: "carecommunication-5.0.2.json",
    },
    // CareCommunication 4.0.x, still sent while 5.0 is phased in (messaging 2.2.2, MedCom core
    // 2.4.0, terminology 1.7.0, DK-core 3.2.0). Its MessageHeader.definition is a fixed pattern,
    // `…/medcom-careCommunication-message-definition|4.0.0`, whatever the 4.0 patch release.
    StackDef {
        name: "CareCommunication",
        package: "medcom.fhir.dk.carecommunication",
        version: "4.0.3",
        event: "care-communication-message",
        message: "http://medcomfhir.dk/ig/carecommunication/StructureDefinition/medcom-careCommunication-message",
        definition: "http://medcomfhir.dk/ig/carecommunication/medcom-careCommunication-message-definition|4.",
        file: "carecommunication-4.0.3.json",
    },
    StackDef {
        name: "HospitalNotification",
        package: "medcom.fhir.dk.hospitalnotification",
        version: "3.0.2",
        event: "hospital-notification-message",
        message: "http://medcomfhir.dk/ig/hospitalnotification/StructureDefinition/medcom-hospitalNotification-message",
        definition: "",
        file: "hospitalnotification-3.0.2.json",
    },
    StackDef {
        name: "Acknowledgement",
        package: "medcom.fhir.dk.acknowledgement",
        version: "2.0.3",
        event: "acknowledgement-message",
        message: "http://medcomfhir.dk/ig/acknowledgement/StructureDefinition/medcom-messaging-acknowledgement",
        definition: "",
        file: "acknowledgement-2.0.3.json",
    },
    StackDef {
        name: "HomeCareObservation",
        package: "medcom.fhir.dk.homecareobservation",
        version: "1.2.1",
        event: "homecareobservation-message",
        message: "http://medcomfhir.dk/ig/homecareobservation/StructureDefinition/medcom-homecareobservation-message",
        definition: "http://medcomfhir.dk/ig/messagedefinitions/MessageDefinition/MedComHomeCareObservationMessageDefinition|1.",
        file: "homecareobservation-1.2.1.json",
    },
    StackDef {
        name: "EmptyMessage",
        package: "medcom.fhir.dk.messaging",
        version: "4.0.2",
        event: "empty-message",
        message: "http://medcomfhir.dk/ig/messaging/StructureDefinition/medcom-messaging-message",
        definition: "",
        file: "messaging-4.0.2.json",
    },
];

pub(crate) const CORE_SD: &str = "http://hl7.org/fhir/StructureDefinition/";

/// Native invariants: every element carries `ele-1` and every extension `ext-1`; the engine
/// checks them without FHIRPath, so the compiled form leaves them out.
pub const NATIVE_KEYS: &[&str] = &["ele-1", "ext-1"];

/// One unpacked package.
pub(crate) struct Package {
    pub(crate) id: String,
    pub(crate) version: String,
    dir: PathBuf,
    /// url → (resourceType, file), from `.index.json` or a scan; filled lazily for large ones.
    index: Option<HashMap<String, PathBuf>>,
    cache: HashMap<PathBuf, Value>,
}

impl Package {
    pub(crate) fn open(dir: &Path) -> Result<Self, ImportError> {
        let dir = if dir.join("package").join("package.json").is_file() {
            dir.join("package")
        } else {
            dir.to_owned()
        };
        let manifest = read_json(&dir.join("package.json"))?;
        let text = |k: &str| {
            manifest
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        Ok(Self {
            id: text("name"),
            version: text("version"),
            dir,
            index: None,
            cache: HashMap::new(),
        })
    }

    /// A package read from an npm tarball into memory: every JSON file under `package/`.
    pub(crate) fn from_archive(path: &Path) -> Result<Self, ImportError> {
        let file = std::fs::File::open(path).map_err(|e| ImportError::io(path, &e))?;
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
        let mut manifest = Value::Null;
        let mut index = HashMap::new();
        let mut cache = HashMap::new();
        let entries = archive.entries().map_err(|e| ImportError::io(path, &e))?;
        for entry in entries {
            let mut entry = entry.map_err(|e| ImportError::io(path, &e))?;
            let name = entry
                .path()
                .map_err(|e| ImportError::io(path, &e))?
                .to_string_lossy()
                .into_owned();
            let Some(file) = name.strip_prefix("package/") else {
                continue;
            };
            if file.contains('/') || !file.ends_with(".json") {
                continue;
            }
            let mut text = String::new();
            if std::io::Read::read_to_string(&mut entry, &mut text).is_err() {
                continue;
            }
            let Ok(v) = serde_json::from_str::<Value>(&text) else {
                continue;
            };
            if file == "package.json" {
                manifest = v;
                continue;
            }
            let key = PathBuf::from(file);
            if let Some(url) = v.get("url").and_then(Value::as_str) {
                index.entry(url.to_owned()).or_insert_with(|| key.clone());
            }
            cache.insert(key, v);
        }
        let text = |k: &str| {
            manifest
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        if text("name").is_empty() {
            return Err(ImportError::format(
                path,
                "not a FHIR package: no package/package.json".into(),
            ));
        }
        Ok(Self {
            id: text("name"),
            version: text("version"),
            // Nothing is read from disk: every file is in `cache`, found through `index`.
            dir: PathBuf::from("\0archive"),
            index: Some(index),
            cache,
        })
    }

    fn dependencies(&self) -> Result<Vec<(String, String)>, ImportError> {
        let manifest = read_json(&self.dir.join("package.json"))?;
        Ok(manifest
            .get("dependencies")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_owned()))
                    .collect()
            })
            .unwrap_or_default())
    }

    fn load(&mut self, path: &Path) -> Option<&Value> {
        if !self.cache.contains_key(path) {
            let v = read_json(path).ok()?;
            self.cache.insert(path.to_owned(), v);
        }
        self.cache.get(path)
    }

    /// Finds a conformance resource by canonical URL: first by the conventional file name
    /// (`<Kind>-<last segment>.json`), then through a full index of the package.
    fn find(&mut self, kind: &str, url: &str) -> Option<Value> {
        let last = url.rsplit('/').next().unwrap_or(url);
        let guess = self.dir.join(format!("{kind}-{last}.json"));
        if guess.is_file() {
            if let Some(v) = self.load(&guess) {
                if v.get("url").and_then(Value::as_str) == Some(url) {
                    return Some(v.clone());
                }
            }
        }
        if self.index.is_none() {
            self.index = Some(self.build_index());
        }
        let path = self.index.as_ref()?.get(url)?.clone();
        self.load(&path).cloned()
    }

    fn build_index(&mut self) -> HashMap<String, PathBuf> {
        let mut index = HashMap::new();
        if let Ok(v) = read_json(&self.dir.join(".index.json")) {
            for f in v
                .get("files")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let (Some(url), Some(name)) = (
                    f.get("url").and_then(Value::as_str),
                    f.get("filename").and_then(Value::as_str),
                ) {
                    index.insert(url.to_owned(), self.dir.join(name));
                }
            }
            return index;
        }
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return index;
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                    (n.starts_with("StructureDefinition-")
                        || n.starts_with("ValueSet-")
                        || n.starts_with("CodeSystem-"))
                        && n.ends_with(".json")
                })
            })
            .collect();
        paths.sort();
        for p in paths {
            if let Ok(v) = read_json(&p) {
                if let Some(url) = v.get("url").and_then(Value::as_str) {
                    index.entry(url.to_owned()).or_insert(p);
                }
            }
        }
        index
    }

    /// Every StructureDefinition in the package (for the message IG itself).
    pub(crate) fn structure_definitions(&mut self) -> Vec<Value> {
        if self.index.is_none() {
            self.index = Some(self.build_index());
        }
        let mut paths: Vec<PathBuf> = self
            .index
            .as_ref()
            .map(|i| i.values().cloned().collect())
            .unwrap_or_default();
        paths.sort();
        paths
            .iter()
            .filter_map(|p| self.load(p).cloned())
            .filter(|v| {
                v.get("resourceType").and_then(Value::as_str) == Some("StructureDefinition")
            })
            .collect()
    }
}

fn read_json(path: &Path) -> Result<Value, ImportError> {
    let text = std::fs::read_to_string(path).map_err(|e| ImportError::io(path, &e))?;
    serde_json::from_str(&text).map_err(|e| ImportError::format(path, format!("not JSON: {e}")))
}

/// Where packages can be found: folders named `<id>#<version>` (with a `package/` inside) or
/// package folders themselves.
pub(crate) struct Catalog {
    pub(crate) available: Vec<PathBuf>,
}

impl Catalog {
    pub(crate) fn from_shared(shared: &Path) -> Result<Self, ImportError> {
        let dir = shared.join("medcom/fhir/packages");
        let mut available: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(|e| ImportError::io(&dir, &e))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        available.sort();
        Ok(Self { available })
    }

    /// `(id, version, dir)` of every available package.
    fn list(&self) -> Vec<(String, String, PathBuf)> {
        self.available
            .iter()
            .filter_map(|d| Package::open(d).ok().map(|p| (p.id, p.version, d.clone())))
            .collect()
    }

    /// The stack of `top`: the package, then its dependencies breadth first; each package id is
    /// taken once, at the version first asked for if present, else the highest available.
    pub(crate) fn stack(
        &self,
        top: &str,
        version: Option<&str>,
    ) -> Result<Vec<Package>, ImportError> {
        let list = self.list();
        let pick = |id: &str, want: Option<&str>| -> Option<PathBuf> {
            let mut cands: Vec<&(String, String, PathBuf)> =
                list.iter().filter(|(i, _, _)| i == id).collect();
            if let Some(w) = want {
                if let Some(c) = cands.iter().find(|(_, v, _)| v == w) {
                    return Some(c.2.clone());
                }
            }
            cands.sort_by_key(|c| version_key(&c.1));
            cands.last().map(|c| c.2.clone())
        };
        let first = pick(top, version).ok_or_else(|| {
            ImportError::format(
                Path::new(top),
                format!("package {top} {} not found", version.unwrap_or("")),
            )
        })?;
        let mut out: Vec<Package> = Vec::new();
        let mut seen = BTreeSet::new();
        let mut queue = VecDeque::from([first]);
        seen.insert(top.to_owned());
        while let Some(dir) = queue.pop_front() {
            let p = Package::open(&dir)?;
            for (id, v) in p.dependencies()? {
                if seen.insert(id.clone()) {
                    if let Some(d) = pick(&id, Some(&v)) {
                        queue.push_back(d);
                    }
                }
            }
            out.push(p);
        }
        Ok(out)
    }
}

fn version_key(v: &str) -> Vec<u64> {
    v.split(['.', '-'])
        .map(|s| s.parse().unwrap_or(0))
        .collect()
}

/// Strips a `|version` suffix from a canonical.
fn unversioned(url: &str) -> &str {
    url.split('|').next().unwrap_or(url)
}

pub(crate) struct Stack {
    pub(crate) packages: Vec<Package>,
}

impl Stack {
    fn find(&mut self, kind: &str, url: &str) -> Option<Value> {
        let url = unversioned(url);
        self.packages.iter_mut().find_map(|p| p.find(kind, url))
    }
}

/// Generates every rule file from `../shared`: `(file name, text)`.
///
/// # Errors
///
/// An [`ImportError`] when a package is missing or malformed.
pub fn generate(shared: &Path) -> Result<Vec<(String, String)>, ImportError> {
    let catalog = Catalog::from_shared(shared)?;
    let mut files = STACKS
        .iter()
        .map(|def| {
            let v = compile(def, &catalog, Some(def.version))?;
            Ok((def.file.to_owned(), to_text(&v)))
        })
        .collect::<Result<Vec<_>, ImportError>>()?;
    let base = super::base::compile(&catalog)?;
    files.push((super::base::FILE.to_owned(), to_text(&base)));
    Ok(files)
}

/// Writes every rule file into `out`.
///
/// # Errors
///
/// An [`ImportError`] when a package is missing or a file cannot be written.
pub fn write_all(shared: &Path, out: &Path) -> Result<(), ImportError> {
    std::fs::create_dir_all(out).map_err(|e| ImportError::io(out, &e))?;
    for (name, text) in generate(shared)? {
        let path = out.join(name);
        std::fs::write(&path, text).map_err(|e| ImportError::io(&path, &e))?;
    }
    Ok(())
}

/// Compiles the stacks whose message package is among `dirs` (package folders, as unpacked from
/// the npm tarballs, or `<id>#<version>` folders holding one), each at the newest version found
/// there of the stack's major version.
///
/// # Errors
///
/// An [`ImportError`] when a package is malformed.
pub fn compile_dirs(dirs: &[PathBuf]) -> Result<Vec<Value>, ImportError> {
    let catalog = Catalog {
        available: dirs.to_vec(),
    };
    let list = catalog.list();
    let mut out = Vec::new();
    for def in STACKS {
        // Each stack takes the newest release of its own major version.
        let major = def.version.split('.').next().unwrap_or("");
        let mut versions: Vec<&String> = list
            .iter()
            .filter(|(id, v, _)| id == def.package && v.split('.').next() == Some(major))
            .map(|(_, v, _)| v)
            .collect();
        versions.sort_by_key(|v| version_key(v));
        if let Some(v) = versions.last() {
            out.push(compile(def, &catalog, Some(v))?);
        }
    }
    Ok(out)
}

/// Compact JSON, one profile, value set or constraint per line (diff-friendly).
pub(crate) fn to_text(v: &Value) -> String {
    let mut s = String::from("{\n");
    let Some(obj) = v.as_object() else {
        return v.to_string();
    };
    let n = obj.len();
    for (i, (k, val)) in obj.iter().enumerate() {
        s.push_str(&serde_json::to_string(k).unwrap_or_default());
        s.push(':');
        match val {
            Value::Array(items) if !items.is_empty() => {
                s.push_str("[\n");
                for (j, item) in items.iter().enumerate() {
                    s.push_str(&item.to_string());
                    if j + 1 < items.len() {
                        s.push(',');
                    }
                    s.push('\n');
                }
                s.push(']');
            }
            _ => s.push_str(&val.to_string()),
        }
        if i + 1 < n {
            s.push(',');
        }
        s.push('\n');
    }
    s.push_str("}\n");
    s
}

pub(crate) struct Compiler {
    pub(crate) stack: Stack,
    pub(crate) constraints: Vec<Value>,
    pub(crate) constraint_index: HashMap<String, usize>,
    pub(crate) profiles: BTreeMap<String, Value>,
    pub(crate) value_sets: BTreeSet<String>,
    pub(crate) queue: VecDeque<String>,
}

fn compile(def: &StackDef, catalog: &Catalog, version: Option<&str>) -> Result<Value, ImportError> {
    let packages = catalog.stack(def.package, version)?;
    let names: Vec<String> = packages
        .iter()
        .map(|p| format!("{}#{}", p.id, p.version))
        .collect();
    let actual_version = packages
        .first()
        .map(|p| p.version.clone())
        .unwrap_or_default();
    let mut c = Compiler {
        stack: Stack { packages },
        constraints: Vec::new(),
        constraint_index: HashMap::new(),
        profiles: BTreeMap::new(),
        value_sets: BTreeSet::new(),
        queue: VecDeque::new(),
    };
    // Seeds: the message profile and every profile of the stack's MedCom packages (messages
    // declare them in meta.profile).
    let mut seeds: Vec<String> = Vec::new();
    for p in &mut c.stack.packages {
        if p.id.starts_with("medcom.") && !p.id.contains("messagedefinitions") {
            seeds.extend(
                p.structure_definitions()
                    .iter()
                    .filter_map(|sd| sd.get("url").and_then(Value::as_str).map(str::to_owned)),
            );
        }
    }
    c.queue.push_back(def.message.to_owned());
    c.queue.extend(seeds);
    // Bundle entries may hold any resource the profiles point at; the message header and
    // provenance always appear.
    for core in [
        "Bundle",
        "MessageHeader",
        "Provenance",
        "OperationOutcome",
        "Extension",
    ] {
        c.queue.push_back(format!("{CORE_SD}{core}"));
    }
    while let Some(url) = c.queue.pop_front() {
        c.add_profile(&url)?;
    }
    Ok(c.into_rule_file(&RuleFile {
        stack: def.name,
        version: &actual_version,
        event: def.event,
        message: def.message,
        definition: def.definition,
        packages: &names,
    }))
}

/// What a rule file says of itself besides the compiled rules.
pub(crate) struct RuleFile<'a> {
    pub(crate) stack: &'a str,
    pub(crate) version: &'a str,
    pub(crate) event: &'a str,
    pub(crate) message: &'a str,
    pub(crate) definition: &'a str,
    pub(crate) packages: &'a [String],
}

impl Compiler {
    /// The rule file: its header, the constraints, the profiles and the value sets expanded.
    pub(crate) fn into_rule_file(mut self, header: &RuleFile<'_>) -> Value {
        let value_sets: Vec<Value> = self
            .value_sets
            .clone()
            .iter()
            .map(|url| self.expand(url))
            .collect();
        let mut root = Map::new();
        root.insert("format".into(), json!(FORMAT));
        root.insert("stack".into(), json!(header.stack));
        root.insert("version".into(), json!(header.version));
        root.insert("event".into(), json!(header.event));
        root.insert("message".into(), json!(header.message));
        root.insert("definition".into(), json!(header.definition));
        root.insert("packages".into(), json!(header.packages));
        root.insert("constraints".into(), Value::Array(self.constraints));
        root.insert(
            "profiles".into(),
            Value::Array(self.profiles.into_values().collect()),
        );
        root.insert("valueSets".into(), Value::Array(value_sets));
        Value::Object(root)
    }

    pub(crate) fn add_profile(&mut self, url: &str) -> Result<(), ImportError> {
        let url = unversioned(url).to_owned();
        if self.profiles.contains_key(&url) {
            return Ok(());
        }
        let Some(sd) = self.stack.find("StructureDefinition", &url) else {
            // Unknown profiles are reported at validation time.
            self.profiles.insert(url.clone(), Value::Null);
            return Ok(());
        };
        let kind = sd.get("kind").and_then(Value::as_str).unwrap_or("");
        if kind == "primitive-type" || kind == "logical" {
            self.profiles.insert(url.clone(), Value::Null);
            return Ok(());
        }
        let ty = sd
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let elements = match sd.pointer("/snapshot/element").and_then(Value::as_array) {
            Some(e) => e.clone(),
            None => self.generate_snapshot(&sd)?,
        };
        let mut kept: Vec<(String, Value)> = Vec::new();
        for e in &elements {
            let compiled = self.element(e, &url);
            let id = e.get("id").and_then(Value::as_str).unwrap_or("").to_owned();
            kept.push((id, compiled));
        }
        // Prune elements that add nothing, bottom up: an element stays when it or a
        // descendant says something.
        let mut keep: Vec<bool> = kept.iter().map(|(_, v)| !v.is_null()).collect();
        for i in (0..kept.len()).rev() {
            if keep[i] {
                let id = kept[i].0.clone();
                for (j, (other, _)) in kept.iter().enumerate().take(i) {
                    if id.starts_with(other.as_str())
                        && matches!(id.as_bytes().get(other.len()), Some(b'.' | b':'))
                    {
                        keep[j] = true;
                    }
                }
            }
        }
        let out: Vec<Value> = kept
            .into_iter()
            .zip(keep)
            .enumerate()
            .filter(|(i, (_, k))| *i == 0 || *k)
            .map(
                |(_, ((id, v), _))| {
                    if v.is_null() {
                        json!({ "i": id })
                    } else {
                        v
                    }
                },
            )
            .collect();
        let derivation = sd.get("derivation").and_then(Value::as_str).unwrap_or("");
        if kind == "resource" {
            // Resources no profile reaches are checked against their core definition.
            self.queue.push_back(format!("{CORE_SD}{ty}"));
        }
        let mut compiled =
            json!({ "url": url, "type": ty, "kind": kind, "derivation": derivation, "e": out });
        // Where an extension may be used: `[type, expression]` pairs.
        let contexts: Vec<Value> = sd
            .get("context")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|c| json!([c.get("type"), c.get("expression")]))
            .collect();
        if ty == "Extension" && !contexts.is_empty() {
            compiled["ctx"] = Value::Array(contexts);
        }
        self.profiles.insert(url.clone(), compiled);
        Ok(())
    }

    /// Snapshot from differential, for packages published without one: the base snapshot with
    /// the differential's elements merged in by id (new slices inherit their base element's
    /// children).
    fn generate_snapshot(&mut self, sd: &Value) -> Result<Vec<Value>, ImportError> {
        let base_url = sd
            .get("baseDefinition")
            .and_then(Value::as_str)
            .unwrap_or("");
        let base = self
            .stack
            .find("StructureDefinition", base_url)
            .ok_or_else(|| {
                ImportError::format(Path::new(base_url), "base definition not found".into())
            })?;
        let mut elements = match base.pointer("/snapshot/element").and_then(Value::as_array) {
            Some(e) => e.clone(),
            None => self.generate_snapshot(&base)?,
        };
        let diff = sd
            .pointer("/differential/element")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        Ok(merge_differential(&mut elements, &diff))
    }

    fn constraint(&mut self, c: &Value, profile: &str) -> Option<usize> {
        let key = c.get("key").and_then(Value::as_str)?;
        if NATIVE_KEYS.contains(&key) {
            return None;
        }
        let expr = c.get("expression").and_then(Value::as_str)?;
        let severity = c.get("severity").and_then(Value::as_str).unwrap_or("error");
        let human = c.get("human").and_then(Value::as_str).unwrap_or("");
        let source = c
            .get("source")
            .and_then(Value::as_str)
            .map_or(profile, unversioned);
        for url in called_urls(expr, "conformsTo(") {
            self.queue.push_back(url);
        }
        for url in called_urls(expr, "memberOf(") {
            self.value_sets.insert(url);
        }
        let entry = json!([key, &severity[..1], human, expr, source]);
        let text = entry.to_string();
        if let Some(&i) = self.constraint_index.get(&text) {
            return Some(i);
        }
        let i = self.constraints.len();
        self.constraints.push(entry);
        self.constraint_index.insert(text, i);
        Some(i)
    }

    /// The compiled element, or `Null` when it adds nothing to its base.
    fn element(&mut self, e: &Value, profile: &str) -> Value {
        let mut out = Map::new();
        let id = e.get("id").and_then(Value::as_str).unwrap_or("");
        out.insert("i".into(), json!(id));
        let mut says = false;
        let min = e.get("min").and_then(Value::as_u64).unwrap_or(0);
        let max = e.get("max").and_then(Value::as_str).unwrap_or("*");
        let base_max = e
            .pointer("/base/max")
            .and_then(Value::as_str)
            .unwrap_or(max);
        if min != 0 {
            out.insert("n".into(), json!(min));
            says = true;
        }
        if max != "*" {
            out.insert("x".into(), json!(max));
        }
        if max != base_max {
            says = true;
        }
        if e.get("sliceName").is_some() {
            says = true;
        }
        let types = e
            .get("type")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut ts = Vec::new();
        for t in &types {
            let code = t.get("code").and_then(Value::as_str).unwrap_or("");
            let code = code
                .strip_prefix("http://hl7.org/fhirpath/System.")
                .map_or(code, |_| "");
            let mut tv = Map::new();
            tv.insert("c".into(), json!(code));
            let urls = |k: &str| -> Vec<String> {
                t.get(k)
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(|s| unversioned(s).to_owned())
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let profiles = urls("profile");
            let targets = urls("targetProfile");
            if !profiles.is_empty() {
                says = true;
                for p in &profiles {
                    self.queue.push_back(p.clone());
                }
                tv.insert("p".into(), json!(profiles));
            }
            if !targets.is_empty() {
                says = true;
                // Core definitions point at every resource type; follow only what the
                // MedCom and DK profiles point at.
                if !profile.starts_with(CORE_SD) {
                    for p in targets.iter().filter(|p| !p.starts_with(CORE_SD)) {
                        self.queue.push_back(p.clone());
                    }
                }
                tv.insert("r".into(), json!(targets));
            }
            let bundled = t
                .get("aggregation")
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(|x| x.as_str() == Some("bundled")));
            if bundled {
                says = true;
                tv.insert("b".into(), json!(1));
            }
            if !code.is_empty()
                && code.chars().next().is_some_and(char::is_uppercase)
                && code != "BackboneElement"
                && code != "Element"
                && code != "Resource"
            {
                self.queue.push_back(format!("{CORE_SD}{code}"));
            }
            ts.push(Value::Object(tv));
        }
        if types.len() > 1 || id.ends_with("[x]") {
            says = true;
        }
        if !ts.is_empty() {
            out.insert("t".into(), Value::Array(ts));
        }
        if let Some(obj) = e.as_object() {
            for (k, v) in obj {
                if let Some(t) = k.strip_prefix("fixed") {
                    out.insert("f".into(), json!([t, v]));
                    says = true;
                } else if let Some(t) = k.strip_prefix("pattern") {
                    out.insert("q".into(), json!([t, v]));
                    says = true;
                }
            }
        }
        if let Some(b) = e.get("binding") {
            let strength = b.get("strength").and_then(Value::as_str).unwrap_or("");
            if let (true, Some(vs)) = (
                strength == "required" || strength == "extensible",
                b.get("valueSet").and_then(Value::as_str),
            ) {
                let vs = unversioned(vs).to_owned();
                self.value_sets.insert(vs.clone());
                out.insert("b".into(), json!([&strength[..1], vs]));
                says = true;
            }
        }
        if let Some(l) = e.get("maxLength").and_then(Value::as_u64) {
            out.insert("l".into(), json!(l));
            says = true;
        }
        let mut ks = Vec::new();
        for c in e
            .get("constraint")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(i) = self.constraint(c, profile) {
                ks.push(i);
            }
        }
        if !ks.is_empty() {
            out.insert("k".into(), json!(ks));
            says = true;
        }
        if let Some(s) = e.get("slicing") {
            let d: Vec<Value> = s
                .get("discriminator")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|d| json!([d.get("type"), d.get("path")]))
                .collect();
            let rules = s.get("rules").and_then(Value::as_str).unwrap_or("open");
            let ordered = s.get("ordered").and_then(Value::as_bool).unwrap_or(false);
            // Extensions are always sliced by url; that slicing alone says nothing.
            let trivial =
                rules == "open" && !ordered && d.len() == 1 && d[0] == json!(["value", "url"]);
            if !trivial {
                out.insert("s".into(), json!({ "d": d, "o": ordered, "r": rules }));
            }
            says = true;
        }
        if says {
            Value::Object(out)
        } else {
            Value::Null
        }
    }

    /// Expands a value set: `{"url","c":{system:[codes]},"na":[what is not available]}`.
    pub(crate) fn expand(&mut self, url: &str) -> Value {
        let mut codes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut na: BTreeSet<String> = BTreeSet::new();
        self.expand_into(url, &mut codes, &mut na, 0);
        json!({ "url": url, "c": codes, "na": na })
    }

    fn expand_into(
        &mut self,
        url: &str,
        codes: &mut BTreeMap<String, BTreeSet<String>>,
        na: &mut BTreeSet<String>,
        depth: usize,
    ) {
        let Some(vs) = self.stack.find("ValueSet", url).filter(|_| depth < 8) else {
            na.insert(url.to_owned());
            return;
        };
        if let Some(contains) = vs.pointer("/expansion/contains").and_then(Value::as_array) {
            let mut stack: Vec<&Value> = contains.iter().collect();
            while let Some(c) = stack.pop() {
                if let (Some(s), Some(k)) = (
                    c.get("system").and_then(Value::as_str),
                    c.get("code").and_then(Value::as_str),
                ) {
                    codes.entry(s.to_owned()).or_default().insert(k.to_owned());
                }
                stack.extend(
                    c.get("contains")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten(),
                );
            }
            return;
        }
        let include = vs
            .pointer("/compose/include")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let exclude = vs
            .pointer("/compose/exclude")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for inc in &include {
            let mut part: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            self.include(inc, &mut part, na, depth);
            for (s, cs) in part {
                codes.entry(s).or_default().extend(cs);
            }
        }
        for exc in &exclude {
            let mut part: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            let mut ignored = BTreeSet::new();
            self.include(exc, &mut part, &mut ignored, depth);
            for (s, cs) in part {
                if let Some(have) = codes.get_mut(&s) {
                    for c in cs {
                        have.remove(&c);
                    }
                }
            }
        }
    }

    fn include(
        &mut self,
        inc: &Value,
        codes: &mut BTreeMap<String, BTreeSet<String>>,
        na: &mut BTreeSet<String>,
        depth: usize,
    ) {
        let system = inc.get("system").and_then(Value::as_str);
        let value_sets: Vec<String> = inc
            .get("valueSet")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|s| unversioned(s).to_owned())
            .collect();
        let mut from_system: Option<BTreeMap<String, BTreeSet<String>>> = None;
        if let Some(system) = system {
            let mut set = BTreeSet::new();
            if let Some(concepts) = inc.get("concept").and_then(Value::as_array) {
                set.extend(
                    concepts
                        .iter()
                        .filter_map(|c| c.get("code").and_then(Value::as_str))
                        .map(str::to_owned),
                );
            } else {
                match self.code_system(system) {
                    Some(all) => {
                        let filters = inc
                            .get("filter")
                            .and_then(Value::as_array)
                            .cloned()
                            .unwrap_or_default();
                        let mut selected: BTreeSet<String> =
                            all.iter().map(|(c, _)| c.clone()).collect();
                        for f in &filters {
                            let op = f.get("op").and_then(Value::as_str).unwrap_or("");
                            let value = f.get("value").and_then(Value::as_str).unwrap_or("");
                            let property = f.get("property").and_then(Value::as_str).unwrap_or("");
                            if property != "concept" || !matches!(op, "is-a" | "descendent-of") {
                                na.insert(system.to_owned());
                                continue;
                            }
                            let under: BTreeSet<String> = descendants(&all, value, op == "is-a");
                            selected.retain(|c| under.contains(c));
                        }
                        set = selected;
                    }
                    None => {
                        na.insert(system.to_owned());
                    }
                }
            }
            from_system = Some(BTreeMap::from([(system.to_owned(), set)]));
        }
        let mut result = from_system;
        for vs in value_sets {
            let mut part = BTreeMap::new();
            self.expand_into(&vs, &mut part, na, depth + 1);
            result = Some(match result {
                None => part,
                Some(have) => have
                    .into_iter()
                    .filter_map(|(s, cs)| {
                        let other = part.get(&s)?;
                        Some((s, cs.intersection(other).cloned().collect()))
                    })
                    .collect(),
            });
        }
        for (s, cs) in result.unwrap_or_default() {
            codes.entry(s).or_default().extend(cs);
        }
    }

    /// Every code of a complete code system with its parent, or `None` when it is not available.
    fn code_system(&mut self, url: &str) -> Option<Vec<(String, Option<String>)>> {
        let cs = self.stack.find("CodeSystem", url)?;
        let content = cs
            .get("content")
            .and_then(Value::as_str)
            .unwrap_or("complete");
        if content != "complete" {
            return None;
        }
        let mut out = Vec::new();
        let mut stack: Vec<(&Value, Option<String>)> = cs
            .get("concept")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|c| (c, None))
            .collect();
        while let Some((c, parent)) = stack.pop() {
            let Some(code) = c.get("code").and_then(Value::as_str) else {
                continue;
            };
            let mut parents = vec![parent.clone()];
            // Parents declared as properties (subsumedBy) count too.
            for p in c
                .get("property")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if matches!(
                    p.get("code").and_then(Value::as_str),
                    Some("subsumedBy" | "parent")
                ) {
                    parents.push(
                        p.get("valueCode")
                            .and_then(Value::as_str)
                            .map(str::to_owned),
                    );
                }
            }
            for p in parents {
                out.push((code.to_owned(), p));
            }
            for child in c
                .get("concept")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                stack.push((child, Some(code.to_owned())));
            }
        }
        Some(out)
    }
}

fn descendants(all: &[(String, Option<String>)], root: &str, inclusive: bool) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut frontier = vec![root.to_owned()];
    while let Some(p) = frontier.pop() {
        for (c, parent) in all {
            if parent.as_deref() == Some(p.as_str()) && out.insert(c.clone()) {
                frontier.push(c.clone());
            }
        }
    }
    if inclusive {
        out.insert(root.to_owned());
    }
    out
}

/// The string arguments of `name('…')` calls in an expression.
fn called_urls(expr: &str, call: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = expr;
    while let Some(at) = rest.find(call) {
        rest = &rest[at + call.len()..];
        if let Some(r) = rest.strip_prefix('\'') {
            if let Some(end) = r.find('\'') {
                out.push(unversioned(&r[..end]).to_owned());
            }
        }
    }
    out
}

/// Merges differential elements into a base snapshot by id. Elements of a new slice come after
/// the last element of the sliced element (or of its previous slice), with the sliced element's
/// children copied under the slice's id.
fn merge_differential(base: &mut Vec<Value>, diff: &[Value]) -> Vec<Value> {
    let id_of = |v: &Value| v.get("id").and_then(Value::as_str).unwrap_or("").to_owned();
    let root_ty = |s: &str| s.split(['.', ':']).next().unwrap_or("").to_owned();
    // Rename the root of the base to the differential's root (a profile of a profile keeps it).
    let new_root = diff.first().map(|d| root_ty(&id_of(d))).unwrap_or_default();
    let old_root = base.first().map(|b| root_ty(&id_of(b))).unwrap_or_default();
    if !new_root.is_empty() && new_root != old_root {
        for e in base.iter_mut() {
            for k in ["id", "path"] {
                if let Some(s) = e.get(k).and_then(Value::as_str) {
                    let renamed = format!("{new_root}{}", &s[old_root.len().min(s.len())..]);
                    e[k] = json!(renamed);
                }
            }
        }
    }
    for d in diff {
        let id = id_of(d);
        if let Some(at) = base.iter().position(|e| id_of(e) == id) {
            if let (Some(target), Some(src)) = (base[at].as_object_mut(), d.as_object()) {
                for (k, v) in src {
                    target.insert(k.clone(), v.clone());
                }
            }
            continue;
        }
        // A new slice (`a.b:s`) or an element under one (`a.b:s.c`).
        let (parent_id, last) = match id.rfind('.') {
            Some(i) => (id[..i].to_owned(), id[i + 1..].to_owned()),
            None => (String::new(), id.clone()),
        };
        if let Some((name, _slice)) = last.split_once(':') {
            let sliced = if parent_id.is_empty() {
                name.to_owned()
            } else {
                format!("{parent_id}.{name}")
            };
            let Some(at) = base.iter().position(|e| id_of(e) == sliced) else {
                base.push(d.clone());
                continue;
            };
            let mut end = at + 1;
            while end < base.len() {
                let other = id_of(&base[end]);
                if other.starts_with(&format!("{sliced}."))
                    || other.starts_with(&format!("{sliced}:"))
                {
                    end += 1;
                } else {
                    break;
                }
            }
            let mut slice = base[at].clone();
            if let (Some(t), Some(src)) = (slice.as_object_mut(), d.as_object()) {
                t.remove("slicing");
                for (k, v) in src {
                    t.insert(k.clone(), v.clone());
                }
            }
            let mut inserted = vec![slice];
            for child in base[at + 1..end].iter() {
                let cid = id_of(child);
                if let Some(rest) = cid.strip_prefix(&format!("{sliced}.")) {
                    if !rest.contains(':') {
                        let mut c = child.clone();
                        c["id"] = json!(format!("{id}.{rest}"));
                        inserted.push(c);
                    }
                }
            }
            base.splice(end..end, inserted);
        } else {
            base.push(d.clone());
        }
    }
    base.clone()
}

#[cfg(test)]
mod tests {
    use super::{called_urls, merge_differential};
    use serde_json::json;

    #[test]
    fn finds_called_urls() {
        assert_eq!(
            called_urls(
                "a.conformsTo('http://x/y|1') and memberOf('z')",
                "conformsTo("
            ),
            vec!["http://x/y".to_owned()]
        );
    }

    #[test]
    fn differential_merges_into_base() {
        let mut base = vec![
            json!({"id":"Extension","path":"Extension","min":0}),
            json!({"id":"Extension.url","path":"Extension.url","min":1}),
            json!({"id":"Extension.value[x]","path":"Extension.value[x]","min":0}),
        ];
        let diff = vec![json!({"id":"Extension.value[x]","min":1})];
        let out = merge_differential(&mut base, &diff);
        assert_eq!(out[2]["min"], json!(1));
    }
}
