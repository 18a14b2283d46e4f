"""Autostart: the systemd user unit (checked by systemd itself), LaunchAgent and Startup entry."""

from __future__ import annotations

import plistlib
import subprocess

import pytest

from himaya.companion.autostart import Autostart, command_line, entry_for


def _fake_systemctl(bin_dir, log, exit_code=0):
    bin_dir.mkdir(parents=True, exist_ok=True)
    script = bin_dir / "systemctl"
    script.write_text(f"#!/bin/sh\necho \"$@\" >> {log}\nexit {exit_code}\n")
    script.chmod(0o755)


def _linux(tmp_path, exit_code=0, with_systemctl=True):
    log = tmp_path / "calls.log"
    bin_dir = tmp_path / "bin"
    if with_systemctl:
        _fake_systemctl(bin_dir, log, exit_code)
    else:
        bin_dir.mkdir()
    env = {"XDG_CONFIG_HOME": str(tmp_path / "cfg"), "PATH": str(bin_dir), "HIMAYA_HOME": str(tmp_path / "my data")}
    return Autostart(platform="linux", home=tmp_path, env=env, command=command_line()), log


def test_linux_unit_is_written_and_enabled(tmp_path):
    manager, log = _linux(tmp_path)
    entry = manager.enable()
    assert entry.path == tmp_path / "cfg" / "systemd" / "user" / "himaya.service"
    text = entry.path.read_text()
    assert f"ExecStart={command_line()[0]} serve" in text
    assert f'Environment=HIMAYA_HOME="{tmp_path}/my data"' in text and "WantedBy=default.target" in text
    assert log.read_text().splitlines() == ["--user daemon-reload", "--user enable himaya.service"]
    assert manager.status() == {"platform": "linux", "path": str(entry.path), "installed": True,
                                "enabled": True, "current": True}
    manager.disable()
    assert not entry.path.exists()
    assert log.read_text().splitlines()[-2:] == ["--user disable himaya.service", "--user daemon-reload"]


@pytest.mark.parametrize("with_systemctl", [True, False])
def test_linux_without_a_user_manager_links_the_unit(tmp_path, with_systemctl):
    manager, _ = _linux(tmp_path, exit_code=1, with_systemctl=with_systemctl)
    entry = manager.enable()
    link = entry.path.parent / "default.target.wants" / "himaya.service"
    assert link.is_symlink() and link.resolve() == entry.path.resolve()
    assert manager.status()["enabled"] is True
    manager.disable()
    assert not link.is_symlink() and manager.status()["installed"] is False


def test_systemd_accepts_the_unit(tmp_path):
    """systemd's own checker: syntax, keys, and an executable ExecStart."""
    entry = entry_for("linux", home=tmp_path, env={}, command=command_line(), data_home=str(tmp_path / "a b"))
    unit = tmp_path / "himaya.service"
    unit.write_text(entry.content)
    done = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "himaya.service" not in done.stderr, done.stderr  # no warning about our file


def test_macos_launch_agent_is_a_valid_plist(tmp_path):
    entry = entry_for("macos", home=tmp_path, env={}, command=["/Apps/himaya", "serve"], data_home="/Users/a & b")
    assert entry.path == tmp_path / "Library" / "LaunchAgents" / "org.himaya.companion.plist"
    plist = plistlib.loads(entry.content.encode())
    assert plist["ProgramArguments"] == ["/Apps/himaya", "serve"] and plist["RunAtLoad"] is True
    assert plist["EnvironmentVariables"] == {"HIMAYA_HOME": "/Users/a & b"}


def test_windows_startup_entry(tmp_path):
    appdata = tmp_path / "Roaming"
    entry = entry_for("windows", home=tmp_path, env={"APPDATA": str(appdata)},
                      command=["C:\\Py\\Scripts\\himaya.exe", "serve"])
    assert entry.path == appdata / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Startup" / "himaya-companion.cmd"
    assert entry.content.startswith("@echo off\r\n")
    assert 'start "" /min "C:\\Py\\Scripts\\himaya.exe" "serve"' in entry.content
    manager = Autostart(platform="windows", home=tmp_path, env={"APPDATA": str(appdata), "PATH": ""},
                        command=["C:\\Py\\Scripts\\himaya.exe", "serve"])
    manager.enable()
    assert manager.status()["enabled"] and entry.path.read_bytes().count(b"\r\n") == 2
    manager.disable()
    assert not entry.path.exists()


def test_unknown_platform_is_refused(tmp_path):
    with pytest.raises(ValueError, match="not supported"):
        entry_for("plan9", home=tmp_path, env={}, command=["himaya", "serve"])
