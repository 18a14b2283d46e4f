/*
 * web.whatsapp.com: the open conversation (#main). Incoming messages only
 * (div.message-in): the person's own messages are not a sign of danger to
 * them. The conversation id is the chat id in the messages' data-id
 * ("false_<chat>_<msg>"), else the header title.
 *
 * Example:
 *   Himaya.adapterFor("web.whatsapp.com").extract(document, location)
 *   // -> [{kind: "message", text: "...", conversation: "21600000001@c.us"}]
 */
(function () {
  "use strict";
  const { dom } = globalThis.Himaya;

  function conversationId(main) {
    const withId = main.querySelector("[data-id]");
    const parts = withId ? String(withId.getAttribute("data-id")).split("_") : [];
    if (parts.length >= 3 && parts[1]) return parts[1];
    const title = dom.firstText(main, ["header span[title]", '[data-testid="conversation-info-header-chat-title"]', "header"]);
    return title ? `title/${dom.hash(title)}` : null;
  }

  globalThis.Himaya.registerSite({
    name: "whatsapp",
    hosts: ["web.whatsapp.com"],
    extract(doc) {
      const main = doc.querySelector("#main");
      if (!main) return [];
      const conversation = conversationId(main);
      return dom.visibleAll(main, "div.message-in").map((msg) => ({
        kind: "message",
        text: dom.visibleText(msg.querySelector(".selectable-text, .copyable-text") || msg),
        conversation,
      }));
    },
  });
})();
