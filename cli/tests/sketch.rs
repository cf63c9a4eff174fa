//! `dedup sketch` (its options checked; without the `parquet` feature, a clear
//! refusal: the Spark job's tests, `spark/tests`, run it with the feature) and `dedup
//! assign`, the clusters made elsewhere joined back onto the articles.

use crate::cli::{run, temp_dir};

#[test]
fn a_shard_that_is_not_i_of_n_is_refused() {
    for shard in ["0/3", "4/3", "3", "a/b", "1/0"] {
        let out = run(&["sketch", "examples/articles", "-o", "x", "--shard", shard], b"");
        assert_eq!(out.status.code(), Some(2), "{shard}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("is not I/N with 1 <= I <= N"), "{shard}: {err}");
    }
}

#[test]
fn settings_the_job_cannot_reproduce_are_refused() {
    let dir = temp_dir("sketch-refused");
    let out_dir = dir.join("out");
    let out_dir = out_dir.to_str().unwrap();
    let refused: [(&[&str], &str); 3] = [
        (&["--edited"], "rare-phrase search"),
        (&["--algorithm", "simhash"], "MinHash LSH bands only"),
        (&["--representative", "earliest"], "earliest` is not supported"),
    ];
    for (options, why) in refused {
        let mut args = vec!["sketch", "../examples/articles", "-o", out_dir];
        args.extend_from_slice(options);
        let out = run(&args, b"");
        assert_eq!(out.status.code(), Some(2), "{options:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        // Without the feature, nothing is sketched whatever the options.
        let why = if cfg!(feature = "parquet") { why } else { "--features parquet" };
        assert!(err.contains(why), "{options:?}: {err}");
        assert!(!std::path::Path::new(out_dir).join("articles").exists(), "{options:?} wrote");
    }
}

#[cfg(not(feature = "parquet"))]
#[test]
fn without_the_parquet_feature_sketch_says_how_to_get_it() {
    let out = run(&["sketch", "../examples/articles", "-o", "/nonexistent/x"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--features parquet"));
}

#[test]
fn assign_writes_the_unique_corpus_of_clusters_made_elsewhere() {
    let dir = temp_dir("assign");
    let csv = dir.join("clusters.csv");
    let inputs = "../examples/articles";
    let made = run(&[inputs, "--format", "csv", "-q", "-o", csv.to_str().unwrap()], b"");
    assert!(made.status.success());
    let want = run(&[inputs, "--emit", "unique", "-q"], b"");
    let got = run(&["assign", "--clusters", csv.to_str().unwrap(), inputs], b"");
    assert!(got.status.success(), "{}", String::from_utf8_lossy(&got.stderr));
    assert_eq!(String::from_utf8_lossy(&got.stdout), String::from_utf8_lossy(&want.stdout));
    assert_eq!(
        String::from_utf8_lossy(&got.stdout).lines().count(),
        2,
        "the hajj story and the diplomats"
    );
    // A folder of CSV files, as the Spark job writes: the rows split over two.
    let text = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let parts = dir.join("parts");
    std::fs::create_dir_all(&parts).unwrap();
    std::fs::write(parts.join("part-0.csv"), lines[..3].join("\n") + "\n").unwrap();
    std::fs::write(parts.join("part-1.csv"), lines[3..].join("\n") + "\n").unwrap();
    let split = run(&["assign", "--clusters", parts.to_str().unwrap(), inputs], b"");
    assert_eq!(split.stdout, got.stdout);
    // Clusters of other inputs.
    std::fs::write(&csv, lines[..3].join("\n") + "\n").unwrap();
    let short = run(&["assign", "--clusters", csv.to_str().unwrap(), inputs], b"");
    assert_eq!(short.status.code(), Some(2));
    let err = String::from_utf8_lossy(&short.stderr);
    assert!(err.contains("has no cluster: were the clusters made from these inputs?"), "{err}");
    std::fs::write(&csv, text + "other.txt,other.txt,1.000,\n").unwrap();
    let extra = run(&["assign", "--clusters", csv.to_str().unwrap(), inputs], b"");
    assert_eq!(extra.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&extra.stderr)
            .contains("the clusters have 5 articles, the inputs 4")
    );
}
