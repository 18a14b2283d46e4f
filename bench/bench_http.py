"""The companion over loopback HTTP, beside a Flask + waitress echo app, interleaved.

    python bench/bench_http.py [--json] [--requests 3000]

Two servers run side by side, each in its own process on a free 127.0.0.1 port,
served by waitress with the same settings (4 threads):

- the companion: guard, Flask, the real scanner over the shipped list, strict
  JSON, the store (warnings' rows written off the request path). Its per-client
  rate limit is raised so that the benchmark measures the service, not its
  limiter (the real limit: docs/API.md, Limits);
- the reference: a Flask app on waitress that parses the same JSON body and
  answers a small JSON object (what any Flask service pays per request).

One client, one keep-alive connection to each, sends the same requests to both,
interleaved request by request (companion, echo, companion, echo ...), so that
load from elsewhere on a shared machine falls on both alike:

- a message that matches nothing, then one that matches (its row is written);
- every 20th round, a 50 KB page through POST /scan/batch as the extension
  sends it (units of at most 4 000 characters).

Messages come from bench/textgen.py, never the same twice. Prints p50/p90/p99
per kind and server, and the companion's cost over the echo app.
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
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from textgen import TextGen  # noqa: E402

UNIT_CHARS = 4000  # the extension's longest unit (extension/content/himaya.js)


def _quiet() -> None:
    # waitress warns on stderr when all its threads are busy: expected under load here.
    logging.getLogger("waitress").setLevel(logging.ERROR)


def _serve_companion(home: str) -> None:
    _quiet()
    from himaya.companion.app import StaticRules
    from himaya.companion.serving import Server
    from himaya.core.rules.loader import load_ruleset
    from himaya.core.scanner import PACKAGE_RULES, Scanner

    rules = StaticRules(Scanner(load_ruleset(PACKAGE_RULES)))
    server = Server.open(Path(home), 0, threads=4, rules=rules, app_config={"RATE_LIMIT": (1e6, 1e6)})
    print(f"READY {server.port} {server.companion.guard.token}", flush=True)
    server.run()


def _serve_echo() -> None:
    _quiet()
    from flask import Flask, jsonify, request
    from waitress.server import create_server

    from himaya.companion.serving import bind

    app = Flask("echo")

    @app.post("/api/v1/<path:route>")
    def echo(route):
        body = request.get_json()
        units = body.get("units") or [body]
        return jsonify(results=[{"risk": False, "severity": "none", "score": 0.0, "matches": []} for _ in units])

    sock = bind(0)
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


class Client:
    def __init__(self, port: int, token: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Host": f"127.0.0.1:{port}", "Content-Type": "application/json", "X-Himaya-Token": token}

    def post(self, path: str, body: dict) -> tuple[float, dict]:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        start = time.perf_counter()
        self.conn.request("POST", path, body=data, headers=self.headers)
        response = self.conn.getresponse()
        answer = response.read()
        elapsed = time.perf_counter() - start
        if response.status != 200:
            raise SystemExit(f"unexpected status {response.status}: {answer[:200]!r}")
        return elapsed, json.loads(answer)


def _page_units(gen: TextGen) -> list[dict]:
    page = gen.page(50_000)
    return [{"id": i, "kind": "post", "text": page[a:a + UNIT_CHARS]}
            for i, a in enumerate(range(0, len(page), UNIT_CHARS))]


def _messages(companion: Client, gen: TextGen, count: int) -> tuple[list[str], list[str]]:
    """`count` messages that match nothing and `count` that match, sorted by asking
    the companion once (these first answers are the warm-up)."""
    plain, matching = [], []
    trigger = TextGen(seed=gen.rng.randint(0, 10**9), trigger_rate=0.4)
    while len(plain) < count or len(matching) < count:
        text = (trigger if len(matching) < count and len(plain) >= count // 4 else gen).message()
        _, verdict = companion.post("/api/v1/scan", {"kind": "message", "text": text})
        (matching if verdict["matches"] else plain).append(text)
    return plain[:count], matching[:count]


def _figures(samples: list[float]) -> dict:
    q = statistics.quantiles(sorted(samples), n=100)
    return {"p50_ms": round(q[49] * 1e3, 3), "p90_ms": round(q[89] * 1e3, 3), "p99_ms": round(q[98] * 1e3, 3),
            "n": len(samples)}


def measure(companion: Client, echo: Client, requests: int) -> dict:
    gen = TextGen(seed=42)
    # fresh texts for the measured rounds: the warm-up ones are not reused
    _messages(companion, gen, 300)
    plain, matching = _messages(companion, gen, requests)
    times: dict[str, dict[str, list[float]]] = {k: {"companion": [], "echo": []}
                                                for k in ("message", "message_matching", "page_50k_batch")}
    for i in range(requests):
        for kind, text in (("message", plain[i]), ("message_matching", matching[i])):
            body = {"kind": "message", "text": text}
            times[kind]["companion"].append(companion.post("/api/v1/scan", body)[0])
            times[kind]["echo"].append(echo.post("/api/v1/scan", body)[0])
        if i % 20 == 0:
            body = {"units": _page_units(gen)}
            times["page_50k_batch"]["companion"].append(companion.post("/api/v1/scan/batch", body)[0])
            times["page_50k_batch"]["echo"].append(echo.post("/api/v1/scan/batch", body)[0])
    out = {}
    for kind, by_server in times.items():
        out[kind] = {server: _figures(samples) for server, samples in by_server.items()}
        out[kind]["companion_over_echo_p50_ms"] = round(out[kind]["companion"]["p50_ms"] - out[kind]["echo"]["p50_ms"], 3)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--requests", type=int, default=3000, help="messages of each kind")
    parser.add_argument("--serve", choices=["companion", "echo"], help=argparse.SUPPRESS)
    parser.add_argument("--home", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve == "companion":
        return _serve_companion(args.home)
    if args.serve == "echo":
        return _serve_echo()

    with tempfile.TemporaryDirectory() as home:
        servers = [_start("companion", home), _start("echo", home)]
        try:
            (_, cport, token), (_, eport, _) = servers
            figures = measure(Client(cport, token), Client(eport, "-"), args.requests)
        finally:
            for child, _, _ in servers:
                child.terminate()
                child.wait(30)
    figures["machine"] = {"cores": os.cpu_count()}
    figures["target"] = {"message_matching_p50_ms_max": 0.8,
                         "met": figures["message_matching"]["companion"]["p50_ms"] <= 0.8}
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"loopback, keep-alive, interleaved with a Flask + waitress echo app, {os.cpu_count()} cores")
    print(f"{'request':<22}{'server':<11}{'p50 ms':>8}{'p90 ms':>8}{'p99 ms':>8}{'n':>7}")
    for kind, label in (("message", "message, no match"), ("message_matching", "message, matching"),
                        ("page_50k_batch", "50 KB page, batch")):
        for server in ("companion", "echo"):
            f = figures[kind][server]
            print(f"{label:<22}{server:<11}{f['p50_ms']:>8.3f}{f['p90_ms']:>8.3f}{f['p99_ms']:>8.3f}{f['n']:>7}")
        print(f"{'':<22}companion cost over the echo app at p50: {figures[kind]['companion_over_echo_p50_ms']:.3f} ms")
    print(f"target: matching message p50 <= 0.8 ms: {'met' if figures['target']['met'] else 'NOT met'}")


if __name__ == "__main__":
    main()
