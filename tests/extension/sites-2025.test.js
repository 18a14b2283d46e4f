// Each site's reader on the structure the site serves in 2025–2026
// (tests/extension/fixtures/*-2025-*.html, written from knowledge of the
// sites' DOM, never copied from a real page), and one test per case of
// issue 18: what the older readers got wrong on the real sites.
import { test } from "node:test";
import assert from "node:assert/strict";
import { extract, loadPage, fixture, CORE } from "./helpers.js";

const texts = (units) => units.map((u) => u.text).join("\n");
const pairs = (units) => units.map((u) => [u.text, u.speaker]);

// -- Facebook ----------------------------------------------------------------

test("facebook feed (2025): posts are aria-posinset wrappers without role=article; their text is the story_message mark", () => {
  const { units, window } = extract("facebook-2025-feed.html", "https://www.facebook.com/", "facebook");
  assert.equal(window.document.querySelectorAll('[role="feed"] [role="article"][aria-posinset], [aria-posinset][role="article"]').length, 0, "the fixture has no role=article post");
  const posts = units.filter((u) => u.kind === "post").map((u) => u.text);
  assert.deepEqual(posts, [
    "Entraînement des U13 samedi à 10h au stade municipal.\nLe planning est sur notre site : club-foot.example/planning #football\nhttps://club-foot.example/planning",
    "Mon fils sera là, merci coach !",
    "Parfait, à samedi.",
    "Qui a des nouvelles du marché de Noël de l’école ?",
  ]);
  assert.doesNotMatch(texts(units), /Voir plus|J’aime|Commenter|Partager|commentaires|Club Foot Exemple|Sara Exemple|\b3 h\b|HIDDEN_/, "no header, button, author or hidden post");
  assert.doesNotMatch(texts(units), /facebook\.com/, "the l.facebook.com redirect unwrapped; hashtag links not appended");
  assert.ok(!units.some((u) => u.kind === "profile"), "the home feed is no profile");
});

test("facebook feed (2025): a photo post without text gives no unit of its header and buttons", () => {
  const { units } = extract("facebook-2025-feed.html", "https://www.facebook.com/", "facebook");
  assert.doesNotMatch(texts(units), /Pâtisserie Exemple|gâteau/);
});

test("facebook feed: when the aria-posinset marker goes, the message marks alone still give the posts", () => {
  const { adapter, window } = extract("facebook-2025-feed.html", "https://www.facebook.com/", "facebook");
  for (const el of window.document.querySelectorAll("[aria-posinset]")) el.removeAttribute("aria-posinset"); // the position marker gone
  const units = adapter.extract(window.document, window.location);
  assert.ok(units.some((u) => u.text.startsWith("Entraînement des U13")), "the story_message marks alone still give the posts");
  assert.ok(units.some((u) => u.text === "Qui a des nouvelles du marché de Noël de l’école ?"));
});

test("facebook profile (2025): name, the card under the 'Intro' heading without its buttons, the website unwrapped", () => {
  const { units } = extract("facebook-2025-profile.html", "https://www.facebook.com/nizar.exemple.000", "facebook");
  const profile = units.find((u) => u.kind === "profile");
  assert.ok(profile, "a profile unit");
  assert.equal(
    profile.text,
    "Nizar Exemple\nCoach de jeunes gardiens 🧤 Séances privées, écris-moi sur snap : nizar_coach000\nHabite à Tunis\nt.me/nizar_coach000\nhttps://t.me/nizar_coach000"
  );
  assert.doesNotMatch(profile.text, /Modifier la bio|éléments à la une|Photos|Intro/);
  assert.deepEqual(units.filter((u) => u.kind === "post").map((u) => u.text), ["Stage de gardiens pendant les vacances, places limitées."]);
});

test("facebook profile (older): the data-pagelet intro still reads", () => {
  const { units } = extract("facebook-profile.html", "https://www.facebook.com/amine.exemple.000", "facebook");
  assert.match(units[0].text, /^Amine Exemple\nCoach de foot pour les jeunes du quartier ⚽\nAjoute-moi sur snap/);
});

test("facebook messages (2025): the grid's rows with speakers; a date row, hover buttons and 'Seen by' are not messages", () => {
  const { units } = extract("facebook-2025-messages.html", "https://www.facebook.com/messages/t/100000888", "facebook");
  assert.deepEqual(pairs(units), [
    ["salut, tu as fini l’exercice de maths ?", "other"],
    ["presque, il me reste le dernier", "self"],
    ["envoie-moi une photo de ta réponse", "other"],
  ]);
  assert.ok(units.every((u) => u.conversation === "t/100000888" && u.kind === "message"));
  assert.doesNotMatch(texts(units), /Aujourd’hui|Vu par|Rania Exemple|Discussions|Vous :/);
});

// -- Messenger, Instagram ----------------------------------------------------

test("messenger (2025): a group's rows; the name shown above a message is not its text; 'You sent' is self", () => {
  const { units } = extract("messenger-2025-chat.html", "https://www.messenger.com/t/100000999", "messenger");
  assert.deepEqual(pairs(units), [
    ["tournament is moved to Saturday 10am", "other"],
    ["ok I'll be there 👍", "self"],
    ["how old are you? you play like a pro", "other"],
  ]);
  assert.doesNotMatch(texts(units), /^Omar$|^Hedi$|Seen by|Today 16:40|see you Saturday/m);
});

test("instagram direct (2025): rows of the labelled grid with speakers; a shared post without text gives nothing", () => {
  const { units } = extract("instagram-2025-dm.html", "https://www.instagram.com/direct/t/340000000000888/", "instagram");
  assert.deepEqual(pairs(units), [
    ["tu fais partie du club photo du lycée ?", "other"],
    ["oui depuis septembre", "self"],
    ["ajoute-moi sur snap, c’est plus simple là-bas", "other"],
  ]);
  assert.ok(units.every((u) => u.conversation === "direct/340000000000888"));
  assert.doesNotMatch(texts(units), /Photo partagée|Hier 21:10|Voir le profil/);
});

test("instagram profile (2025): user name, full name, category and bio; not the counts, buttons or the avatar section", () => {
  const { units } = extract("instagram-2025-profile.html", "https://www.instagram.com/lina.exemple/", "instagram");
  assert.equal(units.length, 1);
  assert.equal(units[0].text, "lina.exemple\nLina\nMannequin\nCasting pour filles de 15 à 17 ans, argent facile 💸 écris-moi sur telegram\nhttps://t.me/lina_casting001");
});

// -- Telegram ----------------------------------------------------------------

test("telegram K (2025): service lines (date header, 'joined', 'pinned') are not messages; time, reactions and reply preview left out", () => {
  const { units } = extract("telegram-2025-k.html", "https://web.telegram.org/k/#-1000000000123", "telegram");
  assert.deepEqual(pairs(units), [
    ["Sortie photo samedi au parc du Belvédère", "other"],
    ["rejoins vite : t.me/+ZyXw001Example", "other"],
    ["je viens avec ma sœur", "self"],
  ]);
  assert.doesNotMatch(texts(units), /5 décembre|a rejoint|a épinglé|09:0\d|👍/);
  assert.ok(units.every((u) => u.conversation === "-1000000000123"));
});

test("telegram A (2025): the .Reactions inside the text block are no part of it, nor the time; .ActionMessage lines are not messages", () => {
  const { units } = extract("telegram-2025-a.html", "https://web.telegram.org/a/#-1000000000123", "telegram");
  assert.deepEqual(pairs(units), [
    ["Qui vient à la sortie photo ?", "other"],
    ["moi, avec mon appareil", "self"],
  ]);
  assert.doesNotMatch(texts(units), /👍|😂|\b3\b|09:1\d|a rejoint|a épinglé|5 décembre/);
});

// -- WhatsApp ----------------------------------------------------------------

test("whatsapp (2025): a photo without caption gives no unit; with a caption, the caption only; a reply without the quote", () => {
  const { units } = extract("whatsapp-2025-chat.html", "https://web.whatsapp.com/", "whatsapp");
  assert.deepEqual(pairs(units), [
    ["On lit quel livre pour jeudi ?", "other"],
    ["la couverture du livre", "other"],
    ["celui de la bibliothèque", "self"],
  ]);
  assert.ok(units.every((u) => u.conversation === "120363000000000001@g.us"));
  assert.doesNotMatch(texts(units), /245 ko|17:0\d|Karim Exemple|Lina Exemple|AUJOURD|a ajouté|Classe|Maman/);
});

test("whatsapp: no conversation open is a quiet page (the chat list is not the reader's to read)", () => {
  const { adapter, window } = extract("whatsapp-2025-chat.html", "https://web.whatsapp.com/", "whatsapp");
  assert.equal(adapter.quiet(window.location, window.document), false);
  window.document.getElementById("main").remove();
  assert.equal(adapter.quiet(window.location, window.document), true);
  assert.deepEqual(Array.from(adapter.extract(window.document, window.location)), []);
});

// -- X -----------------------------------------------------------------------

test("x (2025): @mentions and #hashtags stay in the text, never appended as x.com lines; t.co gives way to the address shown", () => {
  const { units } = extract("x-2025-profile.html", "https://x.com/noor_example", "x");
  assert.equal(units[0].kind, "profile");
  assert.equal(units[0].text, "Noor\n@noor_example\nPhotography, travel, Tunis. Prints with @lina_prints000 #photo\nhttps://noor.example/prints");
  assert.equal(units[1].text, "Sunset shoot with @sami_example000 today, the full album: photos.example/album/sunse\nhttps://photos.example/album/sunset-2026");
  assert.equal(units[2].text, "Exposition à la médiathèque samedi, entrée libre 📷 #Tunis");
  assert.doesNotMatch(texts(units), /t\.co|x\.com|twitter\.com/);
});

test("x: a t.co link that shows no address keeps its t.co address rather than nothing", () => {
  const { adapter, window } = extract("x-2025-profile.html", "https://x.com/noor_example", "x");
  window.document.querySelector('[data-testid="UserUrl"] span').textContent = "Website";
  const profile = adapter.extract(window.document, window.location)[0];
  assert.match(profile.text, /\nhttps:\/\/t\.co\/Abc000Xyz$/);
});

// -- TikTok ------------------------------------------------------------------

test("tiktok (2025): the bio link's target without a scheme is unwrapped from tiktok.com/link/v2", () => {
  const { units } = extract("tiktok-2025-profile.html", "https://www.tiktok.com/@yassine.exemple", "tiktok");
  assert.deepEqual(units, [{ kind: "profile", text: "yassine.exemple\nYassine\nGamer 🎮 free fire tous les soirs, zidni 3al snap\nhttps://snapchat.com/add/yassine_001" }]);
  assert.doesNotMatch(texts(units), /tiktok\.com\/link|Suivre|Followers|3400|clutch/);
});

test("tiktok: realHref unwraps scheme-less targets only from the redirect, and only when they look like an address", () => {
  const window = loadPage("<html><body></body></html>", "https://www.tiktok.com/@x", CORE);
  const href = (url) => {
    const a = window.document.createElement("a");
    a.setAttribute("href", url);
    return window.Himaya.dom.realHref(a);
  };
  assert.equal(href("https://www.tiktok.com/link/v2?aid=1988&target=wa.me%2F21600000000"), "https://wa.me/21600000000");
  assert.equal(href("https://www.tiktok.com/link/v2?aid=1988&target=https%3A%2F%2Ft.me%2Fexample000"), "https://t.me/example000");
  assert.equal(href("https://www.tiktok.com/link/v2?aid=1988&target=not%20an%20address"), "https://www.tiktok.com/link/v2?aid=1988&target=not%20an%20address");
  assert.equal(href("https://site.example/go?target=wa.me%2F21600000000"), "https://site.example/go?target=wa.me%2F21600000000", "another site's parameter is its own");
});

test("tiktok (2025): a video's description and comments are read without author, time or likes", () => {
  const { units } = extract("tiktok-2025-video.html", "https://www.tiktok.com/@club.danse.exemple/video/7400000000000000002", "tiktok");
  assert.deepEqual(units.map((u) => u.text), ["Répétition du spectacle de fin d'année #danse", "Bravo les filles !", "Merci ❤"]);
});

test("tiktok messages: the speaker from each item's avatar link against the chat's @name; no avatar is unknown", () => {
  const { units } = extract("tiktok-messages.html", "https://www.tiktok.com/messages?lang=fr", "tiktok");
  assert.deepEqual(pairs(units), [
    ["La répétition commence à 18h demain", "other"],
    ["d'accord, j'apporte la musique", "self"],
    ["merci", "unknown"],
  ]);
});

// -- Discord -----------------------------------------------------------------

test("discord (2025): the account panel's label and avatar tell the signed-in person's messages; a reply's preview is not read", () => {
  const { units } = extract("discord-2025-channel.html", "https://discord.com/channels/1100000000000000001/1100000000000000002", "discord");
  assert.deepEqual(pairs(units), [
    ["who's up for a match tonight?", "other"],
    ["voice channel at 9", "other"],
    ["I'm in after dinner", "self"],
    ["how old are you btw? add me on snap", "other"],
  ]);
  assert.doesNotMatch(texts(units), /🔥|Today at|17:1\d|Rami|@Rami/);
});

test("discord (2025): the panel found by its aria-label even when its generated class changes", () => {
  const { adapter, window } = extract("discord-2025-channel.html", "https://discord.com/channels/1100000000000000001/1100000000000000002", "discord");
  window.document.querySelector('section[aria-label="User area"]').className = "bottomBar_9a8b7c";
  assert.equal(adapter.extract(window.document, window.location)[2].speaker, "self");
  window.document.querySelector('section[aria-label="User area"]').setAttribute("aria-label", "Benutzerbereich");
  assert.equal(adapter.extract(window.document, window.location)[2].speaker, "unknown", "neither the label nor the class: nobody is self");
});

// -- every site has both structures -----------------------------------------

test("every site with a reader has a fixture of its 2025–2026 structure and one of its older structure", async () => {
  const { readdirSync } = await import("node:fs");
  const { FIXTURES } = await import("./helpers.js");
  const files = readdirSync(FIXTURES);
  for (const site of ["facebook", "instagram", "tiktok", "x", "messenger", "whatsapp", "telegram", "discord"]) {
    assert.ok(files.some((f) => f.startsWith(`${site}-2025-`)), `${site}: 2025–2026 fixture`);
    assert.ok(files.some((f) => f.startsWith(`${site}-`) && !f.startsWith(`${site}-2025-`) && f !== `${site}-unknown-structure.html`), `${site}: older fixture`);
    assert.match(fixture(files.find((f) => f.startsWith(`${site}-2025-`))), /2025–2026/, `${site}: the fixture says which structure it holds`);
  }
});
