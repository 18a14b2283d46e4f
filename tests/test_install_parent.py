"""The parent install (issue 13.1): on Linux, as a fresh user without root, one
command puts Himaya in its own environment with `himaya` on PATH and an entry
that starts it at login. The Windows and macOS scripts cannot run here: the
PowerShell one is parsed (tree-sitter's PowerShell grammar) and the shell one is
linted with shellcheck, which is all this machine can check of them."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "install-parent.sh"
PS1 = ROOT / "scripts" / "install-parent.ps1"


def test_the_shell_script_passes_shellcheck():
    if not shutil.which("shellcheck"):
        pytest.skip("shellcheck is installed by `make browsers` (scripts/install-browsers.sh)")
    done = subprocess.run(["shellcheck", "--shell=sh", str(SCRIPT)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


def test_the_script_refuses_to_install_for_root(tmp_path):
    """`sudo sh scripts/install-parent.sh` would install and start Himaya for root,
    never for the family's browser: refused with what to do, nothing made."""
    if os.geteuid() != 0:
        pytest.skip("needs root, as CI runs")
    done = subprocess.run(["sh", str(SCRIPT)], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")})
    assert done.returncode == 2 and "do not use sudo" in done.stderr, done.stdout + done.stderr
    assert not any(tmp_path.iterdir()), "nothing is created"


def test_the_powershell_script_parses():
    tree_sitter = pytest.importorskip("tree_sitter")
    grammar = pytest.importorskip("tree_sitter_powershell")
    parser = tree_sitter.Parser(tree_sitter.Language(grammar.language()))
    assert parser.parse(b"if ($a { Write-Host 'x' }\n").root_node.has_error  # the check can fail
    tree = parser.parse(PS1.read_bytes())
    assert not tree.root_node.has_error
    text = PS1.read_text()
    for needed in ("himaya.cmd", "SetEnvironmentVariable('Path'", "'User')", "autostart enable", "LOCALAPPDATA"):
        assert needed in text, needed


@contextlib.contextmanager
def new_account():
    """A new account of this computer, removed afterwards with whatever it ran."""
    name = f"himaya-{uuid.uuid4().hex[:8]}"
    subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name], check=True)
    try:
        yield pwd.getpwnam(name)
    finally:
        subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)  # only that user's processes
        subprocess.run(["userdel", "--remove", name], capture_output=True)


@pytest.fixture
def fresh_user():
    if os.geteuid() != 0 or not shutil.which("useradd") or not shutil.which("runuser"):
        pytest.skip("needs root, useradd and runuser (CI runs as root)")
    if not Path("/usr/bin/python3").exists():
        pytest.skip("needs the system python3")
    with new_account() as user:
        yield user


def as_user(user, command: str, timeout: float = 900) -> subprocess.CompletedProcess:
    """A login shell of the user (`runuser -l`): what a parent's new terminal is."""
    return subprocess.run(["runuser", "-l", user.pw_name, "-c", command], capture_output=True, text=True,
                          timeout=timeout, env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"})


@pytest.mark.slow
def test_a_fresh_user_installs_with_one_command_without_root(fresh_user, tmp_path):
    home = Path(fresh_user.pw_dir)
    # The project as the parent downloaded it: a copy the user owns is not needed, a readable one is.
    install = as_user(fresh_user, f"PYTHON=/usr/bin/python3 sh {SCRIPT}")
    assert install.returncode == 0, install.stdout + install.stderr
    assert "himaya pair" in install.stdout
    assert "Pairing code" in install.stdout  # the companion started, and pairing is the next step

    version = as_user(fresh_user, "himaya --version")
    assert version.returncode == 0 and "himaya, version" in version.stdout, version.stdout + version.stderr
    assert as_user(fresh_user, "command -v himaya").stdout.strip() == f"{home}/.local/bin/himaya"
    venv = home / ".local" / "share" / "himaya-app" / "venv"
    assert (venv / "bin" / "python").exists()
    unit = home / ".config" / "systemd" / "user" / "himaya.service"
    assert unit.exists() and f"ExecStart={venv}/bin/himaya serve" in unit.read_text()
    assert (unit.parent / "default.target.wants" / "himaya.service").is_symlink()
    status = as_user(fresh_user, "himaya autostart status")
    assert "enabled" in status.stdout, status.stdout

    running = as_user(fresh_user, "himaya status")
    assert "Companion: running" in running.stdout, running.stdout
    assert "himaya-default version" in running.stdout
    # A second account of this computer, while the first one's companion holds the port:
    # the install says the program did not start and how to give this account its own port.
    with new_account() as second:
        other = as_user(second, f"PYTHON=/usr/bin/python3 sh {SCRIPT}")
        assert other.returncode == 0, other.stdout + other.stderr
        assert "did not start: port 47615 is taken" in other.stdout, other.stdout
        assert "himaya config set port 47616" in other.stdout
    lock = (home / ".local" / "share" / "himaya" / "companion.lock").read_text()
    pid = int(lock.split('"pid": ')[1].split(",")[0])
    os.kill(pid, signal.SIGTERM)
    for _ in range(50):
        if "Companion: not running" in as_user(fresh_user, "himaya status").stdout:
            break
        time.sleep(0.2)
    else:
        raise AssertionError("the companion did not stop")
    # An unusable data folder is one line for this user too (a folder they cannot write).
    locked = as_user(fresh_user, "HIMAYA_HOME=/root/himaya-not-yours himaya scan salut")
    assert locked.returncode == 2 and "cannot" in locked.stderr and "Traceback" not in locked.stderr
