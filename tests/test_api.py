"""The /api/v1 endpoints as the extension uses them (docs/API.md), over the real rules."""

from __future__ import annotations

import hashlib
import io
import json
import time
import zipfile

import pytest
from companion_helpers import (CHROME_ORIGIN, MOZ_ORIGIN, PNG, REPORT_TEXT, Api, api, app,  # noqa: F401
                               make_app, report_body, risky_text, snapshot)

from himaya.companion import config as settings_mod
from himaya.companion import pairing
from himaya.companion.guard import FORBIDDEN


def _db_bytes(home) -> bytes:
    return b"".join(p.read_bytes() for p in home.glob("himaya.db*"))


# -- pairing -----------------------------------------------------------------

def test_pairing_gives_the_token_once(api, himaya_home):
    code = pairing.new_code(himaya_home)
    wrong = "00000000" if code != "00000000" else "11111111"
    refused = api.post("/api/v1/pair", {"code": wrong}, token=False, origin=MOZ_ORIGIN)
    assert refused.status_code == 403 and refused.get_json()["error"] == "pairing_failed"
    ok = api.post("/api/v1/pair", {"code": pairing.pretty(code)}, token=False, origin=MOZ_ORIGIN)
    assert ok.status_code == 200 and ok.get_json() == {"token": api.token}
    again = api.post("/api/v1/pair", {"code": code}, token=False, origin=MOZ_ORIGIN)
    assert again.status_code == 403  # used up


def test_pairing_locks_after_five_wrong_codes(api, himaya_home):
    code = pairing.new_code(himaya_home)
    wrong = "00000000" if code != "00000000" else "11111111"
    answers = [api.post("/api/v1/pair", {"code": wrong}, token=False).get_json()["error"] for _ in range(5)]
    assert answers == ["pairing_failed"] * 4 + ["pairing_locked"]
    late = api.post("/api/v1/pair", {"code": code}, token=False)
    assert late.status_code == 403 and late.get_json()["error"] == "pairing_locked"
    fresh = pairing.new_code(himaya_home)  # what `himaya pair` does
    assert api.post("/api/v1/pair", {"code": fresh}, token=False).status_code == 200


def test_expired_code_is_refused(api, himaya_home):
    code = pairing.new_code(himaya_home, lifetime=-1)
    assert api.post("/api/v1/pair", {"code": code}, token=False).get_json()["error"] == "pairing_failed"


def test_pairing_from_a_new_chrome_extension_trusts_its_id(api, himaya_home):
    newcomer = "chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba"
    assert api.get("/api/v1/status", origin=newcomer).data == FORBIDDEN
    code = pairing.new_code(himaya_home)
    assert api.post("/api/v1/pair", {"code": code}, token=False, origin=newcomer).status_code == 200
    assert api.get("/api/v1/status", origin=newcomer).status_code == 200
    assert "ponmlkjihgfedcbaponmlkjihgfedcba" in settings_mod.load(himaya_home)["extension-ids"]


def test_pairing_from_a_web_page_is_forbidden(api, himaya_home):
    code = pairing.new_code(himaya_home)
    response = api.post("/api/v1/pair", {"code": code}, token=False, origin="https://evil.example")
    assert response.status_code == 403 and response.data == FORBIDDEN
    assert api.post("/api/v1/pair", {"code": code}, token=False).status_code == 200  # code not spent


def test_pairing_is_rate_limited(himaya_home, scanner):
    api = Api(make_app(himaya_home, scanner, PAIR_RATE_LIMIT=(0.01, 3)))
    statuses = [api.post("/api/v1/pair", {"code": "1"}, token=False).status_code for _ in range(4)]
    assert statuses[:3] == [403, 403, 403] and statuses[3] == 429


# -- scanning ----------------------------------------------------------------

def test_scan_warns_and_keeps_only_metadata(api, himaya_home, scanner):
    rule_id, text = risky_text(scanner)
    response = api.post("/api/v1/scan", {"kind": "message", "text": text, "url": "https://social.example/m/1"},
                        origin=CHROME_ORIGIN)
    assert response.status_code == 200
    verdict = response.get_json()
    assert verdict["risk"] is True and verdict["rules_version"] == scanner.version
    assert rule_id in [m["rule"] for m in verdict["matches"]]
    assert set(verdict["matches"][0]["title"]) == {"fr", "ar", "en"}
    api.app.extensions["himaya"].store.flush()  # the row is written off the request path
    rows = snapshot(himaya_home)["matches"]
    assert len(rows) == 1 and rule_id in rows[0][4]
    assert text.encode() not in _db_bytes(himaya_home)
    # The site's host is kept for the parent's history; never the page's address.
    assert b"social.example/m/1" not in _db_bytes(himaya_home) and b"/m/1" not in _db_bytes(himaya_home)
    assert snapshot(himaya_home)["matches"][0][6] == "social.example"


def test_warning_metadata_is_written_off_the_request_path_in_order(api, himaya_home, scanner):
    """Issue 15: a warning does not wait for the disk; its row follows, durably and in order."""
    import sqlite3
    import time

    _, text = risky_text(scanner)
    blocker = sqlite3.connect(himaya_home / "himaya.db", timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")  # the database is busy: a synchronous write would wait 5 s
    try:
        start = time.monotonic()
        urls = [f"https://social.example/m/{i}" for i in range(3)]
        for url in urls:
            assert api.post("/api/v1/scan", {"kind": "message", "text": text, "url": url}).status_code == 200
        assert time.monotonic() - start < 2.0
    finally:
        blocker.rollback()
        blocker.close()
    store = api.app.extensions["himaya"].store
    assert store.flush()
    hashes = [row[5] for row in snapshot(himaya_home)["matches"]]
    assert hashes == [store.url_hash(u) for u in urls]


def test_harmless_scan_stores_nothing(api, himaya_home):
    before = snapshot(himaya_home)
    response = api.post("/api/v1/scan", {"kind": "post", "text": "ajoute du sel et du poivre", "lang": "fr"})
    assert response.status_code == 200 and response.get_json()["risk"] is False
    assert snapshot(himaya_home) == before


def test_scan_routes_answer_without_flask_as_flask_would(himaya_home, scanner, caplog):
    """POST /scan and /scan/batch are answered by the guard with the views' own code
    (api.direct_answers), not through Flask's request machinery: same status,
    headers and body as the Flask views give, a refused body still answered by
    Flask's error handlers, and an internal error still logged without the text."""
    rule, risky = risky_text(scanner)
    requests = [("/api/v1/scan", {"kind": "message", "text": risky}),
                ("/api/v1/scan", {"kind": "message", "text": "on se voit au match samedi ?"}),
                ("/api/v1/scan/batch", {"units": [{"id": 1, "kind": "post", "text": risky},
                                                  {"id": "b", "kind": "message", "text": "merci prof"}]}),
                ("/api/v1/scan", {"kind": "nope", "text": "x"}),
                ("/api/v1/scan/batch", {"units": []})]
    direct_app, flask_app = make_app(himaya_home, scanner), make_app(himaya_home, scanner)
    flask_app.extensions["himaya"].gate.direct = {}
    answers = {}
    for name, application in (("direct", direct_app), ("flask", flask_app)):
        client = Api(application)
        answers[name] = [client.post(path, body, origin=CHROME_ORIGIN) for path, body in requests]
    for direct, flask in zip(answers["direct"], answers["flask"]):
        assert direct.status_code == flask.status_code
        assert dict(direct.headers) == dict(flask.headers)
        assert direct.get_json() == flask.get_json()
    assert [a.status_code for a in answers["direct"]] == [200, 200, 200, 400, 400]
    assert rule in {m["rule"] for m in answers["direct"][0].get_json()["matches"]}

    # the scans really bypass the Flask views: those now fail, the answers do not
    def refuse():
        raise AssertionError("the Flask view ran")
    direct_app.view_functions["api.scan"] = direct_app.view_functions["api.scan_batch"] = refuse
    client = Api(direct_app)
    assert client.post("/api/v1/scan", {"kind": "message", "text": risky}).status_code == 200
    assert client.post("/api/v1/scan/batch", {"units": [{"id": 1, "kind": "post", "text": "x"}]}).status_code == 200

    # an error inside the scan: JSON 500, logged where, never what
    direct_app.extensions["himaya"].rules.scanner.scan = None  # calling it fails
    try:
        caplog.clear()
        failed = client.post("/api/v1/scan", {"kind": "message", "text": "secret words of a child"})
    finally:
        del direct_app.extensions["himaya"].rules.scanner.scan
    assert failed.status_code == 500 and failed.get_json() == {"error": "internal", "detail": None}
    assert "internal error TypeError" in caplog.text and "secret" not in caplog.text


def test_scan_with_conversation_tracks_it(api, scanner):
    _, text = risky_text(scanner)
    first = api.post("/api/v1/scan", {"kind": "message", "text": "salut", "conversation": "tab-1:chat-9"}).get_json()
    second = api.post("/api/v1/scan", {"kind": "message", "text": text, "conversation": "tab-1:chat-9"}).get_json()
    assert "conversation" in first and "conversation" in second
    assert second["conversation"]["stages"]


def test_batch_keeps_ids_and_order(api, scanner):
    _, text = risky_text(scanner)
    units = [{"id": "p1", "kind": "profile", "text": "Fan de foot"}, {"id": 7, "kind": "message", "text": text},
             {"id": "u", "kind": "url", "text": "", "url": "https://social.example/u/ali.000"}]
    response = api.post("/api/v1/scan/batch", {"units": units})
    assert response.status_code == 200
    body = response.get_json()
    assert [r["id"] for r in body["results"]] == ["p1", 7, "u"]
    assert body["results"][1]["risk"] is True and body["rules_version"] == scanner.version
    assert api.get("/api/v1/status").get_json()["counts"]["scans"] == 3


def test_a_chat_message_comes_with_the_other_sides_burst(api):
    """`before`: the other side's messages just before, read with this one (never kept)."""
    unit = {"id": "m2", "kind": "message", "text": "tu veux que ta mère les voie ?", "conversation": "wa:burst",
            "speaker": "other"}
    alone = api.post("/api/v1/scan/batch", {"units": [unit]}).get_json()["results"][0]
    assert alone["risk"] is False
    burst = api.post("/api/v1/scan/batch", {"units": [{**unit, "id": "m3", "conversation": "wa:burst2",
                                                       "before": ["j'ai encore tes photos"]}]}).get_json()
    assert burst["results"][0]["risk"] is True
    for bad in (["a", "b", "c"], [""], ["x" * 1001], "j'ai encore tes photos"):
        refused = api.post("/api/v1/scan/batch", {"units": [{**unit, "before": bad}]})
        assert refused.status_code == 400 and "before" in refused.get_json()["detail"], bad


def test_rules_holder_is_read_per_request(himaya_home, scanner):
    from himaya import Scanner
    from himaya.companion.app import StaticRules

    holder = StaticRules(scanner)
    api = Api(make_app(himaya_home, scanner, RULES=holder))

    class Swapped:  # what the updater does: a new scanner object appears
        version = "next-version"

        def scan(self, text, kind="message", url=None):
            return scanner.scan(text, kind=kind, url=url)

    assert api.post("/api/v1/scan", {"kind": "message", "text": "x"}).get_json()["rules_version"] == scanner.version
    holder.scanner = Swapped()
    assert api.post("/api/v1/scan", {"kind": "message", "text": "x"}).get_json()["rules_version"] == "next-version"
    assert isinstance(scanner, Scanner)


# -- reports -----------------------------------------------------------------

def test_report_is_stored_as_chained_evidence(api, himaya_home):
    first = api.post("/api/v1/reports", report_body(), origin=CHROME_ORIGIN)
    assert first.status_code == 201
    made = first.get_json()
    assert made["outbox"] == "none" and made["id"].startswith("R") and len(made["sha256"]) == 64
    assert first.headers["Cache-Control"] == "no-store" and first.headers["X-Content-Type-Options"] == "nosniff"
    second = api.post("/api/v1/reports", report_body(screenshot=False)).get_json()
    got = api.get(f"/api/v1/reports/{second['id']}").get_json()
    assert got["prev"] == made["sha256"] and got["sha256"] == second["sha256"]
    record = got["record"]
    assert record["units"][0]["text"] == REPORT_TEXT
    assert record["units"][0]["sha256"] == hashlib.sha256(REPORT_TEXT.encode()).hexdigest()
    assert got["outbox"]["state"] == "export"
    shot = api.get(f"/api/v1/reports/{made['id']}").get_json()["record"]["screenshot"]
    assert shot == {"name": "screenshot.png", "mime": "image/png", "sha256": hashlib.sha256(PNG).hexdigest(),
                    "size": len(PNG)}
    assert api.app.extensions["himaya"].store.verify_chain()["ok"]


def test_the_extension_keeps_the_head_and_hands_it_back(api):
    """Issue 14.3: each stored report returns the chain's head; the kept head verifies
    while the chain holds it, and a removed newest record shows."""
    made = [api.post("/api/v1/reports", report_body(screenshot=False)).get_json() for _ in range(2)]
    assert made[1]["chain"] == {"count": 2, "head": made[1]["sha256"]}
    answer = api.post("/api/v1/reports/verify", made[1]["chain"])
    assert answer.status_code == 200 and answer.get_json()["ok"] and answer.get_json()["count"] == 2
    store = api.app.extensions["himaya"].store
    store.conn.execute("DROP TRIGGER evidence_no_delete")
    for sql in ("DELETE FROM outbox WHERE report_id = ?", "DELETE FROM evidence WHERE id = ?"):
        store.conn.execute(sql, [made[1]["id"]])
    broken = api.post("/api/v1/reports/verify", made[1]["chain"]).get_json()
    assert broken["ok"] is False and broken["count"] == 1 and "removed" in broken["broken"]["reason"]
    bad = api.post("/api/v1/reports/verify", {"count": 2, "head": "xyz"})
    assert bad.status_code == 400 and bad.get_json()["detail"].startswith("head:")


def test_report_is_queued_when_an_intake_is_configured(api, himaya_home):
    settings_mod.set_value(himaya_home, "intake-url", "https://intake.ngo.example/reports")
    made = api.post("/api/v1/reports", report_body()).get_json()
    assert made["outbox"] == "pending"
    assert api.get("/api/v1/status").get_json()["outbox"]["pending"] == 1


def test_list_reports_pages_newest_first(api):
    ids = [api.post("/api/v1/reports", report_body(screenshot=False)).get_json()["id"] for _ in range(3)]
    page = api.get("/api/v1/reports?limit=2").get_json()
    assert [r["id"] for r in page["reports"]] == ids[::-1][:2] and page["next"] == ids[1]
    rest = api.get(f"/api/v1/reports?limit=2&before={page['next']}").get_json()
    assert [r["id"] for r in rest["reports"]] == [ids[0]] and rest["next"] is None
    for query in ("limit=0", "limit=abc", "before=x", "sort=asc"):
        assert api.get(f"/api/v1/reports?{query}").status_code == 400


def test_unknown_report_is_404(api):
    for path in ("/api/v1/reports/R20250101-00000000", "/api/v1/reports/../../etc/passwd",
                 "/api/v1/reports/R20250101-00000000/export"):
        response = api.get(path)
        assert response.status_code == 404 and response.get_json()["error"] == "not_found"


def test_export_zip_is_self_checking(api):
    made = api.post("/api/v1/reports", report_body()).get_json()
    response = api.get(f"/api/v1/reports/{made['id']}/export")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = set(archive.namelist())
    assert {"record.json", "units/01.txt", "screenshot.png", "index.html", "SHA256SUMS"} <= names
    assert hashlib.sha256(archive.read("record.json")).hexdigest() == made["sha256"]
    for line in archive.read("SHA256SUMS").decode().splitlines():
        digest, name = line.split("  ", 1)
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest
    assert archive.read("units/01.txt").decode() == REPORT_TEXT


# -- feedback and status --------------------------------------------------------

def test_feedback_is_stored_without_the_address(api, himaya_home):
    response = api.post("/api/v1/feedback", {"rules": ["HIM-PRIV-001"], "verdict": "wrong",
                                             "url": "https://social.example/p/77"})
    assert response.status_code == 201 and isinstance(response.get_json()["id"], int)
    row = snapshot(himaya_home)["feedback"][0]
    assert row[2] == "wrong" and json.loads(row[3]) == ["HIM-PRIV-001"] and len(row[4]) == 64
    assert b"social.example/p/77" not in _db_bytes(himaya_home)


def test_status_counts(api, scanner):
    _, text = risky_text(scanner)
    api.post("/api/v1/scan", {"kind": "message", "text": text})
    api.post("/api/v1/reports", report_body())
    status = api.get("/api/v1/status").get_json()
    assert status["counts"] == {"scans": 1, "matches": 1, "reports": 1, "feedback": 0}
    assert status["rules"]["version"] == scanner.version
    assert status["outbox"] == {"intake": False, "pending": 0, "sent": 0, "failed": 0, "waiting_export": 1}


def test_internal_errors_are_json_without_traceback_or_text(himaya_home, scanner, caplog):
    class Broken:
        version = "broken"

        def scan(self, text, kind="message", url=None):
            raise RuntimeError(f"failed on {text}")

    class Holder:
        scanner = Broken()

        def status(self):
            return {"version": "broken"}

    api = Api(make_app(himaya_home, scanner, RULES=Holder()))
    secret = "private words 4471"
    response = api.post("/api/v1/scan", {"kind": "message", "text": secret})
    assert response.status_code == 500 and response.get_json() == {"error": "internal", "detail": None}
    assert b"Traceback" not in response.data and secret.encode() not in response.data
    assert "RuntimeError" in caplog.text and secret not in caplog.text


@pytest.mark.parametrize("rate", [(1.0, 2.0)])
def test_scan_rate_limit(himaya_home, scanner, rate):
    api = Api(make_app(himaya_home, scanner, RATE_LIMIT=rate))
    statuses = [api.post("/api/v1/scan", {"kind": "message", "text": "x"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    time.sleep(1.05)
    assert api.post("/api/v1/scan", {"kind": "message", "text": "x"}).status_code == 200


# -- issue 17: limits sized for bursts, scanning health ------------------------

def _batch(n, prefix="post"):
    return {"units": [{"id": f"{prefix}-{i}", "kind": "post", "text": f"{prefix} numéro {i}, rien de spécial"} for i in range(n)]}


def test_a_batch_costs_one_unit_per_unit_it_holds(himaya_home, scanner):
    api = Api(make_app(himaya_home, scanner, RATE_LIMIT=(10.0, 250.0)))
    assert api.post("/api/v1/scan/batch", _batch(200)).status_code == 200
    refused = api.post("/api/v1/scan/batch", _batch(200))
    assert refused.status_code == 429 and refused.get_json()["error"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) >= 15  # 150 units missing at 10 a second
    assert api.post("/api/v1/scan/batch", _batch(40)).status_code == 200, "a refused batch spent nothing"
    assert api.get("/api/v1/status").get_json()["scanning"]["rate_limited"] == 1


def test_the_default_limit_takes_a_feed_of_200_posts_and_a_flood_of_2000_lines_at_once(api):
    assert api.post("/api/v1/scan/batch", _batch(200, "feed")).status_code == 200
    for round_ in range(10):
        assert api.post("/api/v1/scan/batch", _batch(200, f"junk{round_}")).status_code == 200
    assert api.get("/api/v1/status").get_json()["scanning"]["rate_limited"] == 0


def test_scanning_health_is_kept_per_session_and_shown_in_status(himaya_home, scanner):
    api = Api(make_app(himaya_home, scanner))
    fresh = api.get("/api/v1/status").get_json()["scanning"]
    assert fresh == {"behind": False, "dropped": 0, "deferred": 0, "sessions": [], "rate_limited": 0}
    session = "5b0c6a2e-1d1f-4c53-9a7e-000000000017"
    body = {"session": session, "started": "2026-12-05T19:00:00Z", "scanned": 2700, "deferred": 300,
            "dropped": 0, "restored": 0, "max_wait_ms": 900}
    assert api.post("/api/v1/scan/health", body).get_json() == {"ok": True}
    later = dict(body, scanned=5200, dropped=230, max_wait_ms=42_000, restored=2)
    assert api.post("/api/v1/scan/health", later).status_code == 200
    assert api.post("/api/v1/scan/health", body).status_code == 200  # late, out of order: totals only grow
    other = dict(body, session="second-session-0001", scanned=10, deferred=0, max_wait_ms=20)
    assert api.post("/api/v1/scan/health", other).status_code == 200
    status = api.get("/api/v1/status").get_json()["scanning"]
    assert status["behind"] is True and status["dropped"] == 230 and status["deferred"] == 300
    newest, first = status["sessions"]
    assert newest["session"] == "second-session-0001" and newest["behind"] is False
    assert {k: first[k] for k in ("session", "started", "scanned", "dropped", "deferred", "restored", "max_wait_ms", "behind")} == {
        "session": session, "started": "2026-12-05T19:00:00Z", "scanned": 5200, "dropped": 230, "deferred": 300,
        "restored": 2, "max_wait_ms": 42_000, "behind": True}
    # kept across a restart, in a private file holding counts only
    again = Api(make_app(himaya_home, scanner)).get("/api/v1/status").get_json()["scanning"]
    assert [s["session"] for s in again["sessions"]] == ["second-session-0001", session]
    saved = himaya_home / "scan-health.json"
    assert oct(saved.stat().st_mode & 0o777) == "0o600"
    assert set(json.loads(saved.read_text())["sessions"][0]) <= {"session", "started", "updated", "scanned", "deferred",
                                                                "dropped", "restored", "max_wait_ms"}


@pytest.mark.parametrize("body, field", [
    ({"session": "short", "scanned": 1, "deferred": 0, "dropped": 0, "restored": 0, "max_wait_ms": 0}, "session"),
    ({"session": "a-valid-session", "scanned": -1, "deferred": 0, "dropped": 0, "restored": 0, "max_wait_ms": 0}, "scanned"),
    ({"session": "a-valid-session", "scanned": 1.5, "deferred": 0, "dropped": 0, "restored": 0, "max_wait_ms": 0}, "scanned"),
    ({"session": "a-valid-session", "scanned": 1, "deferred": 0, "dropped": 0, "restored": 0}, "max_wait_ms"),
    ({"session": "a-valid-session", "scanned": 1, "deferred": 0, "dropped": 0, "restored": 0, "max_wait_ms": 0,
      "text": "a message"}, "text"),
])
def test_scanning_health_takes_counts_only(api, body, field):
    refused = api.post("/api/v1/scan/health", body)
    assert refused.status_code == 400 and refused.get_json()["detail"].startswith(field)


def test_a_flood_of_scans_never_holds_back_status_reports_or_feedback(himaya_home, scanner):
    api = Api(make_app(himaya_home, scanner, RATE_LIMIT=(1.0, 200.0)))
    assert api.post("/api/v1/scan/batch", _batch(200)).status_code == 200
    assert api.post("/api/v1/scan/batch", _batch(10)).status_code == 429
    assert api.get("/api/v1/status").status_code == 200
    assert api.post("/api/v1/reports", report_body()).status_code == 201
    assert api.post("/api/v1/feedback", {"rules": ["r"], "verdict": "wrong"}).status_code == 201
