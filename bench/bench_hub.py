"""The hub's figures, on SQLite and PostgreSQL (PostgreSQL from HIMAYA_TEST_PG, as
`make bench-hub` sets it through scripts/with-postgres.sh).

    python bench/bench_hub.py [--json] [--db sqlite|postgresql|both]
                              [--reports 10000] [--companions 200] [--queue 100000]
                              [--graph-reports 100000] [--graph-links 300000] [--skip intake|queue|networks]

1. intake: `--companions` simulated companions (threads, each its own evidence chain and
   enrolment code) send `--reports` reports over loopback to a real `himaya hub serve`;
   the hub is SIGKILLed when a third are acknowledged and restarted; companions retry what
   was not acknowledged, as the outbox does. Checked: every acknowledged report stored
   exactly once, every stored report acknowledged, all evidence verified.
2. queue: `--queue` reports in the database; a logged-in staff member asks for pages of the
   queue over HTTP (first page, filtered pages, page 100, a search). Target: a page <= 200 ms.
3. networks: `--graph-reports` reports with `--graph-links` report-indicator links (3 each: the
   page, an indicator its planted network shares, a common one) in the database; the graph
   is built from them (networks.rebuild), checked (every planted network found, no false
   merge), then 1 000 new reports go through the real intake, which updates the graph on
   receipt; then a network's page and its graph data are timed over HTTP. Targets: building
   or updating the graph <= 5 s, a network page <= 300 ms.

Prints a table, or one JSON object with --json. Timings on a shared 2-core machine are noisy.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from hub_helpers import PASSWORD, HubProcess, SimCompanion, body_of, hub_cli, send  # noqa: E402

CATEGORIES = ["move-to-private", "age-probe", "services-ad", "closed-group-invite", "image-request", "network-page"]
SITES = ["facebook.com", "instagram.com", "tiktok.com", "x.com", "t.me", "snapchat.com"]


def fresh_db(kind: str, folder: Path) -> str:
    if kind == "sqlite":
        return "sqlite:///" + str(folder / "hub.db")
    base = os.environ.get("HIMAYA_TEST_PG")
    if not base:
        raise SystemExit("PostgreSQL: set HIMAYA_TEST_PG (run through scripts/with-postgres.sh)")
    import psycopg

    name = f"himaya_bench_{int(time.time() * 1000)}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return base.rsplit("/", 1)[0] + "/" + name


# -- 1. intake with a SIGKILL ------------------------------------------------------

def bench_intake(kind: str, total: int, companions: int) -> dict:
    from himaya.hub.db import Database
    from himaya.hub.intake import enrol

    folder = Path(tempfile.mkdtemp(prefix="hub-bench-"))
    url_db = fresh_db(kind, folder)
    home = folder / "home"
    hub_cli(home, "init", "--home", str(home), "--db", url_db)
    db = Database.open(url_db)
    codes = [enrol(db, f"sim {i}")[1] for i in range(companions)]
    per = total // companions
    hub = HubProcess(home, threads=16)
    url = hub.url
    acknowledged: dict[str, int] = {}
    lock, failures, retries = threading.Lock(), [], [0]

    def companion(n):
        sim, rng = SimCompanion(f"b{n}"), random.Random(n)
        for _ in range(per):
            body = body_of(sim.report(screenshot=rng.random() < 0.05))
            delay, deadline = 0.05, time.monotonic() + 600
            while True:
                try:
                    status, answer = send(url, body, codes[n], timeout=30)
                except OSError:
                    status, answer = None, None
                if status in (200, 201):
                    with lock:
                        acknowledged[answer["sha256"]] = acknowledged.get(answer["sha256"], 0) + 1
                    break
                with lock:
                    retries[0] += 1
                if (status is not None and status != 503) or time.monotonic() > deadline:
                    failures.append(status)
                    return
                time.sleep(delay + rng.random() * delay)
                delay = min(2.0, delay * 2)

    started = time.perf_counter()
    threads = [threading.Thread(target=companion, args=(n,), daemon=True) for n in range(companions)]
    for t in threads:
        t.start()
    while len(acknowledged) < total // 3:
        time.sleep(0.01)
    hub.kill()
    killed_at = len(acknowledged)
    down = time.perf_counter()
    hub = HubProcess(home, port=hub.port, threads=16)
    restart_s = time.perf_counter() - down
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    hub.stop()
    import sqlalchemy as sa

    reports = db.t["reports"]
    with db.read() as conn:
        stored = conn.execute(sa.select(reports.c.sha256, reports.c.evidence_ok)).all()
    shas = [r.sha256 for r in stored]
    db.close()
    return {
        "db": kind, "companions": companions, "reports": per * companions, "killed_after_acks": killed_at,
        "restart_s": round(restart_s, 2), "elapsed_s": round(elapsed, 1),
        "reports_per_s": round(per * companions / elapsed, 1), "retries": retries[0], "failures": len(failures),
        "acknowledged": len(acknowledged), "stored": len(shas), "stored_distinct": len(set(shas)),
        "every_ack_stored_once": set(acknowledged) <= set(shas) and len(shas) == len(set(shas)),
        "all_acknowledged": len(acknowledged) == per * companions,
        "evidence_ok": sum(1 for r in stored if r.evidence_ok),
    }


# -- 2. queue pages over 100 000 reports ----------------------------------------

def fill_reports(db, count: int, seed: int = 7) -> None:
    """Rows as the intake writes them (record text included), inserted in batches."""
    from himaya.hub.db import utc_now

    rng = random.Random(seed)
    reports = db.t["reports"]
    now = time.time()
    batch = []
    record = json.dumps({"format": "himaya-evidence/1", "units": [{"text": "x" * 400}]})
    for i in range(count):
        category = rng.choice(CATEGORIES)
        site = rng.choice(SITES)
        received = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now - rng.random() * 90 * 86400)) + ".000Z"
        batch.append({
            "sha256": f"{i:064x}", "report_id": f"R-{i}", "seq": 2, "prev": f"{i:063x}f", "chain_head": f"{i:064x}",
            "created": received, "received_at": received, "companion_id": None, "priority": rng.random() < 0.3,
            "url": f"https://www.{site}/page.{i % 5000}.000", "url_sha256": f"{i:064x}", "site": site,
            "title": f"Page {i}", "lang": rng.choice(["fr", "ar", "aeb-Latn", "en"]), "categories": f",{category},",
            "severity": "high", "severity_rank": rng.choice([1, 2, 3, 4]), "rules": '["HIM-X-001"]', "units": 1,
            "record": record, "evidence_ok": True, "evidence_detail": "{}",
            "status": rng.choice(["new", "new", "new", "in_review", "confirmed", "dismissed"]),
            "status_at": utc_now(), "search": f"page {i} sami.{i % 977} zidni 3al snap", "sender": "bench"})
        if len(batch) == 5000:
            with db.write() as conn:
                conn.execute(reports.insert(), batch)
            batch = []
    if batch:
        with db.write() as conn:
            conn.execute(reports.insert(), batch)
    if db.dialect == "postgresql":
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE reports")
            conn.commit()
    else:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()


class StaffClient:
    def __init__(self, url: str, name: str):
        self.url = url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  urllib.request.ProxyHandler({}))
        page = self.opener.open(url + "/login").read().decode()
        token = re.search(r'name="csrf" value="([^"]+)"', page[page.index('id="login-form"'):]).group(1)
        form = urllib.parse.urlencode({"csrf": token, "name": name, "password": PASSWORD}).encode()
        self.opener.open(url + "/login", data=form)

    def time(self, path: str, n: int) -> dict:
        times = []
        for _ in range(n):
            start = time.perf_counter()
            with self.opener.open(self.url + path) as answer:
                body = answer.read()
                assert answer.status == 200 and b'id="queue"' in body or b'id="empty"' in body, path
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        return {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(times[int(len(times) * 0.95) - 1], 1)}


QUEUE_PAGES = {
    "first page": "/queue",
    "status=new": "/queue?status=new",
    "category+severity": "/queue?category=services-ad&severity=high",
    "site+lang+status": "/queue?site=instagram.com&lang=ar&status=new",
    "dates": "/queue?since=2026-01-01&until=2026-12-31",
    "page 100": "/queue?page=100",
    "search": "/queue?q=sami.12",
}


def bench_queue(kind: str, count: int) -> dict:
    from himaya.hub.db import Database

    folder = Path(tempfile.mkdtemp(prefix="hub-queue-"))
    url_db = fresh_db(kind, folder)
    home = folder / "home"
    hub_cli(home, "init", "--home", str(home), "--db", url_db)
    hub_cli(home, "user", "add", "bench", "--role", "analyst", input=PASSWORD + "\n")
    db = Database.open(url_db)
    started = time.perf_counter()
    fill_reports(db, count)
    fill_s = time.perf_counter() - started
    db.close()
    hub = HubProcess(home)
    try:
        staff = StaffClient(hub.url, "bench")
        staff.time("/queue", 3)  # warm the caches
        pages = {name: staff.time(path, 20) for name, path in QUEUE_PAGES.items()}
    finally:
        hub.stop()
    return {"db": kind, "reports": count, "fill_s": round(fill_s, 1), "pages": pages,
            "worst_p50_ms": max(p["p50_ms"] for p in pages.values())}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--companions", type=int, default=200)
    parser.add_argument("--queue", type=int, default=100_000)
    parser.add_argument("--graph-reports", type=int, default=100_000)
    parser.add_argument("--graph-links", type=int, default=300_000)
    parser.add_argument("--skip", action="append", default=[], choices=["intake", "queue", "networks"])
    args = parser.parse_args(argv)
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    out = {"intake": [], "queue": []}
    for kind in kinds:
        if "intake" not in args.skip:
            out["intake"].append(bench_intake(kind, args.reports, args.companions))
            _progress(args, "intake", out["intake"][-1])
        if "queue" not in args.skip:
            out["queue"].append(bench_queue(kind, args.queue))
            _progress(args, "queue", out["queue"][-1])
    extra = _more(args, kinds)
    out.update(extra)
    if args.json:
        print(json.dumps(out, indent=2))
    ok = all(r["every_ack_stored_once"] and r["all_acknowledged"] for r in out["intake"])
    return 0 if ok else 1


def _more(args, kinds) -> dict:
    out = {"networks": []}
    if "networks" in args.skip:
        return out
    for kind in kinds:
        out["networks"].append(bench_networks(kind, args.graph_reports, args.graph_links))
        _progress(args, "networks", out["networks"][-1])
    return out


# -- 3. networks: the graph of 100 000 reports and 300 000 indicator links --------------

def fill_graph(db, reports: int, links: int, seed: int = 11) -> dict:
    """An existing hub: reports on pages, each report with 3 indicators (its page, one its network
    shares, one common), pages grouped in planted networks of 1 to 8 pages; networks not yet computed."""
    from himaya.hub.db import utc_now

    rng = random.Random(seed)
    per_report = max(1, links // reports)
    n_pages = reports * 2 // 5
    pages_rows, groups, page_ties, g = [], [], {}, 0
    now = utc_now()
    i = 0
    while i < n_pages:
        size = rng.choice([1, 1, 1, 2, 2, 3, 4, 6, 8])
        members = list(range(i + 1, min(n_pages, i + size) + 1))
        groups.append(members)
        for p in members:
            page_ties[p] = g
        g += 1
        i += size
    for p in range(1, n_pages + 1):
        pages_rows.append({"id": p, "key": f"facebook:name:page{p}000", "platform": "facebook",
                           "display": f"facebook.com/page.{p}.000", "first_seen": now, "last_seen": now,
                           "network_id": None, "reports": 0})
    kinds = ["code", "handle", "invite", "phone", "legend"]
    indicators = [{"id": p, "kind": "page", "value": f"facebook:name:page{p}000", "display": f"page {p}",
                   "common": False, "pages": 1} for p in range(1, n_pages + 1)]
    tie_ids = {}
    next_id = n_pages + 1
    for gi in range(len(groups)):
        tie_ids[gi] = next_id
        indicators.append({"id": next_id, "kind": kinds[gi % 5], "value": f"tie{gi}x000", "display": f"tie {gi}",
                           "common": False, "pages": len(groups[gi])})
        next_id += 1
    common_ids = list(range(next_id, next_id + 336))
    for c in common_ids:
        indicators.append({"id": c, "kind": "place" if c % 12 else "emoji", "value": f"common{c}",
                           "display": f"common {c}", "common": True, "pages": 0})
    report_rows, ri_rows, pi = [], [], set()
    record = json.dumps({"format": "himaya-evidence/1", "units": [{"text": "x" * 200}]})
    for r in range(1, reports + 1):
        p = r if r <= n_pages else rng.randint(1, n_pages)  # every page has at least one report
        ties = [p, tie_ids[page_ties[p]], rng.choice(common_ids)][:per_report]
        received = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() - rng.random() * 90 * 86400)) + ".000Z"
        report_rows.append({
            "id": r, "sha256": f"{r:064x}", "report_id": f"R-{r}", "seq": 2, "prev": f"{r:063x}f",
            "chain_head": f"{r:064x}",
            "created": received, "received_at": received, "companion_id": None, "priority": 1,
            "url": f"https://www.facebook.com/page.{p}.000", "url_sha256": f"{r:064x}", "site": "facebook.com",
            "title": f"Page {p}", "lang": "fr", "categories": ",network-page,", "severity": "high",
            "severity_rank": rng.choice([2, 3, 4]), "rules": "[]", "units": 1, "record": record,
            "evidence_ok": True, "evidence_detail": "{}", "status": "new", "status_at": received,
            "search": f"page {p}", "sender": "bench", "page_id": p})
        for ind in ties:
            ri_rows.append({"report_pk": r, "indicator_id": ind})
            pi.add((p, ind))
    tables = db.t
    started = time.perf_counter()
    for name, rows in (("pages", pages_rows), ("indicators", indicators), ("reports", report_rows),
                       ("report_indicators", ri_rows),
                       ("page_indicators", [{"page_id": a, "indicator_id": b} for a, b in sorted(pi)])):
        for start in range(0, len(rows), 10_000):
            with db.write() as conn:
                conn.execute(tables[name].insert(), rows[start:start + 10_000])
    if db.dialect == "postgresql":
        with db.engine.connect() as conn:
            for name in ("pages", "indicators", "reports"):
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                     f"(SELECT max(id) FROM {name}))")
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    else:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    return {"pages": n_pages, "planted_networks": sum(1 for grp in groups if len(grp) > 1),
            "reports": reports, "report_indicator_links": len(ri_rows), "page_indicator_links": len(pi),
            "indicators": len(indicators), "fill_s": round(time.perf_counter() - started, 1), "groups": groups}


def bench_networks(kind: str, reports: int, links: int) -> dict:
    from himaya.hub import networks
    from himaya.hub.app import create_app
    from himaya.hub.db import Database

    folder = Path(tempfile.mkdtemp(prefix="hub-graph-"))
    url_db = fresh_db(kind, folder)
    home = folder / "home"
    hub_cli(home, "init", "--home", str(home), "--db", url_db)
    hub_cli(home, "user", "add", "bench", "--role", "analyst", input=PASSWORD + "\n")
    db = Database.open(url_db)
    filled = fill_graph(db, reports, links)
    groups = filled.pop("groups")
    started = time.perf_counter()
    first = networks.rebuild(db)
    build_s = time.perf_counter() - started
    started = time.perf_counter()
    networks.rebuild(db)
    rebuild_s = time.perf_counter() - started
    # correctness at scale: every planted group is exactly one network
    pages = db.t["pages"]
    import sqlalchemy as sa

    with db.read() as conn:
        where = dict(conn.execute(sa.select(pages.c.id, pages.c.network_id)).all())
    exact = all(len({where[p] for p in grp}) == 1 for grp in groups)
    sizes = {}
    for nid in where.values():
        sizes[nid] = sizes.get(nid, 0) + 1
    no_false_merge = len(sizes) == len(groups)
    # incremental: 1 000 new reports through the real intake (in-process), graph updated on receipt
    app = create_app({"HOME": home, "DB": db})
    intake = app.extensions["hub"].intake
    from himaya.hub.intake import enrol

    _, code = enrol(db, "bench")
    sim = SimCompanion("inc")
    bodies = [body_of(sim.report(text=f"code tie{g}x000 et @wasit.{g}.000", author=None,
                                 url=f"https://www.facebook.com/newpage.{g}.000"))
              for g in range(0, 3000, 3)]
    timings = []
    real_attach = networks.attach

    def timed(*a, **k):
        t0 = time.perf_counter()
        try:
            return real_attach(*a, **k)
        finally:
            timings.append(time.perf_counter() - t0)

    networks.attach = timed
    try:
        started = time.perf_counter()
        for body in bodies:
            assert intake.receive(body, code, "127.0.0.1").status == 201
        incremental_s = time.perf_counter() - started
    finally:
        networks.attach = real_attach
    timings.sort()
    top = networks.ranked(db, limit=5)
    db.close()
    hub = HubProcess(home, db=url_db)
    try:
        staff = StaffClient(hub.url, "bench")
        page_times = {}
        for label, nid in (("largest", top[0]["id"]), ("typical", top[-1]["id"])):
            page_times[label] = _time_page(staff, f"/networks/{nid}", 20)
            page_times[label + " graph.json"] = _time_page(staff, f"/networks/{nid}/graph.json", 20)
        page_times["ranked list"] = _time_page(staff, "/networks", 10)
    finally:
        hub.stop()
    return {"db": kind, **filled, "build_s": round(build_s, 2), "networks": first["networks"],
            "links_read": first["links"], "rebuild_unchanged_s": round(rebuild_s, 2),
            "planted_found_exactly": exact and no_false_merge,
            "incremental_reports": len(bodies), "incremental_total_s": round(incremental_s, 2),
            "attach_p50_ms": round(timings[len(timings) // 2] * 1000, 2),
            "attach_p95_ms": round(timings[int(len(timings) * 0.95)] * 1000, 2),
            "graph_update_for_1000_reports_s": round(sum(timings), 2), "http": page_times}


def _time_page(staff, path, n):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        with staff.opener.open(staff.url + path) as answer:
            answer.read()
            assert answer.status == 200
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(times[int(len(times) * 0.95) - 1], 1)}


def _progress(args, name, result):
    if not args.json:
        print(f"{name}: {json.dumps(result)}", flush=True)
    else:
        print(f"{name} on {result['db']} done", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
