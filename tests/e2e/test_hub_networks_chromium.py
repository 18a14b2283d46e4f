"""Networks in the staff app, in real Chromium against a real `himaya hub serve`: open a network,
see its graph (cytoscape.js served by the hub, no CSP violation), merge two networks, draft a
rule that passes `himaya rules validate` and `himaya rules test` (the real commands)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from hub_helpers import CLI, PASSWORD, HubProcess, SimCompanion, body_of, hub_cli, planted, send  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
WAIT_MS = 15_000


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    home = tmp_path_factory.mktemp("hub")
    hub_cli(home, "init", "--home", str(home))
    hub_cli(home, "user", "add", "rym", "--role", "author", input=PASSWORD + "\n")
    code = hub_cli(home, "enrol").stdout.strip().splitlines()[-1]
    server = HubProcess(home)
    reports, _ = planted(networks=3, pages=4, decoys=4)
    sim = SimCompanion("e2e")
    for url, text, author in reports:
        assert send(server.url, body_of(sim.report(text=text, url=url, author=author)), code)[0] == 201
    yield server
    server.stop()


@pytest.fixture
def page(tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-quic"])
        context = browser.new_context(locale="fr-FR", accept_downloads=True, viewport={"width": 1280, "height": 1000})
        context.set_default_timeout(WAIT_MS)
        tab = context.new_page()
        tab.csp = []
        tab.on("console", lambda m: tab.csp.append(m.text) if "Content Security Policy" in m.text else None)
        tab.on("pageerror", lambda e: tab.csp.append(str(e)))
        try:
            yield tab
        finally:
            context.close()
            browser.close()


def _login(page, hub):
    page.goto(f"{hub.url}/login")
    page.fill("input[name=name]", "rym")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{hub.url}/queue")


def test_open_a_network_and_see_its_graph(hub, page, tmp_path):
    _login(page, hub)
    page.click("header nav a[href='/networks']")
    page.wait_for_url(f"{hub.url}/networks")
    rows = page.locator("#networks tbody tr")
    assert rows.count() == 3  # the planted networks; the decoys stay single pages
    rows.first.locator("a").click()
    page.wait_for_selector("#graph[data-ready=true]")
    graph = page.locator("#graph")
    assert int(graph.get_attribute("data-nodes")) >= 4 and int(graph.get_attribute("data-edges")) >= 3
    assert page.locator("#graph canvas").count() >= 1
    box = graph.bounding_box()
    assert box["width"] > 400 and box["height"] > 200
    assert page.locator("#members tbody tr").count() == 4
    page.screenshot(path=str(tmp_path / "network.png"), full_page=True)
    assert page.csp == []  # the vendored library runs under the hub's strict policy


def test_merge_two_networks_then_draft_a_rule_that_passes_validate_and_test(hub, page, tmp_path):
    _login(page, hub)
    page.goto(f"{hub.url}/networks")
    first = page.locator("#networks tbody tr").first.get_attribute("data-network")
    page.goto(f"{hub.url}/networks/{first}")
    before = int(page.locator("#network-pages").inner_text())
    other = page.locator("#merge-form select[name=other] option").first.get_attribute("value")
    page.select_option("#merge-form select[name=other]", other)
    page.click("#merge-form button[type=submit]")
    page.wait_for_selector("#graph[data-ready=true]")
    assert int(page.locator("#network-pages").inner_text()) == before + 4
    page.goto(f"{hub.url}/networks/{other}")  # the merged one leads to the network it joined
    assert page.url.endswith(f"/networks/{first}")
    page.click("#draft-form button[type=submit]")
    page.wait_for_url("**/drafts/*")
    assert page.locator("#draft-checks").get_attribute("data-ok") == "true"
    with page.expect_download() as info:
        page.click("#draft-download")
    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules" / "lexicons", folder / "lexicons")
    (folder / "network-page").mkdir()
    info.value.save_as(folder / "network-page" / info.value.suggested_filename)
    for command in ("validate", "test"):
        done = subprocess.run(CLI + ["rules", command, str(folder)], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
    assert page.csp == []
