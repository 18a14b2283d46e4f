/*
 * facebook.com, m.facebook.com: profile intro, feed posts and their
 * comments, and the Messenger view inside Facebook (/messages/t/<id>).
 *
 * Cues, most stable first (tests/extension/fixtures/facebook-2025-*.html is
 * the 2025–2026 structure, facebook-profile.html the older one):
 *   post     div[aria-posinset] (the feed's own position marker, since 2025
 *            the only wrapper: no role="article") and the outermost
 *            [role="article"] (older pages); a message mark outside both
 *            is a post of its own
 *   text     [data-ad-rendering-role="story_message"], [data-ad-preview="message"],
 *            [data-ad-comet-preview="message"] (kept for ads), else nothing:
 *            a post's header, counts and buttons are no text of its own
 *   comment  [role="article"] inside a post: its text blocks, not the
 *            author's link, the time or the buttons
 *   intro    the card under the "Intro" heading, else data-pagelet Intro/ProfileTilesFeed
 *   messages Meta's chat rows (content/readers.js: metaMessages)
 *
 * Example (a profile page):
 *   Himaya.adapterFor("www.facebook.com").extract(document, location)
 *   // -> [{kind: "profile", text: "Name\nbio\nhttps://..."}, {kind: "post", text: "..."}]
 */
(function () {
  "use strict";
  const { dom, cues } = globalThis.Himaya;
  const OWN_HOSTS = ["facebook.com", "fb.com", "fb.me", "messenger.com"];
  const ARTICLE = '[role="article"]';
  const POSTS = ["[aria-posinset]", ARTICLE];
  const BODIES = ['[data-ad-rendering-role="story_message"]', '[data-ad-preview="message"]', '[data-ad-comet-preview="message"]', '[data-testid="post_message"]'];
  const NOT_TEXT = 'a, [role="button"], [role="link"], ul, h1, h2, h3, h4, h5, h6, [role="heading"], ' + ARTICLE;
  // The intro card's heading, in the interface languages Himaya speaks.
  const INTRO_HEADINGS = new Set(["intro", "introduction", "présentation", "à propos", "المقدمة", "مقدمة", "نبذة مختصرة", "نبذة"]);

  const NOT_PROFILES = /^\/(home\.php|watch|groups|marketplace|gaming|events|pages|notifications|messages|search|stories|reel|reels|friends|bookmarks|saved|settings|privacy|help|policies)?\/?$/;
  const QUIET = /^\/(settings|privacy|help|policies|notifications|ads|business|bookmarks|saved|messages\/?$)/;

  /** The intro card: the nearest block around an "Intro" heading that holds more than the heading. */
  function introCard(doc) {
    const main = cues.one(doc, ['[role="main"]', "main"]) || doc;
    for (const heading of main.querySelectorAll(cues.HEADINGS)) {
      const label = dom.clean(heading.textContent).toLowerCase();
      if (!INTRO_HEADINGS.has(label)) continue;
      for (let box = heading.parentElement; box && box !== main; box = box.parentElement) {
        if (dom.clean(box.textContent).length > label.length + 2) return box;
      }
    }
    return cues.one(doc, ['[data-pagelet*="Intro"]', '[data-pagelet="ProfileTilesFeed_0"]', "#bio", '[data-sigil="profile-intro-card"]']);
  }

  /** A profile page: /<name>, /profile.php?id=..., or any page with an intro card. */
  function profile(doc, loc) {
    const intro = introCard(doc);
    const single = (/^\/[^/]+\/?$/.test(loc.pathname) || /^\/profile\.php$/.test(loc.pathname)) && !NOT_PROFILES.test(loc.pathname);
    if (!intro && !single) return null;
    const name = dom.firstText(doc, ['[role="main"] h1', "#cover-name-root h3", "header h1", "h1"]);
    if (!name && !intro) return null;
    const bio = intro ? dom.visibleText(intro, `${cues.HEADINGS}, [role="button"]`) : "";
    return dom.profileUnit(name, bio, cues.outgoingLinks(intro, OWN_HOSTS));
  }

  /** The message marks of a post (a shared post has two), not those of its comments. */
  function marksOf(post) {
    const all = BODIES.flatMap((sel) => [...(post.matches(sel) && dom.isVisible(post) ? [post] : []), ...dom.visibleAll(post, sel)]);
    return cues.outermost(all).filter((el) => {
      const article = el.closest(ARTICLE);
      return !article || !post.contains(article) || article === post;
    });
  }

  /** A post's own text: its message marks and the links in them that leave Facebook. */
  function postText(post) {
    const bodies = marksOf(post);
    const text = bodies.map((el) => dom.visibleText(el, '[role="button"]')).filter(Boolean).join("\n");
    const links = bodies.flatMap((el) => cues.outgoingLinks(el, OWN_HOSTS)).filter((l) => !text.includes(l));
    return [text, ...new Set(links)].filter(Boolean).join("\n");
  }

  /** A comment's text: its outermost text blocks outside links, buttons and replies. */
  function commentText(comment) {
    const nested = (el) => {
      const inner = el.parentElement && el.parentElement.closest(NOT_TEXT);
      return Boolean(inner && comment.contains(inner) && inner !== comment);
    };
    const blocks = cues.outermost(dom.visibleAll(comment, '[dir="auto"]').filter((el) => !el.matches(NOT_TEXT) && !nested(el)));
    if (blocks.length) return blocks.map((el) => dom.visibleText(el)).filter(Boolean).join("\n");
    return dom.visibleText(comment, ARTICLE); // the older comment: its text, nested replies apart
  }

  /**
   * Posts: every outermost aria-posinset or role="article" wrapper gives its
   * text and its comments; message marks outside any wrapper (a structure
   * not seen yet) are posts of their own.
   */
  function posts(doc) {
    const wrappers = cues.outermost(dom.visibleAll(doc, POSTS.join(", ")));
    const units = [];
    for (const post of wrappers) {
      const text = postText(post);
      if (text) units.push({ kind: "post", text });
      else if (post.matches(ARTICLE)) units.push({ kind: "post", text: dom.visibleText(post, ARTICLE) }); // an older post without a mark
      for (const comment of dom.visibleAll(post, ARTICLE)) units.push({ kind: "post", text: commentText(comment) });
    }
    const loose = cues.outermost(BODIES.flatMap((sel) => dom.visibleAll(doc, sel))).filter((el) => !wrappers.some((w) => w.contains(el)));
    for (const mark of loose) units.push({ kind: "post", text: postText(mark) });
    return units;
  }

  /** Messages in /messages/t/<id>: the rows of the conversation grid, each with its speaker. */
  function messages(doc, loc) {
    const match = /\/messages\/(?:e2ee\/)?t\/([^/?#]+)/.exec(loc.pathname);
    if (!match) return null; // not a conversation
    return cues.metaMessages(doc, `t/${match[1]}`);
  }

  globalThis.Himaya.registerSite({
    name: "facebook",
    hosts: ["facebook.com"],
    quiet: (loc) => QUIET.test(loc.pathname),
    extract(doc, loc) {
      const units = messages(doc, loc);
      if (units) return units; // a conversation: its messages only, even none yet
      const p = profile(doc, loc);
      return [p, ...posts(doc)].filter(Boolean);
    },
  });
})();
