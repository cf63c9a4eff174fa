//! `dedup`: the command-line face of nuskha.
//!
//! ```text
//! dedup normalize [FILE]...   print each line as the matcher sees it
//! ```

use std::io::{self, BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use nuskha::{ArabicNormalizer, Normalize, decode_lossy};

/// Find near-duplicate news articles (Arabic first).
#[derive(Parser, Debug)]
#[command(name = "dedup", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print each input line normalised, exactly as the matcher sees it.
    ///
    /// Reads the FILEs in order (standard input when none is given) and writes one
    /// output line per input line; an empty line stays empty. Invalid UTF-8 is decoded
    /// with replacement characters and reported on stderr.
    ///
    /// Example: printf 'كَتَبَ\n' | dedup normalize
    Normalize {
        /// Files to read; none means standard input.
        files: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Normalize { files } => normalize(&files),
    };
    match result {
        Ok(code) => code,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dedup: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `dedup normalize`: returns failure when any file could not be read, after the rest.
fn normalize(files: &[PathBuf]) -> io::Result<ExitCode> {
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
        let text = text.strip_suffix('\n').unwrap_or(&text);
        if bytes.is_empty() {
            return Ok(());
        }
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
