/*
 * discord.com: messages in the open channel or direct conversation
 * (/channels/<server or @me>/<channel>), each with its speaker, and an open
 * user profile.
 *
 * Discord draws both sides alike, so the author decides: the avatar beside a
 * group's first message and the one in the account panel are
 * cdn.discordapp.com/avatars/<user id>/..., and a follow-up message (no
 * avatar, no header) belongs to the group above it. A message by the
 * signed-in person is "self", by anyone else "other"; when either id
 * cannot be read (no panel, two people in it, a default avatar) "unknown".
 *
 * Cues (tests/extension/fixtures: discord-2025-channel.html is the 2025–2026
 * structure, discord-dm.html the older one):
 *   message  li[id^="chat-messages-"] (the list item's id holds channel and
 *            message ids), else [data-list-item-id^="chat-messages"]
 *   text     [id="message-content-<message id>"], never a reply's preview
 *   panel    section[aria-label="User area"] (its label in fr and ar too),
 *            else the section whose generated class starts with "panels"
 *
 * Example:
 *   // at https://discord.com/channels/@me/1000000001
 *   Himaya.adapterFor("discord.com").extract(document, location)
 *   // -> [{kind: "message", text: "...", conversation: "@me/1000000001", speaker: "other"}]
 */
(function () {
  "use strict";
  const { dom, cues } = globalThis.Himaya;
  const AVATAR_USER = /\/avatars\/(\d{5,25})\//;
  const PANELS = ['section[aria-label="User area"]', 'section[aria-label="Espace utilisateur"]', 'section[aria-label="منطقة المستخدم"]', 'section[class*="panels"]'];
  const MESSAGES = ['li[id^="chat-messages-"]', '[data-list-item-id^="chat-messages"]'];

  /** The user id in a Discord avatar address, else null (default avatars carry none). */
  function avatarUser(img) {
    const match = img ? AVATAR_USER.exec(img.getAttribute("src") || "") : null;
    return match ? match[1] : null;
  }

  /** The signed-in person's id, from the account panel; null unless it shows exactly one. */
  function selfId(doc) {
    const panel = cues.one(doc, PANELS);
    if (!panel) return null;
    const ids = new Set([...panel.querySelectorAll("img")].map(avatarUser).filter(Boolean));
    return ids.size === 1 ? [...ids][0] : null;
  }

  /**
   * The author of a group's first message: the avatar beside its header (not
   * the small one of a message it replies to). undefined for a follow-up.
   */
  function groupAuthor(li) {
    const header = li.querySelector("h3");
    if (!header || !header.parentElement) return undefined;
    return avatarUser([...header.parentElement.children].find((el) => el.tagName === "IMG"));
  }

  /** The message's own text, not the preview of the message it replies to. */
  function messageText(li) {
    const id = (li.id || li.getAttribute("data-list-item-id") || "").split(/[-_]/).pop();
    const content = li.querySelector(`[id="message-content-${id}"]`) || li.querySelector('[id^="message-content-"]');
    return dom.visibleText(content || li);
  }

  function messages(doc, loc) {
    const match = /^\/channels\/([^/]+)\/([^/?#]+)/.exec(loc.pathname);
    if (!match) return [];
    const conversation = `${match[1]}/${match[2]}`;
    const me = selfId(doc);
    const out = [];
    let author = null; // unknown until a group's first message shows its avatar
    const { elements } = cues.first(doc, MESSAGES);
    for (const li of cues.outermost(elements)) {
      const first = groupAuthor(li);
      if (first !== undefined) author = first;
      const speaker = !me || !author ? "unknown" : author === me ? "self" : "other";
      out.push({ kind: "message", text: messageText(li), conversation, speaker });
    }
    return out.filter((u) => u.text);
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
    quiet: (loc) => !/^\/channels\/[^/]+\/[^/?#]+/.test(loc.pathname),
    extract(doc, loc) {
      return [profile(doc), ...messages(doc, loc)].filter(Boolean);
    },
  });
})();
