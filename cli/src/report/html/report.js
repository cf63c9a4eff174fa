// nuskha's HTML pages: the report (`dedup --format html`) and a comparison
// (`dedup compare --format html`), drawn from the JSON in #nuskha-data. Every piece of
// article text goes in as a text node (textContent, append of a string), never as
// markup. Nothing is fetched: the page's security policy forbids it.
"use strict";
(function () {
  const started = performance.now();
  // Script errors, for the tests (and a person's console).
  window.addEventListener("error", (e) => {
    document.body.dataset.errors = (document.body.dataset.errors || "") + String(e.message) + "; ";
  });
  // Requests the security policy refused: the page should not even try one.
  let refused = 0;
  document.addEventListener("securitypolicyviolation", () => {
    document.body.dataset.refused = String(++refused);
  });
  const app = document.getElementById("app");
  const data = JSON.parse(document.getElementById("nuskha-data").textContent);
  const PAGE = 50;
  const SINGLES_PAGE = 500;
  const COLOURS = 6;

  // An element with attributes (`text` sets its text) and children (strings become
  // text nodes).
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") e.textContent = String(v);
      else if (k === "class") e.className = v;
      else e.setAttribute(k, String(v));
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  }
  const fixed = (x, n) => (typeof x === "number" ? x.toFixed(n) : "–");
  const plural = (n, what) => n + " " + what + (n === 1 ? "" : "s");
  // At most `n` characters (code points: an emoji is not cut in half).
  const clip = (s, n) => {
    const chars = Array.from(s);
    return chars.length > n ? chars.slice(0, n - 1).join("") + "…" : s;
  };
  // Fields side by side, each isolated so that its direction cannot spill over.
  const fields = (values, separator) => {
    const out = [];
    values.forEach((v, i) => {
      if (i > 0) out.push(separator);
      out.push(el("bdi", { text: v }));
    });
    return out;
  };

  // Search folding: case, Arabic marks, tatweel and bidi controls, and the variants
  // the matcher's normaliser folds (alef and hamza forms, alef maqsura, teh marbuta,
  // Persian yeh and kaf, Arabic-Indic digits).
  function fold(s) {
    return String(s || "").normalize("NFKC").toLowerCase()
      .replace(/[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640\u200B-\u200F\u202A-\u202E\u2066-\u2069]/g, "")
      .replace(/[\u0622\u0623\u0625\u0671]/g, "\u0627")
      .replace(/\u0624/g, "\u0648")
      .replace(/[\u0626\u0649\u06CC]/g, "\u064A")
      .replace(/\u06A9/g, "\u0643")
      .replace(/\u0629/g, "\u0647")
      .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
      .replace(/[\u06F0-\u06F9]/g, (d) => String(d.charCodeAt(0) - 0x06F0));
  }

  // Runs of text between white space, as Rust's `char::is_whitespace` splits them.
  const RUN = /[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;

  // Where each of the matcher's words is in a shown text: [start, end, start, end, ...]
  // in string indices, each word spanning the run it was normalised from (`runs` has
  // one base-36 count a run), or null when unknown.
  function spansOf(shown) {
    if (shown.spans !== undefined) return shown.spans;
    shown.spans = null;
    if (typeof shown.runs !== "string") return null;
    const spans = [];
    let k = 0;
    for (const m of shown.text.matchAll(RUN)) {
      const n = parseInt(shown.runs[k++], 36);
      if (Number.isNaN(n)) return null;
      for (let i = 0; i < n; i++) spans.push(m.index, m.index + m[0].length);
    }
    if (k !== shown.runs.length) return null;
    shown.spans = spans;
    return spans;
  }

  // The original text of words [first, first + words) of a shown text.
  function wordsOf(shown, first, words) {
    const spans = shown && spansOf(shown);
    const last = 2 * (first + words - 1) + 1;
    return spans && last < spans.length ? shown.text.slice(spans[2 * first], spans[last]) : null;
  }

  // Which passage each word of A and of B is shown in: the passages (longest first)
  // take their words in lockstep on both sides, a word pair only when neither word is
  // taken (passages overlap: consecutive ones by a few words in A, and several can
  // start at the same place in B), so a word marked in one colour on one side is
  // marked in the same colour on the other.
  function owners(passages, wordsA, wordsB) {
    const a = new Int32Array(wordsA).fill(-1);
    const b = new Int32Array(wordsB).fill(-1);
    passages.forEach((p, k) => {
      for (let t = 0; t < p.words; t++) {
        const x = p.start_a + t, y = p.start_b + t;
        if (x < wordsA && y < wordsB && a[x] < 0 && b[y] < 0) { a[x] = k; b[y] = k; }
      }
    });
    return [a, b];
  }

  // One text with each word's passage (`owner`) marked in its colour.
  function markedText(shown, owner) {
    const body = el("div", { class: "text", dir: "auto" });
    if (!shown) {
      body.textContent = "(text not available)";
      return body;
    }
    const spans = spansOf(shown);
    if (!spans || spans.length !== 2 * owner.length) {
      body.append(el("p", { class: "meta", text: "(shared passages cannot be placed in this text: shown unmarked)" }), shown.text);
      return body;
    }
    let at = 0;
    for (let w = 0; w < owner.length;) {
      const k = owner[w];
      let end = w + 1;
      while (end < owner.length && owner[end] === k) end++;
      if (k >= 0) {
        // Words normalised from one run share its span: a run already shown is not
        // shown again.
        const start = Math.max(at, spans[2 * w]), stop = spans[2 * end - 1];
        if (stop > start) {
          if (start > at) body.append(shown.text.slice(at, start));
          body.append(el("mark", { class: "p" + (k % COLOURS), title: "shared passage " + (k + 1), text: shown.text.slice(start, stop) }));
          at = stop;
        }
      }
      w = end;
    }
    body.append(shown.text.slice(at));
    return body;
  }

  // A comparison of A and B: the verdict, every score, the texts side by side.
  // `context`, when given, says how the pair was matched in the clustering: the verdict
  // below it is the two texts' alone, without the corpus statistics behind a cluster.
  function comparison(c, textA, textB, labelA, labelB, context) {
    const v = c.verdict;
    const box = el("div", { class: "compare" });
    if (context) box.append(el("p", { class: "verdict copy", dir: "auto", text: context }));
    const alone = context ? "These two texts alone (no corpus statistics): " : "";
    box.append(el("p", { class: v.copy ? "verdict copy" : "verdict apart", dir: "auto", text: alone + v.reason }));
    const scores = el("table", { class: "scores" });
    const row = (name, value) => scores.append(el("tr", null, el("td", { text: name }), el("td", { text: value })));
    row("Jaccard", fixed(c.exact_jaccard, 3) + " exact, " + fixed(c.estimated_jaccard, 3) + " MinHash (" + c.shingles + ", K = " + c.num_perm + ")");
    row("A in B", fixed(c.exact_containment_a_in_b, 3) + " exact, " + fixed(c.estimated_containment_a_in_b, 3) + " MinHash");
    row("B in A", fixed(c.exact_containment_b_in_a, 3) + " exact, " + fixed(c.estimated_containment_b_in_a, 3) + " MinHash");
    row("SimHash", c.simhash_hamming + " of 64 bits differ");
    row("Words", c.words[0] + " and " + c.words[1] + "; distinct shingles " + c.distinct_shingles[0] + " and " + c.distinct_shingles[1]);
    box.append(scores);
    const passages = c.shared_passages || [];
    const [ownerA, ownerB] = owners(passages, c.words[0], c.words[1]);
    const sides = el("div", { class: "sides" });
    sides.append(
      el("div", { class: "side" }, el("h3", { dir: "auto" }, "A: ", el("bdi", { text: labelA })), markedText(textA, ownerA)),
      el("div", { class: "side" }, el("h3", { dir: "auto" }, "B: ", el("bdi", { text: labelB })), markedText(textB, ownerB)));
    box.append(sides);
    if (passages.length) {
      const list = el("ol", { class: "passages" });
      passages.forEach((p, k) => list.append(el("li", null,
        el("mark", { class: "p" + (k % COLOURS), text: p.words + " words" }), " ",
        el("span", { dir: "auto", text: clip(wordsOf(textA, p.start_a, p.words) || p.text || "", 300) }))));
      box.append(el("details", null, el("summary", { text: "Longest shared passages" }), list));
    } else {
      box.append(el("p", { text: "No shared passage." }));
    }
    return box;
  }

  function comparePage() {
    document.title = "nuskha compare: " + data.a + " / " + data.b;
    app.replaceChildren(el("h1", { dir: "auto" }, "Compare ", el("bdi", { text: data.a }), " and ", el("bdi", { text: data.b })),
      comparison(data, data.texts[0], data.texts[1], data.a, data.b));
  }

  function reportPage() {
    const A = data.articles; // [id, title, source, date, too short]
    const texts = data.texts || {};
    const pairs = data.pairs || {};
    const counts = data.counts;
    const title = (i) => {
      if (A[i][1] && A[i][1].trim()) return A[i][1].trim().replace(/\s+/g, " ");
      const t = texts[i];
      const line = t && t.text.split("\n").find((l) => l.trim());
      return line ? clip(line.trim(), 160) : A[i][0];
    };
    document.title = "nuskha report: " + counts.articles + " articles, " + counts.clusters_with_copies + " clusters of copies";

    app.replaceChildren();
    app.append(el("h1", { text: "nuskha report" }));
    const singles = [];
    const inCopies = new Set();
    for (const [, members] of data.clusters) for (const m of members) inCopies.add(m[0]);
    for (let i = 0; i < A.length; i++) if (!inCopies.has(i)) singles.push(i);
    const tooShort = singles.filter((i) => A[i][4]).length;
    const summary = el("div", { class: "summary" });
    const count = (n, what) => summary.append(el("div", { class: "count" }, el("b", { text: n }), what));
    count(counts.articles, "articles read");
    count(counts.clusters_with_copies, "clusters of copies");
    count(counts.copies, "copies");
    count(singles.length, "without a copy (" + tooShort + " too short)");
    count(counts.skipped, "inputs skipped");
    app.append(summary);
    if (data.skipped.length) {
      const list = el("ul", { class: "skipped" });
      for (const s of data.skipped) list.append(el("li", null, el("bdi", { text: s.input }), ": " + s.reason));
      app.append(el("details", { open: data.skipped.length <= 10 }, el("summary", { text: "Skipped inputs and why" }), list));
    }
    const params = el("table", { class: "params" });
    for (const [k, v] of Object.entries(data.parameters)) {
      params.append(el("tr", null, el("td", { text: k }), el("td", { text: v === null ? "–" : typeof v === "object" ? JSON.stringify(v) : v })));
    }
    app.append(el("details", null, el("summary", { text: "Parameters" }), params));
    app.append(histogram(data.clusters.map((c) => c[1].length)));

    // Clusters: filtered by the search box, drawn a page at a time.
    const haystack = data.clusters.map(([, members]) =>
      fold(members.map(([i]) => [A[i][0], title(i), A[i][2] || ""].join(" ")).join(" ")));
    const search = el("input", { type: "search", placeholder: "Filter clusters by id, title or outlet", "aria-label": "Filter clusters" });
    const shownLine = el("div", { class: "shown" });
    app.append(el("div", { class: "tools" }, search, shownLine));
    const list = el("div", { class: "clusters" });
    const more = el("button", { class: "more", type: "button", text: "Show more clusters" });
    app.append(list, more);
    let matching = [];
    let drawn = 0;
    function drawMore() {
      const end = Math.min(matching.length, drawn + PAGE);
      for (; drawn < end; drawn++) list.append(cluster(matching[drawn]));
      more.hidden = drawn >= matching.length;
      shownLine.textContent = "Showing " + drawn + " of " + matching.length + " clusters" +
        (matching.length < data.clusters.length ? " (of " + data.clusters.length + ")" : "");
    }
    function filter(query) {
      const q = fold(query).trim().split(/\s+/).filter(Boolean);
      matching = [];
      haystack.forEach((h, k) => { if (q.every((w) => h.includes(w))) matching.push(k); });
      list.replaceChildren();
      drawn = 0;
      drawMore();
    }
    more.addEventListener("click", drawMore);
    search.addEventListener("input", () => filter(search.value));

    function cluster(k) {
      const [rep, members, number] = data.clusters[k];
      const section = el("section", { class: "cluster", "data-cluster": number });
      // Numbered as the text report numbers it (in input order), drawn largest first.
      section.append(el("h2", null, el("span", { class: "n", text: "cluster " + number }),
        el("bdi", { dir: "auto", text: title(rep) }), el("span", { class: "size", text: plural(members.length, "article") })));
      const ol = el("ol", { class: "members" });
      for (const [id, kind, score, matched] of members) {
        const isRep = id === rep;
        const li = el("li", { class: isRep ? "member rep" : "member", "data-id": A[id][0] });
        const row = el("div", { class: "row" });
        row.append(el("span", { class: "t", dir: "auto", text: title(id) }));
        const meta = [A[id][2], A[id][3], A[id][0]].filter((x) => x !== null && x !== undefined && x !== "");
        row.append(el("span", { class: "meta" }, ...fields(meta, " · ")));
        if (isRep) {
          row.append(el("span", { class: "badge rep", text: "representative" }));
        } else {
          const bar = el("span", { class: "bar", title: kind + " " + fixed(score, 3) }, el("span"));
          bar.firstChild.style.width = Math.round(Math.max(0, Math.min(1, score)) * 100) + "%";
          row.append(bar, el("span", { class: "badge", text: kind + " " + fixed(score, 2) }));
          if (matched !== rep) row.append(el("span", { class: "meta", dir: "auto" }, "matched ", el("bdi", { text: A[matched][0] })));
          const pair = pairs[id];
          if (pair) {
            const button = el("button", { type: "button", text: "compare" });
            let view = null;
            button.addEventListener("click", () => {
              if (view) { view.remove(); view = null; return; }
              const how = "In the clustering: " + kind + " " + fixed(score, 2) + " to " + A[matched][0];
              view = comparison(pair, texts[rep], texts[id], title(rep), title(id), how);
              li.append(view);
            });
            row.append(button);
          }
        }
        li.append(row);
        ol.append(li);
      }
      section.append(ol);
      return section;
    }

    // Articles without a copy: counted, listed only when asked.
    const singlesList = el("ol", { class: "singletons" });
    const singlesMore = el("button", { class: "more", type: "button", text: "Show more", hidden: true });
    let singlesDrawn = 0;
    function drawSingles() {
      const end = Math.min(singles.length, singlesDrawn + SINGLES_PAGE);
      for (; singlesDrawn < end; singlesDrawn++) {
        const i = singles[singlesDrawn];
        const meta = [A[i][2], A[i][3], A[i][4] ? "too short" : null].filter(Boolean);
        singlesList.append(el("li", { dir: "auto" }, el("bdi", { text: A[i][1] ? title(i) : A[i][0] }),
          meta.length ? el("span", { class: "meta" }, " · ", ...fields(meta, " · ")) : null));
      }
      singlesMore.hidden = singlesDrawn >= singles.length;
    }
    singlesMore.addEventListener("click", drawSingles);
    const singlesBox = el("details", { class: "singles" }, el("summary", { text: plural(singles.length, "article") + " without a copy" }), singlesList, singlesMore);
    singlesBox.addEventListener("toggle", () => { if (singlesBox.open && singlesDrawn === 0) drawSingles(); });
    app.append(singlesBox);

    filter("");
    // Since the page was opened (parsing included), and of that the drawing.
    app.dataset.openMs = performance.now().toFixed(1);
    app.dataset.renderMs = (performance.now() - started).toFixed(1);
    // `#q=...` filters at once (and times it): a link can share a filtered view.
    const q = new URLSearchParams(location.hash.slice(1)).get("q");
    if (q) {
      const t = performance.now();
      search.value = q;
      filter(q);
      app.dataset.filterMs = (performance.now() - t).toFixed(1);
      app.dataset.matching = matching.length;
    }
    // `#open=ID` opens that copy's comparison with its representative: a link to it.
    const open = new URLSearchParams(location.hash.slice(1)).get("open");
    if (open) {
      search.value = open;
      filter(open);
      const li = list.querySelector("li[data-id=\"" + CSS.escape(open) + "\"]");
      const button = li && li.querySelector("button");
      if (button) {
        button.click();
        li.scrollIntoView();
        app.dataset.opened = open;
      }
    }
  }

  // Cluster sizes as bars (inline SVG).
  function histogram(sizes) {
    const bins = [["2", 2, 2], ["3", 3, 3], ["4", 4, 4], ["5–9", 5, 9], ["10–19", 10, 19], ["20+", 20, Infinity]];
    const n = bins.map(([, lo, hi]) => sizes.filter((s) => s >= lo && s <= hi).length);
    const max = Math.max(1, ...n);
    const NS = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(NS, "svg");
    const W = 60, H = 80, top = 14, bottom = 16;
    svg.setAttribute("viewBox", "0 0 " + bins.length * W + " " + (H + top + bottom));
    svg.setAttribute("class", "histogram");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "clusters of copies by size");
    bins.forEach(([label], k) => {
      const h = Math.round((n[k] / max) * H);
      const rect = document.createElementNS(NS, "rect");
      rect.setAttribute("x", k * W + 8); rect.setAttribute("width", W - 16);
      rect.setAttribute("y", top + H - h); rect.setAttribute("height", h);
      const value = document.createElementNS(NS, "text");
      value.setAttribute("x", k * W + W / 2); value.setAttribute("y", top + H - h - 3);
      value.setAttribute("text-anchor", "middle"); value.textContent = n[k];
      const name = document.createElementNS(NS, "text");
      name.setAttribute("x", k * W + W / 2); name.setAttribute("y", top + H + 12);
      name.setAttribute("text-anchor", "middle"); name.textContent = label;
      svg.append(rect, value, name);
    });
    return el("figure", { class: "sizes" }, svg, el("figcaption", { class: "meta", text: "Clusters of copies by number of articles" }));
  }

  if (app.dataset.page === "compare") comparePage(); else reportPage();
  const resources = () => String(performance.getEntriesByType("resource").length);
  document.body.dataset.resources = resources();
  document.body.dataset.refused = String(refused);
  window.addEventListener("load", () => { document.body.dataset.resources = resources(); });
})();
