"""docs/DESIGN.md, as tests: the threat table and the bad-input list.

Each case sends what an attacker (or a broken client) would, and asserts the
status code, a JSON error body, and that nothing stored changed.
"""

from __future__ import annotations

import io
import json
import sqlite3

import pytest
from companion_helpers import (BASE, CHROME_ORIGIN, MOZ_ORIGIN, PORT, REPORT_TEXT, Api, api, app,  # noqa: F401
                               report_body, snapshot)

from himaya.companion.guard import FORBIDDEN, UNAUTHORIZED

REPORTS = "/api/v1/reports"
GOOD = json.dumps(report_body()).encode()

# (name, request keyword arguments, expected status)
THREATS = [
    # A web page posts to the companion (CSRF).
    ("csrf form post from a page", dict(method="POST", path=REPORTS, token=False, origin="https://evil.example",
                                         data=b"url=x", content_type="application/x-www-form-urlencoded"), 403),
    ("csrf text/plain no-cors post", dict(method="POST", path=REPORTS, token=False, origin="https://evil.example",
                                           data=GOOD, content_type="text/plain"), 403),
    ("csrf json post from a page with a stolen token", dict(method="POST", path=REPORTS,
                                                            origin="https://evil.example", data=GOOD,
                                                            content_type="application/json"), 403),
    ("csrf from a sandboxed page (Origin null)", dict(method="POST", path=REPORTS, origin="null", data=GOOD,
                                                       content_type="application/json"), 403),
    ("content script call carries the network's origin", dict(method="POST", path=REPORTS,
                                                               origin="https://www.facebook.com", data=GOOD,
                                                               content_type="application/json"), 403),
    ("another extension (unknown Chrome id)", dict(method="POST", path=REPORTS,
                                                   origin="chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba",
                                                   data=GOOD, content_type="application/json"), 403),
    ("local program without token", dict(method="POST", path=REPORTS, token=False, data=GOOD,
                                         content_type="application/json"), 401),
    ("wrong token", dict(method="POST", path=REPORTS, token="x" * 43, data=GOOD,
                         content_type="application/json"), 401),
    ("Firefox origin without token", dict(method="POST", path=REPORTS, token=False, origin=MOZ_ORIGIN, data=GOOD,
                                          content_type="application/json"), 401),
    ("token but text/plain", dict(method="POST", path=REPORTS, data=GOOD, content_type="text/plain"), 415),
    ("token but form encoding", dict(method="POST", path=REPORTS, data=b"url=x",
                                     content_type="application/x-www-form-urlencoded"), 415),
    ("token but multipart", dict(method="POST", path=REPORTS, data=GOOD,
                                 content_type="multipart/form-data; boundary=x"), 415),
    ("no side effects on GET", dict(method="GET", path=REPORTS + "?limit=5"), 200),
    ("a GET with a body", dict(method="GET", path="/api/v1/status", data=GOOD, content_type="application/json"), 400),
    # DNS rebinding: the page's own host name now points at 127.0.0.1.
    ("rebinding host", dict(method="POST", path=REPORTS, base_url=f"http://evil.example:{PORT}", data=GOOD,
                            content_type="application/json"), 400),
    ("rebinding, look-alike host", dict(method="POST", path=REPORTS, base_url=f"http://localhost.evil.example:{PORT}",
                                        data=GOOD, content_type="application/json"), 400),
    ("host with another port", dict(method="POST", path=REPORTS, base_url=f"http://127.0.0.1:{PORT + 1}",
                                    data=GOOD, content_type="application/json"), 400),
    ("host without port", dict(method="POST", path=REPORTS, base_url="http://127.0.0.1", data=GOOD,
                               content_type="application/json"), 400),
    ("host as 0.0.0.0", dict(method="POST", path=REPORTS, base_url=f"http://0.0.0.0:{PORT}", data=GOOD,
                             content_type="application/json"), 400),
    # Debugger exposure: there is no console to find.
    ("werkzeug console", dict(method="GET", path="/console", token=False), 401),
    ("werkzeug console with token", dict(method="GET", path="/console"), 404),
    ("wrong method", dict(method="DELETE", path=REPORTS), 405),
    ("wrong method on a report", dict(method="PUT", path=REPORTS + "/R20250101-00000000", data=GOOD,
                                      content_type="application/json"), 405),
]


@pytest.fixture
def seeded(api):
    """An application holding one report and some metadata, so that 'nothing changed' means something."""
    assert api.post(REPORTS, report_body()).status_code == 201
    assert api.post("/api/v1/feedback", {"rules": ["HIM-PRIV-001"], "verdict": "helped"}).status_code == 201
    return api


def _send(api: Api, case: dict):
    case = dict(case)
    return api.request(case.pop("method"), case.pop("path"), **case)


@pytest.mark.parametrize("name, case, expected", THREATS, ids=[t[0] for t in THREATS])
def test_threat_table(seeded, himaya_home, name, case, expected):
    before = snapshot(himaya_home)
    response = _send(seeded, case)
    assert response.status_code == expected
    assert response.mimetype == "application/json"
    if expected != 200:
        assert set(response.get_json()) == {"error", "detail"}
    assert snapshot(himaya_home) == before


PATHS = ["/", "/api/v1/scan", REPORTS, "/api/v1/reports/R20250101-00000000", "/api/v1/reports/x/export",
         "/api/v1/feedback", "/api/v1/nope", "/favicon.ico", "/static/app.js", "/console", "/api/v1/status"]


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"])
def test_every_unauthenticated_answer_is_the_same(api, himaya_home, method):
    """A page learns nothing from paths: one body for all of them (status/pair aside)."""
    before = snapshot(himaya_home)
    bodies = set()
    for path in PATHS:
        if (method, path) in (("GET", "/api/v1/status"),):
            continue
        response = api.request(method, path, token=False, data=b"{}", content_type="application/json")
        assert response.status_code == 401
        bodies.add(response.data)
    assert bodies == {UNAUTHORIZED}
    foreign = {api.request(method, p, origin="https://evil.example").data for p in PATHS}
    assert foreign == {FORBIDDEN}
    assert snapshot(himaya_home) == before


def test_status_without_token_is_liveness_only(api):
    response = api.get("/api/v1/status", token=False)
    assert response.status_code == 200 and response.get_json() == {"ok": True}
    full = api.get("/api/v1/status").get_json()
    assert full["rules_version"] and "counts" in full


def _deep(n):
    return ("[" * n + "]" * n).encode()


BAD_BODIES = [
    ("invalid UTF-8", b'{"url": "\xc3\x28"}', 400),
    ("lone surrogate", b'{"url": "https://a.example/\\ud83d", "units": []}', 400),
    ("NUL", b'{"url": "a\\u0000b"}', 400),
    ("control character", b'{"url": "a\\u001bb"}', 400),
    ("BOM", b"\xef\xbb\xbf" + GOOD, 400),
    ("NaN", b'{"url": NaN}', 400),
    ("Infinity", b'{"url": Infinity}', 400),
    ("duplicate keys", b'{"url": "a", "url": "b"}', 400),
    ("deep nesting", b'{"url": ' + _deep(50) + b"}", 400),
    ("very deep nesting", _deep(200_000)[:200_000], 400),
    ("empty body", b"", 400),
    ("top-level null", b"null", 400),
    ("top-level list", b"[]", 400),
    ("truncated", GOOD[:-10], 400),
]


@pytest.mark.parametrize("name, raw, expected", BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_bad_bodies(seeded, himaya_home, name, raw, expected):
    before = snapshot(himaya_home)
    response = seeded.request("POST", REPORTS, data=raw, content_type="application/json")
    assert response.status_code == expected
    assert response.get_json()["error"] == "bad_json"
    assert snapshot(himaya_home) == before


def _with(**changes):
    body = report_body()
    for key, value in changes.items():
        if value is None:
            body.pop(key)
        else:
            body[key] = value
    return body


BAD_FIELDS = [
    ("missing url", REPORTS, _with(url=None), "url: missing"),
    ("url of wrong type", REPORTS, _with(url=42), "url: must be a string"),
    ("unknown field", REPORTS, _with(extra=1), "extra: unknown field"),
    ("no units", REPORTS, _with(units=[]), "units: needs at least 1"),
    ("unit of wrong kind", REPORTS, _with(units=[{"kind": "tweet", "text": "x"}]), "units[0].kind"),
    ("unit without text", REPORTS, _with(units=[{"kind": "message"}]), "units[0].text: missing"),
    ("match on a unit that is not there", REPORTS, _with(matches=[{"rule": "r", "unit": 3}]), "matches[0].unit"),
    ("span backwards", REPORTS, _with(matches=[{"rule": "r", "spans": [[5, 1]]}]), "matches[0].spans[0]"),
    ("bool as integer", REPORTS, _with(matches=[{"rule": "r", "unit": True}]), "matches[0].unit"),
    ("screenshot not an image", REPORTS, _with(screenshot="data:text/html;base64,PGgxPg=="), "screenshot"),
    ("screenshot lies about its type", REPORTS, _with(screenshot="data:image/png;base64,/9j/4AAQ"), "screenshot"),
    ("screenshot bad base64", REPORTS, _with(screenshot="data:image/png;base64,%%%"), "screenshot"),
    ("scan kind missing", "/api/v1/scan", {"text": "x"}, "kind: missing"),
    ("scan text as list", "/api/v1/scan", {"kind": "message", "text": ["x"]}, "text: must be a string"),
    ("scan unknown field", "/api/v1/scan", {"kind": "message", "text": "x", "html": "<b>"}, "html: unknown field"),
    ("scan lang", "/api/v1/scan", {"kind": "message", "text": "x", "lang": "de"}, "lang"),
    ("long message", "/api/v1/scan", {"kind": "message", "text": "a" * 20_001}, "20000"),
    ("batch of 10 000 units", "/api/v1/scan/batch",
     {"units": [{"id": i, "kind": "message", "text": "ok"} for i in range(10_000)]}, "more than 200"),
    ("empty batch", "/api/v1/scan/batch", {"units": []}, "at least 1"),
    ("feedback verdict", "/api/v1/feedback", {"rules": ["r"], "verdict": "meh"}, "verdict"),
    ("feedback without rules", "/api/v1/feedback", {"rules": [], "verdict": "wrong"}, "rules"),
    ("pair with extra field", "/api/v1/pair", {"code": "1", "token": "x"}, "code"),
]


@pytest.mark.parametrize("name, path, body, detail", BAD_FIELDS, ids=[b[0] for b in BAD_FIELDS])
def test_bad_fields_are_named(seeded, himaya_home, name, path, body, detail):
    before = snapshot(himaya_home)
    response = seeded.post(path, body)
    assert response.status_code == 400
    payload = response.get_json()
    assert payload["error"] == "bad_request" and detail in payload["detail"]
    assert snapshot(himaya_home) == before


@pytest.mark.parametrize("path, size", [("/api/v1/scan", 1_000_000), (REPORTS, 13 * 1024 * 1024),
                                        ("/api/v1/scan/batch", 3 * 1024 * 1024), ("/api/v1/pair", 300_000)])
def test_oversized_bodies_refused_before_reading(seeded, himaya_home, path, size):
    before = snapshot(himaya_home)

    class Unreadable(io.BytesIO):
        def read(self, *args):  # the guard must answer from Content-Length alone
            raise AssertionError("body was read")

    response = seeded.request("POST", path, input_stream=Unreadable(b"{}"), content_type="application/json",
                              environ_overrides={"CONTENT_LENGTH": str(size)})
    assert response.status_code == 413
    assert response.get_json()["error"] == "too_large" and "bytes" in response.get_json()["detail"]
    assert snapshot(himaya_home) == before


def test_fifty_megabytes_claimed_without_token_is_refused_unread(api, himaya_home):
    before = snapshot(himaya_home)
    response = api.request("POST", REPORTS, token=False, input_stream=io.BytesIO(b"{}"),
                           content_type="application/json",
                           environ_overrides={"CONTENT_LENGTH": str(50 * 1024 * 1024)})
    assert response.status_code == 401 and response.data == UNAUTHORIZED
    assert snapshot(himaya_home) == before


HOSTILE_URLS = ["https://a.example/" + "x" * 10_000, "javascript:alert(1)", "data:text/html,<script>1</script>",
                "https://xn--80ak6aa92e.example/p", "https://user:pass@social.example/p", "http://[::1]:80/x",
                "https://t.me.evil.example/joinchat/abc", "https://social.example/%00%ff"]


@pytest.mark.parametrize("url", HOSTILE_URLS, ids=range(len(HOSTILE_URLS)))
def test_hostile_urls_are_scanned_safely_and_not_stored(api, himaya_home, url):
    for kind, text in (("url", url), ("message", "bonjour " + url)):
        response = api.post("/api/v1/scan", {"kind": kind, "text": text, "url": url})
        assert response.status_code == 200
        assert isinstance(response.get_json()["risk"], bool)
    raw = (himaya_home / "himaya.db").read_bytes() + (himaya_home / "himaya.db-wal").read_bytes()
    assert url.encode() not in raw


def test_locked_database_answers_503_without_partial_write(himaya_home, scanner):
    from companion_helpers import make_app

    api = Api(make_app(himaya_home, scanner, BUSY_TIMEOUT_MS=200))
    assert api.post(REPORTS, report_body()).status_code == 201
    before = snapshot(himaya_home)
    other = sqlite3.connect(himaya_home / "himaya.db", isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        response = api.post(REPORTS, report_body())
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "1"
        assert response.get_json()["error"] == "storage_busy"
        assert api.post("/api/v1/scan", {"kind": "message", "text": "bonjour"}).status_code == 200
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert snapshot(himaya_home) == before
    assert api.post(REPORTS, report_body()).status_code == 201


def test_disk_full_refuses_writes_but_keeps_scanning(api, himaya_home, scanner):
    from companion_helpers import risky_text

    store = api.app.extensions["himaya"].store
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages}")  # the file may not grow: as if the disk were full
    before = snapshot(himaya_home)
    response = api.post(REPORTS, report_body(text="x" * 19_000))
    assert response.status_code == 507 and response.get_json()["error"] == "storage_full"
    _, text = risky_text(scanner)
    after_report = snapshot(himaya_home)
    warned = api.post("/api/v1/scan", {"kind": "message", "text": text})
    assert warned.status_code == 200 and warned.get_json()["risk"] is True
    assert after_report == before
    assert all(snapshot(himaya_home)[t] == before[t] for t in ("evidence", "captures", "outbox"))


def test_corrupt_database_is_kept_aside_and_replaced(himaya_home, scanner):
    from companion_helpers import make_app

    himaya_home.mkdir(parents=True, mode=0o700)
    garbage = b"this is not a database, it was damaged" * 100
    (himaya_home / "himaya.db").write_bytes(garbage)
    api = Api(make_app(himaya_home, scanner))
    status = api.get("/api/v1/status").get_json()
    aside = status["store"]["recovered"]
    assert aside and aside.startswith("himaya.db.corrupt-")
    assert (himaya_home / aside).read_bytes() == garbage
    assert api.post(REPORTS, report_body()).status_code == 201


def test_debug_is_refused_outside_tests(himaya_home, scanner, monkeypatch):
    from companion_helpers import make_app

    with pytest.raises(RuntimeError, match="DEBUG"):
        make_app(himaya_home, scanner, TESTING=False, DEBUG=True)
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = make_app(himaya_home, scanner, TESTING=False)
    assert app.debug is False
