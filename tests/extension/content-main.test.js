// The content script end to end in jsdom, with a fake service worker: it
// sends new units once, draws the banner it is given, answers "collect", and
// keeps quiet when the service worker is gone.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { loadPage, fixture, CORE, closeWindows, captureShadowRoots } from "./helpers.js";

after(closeWindows);

const FILES = [...CORE, "content/sites/messenger.js", "content/sites/generic.js", "ui/banner.js", "content/main.js"];

function start(answer, { page = "messenger-chat.html", url = "https://www.messenger.com/t/100000777", site = "messenger" } = {}) {
  const sent = [];
  let listener = null;
  const html = fixture(page);
  const window = loadPage(html, url, []);
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
  loadPage.evalInto(window, FILES.map((f) => (f === "content/sites/messenger.js" ? `content/sites/${site}.js` : f)));
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
  assert.deepEqual(Array.from(scans[0].units, (u) => [u.text, u.speaker]), [
    ["slt cv ?", "other"],
    ["OWN_MESSAGE_MARKER", "self"],
    ["tu joues à quel jeu en ce moment ?", "other"],
  ]);
  assert.ok(scans[0].units.every((u) => u.via === "messenger"));
  assert.equal(window.document.querySelector("[data-himaya-warning]"), null);
  // the conversation goes on (what the fixture's own script does in a browser)
  for (const text of ["t'as quel âge ?", "ajoute-moi sur snap, on sera plus tranquilles"]) {
    const row = window.document.createElement("div");
    row.setAttribute("role", "row");
    const body = window.document.createElement("div");
    body.setAttribute("dir", "auto");
    body.textContent = text;
    row.append(body);
    window.document.getElementById("thread").append(row);
  }
  await settle();
  const later = sent.filter((m) => m.type === "scan").slice(1);
  assert.equal(later.length, 1, "debounced into one batch");
  assert.deepEqual(Array.from(later[0].units, (u) => u.conversation), ["messenger:t/100000777", "messenger:t/100000777"]);
  assert.equal(window.document.querySelector("[data-himaya-warning]").getAttribute("data-himaya-warning"), "medium");
});

test("the service worker can collect the units read so far (and only it)", async () => {
  const { listener, sent } = start(() => ({ state: "ok", banner: null }));
  await settle();
  let reply = null;
  listener()({ type: "collect" }, { id: "ext" }, (r) => (reply = r));
  assert.equal(reply.units.length, 3);
  // the volunteer's view: the last reading of the page, in page order; a report's units: newest first
  const pageOrder = Array.from(sent.find((m) => m.type === "scan").units, (u) => u.id);
  assert.deepEqual(Array.from(reply.read, (u) => u.id), pageOrder);
  assert.deepEqual(Array.from(reply.units, (u) => u.id), [...pageOrder].reverse());
  assert.deepEqual({ ...reply.reader }, { site: "messenger", fallback: false });
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

// -- the fallback: a known site whose reader finds nothing on a page full of text --

const FB_UNKNOWN = { page: "facebook-unknown-structure.html", url: "https://www.facebook.com/groups/100000555/", site: "facebook" };

test("a reader that finds nothing on a page full of text: the generic reader reads it, and the service worker hears the site once", async () => {
  const { window, sent, listener } = start(() => ({ state: "ok", banner: null }), FB_UNKNOWN);
  await settle();
  const missed = sent.filter((m) => m.type === "reader:missed");
  assert.deepEqual(missed.map((m) => ({ ...m })), [{ type: "reader:missed", site: "facebook" }], "the site and nothing else: no text, no address");
  const scanned = sent.filter((m) => m.type === "scan").flatMap((m) => Array.from(m.units));
  assert.ok(scanned.length >= 8, `generic units: ${scanned.length}`);
  assert.ok(scanned.every((u) => u.via === "generic" && u.kind === "post"));
  assert.ok(scanned.some((u) => /ajoute-moi sur snap/.test(u.text)), "the generic reader read the posts");
  // the page goes on changing: no second event for the same page
  window.document.querySelector('[role="main"]').insertAdjacentHTML("beforeend", "<div><span>Encore un message du groupe, assez long pour compter.</span></div>");
  await settle();
  assert.equal(sent.filter((m) => m.type === "reader:missed").length, 1);
  let reply = null;
  listener()({ type: "collect" }, { id: "ext" }, (r) => (reply = r));
  assert.deepEqual({ ...reply.reader }, { site: "facebook", fallback: true });
});

test("no fallback and no event when the page shows little text, on pages the reader never reads, or when the reader finds its units", async () => {
  const quietPage = start(() => ({ state: "ok", banner: null }), { ...FB_UNKNOWN, url: "https://www.facebook.com/settings/" });
  const known = start(() => ({ state: "ok", banner: null }), { page: "facebook-2025-feed.html", url: "https://www.facebook.com/", site: "facebook" });
  const small = start(() => ({ state: "ok", banner: null }), FB_UNKNOWN);
  small.window.document.querySelectorAll('[role="main"] .x6s0dn4').forEach((post, i) => i > 1 && post.remove()); // two posts left: under the limit
  await settle();
  for (const { sent } of [quietPage, known, small]) assert.equal(sent.filter((m) => m.type === "reader:missed").length, 0);
  assert.equal(quietPage.sent.filter((m) => m.type === "scan").length, 0, "a settings page: nothing read");
  assert.equal(small.sent.filter((m) => m.type === "scan").length, 0, "a little text: nothing read, nothing said");
  const units = known.sent.filter((m) => m.type === "scan").flatMap((m) => Array.from(m.units));
  assert.ok(units.length >= 4 && units.every((u) => u.via === "facebook"));
});

test("after a single-page navigation the new page can fall back (and be reported) again", async () => {
  const { window, sent } = start(() => ({ state: "ok", banner: null }), FB_UNKNOWN);
  await settle();
  window.history.pushState({}, "", "/groups/100000556/");
  window.document.querySelector('[role="main"]').insertAdjacentHTML("beforeend", "<div><span>Un autre groupe, une autre page.</span></div>");
  await settle();
  assert.equal(sent.filter((m) => m.type === "reader:missed").length, 2);
});
