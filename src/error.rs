//! The crate's one error type, used only at the edges (builders, readers).
//!
//! Hot paths (normalising, shingling, sketching) never fail: any `&str` is valid input.

use std::fmt;
use std::path::PathBuf;

/// Everything that can go wrong in nuskha.
///
/// Messages are lower-case without a trailing period, so they compose into
/// longer messages (`"reading corpus: invalid parameter ..."`).
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A builder or constructor was given a value outside its valid range.
    InvalidParameter {
        /// The parameter's name as the API spells it (`"num_perm"`, `"threshold"`).
        name: &'static str,
        /// What is wrong with the value.
        reason: String,
    },
    /// Two sketches made with different parameters were compared.
    IncompatibleSketches {
        /// What differs, e.g. `"num_perm 128 vs 64"`.
        reason: String,
    },
    /// A file could not be read or written.
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
}

impl Error {
    pub(crate) fn invalid(name: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidParameter { name, reason: reason.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidParameter { name, reason } => {
                write!(f, "invalid parameter `{name}`: {reason}")
            }
            Error::IncompatibleSketches { reason } => {
                write!(f, "sketches were made with different parameters: {reason}")
            }
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// `Result` with [`Error`] as its default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
