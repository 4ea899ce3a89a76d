//! The way to paper: the operating system's print system. On Linux and macOS that is CUPS through
//! `lp` (and `lpstat` to list printers); on Windows, the shell's print verb on the default printer.
//! `CUPS_SERVER` in the environment chooses another CUPS server, as `lp` itself honours.

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

fn unavailable(detail: impl std::fmt::Display) -> Error {
    Error::Conflict(UserMessage::new(
        "print.unavailable",
        format!("无法连接打印系统：{detail}"),
        format!("The print system is not available: {detail}"),
    ))
}

/// The printers the print system offers.
pub fn printers() -> Result<Vec<Printer>> {
    let output = Command::new("lpstat").args(["-e"]).output().map_err(unavailable)?;
    let default =
        Command::new("lpstat").arg("-d").output().ok().map(|o| String::from_utf8_lossy(&o.stdout).into_owned()).unwrap_or_default();
    let default_name = default.rsplit(':').next().map(str::trim).unwrap_or("").to_owned();
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|name| Printer { name: name.to_owned(), is_default: name == default_name })
        .collect())
}

/// Sends `pdf` to `printer` (or the default printer); returns the job id the print system gave.
pub fn print_pdf(pdf: &[u8], printer: Option<&str>, title: &str) -> Result<String> {
    if cfg!(windows) {
        return print_windows(pdf, printer);
    }
    let mut command = Command::new("lp");
    if let Some(p) = printer.filter(|p| !p.is_empty()) {
        if !p.chars().all(|c| c.is_alphanumeric() || "-_.@".contains(c)) {
            return Err(Error::invalid(UserMessage::new("print.printer", "打印机名称无效", "Invalid printer name").at("printer")));
        }
        command.args(["-d", p]);
    }
    command.args(["-t", title, "-"]).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().map_err(unavailable)?;
    child.stdin.take().expect("piped").write_all(pdf)?;
    let output = child.wait_with_output()?;
    if !output.status.success() {
        return Err(unavailable(String::from_utf8_lossy(&output.stderr).trim()));
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
    let status = Command::new("powershell").args(["-NoProfile", "-Command", &script]).status().map_err(unavailable)?;
    if !status.success() {
        return Err(unavailable("PowerShell"));
    }
    Ok(path.display().to_string())
}
