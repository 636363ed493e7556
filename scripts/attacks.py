#!/usr/bin/env python3
"""Reruns the attacks of RELIABILITY.md against the release binary, on loopback only.

    cargo build --release --features server --bin color-palettes --example hostile
    target/release/examples/hostile target/hostile
    python3 scripts/attacks.py [--bin target/release/color-palettes] [--files target/hostile] [--only TEXT]
                               [--serve-arg=--memory-budget=MB ...]

Each attack runs against a fresh `color-palettes serve` (so the peak memory is the attack's
own), started under an open-file limit of 256 as in the audit, while a thread asks /healthz
every 0.5 s (2 s timeout). Prints one Markdown table row per attack: what was sent, the
answers, the time, the server's peak resident memory (VmHWM) and the health checks answered.
Every address is 127.0.0.1; every loop is bounded in count and time.
"""

import argparse
import gzip
import http.client
import http.server
import json
import socket
import subprocess
import threading
import time
from pathlib import Path

ARGS = None


def server(extra=()):
    cmd = f'ulimit -n 256 && exec "$0" serve --addr 127.0.0.1:0 "$@"'
    proc = subprocess.Popen(["sh", "-c", cmd, ARGS.bin, *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline().strip()
    host, port = line.removeprefix("listening on http://").rsplit(":", 1)
    return proc, int(port)


def peak_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def request(port, method, path, body=None, headers=None, timeout=120):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, resp.getheader("Content-Type", ""), data
    except (OSError, http.client.HTTPException) as e:
        return None, "", str(e).encode()
    finally:
        conn.close()


class Health(threading.Thread):
    """Asks /healthz every 0.5 s until stopped (at most 600 times)."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port, self.stop, self.ok, self.total, self.slowest = port, threading.Event(), 0, 0, 0.0

    def run(self):
        for _ in range(600):
            if self.stop.is_set():
                return
            started = time.monotonic()
            status, _, _ = request(self.port, "GET", "/healthz", timeout=2)
            took = time.monotonic() - started
            self.total += 1
            self.ok += status == 200 and took < 2
            self.slowest = max(self.slowest, took)
            self.stop.wait(0.5)


def attack(name, run, extra=()):
    if ARGS.only and ARGS.only not in name:
        return
    proc, port = server([*extra, *ARGS.serve_arg])
    health = Health(port)
    health.start()
    time.sleep(0.3)
    started = time.monotonic()
    try:
        outcome = run(port)
    finally:
        took = time.monotonic() - started
        health.stop.set()
        health.join()
        peak = peak_mb(proc.pid)
        proc.kill()
        proc.wait()
    print(f"| {name} | {outcome} | {took:.1f} s | {peak:.0f} MB | {health.ok}/{health.total} |", flush=True)


def upload(file, query="", content_type="image/png"):
    body = (Path(ARGS.files) / file).read_bytes()

    def run(port):
        status, ctype, data = request(port, "POST", f"/api/palette{query}", body,
                                      {"Content-Type": content_type})
        detail = ""
        if ctype.startswith("application/json") and status != 200:
            detail = ": " + json.loads(data)["error"][:90]
        return f"{status}{detail}"
    return run


def many(n, make):
    """n requests at once; the answers counted by status."""
    def run(port):
        results = []
        threads = [threading.Thread(target=lambda i=i: results.append(make(port, i))) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        counts = {}
        for r in results:
            counts[r] = counts.get(r, 0) + 1
        return ", ".join(f"{k}: {v}" for k, v in sorted(counts.items(), key=str))
    return run


def serve_host(handler_cls):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler_cls)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


class GzipBomb(http.server.BaseHTTPRequestHandler):
    """25 MB of zeros, gzip-encoded: 25 kB on the wire."""
    body = gzip.compress(b"\0" * (25 * 1024 * 1024 - 1), 9)

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


class Trickle(http.server.BaseHTTPRequestHandler):
    """Headers at once, then a byte a second for at most 30 s."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        for _ in range(30):
            try:
                self.wfile.write(b"\0")
                self.wfile.flush()
            except OSError:
                return
            time.sleep(1)

    def log_message(self, *args):
        pass


def file_host(file):
    """A loopback host serving `file` of the hostile files at /still.png."""
    body = (Path(ARGS.files) / file).read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except OSError:
                pass

        def log_message(self, *args):
            pass

    return serve_host(Handler)


def crowd(uploads, downloads, file, url):
    """`uploads` POSTs of `file` and `downloads` `?url=` of it, all at once."""
    def make(port, i):
        if i < uploads:
            return upload(file)(port)
        return str(request(port, "GET", f"/api/palette?url={url}")[0])
    return many(uploads + downloads, make)


def idle(n, seconds):
    def run(port):
        socks = []
        for _ in range(n):
            try:
                socks.append(socket.create_connection(("127.0.0.1", port), timeout=2))
            except OSError:
                break
        time.sleep(seconds)
        closed = 0
        for s in socks:
            s.settimeout(0.2)
            try:
                closed += s.recv(1) == b""
            except socket.timeout:
                pass
            except OSError:
                closed += 1
            s.close()
        return f"{len(socks)} opened, {closed} closed by the server after {seconds} s"
    return run


def slowloris(n, seconds):
    def run(port):
        socks = []
        for _ in range(n):
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=2)
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
                socks.append(s)
            except OSError:
                break
        closed = set()
        for _ in range(seconds):
            for i, s in enumerate(socks):
                if i in closed:
                    continue
                try:
                    s.sendall(b"X-a: b\r\n")
                except OSError:
                    closed.add(i)
            time.sleep(1)
        for s in socks:
            s.close()
        return f"{len(socks)} half-sent heads, a header a second: {len(closed)} cut off within {seconds} s"
    return run


def slow_uploads(n):
    def run(port):
        body = (Path(ARGS.files) / "ordinary.png").read_bytes()
        socks = []
        for _ in range(n):
            s = socket.create_connection(("127.0.0.1", port), timeout=2)
            s.sendall(b"POST /api/palette HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\n"
                      + f"Content-Length: {len(body)}\r\n\r\n".encode())
            socks.append(s)
        stop = threading.Event()

        def trickle():
            for _ in range(60):
                for s in socks:
                    try:
                        s.sendall(b"\0")
                    except OSError:
                        pass
                if stop.wait(2):
                    return
        t = threading.Thread(target=trickle, daemon=True)
        t.start()
        time.sleep(1)
        started = time.monotonic()
        status, _, _ = request(port, "POST", "/api/palette", body, {"Content-Type": "image/png"})
        took = time.monotonic() - started
        stop.set()
        for s in socks:
            s.close()
        return f"{n} uploads at 0.5 B/s; a normal upload: {status} after {took:.1f} s"
    return run


def slow_downloads(n):
    def run(port):
        host = serve_host(Trickle)
        url = f"http://127.0.0.1:{host.server_port}/slow.png"
        threads = [threading.Thread(target=request, args=(port, "GET", f"/api/palette?url={url}")) for _ in range(n)]
        for t in threads:
            t.start()
        time.sleep(1)
        started = time.monotonic()
        status, _, _ = request(port, "GET", "/api/palette?sample=El_Fuente")
        took = time.monotonic() - started
        for t in threads:
            t.join(60)
        host.shutdown()
        return f"{n} downloads at 1 B/s; a sample palette: {status} after {took:.1f} s"
    return run


def raw(lines):
    def run(port):
        out = []
        for label, data in lines:
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            try:
                s.sendall(data)
            except OSError:
                pass
            reply = b""
            try:
                while chunk := s.recv(65536):
                    reply += chunk
            except OSError:
                pass
            s.close()
            head, _, body = reply.partition(b"\r\n\r\n")
            status = head.split(b" ")[1].decode() if head else "none"
            is_json = body.startswith(b'{"error"')
            out.append(f"{label} {status}{' JSON' if is_json else ' not JSON'}")
        return ", ".join(out)
    return run


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default="target/release/color-palettes")
    parser.add_argument("--files", default="target/hostile")
    parser.add_argument("--only", help="run only the attacks whose name contains this")
    parser.add_argument("--serve-arg", action="append", default=[],
                        help="an extra argument for every `serve` (repeat for more), e.g. "
                             "--serve-arg=--memory-budget=100000 for no memory budget, as before issue 23")
    ARGS = parser.parse_args()
    print("| attack | answer | time | server peak memory | /healthz answered |")
    print("| --- | --- | --- | --- | --- |")
    attack("idle server (baseline)", lambda port: "-")
    attack("1x30000 PNG, `format=png`", upload("tall-1x30000.png", "?format=png"))
    attack("1x30000 PNG, `format=svg`", upload("tall-1x30000.png", "?format=svg"))
    attack("64x30000 PNG, `format=png`", upload("tall-64x30000.png", "?format=png"))
    attack("GIF: 10x10 screen, 14000x14000 frame", upload("gif-frame-over-screen.gif"))
    attack("PNG: iCCP inflating to 1 GB", upload("png-iccp-1gb.png"))
    attack("WebP: 1x1 canvas, 12000x12000 frame", upload("webp-frame-over-canvas.webp"))
    for method in ["kmeans", "agglomerative", "accent"]:
        attack(f"50 MP still, `method={method}&format=png`",
               upload("max-50mp.png", f"?method={method}&format=png"))
    attack("4 x 50 MP stills at once (2 jobs)",
           many(4, lambda port, i: upload("max-50mp.png", "?k=32")(port)))
    attack("one 16-bit 50 MP PNG (RGBA16, 7071x7071)", upload("max-50mp-16bit.png"))
    host = file_host("max-50mp-16bit.png")
    still = f"http://127.0.0.1:{host.server_port}/still.png"
    attack("8 uploads + 16 `?url=` of the 16-bit 50 MP PNG at once (2 jobs)",
           crowd(8, 16, "max-50mp-16bit.png", still), ["--allow-private-urls"])
    host.shutdown()
    host = serve_host(GzipBomb)
    bomb = f"http://127.0.0.1:{host.server_port}/bomb.png"
    attack("120 `?url=` of a 25 kB gzip body inflating to 25 MB",
           many(120, lambda port, i: request(port, "GET", f"/api/palette?url={bomb}")[0]),
           ["--allow-private-urls"])
    host.shutdown()
    attack("300 idle connections for 15 s", idle(300, 15))
    attack("100 half-sent heads, a header a second, 15 s", slowloris(100, 15))
    attack("8 slow uploaders", slow_uploads(8))
    attack("16 slow downloads", slow_downloads(16), ["--allow-private-urls"])
    attack("hyper's own refusals", raw([
        ("URI 70 kB:", b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("header 600 kB:", b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"b" * 600000 + b"\r\n\r\n"),
        ("garbage:", b"GARBAGE\r\n\r\n"),
    ]))
    attack("`?url=http://127.0.0.1:99999/`",
           lambda port: request(port, "GET", "/api/palette?url=http://127.0.0.1:99999/a.png")[0])


if __name__ == "__main__":
    main()
