"""Firefox ESR (through puppeteer-core, driven by firefox_smoke.mjs): the .xpi
parents get, byte for byte, installs, pairs in its options page, warns on a
risky page with a warning the page cannot reach into, and still warns after a
flood of junk lines on one address. A test build of the same .xpi (one more
content script, builds.py add_probe) shows that the pairing token is kept
where content scripts cannot read it (Firefox gives them storage.local)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import zipfile
from pathlib import Path

from builds import add_probe
from chatter import RISKY_AFTER_FLOOD, junk_lines, ordinary_messages
from e2e_servers import ROOT


def pack(folder: Path) -> Path:
    subprocess.run(["node", str(ROOT / "scripts" / "pack-extension.js"), "--out", str(folder)], check=True, capture_output=True)
    return folder / "himaya-firefox.xpi"


def smoke(config: dict, folder: Path, timeout: float = 150) -> dict:
    (folder / "config.json").write_text(json.dumps(config))
    run = subprocess.run(["node", str(Path(__file__).with_name("firefox_smoke.mjs")), str(folder / "config.json")],
                         capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    assert lines, f"no result from Firefox\nstdout: {run.stdout}\nstderr: {run.stderr[-3000:]}"
    return json.loads(lines[-1])


def test_firefox_loads_the_shipped_xpi_warns_out_of_the_pages_reach_and_keeps_watching(companion, site, tmp_path, record_property):
    xpi = pack(tmp_path)
    shipped = hashlib.sha256(xpi.read_bytes()).hexdigest()
    result = smoke({
        "extension": str(xpi), "port": companion.port, "code": companion.new_code(),
        "risky": site.url("www.instagram.com", "/lina.exemple/"), "whatsapp": site.url("web.whatsapp.com", "/"),
        "ordinary": ordinary_messages(20, start=900), "junk": junk_lines(2000, start=9000), "riskyMessage": RISKY_AFTER_FLOOD,
    }, tmp_path)
    assert result.get("paired") is True, result.get("error")
    # the warning is out of the page's reach
    assert result.get("pageSeesRoot") is False, "the page can read the warning's shadow root"
    assert result["ok"], result.get("error")
    # the warning: drawn, in French (read from its closed root by the content script)
    assert result["severity"] in {"medium", "high", "critical"}  # the default levels that show a banner
    assert "1809" in result["text"] and "Signaler" in result["text"]
    # never stop watching: the flood is read and scanned, the risky message warns
    assert result["warnedBeforeFlood"] is False
    assert result["floodBannerMs"] < 15_000
    assert result["flood"]["extracted"] == 2021 and result["flood"]["dropped"] == 0
    assert hashlib.sha256(xpi.read_bytes()).hexdigest() == shipped  # nothing was changed to test it
    record_property("firefox_banner_after_flood_ms", result["floodBannerMs"])
    record_property("firefox_flood_scanned_ms", result["floodScannedMs"])
    print(f"\nfirefox: banner after flood {result['floodBannerMs']} ms, flood scanned in {result['floodScannedMs']} ms")


def test_firefox_keeps_the_token_from_content_scripts(companion, site, tmp_path):
    """The shipped .xpi, unpacked, plus the probe content script: what a content
    script taken over by a hostile page could read of the extension's storage."""
    addon = tmp_path / "addon"
    with zipfile.ZipFile(pack(tmp_path)) as archive:
        archive.extractall(addon)
    add_probe(addon)
    result = smoke({"extension": str(addon), "port": companion.port, "code": companion.new_code(),
                    "risky": site.url("www.instagram.com", "/lina.exemple/"), "probe": True}, tmp_path)
    assert result.get("paired") is True, result.get("error")
    assert result["ok"], result.get("error")
    assert result.get("pageSeesRoot") is False, "the page can read the warning's shadow root"
    # the token: not in any storage area a content script can read, nor in the page origin's database
    probe = result.get("probe") or {}
    assert companion.token_cached not in json.dumps(probe), f"a Firefox content script read the token: {probe}"
    assert "settings" in probe["local"]["data"], "Firefox gives content scripts storage.local (so the token is not there)"
    assert "data" not in probe["session"], "storage.session is open to content scripts"
    assert probe["indexedDB"] == "no such database here"
