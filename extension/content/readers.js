/*
 * What the site readers share: cue chains, whose words a unit holds
 * (`speaker`), the address a link really shows, and the fallback to the
 * generic reader when a site's reader finds nothing on a page full of text.
 *
 * Sites change their markup often and their accessibility cues rarely. Each
 * reader therefore asks for what it wants through a *chain* of selectors,
 * most stable first (ARIA roles and labels, aria-posinset, data attributes
 * kept for accessibility, ads and tests), then older structures, and takes
 * the first that matches something visible. A generated class name is at
 * most the last link of a chain, and then only by its stable prefix.
 *
 * `speaker` on a unit says whose words it holds: "self" (the person at the
 * screen, usually the child), "other", or "unknown" when the page does not
 * show it. The child's own messages are kept, marked "self", so that a
 * conversation can be read with both sides.
 *
 * Example:
 *   Himaya.cues.first(document, ['[aria-posinset]', '[role="article"]'])
 *   // -> {elements: [...], index: 0}  (the first selector that matched)
 *   const reader = new Himaya.Reader(Himaya.adapterFor(location.hostname));
 *   reader.read(document, location)      // the adapter's units, else the generic reader's
 *   reader.missed                        // true once the adapter found nothing on a page full of text
 */
(function () {
  "use strict";
  const Himaya = globalThis.Himaya;
  if (Himaya.cues) return;
  const { dom } = Himaya;

  const SPEAKERS = Object.freeze(["self", "other", "unknown"]);

  /** Visible elements of the first selector in the chain that matches any; `index` says which. */
  function first(scope, selectors) {
    if (!scope) return { elements: [], index: -1 };
    for (let i = 0; i < selectors.length; i++) {
      const elements = dom.visibleAll(scope, selectors[i]);
      if (elements.length) return { elements, index: i };
    }
    return { elements: [], index: -1 };
  }

  /** The first element of the chain (visible or not), or null: for containers and panels. */
  function one(scope, selectors) {
    if (!scope) return null;
    for (const sel of selectors) {
      const el = scope.querySelector(sel);
      if (el) return el;
    }
    return null;
  }

  /** Only the elements that no other element of the list contains (a post, not its nested parts). */
  function outermost(elements) {
    return elements.filter((el) => !elements.some((other) => other !== el && other.contains(el)));
  }

  /** Only the elements that contain no other element of the list (the innermost text blocks). */
  function innermost(elements) {
    return elements.filter((el) => !elements.some((other) => other !== el && el.contains(other)));
  }

  // -- links ---------------------------------------------------------------

  // Shorteners whose address says nothing of where it leads; the page shows
  // the real address in the link's title, a data attribute or its own text.
  const OPAQUE = /^(t\.co|bit\.ly|tinyurl\.com|ow\.ly|buff\.ly)$/i;
  const DOMAIN_LIKE = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}(?::\d{2,5})?(?:[/?#]\S*)?$/i;

  /** An absolute http(s) address from what a page shows ("site.example/x", "https://..."), else "". */
  function addressFrom(text) {
    const raw = dom.clean(text).replace(/[\u2026]+$/, "").replace(/\s+/g, "");
    if (!raw) return "";
    const withScheme = /^https?:\/\//i.test(raw) ? raw : DOMAIN_LIKE.test(raw) ? `https://${raw}` : "";
    if (!withScheme) return "";
    try {
      const url = new URL(withScheme);
      return /^https?:$/.test(url.protocol) && url.hostname.includes(".") ? url.href : "";
    } catch (_) {
      return "";
    }
  }

  /**
   * The address a link leads to, as the page shows it: for an opaque
   * shortener (t.co) the expanded address in its title or data attribute,
   * else in the link's own text (X keeps the scheme and the cut-off end in
   * hidden spans, so the whole text is the whole address), else the visible
   * domain. Other links: dom.realHref (redirects unwrapped).
   */
  function shownHref(a) {
    const href = dom.realHref(a);
    let host = "";
    try {
      host = href ? new URL(href).hostname : "";
    } catch (_) {
      host = "";
    }
    if (!OPAQUE.test(host)) return href;
    for (const candidate of [a.getAttribute("title"), a.getAttribute("data-expanded-url"), a.textContent, dom.visibleText(a)]) {
      const address = addressFrom(candidate || "");
      if (address && !OPAQUE.test(new URL(address).hostname)) return address;
    }
    return href; // nothing better shown: the shortener is still an address
  }

  /**
   * Visible links under `el` that leave the site (mentions, hashtags and the
   * site's own pages are already in the text), as the addresses they show.
   */
  function outgoingLinks(el, ownHosts) {
    if (!el) return [];
    const own = (host) => ownHosts.some((h) => host === h || host.endsWith("." + h));
    const seen = new Set();
    const anchors = [...(el.matches("a[href]") ? [el] : []), ...el.querySelectorAll("a[href]")];
    for (const a of anchors) {
      if (!dom.isVisible(a)) continue;
      const href = shownHref(a);
      if (!href) continue;
      try {
        if (own(new URL(href).hostname)) continue;
      } catch (_) {
        continue;
      }
      seen.add(href);
    }
    return [...seen];
  }

  // -- Meta's chats (Messenger, Facebook's messages, Instagram Direct) -------

  // Every message row carries a heading for screen readers, visually hidden:
  // the sender's name, or "You sent" over the person's own messages, in the
  // interface's language. Only these exact words mean "self"; any other
  // heading means "other" only in an interface language whose words we know.
  const YOU_SENT = new Set(["you sent", "vous avez envoyé", "tu as envoyé", "أرسلت", "أنت أرسلت", "لقد أرسلت"]);
  const KNOWN_UI = /^(en|fr|ar)\b/i;
  const HEADINGS = 'h1, h2, h3, h4, h5, h6, [role="heading"]';

  function rowHeadings(row) {
    return [...row.querySelectorAll(HEADINGS)].map((h) => dom.clean(h.textContent)).filter(Boolean);
  }

  /** "self", "other" or "unknown" for a Meta chat row. */
  function metaSpeaker(row) {
    const headings = rowHeadings(row);
    if (headings.some((h) => YOU_SENT.has(h.toLowerCase()))) return "self";
    if (!headings.length) return "unknown";
    const lang = (row.ownerDocument.documentElement.getAttribute("lang") || "").trim();
    return KNOWN_UI.test(lang) ? "other" : "unknown";
  }

  /**
   * The message in a Meta chat row: its last text block outside the headings
   * (a group's first message shows the sender's name above it, a reply the
   * words it answers). A row without a text block holds a photo, a shared
   * post, a date or "Seen by": nothing to read.
   */
  function metaRowText(row) {
    const inHeading = (el) => {
      const heading = el.closest(HEADINGS);
      return Boolean(heading && row.contains(heading));
    };
    const blocks = outermost(dom.visibleAll(row, '[dir="auto"]').filter((el) => !inHeading(el))).filter((el) => dom.visibleText(el));
    return blocks.length ? dom.visibleText(blocks[blocks.length - 1]) : "";
  }

  /**
   * The messages of a Meta conversation: the rows of its grid (the grid
   * labelled "Messages in conversation ...", else any grid in the main
   * region, else any row in the main region), each with its speaker.
   */
  function metaMessages(doc, conversation) {
    const main = one(doc, ['[role="main"]', "main"]) || doc;
    const grid = one(main, ['[role="grid"][aria-label]', '[role="grid"]']);
    const rows = dom.visibleAll(grid || main, '[role="row"]');
    return rows.map((row) => ({ kind: "message", text: metaRowText(row), conversation, speaker: metaSpeaker(row) })).filter((u) => u.text);
  }

  // -- the fallback ----------------------------------------------------------

  // A page "clearly has text" past this many visible characters in its main
  // region (a few screens of posts or messages; a loading page, a menu or an
  // empty conversation stay well under it).
  const MISS_CHARS = 2000;

  // Where a page's own text is; the first that exists is measured.
  const MAIN_REGIONS = ['[role="main"]', "main", "#main", "#column-center", "#MiddleColumn"];

  /** How much visible text the page's main region shows (capped at the unit limit: enough to compare). */
  function mainTextLength(doc) {
    const region = one(doc, MAIN_REGIONS) || doc.body;
    if (!region) return 0;
    if ((region.textContent || "").length < MISS_CHARS) return 0; // cheap first look
    return dom.visibleText(region).length;
  }

  /**
   * A site's reader with a safety net. `read` returns the adapter's units;
   * when the adapter finds nothing (or throws) on a page whose main region
   * shows more than MISS_CHARS of text, and the adapter does
   * not say the page is one it never reads (`quiet(loc, doc)`), it returns
   * the generic reader's units instead and sets `missed`, once per page.
   * Units carry `via`: which reader found them.
   */
  class Reader {
    constructor(adapter, generic) {
      this.adapter = adapter;
      this.generic = generic || Himaya.sites.find((s) => s.name === "generic") || null;
      this.reset();
    }

    reset() {
      this.found = false; // the adapter found a unit on this page
      this.missed = false; // the adapter found nothing on a page full of text
    }

    read(doc, loc) {
      const own = this.tryExtract(this.adapter, doc, loc);
      if (own.length || this.adapter === this.generic) {
        if (own.length) this.found = true;
        return this.tag(own, this.adapter.name);
      }
      if (this.found || !this.generic) return [];
      if (!this.missed) {
        if (this.adapter.quiet && this.adapter.quiet(loc, doc)) return [];
        if (mainTextLength(doc) < MISS_CHARS) return [];
        this.missed = true;
      }
      return this.tag(this.generic.extract(doc, loc) || [], this.generic.name);
    }

    tryExtract(adapter, doc, loc) {
      try {
        return (adapter.extract(doc, loc) || []).filter((u) => u && typeof u.text === "string" && u.text.trim());
      } catch (_) {
        return []; // an adapter out of date must not break the page: it found nothing
      }
    }

    tag(units, via) {
      return units.map((u) => ({ ...u, via }));
    }

    /** What the volunteer's view says about this page's reader. */
    info() {
      return { site: this.adapter.name, fallback: this.missed && !this.found };
    }
  }

  Reader.MISS_CHARS = MISS_CHARS;
  Himaya.SPEAKERS = SPEAKERS;
  Himaya.cues = Object.freeze({ first, one, outermost, innermost, addressFrom, shownHref, outgoingLinks, metaSpeaker, metaRowText, metaMessages, mainTextLength, HEADINGS });
  Himaya.Reader = Reader;
})();
