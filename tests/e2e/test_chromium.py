"""The extension in Debian's Chromium, against the real companion, on fixture
pages served under the networks' real host names."""

from __future__ import annotations

import time

import pytest
from closed_root import Box
from e2e_servers import WAIT_MS, shot

BANNER = "[data-himaya-warning]"


def test_risky_profile_shows_banner_with_the_companions_severity_and_badge(chromium, companion, site):
    chromium.configure(companion.port, companion.token_cached)
    page = chromium.context.new_page()
    page.goto(site.url("www.facebook.com", "/amine.exemple.000"))
    banner = page.locator(BANNER)
    banner.wait_for(state="attached", timeout=WAIT_MS)
    # the severity the companion gives the profile unit exactly as the extension read it
    tab = chromium.tab_id("*://www.facebook.com/*")
    findings = chromium.worker.evaluate(
        "async (tabId) => (await chrome.storage.session.get(`tab:${tabId}`))[`tab:${tabId}`].findings", tab
    )
    profile = next(f["unit"] for f in findings if f["unit"]["kind"] == "profile")
    assert profile["text"].startswith("Amine Exemple\n")
    expected = companion.api("/scan", {"kind": "profile", "text": profile["text"]})
    assert expected["risk"] is True
    assert banner.get_attribute("data-himaya-warning") == expected["severity"]
    child_text = expected["matches"][0]["explain"]["child"]["fr"]
    box = Box(page).wait()
    assert box.mode() == "closed"
    # said once above the list, not again in each item
    assert child_text.removeprefix("Tu n'as rien fait de mal. ") in box.text()
    assert box.text("button[data-action=report]") == "Signaler"
    assert chromium.badge(tab) == str(len(findings))
    colour = {"medium": [138, 90, 18, 255], "high": [194, 65, 12, 255], "critical": [155, 28, 28, 255]}[expected["severity"]]
    assert chromium.badge_colour(tab) == colour
    shot(page, "banner-fr.png")


def test_benign_page_shows_nothing(chromium, companion, site):
    chromium.configure(companion.port, companion.token_cached)
    before = companion.scans()
    page = chromium.context.new_page()
    page.goto(site.url("www.facebook.com", "/patisserie.exemple"))
    tab = chromium.tab_id("*://www.facebook.com/*")
    state = chromium.judged(tab, companion, before, 3)  # profile and two posts, read and answered
    assert state["findings"] == [] and state["unanswered"] == 0
    assert page.locator(BANNER).count() == 0
    assert chromium.badge(tab) == ""


def test_chat_warns_when_the_conversation_escalates(chromium, companion, site):
    chromium.configure(companion.port, companion.token_cached)
    before = companion.scans()
    page = chromium.context.new_page()
    page.goto(site.url("www.messenger.com", "/t/100000777"))
    tab = chromium.tab_id("*://www.messenger.com/*")
    state = chromium.judged(tab, companion, before, 2)  # the two opening messages
    assert state["findings"] == [], "small talk is not a warning"
    assert page.locator(BANNER).count() == 0, "small talk is not a warning"
    warned_at = None
    for index in range(3):  # the conversation goes on, one message at a time
        assert page.evaluate("window.addNext()") is True
        state = chromium.judged(tab, companion, before, state["scanned"] + 1)
        if state["findings"]:
            warned_at = index
            break
        assert page.locator(BANNER).count() == 0, f"message {index + 3} was judged quiet but a banner shows"
    assert warned_at is not None, "the escalating conversation never warned"
    banner = page.locator(BANNER)
    banner.wait_for(state="attached")
    assert banner.get_attribute("data-himaya-warning") in {"medium", "high", "critical"}
    assert int(chromium.badge(tab)) >= 1
    shot(page, "banner-chat-fr.png")


def test_report_creates_evidence_with_a_screenshot_hash(chromium, companion, site):
    chromium.configure(companion.port, companion.token_cached)
    page = chromium.context.new_page()
    url = site.url("www.facebook.com", "/amine.exemple.000")
    page.goto(url)
    box = Box(page).wait()
    box.click("report")
    status = box.wait_text("Signalement enregistré", ".status")
    report_id = status.split("n° ")[1].rstrip(").").split(")")[0]
    listed = companion.api("/reports?limit=50")["reports"]
    assert any(r["id"] == report_id and r["url"] == url for r in listed)
    record = companion.api(f"/reports/{report_id}")
    screenshot = record["record"]["screenshot"]
    assert len(screenshot["sha256"]) == 64 and screenshot["size"] > 1000
    texts = [u["text"] for u in record["record"]["units"]]
    assert any("Ajoute-moi sur snap" in t for t in texts), texts
    rules = {m["rule"] for m in record["record"]["matches"]}
    assert rules and all(rule.startswith("HIM-") for rule in rules), record["record"]["matches"]
    shot(page, "report-saved-fr.png")


def test_this_is_wrong_records_feedback(chromium, companion, site):
    chromium.configure(companion.port, companion.token_cached)
    before = companion.api("/status")["counts"]["feedback"]
    page = chromium.context.new_page()
    page.goto(site.url("www.instagram.com", "/lina.exemple/"))
    box = Box(page).wait()
    box.click("wrong")
    box.wait_text("Merci", ".status")
    assert companion.api("/status")["counts"]["feedback"] == before + 1


def test_companion_stopped_gives_the_calm_state(chromium, site, tmp_path):
    from e2e_servers import Companion

    own = Companion.start(tmp_path / "home")
    chromium.configure(own.port, own.token())
    page = chromium.context.new_page()
    page.goto(site.url("www.facebook.com", "/patisserie.exemple"))
    tab = chromium.tab_id("*://www.facebook.com/*")
    popup = chromium.popup(tab)
    popup.locator("#companion[data-state=ok]").wait_for()
    own.stop()
    popup.reload()
    state = popup.locator("#companion")
    popup.locator("#companion[data-state=offline]").wait_for()
    assert "ne fonctionne pas" in state.inner_text()
    assert popup.locator("#report").is_disabled()
    shot(popup, "popup-offline-fr.png")
    # the page itself carries on: it changes, the extension cannot reach the companion, nothing breaks
    page.bring_to_front()
    page.evaluate("document.querySelector('[role=feed]').insertAdjacentHTML('beforeend', '<div role=article><div dir=auto>Nouveau</div></div>')")
    deadline = time.monotonic() + 15
    while not (chromium.tab_state(tab) or {}).get("unanswered") and time.monotonic() < deadline:
        time.sleep(0.1)  # the extension reads the new post and cannot have it answered
    state = chromium.tab_state(tab)
    assert state["unanswered"] >= 1 and state["findings"] == [], state
    assert page.locator(BANNER).count() == 0
    assert "Nouveau" in page.inner_text("body")


def test_pairing_in_the_options_page_then_the_popup_explains_to_the_parent(chromium, companion, site):
    options = chromium.options()
    options.set_viewport_size({"width": 760, "height": 720})
    options.locator("#paired[data-state=unpaired]").wait_for()
    options.fill("#port", str(companion.port))
    options.fill("#code", "0000-0001")
    options.click("#pair")
    options.locator("#pair-status").filter(has_text="Code incorrect").wait_for()
    options.fill("#code", companion.new_code())
    shot(options, "options-pairing-fr.png")
    options.click("#pair")
    options.locator("#paired[data-state=ok]").wait_for()
    shot(options, "options-paired-fr.png")
    # the token never reaches the page: it only knows "paired"
    assert companion.token_cached not in options.content()

    page = chromium.context.new_page()
    page.goto(site.url("www.facebook.com", "/amine.exemple.000"))
    page.locator(BANNER).wait_for(state="attached")
    tab = chromium.tab_id("*://www.facebook.com/*")
    popup = chromium.popup(tab)
    popup.set_viewport_size({"width": 400, "height": 640})
    popup.locator("#companion[data-state=ok]").wait_for()
    finding = popup.locator(".finding").first
    finding.wait_for()
    parent_text = companion.api("/scan", {"kind": "profile", "text": "Ajoute-moi sur snap : amine_x000, on parle en privé"})["matches"][0]["explain"]["parent"]["fr"]
    assert parent_text in finding.inner_text()
    assert finding.locator("mark").count() >= 1, "the matched words are highlighted for the parent"
    assert "version" in popup.locator("#rules").inner_text()
    shot(popup, "popup-findings-fr.png")


@pytest.mark.lang("ar")
def test_banner_speaks_arabic_right_to_left(chromium, companion, site):
    chromium.configure(companion.port, companion.token_cached)
    page = chromium.context.new_page()
    page.goto(site.url("www.instagram.com", "/lina.exemple/"))
    box = Box(page).wait()
    assert box.attr(".box", "dir") == "rtl"
    assert box.attr(".box", "lang") == "ar"
    assert "1809" in box.text() and "إبلاغ" in box.text()
    shot(page, "banner-ar.png")


@pytest.mark.lang("en")
def test_banner_speaks_english_in_an_english_browser(chromium, companion, site):
    chromium.configure(companion.port, companion.token_cached)
    page = chromium.context.new_page()
    page.goto(site.url("www.facebook.com", "/amine.exemple.000"))
    box = Box(page).wait()
    assert box.attr(".box", "dir") == "ltr"
    assert "You have done nothing wrong and you are not in trouble." in box.text()
    assert box.text("button[data-action=wrong]") == "This is wrong"
    shot(page, "banner-en.png")
    tab = chromium.tab_id("*://www.facebook.com/*")
    popup = chromium.popup(tab)
    popup.set_viewport_size({"width": 400, "height": 640})
    popup.locator(".finding").first.wait_for()
    shot(popup, "popup-findings-en.png")
