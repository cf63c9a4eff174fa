//! `dedup`: the command-line face of nuskha.
//!
//! The binary `dedup` (and the workspace's example of the same name) is [`main`]; this
//! library holds the command so that both run the same code.
//!
//! ```text
//! dedup [OPTIONS] <INPUT>...  clusters of copies among the articles
//! dedup normalize [FILE]...   print each line as the matcher sees it
//! dedup compare A B           every similarity between two articles, and what they share
//! dedup eval CLUSTERS.csv      precision and recall against pairs labelled by reading
//! dedup sketch IN... -o DIR  Parquet for a job on many machines (feature `parquet`)
//! dedup assign --clusters C IN...  the deduplicated corpus of clusters made elsewhere
//! dedup index add INDEX IN...  a persistent index of a live feed (also query, remove,
//!                              expire, clusters, stats, check)
//! ```

mod args;
mod assign;
mod cluster;
mod compare;
mod eval;
#[doc(hidden)]
pub mod fuzzing;
mod index;
mod normalize;
mod report;
mod sketch;

use std::io;
use std::process::ExitCode;

// The reader lives in a crate of its own, shared with the Python bindings.
use nuskha_input as input;
use nuskha_input::date;

use clap::{CommandFactory, FromArgMatches};

use args::{Cli, Command};

/// Runs `dedup` on the process's arguments and returns its exit code.
pub fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let result = match cli.command {
        None => Ok(cluster::run(&cli.cluster)),
        Some(Command::Index { command }) => {
            let sub = matches.subcommand_matches("index").and_then(|m| m.subcommand_matches("add"));
            return index::run(&command, sub);
        }
        Some(Command::Normalize { files }) => normalize::run(&files),
        Some(Command::Eval(args)) => eval::run(&args),
        Some(Command::Compare(args)) => compare::run(&args),
        Some(Command::Sketch(args)) => return sketch::run(&args),
        Some(Command::Assign(args)) => return assign::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dedup: {e}");
            ExitCode::FAILURE
        }
    }
}
