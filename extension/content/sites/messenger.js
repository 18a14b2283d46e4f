/*
 * messenger.com: one conversation at /t/<id> (or /e2ee/t/<id>); each row of
 * the conversation grid is a message. The person's own messages (the row's
 * hidden heading says "You sent") are left out: the child's own words are not
 * a sign of danger to the child.
 *
 * Example:
 *   // at https://www.messenger.com/t/100000123
 *   Himaya.adapterFor("www.messenger.com").extract(document, location)
 *   // -> [{kind: "message", text: "slt cv ?", conversation: "t/100000123"}, ...]
 */
(function () {
  "use strict";
  const { dom } = globalThis.Himaya;

  function conversationId(loc) {
    const match = /\/(?:e2ee\/)?t\/([^/?#]+)/.exec(loc.pathname);
    return match ? `t/${match[1]}` : null;
  }

  globalThis.Himaya.registerSite({
    name: "messenger",
    hosts: ["messenger.com"],
    extract(doc, loc) {
      const conversation = conversationId(loc);
      if (!conversation) return [];
      const scope = doc.querySelector('[role="main"]') || doc;
      return dom
        .visibleAll(scope, '[role="row"]')
        .filter((row) => !dom.metaOwnRow(row))
        .map((row) => ({ kind: "message", text: dom.metaRowText(row), conversation }));
    },
  });
})();
