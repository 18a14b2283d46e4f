"""`himaya hub ...` through click's runner and as subprocesses: init, user add (password from
stdin), enrol, reports --json, purge, unlock, totp, HIMAYA_HUB_HOME."""

from __future__ import annotations

import json
import stat

import pytest
from click.testing import CliRunner
from hub_helpers import PASSWORD, SimCompanion, Staff, hub_cli, make_hub, post_report

from himaya.cli import main


@pytest.fixture
def runner(monkeypatch, tmp_path):
    monkeypatch.setenv("HIMAYA_HUB_HOME", str(tmp_path / "hub-home"))
    monkeypatch.setenv("HIMAYA_LANG", "en")
    return CliRunner()


def test_init_makes_a_private_home_and_migrates(runner, tmp_path):
    result = runner.invoke(main, ["hub", "init"])
    assert result.exit_code == 0, result.output
    home = tmp_path / "hub-home"
    assert "Hub ready in" in result.output and "schema 0" in result.output
    assert stat.S_IMODE(home.stat().st_mode) == 0o700 and stat.S_IMODE((home / "hub.db").stat().st_mode) == 0o600
    again = runner.invoke(main, ["hub", "init"])  # safe to run again: nothing is dropped
    assert again.exit_code == 0


def test_init_keeps_a_postgresql_url(runner, tmp_path, pg_url):
    result = runner.invoke(main, ["hub", "init", "--home", str(tmp_path / "pg-home"), "--db", pg_url])
    assert result.exit_code == 0, result.output
    assert "postgresql+psycopg://" in result.output
    settings = json.loads((tmp_path / "pg-home" / "hub.json").read_text())
    assert settings["db"] == pg_url
    assert stat.S_IMODE((tmp_path / "pg-home" / "hub.json").stat().st_mode) == 0o600


def test_user_add_reads_the_password_from_stdin(runner, tmp_path):
    result = runner.invoke(main, ["hub", "user", "add", "amal", "--role", "admin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "amal added (admin)" in result.output
    short = runner.invoke(main, ["hub", "user", "add", "sami", "--role", "analyst"], input="short\n")
    assert short.exit_code == 1 and "at least 10" in short.output
    twice = runner.invoke(main, ["hub", "user", "add", "amal", "--role", "admin"], input=PASSWORD + "\n")
    assert twice.exit_code == 1 and "already exists" in twice.output
    bad_role = runner.invoke(main, ["hub", "user", "add", "x", "--role", "root"], input=PASSWORD + "\n")
    assert bad_role.exit_code == 2
    app = make_hub(tmp_path, "sqlite:///" + str(tmp_path / "hub-home" / "hub.db"))
    assert Staff(app, "amal").response.status_code == 302


def test_enrol_prints_a_code_that_the_intake_accepts(runner, tmp_path):
    result = runner.invoke(main, ["hub", "enrol", "--label", "Sfax volunteers"])
    assert result.exit_code == 0
    code = result.stdout.strip().splitlines()[-1]
    assert code.startswith("HUB-") and len(code) == 23
    app = make_hub(tmp_path, "sqlite:///" + str(tmp_path / "hub-home" / "hub.db"))
    answer = post_report(app.test_client(), SimCompanion("s").report(), code=code)
    assert answer.status_code == 201


def test_reports_lists_json_lines(runner, tmp_path):
    runner.invoke(main, ["hub", "init"])
    app = make_hub(tmp_path, "sqlite:///" + str(tmp_path / "hub-home" / "hub.db"))
    companion = SimCompanion("l")
    for _ in range(3):
        post_report(app.test_client(), companion.report())
    from himaya.hub.triage import set_status

    set_status(app.extensions["hub"].db, 1, "dismissed", "amal", "false_alarm")
    result = runner.invoke(main, ["hub", "reports", "--json"])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == [3, 2, 1]
    assert {"id", "received_at", "status", "url", "categories", "evidence_ok"} <= set(lines[0])
    assert lines[0]["categories"] == ["move-to-private"] and lines[0]["evidence_ok"] is True
    dismissed = runner.invoke(main, ["hub", "reports", "--json", "--status", "dismissed"])
    assert [json.loads(x)["id"] for x in dismissed.stdout.splitlines()] == [1]
    text = runner.invoke(main, ["hub", "reports"])
    assert text.exit_code == 0 and "facebook.com/groups/l.0" in text.stdout


def test_unlock_totp_and_purge(runner, tmp_path):
    runner.invoke(main, ["hub", "user", "add", "sami", "--role", "analyst"], input=PASSWORD + "\n")
    app = make_hub(tmp_path, "sqlite:///" + str(tmp_path / "hub-home" / "hub.db"))
    staff = Staff(app, "sami", password="wrong password!")
    for _ in range(4):
        staff.login("wrong password!")
    assert staff.login(PASSWORD).status_code == 401
    assert runner.invoke(main, ["hub", "user", "unlock", "sami"]).exit_code == 0
    assert staff.login(PASSWORD).status_code == 302
    assert runner.invoke(main, ["hub", "user", "unlock", "nobody"]).exit_code == 1
    totp = runner.invoke(main, ["hub", "user", "totp", "sami"])
    assert totp.exit_code == 0 and "TOTP secret for sami" in totp.output
    assert 'data-error="totp_required"' in staff.login(PASSWORD).get_data(True)
    purge = runner.invoke(main, ["hub", "purge"])
    assert purge.exit_code == 0 and "0 dismissed report(s) older than 30 days deleted" in purge.output


def test_the_real_command_reads_the_password_from_a_pipe(tmp_path):
    home = tmp_path / "piped"
    done = hub_cli(home, "user", "add", "amal", "--role", "admin", input=PASSWORD + "\n")
    assert "amal added" in done.stdout
    french = hub_cli(home, "init", check=True)
    assert "Hub ready" in french.stdout
