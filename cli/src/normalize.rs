//! `dedup normalize`: each line as the matcher sees it (a whole article's runs of
//! page code, which the matcher cuts first, are a matter of the article, not the line).

use std::io::{self, BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use nuskha::{ArabicNormalizer, Normalize};

use crate::args::EXIT_SKIPPED;
use crate::input::{Decoded, decode_input, replaced_warning};

/// Decodes every input as the main command does (the same warnings); returns
/// [`EXIT_SKIPPED`] when any could not be read or used, after doing the rest.
pub fn run(files: &[PathBuf]) -> io::Result<ExitCode> {
    let norm = ArabicNormalizer::new();
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut code = ExitCode::SUCCESS;
    let mut line_buf = String::new();
    let mut emit = |name: &str, bytes: &[u8], out: &mut BufWriter<_>| -> io::Result<bool> {
        if bytes.is_empty() {
            return Ok(true);
        }
        let text = match decode_input(name, bytes) {
            Ok(Decoded { text, replaced }) => {
                if replaced > 0 {
                    eprintln!("dedup: warning: {}", replaced_warning(name, replaced));
                }
                text
            }
            Err((_, detail)) => {
                eprintln!("dedup: warning: {name}: {detail}; skipped");
                return Ok(false);
            }
        };
        let text = text.strip_suffix('\n').unwrap_or(&text);
        for line in text.split('\n') {
            norm.normalize_into(line, &mut line_buf);
            out.write_all(line_buf.as_bytes())?;
            out.write_all(b"\n")?;
        }
        Ok(true)
    };
    let skipped = ExitCode::from(EXIT_SKIPPED);
    if files.is_empty() {
        let mut bytes = Vec::new();
        io::stdin().lock().read_to_end(&mut bytes)?;
        if !emit("<stdin>", &bytes, &mut out)? {
            code = skipped;
        }
    }
    for path in files {
        match std::fs::read(path) {
            Ok(bytes) => {
                if !emit(&path.display().to_string(), &bytes, &mut out)? {
                    code = skipped;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                eprintln!("dedup: error: {}: no such file or folder", path.display());
                code = skipped;
            }
            Err(e) => {
                eprintln!("dedup: warning: {}: cannot read: {e}; skipped", path.display());
                code = skipped;
            }
        }
    }
    out.flush()?;
    Ok(code)
}
