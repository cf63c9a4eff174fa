//! What the main job writes, beyond the cluster formats: exact scores, the choice of
//! representative, and the deduplicated corpus (`--emit unique`).

use std::io::Write;

use crate::cli::{article, run, temp_dir};

/// The shipped articles folder.
fn articles() -> String {
    format!("{}/../examples/articles", env!("CARGO_MANIFEST_DIR"))
}

/// The `similarity` column of the CSV row of `id`.
fn similarity(csv: &[u8], id: &str) -> f64 {
    let text = String::from_utf8_lossy(csv);
    let row = text.lines().find(|l| l.starts_with(&format!("{id},"))).expect("row of id");
    row.split(',').nth(2).unwrap().parse().unwrap()
}

/// `dedup compare`'s exact Jaccard of two seed articles.
fn compare_exact(a: &str, b: &str) -> f64 {
    let out = run(&["compare", &article(a), &article(b), "--format", "json"], b"");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    v["exact_jaccard"].as_f64().unwrap()
}

#[test]
fn exact_scores_are_the_ones_compare_calls_exact() {
    // Star clusters: each copy's score is its match with the representative.
    let out = run(&[&articles(), "--format", "csv", "--exact", "--mode", "star"], b"");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for copy in ["belwadeh-hajj", "marrakech-alaan-hajj"] {
        let exact = compare_exact("barlamane-hajj", copy);
        let got = similarity(&out.stdout, &format!("{copy}.txt"));
        assert!((got - exact).abs() < 5e-4, "{copy}: --exact {got}, compare {exact}");
    }
    // Without --exact the score is the 128-slot estimate, which differs.
    let estimated = run(&[&articles(), "--format", "csv", "--mode", "star"], b"");
    let est = similarity(&estimated.stdout, "belwadeh-hajj.txt");
    assert!((est - compare_exact("barlamane-hajj", "belwadeh-hajj")).abs() > 5e-4, "{est}");
}

/// One JSONL record.
fn record(id: &str, text: &str, date: &str) -> String {
    serde_json::json!({"id": id, "text": text, "date": date}).to_string()
}

/// `story` without its last tenth of words.
fn shorter(story: &str) -> String {
    let words: Vec<&str> = story.split_whitespace().collect();
    words[..words.len() * 9 / 10].join(" ")
}

/// A story, a longer copy of it, an unrelated article and a shorter copy, with dates:
/// the shorter copy is the earliest only once its zone is taken into account.
fn dated_feed() -> String {
    let story = std::fs::read_to_string(article("barlamane-hajj")).unwrap();
    let other = std::fs::read_to_string(article("open-days-diplomats")).unwrap();
    [
        record("first", &story, "2015-08-04 10:00:00"),
        record("other", &other, "2015-08-01 09:00:00"),
        record(
            "longer",
            &format!("{story}\nوأضاف المصدر أن الرحلات ستتواصل طيلة الأسبوع المقبل."),
            "2015-08-04 09:00:00",
        ),
        // 11:30 at +0300 is 08:30 UTC: before both others, though not as written.
        record("early", &shorter(&story), "Tue, 04 Aug 2015 11:30:00 +0300"),
    ]
    .join("\n")
        + "\n"
}

#[test]
fn representative_first_longest_and_earliest() {
    let feed = dated_feed();
    let rep_of = |choice: &str| {
        let out = run(&["-", "--format", "csv", "--representative", choice], feed.as_bytes());
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let row = text.lines().find(|l| l.starts_with("first,")).expect("row").to_owned();
        row.split(',').nth(1).unwrap().to_owned()
    };
    assert_eq!(rep_of("first"), "first");
    assert_eq!(rep_of("longest"), "longer");
    // Neither the first nor the longest: the earliest once zones are read.
    assert_eq!(rep_of("earliest"), "early");
    let out = run(&["-", "--representative", "newest"], b"");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn emit_unique_writes_the_deduplicated_corpus() {
    let feed = dated_feed();
    let lines: Vec<&str> = feed.lines().collect();
    // From standard input: the records of the representative and the singleton, verbatim.
    let out = run(&["-", "--emit", "unique"], feed.as_bytes());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{}\n{}\n", lines[0], lines[1]));
    // From a gzipped file, written to a file.
    let dir = temp_dir("emit-unique");
    let gz = dir.join("feed.jsonl.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(feed.as_bytes()).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    let clean = dir.join("clean.jsonl");
    let args = [
        gz.to_str().unwrap(),
        "--emit",
        "unique",
        "--representative",
        "longest",
        "-o",
        clean.to_str().unwrap(),
    ];
    let out = run(&args, b"");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let written = std::fs::read_to_string(&clean).unwrap();
    assert_eq!(written, format!("{}\n{}\n", lines[1], lines[2]));
    // Text files become {"id", "text"} records; the copies are left out.
    let out = run(&[&articles(), "--emit", "unique"], b"");
    let ids: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(ids, ["barlamane-hajj.txt", "open-days-diplomats.txt"]);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn text_report_shows_titles_outlets_and_singletons_on_request() {
    let story = std::fs::read_to_string(article("barlamane-hajj")).unwrap();
    let other = std::fs::read_to_string(article("open-days-diplomats")).unwrap();
    let feed = [
        serde_json::json!({"id": "a", "title": "حموشي يستقبل الحجاج", "source": "barlamane", "text": story}),
        serde_json::json!({"id": "b", "title": "الحجاج\nفي الرباط", "source": "belwadeh", "date": "2015-08-03", "text": story}),
        serde_json::json!({"id": "c", "title": "الأبواب المفتوحة", "source": "hespress", "text": other}),
    ]
    .map(|v| v.to_string())
    .join("\n");
    let out = run(&["-", "--format", "text"], feed.as_bytes());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("  * a  | حموشي يستقبل الحجاج  [barlamane]\n"), "{text}");
    assert!(
        text.contains("  - b  (jaccard 1.00 to a)  | الحجاج في الرباط  [belwadeh, 2015-08-03]\n"),
        "{text}"
    );
    assert!(!text.contains("  . c"), "singletons are listed only on request: {text}");
    let out = run(&["-", "--format", "text", "--singletons"], feed.as_bytes());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("  . c  | الأبواب المفتوحة  [hespress]\n"), "{text}");
}

#[test]
fn compare_checks_its_inputs_reads_records_by_id_and_gives_a_verdict() {
    let dir = temp_dir("compare-inputs");
    let story = std::fs::read_to_string(article("barlamane-hajj")).unwrap();
    let other = std::fs::read_to_string(article("open-days-diplomats")).unwrap();
    let feed = dir.join("feed.jsonl");
    let records = [
        serde_json::json!({"id": "x", "title": "t", "text": story}),
        serde_json::json!({"id": "y", "text": format!("{story} وأضاف المصدر")}),
        serde_json::json!({"id": "z", "text": other}),
    ];
    std::fs::write(&feed, records.map(|r| r.to_string()).join("\n")).unwrap();
    let feed = feed.to_str().unwrap();
    let out = run(&["compare", feed, "--id", "x", "--id", "y"], b"");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("A: x (") && text.contains("\nB: y ("), "{text}");
    assert!(text.contains("\nverdict: copy: jaccard "), "{text}");
    let out = run(&["compare", feed, "--id", "x", "--id", "z", "--format", "json"], b"");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"]["copy"], false);
    assert!(v["verdict"]["reason"].as_str().unwrap().starts_with("not a copy: jaccard "), "{v}");
    // A file and a record; the threshold moves the verdict.
    let out = run(
        &[
            "compare",
            &article("belwadeh-hajj"),
            feed,
            "--id",
            "y",
            "--threshold",
            "0.9",
            "--containment",
            "off",
            "--no-edited",
        ],
        b"",
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("verdict: not a copy: jaccard ") && text.contains("< 0.9 (estimated)"),
        "{text}"
    );
    // The main command's checks, and clear refusals (exit 3).
    let cp1256 = dir.join("cp1256.txt");
    std::fs::write(&cp1256, b"\xC7\xE1\xDA\xD1\xC8\xED\xC9 \xC7\xE1\xDA\xD1\xC8\xED\xC9\n")
        .unwrap();
    let binary = dir.join("binary.txt");
    std::fs::write(&binary, b"\x7fELF\x00\x00\x01binary").unwrap();
    let empty = dir.join("empty.txt");
    std::fs::write(&empty, b"").unwrap();
    for (bad, says) in [(&cp1256, "not UTF-8"), (&binary, "binary"), (&empty, "empty")] {
        let out = run(&["compare", bad.to_str().unwrap(), &article("belwadeh-hajj")], b"");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{stderr}");
        assert!(stderr.contains(bad.to_str().unwrap()) && stderr.contains(says), "{stderr}");
        assert!(out.stdout.is_empty());
    }
    let out = run(&["compare", feed, "--id", "x", "--id", "nope"], b"");
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no article with id \"nope\""));
    let out = run(&["compare", feed, &article("belwadeh-hajj")], b"");
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("holds 3 articles"));
    let out = run(&["compare", feed, "--id", "x"], b"");
    assert_eq!(out.status.code(), Some(2));
    let out =
        run(&["compare", &article("barlamane-hajj"), &article("belwadeh-hajj"), "--id", "x"], b"");
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn emit_unique_copies_json_array_elements_as_written_even_from_a_cut_off_file() {
    let dir = temp_dir("emit-array");
    let story = std::fs::read_to_string(article("barlamane-hajj")).unwrap();
    let first = format!(
        r#"{{"z": 1, "id": "a", "text": {}, "n": 1.0e0, "big": 123456789012345678901234567890}}"#,
        serde_json::to_string(&story).unwrap()
    );
    let second = r#"{"id":"b","text":"كلمات قليلة هنا فقط"}"#;
    let file = dir.join("cut.json");
    std::fs::write(&file, format!("[{first},\n  {second}, {{oops")).unwrap();
    let out = run(&[file.to_str().unwrap(), "--emit", "unique"], b"");
    assert_eq!(out.status.code(), Some(3), "the cut is reported as a skip");
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{first}\n{second}\n"));
    let _ = std::fs::remove_dir_all(dir);
}

/// `-o` into something that is not a regular file writes into it, as a shell redirect
/// does: `dedup -o /dev/null` once renamed its temporary file over the device (as root,
/// every later reader of `/dev/null` got old output). A symbolic link is followed and
/// kept.
#[cfg(unix)]
#[test]
fn output_into_a_named_pipe_or_through_a_link_keeps_them() {
    use std::io::Read;
    use std::os::unix::fs::FileTypeExt;

    let dir = temp_dir("output-special");
    let fifo = dir.join("out.fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    // Opened for reading and writing, the pipe neither blocks this open nor the
    // command's; the seed CSV fits in its buffer.
    let mut reader = std::fs::OpenOptions::new().read(true).write(true).open(&fifo).unwrap();
    let out = run(&[&articles(), "--format", "csv", "-o", fifo.to_str().unwrap()], b"");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "the pipe was replaced: {kind:?}");
    let mut buf = vec![0; 1 << 16];
    let n = reader.read(&mut buf).unwrap();
    let written = String::from_utf8_lossy(&buf[..n]);
    assert!(written.contains("belwadeh-hajj.txt,barlamane-hajj.txt,"), "{written}");
    assert!(std::fs::read_dir(&dir).unwrap().count() == 1, "a temporary file was left");

    let file = dir.join("clusters.csv");
    std::fs::write(&file, "old").unwrap();
    let link = dir.join("latest.csv");
    std::os::unix::fs::symlink(&file, &link).unwrap();
    let out = run(&[&articles(), "--format", "csv", "-o", link.to_str().unwrap()], b"");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert!(std::fs::read_to_string(&file).unwrap().contains("belwadeh-hajj.txt,"));
    let _ = std::fs::remove_dir_all(dir);
}

/// The whole CSV of the shipped articles, pinned: any change to the output (a score, a
/// representative, a note) fails here and is made on purpose, the pin updated with it.
#[test]
fn golden_csv_of_the_shipped_articles() {
    // Average linkage (the default) gives every member its best match in the cluster,
    // the representative included.
    const DEFAULTS: &str = "\
id,cluster,similarity,note
barlamane-hajj.txt,barlamane-hajj.txt,0.781,representative
belwadeh-hajj.txt,barlamane-hajj.txt,0.930,copy
marrakech-alaan-hajj.txt,barlamane-hajj.txt,0.930,copy
open-days-diplomats.txt,open-days-diplomats.txt,1.000,
";
    // Star clusters: each copy's match with the representative.
    const NO_EDITED: &str = "\
id,cluster,similarity,note
barlamane-hajj.txt,barlamane-hajj.txt,1.000,representative
belwadeh-hajj.txt,barlamane-hajj.txt,0.781,copy
marrakech-alaan-hajj.txt,barlamane-hajj.txt,0.781,copy
open-days-diplomats.txt,open-days-diplomats.txt,1.000,
";
    let runs = [
        (None, DEFAULTS),
        (Some("--edited"), DEFAULTS),
        (Some("--edited=light"), DEFAULTS),
        (Some("--no-edited"), NO_EDITED),
    ];
    for (extra, expected) in runs {
        for threads in ["1", "2"] {
            let mut args = vec![articles(), "--format".into(), "csv".into()];
            args.extend(["--threads".into(), threads.into()]);
            args.extend(extra.map(String::from));
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = run(&args, b"");
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            assert_eq!(String::from_utf8_lossy(&out.stdout), expected, "{extra:?} {threads}");
        }
    }
}

/// A JSON document of one object followed by stray text: the reader takes the object
/// (and warns of the rest); `--emit unique` found no object in it and failed.
#[test]
fn emit_unique_takes_a_json_object_followed_by_stray_text() {
    let dir = temp_dir("emit-trailing");
    let story = std::fs::read_to_string(crate::cli::article("open-days-diplomats")).unwrap();
    let record =
        serde_json::to_string_pretty(&serde_json::json!({"id": "only", "text": story})).unwrap();
    let file = dir.join("one.json");
    std::fs::write(&file, format!("{record}\n-- end of export --\n")).unwrap();
    let out = run(&[file.to_str().unwrap(), "--emit", "unique"], b"");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "the stray text is reported: {stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{}\n", record.replace('\n', " ")));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn emit_pairs_writes_the_verified_pairs_with_their_clusters() {
    let out = run(&[&articles(), "--emit", "pairs", "--threads", "1"], b"");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = String::from_utf8(out.stdout).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("a,b,score,kind,cluster_a,cluster_b"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let clusters = run(&[&articles(), "--format", "csv"], b"");
    let clusters_csv = String::from_utf8(clusters.stdout).unwrap();
    // The three hajj reports match (at least two of their pairs directly); the diplomats
    // article matches none.
    assert!(rows.len() >= 2, "{csv}");
    for r in &rows {
        assert_eq!(r.len(), 6, "{r:?}");
        assert!(r[0] < r[1] && r[0].ends_with("-hajj.txt") && r[1].ends_with("-hajj.txt"), "{r:?}");
        let score: f64 = r[2].parse().unwrap();
        assert!(score > 0.0 && score <= 1.0, "{r:?}");
        assert!(r[3].parse::<nuskha::MatchKind>().is_ok(), "{r:?}");
        // One hajj cluster: both ends in it, named as the clusters' CSV names it.
        assert_eq!(r[4], r[5], "{r:?}");
        for (id, cluster) in [(r[0], r[4]), (r[1], r[5])] {
            assert!(clusters_csv.lines().any(|l| l.starts_with(&format!("{id},{cluster},"))));
        }
    }
    // The same pairs as JSON Lines, and on two threads byte for byte.
    let two = run(&[&articles(), "--emit", "pairs", "--threads", "2"], b"");
    assert_eq!(String::from_utf8(two.stdout).unwrap(), csv);
    let jsonl = run(&[&articles(), "--emit", "pairs", "--format", "jsonl"], b"");
    assert!(jsonl.status.success(), "{}", String::from_utf8_lossy(&jsonl.stderr));
    let records: Vec<serde_json::Value> = String::from_utf8_lossy(&jsonl.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), rows.len());
    for (v, r) in records.iter().zip(&rows) {
        assert_eq!((v["a"].as_str().unwrap(), v["b"].as_str().unwrap()), (r[0], r[1]));
        assert_eq!(
            (v["cluster_a"].as_str().unwrap(), v["cluster_b"].as_str().unwrap()),
            (r[4], r[5])
        );
        assert_eq!(v["kind"].as_str().unwrap(), r[3]);
        assert_eq!(format!("{:.3}", v["score"].as_f64().unwrap()), r[2]);
    }
    // Ids that need quoting are quoted, as in the clusters' CSV.
    let story = std::fs::read_to_string(article("barlamane-hajj")).unwrap();
    let feed = format!("{}\n{}\n", record("a,1", &story, ""), record("b", &story, ""));
    let quoted = run(&["-", "--emit", "pairs"], feed.as_bytes());
    let quoted = String::from_utf8(quoted.stdout).unwrap();
    assert!(
        quoted.lines().nth(1).unwrap().starts_with("\"a,1\",b,1.000,jaccard,\"a,1\",\"a,1\""),
        "{quoted}"
    );
    // A format pairs are not written in is refused by name.
    let html = run(&[&articles(), "--emit", "pairs", "--format", "html"], b"");
    assert_eq!(html.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&html.stderr).contains("--emit pairs"));
}
