/*
 * web.telegram.org, both web clients, every message with its speaker, and
 * open profile panels as a profile unit. The conversation id is the chat in
 * the address fragment (#@name or #-100...), else the chat title.
 *
 * Cues (tests/extension/fixtures: telegram-2025-k.html and telegram-2025-a.html
 * are the 2025–2026 structures, telegram-chat.html the older one):
 *   /k/  div.bubble with .is-in (other) or .is-out (self); service lines
 *        (.bubble.service: date headers, "joined the group", "pinned") are no
 *        message; the text is .message without its time (.time), reactions
 *        (reactions-element, .reactions) and reply preview (.reply)
 *   /a/  div.Message (own: .own); service lines are .ActionMessage and the
 *        date headers .sticky-date (never .Message); the text is .text-content
 *        without .MessageMeta (time, views), .Reactions (emoji buttons inside
 *        the text block) and .EmbeddedMessage (reply preview)
 *
 * Example:
 *   // at https://web.telegram.org/k/#@example_user
 *   Himaya.adapterFor("web.telegram.org").extract(document, location)
 *   // -> [{kind: "message", text: "...", conversation: "@example_user", speaker: "other"}]
 */
(function () {
  "use strict";
  const { dom, cues } = globalThis.Himaya;
  const SERVICE = ".service, .is-date, .ActionMessage, .sticky-date, .service-msg";
  const NOT_TEXT = [".time", ".message-time", ".MessageMeta", ".reactions", ".Reactions", "reactions-element", ".reply", ".EmbeddedMessage", ".bubble-name-forwarded"].join(", ");
  const MESSAGES = ".bubble, .Message"; // K, A; service lines filtered out

  function conversationId(doc, loc) {
    const hash = decodeURIComponent(loc.hash.replace(/^#/, ""));
    if (hash) return hash.slice(0, 120);
    const title = dom.firstText(doc, [".chat-info .peer-title", ".ChatInfo .fullName", ".chat-info"]);
    return title ? `title/${dom.hash(title)}` : null;
  }

  function speakerOf(el) {
    if (el.matches(".is-out, .own")) return "self";
    if (el.matches(".is-in, .Message")) return "other";
    return "unknown";
  }

  function messages(doc, loc) {
    const conversation = conversationId(doc, loc);
    return dom
      .visibleAll(doc, MESSAGES)
      .filter((b) => !b.matches(SERVICE))
      .map((b) => ({
        kind: "message",
        text: dom.visibleText(cues.one(b, [".text-content", ".message"]) || b, NOT_TEXT),
        conversation,
        speaker: speakerOf(b),
      }))
      .filter((u) => u.text);
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
    quiet: (loc) => !loc.hash.replace(/^#/, ""), // no chat open: the list of chats only
    extract(doc, loc) {
      return [profile(doc), ...messages(doc, loc)].filter(Boolean);
    },
  });
})();
