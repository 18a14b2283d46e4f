"""The parents' packages: scripts/pack-extension.js makes a zip for Chromium
and an .xpi for Firefox holding exactly the extension's files, reproducibly."""

from __future__ import annotations

import json
import subprocess
import zipfile

from e2e_servers import EXTENSION, ROOT


def pack(out):
    subprocess.run(["node", str(ROOT / "scripts" / "pack-extension.js"), "--out", str(out)], check=True, capture_output=True)
    return out / "himaya-chromium.zip", out / "himaya-firefox.xpi"


def test_archives_hold_exactly_the_extension(tmp_path):
    chromium_zip, firefox_xpi = pack(tmp_path)
    expected = sorted(
        str(p.relative_to(EXTENSION)).replace("\\", "/")
        for p in EXTENSION.rglob("*") if p.is_file() and not p.name.startswith(".")
    )
    for archive in (chromium_zip, firefox_xpi):
        with zipfile.ZipFile(archive) as z:
            assert z.testzip() is None
            assert sorted(z.namelist()) == expected
            manifest = json.loads(z.read("manifest.json"))
            assert manifest == json.loads((EXTENSION / "manifest.json").read_text())
            assert z.read("ui/banner.js") == (EXTENSION / "ui" / "banner.js").read_bytes()


def test_packing_twice_gives_the_same_bytes(tmp_path):
    first = pack(tmp_path / "a")[0].read_bytes()
    second = pack(tmp_path / "b")[0].read_bytes()
    assert first == second
