/*
 * web.telegram.org, both web clients: /k/ (".bubble", outgoing ".is-out")
 * and /a/ (".Message", outgoing ".own"). Incoming messages only; the
 * conversation id is the chat in the address fragment (#@name or #-100...),
 * else the chat title. Open profile panels give a profile unit.
 *
 * Example:
 *   // at https://web.telegram.org/k/#@example_user
 *   Himaya.adapterFor("web.telegram.org").extract(document, location)
 *   // -> [{kind: "message", text: "...", conversation: "@example_user"}]
 */
(function () {
  "use strict";
  const { dom } = globalThis.Himaya;

  function conversationId(doc, loc) {
    const hash = decodeURIComponent(loc.hash.replace(/^#/, ""));
    if (hash) return hash.slice(0, 120);
    const title = dom.firstText(doc, [".chat-info .peer-title", ".ChatInfo .fullName", ".chat-info"]);
    return title ? `title/${dom.hash(title)}` : null;
  }

  function messages(doc, loc) {
    const conversation = conversationId(doc, loc);
    const bubbles = dom.visibleAll(doc, ".bubble:not(.is-out), .Message:not(.own)");
    return bubbles.map((b) => ({
      kind: "message",
      text: dom.visibleText(b.querySelector(".message, .text-content") || b, ".time, .message-time, .reactions"),
      conversation,
    }));
  }

  function profile(doc) {
    const panel = doc.querySelector(".profile-content, .Profile");
    if (!panel) return null;
    const name = dom.firstText(panel, [".profile-name", ".fullName", ".peer-title"]);
    const bio = dom.firstText(panel, [".profile-subtitle + .row .row-title", ".ChatExtra .title", ".row-title"]);
    return dom.profileUnit(name, bio, dom.linksIn(panel));
  }

  globalThis.Himaya.registerSite({
    name: "telegram",
    hosts: ["web.telegram.org"],
    extract(doc, loc) {
      return [profile(doc), ...messages(doc, loc)].filter(Boolean);
    },
  });
})();
