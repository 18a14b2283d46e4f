"""Test builds of the extension: a copy of extension/ with a hook only the
tests need, so the shipped files carry no test switch.

- menu_hook_build: the service worker's context-menu listener, callable;
- probe_build: one more content script, in the same isolated world as the
  real ones, that reads every extension storage area it can when the page
  asks (a "himaya-probe" DOM event) and writes what it got on <html>: what a
  content script taken over by a hostile page could learn (add_probe adds it
  to an unpacked .xpi for Firefox).

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


# The probe: what a content script can read of the extension's storage. It runs
# when the page dispatches "himaya-probe" and answers on <html data-himaya-probe>.
PROBE = """\
(function () {
  const api = globalThis.browser || globalThis.chrome;
  async function read(name) {
    const area = api.storage && api.storage[name];
    if (!area) return { absent: true };
    try {
      return { data: await area.get(null) };
    } catch (error) {
      return { refused: String(error && error.message || error) };
    }
  }
  function pageDatabase() {
    return new Promise((resolve) => {
      const open = indexedDB.open("himaya-secrets");
      open.onupgradeneeded = () => { open.transaction.abort(); resolve("no such database here"); };
      open.onerror = () => resolve("no such database here");
      open.onsuccess = () => resolve([...open.result.objectStoreNames].join(",") || "empty");
    });
  }
  document.addEventListener("himaya-probe", async () => {
    const out = { local: await read("local"), session: await read("session"), sync: await read("sync"), indexedDB: await pageDatabase() };
    document.documentElement.setAttribute("data-himaya-probe", JSON.stringify(out));
  });
})();
"""


def add_probe(folder: Path) -> Path:
    """Add the probe content script to an extension folder, beside the real content scripts."""
    (folder / "content" / "test-probe.js").write_text(PROBE)
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    matches = sorted({m for entry in manifest["content_scripts"] for m in entry["matches"]})
    manifest["content_scripts"].append({"matches": matches, "js": ["content/test-probe.js"], "run_at": "document_idle"})
    manifest_path.write_text(json.dumps(manifest))
    return folder


def probe_build(folder: Path) -> Path:
    """A copy of the extension with the storage probe (see PROBE)."""
    shutil.copytree(EXTENSION, folder)
    return add_probe(folder)
