/*
 * x.com (and twitter.com): the profile (data-testid UserName,
 * UserDescription, UserUrl), posts (tweetText), and direct messages at
 * /messages/<id> (messageEntry).
 *
 * Example:
 *   Himaya.adapterFor("x.com").extract(document, location)
 *   // -> [{kind: "profile", text: "..."}, {kind: "post", text: "..."}]
 */
(function () {
  "use strict";
  const { dom } = globalThis.Himaya;
  const tid = (name) => `[data-testid="${name}"]`;

  function profile(doc) {
    const name = dom.firstText(doc, [tid("UserName")]);
    const bioEl = doc.querySelector(tid("UserDescription"));
    if (!name && !bioEl) return null;
    const links = [...dom.linksIn(bioEl), ...dom.linksIn(doc.querySelector(tid("UserUrl")))];
    return dom.profileUnit(name, dom.visibleText(bioEl), [...new Set(links)]);
  }

  function posts(doc) {
    return dom.visibleAll(doc, `${tid("tweet")} ${tid("tweetText")}`).map((el) => ({
      kind: "post",
      text: [dom.visibleText(el), ...dom.linksIn(el)].join("\n"),
    }));
  }

  function messages(doc, loc) {
    const match = /^\/(?:i\/chat|messages)\/([^/?#]+)/.exec(loc.pathname);
    if (!match) return [];
    return dom.visibleAll(doc, tid("messageEntry")).map((entry) => ({
      kind: "message",
      text: dom.visibleText(entry.querySelector(tid("tweetText")) || entry),
      conversation: `dm/${match[1]}`,
    }));
  }

  globalThis.Himaya.registerSite({
    name: "x",
    hosts: ["x.com", "twitter.com"],
    extract(doc, loc) {
      const dms = messages(doc, loc);
      if (dms.length) return dms;
      return [profile(doc), ...posts(doc)].filter(Boolean);
    },
  });
})();
