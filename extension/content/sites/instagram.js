/*
 * instagram.com: the profile header (user name, full name, bio, link), post
 * captions and comments, and direct messages at /direct/t/<id> with their
 * speaker (Meta's chat rows: the hidden heading says "You sent" over the
 * person's own; content/readers.js: metaMessages).
 *
 * Cues (tests/extension/fixtures: instagram-2025-*.html is the 2025–2026
 * structure, instagram-profile.html and instagram-dm.html the older one):
 *   profile  main header: the h2 (user name), then its section's text without
 *            the counts (ul), the buttons and the links; links through l.instagram.com
 *   posts    article: the h1 caption (a post's page), else the first comment;
 *            comments in lists
 *   messages the conversation grid's rows, as on Messenger
 *
 * Example:
 *   Himaya.adapterFor("www.instagram.com").extract(document, location)
 *   // -> [{kind: "profile", text: "lina.example\nLina\nbio...\nhttps://t.me/+..."}]
 */
(function () {
  "use strict";
  const { dom, cues } = globalThis.Himaya;
  const OWN_HOSTS = ["instagram.com", "facebook.com", "threads.net", "threads.com"];
  const QUIET = /^\/(accounts|explore|direct\/(inbox|requests)|reels\/audio|stories)(\/|$)/;

  function profile(doc) {
    const header = cues.one(doc, ["main header", "header"]);
    if (!header || !header.querySelector('h1, h2, [role="heading"]')) return null;
    const name = dom.firstText(header, ["h2", "h1", '[role="heading"]']);
    const heading = header.querySelector('h2, h1, [role="heading"]');
    const section = heading.closest("section") || header; // not the avatar's section
    const bio = dom.visibleText(section, 'ul, button, [role="button"], a, h1, h2, [role="heading"]');
    return dom.profileUnit(name, bio.replace(name, "").trim(), cues.outgoingLinks(header, OWN_HOSTS));
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
    return cues.metaMessages(doc, `direct/${match[1]}`);
  }

  globalThis.Himaya.registerSite({
    name: "instagram",
    hosts: ["instagram.com"],
    quiet: (loc) => QUIET.test(loc.pathname),
    extract(doc, loc) {
      const dms = messages(doc, loc);
      if (dms) return dms; // a conversation: its messages only, even none yet
      return [profile(doc), ...posts(doc)].filter(Boolean);
    },
  });
})();
