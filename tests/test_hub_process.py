"""The hub as real processes: a real companion (`himaya serve`) delivers reports made through
its API to a real `himaya hub serve`, on SQLite and on PostgreSQL; and simulated companions
keep sending while the hub is SIGKILLed and restarted: every acknowledged report is there
exactly once (bench/bench_hub.py runs the same at 10 000 reports from 200 companions)."""

from __future__ import annotations

import http.client
import json
import os
import random
import threading
import time

import pytest
import sqlalchemy as sa
from hub_helpers import HubProcess, SimCompanion, body_of, hub_cli, send

pytestmark = pytest.mark.slow


def _companion_cli(home, *args):
    import subprocess

    from test_serve_process import CLI

    env = {**os.environ, "HIMAYA_HOME": str(home), "HIMAYA_LANG": "en"}
    done = subprocess.run(CLI + list(args), env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_real_companion_delivers_to_a_real_hub(tmp_path, hub_db_url):
    from companion_helpers import REPORT_TEXT, free_port, report_body
    from test_serve_process import Companion, call, pair

    hub_home = tmp_path / "hub"
    hub_cli(hub_home, "init", "--home", str(hub_home), "--db", hub_db_url)
    code = hub_cli(hub_home, "enrol", "--label", "test laptop").stdout.strip().splitlines()[-1]
    hub = HubProcess(hub_home)
    companion_home = tmp_path / "companion"
    _companion_cli(companion_home, "config", "set", "intake-url", f"{hub.url}/api/v1/intake")
    _companion_cli(companion_home, "config", "set", "intake-code", code)
    companion = Companion(companion_home, free_port())
    conn = companion.connection()
    try:
        token = pair(companion)
        made = []
        for i, screenshot in enumerate((True, False)):
            status, body, _ = call(conn, "POST", "/api/v1/reports",
                                   report_body(text=f"{REPORT_TEXT} n{i}", screenshot=screenshot), token=token)
            assert status == 201, body
            made.append(json.loads(body))
        assert {m["outbox"] for m in made} == {"pending"}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            status, body, _ = call(conn, "GET", "/api/v1/status", token=token)
            if json.loads(body)["outbox"]["sent"] == 2:
                break
            time.sleep(0.2)
        else:
            raise AssertionError(f"the companion did not deliver: {body}")
        listed = [json.loads(line) for line in hub_cli(hub_home, "reports", "--json").stdout.splitlines()]
        assert [r["report_id"] for r in listed] == [m["id"] for m in reversed(made)]
        assert [r["sha256"] for r in listed] == [m["sha256"] for m in reversed(made)]
        assert all(r["evidence_ok"] and r["status"] == "new" and r["url"] == report_body()["url"] for r in listed)
        assert listed[0]["categories"]  # the companion's match carried a rule the hub knows
        from himaya.hub.db import Database
        from himaya.hub.triage import get

        db = Database.open(hub_db_url)
        try:
            second = get(db, listed[0]["id"])
            assert second["priority"] == 1 and second["companion_id"] is not None  # enrolled volunteer
            assert f"links_to:{listed[1]['id']}" in second["evidence"]["chain"]
        finally:
            db.close()
    finally:
        conn.close()
        companion.stop()
        hub.stop()


def _sigkill_run(tmp_path, db_url, companions: int, per_companion: int, kill_after: int, threads_per_hub=8):
    """Simulated companions send while the hub is killed once; returns (acknowledged shas, db)."""
    from himaya.hub.db import Database
    from himaya.hub.intake import enrol

    home = tmp_path / "hub"
    hub_cli(home, "init", "--home", str(home), "--db", db_url)
    db = Database.open(db_url)
    codes = [enrol(db, f"sim {i}")[1] for i in range(companions)]
    hub = HubProcess(home, threads=threads_per_hub)
    url = hub.url
    acknowledged: dict[str, int] = {}
    lock = threading.Lock()
    failures = []

    def companion(n: int):
        sim = SimCompanion(f"s{n}")
        rng = random.Random(n)
        for _ in range(per_companion):
            body = body_of(sim.report(screenshot=rng.random() < 0.1))
            delay = 0.05
            deadline = time.monotonic() + 120
            while True:  # the outbox keeps a report until it is acknowledged
                try:
                    status, answer = send(url, body, codes[n], timeout=15)
                except (OSError, http.client.HTTPException, ValueError):
                    # the hub killed mid-answer: a cut body is no acknowledgement, the outbox retries
                    status, answer = None, None
                if status in (200, 201):
                    with lock:
                        acknowledged[answer["sha256"]] = acknowledged.get(answer["sha256"], 0) + 1
                    break
                if status is not None and status not in (503,):
                    failures.append((status, answer))
                    return
                if time.monotonic() > deadline:
                    failures.append(("gave up", n))
                    return
                time.sleep(delay)
                delay = min(1.0, delay * 2)

    threads = [threading.Thread(target=companion, args=(n,)) for n in range(companions)]
    for t in threads:
        t.start()
    while len(acknowledged) < kill_after and any(t.is_alive() for t in threads):
        time.sleep(0.01)
    hub.kill()  # SIGKILL in the middle of the stream
    killed_at = len(acknowledged)
    time.sleep(0.3)
    hub = HubProcess(home, port=hub.port, threads=threads_per_hub)
    for t in threads:
        t.join(300)
    hub.stop()
    assert not failures, failures[:3]
    return acknowledged, killed_at, db


def test_sigkill_mid_stream_keeps_every_acknowledged_report_exactly_once(tmp_path, hub_db_url):
    companions, per = 20, 15
    acknowledged, killed_at, db = _sigkill_run(tmp_path, hub_db_url, companions, per, kill_after=80)
    try:
        assert 80 <= killed_at < companions * per  # the kill happened mid-way
        reports = db.t["reports"]
        with db.read() as conn:
            rows = conn.execute(sa.select(reports.c.sha256, reports.c.evidence_ok)).all()
            dupes = conn.execute(sa.select(reports.c.sha256).group_by(reports.c.sha256)
                                 .having(sa.func.count() > 1)).all()
        stored = {r.sha256 for r in rows}
        assert len(acknowledged) == companions * per  # every report was acknowledged in the end ...
        assert set(acknowledged) <= stored  # ... and every acknowledged one is stored ...
        assert len(rows) == len(stored) == companions * per and not dupes  # ... exactly once
        assert all(r.evidence_ok for r in rows)
    finally:
        db.close()


def test_two_pages_sharing_a_code_from_a_real_companion_join_one_network(tmp_path, hub_db_url):
    from companion_helpers import free_port
    from test_serve_process import Companion, call, pair

    hub_home = tmp_path / "hub"
    hub_cli(hub_home, "init", "--home", str(hub_home), "--db", hub_db_url)
    hub = HubProcess(hub_home)
    companion_home = tmp_path / "companion"
    _companion_cli(companion_home, "config", "set", "intake-url", f"{hub.url}/api/v1/intake")
    companion = Companion(companion_home, free_port())
    conn = companion.connection()
    try:
        token = pair(companion)
        pages = ["https://www.facebook.com/zone.menzah.000", "https://www.instagram.com/menzah.zone.2.000/"]
        texts = ["🍑 jdod Menzah, le code c'est menzah77, demandez en privé",
                 "nouvelle page, l'ancienne a sauté. même code: menzah77 🍑"]
        for url, text in zip(pages, texts):
            body = {"url": url, "title": "page", "units": [{"kind": "post", "text": text}], "matches": []}
            status, answer, _ = call(conn, "POST", "/api/v1/reports", body, token=token)
            assert status == 201, answer
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            status, body, _ = call(conn, "GET", "/api/v1/status", token=token)
            if json.loads(body)["outbox"]["sent"] == 2:
                break
            time.sleep(0.2)
        else:
            raise AssertionError("not delivered")
        lines = [json.loads(x) for x in hub_cli(hub_home, "networks", "--json").stdout.splitlines()]
        assert len(lines) == 1, lines
        assert sorted(lines[0]["pages"]) == ["facebook:name:zonemenzah000", "instagram:menzah.zone.2.000"]
        assert "code:menzah77" in lines[0]["indicators"] and lines[0]["reports"] == 2
    finally:
        conn.close()
        companion.stop()
        hub.stop()
