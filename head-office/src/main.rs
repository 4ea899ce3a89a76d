//! `hall-hq`: the head-office server and its command line.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    head_office::cli::main().await
}
