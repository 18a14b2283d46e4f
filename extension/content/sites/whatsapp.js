/*
 * web.whatsapp.com: the open conversation (#main), every message with its
 * speaker: "self" for the person's own (div.message-out, or a data-id
 * starting "true_"), "other" for the rest (div.message-in, "false_"). The
 * conversation id is the chat id in the messages' data-id
 * ("false_<chat>_<msg>[_<sender>]"), else the header title.
 *
 * Cues (tests/extension/fixtures: whatsapp-2025-chat.html is the 2025–2026
 * structure, whatsapp-chat.html the older one):
 *   pane     #main, else the region holding role="application" with rows
 *   message  div.message-in / div.message-out, else [data-id^="true_"] /
 *            [data-id^="false_"]
 *   text     the message's .selectable-text (inside the copyable-text block
 *            that data-pre-plain-text marks), never the whole bubble: a photo
 *            without a caption is only a sender name, a file size and a time,
 *            so it gives no unit; its caption, when it has one, is the text
 *
 * Example:
 *   Himaya.adapterFor("web.whatsapp.com").extract(document, location)
 *   // -> [{kind: "message", text: "...", conversation: "21600000001@c.us", speaker: "other"}]
 */
(function () {
  "use strict";
  const { dom, cues } = globalThis.Himaya;
  const QUOTED = '[aria-label="Quoted message"], [aria-label="Message cité"], [aria-label="رسالة مقتبسة"], .quoted-mention';

  function conversationId(main) {
    const withId = main.querySelector('[data-id^="false_"], [data-id^="true_"]');
    const parts = withId ? String(withId.getAttribute("data-id")).split("_") : [];
    if (parts.length >= 3 && parts[1]) return parts[1];
    const title = dom.firstText(main, ["header span[title]", '[data-testid="conversation-info-header-chat-title"]', "header"]);
    return title ? `title/${dom.hash(title)}` : null;
  }

  function speakerOf(msg) {
    if (msg.matches(".message-out") || msg.closest('[data-id^="true_"]') || msg.querySelector(".message-out")) return "self";
    if (msg.matches(".message-in") || msg.closest('[data-id^="false_"]') || msg.querySelector(".message-in")) return "other";
    return "unknown";
  }

  /** The message's own words, outside a quoted message; "" for media without a caption. */
  function textOf(msg) {
    const quoted = (el) => Boolean(el.closest(QUOTED) && msg.contains(el.closest(QUOTED)));
    for (const sel of ["[data-pre-plain-text] .selectable-text", ".selectable-text", ".copyable-text"]) {
      const found = dom.visibleAll(msg, sel).filter((el) => !quoted(el));
      if (found.length) return cues.outermost(found).map((el) => dom.visibleText(el)).join("\n");
    }
    return "";
  }

  globalThis.Himaya.registerSite({
    name: "whatsapp",
    hosts: ["web.whatsapp.com"],
    // no conversation open (the chat list only): nothing of its own to read
    quiet: (loc, doc) => !cues.one(doc, ["#main", 'footer [contenteditable="true"]']),
    extract(doc) {
      const main = cues.one(doc, ["#main"]);
      if (!main) return [];
      const conversation = conversationId(main);
      const { elements } = cues.first(main, ["div.message-in, div.message-out", '[data-id^="false_"], [data-id^="true_"]']);
      return cues
        .outermost(elements)
        .map((msg) => ({ kind: "message", text: textOf(msg), conversation, speaker: speakerOf(msg) }))
        .filter((u) => u.text);
    },
  });
})();
