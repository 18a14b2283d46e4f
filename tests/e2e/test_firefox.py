"""Firefox ESR (through puppeteer-core, driven by firefox_smoke.mjs): the .xpi
parents get, byte for byte, installs, pairs in its options page, and warns on a
risky page."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

from e2e_servers import ROOT


def test_firefox_loads_the_packed_extension_and_warns(companion, site, tmp_path):
    subprocess.run(["node", str(ROOT / "scripts" / "pack-extension.js"), "--out", str(tmp_path)], check=True, capture_output=True)
    xpi = tmp_path / "himaya-firefox.xpi"
    shipped = hashlib.sha256(xpi.read_bytes()).hexdigest()
    url = site.url("www.instagram.com", "/lina.exemple/")
    run = subprocess.run(
        ["node", str(Path(__file__).with_name("firefox_smoke.mjs")), str(xpi), url, str(companion.port), companion.new_code()],
        capture_output=True, text=True, timeout=90, cwd=ROOT,
    )
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    assert lines, f"no result from Firefox\nstdout: {run.stdout}\nstderr: {run.stderr[-3000:]}"
    result = json.loads(lines[-1])
    assert result["ok"], result.get("error")
    assert result["paired"] is True
    assert result["severity"] in {"medium", "high", "critical"}  # the default levels that show a banner
    assert "1809" in result["text"] and "Signaler" in result["text"]
    assert hashlib.sha256(xpi.read_bytes()).hexdigest() == shipped  # nothing was changed to test it
