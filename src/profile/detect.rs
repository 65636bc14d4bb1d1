//! Which message standard and version a Bundle claims: the standard from
//! `MessageHeader.eventCoding` (else `meta.profile`), the version from `MessageHeader.definition`
//! (else a `|version` suffix on the message profile in `meta.profile`).

use super::StackInfo;
use crate::model::Node;

/// What detection found.
#[derive(Debug)]
pub(crate) enum Claim {
    /// A supported stack (index into the engine's stacks).
    Supported(usize),
    /// A known standard at a version the engine does not have.
    Unsupported { stack: usize, claimed: String },
    /// Not a Bundle, or no standard recognized.
    Unknown,
}

/// The message header, as the message view finds it ([`crate::model::MessageView::header`]).
pub(crate) fn message_header<'d, 'a>(bundle: Node<'d, 'a>) -> Option<Node<'d, 'a>> {
    crate::model::MessageView::new(bundle).header()
}

fn profiles<'d>(resource: Node<'d, '_>) -> impl Iterator<Item = &'d str> {
    resource
        .child("meta")
        .into_iter()
        .flat_map(|m| m.children_named("profile").collect::<Vec<_>>())
        .filter_map(|p| p.value())
}

/// `major.minor` of a version (or the major alone).
fn major_minor(v: &str) -> Vec<&str> {
    v.split(['.', '-']).take(2).collect()
}

/// Whether `wanted` (empty, `4`, `4.0` or `4.0.3`) names `version`, part by part.
pub(crate) fn covers(wanted: &str, version: &str) -> bool {
    wanted.is_empty()
        || wanted
            .split('.')
            .zip(version.split('.'))
            .all(|(a, b)| a == b)
            && wanted.split('.').count() <= version.split('.').count()
}

/// Whether `claimed` (possibly just `5` or `5.0`) is compatible with `supported` (`5.0.2`).
fn compatible(claimed: &str, supported: &str) -> bool {
    let c = major_minor(claimed);
    let s = major_minor(supported);
    c.iter().zip(s.iter()).all(|(a, b)| a == b)
}

/// Picks the stack for a message: the standard from `MessageHeader.eventCoding` (else the
/// message profile in `meta.profile`), then among that standard's stacks the one whose
/// MessageDefinition the `MessageHeader.definition` names, else the one a versioned message
/// profile (`…|4.0.3`) names, else the first (current) one. A version no stack covers is
/// [`Claim::Unsupported`].
pub(crate) fn detect_refs(
    stacks: &[&StackInfo],
    known: &dyn Fn(usize, &str) -> bool,
    root: Node<'_, '_>,
) -> Claim {
    if root.ty().name() != "Bundle" {
        return Claim::Unknown;
    }
    let header = message_header(root);
    let event = header
        .and_then(|h| h.child("event"))
        .and_then(|e| e.child_value("code"));
    let bundle_profiles: Vec<&str> = profiles(root).collect();
    let by_event = event.and_then(|code| stacks.iter().position(|s| s.event == code));
    let by_profile = || {
        stacks.iter().position(|s| {
            bundle_profiles
                .iter()
                .any(|p| p.split('|').next() == Some(s.message.as_str()))
        })
    };
    let Some(first) = by_event.or_else(by_profile) else {
        return Claim::Unknown;
    };
    let name = stacks[first].name.as_str();
    let family: Vec<usize> = (0..stacks.len())
        .filter(|&i| stacks[i].name == name)
        .collect();
    let mut si = first;
    let mut declared = false;
    // The message definition names the MessageDefinition and its version.
    if let Some(def) = header.and_then(|h| h.child_value("definition")) {
        let with_definition: Vec<usize> = family
            .iter()
            .copied()
            .filter(|&i| !stacks[i].definition.is_empty())
            .collect();
        if !with_definition.is_empty() {
            match with_definition
                .iter()
                .find(|&&i| def.starts_with(stacks[i].definition.as_str()))
            {
                Some(&i) => {
                    si = i;
                    declared = true;
                }
                None => {
                    let claimed = def
                        .split_once('|')
                        .map_or_else(|| def.rsplit('/').next().unwrap_or(def), |(_, v)| v);
                    return Claim::Unsupported {
                        stack: first,
                        claimed: format!("definition {claimed}"),
                    };
                }
            }
        }
    }
    // A versioned meta.profile of the message profile.
    for p in &bundle_profiles {
        let Some((url, v)) = p.split_once('|') else {
            continue;
        };
        if url != stacks[first].message {
            continue;
        }
        if declared {
            if !compatible(v, &stacks[si].version) {
                return Claim::Unsupported {
                    stack: si,
                    claimed: v.to_owned(),
                };
            }
        } else {
            match family.iter().find(|&&i| compatible(v, &stacks[i].version)) {
                Some(&i) => {
                    si = i;
                    declared = true;
                }
                None => {
                    return Claim::Unsupported {
                        stack: first,
                        claimed: v.to_owned(),
                    }
                }
            }
        }
    }
    if let Some(claimed) = fingerprint(stacks[si], declared, &|url| known(si, url), root, header) {
        return Claim::Unsupported { stack: si, claimed };
    }
    Claim::Supported(si)
}

/// Older releases that carry no version anywhere, recognized by what changed between releases.
fn fingerprint(
    stack: &StackInfo,
    declared: bool,
    known: &dyn Fn(&str) -> bool,
    root: Node<'_, '_>,
    header: Option<Node<'_, '_>>,
) -> Option<String> {
    // A MedCom profile the stack does not define (renamed or dropped since): an older release.
    for entry in root.children_named("entry") {
        let Some(res) = entry.child("resource") else {
            continue;
        };
        for p in profiles(res) {
            if p.starts_with("http://medcomfhir.dk/") && !known(p) {
                return Some(format!("unknown (declares profile {p})"));
            }
        }
    }
    let header = header?;
    // Releases before the move to `/ig/` canonicals used `http://medcomfhir.dk/fhir/…` code
    // systems for the event.
    if let Some(system) = header.child("event").and_then(|e| e.child_value("system")) {
        if system.starts_with("http://medcomfhir.dk/fhir/") {
            return Some("unknown (event code system of the old /fhir/ canonical)".to_owned());
        }
    }
    match stack.name.as_str() {
        // CareCommunication 4.0 and 5 require MessageHeader.definition (4.0 a fixed pattern, 5 a
        // MessageDefinition URL, both handled above); 2.x and 3.x had none.
        // A message that names its version in meta.profile is checked on it even so, and the
        // stack reports the missing definition.
        "CareCommunication" if !declared && header.child("definition").is_none() => {
            Some("unknown (before 4.0)".to_owned())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{compatible, covers};

    #[test]
    fn a_stack_name_covers_its_version_part_by_part() {
        for (wanted, version, ok) in [
            ("", "4.0.3", true),
            ("4", "4.0.3", true),
            ("4.0", "4.0.3", true),
            ("4.0.3", "4.0.3", true),
            ("4.0.1", "4.0.3", false),
            ("4.0.3.1", "4.0.3", false),
            ("5.0", "4.0.3", false),
            ("40", "4.0.3", false),
        ] {
            assert_eq!(covers(wanted, version), ok, "{wanted} vs {version}");
        }
    }

    #[test]
    fn versions_compare_by_major_and_minor() {
        for (claimed, supported, ok) in [
            ("5.0", "5.0.2", true),
            ("5", "5.0.2", true),
            ("5.0.1", "5.0.2", true),
            ("4.0.0", "5.0.2", false),
            ("1.1", "1.2.1", false),
        ] {
            assert_eq!(
                compatible(claimed, supported),
                ok,
                "{claimed} vs {supported}"
            );
        }
    }
}
