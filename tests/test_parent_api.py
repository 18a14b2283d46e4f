"""The parent's side of the companion (issues 13 and 16): the allow-list that
"This is wrong" builds, critical rules that need the PIN, sensitivity per
category, the PIN itself, the extension's silences, and the weekly feedback
counts, checked on the wire."""

from __future__ import annotations

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from companion_helpers import CHROME_ORIGIN, Api, make_app

PAGE_A = "https://www.instagram.com/direct/t/340000111"
PAGE_B = "https://www.instagram.com/direct/t/340000222"
RISKY = "t'as quel âge ? ajoute-moi sur snap"


@pytest.fixture
def app(himaya_home, scanner):
    return make_app(himaya_home, scanner)


@pytest.fixture
def api(app):
    return Api(app)


def scan(api, text, url=None, **headers):
    body = {"kind": "message", "text": text}
    if url:
        body["url"] = url
    response = api.post("/api/v1/scan", body, origin=CHROME_ORIGIN, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def example(scanner, severity, category=None):
    """A positive example of the real rules that warns at exactly `severity`."""
    for rule in scanner.rules:
        if category and rule.category != category:
            continue
        for ex in rule.positives:
            v = scanner.scan(ex.text, kind=ex.kind or "message")
            if v.risk and v.severity == severity and (rule.id, severity) in [(m.rule, m.severity) for m in v.matches]:
                return rule, ex.text
    raise AssertionError(f"no {severity} example")


def cue_example(scanner, category):
    """A positive example of the real rules that is only a cue: low matches, no warning (rules and model)."""
    for rule in scanner.rules:
        if rule.category != category:
            continue
        for ex in rule.positives:
            v = scanner.scan(ex.text, kind=ex.kind or "message")
            if not v.risk and v.matches and v.matches[0].severity == "low":
                return ex.text
    raise AssertionError(f"no {category} cue")


def set_pin(api, pin="2468"):
    response = api.post("/api/v1/pin", {"pin": pin}, origin=CHROME_ORIGIN)
    assert response.status_code == 201
    return response.get_json()["unlock"]


# -- the allow-list ---------------------------------------------------------------

def test_this_is_wrong_on_a_page_stops_that_warning_there_only_and_undo_restores_it(api):
    first = scan(api, RISKY, PAGE_A)
    assert first["risk"] is True
    rules = [m["rule"] for m in first["matches"]]
    answer = api.post("/api/v1/feedback", {"rules": rules, "verdict": "wrong", "url": PAGE_A}, origin=CHROME_ORIGIN)
    assert answer.status_code == 201 and sorted(answer.get_json()["allowed"]) == sorted(rules)
    assert scan(api, RISKY, PAGE_A)["risk"] is False  # the same unit on the same page
    assert scan(api, RISKY, PAGE_B)["risk"] is True  # another page still warns
    entries = api.get("/api/v1/history", origin=CHROME_ORIGIN).get_json()["allowed"]
    assert {e["rule"] for e in entries} == set(rules) and {e["site"] for e in entries} == {"www.instagram.com"}
    for entry in entries:
        assert api.post(f"/api/v1/allowed/{entry['id']}/undo", {}, origin=CHROME_ORIGIN).status_code == 200
    assert scan(api, RISKY, PAGE_A)["risk"] is True  # undo restores the warning


def test_a_critical_rule_is_not_silenced_without_the_pin(api, scanner):
    rule, text = example(scanner, "critical")
    unlock = set_pin(api)
    assert scan(api, text, PAGE_A)["severity"] == "critical"
    answer = api.post("/api/v1/feedback", {"rules": [rule.id], "verdict": "wrong", "url": PAGE_A},
                      origin=CHROME_ORIGIN).get_json()
    assert answer["needs_pin"] == [rule.id] and answer["allowed"] == []
    assert scan(api, text, PAGE_A)["severity"] == "critical", "one click from the child silenced it"
    answer = api.post("/api/v1/feedback", {"rules": [rule.id], "verdict": "wrong", "url": PAGE_A},
                      origin=CHROME_ORIGIN, headers={"X-Himaya-Unlock": "not-the-unlock"}).get_json()
    assert answer["needs_pin"] == [rule.id]
    answer = api.post("/api/v1/feedback", {"rules": [rule.id], "verdict": "wrong", "url": PAGE_A},
                      origin=CHROME_ORIGIN, headers={"X-Himaya-Unlock": unlock}).get_json()
    assert answer["allowed"] == [rule.id]
    assert rule.id not in [m["rule"] for m in scan(api, text, PAGE_A)["matches"]]


# -- sensitivity ------------------------------------------------------------------

def test_each_sensitivity_level_changes_verdicts_as_documented(api, scanner, himaya_home):
    from himaya.companion import config

    _, medium_text = example(scanner, "medium", "age-probe")
    normal = scan(api, medium_text)
    assert normal["risk"] is True and {m["category"] for m in normal["matches"]} >= {"age-probe"}
    config.set_value(himaya_home, "sensitivity.age-probe", "low")
    low = scan(api, medium_text)
    assert "age-probe" not in {m["category"] for m in low["matches"] if m["severity"] in ("low", "medium")}
    config.set_value(himaya_home, "sensitivity.age-probe", "off")
    assert "age-probe" not in {m["category"] for m in scan(api, medium_text)["matches"]}
    # high: a cue (a low match that does not warn alone, and that the model does not raise) warns
    cue_text = cue_example(scanner, "age-probe")
    config.set_value(himaya_home, "sensitivity.age-probe", "normal")
    cue = scan(api, cue_text)
    assert cue["risk"] is False and cue["matches"] and cue["matches"][0]["severity"] == "low"
    config.set_value(himaya_home, "sensitivity.age-probe", "high")
    raised = scan(api, cue_text)
    assert raised["risk"] is True and raised["matches"][0]["raised_by"] == "sensitivity"
    status = api.get("/api/v1/status", origin=CHROME_ORIGIN).get_json()
    assert status["sensitivity"] == {"age-probe": "high"}


@pytest.mark.parametrize("category", ["blackmail-threat", "services-ad"])
def test_off_is_refused_for_blackmail_and_services_ads(api, himaya_home, category):
    from himaya.cli import main

    res = CliRunner().invoke(main, ["config", "set", f"sensitivity.{category}", "off"])
    assert res.exit_code != 0 and "never be switched off" in res.output
    refused = api.post("/api/v1/settings", {"sensitivity": {category: "off"}}, origin=CHROME_ORIGIN)
    assert refused.status_code == 400
    assert api.post("/api/v1/settings", {"sensitivity": {category: "low"}}, origin=CHROME_ORIGIN).status_code == 200
    assert CliRunner().invoke(main, ["config", "get", f"sensitivity.{category}"]).output.strip() == "low"


def test_himaya_status_shows_sensitivity_pin_and_silences(api, app, himaya_home):
    from himaya.cli import main

    CliRunner().invoke(main, ["config", "set", "sensitivity.trust-flattery", "low"])
    companion = app.extensions["himaya"]
    companion.contact(now=1_800_000_000)
    companion.contact(now=1_800_000_000 + 45 * 60)  # 45 minutes without a word
    import time

    old_tz = os.environ.get("TZ")
    os.environ["TZ"] = "Africa/Tunis"  # UTC+1: the parent reads the computer's clock, not UTC
    time.tzset()
    try:
        out = CliRunner().invoke(main, ["status"], env={"HIMAYA_LANG": "en"}).output
    finally:
        if old_tz is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old_tz
        time.tzset()
    assert "Sensitivity: trust-flattery=low" in out
    assert "silent from 2027-01-15 09:00 to 2027-01-15 09:45" in out, out
    data = json.loads(CliRunner().invoke(main, ["status", "--json"]).output)
    assert data["extension"]["silences"][0]["started"] == "2027-01-15T08:00:00.000Z"
    assert api.get("/api/v1/status", origin=CHROME_ORIGIN).get_json()["extension"]["silences"]


def test_calls_from_the_extension_count_as_contact_and_a_long_gap_is_a_silence(api, app):
    companion = app.extensions["himaya"]
    assert companion.last_contact is None
    api.get("/api/v1/status", origin=CHROME_ORIGIN)
    assert companion.last_contact is not None
    companion.last_contact -= 31 * 60
    api.get("/api/v1/status", origin=CHROME_ORIGIN)
    assert len(companion.store.silences()) == 1
    api.get("/api/v1/status")  # a script on this account (no extension origin) is not the extension
    assert len(companion.store.silences()) == 1


def test_the_extensions_heartbeat_counts_as_contact_without_an_origin(api, app):
    """Browsers send no Origin header on the extension's GET /status (its heartbeat):
    the extension names itself, and only a request with the token counts."""
    companion = app.extensions["himaya"]
    api.get("/api/v1/status", token=False, headers={"X-Himaya-Client": "extension"})
    assert companion.last_contact is None, "no token: not the extension"
    api.get("/api/v1/status", headers={"X-Himaya-Client": "extension"})
    assert companion.last_contact is not None


# -- the PIN -------------------------------------------------------------------------

def test_the_pin_guards_history_settings_and_is_kept_as_a_salted_slow_hash(api, himaya_home):
    assert api.get("/api/v1/history", origin=CHROME_ORIGIN).status_code == 200  # no PIN yet
    set_pin(api, "2468")
    stored = (himaya_home / "pin.json").read_text()
    assert "2468" not in stored and json.loads(stored)["scheme"].startswith("scrypt:")
    assert (himaya_home / "pin.json").stat().st_mode & 0o777 == 0o600
    assert api.get("/api/v1/history", origin=CHROME_ORIGIN).status_code == 403
    assert api.post("/api/v1/settings", {"share_feedback": True}, origin=CHROME_ORIGIN).status_code == 403
    assert api.post("/api/v1/pin", {"pin": "1111"}, origin=CHROME_ORIGIN).status_code == 403
    wrong = api.post("/api/v1/unlock", {"pin": "1357"}, origin=CHROME_ORIGIN)
    assert wrong.status_code == 403 and wrong.get_json()["error"] == "pin_wrong"
    unlock = api.post("/api/v1/unlock", {"pin": "2468"}, origin=CHROME_ORIGIN).get_json()["unlock"]
    assert api.get("/api/v1/history", origin=CHROME_ORIGIN, headers={"X-Himaya-Unlock": unlock}).status_code == 200
    for _ in range(5):
        last = api.post("/api/v1/unlock", {"pin": "0000"}, origin=CHROME_ORIGIN)
    assert last.status_code == 429 and int(last.headers["Retry-After"]) > 0
    assert api.post("/api/v1/unlock", {"pin": "2468"}, origin=CHROME_ORIGIN).status_code == 429  # locked a while


def test_history_lists_site_category_severity_and_reported_never_unreported_text(api):
    from companion_helpers import report_body

    scan(api, RISKY, PAGE_A)
    scan(api, "envoie moi une photo de toi, personne ne saura", PAGE_B)
    body = report_body()
    body["url"] = PAGE_B
    assert api.post("/api/v1/reports", body, origin=CHROME_ORIGIN).status_code == 201
    history = api.get("/api/v1/history", origin=CHROME_ORIGIN).get_json()["warnings"]
    assert len(history) == 2
    by_page = {h["reported"] is not None: h for h in history}
    assert by_page[False]["site"] == "www.instagram.com" and "age-probe" in by_page[False]["categories"]
    assert by_page[False]["severity"] == "medium"
    assert RISKY not in json.dumps(history)  # never the text of a warning nobody reported
    assert by_page[True]["reported"]["texts"] == [u["text"] for u in body["units"]][:5]


# -- feedback counts on the wire ---------------------------------------------------------

class _Hub(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802
        length = int(self.headers["Content-Length"])
        type(self).received.append((self.path, self.rfile.read(length)))
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def hub():
    _Hub.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_weekly_counts_carry_no_text_or_address_on_the_wire(api, app, himaya_home, hub):
    from himaya.companion import config
    from himaya.companion.feedback_counts import WEEK, FeedbackCounts

    companion = app.extensions["himaya"]
    config.set_value(himaya_home, "intake-url", f"http://127.0.0.1:{hub.server_address[1]}/ngo/reports")
    sender = FeedbackCounts(companion.store, companion.settings, lambda: {"list_id": "himaya-default", "version": 6})
    start = 1_900_000_000.0
    assert sender.send_due(now=start) is False  # no consent yet: nothing, not even a start
    config.set_value(himaya_home, "share-feedback", "on")
    assert sender.send_due(now=start) is False and not _Hub.received  # counting starts now
    companion.store.meta_set("feedback_counts_since", "2000-01-01T00:00:00.000Z")
    for verdict, rules, url in [("wrong", ["HIM-TRUST-002"], PAGE_A), ("wrong", ["HIM-TRUST-002", "HIM-AGE-001"], PAGE_B),
                                ("helped", ["HIM-AGE-001"], PAGE_A)]:
        api.post("/api/v1/feedback", {"rules": rules, "verdict": verdict, "url": url}, origin=CHROME_ORIGIN)
    assert sender.send_due(now=start + WEEK + 1) is True
    (path, raw), = _Hub.received
    assert path == "/api/v1/feedback-counts"
    sent = json.loads(raw)
    assert sent["counts"] == [{"rule": "HIM-AGE-001", "wrong": 1, "helped": 1},
                              {"rule": "HIM-TRUST-002", "wrong": 2, "helped": 0}]
    assert set(sent) == {"format", "program", "period", "list", "counts"}
    text = raw.decode()
    for secret in ("instagram", "340000", companion.store.url_hash(PAGE_A), companion.store.url_hash(PAGE_B),
                   companion.guard.token, "snap"):
        assert secret not in text, secret
    assert sender.send_due(now=start + WEEK + 60) is False  # once a week


# -- the export for a hotline ------------------------------------------------------------

def test_export_page_gives_author_time_rule_titles_and_every_word_in_its_language(api, scanner):
    import io
    import re
    import zipfile

    body = {"url": PAGE_A, "title": "Instagram",
            "units": [{"kind": "message", "text": "ajoute-moi sur snap", "author": "sami.b.000",
                       "time": "2026-12-04T18:03:00Z"}],
            "matches": [{"rule": "HIM-PRIV-001", "severity": "medium", "spans": [[0, 10]], "unit": 0}]}
    rid = api.post("/api/v1/reports", body, origin=CHROME_ORIGIN).get_json()["id"]
    archive = zipfile.ZipFile(io.BytesIO(api.get(f"/api/v1/reports/{rid}/export", origin=CHROME_ORIGIN).data))
    page = archive.read("index.html").decode()
    sections = dict(re.findall(r'<section lang="(\w\w)".*?>(.*?)</section>', page, re.S))
    title = scanner.ruleset.by_id("HIM-PRIV-001").title
    for lang, words in {"fr": ["Auteur", "Heure affichée", "Message", "moyenne"],
                        "ar": ["الكاتب", "الوقت الظاهر", "رسالة", "متوسطة"],
                        "en": ["Author", "Time shown", "Message", "medium"]}.items():
        section = sections[lang]
        assert "sami.b.000" in section and "2026-12-04T18:03:00Z" in section
        assert title[lang] in section, lang
        for word in words:
            assert word in section, (lang, word)
    assert "<b>message</b>" not in page  # the kind is translated, not the API's word
