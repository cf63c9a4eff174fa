//! 64 bytes at a time: how far the fast pass may copy without looking at each
//! character.
//!
//! Arabic news is three quarters Arabic letters that no option of the profile changes,
//! and a sixth single spaces. The byte-by-byte pass pays a mispredicted branch at
//! nearly every word break; [`Window::classify`] instead marks, for the 64 bytes at a
//! position, which are such letters, letters that options fold to another letter of the
//! same length, lowercase ASCII letters and digits, ASCII punctuation or spaces, with
//! SSE2 compares where the target has them (through `safe_arch`, so the crate stays
//! free of `unsafe`) and a byte loop elsewhere. Both give the same masks (tested), so
//! the output never depends on the machine.

use super::arabic::{Action, ArabicTable};

/// Continuation bytes of the two-byte letters that some option folds to another
/// two-byte letter: آ أ ؤ إ ئ ة after 0xD8 (U+0622..=U+0626, U+0629) and ى after 0xD9
/// (U+0649). The fast pass asks the table what each becomes.
const fn folded_after_d8(x: u8) -> bool {
    matches!(x, 0xA2..=0xA6 | 0xA9)
}

const fn folded_after_d9(x: u8) -> bool {
    x == 0x89
}

/// The letters the scan passes, kept or folded: after 0xD8 a single range (ء…غ,
/// U+0621..=U+063A), after 0xD9 another (ف…ي, U+0641..=U+064A), so one compare each.
const fn letter_after_d8(x: u8) -> bool {
    matches!(x, 0xA1..=0xBA)
}

const fn letter_after_d9(x: u8) -> bool {
    matches!(x, 0x81..=0x8A)
}

/// Where [`fold_table`] keeps what the folded letter with these two bytes becomes.
#[inline]
pub(super) fn fold_index(lead: u8, cont: u8) -> usize {
    if lead == 0xD9 { 5 } else { usize::from(cont.wrapping_sub(0xA2)) & 7 }
}

/// The UTF-8 bytes each folded letter becomes under `table` (itself, if kept), at
/// [`fold_index`].
pub(super) fn fold_table(table: &ArabicTable) -> [[u8; 2]; 8] {
    let mut folds = [[0; 2]; 8];
    let letters = [0x622, 0x623, 0x624, 0x625, 0x626, 0x629, 0x649];
    for c in letters.into_iter().filter_map(char::from_u32) {
        let target = match table.action(c) {
            Action::Map(m) if m.len_utf8() == 2 => m,
            _ => c,
        };
        let mut bytes = [0; 4];
        target.encode_utf8(&mut bytes);
        let mut own = [0; 4];
        c.encode_utf8(&mut own);
        folds[fold_index(own[0], own[1])] = [bytes[0], bytes[1]];
    }
    folds
}

/// ASCII that the fast pass keeps without noting a word break: `a`–`z`, `0`–`9`.
const fn word_ascii(x: u8) -> bool {
    x.is_ascii_lowercase() || x.is_ascii_digit()
}

/// ASCII punctuation: kept, and a word break for the tokeniser.
const fn punctuation(x: u8) -> bool {
    matches!(x, b'!'..=b'/' | b':'..=b'@' | b'['..=b'`' | b'{'..=b'~')
}

/// Bit masks over the 16 bytes at a position (bit `j` is byte `j`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Block {
    /// Bytes of the Arabic letters every option keeps or folds to a letter of the same
    /// length, lead and continuation; bit 16 is the continuation of a letter whose lead
    /// is byte 15.
    pub letters: u32,
    /// Lead bytes of the letters that options fold (their continuations follow).
    pub folds: u32,
    /// Lowercase ASCII letters and digits.
    pub word: u32,
    /// ASCII punctuation.
    pub punct: u32,
    /// Spaces (U+0020).
    pub space: u32,
}

/// Up to this many bytes into a window, the fast pass reads the rest of it again
/// ([`Window::after`]) after a stop; past them, it classifies a new one. Of 16, 32, 48
/// and 62, 48 made the fewest instructions on SaudiNewsNet, 1.7% of a run's fewer than
/// a new window after every stop (one in about 100 bytes: the Arabic comma, a
/// newline, a diacritic, guillemets).
pub(super) const REUSE_UP_TO: usize = 48;

/// The masks of [`Block`] over 64 bytes: four blocks whose loads do not wait on each
/// other. One block at a time, each block's compares waited for the previous block's
/// length; this hides that latency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Window {
    /// As [`Block::letters`]; a continuation past byte 63 is not marked.
    pub letters: u64,
    pub folds: u64,
    pub word: u64,
    pub punct: u64,
    pub space: u64,
}

impl Window {
    /// The masks for `bytes[at..at + 64]`, or `None` when fewer than 65 bytes are left.
    #[inline]
    pub fn classify(bytes: &[u8], at: usize) -> Option<Window> {
        let chunk: &[u8; 65] = bytes.get(at..at + 65)?.try_into().ok()?;
        let mut window = Window::default();
        for k in 0..4 {
            let here: &[u8; 16] = chunk[16 * k..16 * k + 16].try_into().ok()?;
            let next: &[u8; 16] = chunk[16 * k + 1..16 * k + 17].try_into().ok()?;
            let block = Block::of(here, next);
            let shift = 16 * k;
            window.letters |= u64::from(block.letters) << shift;
            window.folds |= u64::from(block.folds) << shift;
            window.word |= u64::from(block.word) << shift;
            window.punct |= u64::from(block.punct) << shift;
            window.space |= u64::from(block.space) << shift;
        }
        Some(window)
    }

    /// The masks from `skip` bytes on (`skip` < 64): bit `j` is byte `skip + j` of the
    /// window, and the bytes past its end are in none of the classes. A stop inside a
    /// window then costs no new classification of the bytes after it.
    #[inline]
    pub fn after(self, skip: usize) -> Window {
        Window {
            letters: self.letters >> skip,
            folds: self.folds >> skip,
            word: self.word >> skip,
            punct: self.punct >> skip,
            space: self.space >> skip,
        }
    }
}

impl Block {
    /// The byte-loop version: the reference for the SIMD one, and the one used where
    /// there is no SSE2.
    #[cfg_attr(
        all(any(target_arch = "x86", target_arch = "x86_64"), target_feature = "sse2"),
        allow(dead_code)
    )]
    fn of_bytes(here: &[u8; 16], next: &[u8; 16]) -> Block {
        let mask =
            |f: &dyn Fn(usize) -> bool| (0..16).fold(0u32, |m, j| m | (u32::from(f(j)) << j));
        let leads = mask(&|j| {
            (here[j] == 0xD8 && letter_after_d8(next[j]))
                || (here[j] == 0xD9 && letter_after_d9(next[j]))
        });
        let folds = mask(&|j| {
            (here[j] == 0xD8 && folded_after_d8(next[j]))
                || (here[j] == 0xD9 && folded_after_d9(next[j]))
        });
        Block {
            letters: leads | (leads << 1),
            folds,
            word: mask(&|j| word_ascii(here[j])),
            punct: mask(&|j| punctuation(here[j])),
            space: mask(&|j| here[j] == b' '),
        }
    }

    #[cfg(not(all(any(target_arch = "x86", target_arch = "x86_64"), target_feature = "sse2")))]
    #[inline]
    fn of(here: &[u8; 16], next: &[u8; 16]) -> Block {
        Self::of_bytes(here, next)
    }

    #[cfg(all(any(target_arch = "x86", target_arch = "x86_64"), target_feature = "sse2"))]
    #[inline]
    fn of(here: &[u8; 16], next: &[u8; 16]) -> Block {
        use safe_arch::{
            bitand_m128i as and, bitandnot_m128i, bitor_m128i as or, cmp_eq_mask_i8_m128i,
            load_unaligned_m128i, m128i, min_u8_m128i, move_mask_i8_m128i, set_splat_i8_m128i,
            sub_i8_m128i,
        };
        #[allow(clippy::cast_possible_wrap)]
        let splat = |x: u8| set_splat_i8_m128i(x as i8);
        let eq = |v: m128i, x: u8| cmp_eq_mask_i8_m128i(v, splat(x));
        // lo <= v <= hi, unsigned: v - lo (wrapping) is at most hi - lo.
        let range = |v: m128i, lo: u8, hi: u8| {
            let d = sub_i8_m128i(v, splat(lo));
            cmp_eq_mask_i8_m128i(min_u8_m128i(d, splat(hi - lo)), d)
        };
        #[allow(clippy::cast_sign_loss)]
        let bits = |v: m128i| (move_mask_i8_m128i(v) as u32) & 0xFFFF;

        let v = load_unaligned_m128i(here);
        let w = load_unaligned_m128i(next);
        let (d8, d9) = (eq(v, 0xD8), eq(v, 0xD9));
        let leads = bits(or(and(d8, range(w, 0xA1, 0xBA)), and(d9, range(w, 0x81, 0x8A))));
        let folded_d8 = or(range(w, 0xA2, 0xA6), eq(w, 0xA9));
        let folds = bits(or(and(d8, folded_d8), and(d9, eq(w, 0x89))));
        // Punctuation: printable ASCII that is not a letter or digit.
        let word = or(range(v, b'a', b'z'), range(v, b'0', b'9'));
        let punct = bitandnot_m128i(or(word, range(v, b'A', b'Z')), range(v, b'!', b'~'));
        Block {
            letters: leads | (leads << 1),
            folds,
            word: bits(word),
            punct: bits(punct),
            space: bits(eq(v, b' ')),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::arabic::{TableOptions, is_arabic_letter};

    /// Continuation bytes of the letters after lead byte 0xD8 that every option of the
    /// profile keeps: ء ا ب and ت…غ (U+0621, U+0627, U+0628, U+062A..=U+063A).
    const fn kept_after_d8(x: u8) -> bool {
        matches!(x, 0xA1 | 0xA7 | 0xA8 | 0xAA..=0xBA)
    }

    /// Continuation bytes of the letters after lead byte 0xD9 that every option keeps:
    /// ف…و and ي (U+0641..=U+0648, U+064A).
    const fn kept_after_d9(x: u8) -> bool {
        matches!(x, 0x81..=0x88 | 0x8A)
    }

    /// The letters the scan passes are kept by every option combination's table, and
    /// the ones it folds become Arabic letters of the same length or stay, so the scan
    /// never skips a character the table would treat otherwise.
    /// The table of one combination of the four options, one bit each.
    fn table_of(bits: u8) -> ArabicTable {
        ArabicTable::new(TableOptions {
            keep_ta_marbuta: bits & 1 != 0,
            keep_alef_maksura: bits & 2 != 0,
            hamza_to_base: bits & 4 != 0,
            keep_punctuation: bits & 8 != 0,
        })
    }

    #[test]
    fn scanned_letters_are_kept_or_folded_alike_by_every_profile() {
        for bits in 0..16u8 {
            let table = table_of(bits);
            for lead in [0xD8u8, 0xD9] {
                for cont in 0x80..=0xBFu8 {
                    let kept = if lead == 0xD8 { kept_after_d8(cont) } else { kept_after_d9(cont) };
                    let index = (usize::from(lead & 3) << 6) | usize::from(cont & 0x3F);
                    let folded =
                        if lead == 0xD8 { folded_after_d8(cont) } else { folded_after_d9(cont) };
                    let letter =
                        if lead == 0xD8 { letter_after_d8(cont) } else { letter_after_d9(cont) };
                    assert_eq!(letter, kept || folded, "{lead:X} {cont:X}");
                    if kept {
                        assert!(table.keeps(index), "{lead:X} {cont:X}, options {bits:b}");
                    }
                    if folded {
                        let c = char::from_u32(0x600 + index as u32).unwrap();
                        // Kept, or folded to an Arabic letter of the same length.
                        match table.action(c) {
                            Action::Keep => {}
                            Action::Map(m) => {
                                assert!(m.len_utf8() == 2 && is_arabic_letter(m), "{c}");
                            }
                            other => panic!("{c}: {other:?}"),
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn fold_table_matches_the_table() {
        for bits in 0..8u8 {
            let table = table_of(bits);
            let folds = fold_table(&table);
            for lead in [0xD8u8, 0xD9] {
                for cont in (0x80..=0xBFu8)
                    .filter(|&c| if lead == 0xD8 { folded_after_d8(c) } else { folded_after_d9(c) })
                {
                    let c = std::str::from_utf8(&[lead, cont]).unwrap().chars().next().unwrap();
                    let expected = match table.action(c) {
                        Action::Map(m) => m,
                        _ => c,
                    };
                    let got = folds[fold_index(lead, cont)];
                    assert_eq!(std::str::from_utf8(&got).unwrap(), expected.to_string(), "{c}");
                }
            }
        }
        // The default profile: أ to ا, ة to ه, ى to ي, ؤ to ء.
        let folds = fold_table(&ArabicTable::new(TableOptions::default()));
        assert_eq!(folds[fold_index(0xD8, 0xA3)], *"ا".as_bytes().first_chunk().unwrap());
        assert_eq!(folds[fold_index(0xD8, 0xA9)], *"ه".as_bytes().first_chunk().unwrap());
        assert_eq!(folds[fold_index(0xD9, 0x89)], *"ي".as_bytes().first_chunk().unwrap());
        assert_eq!(folds[fold_index(0xD8, 0xA4)], *"ء".as_bytes().first_chunk().unwrap());
    }

    #[test]
    fn simd_masks_equal_the_byte_loop() {
        // Every byte value in every position, against the interesting neighbours.
        let interesting = [
            0x00, b' ', b'!', b'/', b'0', b'9', b':', b'@', b'A', b'[', b'`', b'a', b'z', b'{',
            b'~', 0x7F, 0x80, 0x81, 0x88, 0x89, 0x8A, 0xA0, 0xA1, 0xA6, 0xA7, 0xA8, 0xA9, 0xAA,
            0xBA, 0xBB, 0xBF, 0xD7, 0xD8, 0xD9, 0xDA, 0xFF,
        ];
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize
        };
        let mut buf = [0u8; 17];
        for round in 0..20_000 {
            for b in &mut buf {
                *b = if round % 2 == 0 {
                    interesting[next() % interesting.len()]
                } else {
                    (next() & 0xFF) as u8
                };
            }
            let here: &[u8; 16] = buf[..16].try_into().unwrap();
            let after: &[u8; 16] = buf[1..].try_into().unwrap();
            assert_eq!(Block::of(here, after), Block::of_bytes(here, after), "{buf:X?}");
        }
    }

    #[test]
    fn window_is_four_blocks() {
        assert_eq!(Window::classify(&[b'a'; 64], 0), None);
        // Lead bytes at 15, 31 and 47: their continuations are the next blocks' bit 0.
        let text = format!("a{}", "ب".repeat(40));
        let window = Window::classify(text.as_bytes(), 0).unwrap();
        assert_eq!((window.letters, window.word), (!1, 1));
        let spaces = Window::classify(&[b' '; 70], 5).unwrap();
        assert_eq!(spaces.space, u64::MAX);
        let mut state = 7_u64;
        for _ in 0..2_000 {
            let bytes: Vec<u8> = (0..65)
                .map(|_| {
                    state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    [b' ', b'a', b'.', 0xD8, 0xD9, 0xA7, 0xA9, 0x89, 0x86]
                        [(state >> 60) as usize % 9]
                })
                .collect();
            let window = Window::classify(&bytes, 0).unwrap();
            let mask =
                |f: &dyn Fn(usize) -> bool| (0..64).fold(0u64, |m, j| m | (u64::from(f(j)) << j));
            let kept = |j: usize| {
                (bytes[j] == 0xD8 && letter_after_d8(bytes[j + 1]))
                    || (bytes[j] == 0xD9 && letter_after_d9(bytes[j + 1]))
            };
            let expected = Window {
                letters: mask(&|j| kept(j) || (j > 0 && kept(j - 1))),
                folds: mask(&|j| {
                    (bytes[j] == 0xD8 && folded_after_d8(bytes[j + 1]))
                        || (bytes[j] == 0xD9 && folded_after_d9(bytes[j + 1]))
                }),
                word: mask(&|j| word_ascii(bytes[j])),
                punct: mask(&|j| punctuation(bytes[j])),
                space: mask(&|j| bytes[j] == b' '),
            };
            assert_eq!(window, expected, "{bytes:X?}");
        }
    }

    /// A window read from `skip` on has the masks of a window classified there, over
    /// the bytes both cover, and nothing past them.
    #[test]
    fn a_window_after_a_skip_is_the_window_classified_there() {
        let mut state = 11_u64;
        for _ in 0..2_000 {
            let bytes: Vec<u8> = (0..130)
                .map(|_| {
                    state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    [b' ', b'a', b'.', 0xD8, 0xD9, 0xA7, 0xA9, 0x89, b'A']
                        [(state >> 60) as usize % 9]
                })
                .collect();
            let whole = Window::classify(&bytes, 0).unwrap();
            for skip in [1, 17, REUSE_UP_TO, 63] {
                let there = Window::classify(&bytes, skip).unwrap();
                let covered = u64::MAX >> skip;
                let masks = |w: Window| [w.letters, w.folds, w.word, w.punct, w.space];
                let after = masks(whole.after(skip));
                for (k, (a, t)) in after.iter().zip(masks(there)).enumerate() {
                    // Letters may differ at bit 0: a continuation whose lead is before
                    // `skip` (where the fast pass never resumes, between a letter's
                    // bytes).
                    let first = if k == 0 { !1 } else { u64::MAX };
                    assert_eq!(a & covered & first, t & covered & first, "{skip} {k} {bytes:X?}");
                    assert_eq!(a & !covered, 0, "{skip} {k}");
                }
            }
        }
    }
}
