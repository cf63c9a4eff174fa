//! The one integration-test binary of the `dedup` command: every module below is a
//! group of tests that run the built binary as a user runs it.

mod cli;
mod cli_input;
mod eval;
mod html;
mod index;
mod input_checks;
mod output;
mod sketch;
