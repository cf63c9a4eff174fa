//! Entry points for the fuzz targets in `fuzz/`: the command's input reader and
//! `dedup eval`'s parsers on arbitrary bytes. Not an API; each panics exactly when an
//! invariant fails.

use std::path::PathBuf;

use clap::Parser;
use nuskha::Deduplicator;

use crate::args::{Cli, Command};
use crate::input::{Inputs, JsonlFields, ReadOptions};

/// One deduplicator for every call: making one is most of a small input's cost.
static DEDUP: std::sync::OnceLock<Deduplicator> = std::sync::OnceLock::new();

/// A folder of this process's own for the fuzzed inputs, written over at each call.
fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nuskha-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

/// Reads `bytes` as the main command reads a file named `input.{extension}`
/// (`txt`, `jsonl`, `json`, `jsonl.gz`…): it never panics, every article it admits is
/// in the batch, and every one can be read again from the file (as `compare`, the
/// HTML report and `--emit unique` read them): nothing read is lost.
///
/// # Panics
///
/// When an invariant fails.
pub fn read_input(bytes: &[u8], extension: &str) {
    let path = scratch().join(format!("input.{extension}"));
    std::fs::write(&path, bytes).expect("write the input");
    let dedup = DEDUP.get_or_init(Deduplicator::new);
    let mut batch = dedup.batch();
    let fields = JsonlFields {
        id: "id".into(),
        text: "text".into(),
        title: "title".into(),
        source: "source".into(),
        date: "date".into(),
        no_title: false,
        keep_meta: true,
    };
    let on_read = |_| {};
    let mut opts = ReadOptions {
        fields: fields.clone(),
        max_file_size: 1 << 30,
        read_block: 64,
        parallel: false,
        verbose: false,
        on_read: &on_read,
        batch: &mut batch,
        keep_stdin: false,
    };
    let inputs = Inputs::read(std::slice::from_ref(&path), &mut opts);
    assert_eq!(inputs.articles.len(), batch.len(), "an article admitted is not in the batch");
    // JSON Lines as plain UTF-8 (no byte order mark, no NUL byte, read as lines): each
    // line that is not blank is an article or a skip that names it.
    let whole_file_skipped = inputs.skipped.iter().any(|(place, _)| !place.contains(".jsonl:"));
    let plain =
        std::str::from_utf8(bytes).is_ok_and(|t| !t.starts_with('\u{FEFF}')) && !bytes.contains(&0);
    if extension == "jsonl" && plain && !whole_file_skipped {
        let lines = bytes.split(|&b| b == b'\n').filter(|l| !l.iter().all(u8::is_ascii_whitespace));
        let lines = lines.count();
        let accounted = inputs.articles.len() + inputs.skipped.len();
        assert_eq!(accounted, lines, "lines neither read nor skipped: {:?}", inputs.skipped);
    }
    let all: Vec<usize> = (0..inputs.articles.len()).collect();
    let texts = inputs.texts_again(&all, &fields);
    assert!(texts.is_ok(), "an article read cannot be read again: {:?}", texts.err());
}

/// Runs `dedup eval` on `pairs` (JSON Lines), `clusters` (CSV) and `population` (JSON)
/// as files: any input gives a score or an error, never a panic.
///
/// # Panics
///
/// When the evaluation panics.
pub fn eval_inputs(pairs: &[u8], clusters: &[u8], population: &[u8]) {
    let dir = scratch();
    let (p, c, q) = (dir.join("pairs.jsonl"), dir.join("clusters.csv"), dir.join("pop.json"));
    for (path, bytes) in [(&p, pairs), (&c, clusters), (&q, population)] {
        std::fs::write(path, bytes).expect("write an input");
    }
    let paths = [&p, &c, &q].map(|x| x.to_string_lossy().into_owned());
    let command_line =
        ["dedup", "eval", "--pairs", &paths[0], "--population", &paths[2], &paths[1]];
    let Ok(cli) = Cli::try_parse_from(command_line) else { panic!("the arguments are valid") };
    let Some(Command::Eval(args)) = cli.command else { panic!("an eval command") };
    let _ = crate::eval::evaluate(&args);
}
