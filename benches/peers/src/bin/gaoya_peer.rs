//! The gaoya crate as a careful user runs it: `gaoya_peer CORPUS.jsonl THRESHOLD BANDS ROWS OUT.tsv`
//! — word 5-shingles, 32-bit MinHash with BANDS×ROWS hashes, an LSH index, and every
//! document queried; writes the pairs it reports as near-duplicates.
//!
//! Each shingle is hashed where it lies: the text is lowercased once, split into word
//! slices, and every window of five slices is handed to the hasher as it is (`&[&str]`
//! is `Hash`), with no `String` built per shingle (about twice as fast as joining).

use std::io::Write;

use gaoya::minhash::{MinHashIndex, MinHasher, MinHasher32};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let docs = nuskha_peers::read_jsonl(&args[1]);
    let threshold: f64 = args[2].parse().unwrap();
    let (bands, rows): (usize, usize) = (args[3].parse().unwrap(), args[4].parse().unwrap());
    let hasher = MinHasher32::new(bands * rows);
    let mut index = MinHashIndex::new(bands, rows, threshold);
    let sigs: Vec<Vec<u32>> = docs
        .iter()
        .map(|(_, t)| {
            let lower = t.to_lowercase();
            let words = nuskha_peers::words(&lower);
            if words.len() < 5 {
                // One shingle of every word, as the joining version makes.
                return hasher.create_signature(std::iter::once(words.as_slice()));
            }
            hasher.create_signature(words.windows(5))
        })
        .collect();
    for (i, sig) in sigs.iter().enumerate() {
        index.insert(i, sig.clone());
    }
    let mut out = std::io::BufWriter::new(std::fs::File::create(&args[5]).unwrap());
    for (i, sig) in sigs.iter().enumerate() {
        for (j, _) in index.query_owned_return_similarity(sig) {
            if j > i {
                writeln!(out, "{}\t{}", docs[i].0, docs[j].0).unwrap();
            }
        }
    }
}
