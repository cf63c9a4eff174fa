//! The `dedup` binary, run as a user runs it.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// The `dedup` binary cargo built for these tests.
pub fn dedup_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_dedup"))
}

/// Runs `dedup` with `args`, feeding `stdin`.
pub fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(dedup_bin())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn dedup");
    child.stdin.take().expect("stdin").write_all(stdin).expect("write stdin");
    child.wait_with_output().expect("dedup output")
}

/// A fresh temporary folder for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nuskha-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

#[test]
fn normalize_reads_stdin() {
    let out = run(&["normalize"], "كَتَبَ\n".as_bytes());
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "كتب\n");
}

#[test]
fn normalize_keeps_line_structure() {
    let out = run(&["normalize"], "  أحمد \n\nBBC\r\nlast".as_bytes());
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "احمد\n\nbbc\nlast\n");
}

#[test]
fn normalize_warns_on_invalid_utf8_and_fails_only_on_unreadable_files() {
    let dir = temp_dir("normalize-bad");
    let bad = dir.join("cp1256.txt");
    std::fs::write(&bad, b"\xC7\xE1\xDA\xD1\xC8\xED\xC9\nok\n").unwrap();
    let missing = dir.join("missing.txt");
    let out = run(&["normalize", bad.to_str().unwrap(), missing.to_str().unwrap()], b"");
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Windows-1256 is refused, in the main command's words.
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
    assert!(stderr.contains("cp1256.txt: not UTF-8") && stderr.contains("iconv"), "{stderr}");
    assert!(stderr.contains("missing.txt: no such file"), "{stderr}");
    assert_eq!(out.status.code(), Some(3), "skipped inputs give exit code 3");

    let stray = dir.join("stray.txt");
    std::fs::write(&stray, b"\xEF\xBB\xBFok \xFF fine\nok\n").unwrap();
    let out = run(&["normalize", stray.to_str().unwrap()], b"");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "a stray invalid byte is a warning, not a failure");
    assert!(stderr.contains("stray.txt: invalid UTF-8, 1 byte sequence(s) replaced"), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ok fine\nok\n", "no BOM");
}

/// Path of a shipped seed article.
pub fn article(name: &str) -> String {
    format!("{}/../examples/articles/{name}.txt", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn compare_reports_every_measure_as_json() {
    let out = run(
        &["compare", &article("barlamane-hajj"), &article("belwadeh-hajj"), "--format", "json"],
        b"",
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    let exact = v["exact_jaccard"].as_f64().unwrap();
    let est = v["estimated_jaccard"].as_f64().unwrap();
    assert!(exact > 0.6 && (exact - est).abs() < 0.15, "exact {exact} est {est}");
    assert!(v["exact_containment_a_in_b"].as_f64().unwrap() > 0.7);
    assert!(v["simhash_hamming"].as_u64().unwrap() < 20);
    let passages = v["shared_passages"].as_array().unwrap();
    assert!(passages[0]["words"].as_u64().unwrap() > 100, "{passages:?}");
}

#[test]
fn compare_text_report_and_unrelated_articles() {
    let out = run(&["compare", &article("belwadeh-hajj"), &article("open-days-diplomats")], b"");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find(|l| l.starts_with("jaccard (exact):")).expect("jaccard line");
    let j: f64 = line.split_whitespace().last().unwrap().parse().unwrap();
    assert!(j < 0.05, "unrelated articles: {line}");
    assert!(text.contains("containment A in B:") && text.contains("simhash hamming:"));
}

#[test]
fn compare_rejects_bad_shingle_spec_and_missing_file() {
    let out =
        run(&["compare", &article("belwadeh-hajj"), "/no/such/file", "--shingle", "words:5"], b"");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/file"));
    let out = run(&["compare", "a", "b", "--shingle", "lines:3"], b"");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown shingle unit"));
}

/// Parses the CSV output into (id, cluster) rows (ids here hold no commas).
pub fn csv_rows(stdout: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(stdout);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("id,cluster,similarity,note"));
    lines
        .map(|l| {
            let cols: Vec<&str> = l.split(',').collect();
            assert_eq!(cols.len(), 4, "{l}");
            (cols[0].to_owned(), cols[1].to_owned())
        })
        .collect()
}

#[test]
fn main_command_clusters_the_shipped_articles() {
    let dir = format!("{}/../examples/articles", env!("CARGO_MANIFEST_DIR"));
    let out = run(&[&dir, "--format", "csv"], b"");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows = csv_rows(&out.stdout);
    assert_eq!(
        rows,
        [
            ("barlamane-hajj.txt".into(), "barlamane-hajj.txt".into()),
            ("belwadeh-hajj.txt".into(), "barlamane-hajj.txt".into()),
            ("marrakech-alaan-hajj.txt".into(), "barlamane-hajj.txt".into()),
            ("open-days-diplomats.txt".into(), "open-days-diplomats.txt".into()),
        ]
    );
    // Byte-identical on a second run.
    assert_eq!(run(&[&dir, "--format", "csv"], b"").stdout, out.stdout);
}

#[test]
fn main_command_reads_nested_folders_and_files_and_writes_json() {
    let dir = temp_dir("nested");
    std::fs::create_dir_all(dir.join("a/b")).unwrap();
    std::fs::copy(article("barlamane-hajj"), dir.join("a/b/one.txt")).unwrap();
    std::fs::copy(article("belwadeh-hajj"), dir.join("two.md")).unwrap();
    std::fs::copy(article("open-days-diplomats"), dir.join("a/three.txt")).unwrap();
    std::fs::write(dir.join("notes.pdf"), b"%PDF").unwrap();
    std::fs::write(dir.join(".hidden.txt"), b"hidden").unwrap();
    let single = article("marrakech-alaan-hajj");
    let out = run(&[dir.to_str().unwrap(), &single, "--format", "json"], b"");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["counts"]["articles"], 4);
    assert_eq!(v["parameters"]["threshold"], 0.5);
    let clusters = v["clusters"].as_array().unwrap();
    let big = clusters.iter().find(|c| c["size"] == 3).expect("a cluster of three");
    let ids: Vec<&str> =
        big["members"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["a/b/one.txt", "two.md", single.as_str()]);
    assert!(big["members"][1]["similarity"].as_f64().unwrap() >= 0.5);
    assert!(String::from_utf8_lossy(&out.stderr).contains("2 ignored"));
}

#[test]
fn main_command_options_are_validated() {
    let dir = format!("{}/../examples/articles", env!("CARGO_MANIFEST_DIR"));
    let out = run(&[&dir, "--threshold", "1.5"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("threshold"));
    let out = run(&[&dir, "--mode", "average", "--link-density", "0"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("link_density"));
    // The cluster mode follows the verification unless given.
    for (args, mode) in [
        (&[][..], "average"),
        (&["--edited"][..], "average"),
        (&["--edited=light"][..], "average"),
        (&["--edited=thorough"][..], "average"),
        (&["--no-edited"][..], "star"),
        (&["--edited", "--mode", "star"][..], "star"),
        (&["--mode", "components"][..], "components"),
    ] {
        let out = run(&[&[dir.as_str(), "--format", "json"][..], args].concat(), b"");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(v["parameters"]["mode"], mode, "{args:?}");
        assert_eq!(v["parameters"]["edited"], args.first() != Some(&"--no-edited"), "{args:?}");
        let search = match args.first() {
            Some(&"--edited" | &"--edited=thorough") => serde_json::json!(true),
            Some(&"--edited=light") => serde_json::json!("light"),
            _ => serde_json::json!(false),
        };
        assert_eq!(v["parameters"]["rare_search"], search, "{args:?}");
        assert!(v["clusters"].as_array().unwrap().iter().any(|c| c["size"] == 3), "{args:?}");
    }
    let out = run(&[&dir, "--edited", "--no-edited"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--no-edited"));
    // `--edited` takes its search only after `=`: a bare one before the input is the
    // thorough search, and an unknown search is refused by name.
    let out = run(&["--edited", &dir, "--format", "json"], b"");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["parameters"]["rare_search"], true);
    let out = run(&[&dir, "--edited=heavy"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("light"));
    // A very high threshold, containment off, leaves every article alone.
    let out = run(&[&dir, "--threshold", "0.99", "--containment", "off", "--format", "csv"], b"");
    let rows = csv_rows(&out.stdout);
    assert!(rows.iter().all(|(a, b)| a == b));
}

#[test]
fn compare_shows_the_alignment_and_align_needs_edited() {
    let (a, b) = (article("barlamane-hajj"), article("belwadeh-hajj"));
    let out = run(&["compare", &a, &b, "--edited", "--align", "--format", "json"], b"");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    let coverage = v["verdict"]["aligned_coverage"].as_f64().expect("the coverage");
    assert!(coverage > 0.9, "{v}");
    assert!(v["verdict"]["word_containment"].as_f64().is_some(), "{v}");
    let reason = v["verdict"]["reason"].as_str().unwrap();
    assert!(
        reason.contains(&format!("aligned {coverage:.2} ≥ 0.6 (runs of 2+ words)")),
        "{reason}"
    );
    // Without the option the object is as before.
    let out = run(&["compare", &a, &b, "--edited", "--format", "json"], b"");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert!(v["verdict"].get("aligned_coverage").is_none(), "{v}");
    let unrelated =
        run(&["compare", &a, &article("open-days-diplomats"), "--edited", "--align"], b"");
    let text = String::from_utf8_lossy(&unrelated.stdout);
    assert!(text.contains("not a copy") && text.contains("< 0.6 (runs of 2+ words)"), "{text}");
    for args in [&["--no-edited", "--align"][..], &["--edited", "--min-aligned", "0.5"][..]] {
        let out = run(&[&["compare", &a, &b][..], args].concat(), b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    let out = run(&["compare", &a, &b, "--edited", "--align", "--align-run", "1"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("min_run"));
}
