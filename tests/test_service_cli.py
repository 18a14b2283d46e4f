"""The companion's commands through click: token, pair, config, report, autostart, in three languages."""

from __future__ import annotations

import json
import stat

import pytest
from click.testing import CliRunner
from companion_helpers import REPORT_TEXT, report_body

from himaya.cli import main
from himaya.companion.config import data_home, ensure_private_dir
from himaya.companion.store import Store


@pytest.fixture
def run(himaya_home, monkeypatch):
    monkeypatch.setenv("HIMAYA_LANG", "en")

    def invoke(*args, lang=None):
        if lang:
            monkeypatch.setenv("HIMAYA_LANG", lang)
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def reports(himaya_home):
    ensure_private_dir(himaya_home)
    store = Store(himaya_home / "himaya.db")
    return store, [store.append_report(report_body(text=f"{REPORT_TEXT} {i}"), "v1", queue=False) for i in range(3)]


def test_data_home_is_private(himaya_home):
    assert data_home() == himaya_home
    assert stat.S_IMODE(himaya_home.stat().st_mode) == 0o700


def test_token_is_stable_and_private(run, himaya_home):
    first = run("token").output.strip()
    assert len(first) >= 40 and run("token").output.strip() == first
    assert stat.S_IMODE((himaya_home / "token").stat().st_mode) == 0o600


def test_pair_makes_a_new_code(run, himaya_home):
    result = run("pair")
    code = result.output.strip().rsplit(" ", 1)[-1]
    assert len(code) == 9 and code[4] == "-"
    assert json.loads((himaya_home / "pairing.json").read_text())["code"] == code.replace("-", "")
    assert stat.S_IMODE((himaya_home / "pairing.json").stat().st_mode) == 0o600


def test_config_set_get_list(run, himaya_home):
    assert run("config", "set", "intake-url", "https://intake.ngo.example/r").exit_code == 0
    assert run("config", "get", "intake-url").output.strip() == "https://intake.ngo.example/r"
    run("config", "set", "extension-ids", "abcdefghijklmnopabcdefghijklmnop,ponmlkjihgfedcbaponmlkjihgfedcba")
    run("config", "set", "retention-days", "30")
    listing = run("config", "list").output
    assert "retention-days = 30" in listing and "update-url = -" in listing
    assert "extension-ids = abcdefghijklmnopabcdefghijklmnop,ponmlkjihgfedcbaponmlkjihgfedcba" in listing
    assert stat.S_IMODE((himaya_home / "config.json").stat().st_mode) == 0o600
    assert run("config", "set", "intake-url", "none").exit_code == 0
    assert run("config", "get", "intake-url").output.strip() == "-"


@pytest.mark.parametrize("key, value, message", [
    ("intake-url", "http://intake.ngo.example/r", "https://"),
    ("intake-url", "https://user:pw@intake.ngo.example/r", "password"),
    ("intake-url", "ftp://x.example", "https://"),
    ("retention-days", "0", "1 to 3650"),
    ("retention-days", "many", "whole number"),
    ("port", "80", "1024"),
    ("extension-ids", "not-an-id", "32 letters"),
    ("colour", "blue", "Unknown setting colour"),
])
def test_config_refuses_bad_values(run, himaya_home, key, value, message):
    result = CliRunner().invoke(main, ["config", "set", key, value])
    assert result.exit_code != 0 and message in result.output
    assert not (himaya_home / "config.json").exists()


@pytest.mark.parametrize("lang, words", [("fr", "un port de 1024 à 65535"), ("ar", "منفذ من 1024 إلى 65535")])
def test_config_errors_speak_the_persons_language(run, himaya_home, lang, words):
    result = run("config", "set", "port", "80", lang=lang)
    assert result.exit_code != 0 and words in result.output
    unknown = run("config", "get", "colour", lang=lang)
    assert unknown.exit_code != 0 and "colour" in unknown.output


def test_report_list_and_verify(run, reports):
    store, made = reports
    listing = run("report", "list").output.splitlines()
    assert [line.split()[0] for line in listing] == [m["id"] for m in reversed(made)]
    as_json = [json.loads(line) for line in run("report", "list", "--json").output.splitlines()]
    assert as_json[0]["sha256"] == made[-1]["sha256"]
    verified = run("report", "verify")
    assert verified.exit_code == 0 and "3 record(s)" in verified.output and made[-1]["sha256"] in verified.output


def test_verify_names_the_broken_record(run, reports):
    store, made = reports
    conn = store.conn
    conn.execute("DROP TRIGGER evidence_no_update")
    conn.execute("UPDATE evidence SET created = '2020-01-01T00:00:00.000Z', "
                 "record = replace(record, 'snap', 'snip') WHERE id = ?", [made[1]["id"]])
    result = CliRunner().invoke(main, ["report", "verify"])
    assert result.exit_code == 1
    assert f"#2 ({made[1]['id']})" in result.output and "BROKEN" in result.output


def test_verify_compares_with_a_head_kept_elsewhere(run, reports):
    """Issue 14.3: the newest record removed with its rows; only the kept head shows it."""
    store, made = reports
    kept = f"3:{made[-1]['sha256']}"
    assert run("report", "verify", "--head", kept).exit_code == 0
    conn = store.conn
    conn.execute("PRAGMA foreign_keys = OFF")
    for trigger in ("evidence_no_delete", "captures_no_delete"):
        conn.execute(f"DROP TRIGGER {trigger}")
    for table, column in (("captures", "evidence_id"), ("outbox", "report_id"), ("evidence", "id")):
        conn.execute(f"DELETE FROM {table} WHERE {column} = ?", [made[-1]["id"]])
    assert run("report", "verify").exit_code == 0
    result = run("report", "verify", "--head", kept)
    assert result.exit_code == 1 and "BROKEN" in result.output and "removed" in result.output
    assert run("report", "verify", "--head", "3:nothex").exit_code == 2


def test_export_writes_the_hotline_folder(run, reports, tmp_path):
    _, made = reports
    out = tmp_path / "for-hotline"
    result = run("report", "export", made[0]["id"], "--out", str(out))
    assert result.exit_code == 0 and str(out) in result.output
    assert sorted(p.name for p in out.iterdir()) == ["SHA256SUMS", "index.html", "record.json", "screenshot.png",
                                                     "units"]
    again = CliRunner().invoke(main, ["report", "export", made[0]["id"], "--out", str(out)])
    assert again.exit_code != 0 and "already exists" in again.output
    missing = CliRunner().invoke(main, ["report", "export", "R20000101-00000000"])
    assert missing.exit_code == 1 and "No report" in missing.output


@pytest.mark.parametrize("lang, words", [("fr", "Chaîne de preuves intacte"), ("ar", "سلسلة الأدلة سليمة"),
                                         ("en", "Evidence chain intact")])
def test_messages_in_three_languages(run, reports, lang, words):
    assert words in run("report", "verify", lang=lang).output


def test_autostart_command(run, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("PATH", str(tmp_path / "nobin"))  # no systemctl: the link is made by hand
    assert "will start at login" in run("autostart", "enable").output
    assert (tmp_path / "cfg" / "systemd" / "user" / "himaya.service").exists()
    assert "Autostart: enabled" in run("autostart", "status").output
    assert "no longer" in run("autostart", "disable").output
    assert "Autostart: disabled" in run("autostart", "status").output


def test_serve_with_a_broken_settings_file_says_so(run, himaya_home):
    ensure_private_dir(himaya_home)
    (himaya_home / "config.json").write_text("{broken")
    result = CliRunner().invoke(main, ["serve", "--port", "47999"])
    assert result.exit_code == 2 and "config.json" in result.output and "Traceback" not in result.output


# -- himaya status (issue 17: the parent can see whether scanning kept up) -----

def test_status_without_a_companion_says_so_and_shows_the_kept_history(run, himaya_home):
    from himaya.companion.health import ScanHealth, parse_report

    ensure_private_dir(himaya_home)
    ScanHealth(himaya_home).report(parse_report({"session": "evening-session-01", "started": "2026-12-05T19:00:00Z",
                                                  "scanned": 5200, "deferred": 300, "dropped": 230, "restored": 2,
                                                  "max_wait_ms": 42000}))
    result = run("status")
    assert result.exit_code == 1
    assert "Companion: not running (port 47615): the browser is NOT protected" in result.output
    assert "Reports to send: 0 (0 failed)" in result.output and "none: the readers found what they look for" in result.output
    assert "FELL BEHIND" in result.output
    assert "2026-12-05 19:00" in result.output and "230 NOT checked" in result.output and "longest wait 42 s" in result.output
    as_json = json.loads(run("status", "--json").output)
    assert as_json["running"] is False and as_json["process"] is None
    assert as_json["scanning"]["dropped"] == 230 and as_json["reader_misses"] == [] and as_json["reports"] == 0
    fr = run("status", lang="fr").output
    assert "230 NON vérifiés" in fr and "PRIS DU RETARD" in fr
    assert "لم يتم فحصها" in run("status", lang="ar").output


def test_status_asks_the_running_companion_with_the_token(run, himaya_home, monkeypatch):
    from himaya.cli import service as service_cli
    from himaya.companion import instance
    from himaya.companion.config import load_token

    ensure_private_dir(himaya_home)
    token = load_token(himaya_home)
    asked = []
    answer = {"ok": True, "rules_version": "2026.12.1", "counts": {"scans": 12, "matches": 1, "reports": 0},
              "scanning": {"behind": False, "dropped": 0, "deferred": 0, "rate_limited": 3,
                           "sessions": [{"session": "s-000000001", "started": "2026-12-05T19:00:00Z", "updated": "2026-12-05T19:05:00Z",
                                         "scanned": 12, "deferred": 0, "dropped": 0, "restored": 0, "max_wait_ms": 300,
                                         "behind": False}]}}
    monkeypatch.setattr(instance, "running", lambda home: {"pid": 4242, "port": 47615})
    monkeypatch.setattr(service_cli, "fetch_status", lambda port, tok: (asked.append((port, tok)), (answer, None))[1])
    result = run("status")
    assert result.exit_code == 0 and asked == [(47615, token)]
    assert "Companion: running on http://127.0.0.1:47615 (process 4242)" in result.output
    assert "kept up" in result.output and "12 checked" in result.output and "fell behind" not in result.output
    assert "too fast since it started: 3" in result.output
    as_json = json.loads(run("status", "--json").output)
    assert as_json["running"] is True and as_json["rate_limited"] == 3 and as_json["scanning"] == answer["scanning"]