//! Placeholder, replaced by the legacy validation benchmark.
fn main() {}
