//! Typed views and builders.
