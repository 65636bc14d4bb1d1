//! Reader options with safe, documented defaults.

/// Whether structural FHIR problems stop reading or are collected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Mode {
    /// Unknown elements, wrong order, wrong JSON types, duplicate keys, empty values and invalid
    /// primitive lexical forms are recorded in [`crate::Document::issues`] and reading goes on.
    /// Input that is not well-formed XML or JSON, and every limit, still stop reading.
    Lenient,
    /// The first problem is an error.
    #[default]
    Strict,
}

/// Options for the XML and JSON readers.
///
/// Every default is safe for untrusted input: DOCTYPE declarations are always rejected and no
/// entity other than the five predefined ones and character references is ever expanded.
///
/// # Examples
///
/// ```
/// use medcom::{Mode, ReadOptions};
/// let options = ReadOptions::default().with_mode(Mode::Lenient).with_max_depth(64);
/// assert_eq!(options.max_depth, 64);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReadOptions {
    /// Strict or lenient reading. Default: [`Mode::Strict`].
    pub mode: Mode,
    /// Largest accepted input in bytes. Default: 64 MiB.
    pub max_input_bytes: usize,
    /// Deepest accepted nesting of elements: XML elements with content, JSON objects (an array
    /// is no element; arrays are bounded by the same figure on their own). The element of a
    /// contained resource shares its wrapper's level and a narrative's XHTML counts from its
    /// `div`, in both formats, so that whatever one reader accepts the other accepts once
    /// converted. Default: 128.
    pub max_depth: usize,
    /// Largest accepted number of elements in the model. Default: 1,000,000.
    pub max_nodes: usize,
    /// Longest accepted single value (attribute value, string or narrative) in bytes.
    /// Default: 32 MiB (a base64 attachment can be large).
    pub max_string_bytes: usize,
    /// Largest accepted number of attributes (namespace declarations included) on one
    /// element, narratives included. Default: 256; FHIR elements carry one or two and XHTML
    /// narratives a handful.
    pub max_attributes: usize,
    /// Most problems lenient reading records in [`crate::Document::issues`]; further ones are
    /// only counted ([`crate::Document::issues_left_out`]), so that a file with a problem in
    /// every element costs no more memory than one with a thousand. Default: 1,000.
    pub max_issues: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            mode: Mode::Strict,
            max_input_bytes: 64 << 20,
            max_depth: 128,
            max_nodes: 1_000_000,
            max_string_bytes: 32 << 20,
            max_attributes: 256,
            max_issues: 1_000,
        }
    }
}

impl ReadOptions {
    /// Sets [`Self::mode`].
    #[must_use]
    pub fn with_mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// Sets [`Self::max_input_bytes`].
    #[must_use]
    pub fn with_max_input_bytes(mut self, limit: usize) -> Self {
        self.max_input_bytes = limit;
        self
    }

    /// Sets [`Self::max_depth`].
    #[must_use]
    pub fn with_max_depth(mut self, limit: usize) -> Self {
        self.max_depth = limit;
        self
    }

    /// Sets [`Self::max_nodes`].
    #[must_use]
    pub fn with_max_nodes(mut self, limit: usize) -> Self {
        self.max_nodes = limit;
        self
    }

    /// Sets [`Self::max_string_bytes`].
    #[must_use]
    pub fn with_max_string_bytes(mut self, limit: usize) -> Self {
        self.max_string_bytes = limit;
        self
    }

    /// Sets [`Self::max_attributes`].
    #[must_use]
    pub fn with_max_attributes(mut self, limit: usize) -> Self {
        self.max_attributes = limit;
        self
    }

    /// Sets [`Self::max_issues`].
    #[must_use]
    pub fn with_max_issues(mut self, limit: usize) -> Self {
        self.max_issues = limit;
        self
    }

    pub(crate) fn is_strict(&self) -> bool {
        self.mode == Mode::Strict
    }
}
