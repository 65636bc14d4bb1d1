//! The in-memory form of one compiled rule file (one message standard and its version stack),
//! read once and shared by every check.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use serde_json::Value;

/// The multiply-rotate hash of rustc's own tables, for the engine's lookups by URL, id and
/// node: several per element, where SipHash's resistance to chosen keys buys nothing (the
/// tables are built from the rule files, never from a message).
#[derive(Clone, Copy, Default)]
pub(crate) struct FastHasher(u64);

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in words.by_ref() {
            let mut b = [0u8; 8];
            b.copy_from_slice(w);
            self.add(u64::from_le_bytes(b));
        }
        let mut b = [0u8; 8];
        let rest = words.remainder();
        b[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(b) ^ (rest.len() as u64) << 56);
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A map with [`FastHasher`].
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;
/// A set with [`FastHasher`].
pub(crate) type FastSet<K> = HashSet<K, BuildHasherDefault<FastHasher>>;

use super::ProfileError;
use crate::fhirpath::{Cache, Expression};

/// An invariant, compiled once.
#[derive(Debug)]
pub(crate) struct Constraint {
    pub(crate) key: String,
    pub(crate) error: bool,
    pub(crate) human: String,
    /// The expression, compiled on first use.
    pub(crate) expr: Arc<LazyExpression>,
    /// A native answer for exactly this key and expression (`super::native`).
    pub(crate) native: Option<super::native::Native>,
    /// `<profile url>#<key>`.
    pub(crate) rule: Arc<str>,
}

/// An invariant's expression, compiled the first time a message needs it: one message
/// touches a fraction of a stack's invariants, and compiling all of them at load was a third
/// of a one-file `medcom validate`. Constraints of a rule file with the same text share one.
#[derive(Debug)]
pub(crate) struct LazyExpression {
    text: Box<str>,
    compiled: std::sync::OnceLock<Option<Arc<Expression>>>,
    /// The engine's cache, which shares compiled expressions between rule files.
    cache: Arc<Cache>,
}

impl LazyExpression {
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The compiled expression; `None` when it does not parse (reported once per use as a
    /// warning).
    pub(crate) fn compiled(&self) -> Option<&Expression> {
        self.compiled
            .get_or_init(|| self.cache.get(&self.text).ok())
            .as_deref()
    }
}

/// A type an element allows, with its profiles and reference targets.
#[derive(Debug)]
pub(crate) struct TypeRule {
    pub(crate) code: String,
    /// `code` in the R4 type table (`None` for `Resource` and System types).
    pub(crate) ty: Option<crate::model::Type>,
    pub(crate) profiles: Vec<String>,
    /// `profiles` resolved to this rule file's profiles, once at load.
    pub(crate) profile_ids: Vec<Option<usize>>,
    pub(crate) targets: Vec<String>,
    pub(crate) bundled: bool,
}

/// What one discriminator expects of one slice, worked out at load time.
#[derive(Debug, Clone)]
pub(crate) enum Expect {
    /// The value at the path equals (or contains, for patterns) this value.
    Value(Value),
    /// The value at the path is in the value set.
    Binding(usize),
    /// The node at the path has one of these types.
    Types(Vec<String>),
    /// The node at the path (resolved) conforms to one of these profiles.
    Profiles(Vec<String>),
    /// The path exists (or not).
    Exists(bool),
    /// Nothing to match on: the slice matches nothing by this discriminator.
    Unknown,
}

/// One step of a discriminator path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    This,
    Name(String),
    Extension(String),
    Resolve,
    OfType(String),
}

#[derive(Debug)]
pub(crate) struct Discriminator {
    pub(crate) kind: String,
    pub(crate) path: Vec<Step>,
}

#[derive(Debug)]
pub(crate) struct Slicing {
    pub(crate) discriminators: Vec<Discriminator>,
    pub(crate) ordered: bool,
    pub(crate) closed: bool,
    pub(crate) open_at_end: bool,
    /// Per slice (same order as `Elem::slices`), per discriminator.
    pub(crate) expect: Vec<Vec<Expect>>,
}

/// One element definition.
#[derive(Debug)]
pub(crate) struct Elem {
    pub(crate) id: String,
    /// The element name (for `value[x]`, `value`).
    pub(crate) name: String,
    pub(crate) slice: Option<String>,
    pub(crate) min: u32,
    pub(crate) max: Option<u32>,
    pub(crate) types: Vec<TypeRule>,
    pub(crate) fixed: Option<Value>,
    pub(crate) pattern: Option<Value>,
    /// (required, value set index).
    pub(crate) binding: Option<(bool, usize)>,
    pub(crate) max_length: Option<usize>,
    pub(crate) constraints: Vec<usize>,
    pub(crate) slicing: Option<Slicing>,
    pub(crate) children: Vec<usize>,
    pub(crate) slices: Vec<usize>,
    /// Whether the element's absence can be a finding (it, or one of its slices, is
    /// required): absent elements without are skipped.
    pub(crate) required: bool,
}

/// One StructureDefinition.
#[derive(Debug)]
pub(crate) struct Profile {
    pub(crate) url: Arc<str>,
    pub(crate) type_name: String,
    /// Where an extension may be used: (context type, expression); empty: anywhere.
    pub(crate) contexts: Vec<(String, String)>,
    pub(crate) elems: Vec<Elem>,
    pub(crate) by_id: FastMap<String, usize>,
}

/// An expanded value set.
#[derive(Debug)]
pub(crate) struct ValueSet {
    pub(crate) url: String,
    pub(crate) codes: FastMap<String, FastSet<String>>,
    /// Code systems or value sets it includes that are not available.
    pub(crate) unavailable: Vec<String>,
}

impl ValueSet {
    /// `Some(true/false)` when known, `None` when the system is not available.
    pub(crate) fn contains(&self, system: Option<&str>, code: &str) -> Option<bool> {
        match system {
            Some(s) => match self.codes.get(s) {
                Some(set) if set.contains(code) => Some(true),
                _ if self.unavailable.iter().any(|u| u == s) => None,
                _ if self.codes.is_empty() && !self.unavailable.is_empty() => None,
                _ => Some(false),
            },
            None => {
                if self.codes.values().any(|set| set.contains(code)) {
                    Some(true)
                } else if self.unavailable.is_empty() {
                    Some(false)
                } else {
                    None
                }
            }
        }
    }
}

/// The rules of one message standard.
#[derive(Debug)]
pub(crate) struct Rules {
    pub(crate) name: String,
    pub(crate) version: String,
    /// `id#version` of every package the stack was compiled from, the message package first.
    pub(crate) packages: Vec<String>,
    pub(crate) message: Option<usize>,
    pub(crate) constraints: Vec<Constraint>,
    pub(crate) profiles: Vec<Profile>,
    pub(crate) by_url: FastMap<String, usize>,
    pub(crate) value_sets: Vec<ValueSet>,
    pub(crate) vs_by_url: FastMap<String, usize>,
    /// Core definition by type name.
    pub(crate) core: FastMap<String, usize>,
}

const CORE_SD: &str = "http://hl7.org/fhir/StructureDefinition/";

fn err(what: impl Into<String>) -> ProfileError {
    ProfileError::new(what)
}

fn str_of<'v>(v: &'v Value, k: &str) -> &'v str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

impl Rules {
    pub(crate) fn profile(&self, url: &str) -> Option<usize> {
        self.by_url
            .get(url.split('|').next().unwrap_or(url))
            .copied()
    }

    pub(crate) fn value_set(&self, url: &str) -> Option<usize> {
        self.vs_by_url
            .get(url.split('|').next().unwrap_or(url))
            .copied()
    }

    /// The resource or datatype a profile URL constrains (core URLs name it directly).
    pub(crate) fn type_of_url<'s>(&'s self, url: &'s str) -> Option<&'s str> {
        if let Some(p) = self.profile(url) {
            return Some(&self.profiles[p].type_name);
        }
        url.strip_prefix(CORE_SD)
    }

    /// Reads a compiled rule file.
    pub(crate) fn from_json(v: &Value, cache: &Arc<Cache>) -> Result<Self, ProfileError> {
        if v.get("format").and_then(Value::as_u64) != Some(crate::import::profiles::FORMAT) {
            return Err(err("rule file has an unknown format version"));
        }
        let mut constraints = Vec::new();
        let mut by_text: FastMap<&str, Arc<LazyExpression>> = FastMap::default();
        for c in v
            .get("constraints")
            .and_then(Value::as_array)
            .ok_or_else(|| err("rule file has no constraints"))?
        {
            let field = |i: usize| c.get(i).and_then(Value::as_str).unwrap_or("");
            let key = field(0).to_owned();
            constraints.push(Constraint {
                error: field(1) == "e",
                human: field(2).to_owned(),
                expr: Arc::clone(by_text.entry(field(3)).or_insert_with(|| {
                    Arc::new(LazyExpression {
                        text: field(3).into(),
                        compiled: std::sync::OnceLock::new(),
                        cache: Arc::clone(cache),
                    })
                })),
                native: super::native::native_for(&key, field(3)),
                rule: format!("{}#{key}", field(4)).into(),
                key,
            });
        }
        let mut value_sets = Vec::new();
        let mut vs_by_url = FastMap::default();
        for vs in v
            .get("valueSets")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let url = str_of(vs, "url").to_owned();
            let codes = vs
                .get("c")
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .map(|(s, cs)| {
                            let set = cs
                                .as_array()
                                .into_iter()
                                .flatten()
                                .filter_map(Value::as_str)
                                .map(str::to_owned)
                                .collect();
                            (s.clone(), set)
                        })
                        .collect()
                })
                .unwrap_or_default();
            let unavailable = vs
                .get("na")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
            vs_by_url.insert(url.clone(), value_sets.len());
            value_sets.push(ValueSet {
                url,
                codes,
                unavailable,
            });
        }
        let mut profiles = Vec::new();
        let mut by_url = FastMap::default();
        let mut core = FastMap::default();
        for p in v
            .get("profiles")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if p.is_null() {
                continue;
            }
            let profile = read_profile(p, &vs_by_url)?;
            let i = profiles.len();
            if let Some(t) = profile.url.strip_prefix(CORE_SD) {
                core.insert(t.to_owned(), i);
            }
            by_url.insert(profile.url.to_string(), i);
            profiles.push(profile);
        }
        let mut rules = Self {
            name: str_of(v, "stack").to_owned(),
            version: str_of(v, "version").to_owned(),
            packages: v
                .get("packages")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            message: None,
            constraints,
            profiles,
            by_url,
            value_sets,
            vs_by_url,
            core,
        };
        rules.message = rules.profile(str_of(v, "message"));
        rules.resolve_type_profiles();
        rules.prepare_slicing();
        Ok(rules)
    }

    /// Resolves every type rule's profile URLs to profile indices, so the walk never hashes
    /// a URL.
    fn resolve_type_profiles(&mut self) {
        let ids: Vec<Vec<Vec<Option<usize>>>> = self
            .profiles
            .iter()
            .map(|p| {
                p.elems
                    .iter()
                    .flat_map(|e| &e.types)
                    .map(|t| t.profiles.iter().map(|u| self.profile(u)).collect())
                    .collect()
            })
            .collect();
        for (p, ids) in self.profiles.iter_mut().zip(ids) {
            for (t, ids) in p.elems.iter_mut().flat_map(|e| &mut e.types).zip(ids) {
                t.profile_ids = ids;
            }
        }
    }

    /// Works out, once, what each slice expects of each discriminator.
    fn prepare_slicing(&mut self) {
        let mut all = Vec::new();
        for (pi, p) in self.profiles.iter().enumerate() {
            for (ei, e) in p.elems.iter().enumerate() {
                if let Some(s) = &e.slicing {
                    let per_slice: Vec<Vec<Expect>> = e
                        .slices
                        .iter()
                        .map(|&si| {
                            s.discriminators
                                .iter()
                                .map(|d| self.expectation(pi, si, d))
                                .collect()
                        })
                        .collect();
                    all.push((pi, ei, per_slice));
                }
            }
        }
        for (pi, ei, expect) in all {
            if let Some(s) = self.profiles[pi].elems[ei].slicing.as_mut() {
                s.expect = expect;
            }
        }
    }

    /// Follows a discriminator path through the definitions of a slice.
    fn expectation(&self, pi: usize, si: usize, d: &Discriminator) -> Expect {
        self.expect_at((pi, si), &d.path, &d.kind, 0)
            .unwrap_or(Expect::Unknown)
    }

    fn expect_at(
        &self,
        at: (usize, usize),
        steps: &[Step],
        kind: &str,
        depth: usize,
    ) -> Option<Expect> {
        if depth > 16 {
            return None;
        }
        let e = &self.profiles[at.0].elems[at.1];
        let Some((step, rest)) = steps.split_first() else {
            return self.expect_here(e, kind);
        };
        // A fixed or pattern value on the way: the rest of the path is inside it.
        if let (Some(v), true) = (
            e.fixed.as_ref().or(e.pattern.as_ref()),
            matches!(kind, "value" | "pattern") && !matches!(step, Step::This),
        ) {
            if let Some(inner) = value_at(v, steps) {
                return Some(Expect::Value(inner));
            }
        }
        match step {
            Step::This | Step::OfType(_) => self.expect_at(at, rest, kind, depth + 1),
            Step::Resolve => {
                let targets: Vec<String> = e.types.iter().flat_map(|t| t.targets.clone()).collect();
                if rest.is_empty() && kind == "profile" {
                    return Some(Expect::Profiles(targets));
                }
                let p = targets.first().and_then(|t| self.profile(t))?;
                self.expect_at((p, 0), rest, kind, depth + 1)
            }
            Step::Name(n) => {
                let child = self.child_def(at, n)?;
                // The child, or one of its slices, that says something about the rest.
                let slices = self.profiles[child.0].elems[child.1].slices.clone();
                std::iter::once(child)
                    .chain(slices.into_iter().map(|s| (child.0, s)))
                    .find_map(|c| self.expect_at(c, rest, kind, depth + 1))
            }
            Step::Extension(url) => {
                let ext = self.extension_def(at, url)?;
                let mut found = self.expect_at(ext, rest, kind, depth + 1);
                if found.is_none() {
                    // The slice itself may say nothing; its extension definition does.
                    if let Some(p) = self.profile(url) {
                        found = self.expect_at((p, 0), rest, kind, depth + 1);
                    }
                }
                found
            }
        }
    }

    fn expect_here(&self, e: &Elem, kind: &str) -> Option<Expect> {
        match kind {
            "value" | "pattern" => {
                if let Some(v) = e.fixed.as_ref().or(e.pattern.as_ref()) {
                    Some(Expect::Value(v.clone()))
                } else {
                    e.binding.map(|(_, vs)| Expect::Binding(vs))
                }
            }
            "type" => Some(Expect::Types(
                e.types.iter().map(|t| t.code.clone()).collect(),
            )),
            "profile" => Some(Expect::Profiles(
                e.types.iter().flat_map(|t| t.profiles.clone()).collect(),
            )),
            "exists" => Some(Expect::Exists(e.min > 0)),
            _ => None,
        }
    }

    /// The definition of child `name` under `at`: in the same profile, or in the profile of the
    /// element's type.
    pub(crate) fn child_def(&self, at: (usize, usize), name: &str) -> Option<(usize, usize)> {
        let p = &self.profiles[at.0];
        let e = &p.elems[at.1];
        if let Some(&c) = e.children.iter().find(|&&c| p.elems[c].name == name) {
            return Some((at.0, c));
        }
        let next = e
            .types
            .iter()
            .find_map(|t| t.profiles.first().and_then(|u| self.profile(u)))
            .or_else(|| {
                e.types
                    .first()
                    .and_then(|t| self.core.get(t.code.as_str()).copied())
            })?;
        if next == at.0 && at.1 == 0 {
            return None;
        }
        let np = &self.profiles[next];
        let c = np
            .elems
            .first()?
            .children
            .iter()
            .find(|&&c| np.elems[c].name == name)?;
        Some((next, *c))
    }

    /// The extension slice (or extension profile) for `url` under `at`.
    fn extension_def(&self, at: (usize, usize), url: &str) -> Option<(usize, usize)> {
        let (pi, ext) = self.child_def(at, "extension")?;
        let p = &self.profiles[pi];
        for &s in &p.elems[ext].slices {
            let e = &p.elems[s];
            if e.types.iter().any(|t| t.profiles.iter().any(|u| u == url)) {
                return Some((pi, s));
            }
        }
        self.profile(url).map(|p| (p, 0))
    }
}

/// The part of a fixed or pattern value a path of names points at.
fn value_at(v: &Value, steps: &[Step]) -> Option<Value> {
    let mut cur = v.clone();
    for step in steps {
        match step {
            Step::This => {}
            Step::Name(n) => {
                let obj = cur.as_object()?;
                let next = obj.get(n.as_str()).cloned().or_else(|| {
                    // A choice in JSON form: `valueCoding` for `value`.
                    obj.iter()
                        .find(|(k, _)| {
                            k.strip_prefix(n.as_str())
                                .and_then(|r| r.chars().next())
                                .is_some_and(char::is_uppercase)
                        })
                        .map(|(_, v)| v.clone())
                })?;
                cur = match next {
                    Value::Array(a) if a.len() == 1 => a.into_iter().next()?,
                    other => other,
                };
            }
            _ => return None,
        }
    }
    Some(cur)
}

fn parse_max(s: &str) -> Option<u32> {
    if s == "*" {
        None
    } else {
        Some(s.parse().unwrap_or(u32::MAX))
    }
}

/// `a.b:s.c[x]` → parent id `a.b:s`, name `c`, slice none; `a.b:s` → parent `a`, name `b`,
/// slice `s`. Slice names may contain dots only after the colon of their own segment, which
/// does not occur in the packages used.
fn split_id(id: &str) -> (Option<&str>, &str, Option<&str>) {
    let (parent, last) = match id.rfind('.') {
        Some(i) => (Some(&id[..i]), &id[i + 1..]),
        None => (None, id),
    };
    let (name, slice) = match last.split_once(':') {
        Some((n, s)) => (n, Some(s)),
        None => (last, None),
    };
    (parent, name.strip_suffix("[x]").unwrap_or(name), slice)
}

fn read_profile(p: &Value, vs_by_url: &FastMap<String, usize>) -> Result<Profile, ProfileError> {
    let url: Arc<str> = str_of(p, "url").into();
    let type_name = str_of(p, "type").to_owned();
    let mut elems: Vec<Elem> = Vec::new();
    let mut by_id: FastMap<String, usize> = FastMap::default();
    for e in p
        .get("e")
        .and_then(Value::as_array)
        .ok_or_else(|| err(format!("profile {url} has no elements")))?
    {
        let id = str_of(e, "i").to_owned();
        let (parent, name, slice) = split_id(&id);
        let types = e
            .get("t")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|t| {
                let list = |k: &str| -> Vec<String> {
                    t.get(k)
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                };
                let code = str_of(t, "c");
                TypeRule {
                    ty: crate::model::Type::by_name(code),
                    code: code.to_owned(),
                    profiles: list("p"),
                    profile_ids: Vec::new(),
                    targets: list("r"),
                    bundled: t.get("b").is_some(),
                }
            })
            .collect();
        let value_of = |k: &str| e.get(k).and_then(|f| f.get(1)).cloned();
        let binding = e.get("b").and_then(|b| {
            let required = b.get(0).and_then(Value::as_str) == Some("r");
            let vs = b.get(1).and_then(Value::as_str)?;
            Some((required, vs_by_url.get(vs).copied().unwrap_or(usize::MAX)))
        });
        let slicing = e.get("s").map(|s| {
            let discriminators = s
                .get("d")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|d| Discriminator {
                    kind: d.get(0).and_then(Value::as_str).unwrap_or("").to_owned(),
                    path: parse_path(d.get(1).and_then(Value::as_str).unwrap_or("$this")),
                })
                .collect();
            let rules = str_of(s, "r");
            Slicing {
                discriminators,
                ordered: s.get("o").and_then(Value::as_bool).unwrap_or(false),
                closed: rules == "closed",
                open_at_end: rules == "openAtEnd",
                expect: Vec::new(),
            }
        });
        let idx = elems.len();
        elems.push(Elem {
            id: id.clone(),
            name: name.to_owned(),
            slice: slice.map(str::to_owned),
            min: e
                .get("n")
                .and_then(Value::as_u64)
                .map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX)),
            max: e.get("x").and_then(Value::as_str).and_then(parse_max),
            types,
            fixed: value_of("f"),
            pattern: value_of("q"),
            binding,
            max_length: e
                .get("l")
                .and_then(Value::as_u64)
                .and_then(|l| usize::try_from(l).ok()),
            constraints: e
                .get("k")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_u64)
                .filter_map(|k| usize::try_from(k).ok())
                .collect(),
            slicing,
            children: Vec::new(),
            slices: Vec::new(),
            required: false,
        });
        if idx > 0 {
            if let Some(parent) = parent {
                if slice.is_some() {
                    let sliced = format!("{parent}.{}", split_last(&id));
                    if let Some(&s) = by_id.get(&sliced) {
                        elems[s].slices.push(idx);
                    }
                } else if let Some(&pi) = by_id.get(parent) {
                    elems[pi].children.push(idx);
                }
            }
        }
        by_id.insert(id, idx);
    }
    for i in 0..elems.len() {
        let e = &elems[i];
        elems[i].required = e.min > 0 || e.slices.iter().any(|&s| elems[s].min > 0);
    }
    let contexts = p
        .get("ctx")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| {
            let part = |i: usize| c.get(i).and_then(Value::as_str).unwrap_or("").to_owned();
            (part(0), part(1))
        })
        .collect();
    Ok(Profile {
        url,
        type_name,
        contexts,
        elems,
        by_id,
    })
}

/// The last segment's element part (`extension` of `a.extension:b`), with `[x]` kept.
fn split_last(id: &str) -> &str {
    let last = id.rsplit('.').next().unwrap_or(id);
    last.split(':').next().unwrap_or(last)
}

/// Parses a discriminator path: `$this`, names, `extension('url')`, `resolve()`, `ofType(T)`.
pub(crate) fn parse_path(path: &str) -> Vec<Step> {
    let mut out = Vec::new();
    let mut rest = path.trim();
    while !rest.is_empty() {
        rest = rest.trim_start_matches('.');
        if let Some(r) = rest.strip_prefix("$this") {
            out.push(Step::This);
            rest = r;
        } else if let Some(r) = rest.strip_prefix("extension('") {
            let end = r.find("')").unwrap_or(r.len());
            out.push(Step::Extension(r[..end].to_owned()));
            rest = r.get(end + 2..).unwrap_or("");
        } else if let Some(r) = rest.strip_prefix("resolve()") {
            out.push(Step::Resolve);
            rest = r;
        } else if let Some(r) = rest.strip_prefix("ofType(") {
            let end = r.find(')').unwrap_or(r.len());
            out.push(Step::OfType(r[..end].to_owned()));
            rest = r.get(end + 1..).unwrap_or("");
        } else {
            let end = rest.find('.').unwrap_or(rest.len());
            let name = &rest[..end];
            out.push(Step::Name(
                name.strip_suffix("[x]").unwrap_or(name).to_owned(),
            ));
            rest = &rest[end..];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{parse_path, split_id, Step};

    #[test]
    fn expressions_compile_on_first_use() {
        let cache = std::sync::Arc::new(crate::fhirpath::Cache::default());
        let lazy = |text: &str| super::LazyExpression {
            text: text.into(),
            compiled: std::sync::OnceLock::new(),
            cache: std::sync::Arc::clone(&cache),
        };
        let good = lazy("name.exists()");
        let bad = lazy("name.(");
        assert!(cache.is_empty());
        assert!(good.compiled().is_some());
        assert_eq!(cache.len(), 1);
        // Kept as text, and asked again on every use, a broken expression stays broken.
        assert!(bad.compiled().is_none());
        assert!(bad.compiled().is_none());
        assert_eq!(bad.text(), "name.(");
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn ids_split() {
        assert_eq!(split_id("A.b:s.c[x]"), (Some("A.b:s"), "c", None));
        assert_eq!(split_id("A.b:s"), (Some("A"), "b", Some("s")));
        assert_eq!(split_id("A"), (None, "A", None));
    }

    #[test]
    fn paths_parse() {
        assert_eq!(
            parse_path("extension('http://x/y').value.code"),
            vec![
                Step::Extension("http://x/y".into()),
                Step::Name("value".into()),
                Step::Name("code".into())
            ]
        );
        assert_eq!(parse_path("$this"), vec![Step::This]);
        assert_eq!(
            parse_path("resource.resolve()"),
            vec![Step::Name("resource".into()), Step::Resolve]
        );
    }
}
