"""Shared fixtures. Every test runs under a guard that fails it on any
connection to an address outside the loopback range (the program must never
phone home; docs/DESIGN.md)."""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RULES_DIR = ROOT / "rules"


def _is_loopback(address) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return True
    host = address[0]
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True, scope="session")
def private_data_folder(tmp_path_factory):
    """No test reads or writes the data folder of the account that runs them (its
    compiled-list cache above all: another checkout's code may have written it).
    One folder for the session, so the cache still saves the compile between tests;
    tests that need their own use the `himaya_home` fixture."""
    previous = os.environ.get("HIMAYA_HOME")
    os.environ["HIMAYA_HOME"] = str(tmp_path_factory.mktemp("himaya-session-home"))
    yield
    if previous is None:
        os.environ.pop("HIMAYA_HOME", None)
    else:
        os.environ["HIMAYA_HOME"] = previous


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Refuse (and fail the test on) any non-loopback connection."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guarded(fn):
        def connect(self, address):
            if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
                pytest.fail(f"test tried to open a network connection to {address!r}")
            return fn(self, address)

        return connect

    monkeypatch.setattr(socket.socket, "connect", guarded(real_connect))
    monkeypatch.setattr(socket.socket, "connect_ex", guarded(real_connect_ex))
    yield


@pytest.fixture(scope="session")
def scanner():
    """The scanner over the bundled default rules, built once per session."""
    from himaya import Scanner

    return Scanner.load(RULES_DIR)


@pytest.fixture
def himaya_home(tmp_path, monkeypatch):
    """A private, empty data folder for the companion."""
    home = tmp_path / "himaya-home"
    monkeypatch.setenv("HIMAYA_HOME", str(home))
    return home


# -- honest counting --------------------------------------------------------------
# Many cases are one check run over many inputs (every rule's mutated examples, every
# bad body): the summary prints how many distinct test functions ran beside the case
# count, so that neither number is read as the other.

def _check_name(nodeid: str) -> str:
    return nodeid.split("[", 1)[0]


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    cases, checks = 0, set()
    for outcome in ("passed", "failed", "xfailed", "xpassed"):
        for report in terminalreporter.stats.get(outcome, ()):
            if getattr(report, "when", "call") == "call":
                cases += 1
                checks.add(_check_name(report.nodeid))
    if cases:
        terminalreporter.write_sep("-", "behaviour checks")
        terminalreporter.write_line(
            f"{len(checks)} distinct behaviour checks in {cases} test cases "
            "(the parametrized cases of one test function count as one check)")


# The hub's database fixtures (SQLite and PostgreSQL), shared by its test modules.
from hub_helpers import hub_app, hub_db_url, pg_url  # noqa: E402,F401
