//! The main job's output: every format, and the summary on standard error.

use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

use nuskha::{Clusters, Deduplicator, DocId, Match};

use crate::args::{FieldArgs, OutputFormat};
use crate::input::Inputs;

pub mod html;
mod sha256;
mod text;
pub mod unique;

/// Quotes a CSV field when it needs it.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// Writes `path` whole or not at all: through a temporary file in the same folder,
/// renamed into place on success. A path that is not a regular file (`/dev/null`,
/// `/dev/stdout`, a named pipe) is written directly: renaming over it would replace
/// the device or pipe with a file (as root, `/dev/null` itself). A symbolic link is
/// followed, so the file it points to is replaced and the link kept.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let target = match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => return write_directly(path, write),
        Ok(_) => std::fs::canonicalize(path)?,
        Err(_) => path.to_path_buf(),
    };
    let dir = target.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = target.file_name().and_then(|n| n.to_str()).unwrap_or("output");
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let file = std::fs::File::create(&tmp)?;
        let mut out = io::BufWriter::new(file);
        write(&mut out)?;
        out.flush()?;
        out.get_ref().sync_all()?;
        std::fs::rename(&tmp, &target)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Writes into an existing path that is not a regular file, as a shell redirect does.
fn write_directly(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let file = std::fs::OpenOptions::new().write(true).truncate(true).open(path)?;
    let mut out = io::BufWriter::new(file);
    write(&mut out)?;
    out.flush()
}

/// One cluster as JSON, written straight from the clusters (fields in the order the
/// output has always had: alphabetical).
#[derive(serde::Serialize)]
struct ClusterJson<'a> {
    members: MembersJson<'a>,
    representative: &'a str,
    size: usize,
}

/// A cluster's members, serialised as they are read (no list of them is built: at
/// 100,000 articles that was as many allocations as clusters).
struct MembersJson<'a> {
    report: &'a Report<'a>,
    cluster: &'a nuskha::Cluster,
}

impl serde::Serialize for MembersJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.cluster.members().iter().map(|m| MemberJson {
            id: self.report.id(m.id),
            kind: m.kind,
            matched: self.report.id(m.matched),
            similarity: m.score,
        }))
    }
}

#[derive(serde::Serialize)]
struct MemberJson<'a> {
    id: &'a str,
    /// Which measure made it a match: `jaccard`, `containment` or `simhash`.
    #[serde(serialize_with = "as_text")]
    kind: nuskha::MatchKind,
    matched: &'a str,
    similarity: f64,
}

/// A value written as its `Display` text.
fn as_text<S: serde::Serializer>(value: &impl std::fmt::Display, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(value)
}

/// One line of `--emit pairs --format jsonl`, its fields in the CSV's order.
#[derive(serde::Serialize)]
struct PairJson<'a> {
    a: &'a str,
    b: &'a str,
    score: f64,
    #[serde(serialize_with = "as_text")]
    kind: nuskha::MatchKind,
    cluster_a: &'a str,
    cluster_b: &'a str,
}

/// What the main job found, ready to be written in any format.
pub struct Report<'a> {
    pub inputs: &'a Inputs,
    pub clusters: &'a Clusters,
    /// The verified pairs the clusters were formed from (written with `--emit pairs`).
    pub pairs: &'a [(DocId, DocId, Match)],
    pub dedup: &'a Deduplicator,
    /// How the records were read (the HTML report reads the articles again; without
    /// them it shows no comparisons).
    pub fields: Option<&'a FieldArgs>,
    /// List the articles without a copy in the text report.
    pub singletons: bool,
    /// Articles too short to be clustered.
    pub short: Vec<bool>,
    /// Format the output on all cores.
    pub parallel: bool,
}

impl Report<'_> {
    pub(super) fn id(&self, d: DocId) -> &str {
        &self.inputs.articles[d.index()].id
    }

    pub(super) fn too_short(&self, d: DocId) -> bool {
        self.short[d.index()]
    }

    pub fn write(&self, out: &mut dyn Write, format: OutputFormat) -> io::Result<()> {
        match format {
            OutputFormat::Csv => self.csv(out),
            OutputFormat::Json => {
                let v = self.json();
                writeln!(out, "{v}")
            }
            OutputFormat::Jsonl => {
                let clusters = self.clusters.iter().as_slice();
                self.write_each(out, clusters.len(), |out, i| {
                    serde_json::to_writer(&mut *out, &self.cluster_json(&clusters[i]))?;
                    out.write_all(b"\n")
                })
            }
            OutputFormat::Text => self.text(out),
            OutputFormat::Html => self.html(out),
        }
    }

    /// Writes `write_one(out, i)` for `i` in `0..n`, in order. On all cores, pieces of
    /// the output are formatted a window at a time and written as they are done, so it
    /// is never all in memory (on SaudiNewsNet's 13,000 clusters, 5 ms on one core).
    fn write_each(
        &self,
        out: &mut dyn Write,
        n: usize,
        write_one: impl Fn(&mut dyn Write, usize) -> io::Result<()> + Sync,
    ) -> io::Result<()> {
        use rayon::prelude::*;
        const PIECE: usize = 512;
        const WINDOW: usize = 32 * PIECE;
        if !self.parallel {
            return (0..n).try_for_each(|i| write_one(out, i));
        }
        for start in (0..n).step_by(WINDOW) {
            let window = start..n.min(start + WINDOW);
            let pieces: Vec<io::Result<Vec<u8>>> = window
                .step_by(PIECE)
                .collect::<Vec<usize>>()
                .into_par_iter()
                .map(|from| {
                    let mut piece = Vec::new();
                    for i in from..n.min(from + PIECE) {
                        write_one(&mut piece, i)?;
                    }
                    Ok(piece)
                })
                .collect();
            for piece in pieces {
                out.write_all(&piece?)?;
            }
        }
        Ok(())
    }

    /// `--emit pairs`: each verified pair with the clusters its articles ended in (named
    /// by their representatives, as the clusters' CSV names them), in CSV or JSON Lines.
    pub fn write_pairs(&self, out: &mut dyn Write, format: OutputFormat) -> io::Result<()> {
        let cluster = |d: DocId| self.id(self.clusters.representative_of(d));
        if format == OutputFormat::Csv {
            writeln!(out, "a,b,score,kind,cluster_a,cluster_b")?;
        }
        self.write_each(out, self.pairs.len(), |out, i| {
            let (a, b, m) = self.pairs[i];
            if format == OutputFormat::Csv {
                writeln!(
                    out,
                    "{},{},{:.3},{},{},{}",
                    csv_field(self.id(a)),
                    csv_field(self.id(b)),
                    m.score,
                    m.kind,
                    csv_field(cluster(a)),
                    csv_field(cluster(b))
                )
            } else {
                let pair = PairJson {
                    a: self.id(a),
                    b: self.id(b),
                    score: m.score,
                    kind: m.kind,
                    cluster_a: cluster(a),
                    cluster_b: cluster(b),
                };
                serde_json::to_writer(&mut *out, &pair)?;
                out.write_all(b"\n")
            }
        })
    }

    fn csv(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "id,cluster,similarity,note")?;
        let articles = &self.inputs.articles;
        self.write_each(out, articles.len(), |out, i| {
            let a = &articles[i];
            let id = DocId(i as u32);
            let c = self.clusters.cluster_of(id);
            let m = c.members().iter().find(|m| m.id == id).copied();
            let note = if c.len() > 1 {
                if c.representative() == id { "representative" } else { "copy" }
            } else if self.too_short(id) {
                "too short"
            } else {
                ""
            };
            writeln!(
                out,
                "{},{},{:.3},{note}",
                csv_field(&a.id),
                csv_field(self.id(c.representative())),
                m.map_or(1.0, |m| m.score)
            )
        })
    }

    fn cluster_json<'s>(&'s self, c: &'s nuskha::Cluster) -> ClusterJson<'s> {
        ClusterJson {
            members: MembersJson { report: self, cluster: c },
            representative: self.id(c.representative()),
            size: c.len(),
        }
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "parameters": self.parameters_json(),
            "counts": self.counts_json(),
            "skipped": self.skipped_json(),
            "clusters": self.clusters.iter().map(|c| self.cluster_json(c)).collect::<Vec<_>>(),
        })
    }

    /// The rare-phrase search as the index's options write it (`false`, `true` for
    /// `thorough`, `"light"`), or its numbers for a search neither option names.
    fn rare_search(&self) -> serde_json::Value {
        let search = self.dedup.edited_copies().and_then(|e| e.rare_search);
        match nuskha_store::RareSearchOption::of(search) {
            Some(option) => serde_json::to_value(option).unwrap_or_default(),
            None => serde_json::json!(search.map(|s| [s.min_shared, s.sample as usize])),
        }
    }

    /// The matching options of the run, as the JSON report gives them.
    fn parameters_json(&self) -> serde_json::Value {
        let params = self.dedup.sketcher().params();
        serde_json::json!({
                "threshold": self.dedup.threshold(),
                "containment": self.dedup.containment(),
                "algorithm": self.dedup.algorithm().to_string(),
                "shingles": params.shingling().map(|s| s.to_string()),
                "num_perm": params.num_perm(),
                "seed": params.seed(),
                "bands": self.dedup.lsh_params().bands(),
                "rows": self.dedup.lsh_params().rows(),
                "edited": self.dedup.edited_copies().is_some(),
                "rare_search": self.rare_search(),
                "mode": self.dedup.mode().to_string(),
                "link_density": self.dedup.link_density(),
                "min_length": self.dedup.min_words(),
                "max_article_bytes": self.dedup.max_article_bytes(),
                "normalizer": params.profile(),
        })
    }

    /// How many articles were read, skipped and ignored, and what was found.
    fn counts_json(&self) -> serde_json::Value {
        serde_json::json!({
                "articles": self.inputs.articles.len(),
                "skipped": self.inputs.skipped.len(),
                "ignored": self.inputs.ignored,
                "clusters": self.clusters.len(),
                "clusters_with_copies": self.clusters.copies().count(),
                "copies": self.copies(),
        })
    }

    /// The inputs skipped, each with its reason.
    fn skipped_json(&self) -> Vec<serde_json::Value> {
        let skipped = self.inputs.skipped.iter();
        skipped.map(|(p, r)| serde_json::json!({"input": p, "reason": r.label()})).collect()
    }

    fn copies(&self) -> usize {
        self.clusters.copies().map(|c| c.len() - 1).sum()
    }

    pub fn summary(&self, elapsed: Duration) {
        let skipped = self.inputs.skipped_by_reason();
        let reasons: Vec<String> =
            skipped.iter().map(|(r, n)| format!("{n} {}", r.label())).collect();
        let skipped = if reasons.is_empty() {
            "0 skipped".to_string()
        } else {
            format!("skipped: {}", reasons.join(", "))
        };
        eprintln!(
            "dedup: {} articles read; {skipped}; {} ignored (hidden or not an article); {} clusters of copies, {} copies; {:.2} s",
            self.inputs.articles.len(),
            self.inputs.ignored,
            self.clusters.copies().count(),
            self.copies(),
            elapsed.as_secs_f64()
        );
    }
}
