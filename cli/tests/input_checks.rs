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
