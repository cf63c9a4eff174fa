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
        sources: true,
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
        stripe: None,
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

/// A small index of the shipped articles (and edited copies of them, one removed), as
/// bytes, with its clustering (id, representative, score): what `open_index` mutates.
struct ReferenceIndex {
    bytes: Vec<u8>,
    clustering: Vec<(String, String, String)>,
}

static REFERENCE: std::sync::OnceLock<ReferenceIndex> = std::sync::OnceLock::new();

/// Each article's id, representative and score in `store`'s clusters.
fn clustering_of(index: &nuskha_store::Store) -> Vec<(String, String, String)> {
    let feed = index.index();
    let clusters = feed.clusters();
    (0..feed.len())
        .map(|i| {
            let d = nuskha::DocId(i as u32);
            let c = clusters.cluster_of(d);
            let score = c.members().iter().find(|m| m.id == d).map_or(1.0, |m| m.score);
            (
                feed.id(d).to_string(),
                feed.id(c.representative()).to_string(),
                format!("{score} {}", feed.date(d).unwrap_or(0)),
            )
        })
        .collect()
}

fn reference_index() -> ReferenceIndex {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/articles");
    let mut texts: Vec<(String, String)> = std::fs::read_dir(&root)
        .expect("the shipped articles")
        .map(|e| e.expect("an entry").path())
        .map(|p| {
            (
                p.file_name().unwrap_or_default().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).expect("an article"),
            )
        })
        .collect();
    texts.sort();
    let copies: Vec<(String, String)> =
        texts.iter().map(|(id, t)| (format!("{id}-copy"), format!("نقلا عن الوكالة {t}"))).collect();
    let path = scratch().join("reference.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let options = nuskha_store::Options::default();
    let mut store =
        nuskha_store::Store::open(&path, nuskha_store::Access::Write, &options, &[], None)
            .expect("a new index");
    let dedup = store.index().deduplicator().clone();
    for (k, part) in [texts, copies].into_iter().enumerate() {
        let articles = part
            .into_iter()
            .map(|(id, text)| nuskha_store::NewArticle {
                id,
                meta: nuskha_store::Meta {
                    date: Some("2025-05-20".into()),
                    source: Some("seed".into()),
                    title: None,
                },
                date_unix: Some(1_747_699_200 + i64::from(k == 1)),
                article: dedup.shingle(&text),
            })
            .collect();
        store.add(articles).expect("add");
    }
    store.retain(|id, _| id != "open-days-diplomats.txt").expect("remove");
    let clustering = clustering_of(&store);
    drop(store);
    // Folded into the main file, so that the bytes are the whole index.
    ReferenceIndex { bytes: checkpointed_bytes(&path), clustering }
}

/// The bytes of the index at `path` once its write-ahead log is folded in (reopened
/// for writing and closed: SQLite checkpoints on the last close).
fn checkpointed_bytes(path: &std::path::Path) -> Vec<u8> {
    let store = nuskha_store::Store::open(
        path,
        nuskha_store::Access::Write,
        &nuskha_store::Options::default(),
        &[],
        None,
    )
    .expect("the reference index");
    drop(store);
    std::fs::read(path).expect("the reference index's bytes")
}

/// Opens an index file made of `data`: with its first byte even, `data[1..]` is the
/// file; odd, it is a list of edits (a little-endian `u32` offset and a byte, five
/// bytes each) to a valid index. Opening, listing and checking never panic, and an
/// edited index that opens and passes `check` gives the valid one's clusters: damage
/// is refused, never taken for a different answer. Returns whether it opened and
/// passed `check`.
///
/// # Panics
///
/// When an invariant fails.
pub fn open_index(data: &[u8]) -> bool {
    let Some((&mode, rest)) = data.split_first() else { return false };
    let reference = REFERENCE.get_or_init(reference_index);
    let bytes = if mode % 2 == 0 {
        rest.to_vec()
    } else {
        let mut bytes = reference.bytes.clone();
        for edit in rest.chunks_exact(5) {
            let at =
                u32::from_le_bytes([edit[0], edit[1], edit[2], edit[3]]) as usize % bytes.len();
            bytes[at] = edit[4];
        }
        bytes
    };
    let path = scratch().join("fuzzed.db");
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    std::fs::write(&path, &bytes).expect("write the index");
    let options = nuskha_store::Options::default();
    let Ok(store) =
        nuskha_store::Store::open(&path, nuskha_store::Access::Read, &options, &[], None)
    else {
        return false;
    };
    let _ = store.metadata();
    let clean = store.check().is_ok_and(|problems| problems.is_empty());
    if mode % 2 == 1 && clean {
        assert_eq!(
            clustering_of(&store),
            reference.clustering,
            "a damaged index gave other clusters"
        );
    }
    clean
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_index_target_opens_its_reference_and_refuses_junk() {
        assert!(super::open_index(&[1]), "the reference index opens and passes its check");
        assert!(!super::open_index(b"\0not an index"));
        let reference = &super::REFERENCE.get().expect("made").bytes;
        assert!(reference.len() > 4096, "{}", reference.len());
        // Each page's middle byte overwritten, one page at a time: refused or the same.
        for page in 0..reference.len() / 4096 {
            let at = u32::try_from(page * 4096 + 2048).unwrap();
            let mut edit = vec![1];
            edit.extend_from_slice(&at.to_le_bytes());
            edit.push(0xA5);
            super::open_index(&edit);
        }
    }
}
