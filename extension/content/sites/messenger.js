/*
 * messenger.com: one conversation at /t/<id> (or /e2ee/t/<id>); each row of
 * the conversation grid is a message, marked with its speaker: "self" under
 * the hidden heading "You sent", "other" under a sender's name, "unknown"
 * when the row has no heading or the interface speaks a language whose
 * "You sent" Himaya does not know (content/readers.js: metaMessages).
 *
 * Cues: the grid labelled "Messages in conversation ..." in the main region,
 * else any grid there, else any role="row" there; the message is the row's
 * last div[dir=auto] outside its headings (tests/extension/fixtures:
 * messenger-2025-chat.html is the 2025–2026 structure, messenger-chat.html
 * the older one).
 *
 * Example:
 *   // at https://www.messenger.com/t/100000123
 *   Himaya.adapterFor("www.messenger.com").extract(document, location)
 *   // -> [{kind: "message", text: "slt cv ?", conversation: "t/100000123", speaker: "other"}, ...]
 */
(function () {
  "use strict";
  const { cues } = globalThis.Himaya;

  function conversationId(loc) {
    const match = /\/(?:e2ee\/)?t\/([^/?#]+)/.exec(loc.pathname);
    return match ? `t/${match[1]}` : null;
  }

  globalThis.Himaya.registerSite({
    name: "messenger",
    hosts: ["messenger.com"],
    quiet: (loc) => !conversationId(loc), // the list of chats: nothing to read
    extract(doc, loc) {
      const conversation = conversationId(loc);
      if (!conversation) return [];
      return cues.metaMessages(doc, conversation);
    },
  });
})();
