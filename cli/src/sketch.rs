//! `dedup sketch INPUT... --output DIR [--shard I/N]`: the articles' shingles and the
//! shingle counts as Parquet, for a job that clusters a corpus too large for one
//! machine (`spark/nuskha_spark.py`). Behind the `parquet` feature.

use std::process::ExitCode;

use crate::args::{EXIT_USAGE, SketchArgs};

#[cfg(not(feature = "parquet"))]
pub fn run(_args: &SketchArgs) -> ExitCode {
    eprintln!(
        "dedup: `dedup sketch` writes Parquet, which this build leaves out: build with `--features parquet` (cargo install --path cli --features parquet)"
    );
    ExitCode::from(EXIT_USAGE)
}

#[cfg(feature = "parquet")]
pub fn run(args: &SketchArgs) -> ExitCode {
    match imp::run(args) {
        Ok(code) => code,
        Err(imp::Failure::Usage(e)) => {
            eprintln!("dedup: {e}");
            ExitCode::from(EXIT_USAGE)
        }
        Err(imp::Failure::Write(e)) => {
            eprintln!("dedup: error: {e}");
            ExitCode::from(crate::args::EXIT_FAILED)
        }
    }
}

#[cfg(feature = "parquet")]
mod imp {
    use std::collections::HashMap;
    use std::fs::File;
    use std::path::{Path, PathBuf};
    use std::process::ExitCode;
    use std::sync::Arc;
    use std::time::Instant;

    use nuskha::{ArticleParts, Deduplicator};
    use parquet::basic::Compression;
    use parquet::data_type::{BoolType, ByteArray, ByteArrayType, Int32Type, Int64Type};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;

    use crate::args::{EXIT_SKIPPED, RepresentativeArg, SketchArgs};
    use crate::input::{Inputs, ReadOptions};

    /// The layout of what `dedup sketch` writes; the job refuses any other.
    pub const SKETCH_FORMAT: u32 = 1;

    /// The representative rule of `--representative`, which the job supports.
    fn representative(arg: RepresentativeArg) -> Result<nuskha::Representative, String> {
        match arg {
            RepresentativeArg::First => Ok(nuskha::Representative::First),
            RepresentativeArg::Longest => Ok(nuskha::Representative::Longest),
            RepresentativeArg::Earliest => {
                Err("`dedup sketch --representative earliest` is not supported: the job chooses `first` or `longest`".into())
            }
        }
    }

    pub enum Failure {
        Usage(String),
        Write(String),
    }

    /// Rows per row group: a few MB of shingles each.
    const ROW_GROUP: usize = 8192;

    const ARTICLES_SCHEMA: &str = "
        message nuskha_article {
            required binary id (STRING);
            required int64 position;
            optional binary source (STRING);
            optional binary date (STRING);
            required int64 length;
            required boolean short;
            required boolean truncated;
            required group shingles (LIST) { repeated group list { required int32 element; } }
            optional group words (LIST) { repeated group list { required int32 element; } }
        }";

    const COUNTS_SCHEMA: &str = "
        message nuskha_shingle_count {
            required int32 fingerprint;
            required int64 articles;
        }";

    /// One article's row.
    struct Row<'a> {
        id: &'a str,
        position: usize,
        source: Option<&'a str>,
        date: Option<&'a str>,
        parts: ArticleParts,
    }

    fn deduplicator(args: &SketchArgs) -> Result<Deduplicator, String> {
        let mut b = args.matching.builder().map_err(|e| e.to_string())?;
        let c = &args.clustering;
        b.mode(c.mode(&args.matching)).link_density(c.link_density);
        b.representative(representative(c.representative)?);
        if c.no_source_boilerplate {
            b.source_boilerplate(None);
        }
        let dedup = b.build().map_err(|e| e.to_string())?;
        // Refuses the settings a job cannot reproduce (SimHash, the rare-phrase search).
        dedup
            .corpus_context(nuskha::CorpusStats::default())
            .map_err(|e| format!("dedup sketch: {e}"))?;
        Ok(dedup)
    }

    /// The settings file: the options (as an index keeps them), per-source boilerplate,
    /// the shard, and how many articles the input held and this shard wrote.
    fn settings(args: &SketchArgs, articles: usize, written: usize) -> Result<String, String> {
        let c = &args.clustering;
        let representative = representative(c.representative)?;
        let mode = Some(c.mode(&args.matching));
        let options = args.matching.options(mode, c.link_density, representative);
        let options: serde_json::Value =
            serde_json::from_str(&options.to_json()).map_err(|e| e.to_string())?;
        let value = serde_json::json!({
            "format": SKETCH_FORMAT,
            "options": options,
            "source_boilerplate": !c.no_source_boilerplate,
            "shard": args.shard.0,
            "shards": args.shard.1,
            "articles": articles,
            "written": written,
        });
        Ok(format!("{value}\n"))
    }

    pub fn run(args: &SketchArgs) -> Result<ExitCode, Failure> {
        let start = Instant::now();
        let dedup = deduplicator(args).map_err(Failure::Usage)?;
        if let Some(n) = args.threads {
            if n == 0 || rayon::ThreadPoolBuilder::new().num_threads(n).build_global().is_err() {
                return Err(Failure::Usage(
                    "invalid parameter `threads`: must be at least 1".into(),
                ));
            }
        }
        let (shard, shards) = args.shard;
        let mut batch = dedup.batch();
        let mut opts = ReadOptions::new(args.fields.jsonl(true), args.max_file_size, &mut batch);
        opts.stripe = Some((shard - 1, shards));
        let mut inputs = Inputs::read(&args.inputs, &mut opts);
        inputs.warn_truncated(&batch);
        let total = inputs.articles.len();
        let rows: Vec<Row> = batch
            .into_articles()
            .enumerate()
            .skip(shard - 1)
            .step_by(shards)
            .map(|(position, article)| {
                let a = &inputs.articles[position];
                Row {
                    id: &a.id,
                    position,
                    source: a.source(),
                    date: a.date(),
                    parts: article.parts(),
                }
            })
            .collect();
        let name = format!("part-{shard:05}-of-{shards:05}");
        let dir = &args.output;
        let write = |e: String| Failure::Write(e);
        for sub in ["articles", "counts"] {
            std::fs::create_dir_all(dir.join(sub))
                .map_err(|e| write(format!("cannot make {}: {e}", dir.join(sub).display())))?;
        }
        let articles_path = dir.join("articles").join(format!("{name}.parquet"));
        write_atomically(&articles_path, |file| write_articles(file, &rows)).map_err(write)?;
        let counts_path = dir.join("counts").join(format!("{name}.parquet"));
        write_atomically(&counts_path, |file| write_counts(file, &counts(&rows))).map_err(write)?;
        let settings_path = dir.join(format!("settings-{name}.json"));
        let text = settings(args, total, rows.len()).map_err(Failure::Usage)?;
        write_atomically(&settings_path, |mut file| {
            std::io::Write::write_all(&mut file, text.as_bytes())?;
            Ok(file)
        })
        .map_err(write)?;
        if !args.quiet {
            eprintln!(
                "dedup sketch: shard {shard}/{shards}: {} of {total} articles in {} ({:.1} s)",
                rows.len(),
                dir.display(),
                start.elapsed().as_secs_f64()
            );
        }
        let skipped = !inputs.skipped.is_empty();
        Ok(if skipped { ExitCode::from(EXIT_SKIPPED) } else { ExitCode::SUCCESS })
    }

    /// How many of `rows` hold each shingle, by fingerprint.
    fn counts(rows: &[Row]) -> Vec<(u32, u64)> {
        let mut counts: HashMap<u32, u64> = HashMap::new();
        for r in rows {
            for &fp in &r.parts.shingles {
                *counts.entry(fp).or_default() += 1;
            }
        }
        let mut counts: Vec<(u32, u64)> = counts.into_iter().collect();
        counts.sort_unstable();
        counts
    }

    /// Writes `path` through a temporary file beside it, renamed over it once complete.
    fn write_atomically(
        path: &Path,
        write: impl FnOnce(File) -> parquet::errors::Result<File>,
    ) -> Result<(), String> {
        // A dot first: a reader of the folder (Spark's) skips it, even one left behind.
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("sketch");
        let tmp: PathBuf = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
        let fail = |e: &dyn std::fmt::Display| format!("cannot write {}: {e}", path.display());
        let file = File::create(&tmp).map_err(|e| fail(&e))?;
        let result = write(file)
            .map_err(|e| fail(&e))
            .and_then(|f| f.sync_all().map_err(|e| fail(&e)))
            .and_then(|()| std::fs::rename(&tmp, path).map_err(|e| fail(&e)));
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }

    fn writer(file: File, schema: &str) -> parquet::errors::Result<SerializedFileWriter<File>> {
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("nuskha dedup sketch {}", env!("CARGO_PKG_VERSION")))
            .build();
        SerializedFileWriter::new(file, Arc::new(parse_message_type(schema)?), Arc::new(props))
    }

    /// A 32-bit fingerprint as the signed integer Parquet readers take (Spark reads
    /// unsigned columns as wider types).
    fn signed(fp: u32) -> i32 {
        i32::from_ne_bytes(fp.to_ne_bytes())
    }

    /// A count or a position, all far below 2⁶³.
    fn int64(n: u64) -> i64 {
        i64::try_from(n).unwrap_or(i64::MAX)
    }

    /// Values and levels of a list column: `None` (written only where `optional`) is a
    /// null list.
    struct ListColumn {
        values: Vec<i32>,
        def: Vec<i16>,
        rep: Vec<i16>,
    }

    impl ListColumn {
        fn of<'a>(lists: impl Iterator<Item = Option<&'a [u32]>>, optional: bool) -> Self {
            let base = i16::from(optional);
            let mut c = ListColumn { values: Vec::new(), def: Vec::new(), rep: Vec::new() };
            for list in lists {
                match list {
                    None => {
                        c.def.push(0);
                        c.rep.push(0);
                    }
                    Some([]) => {
                        c.def.push(base);
                        c.rep.push(0);
                    }
                    Some(items) => {
                        for (k, &fp) in items.iter().enumerate() {
                            c.values.push(signed(fp));
                            c.def.push(base + 1);
                            c.rep.push(i16::from(k > 0));
                        }
                    }
                }
            }
            c
        }
    }

    /// Values of an optional string column and their definition levels.
    fn optional_strings<'a>(
        values: impl Iterator<Item = Option<&'a str>>,
    ) -> (Vec<ByteArray>, Vec<i16>) {
        let mut out = Vec::new();
        let mut def = Vec::new();
        for v in values {
            def.push(i16::from(v.is_some()));
            out.extend(v.map(|s| ByteArray::from(s.as_bytes().to_vec())));
        }
        (out, def)
    }

    fn write_articles(file: File, rows: &[Row]) -> parquet::errors::Result<File> {
        let mut w = writer(file, ARTICLES_SCHEMA)?;
        for group in rows.chunks(ROW_GROUP).chain(rows.is_empty().then_some(&[][..])) {
            let mut g = w.next_row_group()?;
            let mut column = 0;
            while let Some(mut c) = g.next_column()? {
                match column {
                    0 => {
                        let ids: Vec<ByteArray> = group
                            .iter()
                            .map(|r| ByteArray::from(r.id.as_bytes().to_vec()))
                            .collect();
                        c.typed::<ByteArrayType>().write_batch(&ids, None, None)?;
                    }
                    1 => {
                        let p: Vec<i64> = group.iter().map(|r| int64(r.position as u64)).collect();
                        c.typed::<Int64Type>().write_batch(&p, None, None)?;
                    }
                    2 | 3 => {
                        let (values, def) = optional_strings(
                            group.iter().map(|r| if column == 2 { r.source } else { r.date }),
                        );
                        c.typed::<ByteArrayType>().write_batch(&values, Some(&def), None)?;
                    }
                    4 => {
                        let l: Vec<i64> = group.iter().map(|r| int64(r.parts.len as u64)).collect();
                        c.typed::<Int64Type>().write_batch(&l, None, None)?;
                    }
                    5 | 6 => {
                        let flag =
                            |r: &Row| if column == 5 { r.parts.short } else { r.parts.truncated };
                        let b: Vec<bool> = group.iter().map(flag).collect();
                        c.typed::<BoolType>().write_batch(&b, None, None)?;
                    }
                    7 | 8 => {
                        let list = if column == 7 {
                            ListColumn::of(group.iter().map(|r| Some(&r.parts.shingles[..])), false)
                        } else {
                            ListColumn::of(group.iter().map(|r| r.parts.words.as_deref()), true)
                        };
                        c.typed::<Int32Type>().write_batch(
                            &list.values,
                            Some(&list.def),
                            Some(&list.rep),
                        )?;
                    }
                    _ => unreachable!("the schema has nine columns"),
                }
                c.close()?;
                column += 1;
            }
            g.close()?;
        }
        w.into_inner()
    }

    fn write_counts(file: File, counts: &[(u32, u64)]) -> parquet::errors::Result<File> {
        let mut w = writer(file, COUNTS_SCHEMA)?;
        for group in counts.chunks(1 << 20).chain(counts.is_empty().then_some(&[][..])) {
            let mut g = w.next_row_group()?;
            let mut column = 0;
            while let Some(mut c) = g.next_column()? {
                if column == 0 {
                    let fps: Vec<i32> = group.iter().map(|&(fp, _)| signed(fp)).collect();
                    c.typed::<Int32Type>().write_batch(&fps, None, None)?;
                } else {
                    let n: Vec<i64> = group.iter().map(|&(_, n)| int64(n)).collect();
                    c.typed::<Int64Type>().write_batch(&n, None, None)?;
                }
                c.close()?;
                column += 1;
            }
            g.close()?;
        }
        w.into_inner()
    }
}
