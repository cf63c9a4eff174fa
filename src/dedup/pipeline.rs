//! The tail both drivers share: candidates found one article at a time, and verified
//! edges → the star/containment filter → clusters → representatives.
//!
//! [`Batch`](super::Batch) feeds [`Tail`] every article's verified matches in input
//! order after verifying all pairs at once; [`DedupIndex`](super::DedupIndex) feeds it
//! each article as it arrives. Same code, so the same clusters. Average linkage is the
//! one mode that is not built article by article: the feed re-clusters the new
//! article's connected component at each add (components are small: copies of one
//! story and what links them), the batch clusters all of them once at the end.

use std::cmp::Reverse;
use std::collections::HashSet;

use crate::cluster::{
    ClusterMode, Clusters, Match, StarBuilder, UnionFind, average_linkage, cluster_pairs,
};
use crate::corpus::DocId;
use crate::hash::FixedState;
use crate::lsh::SimHashIndex;

use super::Representative;
use super::article::Sketched;
use super::verify::Verifier;

/// `i` as a [`DocId`].
///
/// # Panics
///
/// Beyond `u32`.
pub(super) fn doc_id(i: usize) -> DocId {
    DocId(u32::try_from(i).expect("fewer than 2^31 articles"))
}

/// The earlier articles that are candidates of `s` (article `id`) in a SimHash index,
/// sorted by id; `s` is then added. An article without a signature (too short, or no
/// shingles left) is neither looked up nor added.
pub(super) fn simhash_candidates(index: &mut SimHashIndex, id: DocId, s: &Sketched) -> Vec<DocId> {
    let Some(fp) = s.simhash else { return Vec::new() };
    if s.signature.is_empty() {
        return Vec::new();
    }
    let found = index.query(fp).into_iter().map(|(d, _)| d).collect();
    index.insert(id, fp);
    found
}

/// Verified matches → clusters, one article at a time, in input order.
#[derive(Debug, Clone)]
pub(super) struct Tail {
    mode: ClusterMode,
    link_density: f64,
    representative: Representative,
    star: StarBuilder,
    components: UnionFind,
    /// Verified pairs so far, (earlier, later, match) (components mode).
    edges: Vec<(DocId, DocId, Match)>,
    /// With [`Representative::Longest`]: the longest member so far (length, id; ties:
    /// the first) of each star cluster, by index, or of each union-find root.
    longest: Vec<(usize, DocId)>,
    /// The matches a star may form along, reused from article to article.
    allowed: Vec<(DocId, Match)>,
    /// Average linkage in a live feed: each article's verified matches, both ways.
    neighbours: Vec<Vec<(DocId, Match)>>,
}

/// The better representative under [`Representative::Longest`]: the longer, ties the
/// smaller id.
fn longer(a: (usize, DocId), b: (usize, DocId)) -> (usize, DocId) {
    if (Reverse(b.0), b.1) < (Reverse(a.0), a.1) { b } else { a }
}

impl Tail {
    pub(super) fn new(
        mode: ClusterMode,
        link_density: f64,
        representative: Representative,
    ) -> Self {
        Tail {
            mode,
            link_density,
            representative,
            star: StarBuilder::default(),
            components: UnionFind::new(0),
            edges: Vec::new(),
            longest: Vec::new(),
            allowed: Vec::new(),
            neighbours: Vec::new(),
        }
    }

    fn keeps_longest(&self) -> bool {
        self.representative == Representative::Longest
    }

    /// Adds the last article of `sketched` with its verified `matches` among earlier
    /// articles; returns the representative of the cluster it is now in. O(1)
    /// amortised (plus the matches), whatever the representative rule, except with
    /// average linkage: O(its component's matches).
    pub(super) fn push(&mut self, matches: &[(DocId, Match)], sketched: &[Sketched]) -> DocId {
        if self.mode != ClusterMode::Average {
            return self.add(matches, sketched);
        }
        let id = doc_id(sketched.len() - 1);
        self.neighbours.push(matches.to_vec());
        for &(d, m) in matches {
            self.neighbours[d.index()].push((id, m));
        }
        self.add(matches, sketched);
        self.average_representative(id, sketched)
    }

    /// The representative of `id`'s average-linkage cluster, from its component alone.
    fn average_representative(&mut self, id: DocId, sketched: &[Sketched]) -> DocId {
        // The component's members, sorted, and its matches in local ids.
        let mut members = vec![id];
        let mut seen: HashSet<DocId, FixedState> = HashSet::default();
        seen.insert(id);
        let mut k = 0;
        while let Some(&x) = members.get(k) {
            for &(y, _) in &self.neighbours[x.index()] {
                if seen.insert(y) {
                    members.push(y);
                }
            }
            k += 1;
        }
        members.sort_unstable();
        let local = |d: DocId| DocId(members.binary_search(&d).expect("a member") as u32);
        let mut edges = Vec::new();
        for &x in &members {
            for &(y, m) in &self.neighbours[x.index()] {
                if x < y {
                    edges.push((local(x), local(y), m));
                }
            }
        }
        let clusters = average_linkage(members.len(), &edges, self.link_density);
        let cluster = clusters.cluster_of(local(id));
        let global = |d: DocId| members[d.index()];
        if self.keeps_longest() {
            let longest = cluster.ids().map(global).map(|d| (sketched[d.index()].len, d));
            longest.reduce(longer).expect("a cluster has a member").1
        } else {
            global(cluster.representative())
        }
    }

    /// [`push`](Self::push) without working out the representative under average
    /// linkage (the batch's way): it returns the article's component's instead.
    pub(super) fn add(&mut self, matches: &[(DocId, Match)], sketched: &[Sketched]) -> DocId {
        let id = doc_id(sketched.len() - 1);
        let me = &sketched[id.index()];
        let mine = (me.len, id);
        match self.mode {
            ClusterMode::Star => {
                self.allowed.clear();
                self.allowed.extend(
                    matches
                        .iter()
                        .filter(|&&(d, m)| Verifier::star_allows(m, &sketched[d.index()], me)),
                );
                let c = self.star.push(&self.allowed);
                if !self.keeps_longest() {
                    return self.star.cluster(c).representative();
                }
                if c == self.longest.len() {
                    self.longest.push(mine);
                } else {
                    self.longest[c] = longer(self.longest[c], mine);
                }
                self.longest[c].1
            }
            _ => {
                let i = self.components.push();
                if self.keeps_longest() {
                    self.longest.push(mine);
                }
                for &(d, m) in matches {
                    let (a, b) = (self.components.find(i), self.components.find(d.index()));
                    if a != b {
                        self.components.union(a, b);
                        if self.keeps_longest() {
                            let best = longer(self.longest[a], self.longest[b]);
                            let root = self.components.find(a);
                            self.longest[root] = best;
                        }
                    }
                    self.edges.push((d, id, m));
                }
                if self.keeps_longest() {
                    let root = self.components.find(i);
                    self.longest[root].1
                } else {
                    // The first member of a component is its smallest id.
                    doc_id(self.components.first(i))
                }
            }
        }
    }

    /// The clusters so far.
    pub(super) fn clusters(&self, sketched: &[Sketched]) -> Clusters {
        let clusters = match self.mode {
            ClusterMode::Star => self.star.snapshot(),
            _ => self.linked(sketched.len()),
        };
        self.with_representatives(clusters, sketched)
    }

    /// The clusters, taking the tail apart.
    pub(super) fn finish(self, sketched: &[Sketched]) -> Clusters {
        let longest = self.keeps_longest();
        let clusters = match self.mode {
            ClusterMode::Star => self.star.finish(),
            _ => self.linked(sketched.len()),
        };
        representatives(clusters, longest, sketched)
    }

    /// The clusters of the edges so far, by components or average linkage.
    fn linked(&self, n: usize) -> Clusters {
        match self.mode {
            ClusterMode::Average => average_linkage(n, &self.edges, self.link_density),
            _ => cluster_pairs(n, &self.edges, ClusterMode::Components),
        }
    }

    fn with_representatives(&self, clusters: Clusters, sketched: &[Sketched]) -> Clusters {
        representatives(clusters, self.keeps_longest(), sketched)
    }
}

/// `clusters` with each representative the longest member (ties: the first) when
/// `longest`; as they are otherwise (the first member, or the star's centre).
fn representatives(mut clusters: Clusters, longest: bool, sketched: &[Sketched]) -> Clusters {
    if longest {
        clusters.choose_representatives(|id| Reverse(sketched[id.index()].len));
    }
    clusters
}

/// Clusters `sketched` (every article of a batch) from its verified `edges` (earlier,
/// later, match), sorted: each article's matches go through the [`Tail`] in input
/// order, as a live feed's would.
pub(super) fn cluster_batch(
    mode: ClusterMode,
    link_density: f64,
    representative: Representative,
    sketched: &[Sketched],
    edges: &[(DocId, DocId, Match)],
) -> Clusters {
    // The edges grouped by their later article, in the order given (a counting sort).
    let n = sketched.len();
    let mut starts = vec![0usize; n + 1];
    for &(_, b, _) in edges {
        starts[b.index() + 1] += 1;
    }
    for i in 0..n {
        starts[i + 1] += starts[i];
    }
    let mut next = starts.clone();
    let mut back = vec![(DocId(0), Match::SELF); edges.len()];
    for &(a, b, m) in edges {
        back[next[b.index()]] = (a, m);
        next[b.index()] += 1;
    }
    let mut tail = Tail::new(mode, link_density, representative);
    for i in 0..n {
        tail.add(&back[starts[i]..starts[i + 1]], &sketched[..=i]);
    }
    tail.finish(sketched)
}
