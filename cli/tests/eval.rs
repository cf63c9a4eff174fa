//! `dedup eval` on a small fixture whose every figure was computed by hand.

use crate::cli::{run, temp_dir};

/// Writes the fixture and returns the paths of (clusters, pairs, population, truth).
fn fixture() -> [String; 4] {
    let dir = temp_dir("eval");
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    // Clusters {a, b}, {c, d}, {e}; an id with a comma, quoted, in its own cluster.
    let clusters = write(
        "clusters.csv",
        "id,cluster,similarity,note\na,a,1.000,representative\nb,a,0.900,copy\nc,c,1.000,representative\nd,c,0.600,copy\ne,e,1.000,\n\"x,y\",\"x,y\",1.000,\n",
    );
    let pairs = write(
        "pairs.jsonl",
        concat!(
            r#"{"a":"a","b":"b","bin":"H","label":"copy","split":"report"}"#,
            "\n",
            r#"{"a":"a","b":"c","bin":"L","label":"copy","split":"report"}"#,
            "\n",
            r#"{"a":"c","b":"d","bin":"L","label":"different","split":"report"}"#,
            "\n",
            r#"{"a":"d","b":"e","bin":"L","label":"same_event","split":"report"}"#,
            "\n",
            r#"{"a":"a","b":"z","bin":"L","label":"copy","split":"report"}"#,
            "\n",
            r#"{"a":"b","b":"e","bin":"L","label":"unsure","split":"report"}"#,
            "\n",
            r#"{"a":"d","b":"c","bin":"H","label":"copy","split":"tune"}"#,
            "\n",
        ),
    );
    let population = write("population.json", r#"{"population": {"H": 100, "L": 1000}}"#);
    // Reference: {a, b, c}, {d, e}.
    let truth = write("truth.csv", "id,cluster\na,1\nb,1\nc,1\nd,2\ne,2\n");
    [clusters, pairs, population, truth]
}

fn close(v: &serde_json::Value, expected: f64) {
    let got = v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"));
    assert!((got - expected).abs() < 1e-9, "{got} != {expected}");
}

#[test]
fn eval_matches_the_hand_computation() {
    let [clusters, pairs, population, truth] = fixture();
    let args = [
        "eval",
        "--pairs",
        &pairs,
        "--population",
        &population,
        "--split",
        "report",
        "--truth",
        &truth,
        "--format",
        "json",
        &clusters,
    ];
    let out = run(&args, b"");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Raw: TP (a,b); FN (a,c), (a,z); FP (c,d); TN (d,e); (b,e) has another label.
    let raw = &v["raw"];
    assert_eq!(
        (raw["tp"].as_u64(), raw["fp"].as_u64(), raw["fn"].as_u64(), raw["tn"].as_u64()),
        (Some(1), Some(1), Some(2), Some(1))
    );
    close(&raw["precision"], 0.5);
    close(&raw["recall"], 1.0 / 3.0);
    close(&raw["f1"], 0.4);
    // Weighted: H's one scored pair stands for 100, each of L's four for 250.
    let w = &v["weighted"];
    close(&w["precision"], 100.0 / 350.0);
    close(&w["recall"], 100.0 / 600.0);
    close(&w["f1"], 2.0 * (100.0 / 350.0) * (100.0 / 600.0) / (100.0 / 350.0 + 100.0 / 600.0));
    assert_eq!(v["bins"]["H"]["tp"], 1);
    assert_eq!(v["bins"]["L"]["fn"], 2);
    assert!(v["bins"]["L"]["precision"].is_number());
    assert_eq!(v["missing"], 1);
    assert_eq!(v["ignored"], 1);
    let i = &v["intervals"]["precision"];
    assert!(i[0].as_f64().unwrap() <= i[1].as_f64().unwrap());
    // Against the reference: pairs together 4 there, 2 here, 1 in both; C(5,2) = 10.
    let t = &v["truth"];
    close(&t["precision"], 0.5);
    close(&t["recall"], 0.25);
    close(&t["f1"], 1.0 / 3.0);
    close(&t["adjusted_rand"], (1.0 - 0.8) / (3.0 - 0.8));
}

#[test]
fn eval_text_report_and_bad_input() {
    let [clusters, pairs, population, _] = fixture();
    let out = run(&["eval", "--pairs", &pairs, "--population", &population, &clusters], b"");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("raw:") && text.contains("weighted:") && text.contains("95% bootstrap"),
        "{text}"
    );
    // Without --split the tune pair (d,c) counts too: TP 2 of 6 scored.
    assert!(text.contains("(tp 2 fp 1 fn 2 tn 1)"), "{text}");
    let out = run(&["eval", "--pairs", "/no/such/pairs.jsonl", &clusters], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/pairs.jsonl"));
    let out = run(&["eval", &clusters], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--pairs or --truth"));
}
