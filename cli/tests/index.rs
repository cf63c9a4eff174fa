//! `dedup index …`: the persistent index, run as a user runs it: added in pieces or at
//! once, killed in the middle of an `add`, damaged, foreign or of another version,
//! refused options, `remove`/`expire`, readers beside a writer, hostile ids, file
//! modes and paths that are not files, and `query`.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::cli::{article, dedup_bin, temp_dir};

/// The shipped articles folder (ids: the file names).
fn articles() -> String {
    format!("{}/../examples/articles", env!("CARGO_MANIFEST_DIR"))
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Runs `dedup` with `args` (no standard input); a panic is always a failure.
fn dedup(args: &[&str]) -> Output {
    let o = Command::new(dedup_bin()).args(args).stdin(Stdio::null()).output().expect("run dedup");
    assert!(!err(&o).contains("panicked"), "dedup {args:?} panicked:\n{}", err(&o));
    o
}

/// Runs `dedup` with `args`, which must succeed.
fn ok(args: &[&str]) -> Output {
    let o = dedup(args);
    assert!(o.status.success(), "dedup {args:?}: {:?}\n{}", o.status, err(&o));
    o
}

/// `dedup index clusters INDEX --format csv`.
fn csv(index: &Path) -> Vec<u8> {
    ok(&["index", "clusters", s(index), "--format", "csv"]).stdout
}

/// The (id, cluster) rows of `clusters --format csv` (ids here hold no comma, quote or
/// line break).
fn rows(csv: &[u8]) -> Vec<(String, String)> {
    crate::cli::csv_rows(csv)
}

/// `dedup index stats INDEX --format json`.
fn stats(index: &Path) -> serde_json::Value {
    let o = ok(&["index", "stats", s(index), "--format", "json"]);
    serde_json::from_slice(&o.stdout).expect("stats JSON")
}

/// The folder of the real corpora, as the other corpus tests find it.
fn corpus() -> PathBuf {
    std::env::var_os("NUSKHA_CORPUS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/arabic_news"),
        PathBuf::from,
    )
}

fn snn_path() -> Option<PathBuf> {
    let p = corpus().join("saudinewsnet_2015-08-03_to_11.jsonl.gz");
    if p.is_file() {
        Some(p)
    } else {
        eprintln!("skipped: {} not found", p.display());
        None
    }
}

/// The first `n` JSON lines of SaudiNewsNet, or `None` (with a note) when it is absent.
fn snn_lines(n: usize) -> Option<Vec<String>> {
    let file = std::fs::File::open(snn_path()?).expect("open SaudiNewsNet");
    let lines = BufReader::new(flate2::read::GzDecoder::new(file))
        .lines()
        .map(|l| l.expect("read SaudiNewsNet"))
        .filter(|l| !l.trim().is_empty())
        .take(n)
        .collect();
    Some(lines)
}

fn write_lines(path: &Path, lines: &[String]) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    for l in lines {
        writeln!(f, "{l}").expect("write");
    }
    f.flush().expect("flush");
}

/// One JSON line of an article.
fn record(id: &str, text: &str, extra: &[(&str, &str)]) -> String {
    let mut v = serde_json::json!({"id": id, "text": text});
    for (k, x) in extra {
        v[*k] = serde_json::Value::from(*x);
    }
    v.to_string()
}

fn text_of(name: &str) -> String {
    std::fs::read_to_string(article(name)).expect("seed article")
}

/// Runs a python3 script with `args`; `None` when there is no python3.
fn python(script: &str, args: &[&str]) -> Option<Output> {
    match Command::new("python3").arg("-c").arg(script).args(args).output() {
        Ok(o) => Some(o),
        Err(e) => {
            eprintln!("skipped the python3 part: {e}");
            None
        }
    }
}

/// `SELECT id, cluster, date, source, title FROM articles` by python3's sqlite3, read
/// only, as JSON rows in arrival order.
const PY_ROWS: &str = "import json, sqlite3, sys
c = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True)
rows = c.execute('SELECT id, cluster, date, source, title FROM articles ORDER BY seq').fetchall()
print(json.dumps(rows, ensure_ascii=False))";

fn py_rows(index: &Path) -> Option<Vec<serde_json::Value>> {
    let o = python(PY_ROWS, &[s(index)])?;
    assert!(o.status.success(), "python3 sqlite3: {}", err(&o));
    Some(serde_json::from_slice(&o.stdout).expect("rows as JSON"))
}

/// Every path of an index file: the database and its write-ahead log.
fn remove_index(index: &Path) {
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", index.display()));
    }
}

// ---------------------------------------------------------------------------------
// 1. Adding in pieces is adding at once.

#[test]
fn saudinewsnet_added_in_four_processes_equals_one_add() {
    // The whole file: one full `add` took 21 s in the debug build (13,259 articles),
    // under the 60 s at which this test would take the first 8,000 records only.
    let Some(lines) = snn_lines(usize::MAX) else { return };
    let snn = snn_path().unwrap();
    let dir = temp_dir("index-chunks");
    let whole = dir.join("whole.db");
    let started = Instant::now();
    let once = ok(&["index", "add", s(&whole), s(&snn), "-q"]);
    eprintln!("one add of {} articles: {:.1?}", lines.len(), started.elapsed());
    assert_eq!(out(&once).lines().count(), lines.len(), "one line per new article");

    let pieces = dir.join("pieces.db");
    let per = lines.len().div_ceil(4);
    let mut printed = String::new();
    for (i, chunk) in lines.chunks(per).enumerate() {
        let file = dir.join(format!("chunk-{i}.jsonl"));
        write_lines(&file, chunk);
        let o = ok(&["index", "add", s(&pieces), s(&file), "-q"]);
        assert_eq!(out(&o).lines().count(), chunk.len(), "chunk {i}: every article new");
        printed.push_str(&out(&o));
    }
    // What each article matched on arrival is the same, and so are the clusters.
    assert!(printed == out(&once), "the lines printed by the four adds differ from one add's");
    let (a, b) = (csv(&whole), csv(&pieces));
    assert_eq!(rows(&a).len(), lines.len());
    assert!(a == b, "clusters of four adds differ from one add's");
    // Each `clusters` reopens the file: the same bytes again.
    assert!(csv(&pieces) == a, "clusters differ after a reopen");
    ok(&["index", "check", s(&pieces)]);
    let _ = std::fs::remove_dir_all(dir);
}

// ---------------------------------------------------------------------------------
// 2. kill -9 in the middle of an `add`.

#[test]
fn an_add_killed_at_any_point_is_completed_by_running_it_again() {
    const N: usize = 2000;
    const BATCH: usize = 200;
    let Some(lines) = snn_lines(N) else { return };
    let dir = temp_dir("index-kill");
    let input = dir.join("snn.jsonl");
    write_lines(&input, &lines);
    let reference = dir.join("reference.db");
    ok(&["index", "add", s(&reference), s(&input), "--batch-size", "200", "-q"]);
    let expected = csv(&reference);
    assert_eq!(rows(&expected).len(), N);

    // Kill points: after 1, 700 and 1,500 articles were reported, then (0) as soon as
    // the index file appears, while it is being made.
    for k in [1usize, 700, 1500, 0] {
        let index = dir.join(format!("killed-{k}.db"));
        remove_index(&index);
        let log = dir.join(format!("killed-{k}.stderr"));
        let mut child = Command::new(dedup_bin())
            .args(["index", "add", s(&index), s(&input), "--batch-size", "200"])
            .args(["--format", "jsonl", "-q"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("spawn dedup");
        let mut reported = Vec::new();
        if k == 0 {
            let start = Instant::now();
            while !index.exists() && start.elapsed() < Duration::from_secs(30) {
                std::hint::spin_loop();
            }
        } else {
            let mut stdout = BufReader::new(child.stdout.take().unwrap());
            while reported.len() < k {
                let mut line = String::new();
                if stdout.read_line(&mut line).unwrap() == 0 {
                    break;
                }
                let v: serde_json::Value = serde_json::from_str(&line).expect("a JSON line");
                reported.push(v["id"].as_str().unwrap().to_string());
            }
        }
        child.kill().unwrap();
        let status = child.wait().unwrap();
        let stderr = std::fs::read_to_string(&log).unwrap();
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(status.signal(), Some(9), "kill point {k}: not killed ({status:?}) {stderr}");

        // What is left is a sound index holding every article reported. (Killed while
        // the index was being made, before anything was reported, the file may be no
        // index yet: then only running the `add` again must work.)
        let checked = dedup(&["index", "check", s(&index)]);
        let held: BTreeSet<String> = if k == 0 && !checked.status.success() {
            eprintln!("kill point 0: check after the kill: {}", err(&checked).trim());
            BTreeSet::new()
        } else {
            assert!(
                checked.status.success(),
                "kill point {k}: check after the kill: {:?}\n{}",
                checked.status,
                err(&checked)
            );
            rows(&csv(&index)).into_iter().map(|(id, _)| id).collect()
        };
        for id in &reported {
            assert!(held.contains(id), "kill point {k}: {id} was reported but is not held");
        }
        assert!(held.len() >= reported.len());
        assert!(held.len() % BATCH == 0, "kill point {k}: {} held, not whole batches", held.len());

        // The same `add` again completes it: only the rest is new.
        let again = dedup(&["index", "add", s(&index), s(&input), "--batch-size", "200"]);
        assert!(
            again.status.success(),
            "kill point {k}: the add run again: {:?}\n{}",
            again.status,
            err(&again)
        );
        assert_eq!(out(&again).lines().count(), N - held.len(), "kill point {k}");
        assert!(err(&again).contains(&format!("{} already in the index", held.len())));
        assert!(
            csv(&index) == expected,
            "kill point {k}: clusters differ from an uninterrupted add"
        );
        ok(&["index", "check", s(&index)]);
        eprintln!(
            "kill point {k}: {} reported, {} held after the kill",
            reported.len(),
            held.len()
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

// ---------------------------------------------------------------------------------
// 3. Damaged, truncated, foreign and future files.

/// 60 articles: the four seed articles 15 times each, with long distinct titles.
fn sixty_records() -> Vec<String> {
    let texts: Vec<String> =
        ["barlamane-hajj", "belwadeh-hajj", "open-days-diplomats", "marrakech-alaan-hajj"]
            .iter()
            .map(|n| text_of(n))
            .collect();
    (0..60)
        .map(|i| {
            let title = title_of(i);
            let date = format!("2024-03-{:02}T08:00:00Z", 1 + i % 28);
            record(
                &format!("r{i:02}"),
                &texts[i % 4],
                &[("title", &title), ("date", &date), ("source", "src")],
            )
        })
        .collect()
}

fn title_of(i: usize) -> String {
    format!("عنوان الخبر رقم {i} عن موسم الحج وعن الأيام المفتوحة للدبلوماسيين في المغرب")
}

/// Makes the index of [`sixty_records`] at `dir/good.db`: its path and its clusters.
fn good_index(dir: &Path) -> (PathBuf, Vec<u8>) {
    let input = dir.join("sixty.jsonl");
    write_lines(&input, &sixty_records());
    let index = dir.join("good.db");
    ok(&["index", "add", s(&index), s(&input), "-q"]);
    assert!(!Path::new(&format!("{}-wal", index.display())).exists(), "the log is merged on close");
    let clusters = csv(&index);
    (index, clusters)
}

/// A deterministic stream of bytes (xorshift).
fn noise(seed: u64, n: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn overwritten_bytes_are_refused_or_harmless_never_a_wrong_answer() {
    let dir = temp_dir("index-damaged");
    let (good, expected) = good_index(&dir);
    let bytes = std::fs::read(&good).unwrap();
    let size = bytes.len();
    // Offsets through the middle of the file, and one inside a stored title.
    let title = title_of(31);
    let at_title = bytes
        .windows(title.len())
        .position(|w| w == title.as_bytes())
        .expect("the title is in the file");
    let mut cases: Vec<(String, usize, Vec<u8>)> = Vec::new();
    for (n, d) in [(1, 4), (3, 8), (1, 2), (5, 8), (3, 4), (7, 8)] {
        let off = size * n / d;
        cases.push((format!("{n}/{d} of the file, 0xFF"), off, vec![0xFF; 64]));
        cases.push((format!("{n}/{d} of the file, noise"), off + 1000, noise(off as u64, 64)));
    }
    cases.push(("inside the title of r31, 0xFF".into(), at_title + 20, vec![0xFF; 8]));

    let mut problems = Vec::new();
    let mut refused = 0;
    for (i, (what, off, fill)) in cases.iter().enumerate() {
        let damaged = dir.join(format!("damaged-{i}.db"));
        let mut copy = bytes.clone();
        copy[*off..*off + fill.len()].copy_from_slice(fill);
        std::fs::write(&damaged, &copy).unwrap();
        let path = s(&damaged);
        let clusters = dedup(&["index", "clusters", path, "--format", "csv"]);
        let check = dedup(&["index", "check", path]);
        eprintln!(
            "offset {off} ({what}): clusters {:?} {}| check {:?} {}",
            clusters.status.code(),
            err(&clusters).trim(),
            check.status.code(),
            err(&check).trim()
        );
        if clusters.status.success() {
            if clusters.stdout != expected {
                problems
                    .push(format!("offset {off} ({what}): clusters exit 0 with other clusters"));
            }
        } else {
            refused += 1;
            let e = err(&clusters);
            if !e.contains(path) || !e.replace(path, "").contains("damaged") {
                problems.push(format!("offset {off} ({what}): clusters refuses it unclearly: {e}"));
            }
            if check.status.success() {
                problems.push(format!(
                    "offset {off} ({what}): clusters refuses the file, check passes it: {}",
                    out(&check).trim()
                ));
            }
        }
        if !check.status.success() {
            refused += 1;
            if !err(&check).contains(path) {
                problems.push(format!("offset {off} ({what}): check does not name the file"));
            }
        }
    }
    assert!(refused > 0, "no damage found at all: the overwrites missed the file?");
    assert!(problems.is_empty(), "damaged index files:\n{}", problems.join("\n"));
    let _ = std::fs::remove_dir_all(dir);
}

/// Every subcommand on `index`: each must exit 1 naming the file and `problem`.
fn every_command_refuses(index: &Path, problem: &str) {
    let path = s(index);
    let arts = articles();
    let commands: [&[&str]; 8] = [
        &["index", "add", path, &arts],
        &["index", "query", path, &arts],
        &["index", "remove", path, "r01"],
        &["index", "expire", path, "--before", "2000-01-01"],
        &["index", "clusters", path, "--format", "csv"],
        &["index", "stats", path, "--format", "json"],
        &["index", "stats", path],
        &["index", "check", path],
    ];
    for args in commands {
        let o = dedup(args);
        let e = err(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {e}");
        // The problem is told apart from the path (which may hold the same words).
        let told = e.replace(path, "");
        assert!(e.contains(path) && told.contains(problem), "{args:?}: wanted `{problem}`: {e}");
        assert!(o.stdout.is_empty(), "{args:?} printed {}", out(&o));
    }
}

#[test]
fn truncated_text_and_future_files_are_refused_by_every_command() {
    let dir = temp_dir("index-refused");
    let (good, _) = good_index(&dir);
    let bytes = std::fs::read(&good).unwrap();

    let half = dir.join("half.db");
    std::fs::write(&half, &bytes[..bytes.len() / 2]).unwrap();
    every_command_refuses(&half, "damaged");

    let text = dir.join("notes.txt");
    std::fs::write(&text, "SQLite format 2? no, just notes\n").unwrap();
    every_command_refuses(&text, "not a nuskha index");
    assert_eq!(std::fs::read_to_string(&text).unwrap(), "SQLite format 2? no, just notes\n");

    let future = dir.join("future.db");
    std::fs::copy(&good, &future).unwrap();
    let py = "import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute(\"UPDATE meta SET value='99' WHERE key='format_version'\")
c.commit()
c.close()";
    if let Some(o) = python(py, &[s(&future)]) {
        assert!(o.status.success(), "{}", err(&o));
        let before = std::fs::read(&future).unwrap();
        every_command_refuses(&future, "format version 99");
        assert!(std::fs::read(&future).unwrap() == before, "the version-99 file was changed");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_foreign_sqlite_database_is_refused_and_left_as_it_was() {
    let dir = temp_dir("index-foreign");
    let db = dir.join("other.db");
    let py = "import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute('create table t(a)')
c.execute(\"insert into t values ('theirs')\")
c.commit()
c.close()";
    let Some(o) = python(py, &[s(&db)]) else { return };
    assert!(o.status.success(), "{}", err(&o));
    let before = std::fs::read(&db).unwrap();
    every_command_refuses(&db, "not a nuskha index");
    // Refused, and not touched: same bytes (its journal mode too), no tables added.
    let after = std::fs::read(&db).unwrap();
    assert!(
        after == before,
        "dedup changed the foreign database it refused (header bytes 18-19, the journal mode: {:?} -> {:?})",
        &before[18..20],
        &after[18..20]
    );
    let _ = std::fs::remove_dir_all(dir);
}

// ---------------------------------------------------------------------------------
// 4. The index keeps its options.

#[test]
fn options_other_than_the_stored_ones_are_refused_equal_or_absent_ones_accepted() {
    let dir = temp_dir("index-options");
    let seeds = dir.join("seeds");
    std::fs::create_dir_all(&seeds).unwrap();
    for name in ["barlamane-hajj", "open-days-diplomats", "belwadeh-hajj", "marrakech-alaan-hajj"] {
        let one = dir.join(name);
        std::fs::create_dir_all(&one).unwrap();
        std::fs::copy(article(name), one.join(format!("{name}.txt"))).unwrap();
    }
    let folder = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let index = dir.join("feed.db");
    let idx = s(&index);
    ok(&["index", "add", idx, &folder("barlamane-hajj"), "--threshold", "0.6", "-q"]);
    ok(&["index", "add", idx, &folder("open-days-diplomats"), "-q"]);
    assert_eq!(stats(&index)["options"]["threshold"], 0.6);

    let bel = folder("belwadeh-hajj");
    for (given, named) in [
        (&["--threshold", "0.5"][..], "threshold is 0.6 in the index, 0.5 given"),
        (&["--threshold", "0.7"][..], "threshold is 0.6 in the index, 0.7 given"),
        (&["--edited"][..], "rare_search is false in the index, true given"),
        (&["--edited=light"][..], "rare_search is false in the index, \"light\" given"),
        (&["--no-edited"][..], "edited is true in the index, false given"),
        (&["--edited", "--align", "--mode", "star"][..], "align"),
        (&["--mode", "components"][..], "mode"),
        (&["--shingle", "chars:5"][..], "shingle"),
        (&["--num-perm", "64"][..], "num"),
        (&["--containment", "off"][..], "containment"),
        (&["--representative", "longest"][..], "representative"),
        (&["--threshold", "0.6", "--seed", "7"][..], "seed"),
    ] {
        let o = dedup(&[&["index", "add", idx, bel.as_str()][..], given].concat());
        assert_eq!(o.status.code(), Some(2), "{given:?}: {}", err(&o));
        let e = err(&o);
        assert!(e.contains(idx) && e.replace(idx, "").contains(named), "{given:?}: {e}");
        assert!(o.stdout.is_empty(), "{given:?}");
        assert_eq!(stats(&index)["articles"], 2, "{given:?}: refused, yet added");
    }
    // The stored value given again (in another spelling too) is accepted.
    let o = ok(&["index", "add", idx, &bel, "--threshold", "0.60", "--containment", "0.8"]);
    assert!(out(&o).starts_with("belwadeh-hajj.txt\tcluster barlamane-hajj.txt"), "{}", out(&o));
    // Left out: the index's own 0.6 stays.
    ok(&["index", "add", idx, &folder("marrakech-alaan-hajj"), "-q"]);
    let st = stats(&index);
    assert_eq!(st["articles"], 4);
    assert_eq!(st["options"]["threshold"], 0.6);

    // The stored options are the ones matched by: a strict index keeps being strict.
    let strict = dir.join("strict.db");
    let st_idx = s(&strict);
    ok(&[
        "index",
        "add",
        st_idx,
        &folder("barlamane-hajj"),
        "--threshold",
        "0.95",
        "--containment",
        "off",
    ]);
    let o = ok(&["index", "add", st_idx, &bel]);
    assert_eq!(
        out(&o),
        "belwadeh-hajj.txt\tnew\n",
        "matched at the default 0.5, not the index's 0.95"
    );

    // --edited makes `average` the stored mode; --edited again or nothing is accepted,
    // --mode star is refused.
    let edited = dir.join("edited.db");
    let ed = s(&edited);
    ok(&["index", "add", ed, &folder("barlamane-hajj"), "--edited", "-q"]);
    assert_eq!(stats(&edited)["options"]["mode"], "average");
    ok(&["index", "add", ed, &bel, "--edited", "-q"]);
    ok(&["index", "add", ed, &folder("open-days-diplomats"), "-q"]);
    let o = dedup(&["index", "add", ed, &folder("marrakech-alaan-hajj"), "--mode", "star"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains(r#"mode is "average" in the index, "star" given"#), "{}", err(&o));
    assert_eq!(stats(&edited)["articles"], 3);
    // The light search is kept as such: nothing given reopens it, `--edited` (the
    // thorough search) is refused by name.
    let light = dir.join("light.db");
    let li = s(&light);
    ok(&["index", "add", li, &folder("barlamane-hajj"), "--edited=light", "-q"]);
    assert_eq!(stats(&light)["options"]["rare_search"], "light");
    ok(&["index", "add", li, &bel, "-q"]);
    let o = dedup(&["index", "add", li, &folder("open-days-diplomats"), "--edited"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains(r#"rare_search is "light" in the index, true given"#), "{}", err(&o));
    assert_eq!(stats(&light)["articles"], 2);
    let _ = std::fs::remove_dir_all(dir);
}

// ---------------------------------------------------------------------------------
// 5. remove and expire.

#[test]
fn removing_the_representative_gives_its_cluster_a_new_one() {
    let dir = temp_dir("index-remove");
    let index = dir.join("seeds.db");
    let idx = s(&index);
    ok(&["index", "add", idx, &articles(), "-q"]);
    assert_eq!(
        rows(&csv(&index)),
        [
            ("barlamane-hajj.txt".into(), "barlamane-hajj.txt".into()),
            ("belwadeh-hajj.txt".into(), "barlamane-hajj.txt".into()),
            ("marrakech-alaan-hajj.txt".into(), "barlamane-hajj.txt".into()),
            ("open-days-diplomats.txt".into(), "open-days-diplomats.txt".into()),
        ]
    );
    assert_eq!(stats(&index)["articles"], 4);
    let o = ok(&["index", "remove", idx, "barlamane-hajj.txt"]);
    assert!(err(&o).contains("removed 1 articles"), "{}", err(&o));
    let after = rows(&csv(&index));
    assert_eq!(
        after,
        [
            ("belwadeh-hajj.txt".into(), "belwadeh-hajj.txt".into()),
            ("marrakech-alaan-hajj.txt".into(), "belwadeh-hajj.txt".into()),
            ("open-days-diplomats.txt".into(), "open-days-diplomats.txt".into()),
        ]
    );
    let st = stats(&index);
    assert_eq!((st["articles"].as_u64(), st["clusters_with_copies"].as_u64()), (Some(3), Some(1)));
    ok(&["index", "check", idx]);
    if let Some(rows) = py_rows(&index) {
        let clusters: Vec<(&str, &str)> =
            rows.iter().map(|r| (r[0].as_str().unwrap(), r[1].as_str().unwrap())).collect();
        assert_eq!(
            clusters,
            [
                ("belwadeh-hajj.txt", "belwadeh-hajj.txt"),
                ("marrakech-alaan-hajj.txt", "belwadeh-hajj.txt"),
                ("open-days-diplomats.txt", "open-days-diplomats.txt"),
            ],
            "the stored cluster column"
        );
    }
    // An id not held: a warning and exit 3; nothing else goes.
    let o = dedup(&["index", "remove", idx, "nope.txt", "open-days-diplomats.txt"]);
    assert_eq!(o.status.code(), Some(3), "{}", err(&o));
    assert!(err(&o).contains("not in the index: nope.txt"), "{}", err(&o));
    assert_eq!(stats(&index)["articles"], 2);
    // Added again, the removed article is new and joins the remaining cluster.
    let o = ok(&["index", "add", idx, &article("barlamane-hajj"), "-q"]);
    assert!(out(&o).contains("\tcluster belwadeh-hajj.txt"), "{}", out(&o));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn expire_removes_the_old_keeps_the_undated_and_keep_days_counts_from_now() {
    let dir = temp_dir("index-expire");
    let (hajj, hajj2, hajj3, dipl) = (
        text_of("barlamane-hajj"),
        text_of("belwadeh-hajj"),
        text_of("marrakech-alaan-hajj"),
        text_of("open-days-diplomats"),
    );
    // Dates in each format read: ISO 8601, RFC 2822, Unix seconds.
    let input = dir.join("dated.jsonl");
    write_lines(
        &input,
        &[
            record("d1", &hajj, &[("date", "2024-03-01T08:00:00Z")]),
            record("d2", &hajj2, &[("date", "Sat, 02 Mar 2024 08:00:00 +0000")]),
            record("d3", &dipl, &[("date", "1709452800")]), // 2024-03-03T08:00:00Z
            record("d4", &hajj3, &[("date", "2024-03-04 08:00:00")]),
            record("d5", &dipl, &[("date", "2024-03-05")]),
            record("u1", &hajj, &[]),
            record("bad", &dipl, &[("date", "yesterday")]),
        ],
    );
    let index = dir.join("dated.db");
    let idx = s(&index);
    let o = ok(&["index", "add", idx, s(&input), "-q"]);
    assert!(err(&o).contains("1 dates are not ISO 8601"), "{}", err(&o));
    let before = rows(&csv(&index));
    assert_eq!(before.len(), 7);
    assert!(before.iter().filter(|(_, c)| c == "d1").count() == 4, "{before:?}");
    let st = stats(&index);
    assert_eq!(st["first_date"], "2024-03-01T08:00:00Z");
    assert_eq!(st["undated"], 2);

    let o = dedup(&["index", "expire", idx, "--before", "someday"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert_eq!(stats(&index)["articles"], 7);

    let o = ok(&["index", "expire", idx, "--before", "2024-03-03T12:00:00Z"]);
    assert!(
        err(&o).contains("removed 3 articles dated before 2024-03-03T12:00:00Z"),
        "{}",
        err(&o)
    );
    assert!(err(&o).contains("kept 2 without a date"), "{}", err(&o));
    let after = rows(&csv(&index));
    let s_ = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(after, [s_("d4", "d4"), s_("d5", "d5"), s_("u1", "d4"), s_("bad", "d5")]);
    let st = stats(&index);
    assert_eq!(st["articles"], 4);
    assert_eq!(st["undated"], 2);
    assert_eq!(st["first_date"], "2024-03-04T08:00:00Z");
    assert_eq!(st["last_date"], "2024-03-05T00:00:00Z");
    ok(&["index", "check", idx]);
    // Expiring again at the same instant removes nothing.
    let o = ok(&["index", "expire", idx, "--before", "2024-03-03T12:00:00Z"]);
    assert!(err(&o).contains("removed 0 articles"), "{}", err(&o));

    // --keep-days counts back from now.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let ago = |days: u64| (now - days * 86_400).to_string();
    let recent = dir.join("recent.jsonl");
    write_lines(
        &recent,
        &[
            record("40-days", &hajj, &[("date", &ago(40))]),
            record("10-days", &hajj2, &[("date", &ago(10))]),
            record("3-days", &hajj3, &[("date", &ago(3))]),
            record("1-day", &dipl, &[("date", &ago(1))]),
            record("undated", &hajj, &[]),
        ],
    );
    let live = dir.join("live.db");
    let lv = s(&live);
    ok(&["index", "add", lv, s(&recent), "-q"]);
    ok(&["index", "expire", lv, "--keep-days", "7"]);
    let ids: Vec<String> = rows(&csv(&live)).into_iter().map(|(id, _)| id).collect();
    assert_eq!(ids, ["3-days", "1-day", "undated"]);
    ok(&["index", "expire", lv, "--keep-days", "2"]);
    let left = rows(&csv(&live));
    assert_eq!(left, [s_("1-day", "1-day"), s_("undated", "undated")]);
    assert_eq!(stats(&live)["articles"], 2);
    let _ = std::fs::remove_dir_all(dir);
}

// ---------------------------------------------------------------------------------
// 6. Readers beside a writer.

#[test]
fn readers_work_while_an_add_runs() {
    // 9,000 articles: their add lasts some 2 s, four reader rounds or more; 3,000 took
    // 0.7 s, and on a loaded machine the rounds (three processes each) fitted it once.
    const N: usize = 9000;
    let Some(lines) = snn_lines(N + 2) else { return };
    let dir = temp_dir("index-readers");
    let input = dir.join("snn.jsonl");
    write_lines(&input, &lines[..N]);
    let probe = dir.join("probe.jsonl");
    write_lines(&probe, &lines[N..]);
    let index = dir.join("live.db");
    let log = dir.join("add.stderr");
    let mut child = Command::new(dedup_bin())
        .args(["index", "add", s(&index), s(&input), "--batch-size", "10", "-q"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("spawn dedup");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(
        !first.is_empty(),
        "the add printed nothing: {}",
        std::fs::read_to_string(&log).unwrap()
    );
    let drain = std::thread::spawn(move || {
        let mut rest = String::new();
        stdout.read_to_string(&mut rest).unwrap();
        rest.lines().count() + 1
    });

    let (mut rounds, mut during, mut last) = (0, 0, 0);
    loop {
        let running = child.try_wait().unwrap().is_none();
        let o = ok(&["index", "clusters", s(&index), "--format", "csv"]);
        let n = rows(&o.stdout).len();
        assert!(n >= last && n % 10 == 0, "{n} articles after {last}: not whole batches");
        last = n;
        let q = ok(&["index", "query", s(&index), s(&probe), "--format", "jsonl"]);
        assert_eq!(out(&q).lines().count(), 2, "{}", out(&q));
        if let Some(py) = python(PY_ROWS, &[s(&index)]) {
            assert!(py.status.success(), "python3 beside the writer: {}", err(&py));
            let r: Vec<serde_json::Value> = serde_json::from_slice(&py.stdout).unwrap();
            assert!(r.len() >= n, "python3 read {} rows, clusters {n}", r.len());
        }
        rounds += 1;
        // A round that began and ended while the add ran.
        if running && child.try_wait().unwrap().is_none() {
            during += 1;
        }
        if !running {
            break;
        }
    }
    let status = child.wait().unwrap();
    let printed = drain.join().unwrap();
    let stderr = std::fs::read_to_string(&log).unwrap();
    assert!(status.success(), "the add beside the readers: {status:?} {stderr}");
    assert_eq!(printed, N);
    assert_eq!(last, N, "the last round, after the add, sees every article");
    assert!(during >= 2, "only {during} of {rounds} reader rounds ran while the add did");
    eprintln!("{rounds} reader rounds, {during} while the add ran");
    ok(&["index", "check", s(&index)]);
    let _ = std::fs::remove_dir_all(dir);
}

// ---------------------------------------------------------------------------------
// 7. Hostile ids.

#[test]
fn ids_with_sql_quotes_newlines_arabic_and_emoji_are_kept_as_they_are() {
    let dir = temp_dir("index-ids");
    let (hajj, dipl) = (text_of("barlamane-hajj"), text_of("open-days-diplomats"));
    let ids = [
        "x'); DROP TABLE articles; --",
        "say \"hi\" it's",
        "two\nlines",
        "خبر-١٢٣ «عاجل»",
        "📰🔥 news",
        "a,b;c\t%_\\",
    ];
    let lines: Vec<String> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let title = format!("T'{id}\"");
            record(
                id,
                if i % 2 == 0 { &hajj } else { &dipl },
                &[("title", &title), ("source", "src')--")],
            )
        })
        .collect();
    let input = dir.join("hostile.jsonl");
    write_lines(&input, &lines);
    let index = dir.join("hostile.db");
    let idx = s(&index);
    ok(&["index", "add", idx, s(&input), "-q"]);
    ok(&["index", "check", idx]);

    let o = ok(&["index", "clusters", idx, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["counts"]["articles"], 6);
    let mut found: Vec<(String, String)> = Vec::new();
    for c in v["clusters"].as_array().unwrap() {
        for m in c["members"].as_array().unwrap() {
            found.push((
                m["id"].as_str().unwrap().into(),
                c["representative"].as_str().unwrap().into(),
            ));
        }
    }
    found.sort();
    let mut wanted: Vec<(String, String)> =
        ids.iter().enumerate().map(|(i, id)| ((*id).to_string(), ids[i % 2].to_string())).collect();
    wanted.sort();
    assert_eq!(found, wanted);

    if let Some(rows) = py_rows(&index) {
        assert_eq!(rows.len(), 6);
        for (i, (r, id)) in rows.iter().zip(ids).enumerate() {
            assert_eq!(r[0], id);
            assert_eq!(r[1], ids[i % 2]);
            assert_eq!(r[2], serde_json::Value::Null);
            assert_eq!(r[3], "src')--");
            assert_eq!(r[4], format!("T'{id}\""));
        }
    }
    // The one with SQL in it can be removed by its id, and the table is still there.
    let o = ok(&["index", "remove", idx, ids[0]]);
    assert!(err(&o).contains("removed 1 articles"), "{}", err(&o));
    assert_eq!(stats(&index)["articles"], 5);
    ok(&["index", "check", idx]);
    let _ = std::fs::remove_dir_all(dir);
}

// ---------------------------------------------------------------------------------
// 8. File modes, links and folders.

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn the_index_file_follows_the_umask() {
    let dir = temp_dir("index-umask");
    for (umask, wanted) in [("077", 0o600), ("022", 0o644)] {
        let index = dir.join(format!("umask-{umask}.db"));
        let o = Command::new("sh")
            .arg("-c")
            .arg(format!("umask {umask}; exec \"$0\" \"$@\""))
            .arg(dedup_bin())
            .args(["index", "add", s(&index), &articles(), "-q"])
            .output()
            .expect("sh");
        assert!(o.status.success(), "{}", err(&o));
        assert_eq!(mode(&index), wanted, "umask {umask}: mode {:o}", mode(&index));
        for ext in ["-wal", "-shm"] {
            let p = PathBuf::from(format!("{}{ext}", index.display()));
            if p.exists() {
                assert_eq!(mode(&p), wanted, "umask {umask}: {}", p.display());
            }
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_link_or_a_folder_is_not_taken_for_an_index() {
    let dir = temp_dir("index-paths");
    let real = dir.join("real.db");
    ok(&["index", "add", s(&real), &articles(), "-q"]);
    let before = std::fs::read(&real).unwrap();
    let link = dir.join("link.db");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    every_command_refuses(&link, "symbolic link");
    assert!(std::fs::read(&real).unwrap() == before, "the link's target was changed");
    // A link to nowhere: refused, and nothing is made where it points.
    let dangling = dir.join("dangling.db");
    let nowhere = dir.join("nowhere.db");
    std::os::unix::fs::symlink(&nowhere, &dangling).unwrap();
    let o = dedup(&["index", "add", s(&dangling), &articles()]);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(err(&o).contains(s(&dangling)) && err(&o).contains("symbolic link"), "{}", err(&o));
    assert!(!nowhere.exists(), "the add made the link's target");

    let folder = dir.join("dir.db");
    std::fs::create_dir_all(&folder).unwrap();
    every_command_refuses(&folder, "folder");
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 0, "something was made in the folder");
    let _ = std::fs::remove_dir_all(dir);
}

// ---------------------------------------------------------------------------------
// 9. query.

#[test]
fn query_prints_matches_and_adds_nothing() {
    let dir = temp_dir("index-query");
    let base = dir.join("base");
    let asked = dir.join("asked");
    std::fs::create_dir_all(&base).unwrap();
    std::fs::create_dir_all(&asked).unwrap();
    for name in ["barlamane-hajj", "open-days-diplomats"] {
        std::fs::copy(article(name), base.join(format!("{name}.txt"))).unwrap();
    }
    for name in ["belwadeh-hajj", "marrakech-alaan-hajj"] {
        std::fs::copy(article(name), asked.join(format!("{name}.txt"))).unwrap();
    }
    std::fs::write(
        asked.join("unrelated.txt"),
        "أعلنت وزارة الزراعة اليوم عن خطة جديدة لدعم صغار المزارعين في المناطق الجبلية \
         خلال الموسم المقبل بتوفير البذور والأسمدة بأسعار مخفضة وتدريب الفلاحين على الري الحديث",
    )
    .unwrap();
    let index = dir.join("base.db");
    let idx = s(&index);
    ok(&["index", "add", idx, s(&base), "-q"]);
    let before = stats(&index);
    let bytes = std::fs::read(&index).unwrap();

    let o = ok(&["index", "query", idx, s(&asked), "--format", "jsonl"]);
    let lines: Vec<serde_json::Value> =
        out(&o).lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
    let ids: Vec<&str> = lines.iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["belwadeh-hajj.txt", "marrakech-alaan-hajj.txt", "unrelated.txt"]);
    for v in &lines[..2] {
        let m = v["matches"].as_array().unwrap();
        assert_eq!(m.len(), 1, "{v}");
        assert_eq!(m[0]["id"], "barlamane-hajj.txt");
        assert_eq!(m[0]["cluster"], "barlamane-hajj.txt");
        assert!(m[0]["kind"] == "jaccard" || m[0]["kind"] == "containment", "{v}");
        let score = m[0]["score"].as_f64().unwrap();
        assert!((0.5..=1.0).contains(&score), "{v}");
        assert_eq!(v.as_object().unwrap().len(), 2, "fields id and matches: {v}");
        assert_eq!(m[0].as_object().unwrap().len(), 4, "fields id, score, kind, cluster: {v}");
    }
    assert_eq!(lines[2]["matches"], serde_json::json!([]));

    let o = ok(&["index", "query", idx, s(&asked)]);
    let text = out(&o);
    assert!(text.contains("belwadeh-hajj.txt\tmatches barlamane-hajj.txt (jaccard "), "{text}");
    assert!(text.contains("cluster barlamane-hajj.txt)"), "{text}");
    assert!(text.contains("unrelated.txt\tno match"), "{text}");

    // Nothing was added: the same counts, the same file.
    let after = stats(&index);
    assert_eq!(after["articles"], 2);
    assert_eq!(after["clusters"], before["clusters"]);
    assert!(std::fs::read(&index).unwrap() == bytes, "query changed the index file");
    let ids: Vec<String> = rows(&csv(&index)).into_iter().map(|(id, _)| id).collect();
    assert_eq!(ids, ["barlamane-hajj.txt", "open-days-diplomats.txt"]);
    let _ = std::fs::remove_dir_all(dir);
}

// ---------------------------------------------------------------------------------
// `check` finds what the row checksums cannot: a stored cluster its matches do not
// give (an edit made with SQL, say).

#[test]
fn check_finds_a_cluster_its_matches_do_not_give() {
    let dir = temp_dir("index-check");
    let index = dir.join("seed.db");
    remove_index(&index);
    ok(&["index", "add", s(&index), &articles(), "-q"]);
    ok(&["index", "check", s(&index)]);
    let edit = "import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute(\"UPDATE articles SET cluster = 'open-days-diplomats.txt' WHERE id = 'belwadeh-hajj.txt'\")
c.commit()";
    let Some(o) = python(edit, &[s(&index)]) else { return };
    assert!(o.status.success(), "{}", err(&o));
    let checked = dedup(&["index", "check", s(&index)]);
    assert_eq!(checked.status.code(), Some(1), "{}", err(&checked));
    let e = err(&checked);
    assert!(e.contains("belwadeh-hajj.txt") && e.contains("barlamane-hajj.txt"), "{e}");
    // The next write puts it right (each write stores every cluster that differs).
    ok(&["index", "add", s(&index), &articles(), "-q"]);
    ok(&["index", "check", s(&index)]);
}
