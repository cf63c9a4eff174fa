//! `--format html` and `dedup compare --format html`, rendered in a real browser
//! (headless Chromium): what a person sees, that article text is only ever text, and
//! that the page asks for nothing over the network.
//!
//! The browser is `NUSKHA_CHROMIUM`, else `chromium` on the path (Debian's package,
//! which `.ci/run` installs). Without one the tests say so and pass, unless
//! `NUSKHA_REQUIRE_BROWSER` is set (as `.ci/run` sets it). Screenshots are written to
//! `target/tmp/html/` for a person to look at.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cli::{article, run, temp_dir};

/// The browser, or `None` (with a note) when the tests may go without one.
fn chromium() -> Option<PathBuf> {
    let named = std::env::var_os("NUSKHA_CHROMIUM").map(PathBuf::from);
    let found = named.or_else(|| {
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path).map(|d| d.join("chromium")).find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("NUSKHA_REQUIRE_BROWSER").is_none(),
            "NUSKHA_REQUIRE_BROWSER is set but no chromium was found"
        );
        eprintln!("skipped: no chromium (install Debian's package, or set NUSKHA_CHROMIUM)");
    }
    found
}

/// Where screenshots go: kept after the run, never committed.
fn shots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("html");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    dir
}

/// Opens `page` (with `fragment`) in headless Chromium, as a person would from a
/// file, and returns the DOM once its script has run; also saves a screenshot as
/// `shot`. The flags keep Chromium from its own background requests.
fn render(browser: &Path, page: &Path, fragment: &str, shot: &str) -> String {
    let profile = temp_dir(&format!("chromium-{shot}"));
    let url = format!("file://{}{fragment}", page.canonicalize().unwrap().display());
    let browse = |extra: &[&str]| {
        let out = Command::new(browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--virtual-time-budget=5000",
                &format!("--user-data-dir={}", profile.display()),
            ])
            .args(extra)
            .arg(&url)
            .output()
            .expect("run chromium");
        assert!(out.status.success(), "chromium: {}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    };
    let dom = String::from_utf8(browse(&["--dump-dom"])).expect("a UTF-8 DOM");
    let png = shots().join(format!("{shot}.png"));
    browse(&["--window-size=1100,1400", &format!("--screenshot={}", png.display())]);
    assert!(png.metadata().is_ok_and(|m| m.len() > 1000), "no screenshot at {}", png.display());
    let _ = std::fs::remove_dir_all(profile);
    dom
}

/// The value of attribute `name` on the first element that has it.
fn attribute<'a>(dom: &'a str, name: &str) -> Option<&'a str> {
    let at = dom.find(&format!(" {name}=\""))? + name.len() + 3;
    dom[at..].split('"').next()
}

/// The page as written (its markup, style and script; the data aside) names nothing to
/// fetch, and forbids its content any request.
fn asks_for_nothing(html: &str) {
    let csp = "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';";
    assert!(html.contains(csp), "no content security policy");
    let open = "<script type=\"application/json\" id=\"nuskha-data\">";
    let start = html.find(open).expect("the data") + open.len();
    let end = start + html[start..].find("</script>").expect("the data ends");
    // The SVG namespace is a name, not a request.
    let shell =
        [&html[..start], &html[end..]].concat().replace("\"http://www.w3.org/2000/svg\"", "");
    for pattern in [" src=", " href=", "url(", "@import", "http://", "https://", "//cdn"] {
        assert!(!shell.contains(pattern), "the page names something to fetch: {pattern}");
    }
}

/// The page, as the browser drew it, loaded nothing and tried nothing its policy
/// refused (a text turned into an `<img>` would have tried).
fn fetched_nothing(dom: &str, shot: &str) {
    assert_eq!(attribute(dom, "data-errors"), None, "{shot}: the page's script failed");
    assert_eq!(attribute(dom, "data-resources"), Some("0"), "{shot}: a request was made");
    assert_eq!(attribute(dom, "data-refused"), Some("0"), "{shot}: a request was refused");
}

/// The DOM's `<li>` elements of class `member` inside the first cluster section.
fn first_cluster(dom: &str) -> &str {
    let start = dom.find("<section class=\"cluster\"").expect("a cluster is shown");
    let end = dom[start..].find("</section>").expect("the cluster ends") + start;
    &dom[start..end]
}

/// The two sides of the first comparison drawn: the markup of each `side` element.
fn sides(dom: &str) -> (&str, &str) {
    let open = "<div class=\"side\">";
    let start = dom.find("<div class=\"sides\">").expect("a comparison is shown");
    let a = start + dom[start..].find(open).expect("side A");
    let b = a + 1 + dom[a + 1..].find(open).expect("side B");
    let end = b + dom[b..].find("</div></div>").expect("side B ends");
    (&dom[a..b], &dom[b..end])
}

/// How many words each passage colour marks on a side, by colour.
fn marked(side: &str) -> Vec<(String, usize)> {
    let mut counts: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for piece in side.split("<mark class=\"").skip(1) {
        let class = piece.split('"').next().unwrap().to_owned();
        let text = piece.split_once('>').unwrap().1.split("</mark>").next().unwrap();
        *counts.entry(class).or_default() += text.split_whitespace().count();
    }
    counts.into_iter().collect()
}

/// The first line of a seed article: its headline, which the page shows as its title.
fn headline(name: &str) -> String {
    let text = std::fs::read_to_string(article(name)).unwrap();
    text.lines().next().unwrap().trim().to_owned()
}

#[test]
fn the_seed_report_shows_the_hajj_cluster_in_a_browser() {
    let Some(browser) = chromium() else { return };
    let dir = temp_dir("html-seed");
    let page = dir.join("report.html");
    let articles = format!("{}/../examples/articles", env!("CARGO_MANIFEST_DIR"));
    let out = run(&[&articles, "--format", "html", "-o", page.to_str().unwrap()], b"");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let html = std::fs::read_to_string(&page).unwrap();
    asks_for_nothing(&html);
    let dom = render(&browser, &page, "", "seed-report");
    fetched_nothing(&dom, "seed-report");
    let cluster = first_cluster(&dom);
    assert_eq!(cluster.matches("<li class=\"member").count(), 3, "{cluster}");
    for name in ["barlamane-hajj", "belwadeh-hajj", "marrakech-alaan-hajj"] {
        assert!(cluster.contains(&format!("data-id=\"{name}.txt\"")), "{name}: {cluster}");
        let title = format!("<span class=\"t\" dir=\"auto\">{}</span>", headline(name));
        assert!(cluster.contains(&title), "{name}'s title: {cluster}");
    }
    assert!(cluster.contains("representative"), "{cluster}");
    assert_eq!(dom.matches("<section class=\"cluster\"").count(), 1, "the diplomats stand alone");
    assert!(dom.contains("1 article without a copy"), "{dom}");
    assert!(cluster.contains("cluster 1"), "numbered as the text report numbers it");
    // A link opens a copy's comparison with its representative; each side marks the
    // same passages, in the same colours.
    let opened = render(&browser, &page, "#open=belwadeh-hajj.txt", "seed-report-compare");
    fetched_nothing(&opened, "seed-report-compare");
    assert_eq!(attribute(&opened, "data-opened"), Some("belwadeh-hajj.txt"));
    let (a, b) = sides(&opened);
    assert!(a.contains("<mark class=\"p0\"") && b.contains("<mark class=\"p0\""), "{a}\n{b}");
    assert_eq!(marked(a), marked(b), "the two sides mark different passages");
    // Average linkage names each member's best match in the cluster.
    assert!(
        opened.contains("In the clustering: jaccard 0.93 to marrakech-alaan-hajj.txt"),
        "{opened}"
    );
    // The search box filters by outlet, title or id, through the page's own code.
    let filtered = render(&browser, &page, "#q=diplomats", "seed-report-filtered");
    assert_eq!(attribute(&filtered, "data-matching"), Some("0"));
    let filtered = render(&browser, &page, "#q=belwadeh", "seed-report-filtered");
    assert_eq!(attribute(&filtered, "data-matching"), Some("1"));
    let _ = std::fs::remove_dir_all(dir);
}

/// A story whose title, outlet and text try to break out of the page.
const HOSTILE: &str = "</script><script>document.body.setAttribute('data-hacked','1')</script>\
                       </div><img src=\"http://127.0.0.1:9/x.png\" onerror=\"document.body.setAttribute('data-hacked','2')\"><!-- &amp; \u{2028}";

#[test]
fn hostile_text_is_shown_as_text_and_fetches_nothing() {
    let Some(browser) = chromium() else { return };
    let dir = temp_dir("html-hostile");
    let story = std::fs::read_to_string(article("barlamane-hajj")).unwrap();
    let records = [("<i>a</i>", "barlamane"), ("b\"><s>id</s>", "</td><em>outlet</em>")]
        .map(|(id, source)| {
            let text = format!("{HOSTILE}\n{story}");
            serde_json::json!({"id": id, "title": HOSTILE, "source": source, "date": "<u>2015</u>", "text": text})
                .to_string()
        })
        .join("\n");
    let feed = dir.join("hostile.jsonl");
    std::fs::write(&feed, records).unwrap();
    let page = dir.join("report.html");
    let out = run(&[feed.to_str().unwrap(), "--format", "html", "-o", page.to_str().unwrap()], b"");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let html = std::fs::read_to_string(&page).unwrap();
    assert_eq!(html.matches("</script>").count(), 2, "only the page's own scripts end");
    asks_for_nothing(&html);
    let compare = dir.join("compare.html");
    let ids = ["--id", "<i>a</i>", "--id", "b\"><s>id</s>"];
    let mut args = vec!["compare", feed.to_str().unwrap(), "--format", "html"];
    args.extend(ids);
    let out = run(&args, b"");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::write(&compare, &out.stdout).unwrap();
    for (page, shot) in [(&page, "hostile-report"), (&compare, "hostile-compare")] {
        let dom = render(&browser, page, "", shot);
        assert!(attribute(&dom, "data-hacked").is_none(), "{shot}: a script of the text ran");
        assert!(!dom.contains("<img"), "{shot}: the text became an element");
        for tag in ["<em>", "<s>", "<i>", "<u>"] {
            assert!(!dom.contains(tag), "{shot}: an id, outlet or date became an element");
        }
        fetched_nothing(&dom, shot);
        let shown = "&lt;/script&gt;&lt;script&gt;document.body.setAttribute('data-hacked','1')&lt;/script&gt;";
        assert!(dom.contains(shown), "{shot}: the text is not shown as text");
        assert!(dom.contains("&lt;/td&gt;&lt;em&gt;outlet") || shot == "hostile-compare", "{shot}");
    }
    // The compare page marks the passages the two texts share, alike on both sides.
    let dom = render(&browser, &compare, "", "hostile-compare");
    let (a, b) = sides(&dom);
    assert!(a.contains("<mark class=\"p0\""), "no shared passage marked");
    assert_eq!(marked(a), marked(b));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_saudinewsnet_report_opens_and_filters_in_a_browser() {
    // As the library's corpus tests find it: `NUSKHA_CORPUS`, else `../shared`.
    let folder = std::env::var_os("NUSKHA_CORPUS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/arabic_news"),
        PathBuf::from,
    );
    let corpus = folder.join("saudinewsnet_2015-08-03_to_11.jsonl.gz");
    if !corpus.is_file() {
        eprintln!("skipped: {} not found", corpus.display());
        return;
    }
    let Some(browser) = chromium() else { return };
    let dir = temp_dir("html-snn");
    let page = dir.join("report.html");
    let out =
        run(&[corpus.to_str().unwrap(), "--format", "html", "-o", page.to_str().unwrap()], b"");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let size = page.metadata().unwrap().len();
    let dom =
        render(&browser, &page, "#q=%D8%A7%D9%84%D8%B1%D9%8A%D8%A7%D8%B6", "saudinewsnet-report");
    let open = attribute(&dom, "data-open-ms").expect("the page was drawn");
    let filter = attribute(&dom, "data-filter-ms").expect("the page filtered");
    let matching = attribute(&dom, "data-matching").unwrap_or("?");
    // Printed, not asserted: the machines are shared and noisy.
    eprintln!(
        "SaudiNewsNet report: {:.1} MB; opened and drawn in {open} ms; filter \"الرياض\" ({matching} clusters) in {filter} ms",
        size as f64 / 1e6
    );
    fetched_nothing(&dom, "saudinewsnet-report");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn both_sides_mark_the_same_passages_where_they_overlap() {
    let Some(browser) = chromium() else { return };
    let dir = temp_dir("html-overlap");
    // A repeats the start of the shared paragraph later on: both of A's runs are found
    // at the same place in B, where only one of them can be marked.
    let shared = "استقبل المدير العام للأمن الوطني اليوم الثلاثاء منتسبي أسرة الأمن الوطني القاصدين الديار المقدسة لأداء فريضة الحج";
    let start: String = shared.split(' ').take(8).collect::<Vec<_>>().join(" ");
    let a = format!("{shared}. وفي سياق آخر أعلنت الوزارة عن برنامج جديد للتكوين المستمر. {start}");
    let b =
        format!("{shared}. وقد عبر الحجاج عن امتنانهم لهذه الالتفاتة الكريمة من المديرية العامة");
    let (fa, fb) = (dir.join("a.txt"), dir.join("b.txt"));
    std::fs::write(&fa, a).unwrap();
    std::fs::write(&fb, b).unwrap();
    let out =
        run(&["compare", fa.to_str().unwrap(), fb.to_str().unwrap(), "--format", "html"], b"");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let page = dir.join("compare.html");
    std::fs::write(&page, &out.stdout).unwrap();
    let dom = render(&browser, &page, "", "overlap-compare");
    fetched_nothing(&dom, "overlap-compare");
    let (a, b) = sides(&dom);
    assert!(a.contains("<mark class=\"p0\""), "{a}");
    assert_eq!(marked(a), marked(b), "A:\n{a}\nB:\n{b}");
    let _ = std::fs::remove_dir_all(dir);
}

/// An input that cannot be read a second time (a named pipe) still gives a report: its
/// clusters, without the comparisons, and a warning saying why.
#[cfg(unix)]
#[test]
fn a_report_from_a_pipe_shows_the_clusters_without_comparisons() {
    let dir = temp_dir("html-pipe");
    let fifo = dir.join("feed.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    let story = std::fs::read_to_string(article("barlamane-hajj")).unwrap();
    let feed: String = ["a", "b"]
        .map(|id| serde_json::json!({"id": id, "text": story}).to_string() + "\n")
        .concat();
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, feed).unwrap())
    };
    let page = dir.join("report.html");
    let out = run(&[fifo.to_str().unwrap(), "--format", "html", "-o", page.to_str().unwrap()], b"");
    writer.join().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("is not a regular file (a pipe?)"), "{stderr}");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("\"pairs\":{}"), "no comparison can be shown");
    assert!(html.contains("\"clusters\":[[0,"), "the cluster is there");
    if let Some(browser) = chromium() {
        let dom = render(&browser, &page, "", "pipe-report");
        fetched_nothing(&dom, "pipe-report");
        assert!(first_cluster(&dom).contains("data-id=\"b\""));
    }
    let _ = std::fs::remove_dir_all(dir);
}
