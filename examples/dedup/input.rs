//! Reading articles: files and folders (recursively, in sorted order).

use std::path::{Path, PathBuf};

use nuskha::decode_lossy;

/// One article: its id (path relative to the folder given, or the path as given) and text.
pub struct Article {
    pub id: String,
    pub text: String,
}

/// What was read, and what was skipped and why.
#[derive(Default)]
pub struct Inputs {
    pub articles: Vec<Article>,
    /// (path, reason) for every input that could not be used.
    pub skipped: Vec<(String, String)>,
    /// Files ignored for their extension or for being hidden.
    pub ignored: usize,
}

/// Extensions read as one article per file.
const ARTICLE_EXTENSIONS: [&str; 2] = ["txt", "md"];

impl Inputs {
    /// Reads every input path, warning on stderr about anything skipped.
    pub fn read(paths: &[PathBuf]) -> Inputs {
        let mut inputs = Inputs::default();
        for path in paths {
            if path.is_dir() {
                inputs.read_dir(path, path);
            } else {
                inputs.read_file(path, path.display().to_string());
            }
        }
        inputs
    }

    fn skip(&mut self, path: &Path, reason: String) {
        eprintln!("dedup: warning: {}: {reason}; skipped", path.display());
        self.skipped.push((path.display().to_string(), reason));
    }

    fn read_dir(&mut self, root: &Path, dir: &Path) {
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) => return self.skip(dir, format!("cannot read folder: {e}")),
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            let hidden =
                path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'));
            if hidden {
                self.ignored += 1;
            } else if path.is_dir() {
                self.read_dir(root, &path);
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| ARTICLE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
            {
                let id = path.strip_prefix(root).unwrap_or(&path).display().to_string();
                self.read_file(&path, id);
            } else {
                self.ignored += 1;
            }
        }
    }

    fn read_file(&mut self, path: &Path, id: String) {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => return self.skip(path, format!("cannot read: {e}")),
        };
        let (text, bad) = decode_lossy(&bytes);
        if bad > 0 {
            eprintln!(
                "dedup: warning: {}: invalid UTF-8, {bad} byte sequence(s) replaced",
                path.display()
            );
        }
        self.articles.push(Article { id, text: text.into_owned() });
    }
}
