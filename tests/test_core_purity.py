"""The layout keeps its promises: the matching core (himaya.core) loads alone and imports
nothing from the companion, the bundles, the hub or the CLI, nor Flask, SQL or click; the
bundles part never imports the companion, hub or CLI. (tldextract imports requests, but is
built offline and never fetches: see core/links.py.)"""

import ast
import json
import subprocess
import sys
from pathlib import Path

import himaya

PACKAGE = Path(himaya.__file__).parent
SERVICE_LIBS = ("flask", "werkzeug", "sqlite_utils", "sqlite3", "sqlalchemy", "alembic", "click",
                "waitress", "cryptography")


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, relative imports resolved against its package."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(("himaya",) + path.relative_to(PACKAGE).parent.parts)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def imports_of_part(part: str) -> dict[str, set[str]]:
    return {str(p.relative_to(PACKAGE)): imported_modules(p) for p in (PACKAGE / part).rglob("*.py")}


def test_core_imports_nothing_above_it():
    for name, mods in imports_of_part("core").items():
        bad = {m for m in mods if m.split(".")[0] in SERVICE_LIBS
               or m.startswith(("himaya.companion", "himaya.bundles", "himaya.hub", "himaya.cli"))}
        assert not bad, f"{name} imports {sorted(bad)}"


def test_bundles_import_neither_companion_hub_nor_cli():
    for name, mods in imports_of_part("bundles").items():
        bad = {m for m in mods if m.startswith(("himaya.companion", "himaya.hub", "himaya.cli"))}
        assert not bad, f"{name} imports {sorted(bad)}"


def test_hub_never_imports_the_companion():
    # The hub shares the core (evidence, links, rules) and may use bundles, never the companion's
    # guard, store or outbox: the two ends of the outbox stay independent.
    found = imports_of_part("hub")
    assert "app.py" in {Path(name).name for name in found}
    for name, mods in found.items():
        bad = {m for m in mods if m.startswith(("himaya.companion", "himaya.cli"))}
        assert not bad, f"{name} imports {sorted(bad)}"


def test_the_checker_sees_a_forbidden_import(tmp_path):
    # The static check above must be able to fail: a core-like file importing flask is caught.
    probe = PACKAGE / "core" / "_purity_probe.py"
    probe.write_text("from flask import Flask\nfrom ..companion import store\n")
    try:
        mods = imported_modules(probe)
    finally:
        probe.unlink()
    assert "flask" in mods and "himaya.companion.store" in mods


def test_core_loads_alone_at_run_time():
    code = (
        "import sys, json; from himaya import Scanner; Scanner.load(); "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        f"{SERVICE_LIBS!r} or m.startswith(('himaya.companion', 'himaya.bundles', 'himaya.hub', 'himaya.cli')))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
