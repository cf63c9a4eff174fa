//! `--emit unique`: the deduplicated corpus. Each kept article's input record is read
//! again from where it came from (JSON Lines verbatim, a text file as `{"id", "text"}`)
//! and written in input order: the texts were never all held in memory, and are not now.

use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader, Read, Write};

use nuskha::{Clusters, DocId};

use crate::input::{Decoded, Inputs, Origin, decode, for_lines, reopen};

/// The articles a deduplicated corpus keeps: every representative, and every article
/// without a copy (a representative of a cluster of one), in input order.
pub fn kept(clusters: &Clusters, articles: usize) -> Vec<DocId> {
    (0..articles)
        .map(|i| DocId(i as u32))
        .filter(|&id| clusters.representative_of(id) == id)
        .collect()
}

/// Writes the input record of each article of `ids`, file by file, in input order.
///
/// # Errors
///
/// When an input file cannot be read again, or has changed since it was read.
pub fn write(out: &mut dyn Write, inputs: &Inputs, ids: &[DocId]) -> io::Result<()> {
    let mut by_file: BTreeMap<u32, Vec<(Origin, &str)>> = BTreeMap::new();
    for &id in ids {
        let origin = inputs.origin(id.index());
        let (Origin::File(f) | Origin::Line(f, _) | Origin::Element(f, _)) = origin;
        by_file.entry(f).or_default().push((origin, &inputs.articles[id.index()].id));
    }
    for (file, records) in by_file {
        let path = inputs.path_of(file).ok_or_else(|| {
            io::Error::other("standard input was not kept; it cannot be read again")
        })?;
        let named = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", path.display()));
        let mut reader = BufReader::with_capacity(1 << 20, reopen(&path).map_err(named)?);
        match records[0].0 {
            Origin::Line(..) => {
                let lines = records.iter().filter_map(|(o, _)| match o {
                    Origin::Line(_, n) => Some(*n),
                    _ => None,
                });
                copy_lines(reader, out, lines).map_err(named)?;
            }
            Origin::File(_) | Origin::Element(..) => {
                let mut bytes = Vec::new();
                reader.read_to_end(&mut bytes).map_err(named)?;
                let Ok(Decoded { text, .. }) = decode(&bytes) else {
                    return Err(named(io::Error::other("no longer text")));
                };
                write_whole(out, &text, &records).map_err(named)?;
            }
        }
    }
    Ok(())
}

/// The records of a file read whole: a text article as `{"id", "text"}`, the elements
/// of a JSON document as they are written (one line each: a raw newline inside one can
/// only be white space, which becomes a space).
fn write_whole(out: &mut dyn Write, text: &str, records: &[(Origin, &str)]) -> io::Result<()> {
    let mut elements: Option<Vec<&serde_json::value::RawValue>> = None;
    for &(origin, id) in records {
        match origin {
            Origin::Element(_, i) => {
                let elements = elements.get_or_insert_with(|| raw_elements(text));
                let element = elements
                    .get(i as usize)
                    .ok_or_else(|| io::Error::other("the file changed while it was read"))?;
                let one_line = element.get().replace(['\n', '\r'], " ");
                out.write_all(one_line.as_bytes())?;
            }
            _ => serde_json::to_writer(&mut *out, &serde_json::json!({ "id": id, "text": text }))?,
        }
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// The elements of a JSON array (or the one object) as written, up to the first that
/// does not parse: a cut-off file gives the elements the reader took from it.
fn raw_elements(text: &str) -> Vec<&serde_json::value::RawValue> {
    use serde::de::{Deserializer, SeqAccess, Visitor};
    use serde_json::value::RawValue;

    struct Elements<'a, 'v>(&'v mut Vec<&'a RawValue>);

    impl<'de> Visitor<'de> for Elements<'de, '_> {
        type Value = ();

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON array")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while let Some(element) = seq.next_element::<&'de RawValue>()? {
                self.0.push(element);
            }
            Ok(())
        }
    }

    let mut found = Vec::new();
    if text.trim_start().starts_with('[') {
        let mut de = serde_json::Deserializer::from_str(text);
        // An error ends the array: what was read before it stays.
        let _ = (&mut de).deserialize_seq(Elements(&mut found));
    } else {
        use serde::Deserialize;
        let mut de = serde_json::Deserializer::from_str(text);
        // What follows the one object is left, as the reader leaves it.
        if let Ok(object) = <&RawValue>::deserialize(&mut de) {
            found.push(object);
        }
    }
    found
}

/// Copies the lines numbered `wanted` (from 1, ascending) of `reader` to `out`, each
/// ending in a newline; a UTF-8 byte-order mark before the first line is left out.
fn copy_lines(
    reader: impl BufRead,
    out: &mut dyn Write,
    wanted: impl IntoIterator<Item = u64>,
) -> io::Result<()> {
    for_lines(reader, wanted, |number, line| {
        let mut record = line;
        if number == 1 {
            record = record.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(record);
        }
        out.write_all(record)?;
        if !record.ends_with(b"\n") {
            out.write_all(b"\n")?;
        }
        Ok(())
    })
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
