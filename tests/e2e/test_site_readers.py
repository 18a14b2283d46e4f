"""The site readers in Debian's Chromium, against the real companion, on
fixture pages served under the networks' real host names (issue 18):

- a Facebook page drawn with a structure the reader does not know is read by
  the generic reader instead, and "reader found nothing on facebook" reaches
  the companion (site, day, count: no text, no address), the popup, the
  parent's history in the options page and `himaya status`;
- volunteer mode's "What did Himaya read here?" lists what the reader found
  on the page: kind, reader, speaker, first characters.
"""

from __future__ import annotations

import json
from pathlib import Path

from e2e_servers import EXTENSION_ID, WAIT_MS, wait_for

BANNER = "[data-himaya-warning]"
LOCALES = Path(__file__).resolve().parents[2] / "extension" / "_locales"


def message(lang: str, key: str, **values) -> str:
    text = json.loads((LOCALES / lang / "messages.json").read_text(encoding="utf-8"))[key]["message"]
    for name, value in values.items():
        text = text.replace("{" + name + "}", str(value))
    return text


def test_unknown_structure_falls_back_to_the_generic_reader_and_is_recorded(chromium, companion, site):
    chromium.configure(companion.port, companion.token_cached)
    before = companion.scans()
    assert companion.api("/readers/missed")["missed"] == []
    page = chromium.context.new_page()
    page.goto(site.url("www.facebook.com", "/groups/100000555/"))

    # the generic reader read the posts: the risky one still warns the child
    page.locator(BANNER).wait_for(state="attached", timeout=WAIT_MS)
    assert companion.scans() >= before + 8
    tab = chromium.tab_id("*://www.facebook.com/*")
    findings = chromium.worker.evaluate(
        "async (tabId) => (await chrome.storage.session.get(`tab:${tabId}`))[`tab:${tabId}`]", tab
    )
    assert any("ajoute-moi sur snap" in f["unit"]["text"] for f in findings["findings"])
    assert findings["readerMissed"]["site"] == "facebook"

    # the companion kept the site, the day and a count; nothing else
    missed = wait_for(lambda: companion.api("/readers/missed")["missed"])
    assert [(m["site"], m["pages"]) for m in missed] == [("facebook", 1)]
    assert set(missed[0]) == {"site", "day", "pages", "last"}
    status = companion.cli("status")
    assert "facebook" in status and "1 page(s)" in status, status
    assert "groups" not in status and "snap" not in status

    # the page changes (new posts arrive): still one page counted
    page.evaluate("document.querySelector('[role=main]').insertAdjacentHTML('beforeend', '<div><span>Nouvelle publication du groupe, assez longue pour être lue.</span></div>')")
    page.wait_for_timeout(800)
    assert companion.api("/readers/missed")["missed"][0]["pages"] == 1

    # the popup tells the parent; the options page keeps the history
    popup = chromium.popup(tab)
    popup.locator("#companion[data-state=ok]").wait_for()
    assert popup.locator("#reader-missed").inner_text() == message("fr", "popupReaderMissed", site="Facebook")
    assert popup.locator("#read").is_hidden(), "the reader's view is for volunteer mode"
    options = chromium.options()
    entry = options.locator("#history li[data-site=facebook]")
    entry.wait_for()
    assert entry.inner_text().startswith("Facebook : le lecteur n’a rien trouvé sur 1 page(s)")


def test_a_page_the_reader_knows_records_nothing(chromium, companion, site):
    chromium.configure(companion.port, companion.token_cached)
    known = {m["site"]: m["pages"] for m in companion.api("/readers/missed")["missed"]}
    before = companion.scans()
    page = chromium.context.new_page()
    page.goto(site.url("www.facebook.com", "/"))
    wait_for(lambda: companion.scans() >= before + 4)  # the 2025 feed: two posts, a comment, a reply
    page.wait_for_timeout(500)
    assert {m["site"]: m["pages"] for m in companion.api("/readers/missed")["missed"]} == known


def test_volunteer_view_lists_what_the_reader_found(chromium, companion, site):
    chromium.configure(companion.port, companion.token_cached, volunteer=True)
    page = chromium.context.new_page()
    page.goto(site.url("www.messenger.com", "/t/100000999"))
    tab = chromium.tab_id("*://www.messenger.com/*")
    popup = chromium.popup(tab)
    read = popup.locator("#read")
    read.wait_for()
    assert read.inner_text() == message("fr", "popupReadHere")
    with chromium.context.expect_page() as opened:
        read.click()
    view = opened.value
    view.wait_for_load_state()
    assert view.url == f"chrome-extension://{EXTENSION_ID}/ui/reader.html?tabId={tab}"
    rows = view.locator("#units tbody tr")
    rows.first.wait_for()
    assert view.locator("h1").inner_text() == message("fr", "readerTitle")
    assert view.locator("#summary").inner_text() == message("fr", "readerFound", site="Messenger", count=3)
    got = [[cell.inner_text() for cell in row.locator("td").all()] for row in rows.all()]
    assert got == [
        ["message", "Messenger", message("fr", "speakerOther"), "tournament is moved to Saturday 10am"],
        ["message", "Messenger", message("fr", "speakerSelf"), "ok I'll be there 👍"],
        ["message", "Messenger", message("fr", "speakerOther"), "how old are you? you play like a pro"],
    ]
    assert [row.get_attribute("data-speaker") for row in rows.all()] == ["other", "self", "other"]

    # the same view on a page where the reader fell back says so, and shows the generic reader's parts
    fallback = chromium.context.new_page()
    fallback.goto(site.url("www.facebook.com", "/groups/100000555/"))
    fb_tab = chromium.tab_id("*://www.facebook.com/groups/*")
    fallback.wait_for_timeout(800)
    view.goto(f"chrome-extension://{EXTENSION_ID}/ui/reader.html?tabId={fb_tab}")
    view.locator("#summary[data-state=fallback]").wait_for()
    assert view.locator("#summary").inner_text().startswith("Le lecteur Facebook n’a rien trouvé sur cette page")
    sites = {row.get_attribute("data-site") for row in view.locator("#units tbody tr").all()}
    assert sites == {"generic"}
    assert view.locator("#units tbody tr td:nth-child(2)").first.inner_text() == message("fr", "readerGeneric")
    long_text = view.locator("#units tbody tr td.text").filter(has_text="Bonjour à tous").inner_text()
    assert long_text.endswith("…") and len(long_text) == 121, "only the first 120 characters"


def test_volunteer_view_outside_volunteer_mode_says_so(chromium, companion, site):
    chromium.configure(companion.port, companion.token_cached)
    page = chromium.context.new_page()
    page.goto(site.url("www.messenger.com", "/t/100000999"))
    tab = chromium.tab_id("*://www.messenger.com/*")
    view = chromium.context.new_page()
    view.goto(f"chrome-extension://{EXTENSION_ID}/ui/reader.html?tabId={tab}")
    view.locator("#summary[data-state=unpaired]").wait_for()
    assert view.locator("#summary").inner_text() == message("fr", "readerVolunteerOnly")
    assert view.locator("#units").is_hidden()
