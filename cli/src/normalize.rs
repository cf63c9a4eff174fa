//! `dedup normalize`: each line as the matcher sees it.

use std::io::{self, BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use nuskha::{ArabicNormalizer, Normalize, decode_lossy};

/// Returns failure when any file could not be read, after doing the rest.
pub fn run(files: &[PathBuf]) -> io::Result<ExitCode> {
    let norm = ArabicNormalizer::new();
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut code = ExitCode::SUCCESS;
    let mut line_buf = String::new();
    let mut emit = |name: &str, bytes: &[u8], out: &mut BufWriter<_>| -> io::Result<()> {
        let (text, bad) = decode_lossy(bytes);
        if bad > 0 {
            eprintln!(
                "dedup: warning: {name}: invalid UTF-8, {bad} byte sequence(s) replaced \
                 (is the file in another encoding, such as Windows-1256?)"
            );
        }
        if bytes.is_empty() {
            return Ok(());
        }
        let text = text.strip_suffix('\n').unwrap_or(&text);
        for line in text.split('\n') {
            norm.normalize_into(line, &mut line_buf);
            out.write_all(line_buf.as_bytes())?;
            out.write_all(b"\n")?;
        }
        Ok(())
    };
    if files.is_empty() {
        let mut bytes = Vec::new();
        io::stdin().lock().read_to_end(&mut bytes)?;
        emit("<stdin>", &bytes, &mut out)?;
    }
    for path in files {
        match std::fs::read(path) {
            Ok(bytes) => emit(&path.display().to_string(), &bytes, &mut out)?,
            Err(e) => {
                eprintln!("dedup: error: {}: {e}", path.display());
                code = ExitCode::FAILURE;
            }
        }
    }
    out.flush()?;
    Ok(code)
}
