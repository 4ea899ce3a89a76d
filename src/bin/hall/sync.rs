//! `hall enrol URL CODE [--ca FILE]`, `hall sync` (one round, with a progress bar) and
//! `hall sync --watch` (rounds on the background task's schedule until interrupted).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use hall::clock::Clock;
use hall::store::{Actor, Store};
use hall::sync::{Progress, run_round};
use indicatif::{ProgressBar, ProgressStyle};

pub fn enrol(db: &Path, url: &str, code: &str, ca: Option<&Path>, clock: Arc<dyn Clock>) -> anyhow::Result<()> {
    let ca_pem = ca.map(|file| std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))).transpose()?;
    let mut store = Store::open(db)?;
    let response = hall::sync::enrol::enrol(&mut store, url, code, ca_pem.as_deref(), clock.now())?;
    println!(
        "enrolled with {url} as outlet {} ({}) counter {}; taking the initial snapshot",
        response.outlet_code, response.outlet_name, response.counter_no
    );
    once(&mut store, &*clock)
}

pub fn sync(db: &Path, watch: bool, clock: Arc<dyn Clock>) -> anyhow::Result<()> {
    let mut store = Store::open(db)?;
    if !watch {
        return once(&mut store, &*clock);
    }
    loop {
        if let Err(e) = once(&mut store, &*clock) {
            eprintln!("{e:#}");
        }
        let attempts = hall::store::sync_state::attempts(store.conn())?;
        let wait = attempts
            .next_attempt_at
            .and_then(|t| hall::clock::parse_stamp(&t))
            .and_then(|t| (t - clock.now()).to_std().ok())
            .unwrap_or(hall::sync::task::INTERVAL);
        std::thread::sleep(wait.max(Duration::from_secs(1)));
    }
}

/// One round with a progress bar per phase; prints what it did, or fails with head office's or
/// the network's reason in both languages.
fn once(store: &mut Store, clock: &dyn Clock) -> anyhow::Result<()> {
    let bar = ProgressBar::hidden();
    let mut phase = String::new();
    let shown = |p: Progress| {
        let label = if p.detail.is_empty() { p.phase.to_owned() } else { format!("{} {}", p.phase, p.detail) };
        if label != phase {
            phase = label.clone();
            bar.reset();
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            let style = match p.total {
                Some(_) => ProgressStyle::with_template("{msg:>18} [{bar:40}] {pos}/{len}").expect("a valid template"),
                None => ProgressStyle::with_template("{msg:>18} {pos}").expect("a valid template"),
            };
            bar.set_style(style.progress_chars("=> "));
            bar.set_message(label);
        }
        if let Some(total) = p.total {
            bar.set_length(total);
        }
        bar.set_position(p.done);
    };
    let outcome = run_round(store, clock, shown);
    bar.finish_and_clear();
    let round = outcome.map_err(hall::Error::from)?;
    let _ = Actor { user_id: None, at: clock.now() };
    println!(
        "sync done: snapshot {} records; pushed {} events ({} acknowledged, {} already there, {} to review); pulled {} changes ({} kept for a later version, {} refused)",
        round.snapshot.total(),
        round.pushed.sent,
        round.pushed.acked,
        round.pushed.duplicates,
        round.pushed.in_review,
        round.pulled.total(),
        round.pulled.kept,
        round.pulled.rejected
    );
    Ok(())
}
