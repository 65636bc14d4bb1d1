//! The README's "versions supported" table is the one the compiled stacks give
//! ([`medcom::profile::Engine::versions_table`]); when it is stale the test prints the fresh one.

const BEGIN: &str = "<!-- versions-supported: begin -->\n";
const END: &str = "<!-- versions-supported: end -->";

#[test]
fn readme_versions_table_is_fresh() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let start = readme.find(BEGIN).expect("README has the begin marker") + BEGIN.len();
    let end = readme[start..]
        .find(END)
        .expect("README has the end marker")
        + start;
    let fresh = medcom::profile::Engine::embedded()
        .expect("built-in rules")
        .versions_table()
        .expect("every stack reads");
    assert!(
        readme[start..end] == fresh,
        "the README's versions table is stale; between the markers put:\n\n{fresh}"
    );
}

/// One row per compiled stack, and CareCommunication has two.
#[test]
fn every_stack_has_a_row() {
    let engine = medcom::profile::Engine::embedded().expect("built-in rules");
    let table = engine.versions_table().expect("every stack reads");
    for (name, version) in engine.supported() {
        assert!(
            table.contains(&format!("| {name} | {version} |")),
            "{name} {version}"
        );
    }
    assert_eq!(table.matches("| CareCommunication |").count(), 2);
}
