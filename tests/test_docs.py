"""Documentation is checked: every command, setting and endpoint is documented,
and every command's help gives an example (as sqlite-utils does)."""

import re
from pathlib import Path

import click
import pytest

from himaya.cli import main

ROOT = Path(__file__).resolve().parent.parent
DOCS = "\n".join(p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])


def _commands(group: click.Group, prefix: str = "himaya"):
    for name, cmd in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, path)
        else:
            yield path, cmd


COMMANDS = list(_commands(main))


@pytest.mark.parametrize("path, cmd", COMMANDS, ids=[p for p, _ in COMMANDS])
def test_every_command_is_documented_with_an_example(path, cmd):
    group, _, name = path.rpartition(" ")
    # README's table lists sub-commands together: `himaya rules validate|test|lint`
    mentioned = path in DOCS or any(
        line for line in DOCS.splitlines() if group + " " in line and name in line.split(group + " ", 1)[1][:80])
    assert mentioned, f"{path} is not in README.md or docs/"
    assert cmd.help and "Example" in cmd.help, f"{path} --help gives no example"


def test_every_setting_is_documented():
    from himaya.companion.config import DEFAULTS

    companion = (ROOT / "docs" / "COMPANION.md").read_text(encoding="utf-8")
    missing = [key for key in DEFAULTS if key not in companion]
    assert not missing, f"settings missing from docs/COMPANION.md: {missing}"


def test_every_endpoint_is_documented(himaya_home):
    from himaya.companion.app import create_app

    api = (ROOT / "docs" / "API.md").read_text(encoding="utf-8")
    app = create_app({"HOME": himaya_home, "PORT": 47615, "RULES": _NoRules()})
    routes = {re.sub(r"<[^>]+>", "<id>", r.rule) for r in app.url_map.iter_rules() if r.rule.startswith("/api/")}
    assert len(routes) >= 7
    for route in routes:
        assert f"{route}`" in api or f"{route}?" in api, f"{route} is not in docs/API.md"


class _NoRules:
    """Routes are listed without building a scanner."""

    scanner = None

    def status(self):
        return {}
