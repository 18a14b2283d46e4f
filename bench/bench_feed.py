"""End to end, page -> companion -> banner: a feed that loads 200 posts at once.

    python bench/bench_feed.py [--json] [--rounds 6] [--posts 200]

Starts the real companion (`himaya serve`, its default limits), the fixture
site of the browser tests (tests/e2e: the feed page served as
www.facebook.com), and Debian's Chromium with the extension. Each round the
feed moves to a new address (the warning of the previous round goes away)
and loads `--posts` posts in one go, one of them risky: the newest (last) in
even rounds, the oldest (first) in odd ones - the scheduler scans the newest
first, so the oldest is its worst case. For each round it measures, from the
moment the page shows the posts:

- banner_ms: until the content script reports the warning drawn;
- all_ms: until it reports every post of the round read and scanned;
- units_per_s: posts / all_ms, end to end (DOM read, service worker, pace,
  HTTP, scan, answer).

Prints a table (or JSON with --json) with each round and the medians. A
warm-up round is not counted. On 2 shared cores, compare runs of one machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from chatter import RISKY_POST, ordinary_posts  # noqa: E402
from e2e_servers import EXTENSION, EXTENSION_ID, HOSTS, Companion, FixtureSite  # noqa: E402


def wait_for(check, timeout: float, what: str, step: float = 0.005):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(step)
    raise RuntimeError(f"{what}: not within {timeout} s")


def run(rounds: int, posts: int) -> dict:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        companion = Companion.start(tmp / "home")
        site = FixtureSite(tmp)
        try:
            rules = ", ".join(f"MAP {host} 127.0.0.1" for host in HOSTS) + ", MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
            with sync_playwright() as p:
                context = p.chromium.launch_persistent_context(
                    str(tmp / "profile"), executable_path="/usr/bin/chromium", headless=True, ignore_https_errors=True,
                    args=[f"--disable-extensions-except={EXTENSION}", f"--load-extension={EXTENSION}",
                          f"--host-resolver-rules={rules}", "--ignore-certificate-errors", "--no-sandbox", "--disable-gpu",
                          "--no-first-run", "--disable-background-networking", "--disable-component-update",
                          "--disable-sync", "--disable-quic"])
                worker = context.service_workers[0] if context.service_workers else context.wait_for_event("serviceworker")
                assert worker.url.startswith(f"chrome-extension://{EXTENSION_ID}/")
                worker.evaluate("(v) => chrome.storage.local.set(v)",
                                {"settings": {"port": companion.port}, "token": companion.token()})
                page = context.new_page()
                page.goto(site.url("www.facebook.com", "/home.php"))
                page.evaluate("(n) => himaya.windowSize(n)", posts + 50)
                tab = worker.evaluate("async () => (await chrome.tabs.query({url: '*://www.facebook.com/*'}))[0].id")

                def state():
                    return worker.evaluate("(id) => chrome.tabs.sendMessage(id, {type: 'state'})", tab)

                results = []
                total = 0
                for number in range(rounds + 1):  # round 0 warms up
                    page.evaluate("(path) => himaya.go(path)", f"/home.php?round={number}")
                    wait_for(lambda: not state()["banner"]["warning"]["shown"], 15, "the previous warning gone")
                    texts = ordinary_posts(posts - 1, start=number * posts)
                    risky = f"{RISKY_POST} ({number})"
                    newest = number % 2 == 0
                    texts = [*texts, risky] if newest else [risky, *texts]
                    started = time.monotonic()
                    page.evaluate("(texts) => himaya.load(texts)", texts)
                    shown = wait_for(lambda: state()["banner"]["warning"]["shown"] and time.monotonic(), 30, "the warning")
                    total += posts
                    done = wait_for(lambda: (s := state()["scanning"])["scanned"] >= total and s["queued"] == 0
                                    and time.monotonic(), 60, "every post scanned")
                    if number:
                        results.append({"round": number, "risky": "newest" if newest else "oldest",
                                        "banner_ms": round((shown - started) * 1000),
                                        "all_ms": round((done - started) * 1000),
                                        "units_per_s": round(posts / (done - started))})
                final = state()["scanning"]
                context.close()
        finally:
            site.close()
            companion.stop()

    def median(key, risky=None):
        values = [r[key] for r in results if risky is None or r["risky"] == risky]
        return round(statistics.median(values)) if values else None

    return {
        "posts_per_load": posts,
        "rounds": rounds,
        "units_per_s": median("units_per_s"),
        "all_ms": median("all_ms"),
        "banner_ms_newest": median("banner_ms", "newest"),
        "banner_ms_oldest": median("banner_ms", "oldest"),
        "deferred": final["deferred"],
        "dropped": final["dropped"],
        "results": results,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--posts", type=int, default=200, help="posts the feed loads at once (the companion takes 200 a batch)")
    args = parser.parse_args()
    figures = run(args.rounds, args.posts)
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"feed loading {figures['posts_per_load']} posts at once, {figures['rounds']} rounds (median):")
    print(f"  end to end: {figures['units_per_s']} posts/s, all scanned in {figures['all_ms']} ms")
    print(f"  warning drawn: {figures['banner_ms_newest']} ms (risky post newest), {figures['banner_ms_oldest']} ms (oldest)")
    print(f"  deferred by the pace: {figures['deferred']}, dropped: {figures['dropped']}")
    for r in figures["results"]:
        print(f"  round {r['round']}: risky {r['risky']:6} banner {r['banner_ms']:5} ms, all {r['all_ms']:5} ms, {r['units_per_s']} posts/s")


if __name__ == "__main__":
    main()
