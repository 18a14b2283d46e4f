"""Volunteer mode in Debian's Chromium: "Report with Himaya" (the right-click
menu) on a page of any site keeps evidence in the real companion and tells
the person in the page that it did, or calmly why it could not.

Playwright cannot open Chromium's native menu, so these tests load the menu
test build (builds.py) and call the very listener the menu calls, with the
info the browser would give it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from closed_root import Box
from e2e_servers import WAIT_MS, Companion, free_port

NOTICE = "[data-himaya-notice]"
LOCALES = Path(__file__).resolve().parents[2] / "extension" / "_locales"


def message(lang: str, key: str) -> str:
    return json.loads((LOCALES / lang / "messages.json").read_text(encoding="utf-8"))[key]["message"]


@pytest.mark.menu_hook
def test_menu_report_of_a_selection_is_kept_and_confirmed_in_the_page(chromium, site, tmp_path):
    own = Companion.start(tmp_path / "home")  # its own: this test sets an association's address
    try:
        chromium.configure(own.port, own.token(), volunteer=True)
        page = chromium.context.new_page()
        url = site.url("forum.example", "/t/1")
        page.goto(url)
        tab = chromium.tab_id("*://forum.example/*")
        assert page.locator(NOTICE).count() == 0

        answer = chromium.click_menu(tab, selectionText="Le groupe du club de basket", pageUrl=url)
        assert answer["state"] == "ok" and answer["notice"] is True
        report_id = answer["report"]["id"]
        page.locator(f"{NOTICE}[data-himaya-notice=saved]").wait_for(state="attached", timeout=WAIT_MS)
        notice = Box(page, "data-himaya-notice").wait()
        assert notice.mode() == "closed"
        text = notice.wait_text(f"n° {report_id}")
        assert f"n° {report_id}" in text and "Signalement enregistré" in text
        assert message("fr", "reportKept") in text, "no association address: kept on this computer"
        assert notice.attr(".box", "dir") == "ltr"
        assert notice.text("button[data-action=close]") == "Fermer"
        assert page.locator("[data-himaya-warning]").count() == 0, "a confirmation, not a warning"

        # the companion stored the evidence: this page, the selection first, then what the reader saw
        stored = own.api(f"/reports/{report_id}")
        assert stored["outbox"]["state"] == "export"
        record = stored["record"]
        texts = [u["text"] for u in record["units"]]
        assert texts[0] == "Le groupe du club de basket"
        assert any("Qui joue au basket ce samedi ?" in t for t in texts[1:]), texts
        assert not any("HIDDEN_ARTICLE_MARKER" in t for t in texts)
        assert all(len(u["sha256"]) == 64 for u in record["units"])
        assert len(record["screenshot"]["sha256"]) == 64
        assert any(r["id"] == report_id and r["url"] == url for r in own.api("/reports")["reports"])

        # once an association's address is set, the next report says it will be sent there
        own.cli("config", "set", "intake-url", f"http://127.0.0.1:{free_port()}/intake")
        again = chromium.click_menu(tab, linkUrl="https://chat.whatsapp.com/AbC000Example")
        assert again["state"] == "ok" and again["report"]["id"] != report_id
        assert message("fr", "reportQueued") in notice.wait_text(again["report"]["id"])
        assert page.locator(NOTICE).count() == 1, "one notice, updated in place"
        assert own.api(f"/reports/{again['report']['id']}")["outbox"]["state"] in {"pending", "failed", "sent"}
    finally:
        own.stop()


@pytest.mark.menu_hook
@pytest.mark.lang("ar")
def test_menu_report_with_the_companion_stopped_says_so_calmly_in_arabic(chromium, site):
    chromium.configure(free_port(), "t" * 43, volunteer=True)  # linked once, but nothing answers on the port
    page = chromium.context.new_page()
    page.goto(site.url("forum.example", "/t/1"))
    tab = chromium.tab_id("*://forum.example/*")
    answer = chromium.click_menu(tab, selectionText="نص مختار")
    assert answer["state"] == "offline" and answer["notice"] is True
    page.locator(f"{NOTICE}[data-himaya-notice=not-saved]").wait_for(state="attached", timeout=WAIT_MS)
    box = Box(page, "data-himaya-notice").wait()
    assert box.attr(".box", "dir") == "rtl" and box.attr(".box", "lang") == "ar"
    assert message("ar", "reportOfflineParent") in box.wait_text(message("ar", "reportOfflineParent"))
    assert message("ar", "menuReport") in box.text()
    # the page is untouched and the person can close the notice
    assert "Qui joue au basket" in page.inner_text("body")
    box.click("close")
    page.locator(NOTICE).wait_for(state="detached", timeout=WAIT_MS)
