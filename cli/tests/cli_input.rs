//! The main command on bad input next to good articles: every good article is in the
//! output, every bad one is reported by name, and the exit code says so.

use std::io::Write;
use std::path::Path;

use crate::cli::{article, csv_rows, run, temp_dir};

fn hajj(name: &str) -> String {
    std::fs::read_to_string(article(name)).unwrap()
}

fn jsonl_line(id: &str, text: &str) -> String {
    serde_json::json!({ "id": id, "text": text, "source": "test" }).to_string()
}

/// Record `n{i}`: twelve words found in no other record.
fn filler_line(i: usize) -> String {
    let words: Vec<String> = (0..12).map(|w| format!("r{i}w{w}")).collect();
    jsonl_line(&format!("n{i}"), &words.join(" "))
}

fn gzip(path: &Path, content: &str) {
    let file = std::fs::File::create(path).unwrap();
    let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
    gz.write_all(content.as_bytes()).unwrap();
    gz.finish().unwrap();
}

/// A folder with good articles in every form next to every kind of bad input.
fn messy_folder() -> std::path::PathBuf {
    let dir = temp_dir("messy");
    std::fs::create_dir_all(dir.join("nested/deeper")).unwrap();
    // Good: the three hajj reports as a file, a nested file and a JSONL record; the
    // diplomats article in a gzipped JSONL file; one file with a stray invalid byte.
    std::fs::write(dir.join("barlamane.txt"), hajj("barlamane-hajj")).unwrap();
    std::fs::write(dir.join("nested/deeper/belwadeh.md"), hajj("belwadeh-hajj")).unwrap();
    let jsonl = [
        jsonl_line("marrakech", &hajj("marrakech-alaan-hajj")),
        "{not json".to_string(),
        String::new(),
        r#"{"id": "no-text", "body": "the text is elsewhere"}"#.to_string(),
    ]
    .join("\n");
    std::fs::write(dir.join("feed.jsonl"), jsonl).unwrap();
    gzip(
        &dir.join("archive.ndjson.gz"),
        &(jsonl_line("diplomats", &hajj("open-days-diplomats")) + "\n"),
    );
    let mut stray = hajj("open-days-diplomats").replace("الأبواب", "الابواب").into_bytes();
    stray.insert(40, 0xFF);
    std::fs::write(dir.join("nested/stray-byte.txt"), stray).unwrap();
    // Bad.
    std::fs::write(
        dir.join("cp1256.txt"),
        b"\xC7\xE1\xDA\xD1\xC8\xED\xC9 \xC7\xE1\xDA\xD1\xC8\xED\xC9",
    )
    .unwrap();
    std::fs::write(dir.join("empty.txt"), b"").unwrap();
    std::fs::write(dir.join("binary.txt"), b"\x7fELF\x00\x00\x01binary").unwrap();
    std::fs::write(dir.join("huge.txt"), "كلمة ".repeat(40_000)).unwrap();
    std::os::unix::fs::symlink(dir.join("no-such-target.txt"), dir.join("dangling.txt")).unwrap();
    std::os::unix::fs::symlink(&dir, dir.join("nested/loop")).unwrap();
    // Ignored.
    std::fs::write(dir.join(".hidden.txt"), hajj("barlamane-hajj")).unwrap();
    std::fs::write(dir.join("picture.png"), b"\x89PNG").unwrap();
    dir
}

#[test]
fn bad_inputs_are_reported_and_good_ones_all_clustered() {
    let dir = messy_folder();
    let missing = dir.join("not-there");
    let out = run(
        &[
            dir.to_str().unwrap(),
            missing.to_str().unwrap(),
            "--format",
            "csv",
            "--max-file-size",
            "100000",
        ],
        b"",
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "some inputs skipped: {stderr}");
    let rows = csv_rows(&out.stdout);
    let ids: Vec<&str> = rows.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids.len(), 5, "{ids:?}");
    for id in [
        "diplomats",
        "barlamane.txt",
        "marrakech",
        "nested/deeper/belwadeh.md",
        "nested/stray-byte.txt",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    let cluster = |id: &str| rows.iter().find(|(i, _)| i == id).map(|(_, c)| c.clone()).unwrap();
    assert_eq!(cluster("marrakech"), cluster("barlamane.txt"));
    assert_eq!(cluster("nested/deeper/belwadeh.md"), cluster("barlamane.txt"));
    assert_eq!(cluster("nested/stray-byte.txt"), cluster("diplomats"));
    assert_ne!(cluster("diplomats"), cluster("barlamane.txt"));
    for (needle, why) in [
        ("cp1256.txt", "not UTF-8"),
        ("empty.txt", "empty"),
        ("binary.txt", "binary"),
        ("huge.txt", "max-file-size"),
        ("dangling.txt", "cannot read"),
        ("loop", "symlink loop"),
        ("feed.jsonl:2", "malformed JSON"),
        ("feed.jsonl:4", "no string field `text`"),
        ("not-there", "no such file"),
        ("stray-byte.txt", "invalid UTF-8"),
    ] {
        assert!(
            stderr.lines().any(|l| l.contains(needle) && l.contains(why)),
            "no warning for {needle} ({why}) in:\n{stderr}"
        );
    }
    assert!(stderr.contains("5 articles read"), "{stderr}");
    assert!(stderr.contains("2 ignored"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn jsonl_from_stdin_with_renamed_fields_and_titles() {
    let records = [
        serde_json::json!({"key": 1, "headline": "عنوان", "body": hajj("barlamane-hajj")}),
        serde_json::json!({"key": 2, "headline": "عنوان", "body": hajj("belwadeh-hajj")}),
        serde_json::json!({"key": 3, "headline": "عنوان", "body": hajj("open-days-diplomats")}),
    ];
    let input: String = records.iter().map(|r| r.to_string() + "\n").collect();
    let args = [
        "-",
        "--id-field",
        "key",
        "--text-field",
        "body",
        "--title-field",
        "headline",
        "--format",
        "jsonl",
    ];
    let out = run(&args, input.as_bytes());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 2, "a cluster of two and a singleton");
    assert_eq!(lines[0]["representative"], "1");
    assert_eq!(lines[0]["members"][1]["id"], "2");
    let out = run(&["-", "--format", "csv"], input.as_bytes());
    assert_eq!(out.status.code(), Some(3), "records without `text` are skipped");
    assert!(String::from_utf8_lossy(&out.stderr).contains("<stdin>:1"));
}

#[test]
fn output_file_is_written_atomically() {
    let dir = temp_dir("output");
    let target = dir.join("clusters.json");
    let articles = format!("{}/../examples/articles", env!("CARGO_MANIFEST_DIR"));
    let out =
        run(&[&articles, "--format", "json", "--output", target.to_str().unwrap(), "--quiet"], b"");
    assert!(out.status.success());
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "--quiet prints nothing");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&target).unwrap()).unwrap();
    assert_eq!(v["counts"]["clusters_with_copies"], 1);
    // A folder that does not exist: failure, and no temporary file left behind.
    let bad = dir.join("missing-folder/out.csv");
    let out = run(&[&articles, "--output", bad.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write"));
    let leftovers: Vec<_> = std::fs::read_dir(&dir).unwrap().filter_map(Result::ok).collect();
    assert_eq!(leftovers.len(), 1, "only clusters.json: {leftovers:?}");
}

#[test]
fn text_report_and_usage_errors() {
    let articles = format!("{}/../examples/articles", env!("CARGO_MANIFEST_DIR"));
    let out = run(&[&articles, "--format", "text"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("cluster 1 (3 articles), representative: barlamane-hajj.txt"), "{text}");
    assert!(text.contains("1 articles have no copy"), "{text}");
    for bad in [
        vec![articles.as_str(), "--threshold", "0"],
        vec![articles.as_str(), "--shingle", "words:0"],
        vec![articles.as_str(), "--num-perm", "0"],
        vec![articles.as_str(), "--threads", "0"],
        vec![articles.as_str(), "--algorithm", "simhash", "--max-distance", "9"],
        vec!["--no-such-option"],
    ] {
        let out = run(&bad, b"");
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let help = String::from_utf8_lossy(&run(&["--help"], b"").stdout).into_owned();
    assert!(
        help.contains("Examples:")
            && help.contains("[default: 0.5]")
            && help.contains("Exit codes")
    );
}

#[test]
fn simhash_and_components_from_the_command_line() {
    let articles = format!("{}/../examples/articles", env!("CARGO_MANIFEST_DIR"));
    for extra in [["--mode", "components"], ["--algorithm", "minhash"], ["--threads", "1"]] {
        let mut args = vec![articles.as_str(), "--format", "csv"];
        args.extend(extra);
        let rows = csv_rows(&run(&args, b"").stdout);
        assert_eq!(rows[2].1, "barlamane-hajj.txt", "{extra:?}");
        assert_eq!(rows[3].1, "open-days-diplomats.txt", "{extra:?}");
    }
    let out =
        run(&[&articles, "--algorithm", "simhash", "--max-distance", "7", "--format", "json"], b"");
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["parameters"]["algorithm"], "simhash");
}

#[test]
fn hajj_copies_cluster_from_jsonl_gz() {
    let dir = temp_dir("gz");
    let lines: String =
        ["barlamane-hajj", "belwadeh-hajj", "marrakech-alaan-hajj", "open-days-diplomats"]
            .iter()
            .map(|name| jsonl_line(name, &hajj(name)) + "\n")
            .collect();
    gzip(&dir.join("seed.jsonl.gz"), &lines);
    let out = run(&[dir.to_str().unwrap(), "--format", "csv"], b"");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows = csv_rows(&out.stdout);
    let reps: Vec<&str> = rows.iter().map(|(_, c)| c.as_str()).collect();
    assert_eq!(reps, ["barlamane-hajj", "barlamane-hajj", "barlamane-hajj", "open-days-diplomats"]);
}

#[test]
fn long_jsonl_streams_in_chunks_and_keeps_order() {
    // More records than one chunk (4,096) and than one window of parallel output
    // (16,384), copies on both sides of the first chunk boundary and in the last chunk,
    // and a bad line after the boundary. One thread and two write the same bytes.
    let mut lines: Vec<String> = (1..=17_000).map(filler_line).collect();
    lines[4095 - 1] = jsonl_line("hajj-a", &hajj("barlamane-hajj"));
    lines[4098 - 1] = jsonl_line("hajj-b", &hajj("belwadeh-hajj"));
    lines[8999 - 1] = jsonl_line("hajj-c", &hajj("marrakech-alaan-hajj"));
    lines[5000 - 1] = "{broken".to_string();
    let input = lines.join("\n") + "\n";
    let out = run(&["-", "--format", "csv", "--threads", "2"], input.as_bytes());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("<stdin>:5000: malformed JSON"), "{stderr}");
    let rows = csv_rows(&out.stdout);
    assert_eq!(rows.len(), 16_999);
    let one = run(&["-", "--format", "csv", "--threads", "1"], input.as_bytes());
    assert!(one.stdout == out.stdout, "one thread and two differ");
    let jsonl = |threads| run(&["-", "--format", "jsonl", "--threads", threads], input.as_bytes());
    let (one, two) = (jsonl("1").stdout, jsonl("2").stdout);
    assert_eq!(String::from_utf8_lossy(&one).lines().count(), 16_997);
    assert!(one == two, "one thread and two differ");
    let ids: Vec<&str> = rows.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(&ids[..3], ["n1", "n2", "n3"]);
    assert_eq!(ids[4094], "hajj-a");
    assert_eq!(ids[4998..5000], ["n4999", "n5001"], "the bad line is left out, in order");
    assert_eq!(ids[8997], "hajj-c");
    let cluster_of = |id: &str| rows.iter().find(|(i, _)| i == id).unwrap().1.clone();
    for copy in ["hajj-a", "hajj-b", "hajj-c"] {
        assert_eq!(cluster_of(copy), "hajj-a", "{copy}");
    }
    assert_eq!(cluster_of("n4096"), "n4096");
}

#[test]
fn jsonl_lines_cross_read_blocks() {
    // Blank and whitespace-only lines, CRLF endings, a bad line, records longer than a
    // block and a last line without a newline: read in blocks of 1 MiB and 64 KiB (one
    // block), 1,000 bytes and 7 bytes, on one thread and two, the output is the same and
    // the line numbers are right.
    let mut lines: Vec<String> = (1..=300).map(filler_line).collect();
    lines[9] = String::new();
    lines[10] = " \t ".to_string();
    lines[20] = jsonl_line("hajj-a", &hajj("barlamane-hajj"));
    lines[150] = "{broken".to_string();
    lines[151] = jsonl_line("hajj-b", &hajj("belwadeh-hajj")) + "\r";
    lines[299] = jsonl_line("hajj-c", &hajj("marrakech-alaan-hajj"));
    // A record of 200 KB: a block grows past its first 64 KiB as it fills.
    let long: Vec<String> = (0..20_000).map(|w| format!("r201w{w}")).collect();
    lines[200] = jsonl_line("n201", &long.join(" "));
    let input = lines.join("\n");
    let mut outputs = Vec::new();
    // One thread runs everything on the main thread; two on rayon's workers.
    let blocks = [("1048576", "1"), ("65536", "2"), ("1000", "2"), ("7", "2"), ("1000", "1")];
    for (block, threads) in blocks {
        let args = ["-", "--format", "csv", "--read-block", block, "--threads", threads];
        let out = run(&args, input.as_bytes());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{stderr}");
        assert!(stderr.contains("<stdin>:151: malformed JSON"), "block {block}: {stderr}");
        let rows = csv_rows(&out.stdout);
        assert_eq!(rows.len(), 300 - 3, "block {block}");
        let cluster_of = |id: &str| rows.iter().find(|(i, _)| i == id).unwrap().1.clone();
        for copy in ["hajj-a", "hajj-b", "hajj-c"] {
            assert_eq!(cluster_of(copy), "hajj-a", "block {block}: {copy}");
        }
        assert_eq!(rows.last().unwrap().0, "hajj-c", "block {block}");
        outputs.push(out.stdout);
    }
    assert!(outputs.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn read_error_keeps_the_lines_before_it() {
    // A gzipped JSONL file cut short: the decoder fails part-way. Every whole line
    // before the failure is clustered, the failure is reported with the line it hit,
    // and the next input is still read; the same with small and large read blocks, on
    // one thread and two (the reader runs on a thread of its own then).
    let dir = temp_dir("cut");
    let lines: String = (1..=2000).map(|i| filler_line(i) + "\n").collect();
    let whole = dir.join("whole.jsonl.gz");
    gzip(&whole, &lines);
    let bytes = std::fs::read(&whole).unwrap();
    std::fs::remove_file(&whole).unwrap();
    let cut = dir.join("a-cut.jsonl.gz");
    std::fs::write(&cut, &bytes[..bytes.len() * 6 / 10]).unwrap();
    std::fs::write(dir.join("b-after.txt"), hajj("open-days-diplomats")).unwrap();
    let mut kept = Vec::new();
    for (block, threads) in [("1048576", "1"), ("1048576", "2"), ("1000", "2"), ("7", "1")] {
        let args = [dir.to_str().unwrap(), "--format", "csv", "--read-block", block];
        let out = run(&[&args[..], &["--threads", threads, "-q"]].concat(), b"");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{stderr}");
        let ids: Vec<String> = csv_rows(&out.stdout).into_iter().map(|(id, _)| id).collect();
        assert_eq!(ids.last().map(String::as_str), Some("b-after.txt"), "block {block}");
        let n = ids.len() - 1;
        assert!(n > 100 && n < 2000, "block {block}: {n} lines kept");
        let expected: Vec<String> = (1..=n).map(|i| format!("n{i}")).collect();
        assert_eq!(ids[..n], expected, "block {block}");
        let place = format!("a-cut.jsonl.gz:{}: read error", n + 1);
        assert!(stderr.contains(&place), "block {block}: {stderr}");
        kept.push(n);
    }
    assert!(kept.windows(2).all(|w| w[0] == w[1]), "{kept:?}");
}

#[test]
fn jsonl_records_keep_the_fields_asked_for() {
    // Ids as strings, integers, floats and null; the title before or after the text,
    // or long enough to make a copy on its own; a repeated field (the last counts);
    // escapes; other fields of any shape; lines that are JSON but not records.
    let a = hajj("barlamane-hajj");
    let b = hajj("belwadeh-hajj");
    let lines = [
        serde_json::json!({"id": 7, "text": a, "extra": {"nested": [1, {"x": null}], "s": "text"}})
            .to_string(),
        serde_json::json!({"title": b, "id": "title-first", "text": "قصير"}).to_string(),
        format!(r#"{{"text": "قصير", "id": "title-after", "title": {}}}"#, serde_json::json!(b)),
        r#"{"id": 2.5, "text": 5}"#.to_string(),
        r#"["text", "x"]"#.to_string(),
        r#"{"id": "first", "id": "last", "text": "\"مقتبس\"\n\u0627\u0644 escaped", "n": [true, false]}"#
            .to_string(),
        r#""just a string""#.to_string(),
        r#"{"id": null, "text": "نص بلا معرف", "title": 3}"#.to_string(),
        r#"{"id": 1e3, "text": "نص"}"#.to_string(),
    ];
    let input = lines.join("\n");
    let out = run(&["-", "--format", "csv"], input.as_bytes());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    for line in [4, 5, 7] {
        assert!(stderr.contains(&format!("<stdin>:{line}: no string field `text`")), "{stderr}");
    }
    let rows = csv_rows(&out.stdout);
    let ids: Vec<&str> = rows.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["7", "title-first", "title-after", "last", "<stdin>:8", "1000.0"]);
    // The titles make the short texts copies of the first record.
    let cluster_of = |id: &str| rows.iter().find(|(i, _)| i == id).unwrap().1.clone();
    assert_eq!(cluster_of("title-first"), "7");
    assert_eq!(cluster_of("title-after"), "7");
    let out = run(&["-", "--format", "csv", "--no-title"], input.as_bytes());
    let rows = csv_rows(&out.stdout);
    assert!(rows.iter().all(|(id, c)| id == c), "without titles nothing matches: {rows:?}");
}

/// `--max-file-size` is for what is read whole (a text file, a JSON document, whether
/// gzipped or not) and for each line of JSON Lines, which are streamed whatever the
/// file's size (a million articles gzipped are 1.7 GB).
#[test]
fn max_file_size_skips_what_is_read_whole_and_streams_json_lines() {
    let dir = temp_dir("max-file-size");
    let story = std::fs::read_to_string(article("barlamane-hajj")).unwrap();
    let quarter: String = story.chars().take(story.chars().count() / 4).collect();
    let lines: String = (0..4)
        .map(|i| serde_json::json!({"id": format!("r{i}"), "text": quarter}).to_string() + "\n")
        .collect();
    std::fs::write(dir.join("feed.jsonl"), &lines).unwrap();
    let long_line = serde_json::json!({"id": "long", "text": story}).to_string();
    std::fs::write(dir.join("long-line.jsonl"), long_line + "\n").unwrap();
    std::fs::write(dir.join("long.txt"), &story).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(story.repeat(3).as_bytes()).unwrap();
    let zipped = dir.join("long.txt.gz");
    std::fs::write(&zipped, gz.finish().unwrap()).unwrap();
    let limit = (story.len() / 2).to_string();
    assert!(lines.len() > story.len() / 2, "the JSON Lines file is past the limit");
    let (folder, zipped) = (dir.to_str().unwrap(), zipped.to_str().unwrap());
    let out = run(&[folder, zipped, "--format", "csv", "--max-file-size", &limit], b"");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    let ids: Vec<String> = csv_rows(&out.stdout).into_iter().map(|(id, _)| id).collect();
    assert_eq!(ids, ["r0", "r1", "r2", "r3"], "{stderr}");
    assert!(stderr.contains("long.txt: ") && stderr.contains("bytes is more than --max-file-size"));
    assert!(stderr.contains("long.txt.gz: its text is more than --max-file-size"), "{stderr}");
    assert!(
        stderr.contains("long-line.jsonl:1: a line of 3965 bytes is more than --max-file-size"),
        "{stderr}"
    );
    // Read in small blocks, the long line crosses them and is refused alike; a line
    // that runs on past four times the limit ends its file's reading.
    let small = ["--format", "csv", "--max-file-size", limit.as_str(), "--read-block", "64"];
    let out = run(&[&[folder][..], &small].concat(), b"");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("long-line.jsonl:1: a line of 3965 bytes"), "{stderr}");
    let endless = dir.join("endless.jsonl");
    let words = "كلمة ".repeat(2000);
    std::fs::write(&endless, format!("{{\"id\": \"e\", \"text\": \"{words}")).unwrap();
    let out = run(&[&[endless.to_str().unwrap()][..], &small].concat(), b"");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("endless.jsonl:1: read error: a line runs on past four"), "{stderr}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn boilerplate_is_learned_per_source_of_json_records() {
    // 15 pages of one site, each a short text of its own in the same long chrome,
    // among 200 records of other sources: too few for the corpus-wide rule.
    let chrome: Vec<String> = (0..60).map(|w| format!("chrome{w}")).collect();
    let mut lines = Vec::new();
    for i in 0..200 {
        let body: Vec<String> = (0..20).map(|w| format!("p{i}w{w}")).collect();
        let (text, source) = if i < 15 {
            (format!("{} {}", chrome.join(" "), body.join(" ")), "site-a")
        } else {
            (body.join(" "), "other")
        };
        lines.push(
            serde_json::json!({ "id": format!("p{i}"), "text": text, "source": source })
                .to_string(),
        );
    }
    let dir = temp_dir("source-boilerplate");
    let path = dir.join("pages.jsonl");
    std::fs::write(&path, lines.join("\n")).unwrap();
    let site_clusters = |extra: &[&str]| {
        let mut args = vec![path.to_str().unwrap(), "--format", "csv"];
        args.extend_from_slice(extra);
        let out = run(&args, b"");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let rows = csv_rows(&out.stdout);
        let of_site: std::collections::BTreeSet<String> = rows
            .into_iter()
            .filter(|(id, _)| id[1..].parse::<usize>().is_ok_and(|i| i < 15))
            .map(|(_, cluster)| cluster)
            .collect();
        of_site.len()
    };
    assert_eq!(site_clusters(&[]), 15, "the site's chrome is left out: its pages are apart");
    assert!(site_clusters(&["--no-source-boilerplate"]) < 15, "without it, chrome merges them");
    assert!(site_clusters(&["--source-field", "nothing"]) < 15, "and without sources");
}
