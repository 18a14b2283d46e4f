"""Fixtures for the real-browser tests (docs/TESTING.md): the companion,
the fixture site, and Debian's Chromium with the extension loaded through
Playwright. Every test here is marked `browser`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from builds import menu_hook_build, probe_build
from e2e_servers import EXTENSION, EXTENSION_ID, HOSTS, WAIT_MS, Companion, FixtureSite

CHROMIUM = "/usr/bin/chromium"


def pytest_configure(config):
    config.addinivalue_line("markers", "lang(code): the browser's language for a real-browser test")
    config.addinivalue_line("markers", "menu_hook: load the test build whose menu listener tests can call (builds.py)")
    config.addinivalue_line("markers", "probe: load the test build with the storage probe content script (builds.py)")


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="module")
def companion(tmp_path_factory):
    with Companion.start(tmp_path_factory.mktemp("himaya-home")) as running:
        yield running


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    server = FixtureSite(tmp_path_factory.mktemp("fixture-site"))
    yield server
    server.close()


class Browser:
    """A Chromium with the extension, its service worker and helpers to read the extension's state."""

    def __init__(self, context, worker):
        self.context = context
        self.worker = worker

    def configure(self, port: int, token: str | None, **settings) -> None:
        """Store the companion's port and token the way the options page does after pairing."""
        values = {"settings": {"port": port, **settings}}
        if token:
            values["token"] = token
        self.worker.evaluate("(values) => chrome.storage.local.set(values)", values)

    def tab_id(self, url_pattern: str) -> int:
        return self.worker.evaluate(
            "async (pattern) => (await chrome.tabs.query({url: pattern}))[0].id", url_pattern
        )

    def tab_state(self, tab_id: int) -> dict | None:
        """What the service worker keeps for the tab (background/tabs.js): findings, and how many
        units it had answered (`scanned`) or could not have answered (`unanswered`)."""
        return self.worker.evaluate(
            "async (tabId) => (await chrome.storage.session.get(`tab:${tabId}`))[`tab:${tabId}`] || null", tab_id
        )

    def judged(self, tab_id: int, companion, before: int, at_least: int, timeout: float = 15) -> dict:
        """Wait until the extension says it has read the page and had its units answered: its own
        count for the tab reaches `at_least` and equals what the companion scanned since `before`.
        Only then does "no finding, no banner" mean the page is quiet, not that it is late."""
        import time

        deadline = time.monotonic() + timeout
        state, scanned = None, 0
        while time.monotonic() < deadline:
            state, scanned = self.tab_state(tab_id), companion.scans() - before
            if state and state.get("scanned", 0) >= at_least and state["scanned"] == scanned:
                return state
            time.sleep(0.1)
        raise AssertionError(f"the extension judged {state and state.get('scanned')} units, the companion "
                             f"{scanned}, expected {at_least}")

    def badge(self, tab_id: int) -> str:
        return self.worker.evaluate("(tabId) => chrome.action.getBadgeText({tabId})", tab_id)

    def badge_colour(self, tab_id: int) -> list[int]:
        return self.worker.evaluate("(tabId) => chrome.action.getBadgeBackgroundColor({tabId})", tab_id)

    def click_menu(self, tab_id: int, **info) -> dict:
        """What choosing "Report with Himaya" on the tab does (menu_hook builds only):
        the service worker's own listener, called with the browser's click info."""
        return self.worker.evaluate(
            """async ({tabId, info}) => himayaTest.clickMenu({menuItemId: "himaya-report", ...info}, await chrome.tabs.get(tabId))""",
            {"tabId": tab_id, "info": info},
        )

    def page_state(self, tab_id: int) -> dict:
        """What the tab's content script reports (the popup asks the same): scanning counts and the warning as rendered."""
        return self.worker.evaluate("(tabId) => chrome.tabs.sendMessage(tabId, {type: 'state'})", tab_id)

    def popup(self, tab_id: int):
        page = self.context.new_page()
        page.goto(f"chrome-extension://{EXTENSION_ID}/ui/popup.html?tabId={tab_id}")
        return page

    def options(self):
        """A new tab on the options page, once the one the extension opens at install is
        there: opened earlier, ours could be the tab that openOptionsPage() navigates again,
        and Playwright's navigation would be cut short."""
        import time

        url = f"chrome-extension://{EXTENSION_ID}/ui/options.html"
        deadline = time.monotonic() + WAIT_MS / 1000
        while time.monotonic() < deadline and not any(p.url.startswith(url) for p in self.context.pages):
            time.sleep(0.1)
        page = self.context.new_page()
        page.goto(url)
        return page


@pytest.fixture
def chromium(tmp_path, request):
    """Chromium in French unless the test says `@pytest.mark.lang("ar")`."""
    from playwright.sync_api import sync_playwright

    marker = request.node.get_closest_marker("lang")
    lang = marker.args[0] if marker else "fr"
    extension = EXTENSION
    if request.node.get_closest_marker("menu_hook"):
        extension = menu_hook_build(tmp_path / "extension")
    elif request.node.get_closest_marker("probe"):
        extension = probe_build(tmp_path / "extension")
    env = {**os.environ, "LANGUAGE": lang, "LANG": f"{lang}_TN.UTF-8" if lang == "ar" else f"{lang}_FR.UTF-8"}
    rules = ", ".join(f"MAP {host} 127.0.0.1" for host in HOSTS) + ", MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            headless=True,
            ignore_https_errors=True,
            locale=lang,
            env=env,
            viewport={"width": 1100, "height": 760},
            args=[
                f"--disable-extensions-except={extension}",
                f"--load-extension={extension}",
                f"--host-resolver-rules={rules}",
                "--ignore-certificate-errors",
                "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-quic", f"--lang={lang}",
            ],
        )
        context.set_default_timeout(WAIT_MS)
        worker = context.service_workers[0] if context.service_workers else context.wait_for_event("serviceworker")
        assert worker.url.startswith(f"chrome-extension://{EXTENSION_ID}/"), worker.url
        try:
            yield Browser(context, worker)
        finally:
            context.close()
