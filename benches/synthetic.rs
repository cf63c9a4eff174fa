//! A small deterministic generator of Arabic-like news with planted copies, shared by
//! the end-to-end bench and the peer comparison (`benches/peers`).
//!
//! Each story is 150–450 words drawn from a skewed vocabulary of made-up Arabic words,
//! in sentences. About a third of the stories get 1–5 copies from other outlets. Half
//! the copies are light reprints (a word in 170 replaced, dropped or inserted; spelling
//! variants — hamza on alef, ة/ه, ى/ي, tatweel, harakat — on 2% of words); half are
//! heavy rewrites (a word in 30 edited, variants on 12% of words, and half of them
//! lose their last paragraphs). Every article carries its outlet's page chrome (a
//! header and a footer). Same `seed`, same corpus, on every machine.

#![allow(dead_code, clippy::cast_sign_loss, clippy::cast_possible_truncation)]

/// One generated article.
pub struct SyntheticArticle {
    /// `syn-<index>`.
    pub id: String,
    /// The story it tells: articles with one story id are planted copies.
    pub story: u32,
    /// Chrome, body and chrome.
    pub text: String,
}

/// `SplitMix64`: a tiny, specified generator, so the corpus does not depend on a crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

const LETTERS: &[char] = &[
    'ا', 'ب', 'ت', 'ث', 'ج', 'ح', 'خ', 'د', 'ذ', 'ر', 'ز', 'س', 'ش', 'ص', 'ض', 'ط', 'ظ', 'ع', 'غ',
    'ف', 'ق', 'ك', 'ل', 'م', 'ن', 'ه', 'و', 'ي',
];

fn make_word(rng: &mut Rng) -> String {
    let len = 2 + rng.below(6) as usize;
    let mut w: String =
        (0..len).map(|_| LETTERS[rng.below(LETTERS.len() as u64) as usize]).collect();
    if rng.chance(0.25) {
        w.insert_str(0, "ال");
    }
    w
}

/// A spelling variant that normalisation undoes but byte comparison does not.
fn variant(word: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    match rng.below(5) {
        0 if chars.first() == Some(&'ا') => chars[0] = if rng.chance(0.5) { 'أ' } else { 'إ' },
        1 if chars.last() == Some(&'ه') => *chars.last_mut().unwrap_or(&mut 'ه') = 'ة',
        2 if chars.last() == Some(&'ي') => *chars.last_mut().unwrap_or(&mut 'ي') = 'ى',
        3 if chars.len() > 2 => chars.insert(1 + rng.below(chars.len() as u64 - 1) as usize, 'ـ'),
        _ => chars.insert(1, '\u{64E}'),
    }
    chars.into_iter().collect()
}

/// Generates `n` articles (about a quarter of them planted copies) from `seed`.
pub fn generate(n: usize, seed: u64) -> Vec<SyntheticArticle> {
    let mut out = Vec::with_capacity(n);
    for_each(n, seed, |a| out.push(a));
    out
}

/// [`generate`], handing each article to `f` as it is made, so that a million of them
/// never sit in memory at once (the scale benchmark streams them to a file).
pub fn for_each(n: usize, seed: u64, mut f: impl FnMut(SyntheticArticle)) {
    let mut rng = Rng(seed);
    let vocab: Vec<String> = (0..30_000).map(|_| make_word(&mut rng)).collect();
    let pick = |rng: &mut Rng| -> &str {
        // Skewed: a few words are very common, most are rare.
        let u = (rng.next() >> 11) as f64 / (1u64 << 53) as f64;
        &vocab[((u * u * u) * vocab.len() as f64) as usize]
    };
    let outlets: Vec<(String, String)> = (0..8)
        .map(|_| {
            let header: Vec<&str> = (0..10 + rng.below(10)).map(|_| pick(&mut rng)).collect();
            let footer: Vec<&str> = (0..10 + rng.below(15)).map(|_| pick(&mut rng)).collect();
            (format!("الخط : A- A+ {}", header.join(" ")), footer.join(" "))
        })
        .collect();
    let mut made = 0;
    let mut story = 0u32;
    while made < n {
        let len = 150 + rng.below(300) as usize;
        let words: Vec<String> = (0..len).map(|_| pick(&mut rng).to_string()).collect();
        let copies = if rng.chance(0.3) { 1 + rng.below(5) as usize } else { 0 };
        for c in 0..=copies {
            if made == n {
                break;
            }
            let outlet = &outlets[rng.below(outlets.len() as u64) as usize];
            let mut body: Vec<String> = Vec::with_capacity(len + 8);
            if c == 0 {
                body.extend(words.iter().cloned());
            } else {
                // Half the copies are light (a reprint), half heavy (an edited rewrite).
                let heavy = rng.chance(0.5);
                let (edit, spelling) = if heavy { (200, 0.12) } else { (1000, 0.02) };
                for w in &words {
                    match rng.below(edit) {
                        0..=3 => body.push(pick(&mut rng).to_string()),
                        4..=5 => {}
                        6..=7 => {
                            body.push(w.clone());
                            body.push(pick(&mut rng).to_string());
                        }
                        _ if rng.chance(spelling) => body.push(variant(w, &mut rng)),
                        _ => body.push(w.clone()),
                    }
                }
                if heavy && rng.chance(0.5) {
                    let keep = body.len() * (60 + rng.below(30) as usize) / 100;
                    body.truncate(keep);
                }
            }
            let mut text = String::with_capacity(len * 8);
            text.push_str(&outlet.0);
            text.push('\n');
            for (i, w) in body.iter().enumerate() {
                text.push_str(w);
                text.push(if i % 15 == 14 { '.' } else { ' ' });
                if i % 15 == 14 {
                    text.push(' ');
                }
            }
            text.push('\n');
            text.push_str(&outlet.1);
            f(SyntheticArticle { id: format!("syn-{made}"), story, text });
            made += 1;
        }
        story += 1;
    }
}
