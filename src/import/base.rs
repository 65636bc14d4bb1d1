//! Compiles the base rule file (`schemas/fhir/r4-base-4.0.1.json`): every StructureDefinition
//! of the HL7 R4 core package (resources, datatypes, the core profiles such as vital signs, the
//! core extensions) and of DK-core, with the value sets their required and extensible bindings
//! name, expanded from the packages. The profile engine checks anything that is not a MedCom
//! message against it.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use serde_json::{json, Value};

use super::profiles::{Catalog, Compiler, RuleFile, Stack};
use super::ImportError;

/// File name under `schemas/fhir/`.
pub const FILE: &str = "r4-base-4.0.1.json";

/// The stack name the base rules carry.
pub const NAME: &str = "R4";

/// The package whose dependencies make the base stack (DK-core, then R4 core, terminology and
/// extensions).
const TOP: &str = "hl7.fhir.dk.core";

/// Compiles the base rules from the packages of `catalog`: the newest DK-core and what it
/// depends on.
pub(crate) fn compile(catalog: &Catalog) -> Result<Value, ImportError> {
    let packages = catalog.stack(TOP, None)?;
    compile_packages(Stack { packages })
}

/// Compiles one package loaded at run time (an npm tarball or an unpacked package folder): its
/// StructureDefinitions with the value sets they bind, expanded from the package. Definitions it
/// builds on that it does not hold (R4 core, DK-core) stay with the base rules.
///
/// # Errors
///
/// An [`ImportError`] when the package cannot be read or a profile in it cannot be compiled.
pub fn compile_package(path: &std::path::Path) -> Result<Value, ImportError> {
    let package = if path.is_dir() {
        super::profiles::Package::open(path)?
    } else {
        super::profiles::Package::from_archive(path)?
    };
    let name = format!("{}#{}", package.id, package.version);
    let mut v = compile_packages(Stack {
        packages: vec![package],
    })?;
    v["stack"] = json!(name);
    Ok(v)
}

fn compile_packages(mut stack: Stack) -> Result<Value, ImportError> {
    let names: Vec<String> = stack
        .packages
        .iter()
        .map(|p| format!("{}#{}", p.id, p.version))
        .collect();
    let mut seeds: Vec<String> = Vec::new();
    let single = stack.packages.len() == 1;
    for p in &mut stack.packages {
        if p.id == "hl7.fhir.r4.core" || p.id == TOP || single {
            seeds.extend(
                p.structure_definitions()
                    .iter()
                    .filter_map(|sd| sd.get("url").and_then(Value::as_str).map(str::to_owned)),
            );
        }
    }
    seeds.sort();
    let mut c = Compiler {
        stack,
        constraints: Vec::new(),
        constraint_index: HashMap::new(),
        profiles: BTreeMap::new(),
        value_sets: BTreeSet::new(),
        queue: VecDeque::from(seeds),
    };
    while let Some(url) = c.queue.pop_front() {
        match c.add_profile(&url) {
            Ok(()) => {}
            // A profile of a package loaded alone may build on one it does not hold.
            Err(_) if single => {}
            Err(e) => return Err(e),
        }
    }
    Ok(c.into_rule_file(&RuleFile {
        stack: NAME,
        version: "4.0.1",
        event: "",
        message: "",
        definition: "",
        packages: &names,
    }))
}
