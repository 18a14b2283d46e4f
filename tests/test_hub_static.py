"""The hub's pages load nothing from another site: templates name no external address, and
the graph library is the npm package's own file, served by the hub with its licence."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HUB = ROOT / "server" / "himaya" / "hub"


def test_templates_load_nothing_from_elsewhere():
    for template in (HUB / "templates").glob("*.html"):
        text = template.read_text("utf-8")
        assert not re.search(r'(?:src|href|action)="(?:https?:)?//', text), template.name
        assert "<style" not in text and " style=" not in text and "<script>" not in text, template.name


def test_the_vendored_graph_library_is_the_pinned_npm_package():
    vendored = HUB / "static" / "vendor" / "cytoscape.min.js"
    licence = HUB / "static" / "vendor" / "cytoscape.LICENSE"
    assert vendored.stat().st_size > 100_000 and "Permission is hereby granted" in licence.read_text("utf-8")
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]["cytoscape"]
    installed = ROOT / "node_modules" / "cytoscape"
    if not installed.is_dir():
        pytest.skip("node_modules not installed (make test installs it before pytest)")
    version = json.loads((installed / "package.json").read_text())["version"]
    assert version == pinned.lstrip("^~"), "update the pin in package.json and the vendored copy together"
    assert vendored.read_bytes() == (installed / "dist" / "cytoscape.min.js").read_bytes(), (
        "server/himaya/hub/static/vendor/cytoscape.min.js differs from node_modules: copy it again "
        "(cp node_modules/cytoscape/dist/cytoscape.min.js server/himaya/hub/static/vendor/)")
