/*
 * discord.com: messages in the open channel or direct conversation
 * (/channels/<server or @me>/<channel>), and an open user profile.
 *
 * The person's own messages are left out: the child's own words are not a
 * sign of danger to the child. Discord draws both sides alike, so the author
 * decides: the avatar beside a group's first message and the one in the
 * account panel are cdn.discordapp.com/avatars/<user id>/..., and a
 * follow-up message (no avatar, no header) belongs to the group above it.
 * When either id cannot be read, the message is read as before.
 *
 * Example:
 *   // at https://discord.com/channels/@me/1000000001
 *   Himaya.adapterFor("discord.com").extract(document, location)
 *   // -> [{kind: "message", text: "...", conversation: "@me/1000000001"}]
 */
(function () {
  "use strict";
  const { dom } = globalThis.Himaya;
  const AVATAR_USER = /\/avatars\/(\d{5,25})\//;

  /** The user id in a Discord avatar address, else null (default avatars carry none). */
  function avatarUser(img) {
    const match = img ? AVATAR_USER.exec(img.getAttribute("src") || "") : null;
    return match ? match[1] : null;
  }

  /** The signed-in person's id, from the account panel; null unless it shows exactly one. */
  function selfId(doc) {
    const panel = doc.querySelector('section[class*="panels"]');
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
    const id = li.id.split("-").pop();
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
    for (const li of doc.querySelectorAll('li[id^="chat-messages-"]')) {
      const first = groupAuthor(li);
      if (first !== undefined) author = first;
      if ((me && author === me) || !dom.isVisible(li)) continue;
      out.push({ kind: "message", text: messageText(li), conversation });
    }
    return out;
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
