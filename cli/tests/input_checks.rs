//! What a new user hit: inputs named or encoded unexpectedly, repeated ids, floods of
//! warnings, and a long silence while one large file is read.

use crate::cli::{article, csv_rows, run, temp_dir};

fn hajj(name: &str) -> String {
    std::fs::read_to_string(article(name)).unwrap()
}

fn record(id: &str, text: &str) -> String {
    serde_json::json!({ "id": id, "text": text }).to_string()
}

#[test]
fn a_repeated_id_is_reported_and_the_later_article_skipped() {
    // The same file twice: one article, not a copy of itself.
    let a = article("barlamane-hajj");
    let out = run(&[&a, &a, "--format", "csv"], b"");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert_eq!(csv_rows(&out.stdout), [(a.clone(), a.clone())]);
    let line = format!("{a}: duplicate id \"{a}\" (first at {a}); skipped");
    assert!(stderr.contains(&line), "{stderr}");
    assert!(stderr.contains("skipped: 1 duplicate id"), "{stderr}");

    // In JSON Lines: the later record is left out of the batch too, so every article
    // after it keeps its own clusters (the ids and the batch stay aligned).
    let dir = temp_dir("dup-ids");
    let feed = dir.join("feed.jsonl");
    let lines = [
        record("x", &hajj("barlamane-hajj")),
        record("d", &hajj("open-days-diplomats")),
        record("x", &hajj("open-days-diplomats")),
        record("y", &hajj("belwadeh-hajj")),
        record("z", "كلمات قليلة لا تشبه أي مقال آخر هنا ابدا ولا هناك"),
    ];
    std::fs::write(&feed, lines.join("\n")).unwrap();
    for threads in ["1", "2"] {
        let out = run(&[feed.to_str().unwrap(), "--format", "csv", "--threads", threads], b"");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{stderr}");
        let place = feed.display();
        let line = format!("{place}:3: duplicate id \"x\" (first at {place}:1); skipped");
        assert!(stderr.contains(&line), "{stderr}");
        let rows = csv_rows(&out.stdout);
        let expected = [("x", "x"), ("d", "d"), ("y", "x"), ("z", "z")];
        let expected: Vec<(String, String)> =
            expected.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        assert_eq!(rows, expected, "threads {threads}");
    }
}

#[test]
fn warnings_are_capped_per_kind_and_counted() {
    let input = "hello world\n".repeat(20_000);
    let out = run(&["-", "--format", "csv"], input.as_bytes());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3));
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(lines.len() < 20, "{} lines: {stderr}", lines.len());
    let shown = lines.iter().filter(|l| l.contains("malformed JSON")).count();
    assert_eq!(shown, 10, "{stderr}");
    assert!(stderr.contains("further ones are counted, not shown"), "{stderr}");
    assert!(stderr.contains("20000 bad JSONL record"), "the summary counts all: {stderr}");
    // Another kind is still shown after ten of the first.
    let input = "hello\n".repeat(12) + &record("a", "نص") + "\n" + &record("a", "نص");
    let out = run(&["-", "--format", "csv"], input.as_bytes());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("<stdin>:14: duplicate id \"a\""), "{stderr}");
    // --verbose prints every one.
    let input = "hello world\n".repeat(500);
    let out = run(&["-", "--format", "csv", "--verbose"], input.as_bytes());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().filter(|l| l.contains("malformed JSON")).count(), 500);
}

/// The four shipped articles as records, the hajj reports three copies.
fn records() -> Vec<serde_json::Value> {
    ["barlamane-hajj", "belwadeh-hajj", "marrakech-alaan-hajj", "open-days-diplomats"]
        .iter()
        .map(|n| serde_json::json!({ "id": n, "text": hajj(n) }))
        .collect()
}

const CLUSTERS: [(&str, &str); 4] = [
    ("barlamane-hajj", "barlamane-hajj"),
    ("belwadeh-hajj", "barlamane-hajj"),
    ("marrakech-alaan-hajj", "barlamane-hajj"),
    ("open-days-diplomats", "open-days-diplomats"),
];

fn expect_clusters(args: &[&str]) {
    let out = run(&[args, &["--format", "csv"]].concat(), b"");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?}: {stderr}");
    let rows = csv_rows(&out.stdout);
    let expected: Vec<(String, String)> =
        CLUSTERS.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    assert_eq!(rows, expected, "{args:?}");
}

#[test]
fn json_lines_and_arrays_are_read_by_content() {
    let dir = temp_dir("by-content");
    let lines: String = records().iter().map(|r| r.to_string() + "\n").collect();
    // JSON Lines named .json or .txt, a pretty JSON array named .json or with no
    // extension, gzipped too.
    std::fs::write(dir.join("feed.json"), &lines).unwrap();
    std::fs::write(dir.join("feed.txt"), &lines).unwrap();
    let array = serde_json::to_string_pretty(&records()).unwrap();
    std::fs::write(dir.join("array.json"), &array).unwrap();
    std::fs::write(dir.join("array"), &array).unwrap();
    let gz = std::fs::File::create(dir.join("array.json.gz")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(gz, flate2::Compression::default());
    std::io::Write::write_all(&mut gz, array.as_bytes()).unwrap();
    gz.finish().unwrap();
    for name in ["feed.json", "feed.txt", "array.json", "array", "array.json.gz"] {
        expect_clusters(&[dir.join(name).to_str().unwrap()]);
    }
    // In a folder, .json and .json.gz are read; the rest is ignored, --verbose says why.
    let folder = dir.join("folder");
    std::fs::create_dir(&folder).unwrap();
    std::fs::rename(dir.join("array.json.gz"), folder.join("array.json.gz")).unwrap();
    std::fs::write(folder.join("notes.pdf"), b"%PDF").unwrap();
    std::fs::write(folder.join(".hidden.json"), &lines).unwrap();
    expect_clusters(&[folder.to_str().unwrap()]);
    let out = run(&[folder.to_str().unwrap(), "--format", "csv", "--verbose"], b"");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("notes.pdf (unknown extension)"), "{stderr}");
    assert!(stderr.contains(".hidden.json (hidden)"), "{stderr}");
    assert!(stderr.contains("2 ignored"), "{stderr}");
    // Prose stays one article, even when it opens with a bracket; an element without
    // text is named by its index.
    let prose = dir.join("prose.txt");
    std::fs::write(&prose, format!("[Reuters] {}", hajj("belwadeh-hajj"))).unwrap();
    let out = run(&[prose.to_str().unwrap(), "--format", "csv"], b"");
    assert_eq!(csv_rows(&out.stdout).len(), 1);
    let bad = dir.join("bad.json");
    std::fs::write(&bad, r#"[{"id": "a", "text": "نص"}, {"id": "b"}]"#).unwrap();
    let out = run(&[bad.to_str().unwrap(), "--format", "csv"], b"");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr.contains("bad.json[1]: no string field `text`"), "{stderr}");
}

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend(if big_endian { [0xFE, 0xFF] } else { [0xFF, 0xFE] });
    }
    for u in text.encode_utf16() {
        out.extend(if big_endian { u.to_be_bytes() } else { u.to_le_bytes() });
    }
    out
}

#[test]
fn byte_order_marks_and_utf16_are_decoded() {
    let dir = temp_dir("utf16");
    let lines: String = records().iter().map(|r| r.to_string() + "\n").collect();
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(lines.as_bytes());
    std::fs::write(dir.join("bom.jsonl"), &bom).unwrap();
    expect_clusters(&[dir.join("bom.jsonl").to_str().unwrap()]);
    for (big_endian, with_bom) in [(false, true), (true, true), (false, false), (true, false)] {
        let path = dir.join(format!("utf16-{big_endian}-{with_bom}.jsonl"));
        std::fs::write(&path, utf16(&lines, big_endian, with_bom)).unwrap();
        let out = run(&[path.to_str().unwrap(), "--format", "csv"], b"");
        assert!(String::from_utf8_lossy(&out.stderr).contains("UTF-16"));
        expect_clusters(&[path.to_str().unwrap()]);
    }
    // Text files: a BOM is not part of the text (the copy is exact), UTF-16 is decoded.
    let a = dir.join("a-bom.txt");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(hajj("barlamane-hajj").as_bytes());
    std::fs::write(&a, bytes).unwrap();
    let b = dir.join("b-utf16.txt");
    std::fs::write(&b, utf16(&hajj("barlamane-hajj"), false, false)).unwrap();
    let out = run(&[a.to_str().unwrap(), b.to_str().unwrap(), "--format", "json"], b"");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["clusters"][0]["members"][1]["similarity"], 1.0, "{v}");
    // Other NUL bytes are still binary.
    let bin = dir.join("binary.txt");
    std::fs::write(&bin, b"\x7fELF\x00\x00\x01binary\x00\x00").unwrap();
    let out = run(&[bin.to_str().unwrap(), "--format", "csv"], b"");
    assert!(String::from_utf8_lossy(&out.stderr).contains("binary file (NUL bytes)"));
}

#[test]
fn progress_shows_bytes_and_a_share_during_one_large_file() {
    // A terminal is needed for the display: `script` gives the command one.
    if std::process::Command::new("script").arg("--version").output().is_err() {
        eprintln!("no `script` to run dedup on a terminal: test skipped");
        return;
    }
    let dir = temp_dir("progress");
    let feed = dir.join("big.jsonl");
    let line = |i: usize| {
        let words: Vec<String> = (0..60).map(|w| format!("r{i}w{w}")).collect();
        record(&format!("n{i}"), &words.join(" ")) + "\n"
    };
    std::fs::write(&feed, (0..60_000).map(line).collect::<String>()).unwrap();
    let out = dir.join("out.csv");
    let command = format!(
        // The display from the first read (not after 0.8 s): what the test sees then
        // does not depend on how fast the machine reads.
        "{} {} --format csv --threads 1 --read-block 65536 --progress-after-ms 0 -o {}",
        crate::cli::dedup_bin().display(),
        feed.display(),
        out.display()
    );
    let run = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let screen = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{screen}");
    // A frame with a share below 100%: shown while the one file was being read.
    let shares: Vec<u32> = screen
        .split('(')
        .filter_map(|s| s.split_once("%)").and_then(|(n, _)| n.parse().ok()))
        .collect();
    assert!(shares.iter().any(|&p| p < 100), "no progress during the file: {screen}");
    assert!(screen.contains("left"), "{screen}");
    // Without a terminal, nothing but the summary.
    let plain = crate::cli::run(
        &[feed.to_str().unwrap(), "--format", "csv", "-o", out.to_str().unwrap()],
        b"",
    );
    let stderr = String::from_utf8_lossy(&plain.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

/// An article past `--max-article-size` is matched on its beginning and named in a
/// warning; the run goes on. (At the default of 1 MiB a 100 MB one-line article peaks
/// at about 210 MB, against 1.4 GB before the cap: benches/README.md.)
#[test]
fn a_huge_article_is_matched_on_its_first_bytes_and_named() {
    let dir = temp_dir("huge-article");
    let story = std::fs::read_to_string(article("barlamane-hajj")).unwrap();
    // Three megabytes of made-up words after the story, different in each copy.
    let tail = |seed: u64| -> String {
        (0..400_000u64)
            .map(|i| format!("كلمة{}", nuskha::hash::mix64(seed, i) % 997))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let records = [("huge", tail(1)), ("huge-too", tail(2))]
        .map(|(id, tail)| {
            serde_json::json!({"id": id, "text": format!("{story}\n{tail}")}).to_string()
        })
        .join("\n");
    let feed = dir.join("huge.jsonl");
    std::fs::write(&feed, records).unwrap();
    let size = (story.len() + 1000).to_string();
    let out = run(&[feed.to_str().unwrap(), "--format", "csv", "--max-article-size", &size], b"");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let named = format!("{}:1: article \"huge\" is longer than {size} bytes", feed.display());
    assert!(stderr.contains(&named), "{stderr}");
    assert!(stderr.contains("article \"huge-too\""), "{stderr}");
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(csv.contains("huge-too,huge,"), "matched on their shared beginning: {csv}");
    // Matched whole, the tails (3 MB of different words) keep them apart.
    let out =
        run(&[feed.to_str().unwrap(), "--format", "csv", "--max-article-size", "100000000"], b"");
    assert!(String::from_utf8_lossy(&out.stdout).contains("huge-too,huge-too,"));
    // `compare` compares what is matched, and says so: its scores agree with its verdict.
    let ids = ["--id", "huge", "--id", "huge-too", "--max-article-size", size.as_str()];
    let out = run(&[&["compare", feed.to_str().unwrap()][..], &ids].concat(), b"");
    let (stdout, stderr) =
        (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(stderr.contains("A (huge) is longer than --max-article-size"), "{stderr}");
    assert!(stdout.contains("verdict: copy"), "{stdout}");
    let exact: f64 = stdout
        .lines()
        .find_map(|l| l.strip_prefix("jaccard (exact):"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // The story and 1,000 bytes of different tails (whole, the tails would make it 0.01).
    assert!(exact > 0.5, "compared on their beginnings: {stdout}");
    let _ = std::fs::remove_dir_all(dir);
}

/// Found by the `read_input` fuzz target: the records of a JSON array cut short are
/// read (and the cut reported), but reading them again failed on the same error, so
/// `compare`, `--emit unique` and the HTML report refused articles the run had used.
#[test]
fn fuzz_a_cut_json_array_is_read_again_up_to_its_cut() {
    let dir = temp_dir("cut-array");
    let story = std::fs::read_to_string(article("barlamane-hajj")).unwrap();
    let record = serde_json::json!({"id": "a", "text": story}).to_string();
    let cut = dir.join("cut.json");
    std::fs::write(&cut, format!("[{record}, {{\"id\": \"b\", \"te")).unwrap();
    nuskha_cli::fuzzing::read_input(br#"[{"a": "0", "text": "n"}"#, "json");
    let out = run(&["compare", cut.to_str().unwrap(), &article("belwadeh-hajj")], b"");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("verdict: copy"));
    let _ = std::fs::remove_dir_all(dir);
}

/// The reader's fuzz entry on hand-made JSON Lines: every line not blank is an article
/// or a named skip (a bad line, a record without text, a repeated id), blocks of 64
/// bytes cut inside lines, and a file with no record at all.
#[test]
fn every_json_line_is_an_article_or_a_named_skip() {
    let cases: [&[u8]; 6] = [
        b"{\"id\": \"a\", \"text\": \"one\"}\n\n  \n{\"id\": \"a\", \"text\": \"again\"}\nnot json\n{\"id\": 3}\n",
        b"{\"text\": \"no id\"}\r\n{\"text\": \"no id either, and a long line that crosses the reader's 64-byte blocks twice\"}",
        b"\n\n",
        b"[1, 2]\n{\"id\": \"x\", \"text\": \"t\"}\n",
        b"{\"id\": \"q\", \"text\": \"\\u00e9\\ud800\"}\n",
        b"\xFF\xFE{}",
    ];
    for case in cases {
        nuskha_cli::fuzzing::read_input(case, "jsonl");
    }
}
