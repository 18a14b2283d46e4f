"""Firefox ESR (through puppeteer-core, driven by firefox_smoke.mjs): the
packed add-on installs, pairs in its options page, warns on a risky page with
a warning the page cannot reach into, keeps the pairing token where content
scripts cannot read it (Firefox gives them storage.local), and still warns
after a flood of junk lines on one address."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

from builds import add_probe, add_state_bridge
from chatter import RISKY_AFTER_FLOOD, junk_lines, ordinary_messages
from e2e_servers import ROOT


def firefox_test_build(packed: Path, folder: Path) -> Path:
    """The packed add-on, unpacked, with its options page made reachable from a
    web page (puppeteer cannot open moz-extension:// pages, so the script frames
    it), the storage probe content script and the state bridge (builds.py)."""
    with zipfile.ZipFile(packed) as archive:
        archive.extractall(folder)
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["web_accessible_resources"] = [{"resources": ["ui/options.html"], "matches": ["<all_urls>"]}]
    policy = manifest["content_security_policy"]["extension_pages"]  # the real one forbids being framed
    manifest["content_security_policy"]["extension_pages"] = policy.replace("; frame-ancestors 'none'", "")
    manifest_path.write_text(json.dumps(manifest))
    return add_state_bridge(add_probe(folder))


def test_firefox_loads_the_packed_extension_warns_and_keeps_its_token_from_content_scripts(companion, site, tmp_path, record_property):
    subprocess.run(["node", str(ROOT / "scripts" / "pack-extension.js"), "--out", str(tmp_path)], check=True, capture_output=True)
    addon = firefox_test_build(tmp_path / "himaya-firefox.xpi", tmp_path / "addon")
    config = {
        "extension": str(addon), "port": companion.port, "code": companion.new_code(),
        "risky": site.url("www.instagram.com", "/lina.exemple/"), "whatsapp": site.url("web.whatsapp.com", "/"),
        "ordinary": ordinary_messages(20, start=900), "junk": junk_lines(2000, start=9000), "riskyMessage": RISKY_AFTER_FLOOD,
    }
    (tmp_path / "config.json").write_text(json.dumps(config))
    run = subprocess.run(["node", str(Path(__file__).with_name("firefox_smoke.mjs")), str(tmp_path / "config.json")],
                         capture_output=True, text=True, timeout=150, cwd=ROOT)
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    assert lines, f"no result from Firefox\nstdout: {run.stdout}\nstderr: {run.stderr[-3000:]}"
    result = json.loads(lines[-1])
    assert result.get("paired") is True, result.get("error")
    # the warning is out of the page's reach
    assert result.get("pageSeesRoot") is False, "the page can read the warning's shadow root"
    # the token: not in any storage area a content script can read, nor in the page origin's database
    probe = result.get("probe") or {}
    assert companion.token_cached not in json.dumps(probe), f"a Firefox content script read the token: {probe}"
    assert "settings" in probe["local"]["data"], "Firefox gives content scripts storage.local (so the token is not there)"
    assert "data" not in probe["session"], "storage.session is open to content scripts"
    assert probe["indexedDB"] == "no such database here"
    assert result["ok"], result.get("error")
    # the warning: drawn, in French (read from its closed root by the content script)
    assert result["severity"] in {"medium", "high", "critical"}  # the default levels that show a banner
    assert "1809" in result["text"] and "Signaler" in result["text"]
    # never stop watching: the flood is read and scanned, the risky message warns
    assert result["warnedBeforeFlood"] is False
    assert result["floodBannerMs"] < 15_000
    assert result["flood"]["extracted"] == 2021 and result["flood"]["dropped"] == 0
    record_property("firefox_banner_after_flood_ms", result["floodBannerMs"])
    record_property("firefox_flood_scanned_ms", result["floodScannedMs"])
    print(f"\nfirefox: banner after flood {result['floodBannerMs']} ms, flood scanned in {result['floodScannedMs']} ms")
