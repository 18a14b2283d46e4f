"""The update client at run time: atomic swaps under load, staleness, damaged
local copies, polling with backoff, address restrictions, and the CLI."""

from __future__ import annotations

import json
import random
import shutil
import threading
import time
from datetime import timedelta

import pytest
from click.testing import CliRunner

from himaya.bundles.manifest import BundleError, Manifest
from himaya.bundles.updater import RuleManager
from himaya.cli import main
from himaya.bundles.fetch import open_source
from himaya.bundles.updater import BUNDLED, MAX_BACKOFF, first_delay, next_delay
from test_bundle import write_bundle
from test_update import BASE, FILES, NEW_B, _Ctx, flags, keys, manager, publish_version, rule_yaml, seeded_home, site  # noqa: F401


def test_a_scan_during_a_swap_sees_the_old_set_or_the_new_never_a_mix(manager, tmp_path, keys):
    old = {"alpha/rule-a.yaml": FILES["alpha/rule-a.yaml"], "beta/rule-b.yaml": FILES["beta/rule-b.yaml"],
           "gamma/rule-c.yaml": FILES["gamma/rule-c.yaml"]}
    new = {"alpha/rule-a.yaml": rule_yaml("TST-A-002", "alpha signal"),
           "beta/rule-b.yaml": rule_yaml("TST-B-002", "beta signal"),
           "gamma/rule-c.yaml": FILES["gamma/rule-c.yaml"]}
    text = "alpha signal then beta signal"
    allowed = {frozenset({"TST-A-001", "TST-B-001"}), frozenset({"TST-A-002", "TST-B-002"})}
    seen, stop = [], threading.Event()

    def scan_forever():
        while not stop.is_set():
            seen.append(frozenset(flags(manager, text)))
            time.sleep(0.0005)  # leave the swapping thread its share of the interpreter

    def a_scan_begun_now() -> bool:
        """Wait for a scan that began after this call: each worker may be inside one scan that
        began before, so one more result than there are workers. (Counting, not draining a
        semaphore the workers keep filling: that drain could outrun a starved main thread.)"""
        mark, deadline = len(seen), time.monotonic() + 30
        while len(seen) <= mark + len(workers) and time.monotonic() < deadline:
            time.sleep(0.005)
        return len(seen) > mark + len(workers)

    workers = [threading.Thread(target=scan_forever) for _ in range(2)]
    for w in workers:
        w.start()
    try:
        for step in range(4):
            assert a_scan_begun_now()  # at least one scan between swaps
            usb = tmp_path / f"usb-{step}"
            publish_version(tmp_path, usb, new if step % 2 == 0 else old, BASE + 1 + step, [keys["a"]])
            assert manager.update(str(usb))["status"] == "updated"
        assert a_scan_begun_now()  # a scan after the last swap
    finally:
        stop.set()
        for w in workers:
            w.join()
    assert set(seen) <= allowed, set(seen) - allowed
    assert set(seen) == allowed


def test_a_list_past_its_expiry_is_reported_stale_but_keeps_working(manager, monkeypatch):
    assert manager.status()["stale"] is False
    import himaya.bundles.manifest

    later = himaya.bundles.manifest.now_utc() + timedelta(days=60)
    monkeypatch.setattr(himaya.bundles.manifest, "now_utc", lambda: later)
    status = manager.status()
    assert status["stale"] is True and set(status["stale_message"]) == {"fr", "ar", "en"}
    assert flags(manager, "alpha signal") == {"TST-A-001"}


def test_a_damaged_local_copy_falls_back_to_the_bundled_list(manager):
    active = json.loads((manager.root / "active.json").read_text())["dir"]
    victim = manager.root / "versions" / active / "files" / "alpha" / "rule-a.yaml"
    victim.write_text(victim.read_text().replace("alpha", "omega"), encoding="utf-8")
    restarted = RuleManager(manager.home, manager.config)
    status = restarted.status()
    bundled = Manifest.from_json((BUNDLED / "manifest.json").read_bytes())
    assert (status["list_id"], status["version"]) == (bundled.list_id, bundled.version)
    assert status["last_error"]["error"] == "hash_mismatch"
    assert not flags(restarted, "omega signal") and not flags(restarted, "alpha signal")


def test_a_list_installed_by_another_process_is_picked_up(manager, tmp_path, keys):
    other = RuleManager(manager.home, manager.config)
    usb = tmp_path / "usb"
    publish_version(tmp_path, usb, NEW_B, BASE + 1, [keys["a"]])
    assert other.update(str(usb))["status"] == "updated"
    assert manager.status()["version"] == BASE
    assert manager.reload_if_changed() is True
    assert manager.status()["version"] == BASE + 1 and "TST-B-001" in flags(manager, "delta signal")
    assert manager.reload_if_changed() is False


def test_polling_checks_the_configured_address_and_installs(manager, site, tmp_path, keys):
    _Ctx(tmp_path, site, keys).publish(NEW_B, BASE + 1)
    rm = RuleManager(manager.home, {**manager.config, "update-interval": 1})
    assert rm.start_polling() is True
    try:
        deadline = time.monotonic() + 30
        while rm.status()["version"] != BASE + 1 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        rm.stop()
    assert rm.status()["version"] == BASE + 1
    assert all(path.startswith("/list/") for path, _ in site.requests)


def test_an_address_set_while_running_is_polled_without_a_restart(manager, site, tmp_path, keys, monkeypatch):
    """docs/COMPANION.md: changes are seen by a running companion, update-url too."""
    from himaya.bundles import updater

    monkeypatch.setattr(updater, "WATCH_SECONDS", 0.05)
    _Ctx(tmp_path, site, keys).publish(NEW_B, BASE + 1)
    live = {"trusted-keys": manager.config["trusted-keys"], "update-interval": 1, "update-url": None}
    rm = RuleManager(manager.home, dict(live), settings_source=lambda: dict(live))
    assert rm.start_polling() is False
    try:
        time.sleep(0.3)
        assert rm.status()["version"] == BASE and not site.requests  # no address: no request
        live["update-url"] = site.url
        deadline = time.monotonic() + 10  # the first check comes within the 1 s interval
        while rm.status()["version"] != BASE + 1 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        rm.stop()
    assert rm.status()["version"] == BASE + 1 and rm.status()["update_url"] == site.url


def test_the_companion_reads_rule_settings_from_its_data_folder_while_running(seeded_home, tmp_path):
    from himaya.companion import config as settings_mod
    from himaya.companion.serving import load_rules

    home = tmp_path / "home"
    shutil.copytree(seeded_home[0], home)
    settings_mod.set_value(home, "trusted-keys", str(seeded_home[1]))
    rm = load_rules(home, settings_mod.load(home))
    try:
        assert rm.refresh_settings() is False and rm.status()["update_url"] is None
        settings_mod.set_value(home, "update-url", "https://ngo.example/himaya/")
        assert rm.refresh_settings() is True and rm.status()["update_url"] == "https://ngo.example/himaya/"
    finally:
        rm.stop()


def test_without_an_address_polling_never_touches_the_network(seeded_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(seeded_home[0], home)
    rm = RuleManager(home, {"trusted-keys": str(seeded_home[1]), "update-interval": 1})
    assert rm.start_polling() is False
    rm.stop()
    assert rm.update()["error"] == "no_source"


def test_backoff_grows_with_failures_with_jitter_and_respects_retry_after():
    rng = random.Random(7)
    calm = [next_delay(3600, 0, None, rng) for _ in range(200)]
    assert 0.8 * 3600 <= min(calm) and max(calm) <= 1.2 * 3600 and len(set(calm)) > 150
    means = [sum(next_delay(3600, n, None, rng) for _ in range(200)) / 200 for n in (1, 2, 3, 4, 5)]
    assert means == sorted(means) and means[-1] > 4 * means[0]
    assert max(next_delay(3600, 60, None, rng) for _ in range(100)) <= MAX_BACKOFF
    assert next_delay(3600, 1, 7200, rng) >= 7200
    assert max(first_delay(6 * 3600, rng) for _ in range(200)) <= 600


@pytest.mark.parametrize("address", [
    "http://ngo.example/himaya/", "ftp://127.0.0.1/list/", "https://user:pw@ngo.example/list/",
    "javascript:alert(1)",
])
def test_only_https_or_a_local_folder_is_accepted_as_an_address(address):
    with pytest.raises(BundleError) as err:
        open_source(address)
    assert err.value.code == "bad_source"


def test_a_redirect_is_refused_rather_than_followed(manager, site, tmp_path, keys):
    _Ctx(tmp_path, site, keys).publish(NEW_B, BASE + 1)
    site.override["/list/manifest.json"] = (302, {"Location": "/elsewhere/manifest.json"}, b"")
    result = manager.update()
    assert result["error"] == "fetch_failed" and "redirect" in result["detail"]
    assert [path for path, _ in site.requests] == ["/list/manifest.json"]


def test_a_busy_server_sets_retry_after(manager, site):
    site.override["/list/manifest.json"] = (503, {"Retry-After": "120"}, b"")
    result = manager.update()
    assert result["error"] == "fetch_failed" and result["retry_after"] == 120
    assert manager.status()["last_error"]["error"] == "fetch_failed"


def test_status_has_the_fields_the_companion_shows(manager):
    status = manager.status()
    for key in ("list_id", "version", "created", "expires", "stale", "last_check", "last_error",
                "rules", "disabled"):
        assert key in status
    assert (status["list_id"], status["version"], status["rules"]) == ("test-list", BASE, 3)


def test_cli_update_refuses_an_unsigned_list_and_status_says_why(himaya_home, tmp_path):
    bundled = Manifest.from_json((BUNDLED / "manifest.json").read_bytes())
    usb = tmp_path / "usb"
    bundle = write_bundle(tmp_path / "b", FILES, bundled.version + 1, list_id=bundled.list_id)
    from test_bundle import lay_out

    lay_out(bundle, usb)
    runner = CliRunner()
    result = runner.invoke(main, ["rules", "update", "--from", str(usb)], env={"LANG": "fr_FR.UTF-8"})
    assert result.exit_code == 1 and "[unsigned]" in result.output and "pas signée" in result.output
    status = runner.invoke(main, ["rules", "status", "--json"])
    info = json.loads(status.output)
    assert info["version"] == bundled.version and info["last_error"]["error"] == "unsigned"
    text = runner.invoke(main, ["rules", "status"], env={"LANG": "en_US.UTF-8"}).output
    assert f"version {bundled.version}" in text and "[unsigned]" in text
