/*
 * tiktok.com: the profile (data-e2e user-title, user-subtitle, user-bio,
 * user-link), video descriptions, comments, and messages at /messages.
 *
 * Example:
 *   Himaya.adapterFor("www.tiktok.com").extract(document, location)
 *   // -> [{kind: "profile", text: "..."}, {kind: "post", text: "comment..."}]
 */
(function () {
  "use strict";
  const { dom } = globalThis.Himaya;
  const e2e = (name) => `[data-e2e="${name}"]`;

  function profile(doc) {
    const name = [dom.firstText(doc, [e2e("user-title")]), dom.firstText(doc, [e2e("user-subtitle")])].filter(Boolean).join("\n");
    const bioEl = doc.querySelector(e2e("user-bio"));
    const linkEl = doc.querySelector(e2e("user-link"));
    if (!name && !bioEl) return null;
    const links = [...dom.linksIn(linkEl), ...(linkEl && !dom.linksIn(linkEl).length ? [dom.visibleText(linkEl)] : [])];
    return dom.profileUnit(name, dom.visibleText(bioEl), links);
  }

  function posts(doc) {
    const selectors = [e2e("browse-video-desc"), e2e("video-desc"), e2e("comment-level-1"), e2e("comment-level-2")].join(", ");
    return dom.visibleAll(doc, selectors).map((el) => ({ kind: "post", text: dom.visibleText(el) }));
  }

  function messages(doc, loc) {
    if (!/^\/messages/.test(loc.pathname)) return [];
    const who = dom.firstText(doc, [e2e("chat-uniqueid"), e2e("chat-nickname")]) || "chat";
    return dom.visibleAll(doc, e2e("chat-item")).map((item) => ({ kind: "message", text: dom.visibleText(item), conversation: who }));
  }

  globalThis.Himaya.registerSite({
    name: "tiktok",
    hosts: ["tiktok.com"],
    extract(doc, loc) {
      const dms = messages(doc, loc);
      if (dms.length) return dms;
      return [profile(doc), ...posts(doc)].filter(Boolean);
    },
  });
})();
