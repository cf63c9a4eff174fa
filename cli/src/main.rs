//! `dedup`: find near-duplicate news articles and group them into clusters.

fn main() -> std::process::ExitCode {
    nuskha_cli::main()
}
