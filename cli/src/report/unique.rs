//! `--emit unique`: the deduplicated corpus. Each kept article's input record is read
//! again from where it came from (JSON Lines verbatim, a text file as `{"id", "text"}`)
//! and written in input order: the texts were never all held in memory, and are not now.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};

use nuskha::{Clusters, DocId};

use crate::input::{Decoded, Inputs, Origin, decode};

/// The articles a deduplicated corpus keeps: every representative, and every article
/// without a copy (a representative of a cluster of one), in input order.
pub fn kept(clusters: &Clusters, articles: usize) -> Vec<DocId> {
    (0..articles)
        .map(|i| DocId(i as u32))
        .filter(|&id| clusters.representative_of(id) == id)
        .collect()
}

/// Writes the input record of each article of `ids`, source by source, in input order.
pub fn write(out: &mut dyn Write, inputs: &Inputs, ids: &[DocId]) -> io::Result<()> {
    let mut by_source: BTreeMap<u32, Vec<(Origin, &str)>> = BTreeMap::new();
    for &id in ids {
        let a = &inputs.articles[id.index()];
        by_source.entry(a.origin.source).or_default().push((a.origin, &a.id));
    }
    for (source, records) in by_source {
        let s = &inputs.sources[source as usize];
        let Some(path) = &s.path else {
            return Err(io::Error::other("standard input was not kept; it cannot be read again"));
        };
        let reopen = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", path.display()));
        let file = File::open(path).map_err(reopen)?;
        if !s.jsonl {
            let mut bytes = Vec::new();
            BufReader::new(file).read_to_end(&mut bytes).map_err(reopen)?;
            let text = decode(&bytes)
                .map_or_else(|_| String::new(), |Decoded { text, .. }| text.into_owned());
            for (_, id) in records {
                serde_json::to_writer(&mut *out, &serde_json::json!({ "id": id, "text": text }))?;
                out.write_all(b"\n")?;
            }
            continue;
        }
        let reader: Box<dyn Read> = if s.gz {
            Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(file)))
        } else {
            Box::new(file)
        };
        copy_lines(
            BufReader::with_capacity(1 << 20, reader),
            out,
            records.iter().map(|(o, _)| o.line),
        )
        .map_err(reopen)?;
    }
    Ok(())
}

/// Copies the lines numbered `wanted` (from 1, ascending) of `reader` to `out`, each
/// ending in a newline; a UTF-8 byte-order mark before the first line is left out.
fn copy_lines(
    mut reader: impl BufRead,
    out: &mut dyn Write,
    wanted: impl IntoIterator<Item = u64>,
) -> io::Result<()> {
    let mut line = Vec::new();
    let mut number = 0u64;
    for want in wanted {
        while number < want {
            line.clear();
            if reader.read_until(b'\n', &mut line)? == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the file changed while it was read",
                ));
            }
            number += 1;
        }
        let mut record = line.as_slice();
        if number == 1 {
            record = record.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(record);
        }
        out.write_all(record)?;
        if !record.ends_with(b"\n") {
            out.write_all(b"\n")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::copy_lines;

    #[test]
    fn copies_the_wanted_lines_verbatim() {
        let input = b"\xEF\xBB\xBF{\"id\":1}\n{\"id\":2}\r\n\n{\"id\":4}";
        let mut out = Vec::new();
        copy_lines(&input[..], &mut out, [1, 2, 4]).unwrap();
        assert_eq!(out, b"{\"id\":1}\n{\"id\":2}\r\n{\"id\":4}\n");
        let mut out = Vec::new();
        copy_lines(&input[..], &mut out, [4]).unwrap();
        assert_eq!(out, b"{\"id\":4}\n");
        assert!(copy_lines(&input[..], &mut Vec::new(), [5]).is_err());
    }
}
