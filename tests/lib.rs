//! The one integration-test binary: every module below is a group of tests.

// The command-line tests run the example binary, which needs the `rayon` feature.
#[cfg(feature = "rayon")]
mod cli;
#[cfg(feature = "rayon")]
mod cli_input;
mod corpus;
mod golden;
mod normalize;
mod pipeline;
mod sketch;
mod tokenize;

pub use corpus::seed_articles;
