//! `hall-hq`: the head-office server and its command line (being built; see issue 12).

fn main() {
    eprintln!("hall-hq: not built yet");
    std::process::exit(2);
}
