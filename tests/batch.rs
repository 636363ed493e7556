//! `color-palettes films` against what a folder and an output file can be: other spellings of
//! the same folder, files that change, files that are not films (a FIFO, a broken link, a
//! name that is not UTF-8, a newline in a name), an output that is a device or holds bad
//! lines, two runs at once, and a run killed at any moment. Films are made with the real
//! FFmpeg.
#![cfg(feature = "cli")]

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_color-palettes");

fn temp_dir(name: &str) -> PathBuf {
    common::temp_dir("batch", name)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A one-colour film of `seconds`, 64x36, made by the real FFmpeg.
fn film(path: &Path, colour: &str, seconds: f64) {
    common::ffmpeg(&[
        "-f".into(),
        "lavfi".into(),
        "-i".into(),
        format!("color=c={colour}:s=64x36:r=25:d={seconds}"),
        "-c:v".into(),
        "libx264".into(),
        "-preset".into(),
        "ultrafast".into(),
        "-pix_fmt".into(),
        "yuv420p".into(),
        s(path).into(),
    ]);
}

fn films(folder: &str, out: &Path, cwd: &Path, extra: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(cwd)
        .args(["films", folder, "--out", s(out), "-k", "2"])
        .args(extra)
        .output()
        .expect("the binary starts")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The output's lines that parse, by the canonical path of their file.
fn lines_by_file(out: &Path) -> HashMap<String, Vec<Value>> {
    let mut by_file: HashMap<String, Vec<Value>> = HashMap::new();
    for line in std::fs::read(out).unwrap().split(|&b| b == b'\n') {
        if let Ok(v) = serde_json::from_slice::<Value>(line) {
            let path = v["file"]["path"].as_str().expect("a file").to_string();
            by_file.entry(path).or_default().push(v);
        }
    }
    by_file
}

#[test]
fn the_same_folder_by_any_spelling_is_not_read_twice_and_a_changed_film_is() {
    let dir = temp_dir("spelling");
    let folder = dir.join("names");
    std::fs::create_dir_all(&folder).unwrap();
    film(&folder.join("a.mp4"), "0xC83232", 1.0);
    film(&folder.join("b.mp4"), "0x3232C8", 1.0);
    std::os::unix::fs::symlink(&folder, dir.join("link")).unwrap();
    let out = dir.join("out.jsonl");
    let first = films("names", &out, &dir, &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stderr(&first).contains("2 done, 0 already done"));
    for spelling in ["./names", "names/", s(&folder), "link", "./link/../names"] {
        let again = films(spelling, &out, &dir, &[]);
        assert!(
            stderr(&again).contains("0 done, 2 already done (skipped)"),
            "{spelling}: {}",
            stderr(&again)
        );
    }
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 2);
    // A film made again (other colour, other size and time) is read again; the newer
    // line is the last of its file.
    std::thread::sleep(Duration::from_millis(20));
    film(&folder.join("b.mp4"), "0x32C832", 2.0);
    let changed = films("./names", &out, &dir, &[]);
    assert!(
        stderr(&changed).contains("1 done, 1 already done"),
        "{}",
        stderr(&changed)
    );
    let by_file = lines_by_file(&out);
    let b = &by_file[s(&std::fs::canonicalize(folder.join("b.mp4")).unwrap())];
    assert_eq!(b.len(), 2);
    let rgb = &b[1]["palette"]["colors"][0]["rgb"];
    assert!(rgb[1].as_u64() > rgb[0].as_u64(), "green now: {}", b[1]);
    assert_eq!(b[1]["source"], "./names/b.mp4");
}

#[test]
fn every_file_of_the_folder_is_accounted_for_and_no_name_forges_a_line() {
    use std::os::unix::ffi::OsStrExt;
    let dir = temp_dir("accounted");
    film(&dir.join("a.mp4"), "0xC83232", 1.0);
    // A name with a newline that, printed as it is, would read as a line of its own.
    film(&dir.join("x.mp4\ndone: forged.mp4"), "0x3232C8", 1.0);
    std::fs::write(dir.join("notes.txt"), "not a film").unwrap();
    std::fs::write(dir.join(".hidden.mp4"), "hidden").unwrap();
    std::fs::write(dir.join("still.png"), "a still by its name").unwrap();
    std::fs::create_dir(dir.join("sub")).unwrap();
    std::os::unix::fs::symlink(dir.join("gone.mp4"), dir.join("broken.mp4")).unwrap();
    let fifo = Command::new("mkfifo")
        .arg(dir.join("pipe.mp4"))
        .status()
        .unwrap();
    assert!(fifo.success());
    let odd = std::ffi::OsStr::from_bytes(b"odd-\xff.mp4");
    std::fs::write(dir.join(odd), "a name that is not UTF-8").unwrap();
    // The output inside the folder it lists.
    let out = dir.join("palettes.jsonl");
    let run = films(s(&dir), &out, &dir, &[]);
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(3), "notes.txt failed: {err}");
    assert!(
        err.contains("2 done, 0 already done (skipped), 1 failed, 0 failed before (not tried again), 7 not films"),
        "{err}"
    );
    for (name, reason) in [
        (".hidden.mp4", "hidden"),
        ("broken.mp4", "a broken link"),
        ("odd-\u{fffd}.mp4", "its name is not UTF-8"),
        ("palettes.jsonl", "the --out file itself"),
        ("pipe.mp4", "not a regular file"),
        ("still.png", "a still"),
        ("sub", "a folder"),
    ] {
        let told = format!("not a film: \"{name}\": {reason}");
        assert!(err.contains(&told), "{told:?} not in {err}");
    }
    // Every line of stderr is one of the run's own: the newline in the name is escaped.
    for line in err.lines() {
        assert!(
            ["done: \"", "failed: \"", "not a film: \"", "2 done"]
                .iter()
                .any(|p| line.starts_with(p)),
            "a line the run did not write: {line:?}"
        );
    }
    assert!(err.contains(r#"x.mp4\ndone: forged.mp4""#), "{err}");
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.lines().count(), 3, "{text}");
}

#[test]
fn an_output_that_is_not_a_regular_file_is_refused_and_bad_lines_are_skipped() {
    let dir = temp_dir("output");
    let folder = dir.join("films");
    std::fs::create_dir_all(&folder).unwrap();
    film(&folder.join("a.mp4"), "0xC83232", 1.0);
    film(&folder.join("b.mp4"), "0x3232C8", 1.0);
    for device in [Path::new("/dev/zero"), Path::new("/dev/null"), &dir] {
        let run = films(s(&folder), device, &dir, &[]);
        let err = stderr(&run);
        assert_eq!(run.status.code(), Some(1), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("--out must be a regular file"), "{err}");
    }
    let out = dir.join("out.jsonl");
    let first = films(s(&folder), &out, &dir, &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    // Bad lines around the good ones: a byte that is not UTF-8, text, a torn line.
    let mut bytes = b"\xff\xfe not a line\nhello\n".to_vec();
    bytes.extend(std::fs::read(&out).unwrap());
    bytes.extend(b"{\"source\":\"torn");
    std::fs::write(&out, &bytes).unwrap();
    let again = films(s(&folder), &out, &dir, &[]);
    let err = stderr(&again);
    assert!(again.status.success(), "{err}");
    assert!(err.contains("0 done, 2 already done (skipped)"), "{err}");
    assert!(
        err.contains("line 1: not a JSON line of a film; skipped"),
        "{err}"
    );
    assert!(
        err.contains("line 2: not a JSON line of a film; skipped"),
        "{err}"
    );
    assert!(err.contains("line 5: cut short"), "{err}");
    // The torn line was ended, so what follows starts on a line of its own.
    assert!(std::fs::read(&out).unwrap().ends_with(b"torn\n"));
}

#[test]
fn a_failed_film_is_one_line_and_read_again_only_when_asked() {
    let dir = temp_dir("failed");
    let folder = dir.join("films");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("c.mp4"), "not a film").unwrap();
    let out = dir.join("out.jsonl");
    for _ in 0..2 {
        let run = films(s(&folder), &out, &dir, &[]);
        assert_eq!(run.status.code(), Some(3), "{}", stderr(&run));
    }
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 1);
    let retried = films(s(&folder), &out, &dir, &["--retry-failed"]);
    assert_eq!(retried.status.code(), Some(3));
    assert!(
        stderr(&retried).contains("failed again: "),
        "{}",
        stderr(&retried)
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 1);
    // Mended, it is read again when asked, and its palette follows its error line.
    film(&folder.join("c.mp4"), "0xC83232", 1.0);
    let mended = films(s(&folder), &out, &dir, &[]);
    assert!(
        mended.status.success(),
        "a changed file is read again: {}",
        stderr(&mended)
    );
    let lines: Vec<Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[1]["palette"]["colors"].is_array());
}

/// Films enough that a run takes a while: `n` one-second films.
fn folder_of(dir: &Path, n: usize) -> PathBuf {
    let folder = dir.join("films");
    std::fs::create_dir_all(&folder).unwrap();
    let colours = ["0xC83232", "0x3232C8", "0x32C832", "0xC8C832", "0x32C8C8"];
    for i in 0..n {
        film(
            &folder.join(format!("f{i:02}.mp4")),
            colours[i % colours.len()],
            1.0,
        );
    }
    folder
}

/// Every film has exactly one line, and every complete line is a film's palette.
#[track_caller]
fn assert_each_film_once(folder: &Path, out: &Path, n: usize) {
    let by_file = lines_by_file(out);
    assert_eq!(by_file.len(), n, "{by_file:?}");
    for (file, lines) in &by_file {
        assert_eq!(lines.len(), 1, "{file} done {} times", lines.len());
        assert!(lines[0]["palette"]["colors"].is_array(), "{}", lines[0]);
    }
    for i in 0..n {
        let path = std::fs::canonicalize(folder.join(format!("f{i:02}.mp4"))).unwrap();
        assert!(by_file.contains_key(s(&path)));
    }
}

#[test]
fn a_second_run_on_the_same_output_is_refused_while_the_first_goes_on() {
    let dir = temp_dir("concurrent");
    let n = 6;
    let folder = folder_of(&dir, n);
    let out = dir.join("out.jsonl");
    let mut first = Command::new(BIN)
        .args(["films", s(&folder), "--out", s(&out), "-k", "2"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Once the first run has written a line it holds the lock.
    let started = Instant::now();
    while std::fs::read(&out).map_or(true, |b| !b.contains(&b'\n')) {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no line written"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let second = films(s(&folder), &out, &dir, &[]);
    let err = stderr(&second);
    assert_eq!(second.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("is being written by another films run"),
        "{err}"
    );
    assert!(first.wait().unwrap().success());
    assert_each_film_once(&folder, &out, n);
}

#[test]
fn a_run_killed_at_any_moment_loses_nothing_and_does_nothing_twice() {
    let dir = temp_dir("killed");
    let n = 5;
    let folder = folder_of(&dir, n);
    let out = dir.join("out.jsonl");
    // Kill after each of these delays in turn (ms), from before the output is opened to
    // mid-film, then let the last run finish.
    let delays = [
        0u64, 3, 10, 30, 60, 100, 150, 220, 300, 400, 7, 90, 250, 15, 180,
    ];
    for delay in delays {
        let mut child = Command::new(BIN)
            .args(["films", s(&folder), "--out", s(&out), "-k", "2"])
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
    }
    let last = films(s(&folder), &out, &dir, &[]);
    assert!(last.status.success(), "{}", stderr(&last));
    assert_each_film_once(&folder, &out, n);
    // And a run after it has nothing left to do.
    let after = films(s(&folder), &out, &dir, &[]);
    assert!(stderr(&after).contains(&format!("0 done, {n} already done")));
}
