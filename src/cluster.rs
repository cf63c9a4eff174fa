//! Stage 6: clusters of copies from verified pairs.
//!
//! Two ways to turn pairs into groups:
//!
//! - [`ClusterMode::Components`]: connected components (union-find). Complete, but it
//!   chains: if A~B and B~C, A and C share a cluster even when A≁C.
//! - [`ClusterMode::Star`]: no chaining. Articles are taken in input order; each joins
//!   the cluster of its most similar earlier article that founded a cluster (its
//!   *centre*), or founds one. Every member is a verified match of its centre. Because
//!   an article only looks back, the batch result equals the one built incrementally.
//!   It splits a story whose copies matched different earlier centres.
//! - [`ClusterMode::Average`]: average linkage. Every article starts alone; the two
//!   groups whose cross pairs are most often verified matches merge, while that share
//!   (the *link density*) is at least a minimum ([`DEFAULT_LINK_DENSITY`]). Copies of
//!   one story match each other nearly all, so they gather whatever the order they came
//!   in; a round-up matching two stories, or a template bulletin matching a few others,
//!   links groups whose other members do not match, and does not merge them. Last, an
//!   article left alone joins the cluster of its best match when that match is strong
//!   ([`ATTACH_SCORE`]): a condensed reprint or an item inside a round-up matches one or
//!   two of a story's copies, too few for the density.
//!
//! Output is deterministic: clusters are sorted by their first member, members by id,
//! and ties are broken by id.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use crate::corpus::DocId;
use crate::hash::FixedState;

/// How verified pairs become clusters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[non_exhaustive]
pub enum ClusterMode {
    /// Connected components: every chain of matches is one cluster.
    Components,
    /// Each member matches its cluster's centre (the first article of the cluster).
    #[default]
    Star,
    /// Average linkage: groups merge while at least the link density of their cross
    /// pairs are verified matches; an article left alone then joins its best match's
    /// cluster when that match scores at least [`ATTACH_SCORE`].
    Average,
}

impl ClusterMode {
    /// The mode a deduplicator clusters in unless told: average linkage with the
    /// edited-copy rule, star without (each the better on the dev set's `tune` split;
    /// without the rule, LSH alone does not pair up every near-identical copy of a large
    /// story, and average linkage would split it). [`ClusterMode::default`] is star, the
    /// mode of [`cluster_pairs`] on pairs from elsewhere.
    pub fn default_for(edited_copies: bool) -> Self {
        if edited_copies { ClusterMode::Average } else { ClusterMode::Star }
    }
}

/// The default share of two groups' cross pairs that must be verified matches for
/// [`ClusterMode::Average`] to merge them. Chosen on the dev set's `tune` split with the
/// edited-copy rule: 0.6 found no more copies and merged one more pair that is not one;
/// 0.5 found two more copies and merged three more such pairs.
pub const DEFAULT_LINK_DENSITY: f64 = 0.7;

crate::util::option_names! {
    /// Parses `"average"`, `"star"` or `"components"` (the
    /// [`Display`](std::fmt::Display) form).
    ///
    /// # Examples
    ///
    /// ```
    /// use nuskha::ClusterMode;
    ///
    /// assert_eq!("components".parse::<ClusterMode>()?, ClusterMode::Components);
    /// assert_eq!(ClusterMode::Star.to_string(), "star");
    /// assert_eq!(ClusterMode::Average.to_string(), "average");
    /// assert!("chains".parse::<ClusterMode>().is_err());
    /// # Ok::<(), nuskha::Error>(())
    /// ```
    ClusterMode, "mode", "cluster mode",
    Average => "average",
    Star => "star",
    Components => "components",
}

/// What made a verified pair a match.
///
/// # Examples
///
/// ```
/// use nuskha::MatchKind;
///
/// assert_eq!("containment".parse::<MatchKind>()?, MatchKind::Containment);
/// assert_eq!(MatchKind::SimHash.to_string(), "simhash");
/// assert!("cosine".parse::<MatchKind>().is_err());
/// # Ok::<(), nuskha::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[non_exhaustive]
pub enum MatchKind {
    /// Jaccard similarity (estimated or exact) reached the threshold; also a cluster of
    /// one's match with itself.
    #[default]
    Jaccard,
    /// Only containment did: the shorter article is mostly inside the longer one.
    Containment,
    /// The SimHash fingerprints are within the maximum distance.
    SimHash,
    /// Only the edited-copy rule did ([`EditedCopies`](crate::EditedCopies)): most of
    /// the shorter article's words and word pairs are in the longer one, and so are
    /// its distinctive shingles. The score is the mean of the word and word-pair
    /// containments. Star clusters prefer any other match; unlike containment it
    /// lets either article join the other's cluster (a truncated copy joins the full
    /// one: chosen on the dev set's `tune` split, where the one-way rule lost 0.3 of
    /// the recall).
    Edited,
    /// Only the aligned-copy rule did ([`AlignedCopies`](crate::AlignedCopies)): runs
    /// of words shared in the same order cover most of the shorter article (in any
    /// order of the runs), and its distinctive shingles are in the longer one. The
    /// score is the share covered. Star clusters treat it as an edited match.
    Aligned,
}

crate::util::option_names! {
    MatchKind, "match_kind", "match kind",
    Jaccard => "jaccard",
    Containment => "containment",
    SimHash => "simhash",
    Edited => "edited",
    Aligned => "aligned",
}

/// A verified pair's similarity and what made it a match.
///
/// # Examples
///
/// ```
/// use nuskha::{Match, MatchKind};
///
/// let m = Match::jaccard(0.9);
/// assert_eq!(m, Match { score: 0.9, kind: MatchKind::Jaccard });
/// assert!(Match { score: 0.85, kind: MatchKind::Containment }.by_containment());
/// assert_eq!(Match::SELF.score, 1.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Match {
    /// The similarity: Jaccard, containment, or 1 − Hamming distance/64 for SimHash.
    pub score: f64,
    /// Which measure reached its threshold.
    pub kind: MatchKind,
}

impl Match {
    /// An article's match with itself: Jaccard 1 (a cluster of one, a centre).
    pub const SELF: Match = Match { score: 1.0, kind: MatchKind::Jaccard };

    /// A match by Jaccard similarity `score`.
    pub const fn jaccard(score: f64) -> Self {
        Match { score, kind: MatchKind::Jaccard }
    }

    /// Whether only containment made it a match (star clusters prefer any other).
    pub fn by_containment(&self) -> bool {
        self.kind == MatchKind::Containment
    }

    /// How weak the evidence is, for star clusters' choice of centre: 0 for Jaccard
    /// and SimHash, 1 for containment, 2 for an edited or aligned copy.
    pub(crate) fn weakness(&self) -> u8 {
        match self.kind {
            MatchKind::Jaccard | MatchKind::SimHash => 0,
            MatchKind::Containment => 1,
            MatchKind::Edited | MatchKind::Aligned => 2,
        }
    }
}

/// One article in a cluster.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Member {
    /// The article.
    pub id: DocId,
    /// Its similarity to `matched` (1 for a cluster of one).
    pub score: f64,
    /// What made it a match of `matched` ([`MatchKind::Jaccard`] for a cluster of one).
    pub kind: MatchKind,
    /// The member it matched: the centre in star mode, its best match in components
    /// mode (itself for a cluster of one).
    pub matched: DocId,
}

/// A group of copies of one story.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Cluster {
    representative: DocId,
    members: Vec<Member>,
}

impl Cluster {
    /// The article that stands for the cluster.
    pub fn representative(&self) -> DocId {
        self.representative
    }

    /// All members, the representative included, sorted by id.
    pub fn members(&self) -> &[Member] {
        &self.members
    }

    /// The member ids, sorted.
    pub fn ids(&self) -> impl Iterator<Item = DocId> + '_ {
        self.members.iter().map(|m| m.id)
    }

    /// The number of members.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Never true: a cluster has at least one member. (For API symmetry.)
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
}

/// Every article's cluster, singletons included.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Clusters {
    clusters: Vec<Cluster>,
    /// For each article, the index of its cluster.
    of: Vec<u32>,
}

impl Clusters {
    /// All clusters, sorted by their first member.
    pub fn iter(&self) -> std::slice::Iter<'_, Cluster> {
        self.clusters.iter()
    }

    /// Clusters with two or more members: the groups of copies.
    pub fn copies(&self) -> impl Iterator<Item = &Cluster> {
        self.clusters.iter().filter(|c| c.len() > 1)
    }

    /// The number of clusters, singletons included.
    pub fn len(&self) -> usize {
        self.clusters.len()
    }

    /// True when there are no articles.
    pub fn is_empty(&self) -> bool {
        self.clusters.is_empty()
    }

    /// The number of articles.
    pub fn num_articles(&self) -> usize {
        self.of.len()
    }

    /// The cluster of article `id`.
    ///
    /// # Panics
    ///
    /// When `id` is not an article of this clustering.
    pub fn cluster_of(&self, id: DocId) -> &Cluster {
        &self.clusters[self.of[id.index()] as usize]
    }

    /// The representative of article `id`'s cluster.
    ///
    /// # Panics
    ///
    /// When `id` is not an article of this clustering.
    pub fn representative_of(&self, id: DocId) -> DocId {
        self.cluster_of(id).representative
    }

    /// Re-chooses every representative as the member with the smallest `key` (ties: the
    /// smallest id), e.g. the earliest publication time or the longest text
    /// (`|id| std::cmp::Reverse(len[id])`).
    pub fn choose_representatives<K: Ord>(&mut self, mut key: impl FnMut(DocId) -> K) {
        for c in &mut self.clusters {
            c.representative =
                c.members.iter().map(|m| m.id).min_by_key(|&id| (key(id), id)).unwrap_or_default();
        }
    }
}

impl<'a> IntoIterator for &'a Clusters {
    type Item = &'a Cluster;
    type IntoIter = std::slice::Iter<'a, Cluster>;

    fn into_iter(self) -> Self::IntoIter {
        self.clusters.iter()
    }
}

/// Clusters `n` articles from verified pairs `(a, b, match)`.
///
/// Pairs with an id ≥ `n` or `a == b` are ignored. The representative is the first
/// member (the centre in star mode); see [`Clusters::choose_representatives`].
///
/// # Examples
///
/// ```
/// use nuskha::{ClusterMode, DocId, Match, cluster_pairs};
///
/// // 0~1 and 1~2 match, 0 and 2 do not: a chain.
/// let pairs = [(DocId(0), DocId(1), Match::jaccard(0.9)), (DocId(1), DocId(2), Match::jaccard(0.8))];
/// let components = cluster_pairs(4, &pairs, ClusterMode::Components);
/// assert_eq!(components.len(), 2); // {0, 1, 2} and {3}
/// let star = cluster_pairs(4, &pairs, ClusterMode::Star);
/// assert_eq!(star.len(), 3); // {0, 1}, {2}, {3}: 2 does not match centre 0
/// assert_eq!(star.cluster_of(DocId(1)).members()[1].score, 0.9);
/// ```
///
/// In star mode a match by containment only is taken when the article has no other
/// match with a centre (see [`MatchKind::Containment`]).
pub fn cluster_pairs(n: usize, pairs: &[(DocId, DocId, Match)], mode: ClusterMode) -> Clusters {
    let mut edges: Vec<(DocId, DocId, Match)> = pairs
        .iter()
        .filter(|&&(a, b, _)| a != b && a.index() < n && b.index() < n)
        .map(|&(a, b, m)| if a < b { (a, b, m) } else { (b, a, m) })
        .collect();
    edges.sort_by(|x, y| (x.0, x.1).cmp(&(y.0, y.1)).then(y.2.score.total_cmp(&x.2.score)));
    edges.dedup_by(|x, y| (x.0, x.1) == (y.0, y.1));
    match mode {
        ClusterMode::Components => components(n, &edges),
        ClusterMode::Star => star_clusters(n, &edges),
        ClusterMode::Average => average_linkage(n, &edges, DEFAULT_LINK_DENSITY),
    }
}

/// A possible merge of two groups, named by their union-find roots, as the heap of
/// [`average_linkage`] orders them: the densest first, ties by the groups' first
/// members (so the result depends on nothing but the edges).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Link {
    /// Verified pairs between the groups.
    matches: u64,
    /// The product of the groups' sizes: the number of cross pairs.
    pairs: u64,
    roots: (usize, usize),
    /// The groups' first members, smaller first.
    firsts: (usize, usize),
}

impl Link {
    fn density(&self) -> f64 {
        self.matches as f64 / self.pairs as f64
    }
}

impl Ord for Link {
    fn cmp(&self, other: &Self) -> Ordering {
        // matches / pairs compared exactly.
        let mine = u128::from(self.matches) * u128::from(other.pairs);
        let theirs = u128::from(other.matches) * u128::from(self.pairs);
        mine.cmp(&theirs).then_with(|| other.firsts.cmp(&self.firsts))
    }
}

impl PartialOrd for Link {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Average-linkage clusters of `n` articles from sorted, deduplicated pairs (earlier,
/// later, match): the densest pair of groups merges while at least `min_density` of its
/// cross pairs are verified matches. Each member's `matched` is its best match in its
/// cluster, as in components mode.
pub(crate) fn average_linkage(
    n: usize,
    edges: &[(DocId, DocId, Match)],
    min_density: f64,
) -> Clusters {
    let mut groups = UnionFind::new(n);
    // Verified pairs between groups, kept at the roots.
    let mut links: Vec<HashMap<usize, u64, FixedState>> = vec![HashMap::default(); n];
    for &(a, b, _) in edges {
        *links[a.index()].entry(b.index()).or_default() += 1;
        *links[b.index()].entry(a.index()).or_default() += 1;
    }
    let link = |groups: &mut UnionFind, x: usize, y: usize, matches: u64| {
        let (fx, fy) = (groups.first(x), groups.first(y));
        Link {
            matches,
            pairs: (groups.size_of(x) * groups.size_of(y)) as u64,
            roots: (x, y),
            firsts: (fx.min(fy), fx.max(fy)),
        }
    };
    let mut heap = BinaryHeap::new();
    for &(a, b, _) in edges {
        heap.push(link(&mut groups, a.index(), b.index(), 1));
    }
    while let Some(top) = heap.pop() {
        if top.density() < min_density {
            break;
        }
        let (x, y) = top.roots;
        // A link is stale once either group has merged or the count has moved on.
        let current = groups.find(x) == x
            && groups.find(y) == y
            && links[x].get(&y) == Some(&top.matches)
            && (groups.size_of(x) * groups.size_of(y)) as u64 == top.pairs;
        if !current {
            continue;
        }
        let root = groups.union(x, y);
        let other = if root == x { y } else { x };
        let moved = std::mem::take(&mut links[other]);
        links[root].remove(&other);
        for (z, m) in moved {
            if z == root {
                continue;
            }
            *links[root].entry(z).or_default() += m;
            let from_z = links[z].remove(&other).unwrap_or_default();
            *links[z].entry(root).or_default() += from_z;
        }
        // Links order totally (ties by first members), so the pops do not depend on
        // the order of these pushes.
        let next: Vec<(usize, u64)> = links[root].iter().map(|(&z, &m)| (z, m)).collect();
        for (z, m) in next {
            heap.push(link(&mut groups, root, z, m));
        }
    }
    attach_alone(n, &mut groups, edges);
    clusters_of(n, edges, |i| groups.find(i))
}

/// The score at which an article that average linkage left alone joins the cluster of
/// its best match ([`ClusterMode::Average`]'s last step). Chosen on the dev set's
/// `tune` split with the edited-copy rule: weighted recall 0.867 → 0.903 at the same
/// precision (0.985) anywhere from 0.70 to 0.75; 0.65 joins one more pair that is not
/// a copy, 0.6 three, and 0.78 leaves a condensed reprint out.
pub const ATTACH_SCORE: f64 = 0.7;

/// Each article alone after the linkage joins the group of its best match (the highest
/// score, ties the smaller id) when that match scores at least [`ATTACH_SCORE`]: a
/// reprint condensed two days later, or a short item inside a round-up, matches one or
/// two of a story's many copies, too few for the density, but strongly. Its partner is
/// never alone (two lone articles that match have merged), so no chain forms, and the
/// attachments are decided before any is made: the order does not matter.
fn attach_alone(n: usize, groups: &mut UnionFind, edges: &[(DocId, DocId, Match)]) {
    let mut best: Vec<Option<(f64, usize)>> = vec![None; n];
    for &(a, b, m) in edges {
        for (x, y) in [(a.index(), b.index()), (b.index(), a.index())] {
            let better = best[x].is_none_or(|(s, z)| m.score > s || (m.score == s && y < z));
            if better {
                best[x] = Some((m.score, y));
            }
        }
    }
    let joins: Vec<(usize, usize)> = (0..n)
        .filter(|&x| groups.size_of(x) == 1)
        .filter_map(|x| best[x].filter(|&(s, _)| s >= ATTACH_SCORE).map(|(_, y)| (x, y)))
        .collect();
    for (x, y) in joins {
        groups.union(x, y);
    }
}

/// Clusters of `n` articles, `group(i)` naming article `i`'s: each cluster's first
/// member is its representative, and each member's `matched` its best match among
/// `edges` inside the cluster (ties: the smaller id; itself when it has none).
fn clusters_of(
    n: usize,
    edges: &[(DocId, DocId, Match)],
    mut group: impl FnMut(usize) -> usize,
) -> Clusters {
    let names: Vec<usize> = (0..n).map(&mut group).collect();
    let mut best: Vec<Option<(Match, DocId)>> = vec![None; n];
    for &(a, b, m) in edges {
        if names[a.index()] != names[b.index()] {
            continue;
        }
        for (x, y) in [(a, b), (b, a)] {
            let e = &mut best[x.index()];
            if e.is_none_or(|(em, ey)| m.score > em.score || (m.score == em.score && y < ey)) {
                *e = Some((m, y));
            }
        }
    }
    let mut cluster_of_name = vec![u32::MAX; n];
    let mut clusters: Vec<Cluster> = Vec::new();
    let mut of = vec![0u32; n];
    for i in 0..n {
        let name = names[i];
        if cluster_of_name[name] == u32::MAX {
            cluster_of_name[name] = clusters.len() as u32;
            clusters.push(Cluster { representative: DocId(i as u32), members: Vec::new() });
        }
        let c = cluster_of_name[name];
        of[i] = c;
        let (m, matched) = best[i].unwrap_or((Match::SELF, DocId(i as u32)));
        let member = Member { id: DocId(i as u32), score: m.score, kind: m.kind, matched };
        clusters[c as usize].members.push(member);
    }
    Clusters { clusters, of }
}

/// Star clusters from sorted, deduplicated pairs (earlier, later, match).
pub(crate) fn star_clusters(n: usize, edges: &[(DocId, DocId, Match)]) -> Clusters {
    let mut back: Vec<Vec<(DocId, Match)>> = vec![Vec::new(); n];
    for &(a, b, m) in edges {
        back[b.index()].push((a, m));
    }
    let mut star = StarBuilder::default();
    for earlier in back {
        star.push(&earlier);
    }
    star.finish()
}

pub(crate) fn components(n: usize, edges: &[(DocId, DocId, Match)]) -> Clusters {
    let mut uf = UnionFind::new(n);
    for &(a, b, _) in edges {
        uf.union(a.index(), b.index());
    }
    clusters_of(n, edges, |i| uf.find(i))
}

/// Builds star clusters one article at a time, in input order; shared by the batch and
/// the incremental paths so that both give the same result.
#[derive(Debug, Clone, Default)]
pub(crate) struct StarBuilder {
    clusters: Vec<Cluster>,
    of: Vec<u32>,
    is_centre: Vec<bool>,
}

impl StarBuilder {
    /// Adds the next article, given its verified matches among earlier articles;
    /// returns the index of the cluster it joined or founded. A match by containment
    /// only is taken when there is no other.
    pub(crate) fn push(&mut self, earlier: &[(DocId, Match)]) -> usize {
        let id = DocId(self.of.len() as u32);
        let centre = earlier
            .iter()
            .filter(|(d, _)| d.index() < self.is_centre.len() && self.is_centre[d.index()])
            .max_by(|(x, m), (y, n)| {
                n.weakness().cmp(&m.weakness()).then(m.score.total_cmp(&n.score)).then(y.cmp(x))
            })
            .copied();
        let c = if let Some((centre, m)) = centre {
            let c = self.of[centre.index()] as usize;
            let member = Member { id, score: m.score, kind: m.kind, matched: centre };
            self.clusters[c].members.push(member);
            self.is_centre.push(false);
            c
        } else {
            self.clusters.push(Cluster {
                representative: id,
                members: vec![Member { id, score: 1.0, kind: MatchKind::Jaccard, matched: id }],
            });
            self.is_centre.push(true);
            self.clusters.len() - 1
        };
        self.of.push(c as u32);
        c
    }

    /// The cluster at `index` so far.
    pub(crate) fn cluster(&self, index: usize) -> &Cluster {
        &self.clusters[index]
    }

    pub(crate) fn finish(self) -> Clusters {
        Clusters { clusters: self.clusters, of: self.of }
    }

    pub(crate) fn snapshot(&self) -> Clusters {
        Clusters { clusters: self.clusters.clone(), of: self.of.clone() }
    }
}

/// Union-find with path halving and union by size, tracking each set's smallest member.
#[derive(Debug, Clone)]
pub(crate) struct UnionFind {
    parent: Vec<usize>,
    size: Vec<usize>,
    /// Smallest member, valid at roots.
    min: Vec<usize>,
}

impl UnionFind {
    pub(crate) fn new(n: usize) -> Self {
        UnionFind { parent: (0..n).collect(), size: vec![1; n], min: (0..n).collect() }
    }

    pub(crate) fn push(&mut self) -> usize {
        let id = self.parent.len();
        self.parent.push(id);
        self.size.push(1);
        self.min.push(id);
        id
    }

    /// The smallest member of `x`'s set.
    pub(crate) fn first(&mut self, x: usize) -> usize {
        let root = self.find(x);
        self.min[root]
    }

    pub(crate) fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    /// Joins the sets of `a` and `b`; returns the root of the joined set.
    pub(crate) fn union(&mut self, a: usize, b: usize) -> usize {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return a;
        }
        if self.size[a] < self.size[b] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b] = a;
        self.size[a] += self.size[b];
        self.min[a] = self.min[a].min(self.min[b]);
        a
    }

    /// The number of members of `x`'s set.
    pub(crate) fn size_of(&mut self, x: usize) -> usize {
        let root = self.find(x);
        self.size[root]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(c: &Cluster) -> Vec<u32> {
        c.ids().map(|d| d.0).collect()
    }

    #[test]
    fn components_chain_and_star_does_not() {
        let pairs = [
            (DocId(2), DocId(1), Match::jaccard(0.8)),
            (DocId(0), DocId(1), Match::jaccard(0.9)),
            (DocId(3), DocId(4), Match::jaccard(0.7)),
        ];
        let comp = cluster_pairs(6, &pairs, ClusterMode::Components);
        let got: Vec<Vec<u32>> = comp.iter().map(ids).collect();
        assert_eq!(got, [vec![0, 1, 2], vec![3, 4], vec![5]]);
        assert_eq!(comp.representative_of(DocId(2)), DocId(0));
        assert_eq!(comp.cluster_of(DocId(1)).members()[1].matched, DocId(0));

        let star = cluster_pairs(6, &pairs, ClusterMode::Star);
        let got: Vec<Vec<u32>> = star.iter().map(ids).collect();
        assert_eq!(got, [vec![0, 1], vec![2], vec![3, 4], vec![5]]);
        assert_eq!(star.copies().count(), 2);
    }

    #[test]
    fn star_joins_the_most_similar_centre() {
        // 2 matches centres 0 (0.6) and 1 (0.9): joins 1.
        let pairs =
            [(DocId(0), DocId(2), Match::jaccard(0.6)), (DocId(1), DocId(2), Match::jaccard(0.9))];
        let star = cluster_pairs(3, &pairs, ClusterMode::Star);
        assert_eq!(star.representative_of(DocId(2)), DocId(1));
        assert_eq!(star.cluster_of(DocId(2)).members()[1].score, 0.9);
    }

    #[test]
    fn representatives_by_key() {
        let m = Match::jaccard(0.9);
        let pairs = [(DocId(0), DocId(1), m), (DocId(1), DocId(2), m), (DocId(0), DocId(2), m)];
        let mut c = cluster_pairs(3, &pairs, ClusterMode::Star);
        let lengths = [10, 30, 30];
        c.choose_representatives(|id| std::cmp::Reverse(lengths[id.index()]));
        assert_eq!(c.representative_of(DocId(0)), DocId(1), "longest, ties to the smaller id");
    }

    #[test]
    fn star_prefers_any_match_to_containment_and_members_keep_their_kind() {
        // 2 is contained in centre 0 (0.95) and matches centre 1 by Jaccard (0.6).
        let contained = Match { score: 0.95, kind: MatchKind::Containment };
        let pairs = [(DocId(0), DocId(2), contained), (DocId(1), DocId(2), Match::jaccard(0.6))];
        let star = cluster_pairs(3, &pairs, ClusterMode::Star);
        assert_eq!(star.representative_of(DocId(2)), DocId(1));
        let member = star.cluster_of(DocId(2)).members()[1];
        assert_eq!((member.kind, member.score), (MatchKind::Jaccard, 0.6));
        assert_eq!(star.cluster_of(DocId(0)).members()[0].kind, MatchKind::Jaccard);
        let comp = cluster_pairs(3, &pairs[..1], ClusterMode::Components);
        assert_eq!(comp.cluster_of(DocId(2)).members()[1].kind, MatchKind::Containment);
    }

    #[test]
    fn match_kinds_round_trip_through_strings() {
        for kind in [
            MatchKind::Jaccard,
            MatchKind::Containment,
            MatchKind::SimHash,
            MatchKind::Edited,
            MatchKind::Aligned,
        ] {
            assert_eq!(kind.to_string().parse::<MatchKind>().unwrap(), kind);
        }
        for mode in [ClusterMode::Star, ClusterMode::Components] {
            assert_eq!(mode.to_string().parse::<ClusterMode>().unwrap(), mode);
        }
        let err = "Star".parse::<ClusterMode>().unwrap_err().to_string();
        assert!(err.contains("unknown cluster mode `Star`"), "{err}");
    }

    #[test]
    fn ignores_self_and_out_of_range_pairs() {
        let pairs = [(DocId(0), DocId(0), Match::SELF), (DocId(0), DocId(9), Match::SELF)];
        assert_eq!(cluster_pairs(2, &pairs, ClusterMode::Components).len(), 2);
        assert!(cluster_pairs(0, &[], ClusterMode::Star).is_empty());
    }

    /// Average linkage the slow way: every round, every pair of groups is scored and
    /// the densest (ties: the smallest first members) merges while dense enough; then
    /// each lone article joins its best match's group when that scores enough.
    fn naive_average_linkage(n: usize, edges: &[(DocId, DocId, Match)], min: f64) -> Vec<Vec<u32>> {
        let mut groups: Vec<Vec<u32>> = (0..n as u32).map(|i| vec![i]).collect();
        let linked =
            |x: u32, y: u32| edges.iter().any(|&(a, b, _)| (a.0, b.0) == (x.min(y), x.max(y)));
        loop {
            // (matches, pairs, first members, i, j) of the densest pair of groups.
            type Best = (u64, u64, (u32, u32), usize, usize);
            let mut best: Option<Best> = None;
            for i in 0..groups.len() {
                for j in i + 1..groups.len() {
                    let m = groups[i]
                        .iter()
                        .flat_map(|&x| groups[j].iter().map(move |&y| (x, y)))
                        .filter(|&(x, y)| linked(x, y))
                        .count() as u64;
                    let pairs = (groups[i].len() * groups[j].len()) as u64;
                    let firsts = (groups[i][0].min(groups[j][0]), groups[i][0].max(groups[j][0]));
                    let better = best.is_none_or(|(bm, bp, bf, _, _)| {
                        let (me, them) =
                            (u128::from(m) * u128::from(bp), u128::from(bm) * u128::from(pairs));
                        me > them || (me == them && firsts < bf)
                    });
                    if m > 0 && better {
                        best = Some((m, pairs, firsts, i, j));
                    }
                }
            }
            match best {
                Some((m, pairs, _, i, j)) if m as f64 / pairs as f64 >= min => {
                    let moved = groups.remove(j);
                    groups[i].extend(moved);
                    groups[i].sort_unstable();
                }
                _ => break,
            }
        }
        // Each lone article's best match (highest score, then smallest id), and the
        // group it joins when that scores at least ATTACH_SCORE, all decided first.
        let group_of = |x: u32, groups: &[Vec<u32>]| groups.iter().position(|g| g.contains(&x));
        let mut joins = Vec::new();
        for (gi, g) in groups.iter().enumerate() {
            let &[x] = g.as_slice() else { continue };
            let best = edges
                .iter()
                .filter_map(|&(a, b, m)| match (a.0 == x, b.0 == x) {
                    (true, _) => Some((m.score, b.0)),
                    (_, true) => Some((m.score, a.0)),
                    _ => None,
                })
                .max_by(|p, q| p.0.total_cmp(&q.0).then(q.1.cmp(&p.1)));
            if let Some((_, y)) = best.filter(|&(s, _)| s >= ATTACH_SCORE) {
                joins.push((gi, group_of(y, &groups).expect("every article has a group")));
            }
        }
        let mut joined = groups.clone();
        for &(alone, to) in &joins {
            joined[to].push(groups[alone][0]);
            joined[alone].clear();
        }
        let mut joined: Vec<Vec<u32>> = joined.into_iter().filter(|g| !g.is_empty()).collect();
        for g in &mut joined {
            g.sort_unstable();
        }
        joined.sort();
        joined
    }

    #[test]
    fn average_linkage_equals_the_naive_algorithm() {
        use crate::hash::mix64;
        for seed in 0..40u64 {
            let n = 4 + (mix64(seed, 1) % 20) as usize;
            // Dense blocks (stories) with some links between them (templates, round-ups).
            let mut edges = Vec::new();
            for a in 0..n {
                for b in a + 1..n {
                    let same = a / 4 == b / 4;
                    let r = mix64(seed * 10_000 + (a * n + b) as u64, 2) % 100;
                    if (same && r < 80) || (!same && r < 12) {
                        edges.push((
                            DocId(a as u32),
                            DocId(b as u32),
                            Match::jaccard(0.5 + r as f64 / 200.0),
                        ));
                    }
                }
            }
            for min in [0.3, 0.5, 0.7, 1.0] {
                let got = average_linkage(n, &edges, min);
                let mut got: Vec<Vec<u32>> = got.iter().map(ids).collect();
                got.sort();
                assert_eq!(got, naive_average_linkage(n, &edges, min), "seed {seed} min {min}");
            }
        }
    }

    #[test]
    fn average_linkage_keeps_a_story_whole_and_a_roundup_from_gluing() {
        let m = Match::jaccard(0.9);
        let e = |a: u32, b: u32| (DocId(a), DocId(b), m);
        // 0, 1, 2 copies of one story; 3 and 4 of another; 5 a round-up matching 0 and 3.
        let pairs = [e(0, 1), e(1, 2), e(0, 2), e(3, 4), e(0, 5), e(3, 5)];
        let c = cluster_pairs(6, &pairs, ClusterMode::Average);
        let got: Vec<Vec<u32>> = c.iter().map(ids).collect();
        // The round-up, left alone, joins the story of its best match (ties: the
        // earlier); the two stories stay apart.
        assert_eq!(got, [vec![0, 1, 2, 5], vec![3, 4]]);
        // A chain whose ends do not match: 2 of 3 cross pairs → merged at 0.6, not 0.7
        // (and 3's matches are too weak to attach it).
        let weak =
            |a: u32, b: u32| (DocId(a), DocId(b), Match { score: 0.65, kind: MatchKind::Edited });
        let chain = [e(0, 1), e(1, 2), e(0, 2), weak(2, 3), weak(1, 3)];
        let at = |d| {
            let c = average_linkage(4, &chain, d);
            c.iter().map(ids).collect::<Vec<_>>()
        };
        assert_eq!(at(0.6), [vec![0, 1, 2, 3]]);
        assert_eq!(at(0.7), [vec![0, 1, 2], vec![3]]);
        // Members name their best match inside the cluster.
        let c = average_linkage(4, &chain, 0.7);
        assert_eq!(c.cluster_of(DocId(2)).members()[2].matched, DocId(0));
        assert_eq!(c.cluster_of(DocId(3)).members()[0].matched, DocId(3));
    }

    #[test]
    fn a_lone_article_joins_its_best_match_when_strong_enough() {
        let e = |a: u32, b: u32, m: Match| (DocId(a), DocId(b), m);
        let j = Match::jaccard;
        // 0..=3 one story, all matching; 4 a condensed reprint matching only 1, strongly;
        // 5 matching 2 too weakly; 6 matching 0 and 3 equally: it joins by the smaller id.
        let mut pairs = vec![];
        for a in 0..4 {
            for b in a + 1..4 {
                pairs.push(e(a, b, j(0.9)));
            }
        }
        pairs.extend([e(1, 4, j(0.8)), e(2, 5, Match { score: 0.69, kind: MatchKind::Edited })]);
        // 7, 8: another story; 9 matches it (0.75) and the first story (0.7): the better.
        pairs.extend([e(7, 8, j(0.9)), e(0, 9, j(0.7)), e(7, 9, j(0.75))]);
        let c = average_linkage(10, &pairs, 0.7);
        let got: Vec<Vec<u32>> = c.iter().map(ids).collect();
        assert_eq!(got, [vec![0, 1, 2, 3, 4], vec![5], vec![6], vec![7, 8, 9]]);
        assert_eq!(c.cluster_of(DocId(4)).members()[4].matched, DocId(1));
        // At exactly the score it joins.
        let at = [e(0, 1, j(0.9)), e(0, 2, j(0.9)), e(1, 2, j(0.9)), e(2, 3, j(ATTACH_SCORE))];
        assert_eq!(average_linkage(4, &at, 0.7).len(), 1);
    }
}
