//! Edits of JSON documents in data-driven tests: `path=JSON` sets (creating what is
//! missing), `-path` removes; paths are dotted, with `[i]` for array items.

/// A path step: `name` or `name[i]`.
fn step(s: &str) -> (&str, Option<usize>) {
    match s.split_once('[') {
        Some((name, rest)) => (name, rest.trim_end_matches(']').parse().ok()),
        None => (s, None),
    }
}

/// Applies one edit of the mutant table: `path=JSON` sets (creating what is missing),
/// `-path` removes. Paths are dotted, with `[i]` for array items.
pub fn edit(root: &mut serde_json::Value, edit: &str) -> Result<(), String> {
    let (path, value) = match edit.strip_prefix('-') {
        Some(path) => (path, None),
        None => {
            let (path, json) = edit
                .split_once('=')
                .ok_or("an edit is path=JSON or -path")?;
            let value = serde_json::from_str(json).map_err(|e| format!("{json}: {e}"))?;
            (path, Some(value))
        }
    };
    let steps: Vec<&str> = path.split('.').collect();
    let mut at = root;
    for (n, s) in steps.iter().enumerate() {
        let (name, index) = step(s);
        let last = n + 1 == steps.len();
        let object = at
            .as_object_mut()
            .ok_or(format!("{name}: parent is no object"))?;
        if last && index.is_none() {
            match value {
                Some(v) => {
                    object.insert(name.to_owned(), v);
                }
                None => {
                    object
                        .remove(name)
                        .ok_or(format!("{path}: nothing to remove"))?;
                }
            }
            return Ok(());
        }
        let slot = object.entry(name.to_owned()).or_insert_with(|| {
            if index.is_some() {
                serde_json::Value::Array(Vec::new())
            } else {
                serde_json::Value::Object(serde_json::Map::new())
            }
        });
        at = match index {
            None => slot,
            Some(i) => {
                let items = slot.as_array_mut().ok_or(format!("{name}: not an array"))?;
                if last {
                    match value {
                        Some(v) if i == items.len() => items.push(v),
                        Some(v) if i < items.len() => items[i] = v,
                        None if i < items.len() => {
                            items.remove(i);
                        }
                        _ => return Err(format!("{path}: index out of range")),
                    }
                    return Ok(());
                }
                if i == items.len() {
                    items.push(serde_json::Value::Object(serde_json::Map::new()));
                }
                items
                    .get_mut(i)
                    .ok_or(format!("{path}: index out of range"))?
            }
        };
    }
    Err(format!("{path}: empty path"))
}
