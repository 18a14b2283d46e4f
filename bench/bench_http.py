"""HTTP round trip of one message scan over loopback, with keep-alive.

    python bench/bench_http.py [--json] [--requests 5000]

Starts, each in its own process on a free 127.0.0.1 port, served by waitress
with the same settings:

- the companion (guard + Flask + the real scanner over the repository rules,
  token, strict JSON, store), with the per-client rate limit raised so that the
  benchmark measures the service rather than its limiter;
- the reference: a bare WSGI app returning a constant JSON body.

Then one client (http.client, one keep-alive connection) sends the same
requests to both and prints p50/p90/p99 latency and requests per second; a
second pass uses two connections in two threads for throughput. Targets on
2 cores: companion p50 <= 1 ms and >= 1 000 requests/s. Timings on a shared
machine are noisy: compare the two rows of one run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MESSAGE = {"kind": "message", "text": "slt, cv ? on se retrouve demain apres les cours pour reviser les maths ?"}


def _quiet() -> None:
    # waitress warns on stderr when all its threads are busy: expected under load here.
    logging.getLogger("waitress").setLevel(logging.ERROR)


def _serve_companion(port: int, home: str) -> None:
    _quiet()
    from himaya import Scanner
    from himaya.companion.app import StaticRules
    from himaya.companion.serving import Server

    rules = StaticRules(Scanner.load(ROOT / "rules"))
    server = Server.open(Path(home), port, threads=4, rules=rules,
                         app_config={"RATE_LIMIT": (1e6, 1e6)})
    print(f"READY {server.port} {server.companion.guard.token}", flush=True)
    server.run()


def _serve_bare(port: int) -> None:
    _quiet()
    from waitress.server import create_server

    from himaya.companion.serving import bind

    body = b'{"risk":false,"severity":"none","score":0.0,"matches":[]}'

    def app(environ, start_response):
        environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    sock = bind(port)
    server = create_server(app, sockets=[sock], threads=4, ident="", asyncore_use_poll=True)
    print(f"READY {sock.getsockname()[1]} -", flush=True)
    server.run()


def _start(kind: str, home: str):
    child = subprocess.Popen([sys.executable, __file__, "--serve", kind, "--home", home],
                             stdout=subprocess.PIPE, text=True, env={**os.environ, "HIMAYA_HOME": home})
    line = child.stdout.readline().split()
    if not line or line[0] != "READY":
        child.kill()
        raise SystemExit(f"{kind} server did not start")
    return child, int(line[1]), line[2]


def _client(port: int, token: str, count: int) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    body = json.dumps(MESSAGE).encode()
    headers = {"Host": f"127.0.0.1:{port}", "Content-Type": "application/json", "X-Himaya-Token": token}
    times = []
    for _ in range(count):
        start = time.perf_counter()
        conn.request("POST", "/api/v1/scan", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        times.append(time.perf_counter() - start)
        if response.status != 200:
            raise SystemExit(f"unexpected status {response.status}")
    conn.close()
    return times


def _measure(port: int, token: str, count: int) -> dict:
    _client(port, token, min(500, count))  # warm-up: caches, branch predictors, lazy imports
    times = sorted(_client(port, token, count))
    q = statistics.quantiles(times, n=100)
    single = {"p50_ms": q[49] * 1e3, "p90_ms": q[89] * 1e3, "p99_ms": q[98] * 1e3, "rps": count / sum(times)}
    results = []

    def worker():
        results.append(_client(port, token, count // 2))

    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    single["rps_2_connections"] = sum(len(r) for r in results) / (time.perf_counter() - start)
    return single


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--serve", choices=["companion", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--home", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve == "companion":
        return _serve_companion(0, args.home)
    if args.serve == "bare":
        return _serve_bare(0)

    figures = {}
    with tempfile.TemporaryDirectory() as home:
        for kind in ("companion", "bare"):
            child, port, token = _start(kind, home)
            try:
                figures[kind] = _measure(port, token, args.requests)
            finally:
                child.terminate()
                child.wait(30)
    figures["targets"] = {"p50_ms_max": 1.0, "rps_min": 1000,
                          "met": figures["companion"]["p50_ms"] <= 1.0 and figures["companion"]["rps"] >= 1000}
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"one message scan over loopback, keep-alive, {args.requests} requests, {os.cpu_count()} cores")
    print(f"{'server':<28}{'p50 ms':>8}{'p90 ms':>8}{'p99 ms':>8}{'req/s':>9}{'req/s (2 conn)':>16}")
    for kind, label in (("companion", "companion (guard+scan)"), ("bare", "reference: bare WSGI const")):
        f = figures[kind]
        print(f"{label:<28}{f['p50_ms']:>8.3f}{f['p90_ms']:>8.3f}{f['p99_ms']:>8.3f}{f['rps']:>9.0f}"
              f"{f['rps_2_connections']:>16.0f}")
    overhead = (figures["companion"]["p50_ms"] - figures["bare"]["p50_ms"]) * 1e3
    print(f"companion cost over the bare app at p50: {overhead:.0f} µs; "
          f"targets (p50 <= 1 ms, >= 1000 req/s): {'met' if figures['targets']['met'] else 'NOT met'}")


if __name__ == "__main__":
    main()
