//! The `dedup` command as an example, so that `cargo run --release --example dedup --
//! examples/articles` runs it from the workspace root: the same code as the binary.

fn main() -> std::process::ExitCode {
    nuskha_cli::main()
}
