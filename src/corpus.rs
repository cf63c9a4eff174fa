//! Documents and their ids.

use std::fmt;

/// A document's id inside nuskha: its position in the input, for batch work.
///
/// External ids (file paths, record ids) stay with the caller, who maps them by index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DocId(pub u32);

impl DocId {
    /// The id as an index into the input.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl From<u32> for DocId {
    fn from(v: u32) -> Self {
        DocId(v)
    }
}
