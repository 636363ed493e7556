#!/usr/bin/env python3
"""Reruns the film and CLI attacks of RELIABILITY.md ("Films and the CLI") and measures them.

    cargo build --release --features server
    python3 scripts/film_attacks.py [--bin target/release/color-palettes] [--only TEXT]
                                    [--timeout 120] [--keep] [--said]

Each hostile file is built with the real FFmpeg the way the test named in the table builds it
(tests/film.rs, tests/batch.rs, tests/cli.rs), in a temporary folder removed afterwards
(`--keep` keeps it). `extract` is given a 965x509 RGBA still made with FFmpeg (the size of the
sample still Chimera the test uses, which needs a download). The last attack is the Matroska
whose timestamps run to 180 000 s behind a header saying 2 s (issue 23, finding 2).

Each run of the binary goes through `/usr/bin/time -f "%e %M"`, and is measured three ways:

* time: wall clock (`%e`);
* "largest process": `%M`, the ru_maxrss of the binary, which Linux makes the peak resident
  memory of the largest single process among the binary and the FFmpeg/ffprobe children it
  waited for (not their sum). `time` is there because a process keeps in ru_maxrss the memory
  of the process that forked it: started from this script directly, every run would count
  Python's own;
* "color-palettes": the binary's own peak: the same `%M` when it started no child, else its
  VmHWM (/proc/PID/status) read every 5 ms while it runs (growth in its last 5 ms is missed).

An attack of several runs (the kill loop) gives its total time and the largest peak of its
runs. Every run has a time limit (`--timeout`, 120 s); one over it is killed with its process
group and shown as such. Nothing touches the network. Prints a Markdown table: attack | case |
exit | time | largest process | color-palettes (and `--said`: the last line on stderr).
Without /usr/bin/time it measures with os.wait4 directly, and says that the largest process
then includes this script's memory.
"""

import argparse
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ARGS = None


class Run:
    """One measured run of the binary."""

    def __init__(self, code, seconds, maxrss_kb, own_kb, killed=False, stderr=b"", limit=0.0):
        self.code, self.seconds, self.maxrss_kb, self.own_kb = code, seconds, maxrss_kb, own_kb
        self.killed, self.stderr, self.limit = killed, stderr, limit


def vm_hwm_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def child_of(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            kids = f.read().split()
        return int(kids[0]) if kids else None
    except OSError:
        return None


def is_the_binary(pid):
    try:
        return os.readlink(f"/proc/{pid}/exe") == ARGS.bin
    except OSError:
        return False


TIME = "/usr/bin/time"


def measure(args, cwd=None, stdin=None, stdout=None, shell_prefix=None, timeout=None):
    """Runs the binary with `args` under /usr/bin/time; returns a Run. `shell_prefix` runs it
    through `sh -c` (which execs it: the same process)."""
    timeout = timeout or ARGS.timeout
    if shell_prefix is not None:
        cmd = ["sh", "-c", shell_prefix, ARGS.bin, *args]
    else:
        cmd = [ARGS.bin, *args]
    stamp = time.monotonic_ns()
    err_path = Path(ARGS.tmp) / f".stderr-{stamp}"
    time_path = Path(ARGS.tmp) / f".time-{stamp}"
    # /usr/bin/time forks the binary from its own small process: the binary's ru_maxrss then
    # starts from time's few MB, not from this script's (a child of a fork and exec keeps its
    # parent's peak in ru_maxrss).
    wrapped = [TIME, "-f", "%e %M", "-o", str(time_path), *cmd] if os.path.exists(TIME) else cmd
    with open(err_path, "wb") as err:
        start = time.monotonic()
        proc = subprocess.Popen(wrapped, cwd=cwd,
                                stdin=stdin if stdin is not None else subprocess.DEVNULL,
                                stdout=stdout if stdout is not None else subprocess.DEVNULL,
                                stderr=err, start_new_session=True)
        own, killed, binary = 0, False, None if wrapped is not cmd else proc.pid
        had_children = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            binary = binary or child_of(proc.pid)
            if binary and is_the_binary(binary):  # not yet `time` or `sh` before their exec
                own = max(own, vm_hwm_kb(binary))
                had_children = had_children or child_of(binary) is not None
            if time.monotonic() - start > timeout:
                killed = True
                os.killpg(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        seconds = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    stderr = err_path.read_bytes()
    err_path.unlink()
    maxrss = usage.ru_maxrss
    if wrapped is not cmd:
        text = time_path.read_text().split() if time_path.exists() else []
        time_path.unlink(missing_ok=True)
        # `time` writes "Command exited with non-zero status N" before its line.
        if len(text) >= 2 and not killed:
            seconds, maxrss = float(text[-2]), int(text[-1])
        else:
            maxrss = own
    # With no child seen (no FFmpeg), ru_maxrss is the binary's own peak, exactly.
    if not had_children and not killed:
        own = maxrss
    return Run(code, seconds, maxrss, own or maxrss, killed, stderr, timeout)


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-v", "error", "-y", *map(str, args)], check=True,
                   stdin=subprocess.DEVNULL, timeout=300)


# The films of tests/film.rs: a 320x180 picture at (8, 24) in a 336x244 frame, H.264.
def film_of_colours(colours, path):
    inputs, graph = [], ""
    for i, (colour, seconds) in enumerate(colours):
        inputs += ["-f", "lavfi", "-i", f"color=c={colour}:s=320x180:r=25:d={seconds}"]
        graph += f"[{i}:v]pad=336:244:8:24:black,setsar=1,format=yuv420p[v{i}];"
    graph += "".join(f"[v{i}]" for i in range(len(colours)))
    graph += f"concat=n={len(colours)}:v=1:a=0[out]"
    ffmpeg(*inputs, "-filter_complex", graph, "-map", "[out]", "-c:v", "libx264",
           "-preset", "ultrafast", "-crf", "16", "-g", "25", "-r", "25", path)


# The films of tests/batch.rs: one colour, 64x36.
def small_film(path, colour, seconds=1.0):
    ffmpeg("-f", "lavfi", "-i", f"color=c={colour}:s=64x36:r=25:d={seconds}",
           "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", path)


def folder_of(dir, n):
    folder = dir / "films"
    folder.mkdir(parents=True)
    colours = ["0xC83232", "0x3232C8", "0x32C832", "0xC8C832", "0x32C8C8"]
    for i in range(n):
        small_film(folder / f"f{i:02}.mp4", colours[i % len(colours)])
    return folder


def fresh(name):
    d = Path(ARGS.tmp) / name
    d.mkdir(parents=True)
    return d


def films(folder, out, cwd, *extra):
    return ["films", str(folder), "--out", str(out), "-k", "2", *extra]


# Each attack returns [(case, Run)], named by the table's row.

def rotated():
    d = fresh("rotated")
    film_of_colours([("0xC83232", 1.0), ("0x3232C8", 1.0)], d / "stored.mp4")
    ffmpeg("-i", d / "stored.mp4", "-c", "copy", "-metadata:s:v:0", "rotate=90", d / "rotated90.mp4")
    return [("rotate=90, `film -k 2`", measure(["film", "-k", "2", str(d / "rotated90.mp4")]))]


def named_report():
    d = fresh("named")
    film_of_colours([("0xC83232", 1.0)], d / "made.mp4")
    (d / "made.mp4").rename(d / "-report")
    run = measure(["film", "-k", "2", "--", "-report"], cwd=d)
    left = sorted(p.name for p in d.iterdir())
    return [(f"`film -k 2 -- -report` (files after: {', '.join(left)})", run)]


def playlist():
    d = fresh("playlist")
    other = d / "other.mp4"
    film_of_colours([("0xC83232", 2.0)], other)
    (d / "playlist.mp4").write_text(
        f"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n{other}\n#EXT-X-ENDLIST\n")
    out = fresh("playlist-out") / "films.jsonl"
    return [("`film playlist.mp4`", measure(["film", str(d / "playlist.mp4")])),
            ("`films` of its folder", measure(films(d, out, d)))]


def cover_and_null():
    d = fresh("bad")
    cover = d / "cover.mp3"
    ffmpeg("-f", "lavfi", "-i", "sine=d=1", "-f", "lavfi", "-i", "color=red:s=64x64:d=0.04",
           "-map", "0", "-map", "1", "-c:a", "libmp3lame", "-c:v", "mjpeg",
           "-disposition:v", "attached_pic", cover)
    return [("`film cover.mp3`", measure(["film", str(cover)])),
            ("`film /dev/null`", measure(["film", "/dev/null"]))]


def a_still():
    """A stand-in for the sample still Chimera (965x509 RGBA PNG), made here: no network."""
    path = Path(ARGS.tmp) / "still.png"
    if not path.exists():
        ffmpeg("-f", "lavfi", "-i", "testsrc2=size=965x509", "-frames:v", "1",
               "-pix_fmt", "rgba", path)
    return path


def extract_writes():
    still = str(a_still())
    with open("/dev/full", "wb") as full:
        to_full = measure(["extract", still, "-k", "3", "--format", "hex"], stdout=full)
    return [("`--png /dev/full`", measure(["extract", still, "-k", "3", "--png", "/dev/full"])),
            ("stdout on /dev/full", to_full),
            ("stdout closed (`>&-`)",
             measure([still], shell_prefix='exec "$0" extract "$1" -k 3 >&-'))]


def truncated():
    d = fresh("truncated")
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=320x180:rate=25", "-t", "10", "-c:v", "libx264",
           "-pix_fmt", "yuv420p", "-movflags", "+faststart", d / "whole.mp4")
    data = (d / "whole.mp4").read_bytes()
    (d / "cut.mp4").write_bytes(data[: len(data) * 4 // 10])
    return [("`film --scenes cut.mp4`", measure(["film", "--scenes", str(d / "cut.mp4")]))]


def transparent():
    d = fresh("alpha")
    ffmpeg("-f", "lavfi", "-i", "color=c=red@0.0:s=64x48:d=2:r=5,format=rgba",
           "-f", "lavfi", "-i", "color=c=blue:s=32x48:d=2:r=5,format=rgba",
           "-filter_complex", "[0][1]overlay=0:0:format=auto,format=rgba", "-c:v", "png",
           d / "alpha.mov")
    return [("`film -k 4 alpha.mov`", measure(["film", "-k", "4", str(d / "alpha.mov")]))]


def animations():
    d = fresh("animations")
    runs = []
    for name, fmt in [("anim.gif", "gif"), ("anim.png", "apng")]:
        ffmpeg("-f", "lavfi", "-i", "color=red:s=64x48:d=1:r=5", "-f", "lavfi", "-i",
               "color=blue:s=64x48:d=3:r=5", "-filter_complex", "[0][1]concat=n=2:v=1",
               "-f", fmt, d / name)
        runs.append((f"`film -k 3 --scenes {name}`",
                     measure(["film", "-k", "3", "--scenes", str(d / name)])))
    return runs


def huge_inputs():
    sparse = Path(ARGS.tmp) / "sparse.png"
    with open(sparse, "wb") as f:
        f.truncate(1 << 30)
    runs = [("sparse 1 GB `.png`", measure(["extract", str(sparse)]))]
    sparse.unlink()
    runs.append(zeros_on_stdin("1G"))
    # Just under the 401 MB file limit (8 bytes a pixel of 50 MP, and 1 MB): read whole.
    near = Path(ARGS.tmp) / "near.png"
    with open(near, "wb") as f:
        f.truncate(380 << 20)
    runs.append(("sparse 380 MB `.png` (under the limit)", measure(["extract", str(near)])))
    near.unlink()
    runs.append(zeros_on_stdin("380M"))
    # A PNG signature, then zeros: an empty chunk every 12 bytes.
    chunks = Path(ARGS.tmp) / "chunks.png"
    with open(chunks, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.truncate(380 << 20)
    runs.append(("a 380 MB PNG signature then zeros", measure(["extract", str(chunks)])))
    chunks.unlink()
    return runs


def zeros_on_stdin(size):
    head = subprocess.Popen(["head", "-c", size, "/dev/zero"], stdout=subprocess.PIPE)
    run = measure(["extract", "-"], stdin=head.stdout)
    head.stdout.close()
    head.kill()
    head.wait()
    return (f"`head -c {size} /dev/zero | color-palettes extract -`", run)


def spellings():
    d = fresh("spelling")
    folder = d / "names"
    folder.mkdir()
    small_film(folder / "a.mp4", "0xC83232")
    small_film(folder / "b.mp4", "0x3232C8")
    (d / "link").symlink_to(folder)
    out = d / "out.jsonl"
    runs = [("`films names` (2 films read)", measure(films("names", out, d), cwd=d))]
    for spelling in ["./names", "names/", str(folder), "link", "./link/../names"]:
        runs.append((f"`films {spelling}`" if not spelling.startswith("/") else "`films /abs/names`",
                     measure(films(spelling, out, d), cwd=d)))
    return runs


def concurrent():
    d = fresh("concurrent")
    folder = folder_of(d, 6)
    out = d / "out.jsonl"
    start = time.monotonic()
    first = subprocess.Popen([ARGS.bin, *films(folder, out, d)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    while not (out.exists() and b"\n" in out.read_bytes()):
        if time.monotonic() - start > 60:
            break
        time.sleep(0.01)
    second = measure(films(folder, out, d))
    try:
        first.wait(timeout=ARGS.timeout)
    except subprocess.TimeoutExpired:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    return [("the second run (refused)", second)]


def killed():
    d = fresh("killed")
    folder = folder_of(d, 5)
    out = d / "out.jsonl"
    delays = [0, 3, 10, 30, 60, 100, 150, 220, 300, 400, 7, 90, 250, 15, 180]
    start, peak, own = time.monotonic(), 0, 0
    for delay in delays:
        # The run's own limit is its delay: killed with SIGKILL then, as the test does.
        r = measure(films(folder, out, d), timeout=delay / 1000)
        peak, own = max(peak, r.maxrss_kb), max(own, r.own_kb)
    loop = Run("SIGKILL x 15", time.monotonic() - start, peak, own)
    last = measure(films(folder, out, d))
    after = measure(films(folder, out, d))
    return [("15 runs killed at 0-400 ms (total)", loop), ("the run to the end", last),
            ("a run after it", after)]


def bad_outputs():
    d = fresh("output")
    folder = d / "films"
    folder.mkdir()
    small_film(folder / "a.mp4", "0xC83232")
    small_film(folder / "b.mp4", "0x3232C8")
    runs = [(f"`--out {dev}`", measure(films(folder, dev, d)))
            for dev in ["/dev/zero", "/dev/null"]]
    runs.append(("`--out` a folder", measure(films(folder, d, d))))
    out = d / "out.jsonl"
    measure(films(folder, out, d))
    data = b"\xff\xfe not a line\nhello\n" + out.read_bytes() + b'{"source":"torn'
    out.write_bytes(data)
    runs.append(("bad lines (non-UTF-8, text, torn)", measure(films(folder, out, d))))
    # The line of the unit test `a_line_longer_than_the_limit_is_read_through_and_skipped`
    # (film::batch), through the binary: 64 MB + 10 bytes, then a newline.
    big = d / "big.jsonl"
    with open(big, "wb") as f:
        for _ in range(64):
            f.write(b"x" * (1 << 20))
        f.write(b"x" * 10 + b"\n")
    runs.append(("a line of 64 MB + 10 bytes", measure(films(folder, big, d))))
    return runs


def odd_folder():
    d = fresh("accounted")
    small_film(d / "a.mp4", "0xC83232")
    small_film(d / "x.mp4\ndone: forged.mp4", "0x3232C8")
    (d / "notes.txt").write_text("not a film")
    (d / ".hidden.mp4").write_text("hidden")
    (d / "still.png").write_text("a still by its name")
    (d / "sub").mkdir()
    (d / "broken.mp4").symlink_to(d / "gone.mp4")
    os.mkfifo(d / "pipe.mp4")
    with open(os.path.join(os.fsencode(d), b"odd-\xff.mp4"), "wb") as f:
        f.write(b"a name that is not UTF-8")
    return [("`films` of that folder", measure(films(d, d / "palettes.jsonl", d)))]


def failed():
    d = fresh("failed")
    folder = d / "films"
    folder.mkdir()
    (folder / "c.mp4").write_text("not a film")
    out = d / "out.jsonl"
    runs = [(f"run {i + 1}", measure(films(folder, out, d))) for i in range(2)]
    runs.append(("`--retry-failed`", measure(films(folder, out, d, "--retry-failed"))))
    lines = len(out.read_text().splitlines())
    return [(f"{c} ({lines} line in all)" if c == "`--retry-failed`" else c, r) for c, r in runs]


def stretched():
    """The hang of issue 23 (finding 2), as tests/film.rs builds it on the film-hang branch."""
    d = fresh("stretched")
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=320x240:rate=5:d=2", "-vf", "setpts=PTS*100000",
           "-c:v", "libx264", "-pix_fmt", "yuv420p", d / "stretched.mkv")
    data = bytearray((d / "stretched.mkv").read_bytes())
    # The Segment Info Duration (ID 0x4489, an 8-byte float in ms): said to be 2 s.
    at = [i for i in range(len(data) - 2) if data[i:i + 3] == b"\x44\x89\x88"]
    if len(at) != 1:
        raise RuntimeError(f"{len(at)} Duration elements")
    stated = struct.unpack(">d", data[at[0] + 3:at[0] + 11])[0]
    data[at[0] + 3:at[0] + 11] = struct.pack(">d", 2000.0)
    (d / "film.mkv").write_bytes(data)
    return [(f"`film -k 3 film.mkv` ({len(data) // 1000} kB, timestamps to {stated / 1000:.0f} s, "
             "header 2 s)", measure(["film", "-k", "3", str(d / "film.mkv")]))]


def hdr():
    d = fresh("hdr")
    ffmpeg("-f", "lavfi", "-i", "color=c=0xC83232:s=320x180:r=25:d=2", "-c:v", "libx265",
           "-x265-params", "log-level=none", "-pix_fmt", "yuv420p10le", "-color_primaries",
           "bt2020", "-color_trc", "smpte2084", "-colorspace", "bt2020nc", d / "pq.mkv")
    return [("`film pq.mkv`", measure(["film", str(d / "pq.mkv")]))]


def too_long():
    d = fresh("too-long")
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=1920x1080:r=25:d=8", "-c:v", "libx264",
           "-preset", "ultrafast", d / "big.mp4")
    os.mkfifo(d / "pipe.mp4")
    return [
        ("`film --time-limit 0.5 big.mp4` (8 s of 1080p)",
         measure(["film", "--time-limit", "0.5", str(d / "big.mp4")])),
        ("`film --time-limit 1 pipe.mp4` (a FIFO)",
         measure(["film", "--time-limit", "1", str(d / "pipe.mp4")])),
    ]


ATTACKS = [
    ("letterboxed clip with a 90° rotation in its header", rotated),
    ("a film named `-report`", named_report),
    ("`playlist.mp4`, an HLS playlist naming another local video", playlist),
    ("an MP3 with cover art; `film /dev/null`", cover_and_null),
    ("`extract` into `/dev/full`; standard output closed", extract_writes),
    ("an MP4 (index first) cut to 40%", truncated),
    ("an RGBA film (PNG in MOV), half transparent", transparent),
    ("an animated GIF and an APNG", animations),
    ("a sparse 1 GB `.png`, 1 GB of zeros on stdin", huge_inputs),
    ("`films names`, then other spellings of the folder", spellings),
    ("two `films` runs on one `--out`", concurrent),
    ("`films` killed with `kill -9` fifteen times", killed),
    ("`--out /dev/zero`, `/dev/null`, a folder; bad lines", bad_outputs),
    ("a folder with a FIFO, a broken link, ...", odd_folder),
    ("a film that fails, run three times", failed),
    ("Matroska, timestamps to 180 000 s behind a 2 s header (the hang)", stretched),
    ("a film past its time limit", too_long),
    ("HDR film (10-bit HEVC tagged PQ)", hdr),
]


def mb(kb):
    return f"{kb / 1024:.0f} MB" if kb >= 10 * 1024 else f"{kb / 1024:.1f} MB"


def main():
    global ARGS
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--bin", default="target/release/color-palettes")
    p.add_argument("--only", default="", help="run the attacks whose name contains this")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds a run may take")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    p.add_argument("--said", action="store_true", help="add the last line each run wrote on stderr")
    ARGS = p.parse_args()
    ARGS.bin = str(Path(ARGS.bin).resolve())
    if not os.access(ARGS.bin, os.X_OK):
        sys.exit(f"{ARGS.bin} is not an executable; cargo build --release --features server")
    ARGS.tmp = tempfile.mkdtemp(prefix="film-attacks-")
    if not os.path.exists(TIME):
        print(f"({TIME} is missing: the largest process includes this script's own memory)")
    print("| attack | case | exit | time | largest process | color-palettes |"
          + (" said |" if ARGS.said else ""))
    print("| --- | --- | --- | --- | --- | --- |" + (" --- |" if ARGS.said else ""))
    try:
        for name, attack in ATTACKS:
            if ARGS.only.lower() not in name.lower():
                continue
            try:
                runs = attack()
            except Exception as e:  # a file FFmpeg could not make: said, and the next one
                print(f"| {name} | could not run: {e} | | | | |" + (" |" if ARGS.said else ""),
                      flush=True)
                continue
            for case, r in runs:
                exit_ = f"killed at {r.limit:.3g} s" if r.killed else str(r.code)
                row = (f"| {name} | {case} | {exit_} | {r.seconds:.2f} s | {mb(r.maxrss_kb)} "
                       f"| {mb(r.own_kb)} |")
                if ARGS.said:
                    said = r.stderr.decode(errors="replace").strip().splitlines()
                    row += f" {said[-1][:160] if said else ''} |"
                print(row.replace("\n", " "), flush=True)
    finally:
        if ARGS.keep:
            print(f"\nfiles kept in {ARGS.tmp}", file=sys.stderr)
        else:
            shutil.rmtree(ARGS.tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
