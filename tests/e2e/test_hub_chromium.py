"""The hub's staff app in real Chromium (Debian's, driven by Playwright), against a real
`himaya hub serve`: log in, filter the queue, open a report, confirm it, export the case;
five wrong passwords lock the account; a form without its CSRF token is refused; an analyst
cannot open the admin pages; no page breaks its own Content-Security-Policy."""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from hub_helpers import PASSWORD, HubProcess, SimCompanion, body_of, hub_cli, send  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
WAIT_MS = 15_000


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    home = tmp_path_factory.mktemp("hub")
    hub_cli(home, "init", "--home", str(home))
    hub_cli(home, "user", "add", "amal", "--role", "admin", input=PASSWORD + "\n")
    hub_cli(home, "user", "add", "sami", "--role", "analyst", input=PASSWORD + "\n")
    hub_cli(home, "user", "add", "lina", "--role", "analyst", input=PASSWORD + "\n")
    server = HubProcess(home)
    services = [{"rule": "HIM-SERV-001", "severity": "high", "category": "services-ad", "unit": 0,
                 "spans": [[0, 17]]}]
    reports = [
        SimCompanion("a").report(text="nouvelles dispo 🍓 Sousse 16-17 ans, 60dt, DM", matches=services,
                                 url="https://www.instagram.com/fraise.sousse.000/", screenshot=True),
        SimCompanion("b").report(text="slt, 9adech 3omrek ? zidni 3al snap"),
        SimCompanion("c").report(text="قداش عمرك؟ زيدني على سناب"),
    ]
    for envelope in reports:
        assert send(server.url, body_of(envelope))[0] == 201
    yield server
    server.stop()


@pytest.fixture
def browser(tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-quic"])
        context = instance.new_context(locale="fr-FR", accept_downloads=True, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(WAIT_MS)
        page = context.new_page()
        violations = []
        page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
        page.csp_violations = violations
        try:
            yield page
        finally:
            context.close()
            instance.close()


def _login(page, hub, name, password=PASSWORD):
    page.goto(f"{hub.url}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("#login-form button[type=submit]")


def test_log_in_filter_open_confirm_export(hub, browser, tmp_path):
    page = browser
    _login(page, hub, "sami")
    page.wait_for_url(f"{hub.url}/queue")
    assert page.locator("#queue tbody tr").count() == 3
    page.select_option("select[name=category]", "services-ad")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**category=services-ad**")
    rows = page.locator("#queue tbody tr")
    assert rows.count() == 1
    rows.first.locator("td.url a").click()
    page.wait_for_url("**/reports/*")
    assert page.locator("mark").first.inner_text() == "nouvelles dispo 🍓"
    shot = page.locator("img.shot")
    assert shot.evaluate("img => img.complete && img.naturalWidth") == 1  # served by the hub, CSP allows it
    assert page.locator("#evidence").get_attribute("data-ok") == "true"
    for status in ("in_review", "confirmed"):
        page.select_option("#status-form select[name=status]", status)
        page.click("#status-form button[type=submit]")
        page.wait_for_selector(f"#status[data-status={status}]")
    with page.expect_download() as download_info:
        page.click("#export-form button[type=submit]")
    download = download_info.value
    assert download.suggested_filename.startswith("himaya-case-")
    target = tmp_path / "case.zip"
    download.save_as(target)
    with zipfile.ZipFile(io.BytesIO(target.read_bytes())) as archive:
        names = set(archive.namelist())
        trail = json.loads(archive.read("hub/audit.json"))
    assert {"record.json", "units/01.txt", "screenshot.png", "index.html", "SHA256SUMS", "hub/audit.json"} <= names
    actions = [a["action"] for a in trail]
    assert actions[0] == "report.view" and actions.count("report.status") == 2 and actions[-1] == "report.export"
    assert all(a["actor"] == "sami" for a in trail)
    # Arabic, right to left
    page.goto(f"{hub.url}/queue?lang=ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.csp_violations == []


def test_five_wrong_passwords_lock(hub, browser):
    page = browser
    for _ in range(5):
        _login(page, hub, "lina", "not the password")
        page.wait_for_selector("#login-error")
    assert page.locator("#login-error").get_attribute("data-error") == "locked"
    _login(page, hub, "lina")  # the right password: still locked
    page.wait_for_selector("#login-error")
    assert page.locator("#login-error").get_attribute("data-error") == "locked"
    assert "verrouillé" in page.locator("#login-error").inner_text()
    assert page.url.endswith("/login")


def test_a_form_without_its_csrf_token_is_refused(hub, browser):
    page = browser
    _login(page, hub, "sami")
    page.wait_for_url(f"{hub.url}/queue")
    page.goto(f"{hub.url}/reports/2")
    page.evaluate("document.querySelector('#status-form input[name=csrf]').remove()")
    page.select_option("#status-form select[name=status]", "confirmed")
    with page.expect_response(lambda r: r.url.endswith("/reports/2/status")) as response_info:
        page.click("#status-form button[type=submit]")
    assert response_info.value.status == 403
    assert "Formulaire expiré ou falsifié" in page.locator(".error").inner_text()
    page.goto(f"{hub.url}/reports/2")
    assert page.locator("#status").get_attribute("data-status") == "new"


def test_an_analyst_cannot_open_admin_pages(hub, browser):
    page = browser
    _login(page, hub, "sami")
    page.wait_for_url(f"{hub.url}/queue")
    assert page.locator("header nav a", has_text="Administration").count() == 0
    for path in ("/admin/users", "/admin/companions", "/admin/retention", "/admin/audit"):
        response = page.goto(f"{hub.url}{path}")
        assert response.status == 403 and page.locator(".error").inner_text() == "Accès refusé."
    page.context.clear_cookies()
    _login(page, hub, "amal")
    page.wait_for_url(f"{hub.url}/queue")
    response = page.goto(f"{hub.url}/admin/users")
    assert response.status == 200 and page.locator("#users").inner_text().count("analyst") >= 2
