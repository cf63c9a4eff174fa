//! `dedup assign --clusters CLUSTERS INPUT...`: clusters made elsewhere (the Spark
//! job's, or another run's `--format csv`) joined back onto the articles, written as
//! the deduplicated corpus of `--emit unique`.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use nuskha::{Deduplicator, DocId};

use crate::args::{AssignArgs, EXIT_FAILED, EXIT_SKIPPED, EXIT_USAGE};
use crate::eval::read_clustering;
use crate::input::{Inputs, ReadOptions};
use crate::report::{unique, write_atomically};

/// `id → cluster` of a CSV file, or of every `.csv` file of a folder in name order.
fn clusters_of(path: &Path) -> Result<HashMap<String, String>, String> {
    if !path.is_dir() {
        return read_clustering(path).map_err(|e| e.0);
    }
    let mut files: Vec<_> = std::fs::read_dir(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("{}: no .csv file in the folder", path.display()));
    }
    let mut all = HashMap::new();
    for file in files {
        for (id, cluster) in read_clustering(&file).map_err(|e| e.0)? {
            if all.insert(id.clone(), cluster).is_some() {
                return Err(format!("{}: id \"{id}\" is in two files", path.display()));
            }
        }
    }
    Ok(all)
}

/// The positions of the articles a deduplicated corpus keeps (those that are their
/// cluster's representative), or why the clusters do not fit the articles.
fn kept(inputs: &Inputs, clusters: &HashMap<String, String>) -> Result<Vec<DocId>, String> {
    let mut kept = Vec::new();
    for (i, a) in inputs.articles.iter().enumerate() {
        let Some(cluster) = clusters.get(&a.id) else {
            return Err(format!(
                "article \"{}\" has no cluster: were the clusters made from these inputs?",
                a.id
            ));
        };
        if *cluster == a.id {
            kept.push(DocId(i as u32));
        }
    }
    if clusters.len() != inputs.articles.len() {
        return Err(format!(
            "the clusters have {} articles, the inputs {}: were they made from these inputs?",
            clusters.len(),
            inputs.articles.len()
        ));
    }
    Ok(kept)
}

pub fn run(args: &AssignArgs) -> ExitCode {
    let clusters = match clusters_of(&args.clusters) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("dedup: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    // The articles are read only to be written again: matching none of their text
    // (one byte of each), the reader's shingling costs next to nothing.
    let dedup = match Deduplicator::builder().max_article_bytes(1).build() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("dedup: {e}");
            return ExitCode::from(EXIT_FAILED);
        }
    };
    let mut batch = dedup.batch();
    let mut opts = ReadOptions::new(args.fields.jsonl(false), args.max_file_size, &mut batch);
    opts.keep_stdin = true;
    let inputs = Inputs::read(&args.inputs, &mut opts);
    let ids = match kept(&inputs, &clusters) {
        Ok(ids) => ids,
        Err(e) => {
            eprintln!("dedup: {}: {e}", args.clusters.display());
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let write = |out: &mut dyn Write| unique::write(out, &inputs, &ids);
    let written = match &args.output {
        Some(path) => write_atomically(path, write),
        None => {
            let mut out = io::BufWriter::new(io::stdout().lock());
            write(&mut out).and_then(|()| out.flush())
        }
    };
    if let Some(path) = &inputs.kept_stdin {
        let _ = std::fs::remove_file(path);
    }
    match written {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dedup: error: cannot write the deduplicated corpus: {e}");
            ExitCode::from(EXIT_FAILED)
        }
        Ok(()) if inputs.skipped.is_empty() => ExitCode::SUCCESS,
        Ok(()) => ExitCode::from(EXIT_SKIPPED),
    }
}
