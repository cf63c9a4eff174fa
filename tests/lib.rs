//! The one integration-test binary: every module below is a group of tests.

mod cli;
mod cli_input;
mod corpus;
mod golden;
mod normalize;
mod pipeline;
mod sketch;
mod tokenize;

pub use corpus::seed_articles;
