"""A hostile page against the extension (issue 14, extension points 5-7), in
Debian's Chromium with the shipped extension (the storage test uses a copy
with one probe content script, builds.py):

5. the page's scripts cannot read or rewrite the warning (closed shadow root),
   and whatever alters, hides, moves or covers it, it comes back;
6. text the page marks with data-himaya-warning / data-himaya-notice is read
   like any other (the extension knows its own boxes by reference);
7. a content script cannot read the pairing token (it lives in the
   extension's own IndexedDB; Chromium's storage areas are restricted to
   trusted contexts).

The warning is read with the DevTools protocol (closed_root.Box), never
through the page, so these tests read the same way on the old code (an open
root) and fail there for the reason named."""

from __future__ import annotations

import json
import time

import pytest
from chatter import RISKY_POST
from closed_root import Box
from e2e_servers import WAIT_MS

HOST = ":root > [data-himaya-warning]"
FAKE = "Tout va bien, tu peux lui répondre."


def risky_profile(chromium, companion, site):
    chromium.configure(companion.port, companion.token_cached)
    page = chromium.context.new_page()
    page.goto(site.url("www.facebook.com", "/amine.exemple.000"))
    box = Box(page).wait()
    child = companion.api("/scan", {"kind": "message", "text": "Ajoute-moi sur snap : amine_x000, on parle en privé"})
    # the banner says the reassurance once above the list, not again in each item
    return page, box, child["matches"][0]["explain"]["child"]["fr"].removeprefix("Tu n'as rien fait de mal. ")


def eventually(check, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    value = check()
    while not value and time.monotonic() < deadline:
        time.sleep(0.05)
        value = check()
    return value


def test_page_scripts_cannot_read_or_rewrite_the_warning(chromium, companion, site):
    page, box, child_text = risky_profile(chromium, companion, site)
    assert child_text in box.text()
    # the page's own script, in the page's world, does what it can
    seen = page.evaluate(
        """(fake) => {
          const host = document.querySelector(':root > [data-himaya-warning]');
          const out = {root: host.shadowRoot !== null, text: host.textContent, again: 'refused'};
          if (host.shadowRoot) {
            out.read = host.shadowRoot.querySelector('.box').textContent;
            for (const span of host.shadowRoot.querySelectorAll('li span')) span.textContent = fake;
          }
          try { host.attachShadow({mode: 'open'}); out.again = 'attached'; } catch (e) {}
          return out;
        }""", FAKE)
    assert seen == {"root": False, "text": "", "again": "refused"}, "the page reached into the warning"
    time.sleep(0.3)
    assert box.mode() == "closed"
    assert child_text in box.text() and FAKE not in box.text()


def test_an_altered_warning_is_drawn_again(chromium, companion, site):
    page, box, child_text = risky_profile(chromium, companion, site)
    # something privileged (here: devtools) rewrites the text and adds a link
    box.eval("""function (fake) {
        for (const span of this.querySelectorAll('li span')) span.textContent = fake;
        const a = document.createElement('a'); a.href = 'https://t.me/+Fake000'; a.textContent = 'clique ici';
        this.querySelector('.box').append(a);
    }""", FAKE)
    restored = eventually(lambda: (t := box.text()) and child_text in t and FAKE not in t and "clique ici" not in t)
    assert restored, f"the altered warning stayed altered: {box.text()!r}"
    # the only link left is the banner's own (the network's report form)
    assert box.eval("function () { return this.querySelectorAll('a:not([data-action=platform])').length; }") == 0
    assert box.attr("a[data-action=platform]", "href") == "https://www.facebook.com/help/181495968648557"
    tab = chromium.tab_id("*://www.facebook.com/*")
    assert chromium.page_state(tab)["banner"]["warning"]["restored"] >= 1


def test_the_page_cannot_hide_move_or_cover_the_warning(chromium, companion, site):
    page, box, child_text = risky_profile(chromium, companion, site)
    host = page.locator(HOST)
    # a stylesheet rule, even !important
    page.add_style_tag(content=":root > [data-himaya-warning] { display: none !important; opacity: 0 !important; }")
    page.wait_for_timeout(200)
    assert host.is_visible(), "a page stylesheet hid the warning"
    # taken out of the page, then moved into a hidden corner of it
    page.evaluate("document.querySelector(':root > [data-himaya-warning]').remove()")
    assert eventually(lambda: page.locator(HOST).count() == 1), "the warning stayed removed"
    page.evaluate("""() => { const h = document.querySelector(':root > [data-himaya-warning]');
                             const hole = document.createElement('div'); hole.style.display = 'none';
                             document.body.append(hole); hole.append(h); }""")
    assert eventually(lambda: page.locator(HOST).count() == 1 and host.is_visible()), "the warning stayed hidden"
    assert child_text in box.text()
    # covered by the page's own box at the highest z-index, drawn after it
    page.evaluate("""() => { const c = document.createElement('div'); c.id = 'cover';
        c.style.cssText = 'position:fixed;inset:0;z-index:2147483647;background:#fff';
        c.textContent = 'Tout va bien'; document.body.append(c); }""")
    centre = box.eval("function () { const r = this.querySelector('.box').getBoundingClientRect(); return [r.x + r.width / 2, r.y + 30]; }")
    on_top = eventually(lambda: page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y) === document.querySelector(':root > [data-himaya-warning]')", centre), 3)
    assert on_top, "the page's box covers the warning"
    # the person's own click reaches the warning's button through all of this
    box.click("hide")
    page.locator(HOST).wait_for(state="detached", timeout=WAIT_MS)


def test_text_the_page_marks_with_himaya_attributes_is_still_read(chromium, companion, site):
    chromium.configure(companion.port, companion.token_cached)
    page = chromium.context.new_page()
    page.goto(site.url("www.facebook.com", "/home.php"))
    page.evaluate("(texts) => himaya.load(texts)", ["Marché artisanal sur la place : venez nombreux. Publication 1"])
    # the page hides its risky words from the old reader with the extension's own attribute names
    page.evaluate("""(risky) => {
        const feed = document.getElementById('feed');
        for (const [name, value] of [['data-himaya-warning', 'high'], ['data-himaya-notice', 'saved']]) {
          const article = document.createElement('div'); article.setAttribute('role', 'article');
          const body = document.createElement('div'); body.setAttribute('data-ad-comet-preview', 'message');
          const marked = document.createElement('span'); marked.setAttribute(name, value);
          marked.textContent = risky + (name.endsWith('notice') ? ' (bis)' : '');
          body.append(marked); article.append(body); feed.append(article);
        }
    }""", RISKY_POST)
    box = Box(page).wait()
    assert box.host_attr("data-himaya-warning") in {"medium", "high", "critical"}
    tab = chromium.tab_id("*://www.facebook.com/*")
    seen = [f["unit"]["text"] for f in chromium.worker.evaluate(
        "async (id) => (await chrome.storage.session.get(`tab:${id}`))[`tab:${id}`].findings", tab)]
    assert RISKY_POST in seen and f"{RISKY_POST} (bis)" in seen


@pytest.mark.probe
def test_content_scripts_cannot_read_the_pairing_token(chromium, companion, site):
    # pair the way a parent does: the options page, the code printed by the companion
    options = chromium.options()
    options.fill("#port", str(companion.port))
    options.fill("#code", companion.new_code())
    options.click("#pair")
    options.locator("#paired[data-state=ok]").wait_for()
    page = chromium.context.new_page()
    page.goto(site.url("www.facebook.com", "/amine.exemple.000"))
    Box(page).wait()  # the token works: the companion answered the scan
    page.evaluate("document.dispatchEvent(new Event('himaya-probe'))")
    page.wait_for_function("document.documentElement.hasAttribute('data-himaya-probe')", timeout=WAIT_MS)
    probe = json.loads(page.evaluate("document.documentElement.getAttribute('data-himaya-probe')"))
    assert companion.token_cached not in json.dumps(probe), f"a content script read the token: {probe}"
    for area in ("local", "session", "sync"):
        assert "refused" in probe[area] or "absent" in probe[area], f"storage.{area} is open to content scripts: {probe[area]}"
    assert probe["indexedDB"] == "no such database here", "the page origin has the extension's database"
    # where it is: only the service worker's reach
    stored = chromium.worker.evaluate("() => chrome.storage.local.get(null)")
    assert "token" not in stored and companion.token_cached not in json.dumps(stored)


def test_a_token_left_in_storage_local_by_an_older_version_moves_to_the_service_workers_database(chromium, companion, site):
    # Written where older versions kept it; the service worker may move it at once (storage change)
    # or when the page asks for a scan: either way it must end up in its database alone.
    chromium.configure(companion.port, companion.token_cached)
    page = chromium.context.new_page()
    page.goto(site.url("www.facebook.com", "/amine.exemple.000"))
    Box(page).wait()
    assert chromium.worker.evaluate("async () => (await chrome.storage.local.get(null))") == {
        "settings": {"port": companion.port}}
    databases = chromium.worker.evaluate("async () => (await indexedDB.databases()).map((d) => d.name)")
    assert "himaya-secrets" in databases
