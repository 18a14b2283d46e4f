"""Test builds of the extension: a copy of extension/ with a hook only the
tests need, so the shipped files carry no test switch.

Playwright cannot click Chromium's native context menu. The menu test build
starts the service worker through a small entry module that first wraps
`chrome.contextMenus.onClicked.addListener`, keeping every listener the real
service worker registers, then imports the real service worker unchanged. A
test then calls exactly the listener the menu would call:

    build = menu_hook_build(tmp_path / "ext")
    # in the service worker (sw.evaluate):
    #   await himayaTest.clickMenu({menuItemId: "himaya-report", selectionText: "..."}, tab)

The copy keeps the manifest's "key", so its Chromium id (and the companion's
trust in it) is the shipped extension's.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from e2e_servers import EXTENSION

# Runs before the service worker (imported first by the entry below): keeps the
# listeners it registers and lets a test call them with a menu click's info.
CAPTURE_MENU = """\
const event = chrome.contextMenus.onClicked;
const listeners = [];
const register = event.addListener.bind(event);
event.addListener = (listener) => {
  listeners.push(listener);
  return register(listener);
};
globalThis.himayaTest = {
  async clickMenu(info, tab) {
    const answers = await Promise.all(listeners.map((listener) => listener(info, tab)));
    return answers.find((answer) => answer !== undefined) ?? null;
  },
};
"""

ENTRY = """\
import "./test-capture-menu.js";
import "./service-worker.js";
"""


def menu_hook_build(folder: Path) -> Path:
    """A copy of the extension whose service worker exposes its menu listener to tests."""
    shutil.copytree(EXTENSION, folder)
    background = folder / "background"
    (background / "test-capture-menu.js").write_text(CAPTURE_MENU)
    (background / "test-entry.js").write_text(ENTRY)
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["background"] = {"service_worker": "background/test-entry.js", "type": "module"}
    manifest_path.write_text(json.dumps(manifest))
    return folder
