//! The one integration-test binary: every module below is a group of tests.

mod cli;
mod corpus;
mod normalize;
mod tokenize;
