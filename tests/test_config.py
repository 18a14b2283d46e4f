"""Settings, the data folder and the token."""

from __future__ import annotations

import json
import stat

import pytest

from himaya.companion import config as settings_mod


def test_data_home_defaults_to_the_platform_folder(monkeypatch, tmp_path):
    import platformdirs

    monkeypatch.delenv("HIMAYA_HOME", raising=False)
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda name, appauthor=None: str(tmp_path / "share" / name))
    home = settings_mod.data_home()
    assert home == tmp_path / "share" / "himaya"
    assert stat.S_IMODE(home.stat().st_mode) == 0o700


def test_existing_loose_folder_is_tightened(himaya_home):
    himaya_home.mkdir(mode=0o755)
    himaya_home.chmod(0o755)
    settings_mod.data_home()
    assert stat.S_IMODE(himaya_home.stat().st_mode) == 0o700


def test_load_merges_defaults_and_ignores_unknown_keys(himaya_home):
    settings_mod.ensure_private_dir(himaya_home)
    (himaya_home / "config.json").write_text(json.dumps({"retention-days": 7, "theme": "dark"}))
    settings = settings_mod.load(himaya_home)
    assert settings["retention-days"] == 7 and settings["port"] == 47615 and "theme" not in settings


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"port": "eighty"}', '{"intake-url": "http://x.example"}'])
def test_bad_config_file_is_refused_with_its_name(himaya_home, content):
    settings_mod.ensure_private_dir(himaya_home)
    (himaya_home / "config.json").write_text(content)
    with pytest.raises(settings_mod.ConfigError):
        settings_mod.load(himaya_home)


def test_save_is_private_and_round_trips(himaya_home):
    settings = settings_mod.load(himaya_home)
    settings["extension-ids"] = ["ponmlkjihgfedcbaponmlkjihgfedcba", "abcdefghijklmnopabcdefghijklmnop"]
    settings_mod.save(himaya_home, settings)
    assert stat.S_IMODE((himaya_home / "config.json").stat().st_mode) == 0o600
    assert settings_mod.load(himaya_home)["extension-ids"] == sorted(settings["extension-ids"])
    assert not list(himaya_home.glob(".*.tmp"))


@pytest.mark.parametrize("url", ["https://intake.ngo.example/r", "http://127.0.0.1:8080/r", "http://localhost/r"])
def test_accepted_urls(url):
    assert settings_mod.validate("intake-url", url) == url


def test_token_is_made_once_with_mode_0600(himaya_home):
    token = settings_mod.load_token(himaya_home)
    assert len(token) >= 40 and settings_mod.load_token(himaya_home) == token
    assert stat.S_IMODE((himaya_home / "token").stat().st_mode) == 0o600
    assert settings_mod.load_token(himaya_home.parent / "elsewhere", create=False) is None


def test_update_interval_and_trusted_keys(tmp_path):
    from himaya.companion.config import ConfigError, load, set_value

    home = tmp_path / "h"
    assert load(home)["update-interval"] == 21600 and load(home)["trusted-keys"] is None
    set_value(home, "update-interval", "3600")
    assert load(home)["update-interval"] == 3600
    with pytest.raises(ConfigError) as exc:
        set_value(home, "update-interval", "10")
    assert exc.value.code == "interval"
    keys = tmp_path / "keys.json"
    keys.write_text("{}", encoding="utf-8")
    assert set_value(home, "trusted-keys", str(keys))["trusted-keys"] == str(keys.resolve())
    with pytest.raises(ConfigError) as exc:
        set_value(home, "trusted-keys", str(tmp_path / "missing.json"))
    assert exc.value.code == "keys_file" and load(home)["update-interval"] == 3600


def test_intake_code_is_checked(tmp_path):
    from himaya.companion.config import ConfigError, load, set_value

    home = tmp_path / "h"
    assert load(home)["intake-code"] is None
    assert set_value(home, "intake-code", "HUB-7KQ2-M9XA-P4TD-3HNE")["intake-code"] == "HUB-7KQ2-M9XA-P4TD-3HNE"
    for bad in ("short", "HUB 7KQ2 M9XA", "HUB-7KQ2\nX-Evil: 1", "x" * 100):
        with pytest.raises(ConfigError) as exc:
            set_value(home, "intake-code", bad)
        assert exc.value.code == "code"
    assert set_value(home, "intake-code", "none")["intake-code"] is None


@pytest.mark.parametrize("url", ["http://intake.ngo.example/r", "http://10.0.0.5/r", "ftp://127.0.0.1/r",
                                 "https://user:pw@intake.ngo.example/r"])
def test_reports_leave_over_https_only_except_to_loopback(url):
    with pytest.raises(settings_mod.ConfigError):
        settings_mod.validate("intake-url", url)
