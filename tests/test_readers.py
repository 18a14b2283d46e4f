"""What the companion does for the extension's site readers (issue 18): it
accepts and checks whose words a unit holds (``speaker``), keeps the
person's own messages out of a conversation's stages, and records "reader
found nothing on <site>" as the site, the day and a count, nothing else, for
the parent's history and ``himaya status``."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner
from companion_helpers import CHROME_ORIGIN, api, app, free_port, snapshot  # noqa: F401

from himaya.cli import main
from himaya.companion.config import ensure_private_dir
from himaya.companion.store import Store

AGE = "slt, 9adech 3omrek ?"
MOVE = "ajoute-moi sur snap, on parlera en privé"


# -- speaker -----------------------------------------------------------------

def test_scan_and_batch_accept_the_three_speakers(api):
    for speaker in ("self", "other", "unknown"):
        one = api.post("/api/v1/scan", {"kind": "message", "text": "salut", "speaker": speaker}, origin=CHROME_ORIGIN)
        assert one.status_code == 200, one.get_json()
    batch = api.post("/api/v1/scan/batch", {"units": [{"id": "m-1", "kind": "message", "text": "salut", "speaker": "self"},
                                                     {"id": "m-2", "kind": "post", "text": "salut", "speaker": "unknown"}]})
    assert batch.status_code == 200 and [r["id"] for r in batch.get_json()["results"]] == ["m-1", "m-2"]


@pytest.mark.parametrize("speaker", ["parent", "", "SELF", 1, ["self"]])
def test_any_other_speaker_is_refused_naming_the_field(api, speaker):
    one = api.post("/api/v1/scan", {"kind": "message", "text": "salut", "speaker": speaker})
    assert one.status_code == 400 and one.get_json()["detail"].startswith("speaker:")
    batch = api.post("/api/v1/scan/batch", {"units": [{"id": 1, "kind": "message", "text": "x"},
                                                     {"id": 2, "kind": "message", "text": "x", "speaker": speaker}]})
    assert batch.status_code == 400 and batch.get_json()["detail"].startswith("units[1].speaker:")


def _results(api, conversation, units):
    body = {"units": [{"id": i, "kind": "message", "text": text, "conversation": conversation, **extra}
                      for i, (text, extra) in enumerate(units)]}
    return api.post("/api/v1/scan/batch", body).get_json()["results"]


def test_the_persons_own_messages_do_not_build_a_conversations_stages(api):
    theirs = _results(api, "messenger:t/1", [(AGE, {"speaker": "other"}), ("13", {"speaker": "self"}),
                                             (MOVE, {"speaker": "other"})])
    assert theirs[2]["conversation"]["stages"] == ["age-probe", "move-to-private"] and theirs[2]["conversation"]["alert"] is True
    # (the age question and the move alone wait for the child's answer: classmates swap both)
    waits = _results(api, "messenger:t/0", [(AGE, {"speaker": "other"}), (MOVE, {"speaker": "other"})])
    assert waits[1]["conversation"]["stages"] == ["age-probe", "move-to-private"] and waits[1]["conversation"]["alert"] is False
    mixed = _results(api, "messenger:t/2", [(AGE, {"speaker": "self"}), (MOVE, {"speaker": "other"})])
    assert mixed[0]["risk"] is False and mixed[0]["matches"] == [], "the person's own words never warn"
    assert mixed[1]["conversation"]["stages"] == ["move-to-private"] and mixed[1]["conversation"]["alert"] is False
    unknown = _results(api, "messenger:t/3", [(AGE, {"speaker": "unknown"}), (MOVE, {})])
    assert unknown[1]["conversation"]["stages"] == ["age-probe", "move-to-private"], "unknown and absent speakers count as before"


# -- reader found nothing ------------------------------------------------------

def test_reader_missed_counts_pages_per_site_and_day(api, himaya_home):
    first = api.post("/api/v1/readers/missed", {"site": "facebook"}, origin=CHROME_ORIGIN)
    assert first.status_code == 201
    row = first.get_json()
    assert row["site"] == "facebook" and row["pages"] == 1
    assert row["day"] == datetime.now(timezone.utc).strftime("%Y-%m-%d") and row["last"].startswith(row["day"])
    assert api.post("/api/v1/readers/missed", {"site": "facebook"}).get_json()["pages"] == 2
    assert api.post("/api/v1/readers/missed", {"site": "telegram"}).get_json()["pages"] == 1
    listed = api.get("/api/v1/readers/missed").get_json()["missed"]
    assert sorted((m["site"], m["pages"]) for m in listed) == [("facebook", 2), ("telegram", 1)]
    # what is stored: the site, the day, a count and a time; nothing else
    conn = sqlite3.connect(himaya_home / "himaya.db")
    try:
        columns = [r[1] for r in conn.execute("PRAGMA table_info(reader_misses)")]
        rows = conn.execute("SELECT * FROM reader_misses ORDER BY site").fetchall()
    finally:
        conn.close()
    assert columns == ["site", "day", "pages", "last"]
    assert [r[:3] for r in rows] == [("facebook", row["day"], 2), ("telegram", row["day"], 1)]


@pytest.mark.parametrize("body", [
    {"site": "forum.example"},                                       # not a site with a reader
    {"site": "generic"},
    {"site": "facebook", "url": "https://www.facebook.com/groups/1/"},  # no address
    {"site": "facebook", "text": "what the page said"},              # no text
    {"site": "facebook", "count": 3},
    {},
])
def test_reader_missed_takes_the_site_and_nothing_else(api, himaya_home, body):
    before = snapshot(himaya_home)
    response = api.post("/api/v1/readers/missed", body)
    assert response.status_code == 400 and response.get_json()["error"] == "bad_request"
    assert snapshot(himaya_home) == before


def test_reader_missed_needs_the_token_and_the_extensions_origin(api, himaya_home):
    before = snapshot(himaya_home)
    assert api.post("/api/v1/readers/missed", {"site": "facebook"}, token=False).status_code == 401
    assert api.post("/api/v1/readers/missed", {"site": "facebook"}, origin="https://www.facebook.com").status_code == 403
    assert api.get("/api/v1/readers/missed", token=False).status_code == 401
    assert api.get("/api/v1/readers/missed?site=x").status_code == 400
    assert snapshot(himaya_home) == before


def test_reader_misses_keep_thirty_days_in_the_list_and_follow_retention(himaya_home):
    ensure_private_dir(himaya_home)
    store = Store(himaya_home / "himaya.db")
    store.add_reader_miss("x")
    old = (datetime.now(timezone.utc) - timedelta(days=40))
    store.conn.execute("INSERT INTO reader_misses VALUES ('discord', ?, 4, ?)",
                       [old.strftime("%Y-%m-%d"), old.strftime("%Y-%m-%dT%H:%M:%S.000Z")])
    assert [m["site"] for m in store.reader_misses()] == ["x"]
    assert [m["site"] for m in store.reader_misses(days=60)] == ["x", "discord"]
    assert store.purge(days=30) == 1
    assert [m["site"] for m in store.reader_misses(days=60)] == ["x"]


def test_himaya_status_shows_the_readers_that_found_nothing(himaya_home, monkeypatch):
    monkeypatch.setenv("HIMAYA_LANG", "en")
    CliRunner().invoke(main, ["config", "set", "port", str(free_port())], catch_exceptions=False)  # nothing listens there
    quiet = CliRunner().invoke(main, ["status"], catch_exceptions=False)
    assert quiet.exit_code == 1  # no companion answers; what the data folder keeps is still shown
    assert "Companion: not running" in quiet.output and "none: the readers found what they look for" in quiet.output
    ensure_private_dir(himaya_home)
    store = Store(himaya_home / "himaya.db")
    store.add_reader_miss("facebook")
    store.add_reader_miss("facebook")
    out = CliRunner().invoke(main, ["status"], catch_exceptions=False).output
    assert "reader found nothing on facebook: 2 page(s) on " in out, out
    monkeypatch.setenv("HIMAYA_LANG", "fr")
    assert "le lecteur n'a rien trouvé sur facebook : 2 page(s)" in CliRunner().invoke(main, ["status"]).output
    data = json.loads(CliRunner().invoke(main, ["status", "--json"]).output)
    assert data["running"] is False and [(m["site"], m["pages"]) for m in data["reader_misses"]] == [("facebook", 2)]


def test_a_report_keeps_whose_words_each_unit_holds(api):
    body = {"url": "https://www.messenger.com/t/1", "title": "Messenger",
            "units": [{"kind": "message", "text": MOVE, "speaker": "other"},
                      {"kind": "message", "text": "non merci", "speaker": "self"},
                      {"kind": "post", "text": "page"}], "matches": []}
    saved = api.post("/api/v1/reports", body)
    assert saved.status_code == 201, saved.get_json()
    units = api.get(f"/api/v1/reports/{saved.get_json()['id']}").get_json()["record"]["units"]
    assert [u.get("speaker") for u in units] == ["other", "self", None]
    bad = api.post("/api/v1/reports", {**body, "units": [{"kind": "message", "text": "x", "speaker": "child"}]})
    assert bad.status_code == 400 and bad.get_json()["detail"].startswith("units[0].speaker:")
