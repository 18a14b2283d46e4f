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
    assert set(companion.guard.extension_ids) == {CHROME_ID}
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


def test_an_extension_id_configured_while_serving_is_trusted_at_once(himaya_home, scanner):
    """docs/COMPANION.md: changes are seen by a running companion, extension-ids too."""
    other = "ponmlkjihgfedcbaponmlkjihgfedcba"
    api = Api(make_app(himaya_home, scanner, EXTENSION_IDS=[]))
    assert api.get("/api/v1/status", origin=f"chrome-extension://{other}").status_code == 403
    settings_mod.set_value(himaya_home, "extension-ids", other)
    assert api.get("/api/v1/status", origin=f"chrome-extension://{other}").status_code == 200
    settings_mod.set_value(himaya_home, "extension-ids", "none")
    assert api.get("/api/v1/status", origin=f"chrome-extension://{other}").status_code == 403


def test_ids_given_for_the_run_stay_trusted_and_a_broken_settings_file_keeps_the_last_ids(himaya_home, scanner):
    other = "ponmlkjihgfedcbaponmlkjihgfedcba"
    settings_mod.set_value(himaya_home, "extension-ids", other)
    api = Api(make_app(himaya_home, scanner))  # CHROME_ID given for this run
    assert api.get("/api/v1/status", origin=f"chrome-extension://{other}").status_code == 200
    (himaya_home / "config.json").write_text("{not json")
    for extension_id in (other, CHROME_ID):
        assert api.get("/api/v1/status", origin=f"chrome-extension://{extension_id}").status_code == 200


def test_debug_only_in_tests(himaya_home, scanner):
    app = make_app(himaya_home, scanner, DEBUG=True)
    assert app.debug is True  # allowed when TESTING
    with pytest.raises(RuntimeError):
        create_app({"HOME": himaya_home, "RULES": StaticRules(scanner), "DEBUG": True})


def test_default_rules_are_found_without_any_setting(himaya_home, scanner, monkeypatch, tmp_path):
    """README: HIMAYA_RULES chooses another rules folder; without it a source checkout uses
    its rules/ folder, and an installed package the list it carries."""
    from himaya.core import scanner as scanner_mod

    monkeypatch.delenv("HIMAYA_RULES", raising=False)
    app = create_app({"HOME": himaya_home, "PORT": 47615})
    ids = {r.id for r in app.extensions["himaya"].rules.scanner.rules}
    assert ids == {r.id for r in scanner.rules} and scanner_mod.default_rules_path() == RULES_DIR

    monkeypatch.setattr(scanner_mod, "REPO_RULES", tmp_path / "no-checkout")
    assert scanner_mod.default_rules_path() == scanner_mod.PACKAGE_RULES
    packaged = create_app({"HOME": himaya_home, "PORT": 47615}).extensions["himaya"].rules.scanner
    assert {r.id for r in packaged.rules} == ids  # the shipped bundle is built from rules/

    fixtures = Path(__file__).parent / "fixtures" / "rules"
    monkeypatch.setenv("HIMAYA_RULES", str(fixtures))
    chosen = create_app({"HOME": himaya_home, "PORT": 47615}).extensions["himaya"].rules.scanner
    assert {r.id for r in chosen.rules} == {"T-INVITE", "T-LINK", "T-PRICE", "T-PHOTO"} != ids


RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
