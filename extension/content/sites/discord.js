/*
 * discord.com: messages in the open channel or direct conversation
 * (/channels/<server or @me>/<channel>), and an open user profile.
 *
 * Example:
 *   // at https://discord.com/channels/@me/1000000001
 *   Himaya.adapterFor("discord.com").extract(document, location)
 *   // -> [{kind: "message", text: "...", conversation: "@me/1000000001"}]
 */
(function () {
  "use strict";
  const { dom } = globalThis.Himaya;

  function messages(doc, loc) {
    const match = /^\/channels\/([^/]+)\/([^/?#]+)/.exec(loc.pathname);
    if (!match) return [];
    const conversation = `${match[1]}/${match[2]}`;
    return dom.visibleAll(doc, 'li[id^="chat-messages-"]').map((li) => ({
      kind: "message",
      text: dom.visibleText(li.querySelector('[id^="message-content-"]') || li),
      conversation,
    }));
  }

  function profile(doc) {
    const panel = doc.querySelector('[role="dialog"][aria-label*="rofil"], [class*="userProfile"]');
    if (!panel) return null;
    const name = dom.firstText(panel, ['[class*="nickname"]', '[class*="displayName"]', "h1", "h2"]);
    const bio = dom.firstText(panel, ['[class*="aboutMe"]', '[class*="bio"]']);
    return dom.profileUnit(name, bio, dom.linksIn(panel));
  }

  globalThis.Himaya.registerSite({
    name: "discord",
    hosts: ["discord.com"],
    extract(doc, loc) {
      return [profile(doc), ...messages(doc, loc)].filter(Boolean);
    },
  });
})();
