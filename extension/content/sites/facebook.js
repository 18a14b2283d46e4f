/*
 * facebook.com, m.facebook.com: profile intro, posts and comments, and the
 * Messenger view inside Facebook (/messages/t/<id>).
 *
 * Example (a profile page):
 *   Himaya.adapterFor("www.facebook.com").extract(document, location)
 *   // -> [{kind: "profile", text: "Name\nbio\nhttps://..."}, {kind: "post", text: "..."}]
 */
(function () {
  "use strict";
  const { dom } = globalThis.Himaya;
  const ARTICLE = '[role="article"]';

  const NOT_PROFILES = /^\/(home\.php|watch|groups|marketplace|gaming|events|pages|notifications|messages|search|stories|reel|friends)?\/?$/;

  /** A profile page: /<name>, /profile.php?id=..., or any page with an intro box. */
  function profile(doc, loc) {
    const intro = doc.querySelector('[data-pagelet="ProfileTilesFeed_0"], [data-pagelet*="Intro"], #bio, [data-sigil="profile-intro-card"]');
    const single = /^\/[^/]+\/?$/.test(loc.pathname) && !NOT_PROFILES.test(loc.pathname);
    if (!intro && !single) return null;
    const name = dom.firstText(doc, ['[role="main"] h1', "#cover-name-root h3", "header h1", "h1"]);
    if (!name && !intro) return null;
    return dom.profileUnit(name, dom.visibleText(intro), dom.linksIn(intro));
  }

  function posts(doc) {
    return dom.visibleAll(doc, ARTICLE).map((article) => {
      const body = article.querySelector('[data-ad-comet-preview="message"], [data-ad-preview="message"], [data-testid="post_message"]');
      const text = body ? dom.visibleText(body) : dom.visibleText(article, ARTICLE);
      const links = dom.linksIn(body || article).filter((l) => !/facebook\.com/.test(new URL(l).hostname));
      return { kind: "post", text: [text, ...links].join("\n") };
    });
  }

  /** Messages in /messages/t/<id>: the rows of the conversation grid, but the person's own ("You sent"). */
  function messages(doc, loc) {
    const match = /\/messages\/(?:e2ee\/)?t\/([^/?#]+)/.exec(loc.pathname);
    if (!match) return null; // not a conversation
    return dom
      .visibleAll(doc, '[role="main"] [role="row"]')
      .filter((row) => !dom.metaOwnRow(row))
      .map((row) => ({ kind: "message", text: dom.metaRowText(row), conversation: `t/${match[1]}` }));
  }

  globalThis.Himaya.registerSite({
    name: "facebook",
    hosts: ["facebook.com"],
    extract(doc, loc) {
      const units = messages(doc, loc);
      if (units) return units; // a conversation: its messages only, even none yet
      const p = profile(doc, loc);
      return [p, ...posts(doc)].filter(Boolean);
    },
  });
})();
