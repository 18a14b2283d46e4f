"""Start the companion at login: a systemd user unit, a LaunchAgent or a Startup entry.

Family computers reboot; the extension should find its companion afterwards.
Each platform gets one small file in the current user's own folders (never
system-wide, never as root)::

    >>> entry = entry_for("linux", home=Path("/home/ana"), env={}, command=["/usr/bin/himaya", "serve"])
    >>> entry.path
    PosixPath('/home/ana/.config/systemd/user/himaya.service')

``enable``/``disable`` write or remove it and, on Linux, ask ``systemctl --user``
to (de)activate it when systemd is there; ``status`` says what is installed.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

UNIT = "himaya.service"
AGENT = "org.himaya.companion"


@dataclass
class Entry:
    platform: str
    path: Path
    content: str


def command_line() -> list[str]:
    """How to start ``himaya serve`` from this installation."""
    # The console script beside this Python first: a shell shim (pyenv, a
    # venv's activate) is not there at login, the real script is.
    for candidate in (Path(sys.executable).parent / "himaya", Path(sys.executable).parent / "himaya.exe"):
        if candidate.is_file():
            return [str(candidate), "serve"]
    exe = shutil.which("himaya")
    if exe:
        return [str(Path(exe).resolve()), "serve"]
    return [sys.executable, "-c", "from himaya.cli import main; main()", "serve"]


def _platform() -> str:
    if sys.platform.startswith("linux"):
        return "linux"
    if sys.platform == "darwin":
        return "macos"
    if sys.platform.startswith("win"):
        return "windows"
    return sys.platform


def entry_for(platform: str, home: Path, env: dict, command: list[str], data_home: str | None = None) -> Entry:
    """The autostart file for ``platform`` ("linux", "macos", "windows")."""
    if platform == "linux":
        config = Path(env.get("XDG_CONFIG_HOME") or home / ".config")
        return Entry(platform, config / "systemd" / "user" / UNIT, _systemd_unit(command, data_home))
    if platform == "macos":
        return Entry(platform, home / "Library" / "LaunchAgents" / f"{AGENT}.plist", _launch_agent(command, data_home))
    if platform == "windows":
        appdata = Path(env.get("APPDATA") or home / "AppData" / "Roaming")
        startup = appdata / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Startup"
        return Entry(platform, startup / "himaya-companion.cmd", _startup_cmd(command, data_home))
    raise ValueError(f"autostart is not supported on {platform!r}")


def _systemd_unit(command: list[str], data_home: str | None) -> str:
    env_line = f"Environment=HIMAYA_HOME={_systemd_quote(data_home)}\n" if data_home else ""
    return ("[Unit]\nDescription=Himaya child-safety companion (127.0.0.1 only)\n\n"
            "[Service]\nType=simple\n"
            f"ExecStart={' '.join(_systemd_quote(part) for part in command)}\n{env_line}"
            "Restart=on-failure\nRestartSec=5\n"
            # The companion needs no privileges: ask systemd to take them away.
            "NoNewPrivileges=yes\nPrivateTmp=yes\n\n"
            "[Install]\nWantedBy=default.target\n")


def _systemd_quote(part: str) -> str:
    if part and all(ch.isalnum() or ch in "/._-=:+," for ch in part):
        return part
    return '"' + part.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%") + '"'


def _launch_agent(command: list[str], data_home: str | None) -> str:
    args = "".join(f"\n    <string>{escape(part)}</string>" for part in command)
    env = (f"\n  <key>EnvironmentVariables</key>\n  <dict>\n    <key>HIMAYA_HOME</key>"
           f"\n    <string>{escape(data_home)}</string>\n  </dict>") if data_home else ""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n'
            f'<plist version="1.0">\n<dict>\n  <key>Label</key>\n  <string>{AGENT}</string>\n'
            f"  <key>ProgramArguments</key>\n  <array>{args}\n  </array>{env}\n"
            "  <key>RunAtLoad</key>\n  <true/>\n  <key>KeepAlive</key>\n  <dict>\n"
            "    <key>SuccessfulExit</key>\n    <false/>\n  </dict>\n</dict>\n</plist>\n")


def _startup_cmd(command: list[str], data_home: str | None) -> str:
    quoted = " ".join(f'"{part}"' for part in command)
    env = f'set "HIMAYA_HOME={data_home}"\r\n' if data_home else ""
    # `start "" /min` returns at once, so login is not held up by the console.
    return f"@echo off\r\n{env}start \"\" /min {quoted}\r\n"


class Autostart:
    """Install, remove and inspect the entry for the current user."""

    def __init__(self, platform: str | None = None, home: Path | None = None, env: dict | None = None,
                 command: list[str] | None = None, runner=subprocess.run):
        self.platform = platform or _platform()
        self.env = dict(os.environ if env is None else env)
        self.home = Path(home or Path.home())
        self.command = command or command_line()
        self.runner = runner  # runs systemctl/launchctl; replaceable in tests

    def entry(self) -> Entry:
        return entry_for(self.platform, self.home, self.env, self.command, self.env.get("HIMAYA_HOME"))

    def enable(self) -> Entry:
        entry = self.entry()
        entry.path.parent.mkdir(parents=True, exist_ok=True)
        entry.path.write_text(entry.content, encoding="utf-8", newline="")
        if self.platform == "linux":
            self._manager(["systemctl", "--user", "daemon-reload"])
            if not self._manager(["systemctl", "--user", "enable", UNIT]):
                # No user systemd right now (first login, container): make the
                # link `systemctl enable` would make; it acts at next login.
                link = self._wants_link(entry)
                link.parent.mkdir(parents=True, exist_ok=True)
                if not link.is_symlink():
                    link.symlink_to(entry.path)
        elif self.platform == "macos":
            self._manager(["launchctl", "load", "-w", str(entry.path)])
        return entry

    def disable(self) -> Entry:
        entry = self.entry()
        if self.platform == "linux":
            self._manager(["systemctl", "--user", "disable", UNIT])
        elif self.platform == "macos" and entry.path.exists():
            self._manager(["launchctl", "unload", "-w", str(entry.path)])
        entry.path.unlink(missing_ok=True)
        if self.platform == "linux":
            link = self._wants_link(entry)
            if link.is_symlink():
                link.unlink()
            self._manager(["systemctl", "--user", "daemon-reload"])
        return entry

    @staticmethod
    def _wants_link(entry: Entry) -> Path:
        return entry.path.parent / "default.target.wants" / UNIT

    def status(self) -> dict:
        entry = self.entry()
        installed = entry.path.exists()
        enabled = installed and (self.platform != "linux" or self._wants_link(entry).is_symlink()
                                 or self._manager(["systemctl", "--user", "is-enabled", "--quiet", UNIT]))
        return {"platform": self.platform, "path": str(entry.path), "installed": installed, "enabled": enabled,
                "current": installed and entry.path.read_text(encoding="utf-8") == entry.content}

    def _manager(self, argv: list[str]) -> bool:
        """Ask the service manager; without one (a container, a test) the file alone is kept."""
        if shutil.which(argv[0], path=self.env.get("PATH")) is None:
            return False
        try:
            done = self.runner(argv, capture_output=True, text=True, timeout=20, env=self.env)
        except (OSError, subprocess.SubprocessError):
            return False
        return done.returncode == 0


def describe(command: list[str]) -> str:
    return " ".join(shlex.quote(part) for part in command)
