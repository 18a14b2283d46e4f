// The content script end to end in jsdom, with a fake service worker: it
// sends new units once, draws the banner it is given, answers "collect", and
// keeps quiet when the service worker is gone.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { loadPage, fixture, CORE, closeWindows, captureShadowRoots } from "./helpers.js";

after(closeWindows);

const FILES = [...CORE, "content/sites/messenger.js", "ui/banner.js", "content/main.js"];

function start(answer) {
  const sent = [];
  let listener = null;
  const html = fixture("messenger-chat.html");
  const window = loadPage(html, "https://www.messenger.com/t/100000777", []);
  const roots = captureShadowRoots(window);
  window.chrome = {
    runtime: {
      id: "ext",
      sendMessage: async (message) => {
        sent.push(message);
        return answer(message);
      },
      onMessage: { addListener: (fn) => (listener = fn) },
    },
  };
  loadPage.evalInto(window, FILES);
  const rootOf = (host) => (roots.find((r) => r.host === host) || {}).root;
  return { window, sent, listener: () => listener, rootOf };
}

const banner = {
  severity: "medium",
  lang: "fr",
  dir: "ltr",
  key: "HIM-PRIV-001",
  items: [{ title: "Demande", text: "Tu n'as rien fait de mal." }],
  strings: { heading: "h", calm: "c", steps: "s", report: "Signaler", wrong: "w", hide: "x", sending: "…", failed: "f" },
};

const settle = (ms = 500) => new Promise((r) => setTimeout(r, ms));

test("new messages are sent once, with the conversation, and the banner drawn", async () => {
  const { window, sent } = start((m) => (m.type === "scan" && m.units.some((u) => /snap/.test(u.text)) ? { state: "ok", banner } : { state: "ok", banner: null }));
  await settle();
  const scans = sent.filter((m) => m.type === "scan");
  assert.equal(scans.length, 1);
  assert.deepEqual(Array.from(scans[0].units, (u) => u.text), ["slt cv ?", "tu joues à quel jeu en ce moment ?"]);
  assert.equal(window.document.querySelector("[data-himaya-warning]"), null);
  // the conversation goes on (what the fixture's own script does in a browser)
  for (const text of ["t'as quel âge ?", "ajoute-moi sur snap, on sera plus tranquilles"]) {
    const row = window.document.createElement("div");
    row.setAttribute("role", "row");
    row.textContent = text;
    window.document.getElementById("thread").append(row);
  }
  await settle();
  const later = sent.filter((m) => m.type === "scan").slice(1);
  assert.equal(later.length, 1, "debounced into one batch");
  assert.deepEqual(Array.from(later[0].units, (u) => u.conversation), ["messenger:t/100000777", "messenger:t/100000777"]);
  assert.equal(window.document.querySelector("[data-himaya-warning]").getAttribute("data-himaya-warning"), "medium");
});

test("the service worker can collect the units read so far (and only it)", async () => {
  const { listener } = start(() => ({ state: "ok", banner: null }));
  await settle();
  let reply = null;
  listener()({ type: "collect" }, { id: "ext" }, (r) => (reply = r));
  assert.equal(reply.units.length, 2);
  reply = null;
  listener()({ type: "collect" }, { id: "another-extension" }, (r) => (reply = r));
  assert.equal(reply, null);
});

test("a missing service worker never breaks the page", async () => {
  const { window, sent } = start(() => Promise.reject(new Error("Extension context invalidated.")));
  await settle();
  assert.ok(sent.length >= 1);
  assert.equal(window.document.querySelector("[data-himaya-warning]"), null);
  assert.equal(window.document.querySelectorAll('[role="row"]').length, 3, "the page's rows, the person's own included, untouched");
});

const savedNotice = { kind: "saved", lang: "fr", dir: "ltr", strings: { heading: "Signaler avec Himaya", text: "Signalement enregistré (n° R1).", close: "Fermer" } };

test("a menu report's notice from the service worker is shown; one from elsewhere is ignored", async () => {
  const { window, listener, rootOf } = start(() => ({ state: "ok", banner: null }));
  await settle();
  let reply = null;
  listener()({ type: "notice", notice: savedNotice }, { id: "another-extension" }, (r) => (reply = r));
  assert.equal(reply, null);
  assert.equal(window.document.querySelector("[data-himaya-notice]"), null);
  listener()({ type: "notice", notice: savedNotice }, { id: "ext" }, (r) => (reply = r));
  assert.equal(reply.shown, true);
  const host = window.document.querySelector("[data-himaya-notice]");
  assert.equal(host.getAttribute("data-himaya-notice"), "saved");
  assert.equal(rootOf(host).querySelector("p").textContent, "Signalement enregistré (n° R1).");
});

test("with a warning on screen, the notice goes in the warning's status line instead of a second box", async () => {
  const { window, listener, rootOf } = start(() => ({ state: "ok", banner }));
  await settle();
  assert.ok(window.document.querySelector("[data-himaya-warning]"));
  let reply = null;
  listener()({ type: "notice", notice: savedNotice }, { id: "ext" }, (r) => (reply = r));
  assert.equal(reply.shown, true);
  assert.equal(window.document.querySelector("[data-himaya-notice]"), null);
  const status = rootOf(window.document.querySelector("[data-himaya-warning]")).querySelector(".status");
  assert.equal(status.textContent, "Signalement enregistré (n° R1).");
});
