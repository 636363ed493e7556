//! `measure OUT.json -- COMMAND [ARGS...]`: runs COMMAND (stdin, stdout and stderr passed
//! through), then writes `{"wall_s":..,"user_s":..,"sys_s":..,"maxrss_kb":..,"code":..}` to
//! OUT.json and exits with COMMAND's exit code (128 + signal if it was killed).
//!
//! Peak RSS comes from `getrusage(RUSAGE_CHILDREN)` after the only child has been waited for.
//! Linux's `ru_maxrss` also counts the memory the child had before `exec` — the spawning
//! process's — so the benchmark driver (a Python process of ~20 MB) spawns this small launcher
//! instead of the tools themselves: the floor is this program's ~2 MB, not Python's.
//! Benchmark-only: not part of the color-palettes package.

use std::ffi::OsString;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitCode};
use std::time::Instant;

fn seconds(t: libc::timeval) -> f64 {
    t.tv_sec as f64 + t.tv_usec as f64 / 1e6
}

fn run() -> Result<u8, String> {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let (out, cmd) = match args.as_slice() {
        [out, sep, cmd @ ..] if sep == "--" && !cmd.is_empty() => (out, cmd),
        _ => return Err("usage: measure OUT.json -- COMMAND [ARGS...]".into()),
    };
    let start = Instant::now();
    let status = Command::new(&cmd[0])
        .args(&cmd[1..])
        .status()
        .map_err(|e| format!("cannot run {:?}: {e}", cmd[0]))?;
    let wall = start.elapsed().as_secs_f64();
    // SAFETY: getrusage only writes into the zero-initialised struct we pass.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) != 0 {
            return Err("getrusage failed".into());
        }
        usage
    };
    let code = match (status.code(), status.signal()) {
        (Some(c), _) => c,
        (None, Some(s)) => 128 + s,
        (None, None) => 255,
    };
    let json = format!(
        "{{\"wall_s\":{wall},\"user_s\":{},\"sys_s\":{},\"maxrss_kb\":{},\"code\":{code}}}\n",
        seconds(usage.ru_utime),
        seconds(usage.ru_stime),
        usage.ru_maxrss
    );
    std::fs::write(out, json).map_err(|e| format!("cannot write {out:?}: {e}"))?;
    Ok(u8::try_from(code).unwrap_or(255))
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("measure: {e}");
            ExitCode::from(125)
        }
    }
}
