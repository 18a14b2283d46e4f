/*
 * The content-script namespace and the DOM helpers every site adapter shares.
 *
 * Content scripts cannot be ES modules, so the files listed in the manifest
 * share one global object, `Himaya`, in the extension's isolated world (the
 * page's own scripts never see it). This file only reads the page: it holds
 * no matching logic (the companion does all detection) and never talks to the
 * companion (only the service worker does).
 *
 * Example:
 *   Himaya.dom.visibleText(document.querySelector("[role=article]"))
 *   // -> "Salut, t'as quel âge ?" (hidden parts left out)
 */
(function () {
  "use strict";
  const root = globalThis;
  if (root.Himaya && root.Himaya.dom) return; // injected twice (generic adapter on demand)

  const Himaya = root.Himaya || (root.Himaya = {});
  Himaya.sites = Himaya.sites || [];

  /**
   * Bounds on what one page may cost, in memory and toward the companion.
   * None of them stops the page being followed: past a bound the oldest
   * entries are forgotten (docs/COMPANION.md, "Long sessions and floods").
   */
  Himaya.limits = Object.freeze({
    unitChars: 4000, // longest text sent for one unit
    unitsPerBatch: 100, // units in one scan request (the companion takes up to 200)
    seenIds: 10000, // recently seen unit ids kept (LRU) so a re-rendered unit is not scanned twice
    seenBytes: 1 << 20, // ... and the bytes they may take
    contextPerConversation: 200, // recent units kept per conversation for a report (the companion takes 200)
    contextConversations: 40, // conversations whose context is kept (least recently active forgotten first)
    contextBytes: 4 << 20, // ... and the bytes all of them may take
    queueUnits: 3000, // units waiting to be scanned; beyond, the oldest of the largest conversation are dropped
    queueBytes: 4 << 20, // ... and the bytes they may take
    debounceMs: 350, // quiet time after DOM changes before extracting again
    maxWaitMs: 1000, // ... but never longer than this after the first change (a page that never stops changing)
    retryMs: 2000, // first retry when the companion cannot be reached; doubles up to retryMaxMs
    retryMaxMs: 30000,
    behindMs: 10000, // a unit that waited longer than this to be scanned: scanning fell behind
  });

  const SKIP_TAGS = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "SVG", "CANVAS", "IFRAME", "TEXTAREA", "INPUT", "SELECT"]);
  const BLOCK_TAGS = new Set(["P", "DIV", "LI", "BR", "H1", "H2", "H3", "H4", "H5", "H6", "SECTION", "ARTICLE", "HEADER", "FOOTER", "TR", "BLOCKQUOTE"]);

  /** True when the element itself is hidden from the person (not its ancestors). */
  function hiddenSelf(el) {
    if (el.hidden || el.getAttribute("aria-hidden") === "true") return true;
    // Our own boxes, known by reference: an attribute the page can set on anything would hide text from scanning.
    if (Himaya.banner && Himaya.banner.owns(el)) return true;
    const view = el.ownerDocument && el.ownerDocument.defaultView;
    if (!view || !view.getComputedStyle) return false;
    const style = view.getComputedStyle(el);
    return style.display === "none" || style.visibility === "hidden" || style.opacity === "0";
  }

  /** True when a block element is drawn inline (X's mentions are divs drawn inline-flex). */
  function shownInline(el) {
    const view = el.ownerDocument && el.ownerDocument.defaultView;
    return Boolean(view && view.getComputedStyle && /^inline/.test(view.getComputedStyle(el).display));
  }

  /** True when the element and all its ancestors are shown. */
  function isVisible(el) {
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      if (hiddenSelf(node)) return false;
    }
    return true;
  }

  /**
   * The text a person sees in `el`: hidden subtrees, scripts and inputs left
   * out. `skip` is a selector for nested parts that are units of their own
   * (a comment inside a post).
   */
  function visibleText(el, skip) {
    if (!el || !isVisible(el)) return "";
    const parts = [];
    (function walk(node) {
      for (let child = node.firstChild; child; child = child.nextSibling) {
        if (child.nodeType === 3) {
          parts.push(child.nodeValue);
        } else if (child.nodeType === 1) {
          const tag = child.tagName.toUpperCase();
          if (SKIP_TAGS.has(tag) || hiddenSelf(child)) continue;
          if (skip && child.matches(skip)) continue;
          if (tag === "IMG" && child.getAttribute("alt")) {
            parts.push(child.getAttribute("alt")); // emoji are often <img alt="🍓">
            continue;
          }
          const block = BLOCK_TAGS.has(tag) && !shownInline(child);
          if (block) parts.push("\n");
          walk(child);
          if (block) parts.push("\n");
        }
      }
    })(el);
    return clean(parts.join(""));
  }

  /** Collapse spaces, keep line breaks, cap the length. */
  function clean(text) {
    return String(text || "")
      .replace(/[ \t\f\r\u00a0]+/g, " ")
      .replace(/ *\n[ \n]*/g, "\n")
      .trim()
      .slice(0, Himaya.limits.unitChars);
  }

  /**
   * The address a link really points to. Networks wrap outgoing links in a
   * redirect (l.facebook.com/l.php?u=..., t.co is opaque); unwrap when the
   * target is in a query parameter so the companion sees the real host.
   */
  function realHref(a) {
    const raw = a.getAttribute("href") || "";
    let url;
    try {
      url = new URL(raw, a.ownerDocument.baseURI);
    } catch (_) {
      return "";
    }
    if (!/^https?:$/.test(url.protocol)) return "";
    for (const key of ["u", "url", "target", "q"]) {
      const inner = url.searchParams.get(key);
      if (!inner || !/(^|\.)(l\.facebook|l\.instagram|l\.messenger|facebook|instagram|tiktok|discord)\./.test(url.hostname)) continue;
      if (/^https?:\/\//i.test(inner)) return inner;
      // TikTok's bio links name the target without a scheme: /link/v2?...&target=site.example%2Fpath
      if (key === "target" && /^[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}([/?#:]|$)/i.test(inner)) return `https://${inner}`;
    }
    return url.href;
  }

  /** Visible outgoing links under `el`, deduplicated, as absolute addresses. */
  function linksIn(el) {
    if (!el) return [];
    const seen = new Set();
    const anchors = [...(el.matches("a[href]") ? [el] : []), ...el.querySelectorAll("a[href]")];
    for (const a of anchors) {
      if (!isVisible(a)) continue;
      const href = realHref(a);
      if (href) seen.add(href);
    }
    return [...seen];
  }

  /** First visible text among the selectors, or "". */
  function firstText(scope, selectors) {
    for (const sel of selectors) {
      for (const el of scope.querySelectorAll(sel)) {
        const text = visibleText(el);
        if (text) return text;
      }
    }
    return "";
  }

  /** Visible elements matching the selector, in document order. */
  function visibleAll(scope, selector) {
    return [...scope.querySelectorAll(selector)].filter(isVisible);
  }

  /** A short stable hash (FNV-1a, 32 bits, hex) used to deduplicate units. */
  function hash(text) {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h.toString(16).padStart(8, "0");
  }

  /** A profile unit: name, bio and links in one text, as the companion expects. */
  function profileUnit(name, bio, links) {
    const text = clean([name, bio, ...(links || [])].filter(Boolean).join("\n"));
    return text ? { kind: "profile", text } : null;
  }

  /** Adapters call this at load; main.js picks the one whose host matches. */
  function registerSite(adapter) {
    Himaya.sites.push(adapter);
  }

  /** The adapter for a host name: the first whose `hosts` suffix-matches, else generic. */
  function adapterFor(hostname) {
    const host = String(hostname || "").toLowerCase();
    const hit = Himaya.sites.find((s) => s.hosts.some((h) => host === h || host.endsWith("." + h)));
    return hit || Himaya.sites.find((s) => s.name === "generic") || null;
  }

  Himaya.dom = Object.freeze({ isVisible, visibleText, clean, realHref, linksIn, firstText, visibleAll, hash, profileUnit });
  Himaya.registerSite = registerSite;
  Himaya.adapterFor = adapterFor;
})();
