//! Shingling and sketching any text at the shingle settings the first bytes choose:
//! never panics, and a signature's parameters are its sketcher's.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nuskha::{ShingleUnit, Sketcher};

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let unit = if choice & 1 == 0 { ShingleUnit::Words } else { ShingleUnit::Chars };
    let size = 1 + usize::from(choice >> 1) % 9;
    let num_perm = [1, 16, 64, 128][usize::from(choice >> 5) % 4];
    let sketcher = Sketcher::builder()
        .shingles(unit, size)
        .num_perm(num_perm)
        .simhash(choice & 0x80 != 0)
        .build()
        .expect("valid parameters");
    let sketch = sketcher.sketch(text);
    assert_eq!(sketch.minhash().as_slice().len(), num_perm);
    assert_eq!(sketch.minhash().params(), sketcher.params(), "a signature of other parameters");
    assert_eq!(sketch.simhash().is_some(), choice & 0x80 != 0);
    let again = sketcher.sketch(text);
    assert_eq!(sketch.minhash(), again.minhash(), "not deterministic");
});
