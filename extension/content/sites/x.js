/*
 * x.com (and twitter.com): the profile, posts, and direct messages at
 * /messages/<id> or /i/chat/<id>.
 *
 * Cues: X's data-testid attributes (kept for its own tests), with fallbacks
 * (tests/extension/fixtures: x-2025-profile.html is the 2025–2026
 * structure, x-profile.html and x-dm.html the older one):
 *   profile  UserName (name and @handle), UserDescription, UserUrl
 *   posts    article[data-testid=tweet] > tweetText, else article[role=article] [lang]
 *   messages messageEntry (speaker unknown: the page shows both sides alike)
 * Links: only those that leave X; @mentions, #hashtags and X's own pages are
 * already in the text. A t.co address says nothing of where it leads, so
 * each link gives the address the page shows: the title or
 * data-expanded-url (older pages), else the link's text (X keeps the
 * scheme and the cut-off end in hidden spans), else its visible domain
 * (content/readers.js: shownHref).
 *
 * Example:
 *   Himaya.adapterFor("x.com").extract(document, location)
 *   // -> [{kind: "profile", text: "Noor\n@noor_example\n...\nhttps://noor.example/"}, {kind: "post", text: "..."}]
 */
(function () {
  "use strict";
  const { dom, cues } = globalThis.Himaya;
  const tid = (name) => `[data-testid="${name}"]`;
  const OWN_HOSTS = ["x.com", "twitter.com", "mobile.x.com"];
  const QUIET = /^\/(settings|i\/(flow|keyboard_shortcuts|display|premium)|compose|logout|login)(\/|$)/;

  function profile(doc) {
    const name = dom.firstText(doc, [tid("UserName")]);
    const bioEl = doc.querySelector(tid("UserDescription"));
    if (!name && !bioEl) return null;
    const links = [...cues.outgoingLinks(bioEl, OWN_HOSTS), ...cues.outgoingLinks(doc.querySelector(tid("UserUrl")), OWN_HOSTS)];
    return dom.profileUnit(name, dom.visibleText(bioEl), [...new Set(links)]);
  }

  function posts(doc) {
    const { elements } = cues.first(doc, [`${tid("tweet")} ${tid("tweetText")}`, 'article[role="article"] div[lang][dir="auto"]']);
    return elements.map((el) => {
      const text = dom.visibleText(el);
      const links = cues.outgoingLinks(el, OWN_HOSTS).filter((l) => !text.includes(l));
      return { kind: "post", text: [text, ...links].join("\n") };
    });
  }

  function messages(doc, loc) {
    const match = /^\/(?:i\/chat|messages)\/([^/?#]+)/.exec(loc.pathname);
    if (!match) return [];
    return dom.visibleAll(doc, tid("messageEntry")).map((entry) => ({
      kind: "message",
      text: dom.visibleText(entry.querySelector(tid("tweetText")) || entry),
      conversation: `dm/${match[1]}`,
      speaker: "unknown",
    }));
  }

  globalThis.Himaya.registerSite({
    name: "x",
    hosts: ["x.com", "twitter.com"],
    quiet: (loc) => QUIET.test(loc.pathname),
    extract(doc, loc) {
      const dms = messages(doc, loc);
      if (dms.length) return dms;
      return [profile(doc), ...posts(doc)].filter(Boolean);
    },
  });
})();
