"""The application factory: wiring, defaults, and what the app refuses to be."""

from __future__ import annotations

import stat

import pytest
from pathlib import Path
from companion_helpers import BASE, CHROME_ID, Api, make_app, report_body  # noqa: F401

from himaya.companion import config as settings_mod
from himaya.companion.app import StaticRules, create_app


def test_only_api_routes_exist(himaya_home, scanner):
    app = make_app(himaya_home, scanner)
    rules = {str(rule) for rule in app.url_map.iter_rules()}
    assert rules and all(rule.startswith("/api/v1/") for rule in rules)
    for rule in app.url_map.iter_rules():
        assert "OPTIONS" not in rule.methods and not (rule.methods - {"GET", "HEAD", "POST"})


def test_defaults_come_from_the_data_folder(himaya_home, scanner):
    settings_mod.set_value(himaya_home, "port", "48000")
    settings_mod.set_value(himaya_home, "extension-ids", CHROME_ID)
    app = create_app({"RULES": StaticRules(scanner), "TESTING": True})  # HOME from HIMAYA_HOME
    companion = app.extensions["himaya"]
    assert companion.home == himaya_home and companion.guard.port == 48000
    assert companion.guard.extension_ids == {CHROME_ID}
    assert companion.guard.token == (himaya_home / "token").read_text().strip()
    assert stat.S_IMODE(himaya_home.stat().st_mode) == 0o700
    api = Api(app)
    assert api.get("/api/v1/status", base_url="http://localhost:48000").status_code == 200
    assert api.get("/api/v1/status", base_url="http://localhost:47615").status_code == 400


def test_static_rules_status(scanner):
    status = StaticRules(scanner).status()
    assert status["version"] == scanner.version and status["stale"] is False
    assert {"list_id", "expires", "last_check", "last_error"} <= set(status)


def test_settings_changed_while_serving_are_seen(himaya_home, scanner):
    api = Api(make_app(himaya_home, scanner))
    assert api.post("/api/v1/reports", report_body()).get_json()["outbox"] == "none"
    settings_mod.set_value(himaya_home, "intake-url", "https://intake.ngo.example/r")
    assert api.post("/api/v1/reports", report_body()).get_json()["outbox"] == "pending"


def test_debug_only_in_tests(himaya_home, scanner):
    app = make_app(himaya_home, scanner, DEBUG=True)
    assert app.debug is True  # allowed when TESTING
    with pytest.raises(RuntimeError):
        create_app({"HOME": himaya_home, "RULES": StaticRules(scanner), "DEBUG": True})


def test_default_rules_are_the_repository_rules(himaya_home, scanner, monkeypatch):
    RULES_DIR = Path(__file__).resolve().parent.parent / "rules"

    monkeypatch.setenv("HIMAYA_RULES", str(RULES_DIR))
    app = create_app({"HOME": himaya_home, "PORT": 47615})
    assert app.extensions["himaya"].rules.scanner.version == scanner.version
