/*
 * tiktok.com: the profile, video descriptions, comments, and messages at
 * /messages.
 *
 * Cues: TikTok's data-e2e attributes (kept for its own tests), each with a
 * fallback (tests/extension/fixtures: tiktok-2025-profile.html is the
 * 2025–2026 structure, tiktok-profile.html the older one):
 *   profile  user-title (user name), user-subtitle (nickname), user-bio, and
 *            user-link: a link through tiktok.com/link/v2?...&target=<address>,
 *            whose target may have no scheme (unwrapped by dom.realHref), else
 *            the link's visible text
 *   posts    browse-video-desc, video-desc, comment-level-1/2 (the mark is on
 *            the comment's text, not on its author, time or likes)
 *   messages chat-item; the speaker from the item's avatar link (the other
 *            person's @name is in the chat header) or "unknown"
 *
 * Example:
 *   Himaya.adapterFor("www.tiktok.com").extract(document, location)
 *   // -> [{kind: "profile", text: "..."}, {kind: "post", text: "comment..."}]
 */
(function () {
  "use strict";
  const { dom, cues } = globalThis.Himaya;
  const e2e = (name) => `[data-e2e="${name}"]`;
  const QUIET = /^\/(setting|upload|tiktokstudio|live\/studio|coin)(\/|$)/;

  function profile(doc) {
    const name = [dom.firstText(doc, [e2e("user-title")]), dom.firstText(doc, [e2e("user-subtitle")])].filter(Boolean).join("\n");
    const bioEl = doc.querySelector(e2e("user-bio"));
    const linkEl = doc.querySelector(e2e("user-link"));
    if (!name && !bioEl) return null;
    const found = cues.outgoingLinks(linkEl, ["tiktok.com"]);
    const shown = linkEl && !found.length ? cues.addressFrom(dom.visibleText(linkEl)) || dom.visibleText(linkEl) : "";
    return dom.profileUnit(name, dom.visibleText(bioEl), [...found, shown].filter(Boolean));
  }

  function posts(doc) {
    const descs = dom.visibleAll(doc, [e2e("browse-video-desc"), e2e("video-desc")].join(", ")).map((el) => ({ kind: "post", text: dom.visibleText(el) }));
    const comments = dom.visibleAll(doc, [e2e("comment-level-1"), e2e("comment-level-2")].join(", ")).map((el) => ({ kind: "post", text: dom.visibleText(el) }));
    return [...descs, ...comments];
  }

  /** The @name a link leads to (tiktok.com/@name), lower-cased, else "". */
  function handleOf(a) {
    let path = "";
    try {
      path = a ? new URL(a.getAttribute("href") || "", a.ownerDocument.baseURI).pathname : "";
    } catch (_) {
      path = "";
    }
    const match = /^\/@([^/?#]+)/.exec(path);
    return match ? decodeURIComponent(match[1]).toLowerCase() : "";
  }

  function messages(doc, loc) {
    if (!/^\/messages/.test(loc.pathname)) return [];
    const other = dom.firstText(doc, [e2e("chat-uniqueid")]).replace(/^@/, "").toLowerCase();
    const who = other || dom.firstText(doc, [e2e("chat-nickname")]) || "chat";
    return dom.visibleAll(doc, e2e("chat-item")).map((item) => {
      const author = handleOf(item.querySelector('a[href*="/@"]'));
      const speaker = !author || !other ? "unknown" : author === other ? "other" : "self";
      const body = cues.one(item, [e2e("chat-item-text"), '[class*="TextContainer"]', "p"]);
      return { kind: "message", text: dom.visibleText(body || item), conversation: who, speaker };
    });
  }

  globalThis.Himaya.registerSite({
    name: "tiktok",
    hosts: ["tiktok.com"],
    quiet: (loc) => QUIET.test(loc.pathname),
    extract(doc, loc) {
      const dms = messages(doc, loc);
      if (dms.length) return dms;
      return [profile(doc), ...posts(doc)].filter(Boolean);
    },
  });
})();
