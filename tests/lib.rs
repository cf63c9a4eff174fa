//! The one integration-test binary: every module below is a group of tests.

// The command's tests live with it, in `cli/tests/`.
mod corpus;
mod golden;
mod live_index;
mod normalize;
mod pipeline;
mod scale;
mod sketch;
mod tokenize;

pub use corpus::seed_articles;
