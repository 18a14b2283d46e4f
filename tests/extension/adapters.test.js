// Each site adapter on a fixture page written for the project: what it reads,
// what it leaves out (hidden parts, the person's own messages), and the
// conversation id it gives chat messages.
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

test("messenger: each row a message of the conversation in the address, the person's own left out", () => {
  const { units } = extract("messenger-chat.html", "https://www.messenger.com/t/100000777", "messenger");
  assert.deepEqual(units, [
    { kind: "message", text: "slt cv ?", conversation: "t/100000777" },
    { kind: "message", text: "tu joues à quel jeu en ce moment ?", conversation: "t/100000777" },
  ]);
  assert.doesNotMatch(texts(units), /OWN_MESSAGE_MARKER|Sami Exemple|Vous avez envoyé/, "own row out; the sender heading is not the message");
});

test("messenger: a heading in a language we do not know, or 'You sent' in the message itself, is still read", () => {
  const { adapter, window } = extract("messenger-chat.html", "https://www.messenger.com/t/100000777", "messenger");
  const rows = window.document.querySelectorAll('[role="row"]');
  rows[1].querySelector("h5 span").textContent = "Has enviado"; // an interface language the list does not hold
  rows[0].querySelector('div[dir="auto"]').textContent = "You sent";
  const units = JSON.parse(JSON.stringify(adapter.extract(window.document, window.location)));
  assert.deepEqual(units.map((u) => u.text), ["You sent", "OWN_MESSAGE_MARKER", "tu joues à quel jeu en ce moment ?"]);
});

test("facebook's messages view uses the same rows: the person's own left out", () => {
  const { adapter, units } = extract("messenger-chat.html", "https://www.facebook.com/messages/t/100000777", "facebook");
  assert.equal(adapter.name, "facebook");
  assert.deepEqual(units.map((u) => [u.text, u.conversation]), [["slt cv ?", "t/100000777"], ["tu joues à quel jeu en ce moment ?", "t/100000777"]]);
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

test("instagram direct messages: the other side's only ('You sent' rows left out), names not read as text", () => {
  const { units } = extract("instagram-dm.html", "https://www.instagram.com/direct/t/340000000000777/", "instagram");
  assert.deepEqual(units, [
    { kind: "message", text: "hey, you're in the photo club, right?", conversation: "direct/340000000000777" },
    { kind: "message", text: "add me on snap, it's easier there", conversation: "direct/340000000000777" },
  ]);
});

test("instagram conversation with only the person's own messages reads nothing (not the header as a profile)", () => {
  const { adapter, window } = extract("instagram-dm.html", "https://www.instagram.com/direct/t/340000000000777/", "instagram");
  const rows = [...window.document.querySelectorAll('[role="row"]')];
  rows.filter((row) => !/OWN_/.test(row.textContent)).forEach((row) => row.remove());
  assert.deepEqual(JSON.parse(JSON.stringify(adapter.extract(window.document, window.location))), []);
});

test("tiktok profile: title, subtitle, bio and link; hidden comment left out", () => {
  const { units } = extract("tiktok-profile.html", "https://www.tiktok.com/@yassine.exemple", "tiktok");
  assert.equal(units[0].kind, "profile");
  assert.equal(units[0].text, "yassine.exemple\nYassine\nGamer 🎮 free fire, zidni 3al snap\nhttps://www.snapchat.com/add/yassine_000");
  assert.deepEqual(units.slice(1), [{ kind: "post", text: "premier commentaire" }]);
});

test("x profile and posts, links kept", () => {
  const { units } = extract("x-profile.html", "https://x.com/noor_example", "x");
  assert.equal(units[0].kind, "profile");
  assert.match(units[0].text, /^Noor@noor_example\nPhotography, travel, Tunis\n/);
  assert.match(units[0].text, /https:\/\/t\.co\/abc000/);
  assert.equal(units[2].text, "New album photos.example/album\nhttps://photos.example/album");
});

test("x direct messages carry the conversation id", () => {
  const { units } = extract("x-dm.html", "https://x.com/messages/1000-2000", "x");
  assert.deepEqual(units.map((u) => [u.kind, u.conversation]), [["message", "dm/1000-2000"], ["message", "dm/1000-2000"]]);
  assert.equal(units[1].text, "how old are you?");
});

test("whatsapp: incoming messages only, chat id from data-id", () => {
  const { units } = extract("whatsapp-chat.html", "https://web.whatsapp.com/", "whatsapp");
  assert.deepEqual(units, [
    { kind: "message", text: "salut, ça va ?", conversation: "21600000001@c.us" },
    { kind: "message", text: "ma t9oul l 7ad, c'est notre secret", conversation: "21600000001@c.us" },
  ]);
});

test("telegram: incoming bubbles without their time, conversation from the address fragment", () => {
  const { units } = extract("telegram-chat.html", "https://web.telegram.org/k/#@sami_exemple000", "telegram");
  assert.deepEqual(units.map((u) => u.text), ["Bienvenue dans le groupe privé", "rejoins vite : t.me/+ZyXw000Example"]);
  assert.ok(units.every((u) => u.conversation === "@sami_exemple000"));
});

const DISCORD_OTHER_SIDE = [
  { kind: "message", text: "gg for the match", conversation: "@me/1000000001" },
  { kind: "message", text: "add me on snap, better there", conversation: "@me/1000000001" },
  { kind: "message", text: "don't tell your parents about our chats", conversation: "@me/1000000001" },
];

test("discord: messages of the channel in the address; the signed-in person's own (and their follow-ups) left out", () => {
  const { units } = extract("discord-dm.html", "https://discord.com/channels/@me/1000000001", "discord");
  assert.deepEqual(units, DISCORD_OTHER_SIDE);
  assert.doesNotMatch(texts(units), /OWN_|REPLIED_PREVIEW_MARKER/, "a reply's preview is neither its author nor its text");
});

test("discord: when the signed-in person cannot be told (no panel, or a panel with two people), every message is read", () => {
  const everything = ["gg for the match", "add me on snap, better there", "OWN_MESSAGE_MARKER", "OWN_FOLLOWUP_MARKER", "don't tell your parents about our chats"];
  const noPanel = extract("discord-dm.html", "https://discord.com/channels/@me/1000000001", "discord");
  noPanel.window.document.querySelector('section[class*="panels"]').remove();
  assert.deepEqual(Array.from(noPanel.adapter.extract(noPanel.window.document, noPanel.window.location), (u) => u.text), everything);
  const twoPeople = extract("discord-dm.html", "https://discord.com/channels/@me/1000000001", "discord");
  const panel = twoPeople.window.document.querySelector('section[class*="panels"]');
  panel.insertAdjacentHTML("beforeend", '<img src="https://cdn.discordapp.com/avatars/300000000000000002/b00b1e5.webp?size=32" alt="">');
  assert.deepEqual(Array.from(twoPeople.adapter.extract(twoPeople.window.document, twoPeople.window.location), (u) => u.text), everything);
});

test("discord: a message whose author shows no id (a default avatar) is read, and so are its follow-ups", () => {
  const { adapter, window } = extract("discord-dm.html", "https://discord.com/channels/@me/1000000001", "discord");
  const own = window.document.getElementById("chat-messages-1000000001-2000000003").querySelector("img");
  own.setAttribute("src", "https://cdn.discordapp.com/embed/avatars/3.png");
  const read = adapter.extract(window.document, window.location).map((u) => u.text);
  assert.ok(read.includes("OWN_MESSAGE_MARKER") && read.includes("OWN_FOLLOWUP_MARKER"), read.join(" | "));
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
