//! Golden values: any change to hashing, shingling or MinHash that alters signatures
//! fails here, so it is made on purpose (and the values updated) rather than by accident.

use nuskha::hash::hash_bytes;
use nuskha::{ShingleUnit, Shingler, Sketcher};

#[test]
fn xxh3_matches_the_c_reference() {
    // Values from the C implementation (python-xxhash 3.x, xxh3_64_intdigest).
    assert_eq!(hash_bytes(b"", 0), 0x2d06_8005_38d3_94c2);
    assert_eq!(hash_bytes(b"a", 0), 0xe6c6_32b6_1e96_4e1f);
    assert_eq!(hash_bytes("كتب".as_bytes(), 0x6e75_736b_6861), 0xfe27_f04d_40d9_ed8e);
}

#[test]
fn pinned_shingle_hashes() {
    let words = Shingler::new(ShingleUnit::Words, 5, nuskha::DEFAULT_SEED).unwrap();
    let got: Vec<u64> =
        words.shingles("استقبل المدير العام للامن الوطني عبد اللطيف حموشي").collect();
    assert_eq!(got, PINNED_WORD_SHINGLES);
    let chars = Shingler::new(ShingleUnit::Chars, 4, nuskha::DEFAULT_SEED).unwrap();
    let got: Vec<u64> = chars.shingles("حموشي يستقبل").take(3).collect();
    assert_eq!(got, PINNED_CHAR_SHINGLES);
}

#[test]
fn pinned_signature_of_a_seed_article() {
    let text = &crate::seed_articles()[0];
    let sketch = Sketcher::builder().simhash(true).build().unwrap().sketch(text);
    let slots = sketch.minhash().as_slice();
    let bytes: Vec<u8> = slots.iter().flat_map(|s| s.to_le_bytes()).collect();
    let digest = hash_bytes(&bytes, 0);
    assert_eq!(slots.len(), 128);
    assert_eq!(&slots[..4], PINNED_FIRST_SLOTS);
    assert_eq!(digest, PINNED_SIGNATURE_DIGEST, "the whole signature changed");
    assert_eq!(sketch.simhash().unwrap().bits(), PINNED_SIMHASH);
    assert_eq!(sketch.minhash().set_size(), PINNED_SET_SIZE);
}

const PINNED_WORD_SHINGLES: [u64; 4] =
    [0x98d3_3de4_388e_5c85, 0x029d_1574_f0ad_b86b, 0xdd0c_19e4_52b9_da16, 0x357b_b05b_1f96_dc9b];
const PINNED_CHAR_SHINGLES: [u64; 3] =
    [0xbd61_cb0a_87a9_c4ce, 0x9f66_6d9a_9a2c_3ac5, 0xc543_4eaf_81f4_8536];
const PINNED_FIRST_SLOTS: &[u32] = &[0x6708_bd4e, 0x3a92_20ef, 0x2b03_c151, 0x13df_a6af];
const PINNED_SIGNATURE_DIGEST: u64 = 0x694b_12b1_732a_082b;
// Changed on purpose (was 0x84e2_7522_57ff_fe78): the sketcher's SimHash was over its
// shingles, each weighted 1, while `Algorithm::SimHash` judged copies by a SimHash of
// the words weighted by term frequency (Manku et al.). There is now one definition, the
// words', so `Sketch::simhash` and `Comparison::simhash_hamming` report the distance the
// deduplicator judges by.
const PINNED_SIMHASH: u64 = 0x6b7e_0699_edd1_6f16;
const PINNED_SET_SIZE: usize = 314;
