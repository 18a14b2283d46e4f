/*
 * instagram.com: the profile header (user name, full name, bio, link), post
 * captions and comments, and direct messages at /direct/t/<id>, without the
 * person's own (Meta's chat rows: the hidden heading says "You sent").
 *
 * Example:
 *   Himaya.adapterFor("www.instagram.com").extract(document, location)
 *   // -> [{kind: "profile", text: "lina.example\nLina\nbio...\nhttps://t.me/+..."}]
 */
(function () {
  "use strict";
  const { dom } = globalThis.Himaya;

  function profile(doc) {
    const header = doc.querySelector("main header, header");
    if (!header || !header.querySelector("h1, h2")) return null;
    const name = dom.firstText(header, ["h2", "h1"]);
    const bio = dom.visibleText(header.querySelector("section") || header);
    return dom.profileUnit(name, bio.replace(name, "").trim(), dom.linksIn(header));
  }

  function posts(doc) {
    return dom.visibleAll(doc, "article").flatMap((article) => {
      const units = [];
      const caption = dom.firstText(article, ["h1", '[data-testid="post-comment-root"]', "ul li:first-child span"]);
      if (caption) units.push({ kind: "post", text: caption });
      for (const li of dom.visibleAll(article, "ul ul li, ul > div li")) {
        const text = dom.visibleText(li);
        if (text && text !== caption) units.push({ kind: "post", text });
      }
      return units;
    });
  }

  function messages(doc, loc) {
    const match = /\/direct\/t\/([^/?#]+)/.exec(loc.pathname);
    if (!match) return null; // not a conversation
    const scope = doc.querySelector('[role="main"]') || doc;
    return dom
      .visibleAll(scope, '[role="row"]')
      .filter((row) => !dom.metaOwnRow(row))
      .map((row) => ({ kind: "message", text: dom.metaRowText(row), conversation: `direct/${match[1]}` }));
  }

  globalThis.Himaya.registerSite({
    name: "instagram",
    hosts: ["instagram.com"],
    extract(doc, loc) {
      const dms = messages(doc, loc);
      if (dms) return dms; // a conversation: its messages only, even none yet
      return [profile(doc), ...posts(doc)].filter(Boolean);
    },
  });
})();
