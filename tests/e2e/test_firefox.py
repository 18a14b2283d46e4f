"""Firefox ESR (through puppeteer-core, driven by firefox_smoke.mjs): the
packed add-on installs, pairs in its options page, and warns on a risky page."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

from e2e_servers import ROOT


def firefox_test_build(packed: Path, folder: Path) -> Path:
    """The packed add-on, unpacked, with its options page made reachable from a
    web page: puppeteer cannot open moz-extension:// pages, so the script frames it."""
    with zipfile.ZipFile(packed) as archive:
        archive.extractall(folder)
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["web_accessible_resources"] = [{"resources": ["ui/options.html"], "matches": ["<all_urls>"]}]
    policy = manifest["content_security_policy"]["extension_pages"]  # the real one forbids being framed
    manifest["content_security_policy"]["extension_pages"] = policy.replace("; frame-ancestors 'none'", "")
    manifest_path.write_text(json.dumps(manifest))
    return folder


def test_firefox_loads_the_packed_extension_and_warns(companion, site, tmp_path):
    subprocess.run(["node", str(ROOT / "scripts" / "pack-extension.js"), "--out", str(tmp_path)], check=True, capture_output=True)
    xpi = firefox_test_build(tmp_path / "himaya-firefox.xpi", tmp_path / "addon")
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
