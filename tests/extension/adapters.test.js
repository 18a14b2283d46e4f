// Each site adapter on the OLDER structure of each site (the fixture pages the
// project wrote first): what it reads, what it leaves out (hidden parts),
// whose words each message holds (speaker), and the conversation id it gives
// chat messages. The 2025–2026 structures are in sites-2025.test.js.
import { test } from "node:test";
import assert from "node:assert/strict";
import { extract } from "./helpers.js";

const texts = (units) => units.map((u) => u.text).join("\n");

test("facebook profile: name, intro and unwrapped link in one profile unit; posts apart from comments", () => {
  const { adapter, units } = extract("facebook-profile.html", "https://www.facebook.com/amine.exemple.000", "facebook");
  assert.equal(adapter.name, "facebook");
  const profile = units.find((u) => u.kind === "profile");
  assert.ok(profile.text.startsWith("Amine Exemple\n"));
  assert.match(profile.text, /Ajoute-moi sur snap/);
  assert.match(profile.text, /https:\/\/t\.me\/\+AbCdEf000Example/, "l.facebook.com redirect unwrapped");
  const posts = units.filter((u) => u.kind === "post").map((u) => u.text);
  assert.deepEqual(posts, ["Entraînement samedi au stade, venez nombreux !", "Un commentaire sous la publication"]);
  assert.doesNotMatch(texts(units), /HIDDEN_/);
});

test("facebook on m.facebook.com uses the same adapter", () => {
  const { adapter } = extract("facebook-benign.html", "https://m.facebook.com/patisserie.exemple", "facebook");
  assert.equal(adapter.name, "facebook");
});

test("facebook benign page: profile and both posts, nothing else", () => {
  const { units } = extract("facebook-benign.html", "https://www.facebook.com/patisserie.exemple", "facebook");
  assert.deepEqual(units.map((u) => u.kind), ["profile", "post", "post"]);
});

test("messenger: each row a message of the conversation in the address, the person's own marked self", () => {
  const { units } = extract("messenger-chat.html", "https://www.messenger.com/t/100000777", "messenger");
  assert.deepEqual(units, [
    { kind: "message", text: "slt cv ?", conversation: "t/100000777", speaker: "other" },
    { kind: "message", text: "OWN_MESSAGE_MARKER", conversation: "t/100000777", speaker: "self" },
    { kind: "message", text: "tu joues à quel jeu en ce moment ?", conversation: "t/100000777", speaker: "other" },
  ]);
  assert.doesNotMatch(texts(units), /Sami Exemple|Vous avez envoyé/, "the sender heading is not the message");
});

test("messenger: 'You sent' in the message itself is the message; a heading in a language we do not know is 'unknown'", () => {
  const { adapter, window } = extract("messenger-chat.html", "https://www.messenger.com/t/100000777", "messenger");
  const rows = window.document.querySelectorAll('[role="row"]');
  rows[0].querySelector('div[dir="auto"]').textContent = "You sent";
  let units = JSON.parse(JSON.stringify(adapter.extract(window.document, window.location)));
  assert.deepEqual(units.map((u) => [u.text, u.speaker]), [["You sent", "other"], ["OWN_MESSAGE_MARKER", "self"], ["tu joues à quel jeu en ce moment ?", "other"]]);
  window.document.documentElement.lang = "es"; // an interface language whose "You sent" Himaya does not know
  rows[1].querySelector("h5 span").textContent = "Has enviado";
  units = JSON.parse(JSON.stringify(adapter.extract(window.document, window.location)));
  assert.deepEqual(units.map((u) => u.speaker), ["unknown", "unknown", "unknown"]);
});

test("facebook's messages view uses the same rows and speakers", () => {
  const { adapter, units } = extract("messenger-chat.html", "https://www.facebook.com/messages/t/100000777", "facebook");
  assert.equal(adapter.name, "facebook");
  assert.deepEqual(units.map((u) => [u.text, u.conversation, u.speaker]), [
    ["slt cv ?", "t/100000777", "other"],
    ["OWN_MESSAGE_MARKER", "t/100000777", "self"],
    ["tu joues à quel jeu en ce moment ?", "t/100000777", "other"],
  ]);
});

test("messenger outside a conversation reads nothing", () => {
  const { units } = extract("messenger-chat.html", "https://www.messenger.com/", "messenger");
  assert.deepEqual(units, []);
});

test("instagram profile: user name, bio and unwrapped link; caption and comment as posts", () => {
  const { adapter, units } = extract("instagram-profile.html", "https://www.instagram.com/lina.exemple/", "instagram");
  assert.equal(adapter.name, "instagram");
  const profile = units[0];
  assert.equal(profile.kind, "profile");
  assert.ok(profile.text.startsWith("lina.exemple\n"));
  assert.match(profile.text, /Casting mannequin/);
  assert.match(profile.text, /https:\/\/t\.me\/lina_casting000/);
  assert.deepEqual(units.slice(1).map((u) => u.text), ["Nouvelle séance photo ce week-end ✨", "trop belle"]);
});

test("instagram direct messages: both sides with their speaker ('You sent' rows are self), names not read as text", () => {
  const { units } = extract("instagram-dm.html", "https://www.instagram.com/direct/t/340000000000777/", "instagram");
  const conversation = "direct/340000000000777";
  assert.deepEqual(units, [
    { kind: "message", text: "hey, you're in the photo club, right?", conversation, speaker: "other" },
    { kind: "message", text: "OWN_MESSAGE_MARKER", conversation, speaker: "self" },
    { kind: "message", text: "OWN_SECOND_MARKER", conversation, speaker: "self" },
    { kind: "message", text: "add me on snap, it's easier there", conversation, speaker: "other" },
  ]);
});

test("instagram conversation with no message yet reads nothing (not the header as a profile)", () => {
  const { adapter, window } = extract("instagram-dm.html", "https://www.instagram.com/direct/t/340000000000777/", "instagram");
  window.document.querySelectorAll('[role="row"]').forEach((row) => row.remove());
  assert.deepEqual(JSON.parse(JSON.stringify(adapter.extract(window.document, window.location))), []);
});

test("tiktok profile: title, subtitle, bio and link; hidden comment left out", () => {
  const { units } = extract("tiktok-profile.html", "https://www.tiktok.com/@yassine.exemple", "tiktok");
  assert.equal(units[0].kind, "profile");
  assert.equal(units[0].text, "yassine.exemple\nYassine\nGamer 🎮 free fire, zidni 3al snap\nhttps://www.snapchat.com/add/yassine_000");
  assert.deepEqual(units.slice(1), [{ kind: "post", text: "premier commentaire" }]);
});

test("x profile and posts (older structure): the website as the domain it shows, links kept, legacy title expanded", () => {
  const { units } = extract("x-profile.html", "https://x.com/noor_example", "x");
  assert.equal(units[0].kind, "profile");
  assert.match(units[0].text, /^Noor@noor_example\nPhotography, travel, Tunis\n/);
  assert.match(units[0].text, /\nhttps:\/\/noor\.example\/$/, "t.co gives way to the domain the page shows");
  assert.doesNotMatch(texts(units), /t\.co\//);
  assert.equal(units[2].text, "New album photos.example/album\nhttps://photos.example/album");
  assert.equal(units[3].text, "Prints on sale pic.example/prin…\nhttps://pic.example/prints/2019", "the legacy title holds the whole address");
});

test("x direct messages carry the conversation id; the page shows no speaker", () => {
  const { units } = extract("x-dm.html", "https://x.com/messages/1000-2000", "x");
  assert.deepEqual(units.map((u) => [u.kind, u.conversation, u.speaker]), [["message", "dm/1000-2000", "unknown"], ["message", "dm/1000-2000", "unknown"]]);
  assert.equal(units[1].text, "how old are you?");
});

test("whatsapp (older structure): message-in is other, message-out self, chat id from data-id, the time left out", () => {
  const { units } = extract("whatsapp-chat.html", "https://web.whatsapp.com/", "whatsapp");
  assert.deepEqual(units, [
    { kind: "message", text: "salut, ça va ?", conversation: "21600000001@c.us", speaker: "other" },
    { kind: "message", text: "OWN_MESSAGE_MARKER", conversation: "21600000001@c.us", speaker: "self" },
    { kind: "message", text: "ma t9oul l 7ad, c'est notre secret", conversation: "21600000001@c.us", speaker: "other" },
  ]);
});

test("telegram (older structure): bubbles without their time, .is-out is self, no is-in means unknown", () => {
  const { units } = extract("telegram-chat.html", "https://web.telegram.org/k/#@sami_exemple000", "telegram");
  assert.deepEqual(units.map((u) => [u.text, u.speaker]), [
    ["Bienvenue dans le groupe privé", "unknown"],
    ["OWN_MESSAGE_MARKER", "self"],
    ["rejoins vite : t.me/+ZyXw000Example", "unknown"],
  ]);
  assert.ok(units.every((u) => u.conversation === "@sami_exemple000"));
});

const DISCORD_BOTH_SIDES = [
  ["gg for the match", "other"],
  ["add me on snap, better there", "other"],
  ["OWN_MESSAGE_MARKER", "self"],
  ["OWN_FOLLOWUP_MARKER", "self"],
  ["don't tell your parents about our chats", "other"],
];
const pairs = (units) => Array.from(units, (u) => [u.text, u.speaker]);

test("discord (older structure): messages of the channel in the address; the signed-in person's own (and their follow-ups) are self", () => {
  const { units } = extract("discord-dm.html", "https://discord.com/channels/@me/1000000001", "discord");
  assert.deepEqual(pairs(units), DISCORD_BOTH_SIDES);
  assert.ok(units.every((u) => u.conversation === "@me/1000000001"));
  assert.doesNotMatch(texts(units), /REPLIED_PREVIEW_MARKER/, "a reply's preview is neither its author nor its text");
});

test("discord: when the signed-in person cannot be told (no panel, or a panel with two people), every message is 'unknown'", () => {
  const unknown = DISCORD_BOTH_SIDES.map(([text]) => [text, "unknown"]);
  const noPanel = extract("discord-dm.html", "https://discord.com/channels/@me/1000000001", "discord");
  noPanel.window.document.querySelector('section[class*="panels"]').remove();
  assert.deepEqual(pairs(noPanel.adapter.extract(noPanel.window.document, noPanel.window.location)), unknown);
  const twoPeople = extract("discord-dm.html", "https://discord.com/channels/@me/1000000001", "discord");
  const panel = twoPeople.window.document.querySelector('section[class*="panels"]');
  panel.insertAdjacentHTML("beforeend", '<img src="https://cdn.discordapp.com/avatars/300000000000000002/b00b1e5.webp?size=32" alt="">');
  assert.deepEqual(pairs(twoPeople.adapter.extract(twoPeople.window.document, twoPeople.window.location)), unknown);
});

test("discord: a message whose author shows no id (a default avatar) is 'unknown', and so are its follow-ups", () => {
  const { adapter, window } = extract("discord-dm.html", "https://discord.com/channels/@me/1000000001", "discord");
  const own = window.document.getElementById("chat-messages-1000000001-2000000003").querySelector("img");
  own.setAttribute("src", "https://cdn.discordapp.com/embed/avatars/3.png");
  const read = pairs(adapter.extract(window.document, window.location));
  assert.deepEqual(read.slice(2, 4), [["OWN_MESSAGE_MARKER", "unknown"], ["OWN_FOLLOWUP_MARKER", "unknown"]]);
  assert.deepEqual(read[4], ["don't tell your parents about our chats", "other"]);
});

test("generic adapter for any other host: title, description, articles with links, hidden left out", () => {
  const { adapter, units } = extract("generic-page.html", "https://forum.example/t/1", "facebook");
  assert.equal(adapter.name, "generic");
  assert.deepEqual(units.map((u) => u.text), [
    "Forum Exemple\nUn forum de discussion (page inventée).",
    "Qui joue au basket ce samedi ?",
    "Le groupe du club de basket : rejoindre\nhttps://chat.whatsapp.com/AbC000Example",
  ]);
});

test("every adapter file registers exactly one adapter with a name and hosts", async () => {
  const { readdirSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { EXT, loadPage, CORE } = await import("./helpers.js");
  for (const file of readdirSync(join(EXT, "content", "sites"))) {
    const window = loadPage("<html><body></body></html>", "https://example.org/", [...CORE, `content/sites/${file}`]);
    assert.equal(window.Himaya.sites.length, 1, file);
    assert.equal(`${window.Himaya.sites[0].name}.js`, file);
    assert.ok(Array.isArray(window.Himaya.sites[0].hosts));
  }
});
