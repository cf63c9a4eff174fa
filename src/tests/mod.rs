//! Shared fixtures for the unit tests.

/// The real corpus, when `../shared/data/arabic_news` is present (shared with `tests/`).
#[path = "../../tests/corpus.rs"]
#[allow(dead_code)]
pub(crate) mod corpus;
