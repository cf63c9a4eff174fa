//! The character table of profile "dedup-default v1": what happens to each code point.
//!
//! The Arabic block U+0600..=U+06FF is a 256-entry table built once per normaliser
//! (options change a few entries); everything else is a `match` on ranges. Each rule
//! cites the row of `NORMALISATION.md` it implements.

/// What the single pass does with one character (after NFKC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// Copy it unchanged.
    Keep,
    /// Drop it (marks, format and control characters).
    Delete,
    /// It separates words: becomes one space (runs collapse, ends are trimmed).
    Space,
    /// Tatweel: dropped, except that a run between two digits becomes a space.
    Tatweel,
    /// Replace it by this character.
    Map(char),
    /// Not Arabic: apply Unicode lowercasing.
    Lower,
}

/// Table entries for the Arabic block, packed in a `u16`: small values are actions,
/// anything else is the code point to map to (all targets are in the BMP and ≥ U+0020).
const KEEP: u16 = 0;
const DELETE: u16 = 1;
const SPACE: u16 = 2;
const TATWEEL: u16 = 3;
/// Placeholder while building: digits are filled in last, from their value.
const DIGIT: u16 = 4;
/// Kept, but NFKC decomposes it (0675-0678): not on the fast pass's keep path.
const KEEP_AFTER_NFKC: u16 = 5;
/// Kept, but not a letter (؋, ؎, ۽…): off the fast pass's keep path, so that it can
/// note that the text is not plain letters for the tokeniser.
const KEEP_SYMBOL: u16 = 6;

/// The options that change the Arabic table (see `ArabicNormalizerBuilder`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[allow(clippy::struct_excessive_bools)]
pub(crate) struct TableOptions {
    pub keep_ta_marbuta: bool,
    pub keep_alef_maksura: bool,
    pub hamza_to_base: bool,
    pub keep_punctuation: bool,
}

/// The per-normaliser lookup table for U+0600..=U+06FF.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ArabicTable {
    entries: [u16; 256],
}

impl ArabicTable {
    pub(crate) fn new(opts: TableOptions) -> Self {
        let mut t = [KEEP; 256];
        let mut set = |from: u32, to: u32, v: u16| {
            for cp in from..=to {
                t[(cp - 0x600) as usize] = v;
            }
        };
        let ch = |c: char| c as u16;

        // Format characters: Arabic number signs 0600-0605, ALM 061C, end of ayah 06DD.
        set(0x600, 0x605, DELETE);
        set(0x61C, 0x61C, DELETE);
        set(0x6DD, 0x6DD, DELETE);
        // Marks: honorifics 0610-061A, harakat and friends 064B-065F, dagger alef 0670,
        // high hamza 0674, Quranic annotation 06D6-06ED.
        set(0x610, 0x61A, DELETE);
        set(0x64B, 0x65F, DELETE);
        set(0x670, 0x670, DELETE);
        set(0x674, 0x674, DELETE);
        set(0x6D6, 0x6ED, DELETE);
        set(0x640, 0x640, TATWEEL);
        set(0x675, 0x678, KEEP_AFTER_NFKC);

        // Alef group -> ا.
        for cp in [0x622, 0x623, 0x625, 0x671, 0x672, 0x673] {
            set(cp, cp, ch('\u{627}'));
        }
        // Hamza carriers ؤ ئ ۓ -> ء (the fold that merges مسئول / مسؤول), or to their base.
        if opts.hamza_to_base {
            set(0x624, 0x624, ch('\u{648}'));
            set(0x626, 0x626, ch('\u{64A}'));
            set(0x6D3, 0x6D3, ch('\u{64A}'));
        } else {
            set(0x624, 0x624, ch('\u{621}'));
            set(0x626, 0x626, ch('\u{621}'));
            set(0x6D3, 0x6D3, ch('\u{621}'));
        }
        // Yeh: alef maksura and the Persian/Urdu yehs -> ي.
        if !opts.keep_alef_maksura {
            set(0x649, 0x649, ch('\u{64A}'));
        }
        for cp in [0x620, 0x63D, 0x63E, 0x63F, 0x6CC, 0x6CD, 0x6CE, 0x6D0, 0x6D1, 0x6D2] {
            set(cp, cp, ch('\u{64A}'));
        }
        // Ta marbuta and heh variants -> ه.
        if opts.keep_ta_marbuta {
            set(0x6C3, 0x6C3, ch('\u{629}'));
        } else {
            set(0x629, 0x629, ch('\u{647}'));
            set(0x6C3, 0x6C3, ch('\u{647}'));
        }
        for cp in [0x6BE, 0x6C0, 0x6C1, 0x6C2, 0x6D5, 0x6FF] {
            set(cp, cp, ch('\u{647}'));
        }
        // Kaf/gaf group -> ك.
        for cp in [0x63B, 0x63C, 0x6A9, 0x6AA, 0x6AF] {
            set(cp, cp, ch('\u{643}'));
        }
        // Extended letters -> base letter.
        set(0x67E, 0x67E, ch('\u{628}')); // پ -> ب
        set(0x686, 0x686, ch('\u{62C}')); // چ -> ج
        set(0x698, 0x698, ch('\u{632}')); // ژ -> ز
        set(0x6A4, 0x6A5, ch('\u{641}')); // ڤ ڥ -> ف
        set(0x6A7, 0x6A8, ch('\u{642}')); // ڧ ڨ -> ق
        set(0x66F, 0x66F, ch('\u{642}')); // ٯ -> ق
        set(0x6BA, 0x6BA, ch('\u{646}')); // ں -> ن
        set(0x6C4, 0x6CB, ch('\u{648}')); // Kurdish/Uyghur waws -> و
        set(0x6CF, 0x6CF, ch('\u{648}'));
        // Digits -> ASCII.
        set(0x660, 0x669, DIGIT);
        set(0x6F0, 0x6F9, DIGIT);
        // Punctuation -> ASCII: ، ؛ ؟ ٪ ٫ ٬ ۔ ٭ ؍.
        if !opts.keep_punctuation {
            for (cp, to) in [
                (0x60C, ','),
                (0x61B, ';'),
                (0x61F, '?'),
                (0x66A, '%'),
                (0x66B, '.'),
                (0x66C, ','),
                (0x6D4, '.'),
                (0x66D, '*'),
                (0x60D, '/'),
            ] {
                set(cp, cp, ch(to));
            }
        }
        for d in 0..10u16 {
            t[0x60 + d as usize] = u16::from(b'0') + d;
            t[0xF0 + d as usize] = u16::from(b'0') + d;
        }
        for (i, e) in t.iter_mut().enumerate() {
            if *e == KEEP && !is_arabic_letter_range(0x600 + i as u32) {
                *e = KEEP_SYMBOL;
            }
        }
        ArabicTable { entries: t }
    }

    /// True when the character at `index` (code point minus U+0600) is a letter kept as
    /// it is: the hot test of the fast pass.
    #[inline]
    pub(crate) fn keeps(&self, index: usize) -> bool {
        self.entries[index & 0xFF] == KEEP
    }

    /// The action for a character in U+0600..=U+06FF.
    #[inline]
    pub(crate) fn action(&self, c: char) -> Action {
        let v = self.entries[(c as u32 - 0x600) as usize];
        match v {
            KEEP | KEEP_AFTER_NFKC | KEEP_SYMBOL => Action::Keep,
            DELETE => Action::Delete,
            SPACE => Action::Space,
            TATWEEL => Action::Tatweel,
            // Entries are built from `char`s above, so this never fails; keep is the safe fallback.
            _ => char::from_u32(u32::from(v)).map_or(Action::Keep, Action::Map),
        }
    }
}

/// The action for a character outside ASCII and the Arabic block.
pub(crate) fn other_action(c: char, keep_punctuation: bool) -> Action {
    let cp = c as u32;
    match cp {
        // White_Space.
        0x85 | 0xA0 | 0x1680 | 0x2000..=0x200A | 0x2028 | 0x2029 | 0x202F | 0x205F | 0x3000 => {
            Action::Space
        }
        // ZWSP marks a word boundary; U+FFFD stands where undecodable bytes were.
        0x200B | 0xFFFD => Action::Space,
        // C1 controls.
        0x80..=0x9F => Action::Delete,
        // General_Category=Cf (200B handled above).
        0xAD
        | 0x70F
        | 0x890..=0x891
        | 0x8E2
        | 0x180E
        | 0x200C..=0x200F
        | 0x202A..=0x202E
        | 0x2060..=0x2064
        | 0x2066..=0x206F
        | 0xFEFF
        | 0xFFF9..=0xFFFB
        | 0x110BD
        | 0x110CD
        | 0x13430..=0x1343F
        | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A
        | 0xE0001
        | 0xE0020..=0xE007F => Action::Delete,
        // Arabic Extended-A/B marks.
        0x898..=0x89F | 0x8CA..=0x8E1 | 0x8E3..=0x8FF => Action::Delete,
        // Moroccan gaf ݣ -> ك.
        0x763 => Action::Map('\u{643}'),
        _ if keep_punctuation => Action::Lower,
        // Quotes.
        0xAB | 0xBB | 0x201C..=0x201F | 0x2039 | 0x203A => Action::Map('"'),
        0x2018..=0x201B | 0x2032 => Action::Map('\''),
        // Dashes and minus.
        0x2010..=0x2015 | 0x2212 => Action::Map('-'),
        _ => Action::Lower,
    }
}

/// True for characters whose NFKC status the fast scan knows to be "unchanged":
/// ASCII, the Arabic block except the few that compose or decompose, and common
/// news punctuation. Anything else sends the scan to the general quick check.
#[inline]
///
/// Whitespace whose NFKC form is U+0020 counts as stable too: the table maps it to a
/// space either way, so the fast pass handles it (NBSP is in 6.5% of `SaudiNewsNet` articles).
pub(crate) fn nfkc_stable_known(c: char) -> Option<bool> {
    match c as u32 {
        0..=0x7F => Some(true),
        0xA0 | 0x2000..=0x200A | 0x202F | 0x205F | 0x3000 => Some(true),
        // Hamza/madda marks compose with a preceding letter; 0675-0678 decompose.
        0x653..=0x655 | 0x675..=0x678 => Some(false),
        0x600..=0x6FF => Some(true),
        0xAB | 0xBB | 0x2010 | 0x2012..=0x2016 | 0x2018..=0x2023 => Some(true),
        _ => None,
    }
}

/// True for the letters that the tokeniser's fast path treats as word characters:
/// `ALetter` in UAX #29 and alphabetic, in the Arabic block.
#[inline]
pub(crate) fn is_arabic_letter(c: char) -> bool {
    is_arabic_letter_cp(c as u32)
}

const fn is_arabic_letter_range(cp: u32) -> bool {
    matches!(cp,
        0x620..=0x63F | 0x641..=0x64A | 0x66E..=0x66F | 0x671..=0x6D3 | 0x6D5
        | 0x6EE..=0x6EF | 0x6FA..=0x6FC | 0x6FF)
}

/// [`is_arabic_letter`] for U+0600..=U+06FF as a 256-bit set.
const ARABIC_LETTERS: [u64; 4] = {
    let mut bits = [0u64; 4];
    let mut i = 0;
    while i < 256 {
        if is_arabic_letter_range(0x600 + i) {
            bits[(i / 64) as usize] |= 1 << (i % 64);
        }
        i += 1;
    }
    bits
};

/// [`is_arabic_letter`] on a code point, with one bit test in the Arabic block.
#[inline]
pub(crate) fn is_arabic_letter_cp(cp: u32) -> bool {
    let i = cp.wrapping_sub(0x600);
    i < 256 && (ARABIC_LETTERS[(i / 64) as usize] >> (i % 64)) & 1 == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_table() -> ArabicTable {
        ArabicTable::new(TableOptions::default())
    }

    #[test]
    fn harakat_and_dagger_alef_are_deleted() {
        let t = default_table();
        for cp in (0x64B..=0x65F).chain([0x670, 0x674, 0x610, 0x61A, 0x6D6, 0x6ED]) {
            let c = char::from_u32(cp).unwrap();
            assert_eq!(t.action(c), Action::Delete, "U+{cp:04X}");
        }
    }

    #[test]
    fn alef_group_folds_to_bare_alef() {
        let t = default_table();
        for c in ['\u{622}', '\u{623}', '\u{625}', '\u{671}', '\u{672}', '\u{673}'] {
            assert_eq!(t.action(c), Action::Map('\u{627}'));
        }
    }

    #[test]
    fn options_change_only_their_entries() {
        let t = ArabicTable::new(TableOptions {
            keep_ta_marbuta: true,
            keep_alef_maksura: true,
            hamza_to_base: true,
            keep_punctuation: true,
        });
        assert_eq!(t.action('\u{629}'), Action::Keep); // ة
        assert_eq!(t.action('\u{6C3}'), Action::Map('\u{629}')); // ۃ -> ة
        assert_eq!(t.action('\u{649}'), Action::Keep); // ى
        assert_eq!(t.action('\u{624}'), Action::Map('\u{648}')); // ؤ -> و
        assert_eq!(t.action('\u{626}'), Action::Map('\u{64A}')); // ئ -> ي
        assert_eq!(t.action('\u{60C}'), Action::Keep); // ،
        assert_eq!(t.action('\u{623}'), Action::Map('\u{627}')); // still folded
    }

    #[test]
    fn digits_fold_to_ascii() {
        let t = default_table();
        assert_eq!(t.action('\u{660}'), Action::Map('0'));
        assert_eq!(t.action('\u{669}'), Action::Map('9'));
        assert_eq!(t.action('\u{6F4}'), Action::Map('4'));
    }

    #[test]
    fn format_controls_are_deleted_and_spaces_spaced() {
        for c in ['\u{200C}', '\u{200D}', '\u{200E}', '\u{202E}', '\u{2066}', '\u{FEFF}'] {
            assert_eq!(other_action(c, false), Action::Delete);
        }
        for c in ['\u{A0}', '\u{200B}', '\u{3000}', '\u{FFFD}', '\u{2029}'] {
            assert_eq!(other_action(c, false), Action::Space);
        }
    }
}
