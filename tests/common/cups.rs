//! A CUPS server of our own for the print tests: configuration, spool and socket in a temporary
//! directory, started with `cupsd -f` and stopped when dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// A CUPS server of our own: configuration, spool and socket in a temporary directory.
pub struct Cups {
    pub dir: tempfile::TempDir,
    daemon: Child,
}

impl Cups {
    pub fn start() -> Cups {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for sub in ["conf", "spool", "cache", "state", "log", "tmp"] {
            std::fs::create_dir_all(d.join(sub)).unwrap();
        }
        // The filters run as `lp`: they must be able to read the PPD and the spooled job.
        let chmod =
            |p: &Path, mode: &str| assert!(Command::new("chmod").args([mode, &p.display().to_string()]).status().unwrap().success());
        chmod(d, "755");
        for sub in ["conf", "spool", "cache", "state", "log"] {
            chmod(&d.join(sub), "755");
        }
        chmod(&d.join("tmp"), "1777");
        std::fs::write(
            d.join("cups-files.conf"),
            format!(
                "ServerRoot {0}/conf\nRequestRoot {0}/spool\nCacheDir {0}/cache\nStateDir {0}/state\nErrorLog {0}/log/error_log\n\
                 AccessLog {0}/log/access_log\nPageLog {0}/log/page_log\nTempDir {0}/tmp\nServerBin /usr/lib/cups\nDataDir /usr/share/cups\n\
                 User lp\nGroup lp\nSystemGroup root\n",
                d.display()
            ),
        )
        .unwrap();
        std::fs::write(
            d.join("cupsd.conf"),
            format!(
                "Listen {}/cups.sock\nWebInterface No\nBrowsing No\n<Location />\n  Order allow,deny\n  Allow all\n</Location>\n",
                d.display()
            ),
        )
        .unwrap();
        let daemon = Command::new("/usr/sbin/cupsd")
            .arg("-f")
            .arg("-c")
            .arg(d.join("cupsd.conf"))
            .arg("-s")
            .arg(d.join("cups-files.conf"))
            .spawn()
            .expect("cupsd (Debian package cups) is installed by scripts/setup.sh");
        let socket = d.join("cups.sock");
        let start = Instant::now();
        while !socket.exists() {
            assert!(start.elapsed() < Duration::from_secs(15), "cupsd did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Cups { dir, daemon }
    }

    pub fn socket(&self) -> PathBuf {
        self.dir.path().join("cups.sock")
    }
}

impl Drop for Cups {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}
