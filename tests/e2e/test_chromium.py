"""The extension in Debian's Chromium, against the real companion, on fixture
pages served under the networks' real host names."""

from __future__ import annotations

import time

from e2e_servers import WAIT_MS, shot

BANNER = "[data-himaya-warning]"


def wait_scans(companion, at_least: int, timeout: float = 15) -> int:
    """Wait until the companion has scanned `at_least` units (its status counts them)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        count = companion.scans()
        if count >= at_least:
            return count
        time.sleep(0.1)
    raise AssertionError(f"the companion scanned {companion.scans()} units, expected {at_least}")


def test_risky_profile_shows_banner_with_the_companions_severity_and_badge(chromium, companion, site):
    chromium.configure(companion.port, companion.token_cached)
    page = chromium.context.new_page()
    page.goto(site.url("www.facebook.com", "/amine.exemple.000"))
    banner = page.locator(BANNER)
    banner.wait_for(state="attached", timeout=WAIT_MS)
    # the severity the companion gives the profile as the adapter reads it
    expected = companion.api("/scan", {
        "kind": "profile",
        "text": "Amine Exemple\nCoach de foot pour les jeunes du quartier ⚽\nAjoute-moi sur snap : amine_x000, on parle en privé\nhttps://t.me/+AbCdEf000Example",
    })
    assert expected["risk"] is True
    assert banner.get_attribute("data-himaya-warning") == expected["severity"]
    child_text = expected["matches"][0]["explain"]["child"]["fr"]
    assert child_text in banner.locator(".box").inner_text()
    assert banner.locator("button[data-action=report]").inner_text() == "Signaler"
    tab = chromium.tab_id("*://www.facebook.com/*")
    assert int(chromium.badge(tab)) >= 1
    shot(page, "banner-fr.png")
