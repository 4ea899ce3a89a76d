//! The way to paper: the operating system's print system. On Linux and macOS that is CUPS through
//! `lp` (and `lpstat` to list printers); on Windows, the shell's print verb on the default printer.
//! `CUPS_SERVER` in the environment chooses another CUPS server, as `lp` itself honours. What
//! goes wrong is told in plain words (what is wrong, what to do); the print system's own text goes
//! to the log.

use std::io::Write;
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result, UserMessage};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Printer {
    pub name: String,
    pub is_default: bool,
}

/// What stands between a job and paper, as the clerk is told it: what is wrong and what to do.
/// The print system's own text goes to the log only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Problem {
    /// No print system at all (`lp` is not installed).
    NoPrintSystem,
    /// CUPS is installed but its scheduler is not running.
    NotRunning,
    /// No printer chosen and none is the default (or none exists).
    NoPrinter,
    /// The chosen printer is not known to the print system.
    Missing,
    /// The printer is stopped (paused): jobs would wait in its queue.
    Stopped,
    /// The printer refuses new jobs.
    Rejecting,
    /// Anything else the print system said.
    Failed,
}

fn problem(problem: Problem, printer: &str, raw: &str) -> Error {
    eprintln!("print: {problem:?} (printer {printer:?}): {}", raw.trim());
    let (code, zh, en) = match problem {
        Problem::NoPrintSystem => (
            "print.no_system",
            "本机没有安装打印系统：请联系管理员安装打印服务，或保存为PDF".to_owned(),
            "This computer has no print system: ask the administrator to install printing, or save as PDF".to_owned(),
        ),
        Problem::NotRunning => (
            "print.not_running",
            "打印服务没有运行：请联系管理员启动打印服务，或保存为PDF".to_owned(),
            "The print service is not running: ask the administrator to start it, or save as PDF".to_owned(),
        ),
        Problem::NoPrinter => (
            "print.no_printer",
            "没有可用的打印机：请在系统中添加打印机，或保存为PDF".to_owned(),
            "No printer is available: add a printer in the system settings, or save as PDF".to_owned(),
        ),
        Problem::Missing => (
            "print.printer_missing",
            format!("找不到打印机“{printer}”：请选择另一台打印机，或保存为PDF"),
            format!("The printer \"{printer}\" cannot be found: choose another printer, or save as PDF"),
        ),
        Problem::Stopped => (
            "print.printer_stopped",
            format!("打印机“{printer}”已暂停：请在系统的打印机设置中恢复它，或选择另一台打印机"),
            format!("The printer \"{printer}\" is paused: resume it in the system's printer settings, or choose another printer"),
        ),
        Problem::Rejecting => (
            "print.printer_rejecting",
            format!("打印机“{printer}”不接受打印任务：请在系统的打印机设置中允许它接收任务，或选择另一台打印机"),
            format!(
                "The printer \"{printer}\" is not accepting jobs: allow it in the system's printer settings, or choose another printer"
            ),
        ),
        Problem::Failed => (
            "print.failed",
            "打印未能完成：请检查打印机后重试，或保存为PDF".to_owned(),
            "Printing did not complete: check the printer and try again, or save as PDF".to_owned(),
        ),
    };
    Error::Conflict(UserMessage::new(code, zh, en))
}

/// What `lp` or `lpstat` said, as a [`Problem`].
fn classify(stderr: &str) -> Problem {
    let text = stderr.to_ascii_lowercase();
    if text.contains("no default destination") {
        Problem::NoPrinter
    } else if text.contains("does not exist") || text.contains("invalid destination") || text.contains("unknown destination") {
        Problem::Missing
    } else if text.contains("not accepting") {
        Problem::Rejecting
    } else if text.contains("scheduler is not running") || text.contains("unable to connect") {
        Problem::NotRunning
    } else {
        Problem::Failed
    }
}

/// A print-system command with its messages in English (they are parsed, never shown).
fn cups(program: &str) -> Command {
    let mut command = Command::new(program);
    command.env("LC_ALL", "C").env("LANG", "C");
    command
}

/// Runs a print-system command and returns its standard output; a missing program is
/// [`Problem::NoPrintSystem`].
fn query(program: &str, args: &[&str]) -> Result<std::process::Output> {
    cups(program).args(args).output().map_err(|e| problem(Problem::NoPrintSystem, "", &format!("{program}: {e}")))
}

/// The printers the print system offers.
pub fn printers() -> Result<Vec<Printer>> {
    let output = query("lpstat", &["-e"])?;
    let default_name = default_printer()?.unwrap_or_default();
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|name| Printer { name: name.to_owned(), is_default: name == default_name })
        .collect())
}

/// "system default destination: X", or none.
fn default_printer() -> Result<Option<String>> {
    let output = query("lpstat", &["-d"])?;
    let text = String::from_utf8_lossy(&output.stdout);
    Ok(text.split_once("destination:").map(|(_, name)| name.trim().to_owned()).filter(|n| !n.is_empty()))
}

/// Finds the printer a job will go to and checks that it can take one now, so that the clerk hears
/// why not before anything is counted as printed. `None` on Windows, where the shell's print verb
/// picks the printer.
pub fn ready_printer(printer: Option<&str>) -> Result<Option<String>> {
    let printer = printer.filter(|p| !p.is_empty());
    if let Some(p) = printer
        && (p.starts_with('-') || !p.chars().all(|c| c.is_alphanumeric() || "-_.@".contains(c)))
    {
        return Err(Error::invalid(UserMessage::new("print.printer", "打印机名称无效", "Invalid printer name").at("printer")));
    }
    if cfg!(windows) {
        return Ok(printer.map(str::to_owned));
    }
    let scheduler = query("lpstat", &["-r"])?;
    if String::from_utf8_lossy(&scheduler.stdout).contains("not running") {
        return Err(problem(Problem::NotRunning, "", &String::from_utf8_lossy(&scheduler.stdout)));
    }
    let name = match printer {
        Some(p) => p.to_owned(),
        None => default_printer()?.ok_or_else(|| problem(Problem::NoPrinter, "", "no system default destination"))?,
    };
    // "printer X is idle.  enabled since …" / "… disabled since …", and "X accepting requests
    // since …" / "X not accepting requests since …".
    let state = query("lpstat", &["-p", &name, "-a", &name])?;
    let stdout = String::from_utf8_lossy(&state.stdout);
    if !state.status.success() || stdout.trim().is_empty() {
        let stderr = String::from_utf8_lossy(&state.stderr);
        return Err(problem(classify(&stderr), &name, &stderr));
    }
    if stdout.contains(" not accepting") {
        return Err(problem(Problem::Rejecting, &name, &stdout));
    }
    if stdout.contains(" disabled") {
        return Err(problem(Problem::Stopped, &name, &stdout));
    }
    Ok(Some(name))
}

/// Sends `pdf` to `printer` (as [`ready_printer`] found it); returns the job id the print system
/// gave.
pub fn print_pdf(pdf: &[u8], printer: Option<&str>, title: &str) -> Result<String> {
    if cfg!(windows) {
        return print_windows(pdf, printer);
    }
    let mut command = cups("lp");
    if let Some(name) = printer {
        command.args(["-d", name]);
    }
    command.args(["-t", title, "-"]).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let name = printer.unwrap_or("");
    let mut child = command.spawn().map_err(|e| problem(Problem::NoPrintSystem, name, &format!("lp: {e}")))?;
    child.stdin.take().expect("piped").write_all(pdf)?;
    let output = child.wait_with_output()?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(problem(classify(&stderr), name, &stderr));
    }
    // "request id is PDF-3 (1 file(s))"
    let text = String::from_utf8_lossy(&output.stdout);
    Ok(text.split_whitespace().nth(3).unwrap_or("").to_owned())
}

fn print_windows(pdf: &[u8], printer: Option<&str>) -> Result<String> {
    let path = std::env::temp_dir().join(format!("hall-{}.pdf", uuid::Uuid::now_v7()));
    std::fs::write(&path, pdf)?;
    let verb = if printer.is_some() { "PrintTo" } else { "Print" };
    let mut script = format!("Start-Process -FilePath '{}' -Verb {verb}", path.display());
    if let Some(p) = printer {
        script.push_str(&format!(" -ArgumentList '\"{}\"'", p.replace('\'', "")));
    }
    let status = Command::new("powershell")
        .args(["-NoProfile", "-Command", &script])
        .status()
        .map_err(|e| problem(Problem::NoPrintSystem, printer.unwrap_or(""), &format!("powershell: {e}")))?;
    if !status.success() {
        return Err(problem(Problem::Failed, printer.unwrap_or(""), &format!("PowerShell print verb: {status}")));
    }
    Ok(path.display().to_string())
}
