//! `color-palettes serve` as a child process on loopback, for the tests that need the real
//! binary (signals, logs, process limits), shared by `server.rs` and `hardening.rs`.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A running `color-palettes serve --addr 127.0.0.1:0`, killed when dropped.
pub struct Binary {
    child: Child,
    /// Its address, read from the first line it prints.
    pub addr: SocketAddr,
    /// `http://` and the address.
    pub base: String,
}

/// How to start it.
#[derive(Default)]
pub struct Launch<'a> {
    /// Arguments after `serve --addr 127.0.0.1:0`.
    pub args: &'a [&'a str],
    /// Environment variables set for the server.
    pub env: &'a [(&'a str, &'a Path)],
    /// The open-file limit (`ulimit -n`), when the test needs one.
    pub max_open_files: Option<u32>,
}

impl Binary {
    /// `color-palettes serve` with `args`.
    pub fn start(args: &[&str]) -> Binary {
        Binary::launch(&Launch {
            args,
            ..Launch::default()
        })
    }

    /// `color-palettes serve` as `launch` says.
    pub fn launch(launch: &Launch<'_>) -> Binary {
        let exe = env!("CARGO_BIN_EXE_color-palettes");
        let mut command = match launch.max_open_files {
            Some(n) => {
                let mut sh = Command::new("sh");
                let script = format!("ulimit -n {n} && exec \"$0\" \"$@\"");
                sh.args(["-c", &script, exe]);
                sh
            }
            None => Command::new(exe),
        };
        let mut child = command
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(launch.args)
            .envs(launch.env.iter().map(|(k, v)| (*k, *v)))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn color-palettes serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("first line");
        let base = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        let addr = base
            .strip_prefix("http://")
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        Binary { child, addr, base }
    }

    /// Sends SIGTERM and returns the exit status and everything written to stderr.
    pub fn terminate(mut self) -> (ExitStatus, String) {
        let pid = self.child.id().to_string();
        let killed = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        assert!(killed.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the server did not stop within 10 s of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut stderr = String::new();
        if let Some(mut pipe) = self.child.stderr.take() {
            let _ = pipe.read_to_string(&mut stderr);
        }
        (status, stderr)
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
