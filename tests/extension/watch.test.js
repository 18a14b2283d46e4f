// Never stop watching (issue 17), the content script's side: no cut-off on
// one address, newest units first, conversations taking turns, units held
// back while the service worker says "later" and dropped (and counted) only
// past the queue's bounds, a page that never stops changing still read, and
// a chat left and found again not sent twice.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { loadPage, CORE, closeWindows } from "./helpers.js";

after(closeWindows);

// A minimal reader for chat.example: every [data-msg] element is a message of conversation data-conv.
const ADAPTER = `Himaya.registerSite({ name: "chat", hosts: ["chat.example"], extract(doc) {
  return [...doc.querySelectorAll("[data-msg]")].map((el) => ({ kind: "message", text: el.textContent, conversation: el.dataset.conv }));
} });`;

/** The content script on chat.example with a fake service worker answering `answer(message, n)`. */
function start(answer) {
  const sent = [];
  let listener = null;
  const window = loadPage("<!doctype html><html><body><div id=chat></div></body></html>", "https://chat.example/", []);
  window.chrome = {
    runtime: {
      id: "ext",
      sendMessage: async (message) => {
        sent.push(JSON.parse(JSON.stringify(message)));
        return answer(message, sent.filter((m) => m.type === "scan").length);
      },
      onMessage: { addListener: (fn) => (listener = fn) },
    },
  };
  loadPage.evalInto(window, CORE);
  window.eval(ADAPTER);
  loadPage.evalInto(window, ["ui/banner.js", "content/main.js"]);
  const add = (conv, texts) => {
    const chat = window.document.getElementById("chat");
    const frag = window.document.createDocumentFragment();
    for (const text of texts) {
      const el = window.document.createElement("p");
      el.dataset.msg = "";
      el.dataset.conv = conv;
      el.textContent = text;
      frag.append(el);
    }
    chat.append(frag);
  };
  const reply = (type) => {
    let answer = null;
    listener({ type }, { id: "ext" }, (r) => (answer = r));
    return answer;
  };
  const scans = () => sent.filter((m) => m.type === "scan");
  return { window, sent, scans, add, state: () => reply("state"), collect: () => reply("collect") };
}

const settle = (ms = 600) => new Promise((r) => setTimeout(r, ms));
const lines = (prefix, n) => Array.from({ length: n }, (_, i) => `${prefix} ${i}`);
const ok = () => ({ state: "ok", banner: null, risky: [] });
const texts = (scans) => scans.flatMap((m) => m.units.map((u) => u.text));

async function until(check, ms = 5000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return;
    await settle(20);
  }
  assert.fail("condition not met in time");
}

test("no cut-off: 2 500 messages on one address are all sent, once each, in batches of at most 100", async () => {
  const { add, scans, state } = start(ok);
  await settle(100);
  add("a", lines("message", 700));
  await until(() => texts(scans()).length === 700);
  add("b", lines("suite", 1800)); // the old content script stopped following the page at 600
  await until(() => texts(scans()).length === 2500);
  await settle(300);
  const all = texts(scans());
  assert.equal(all.length, 2500);
  assert.equal(new Set(all).size, 2500, "nothing sent twice");
  assert.ok(scans().every((m) => m.units.length <= 100));
  const s = state().scanning;
  assert.equal(s.scanned, 2500);
  assert.equal(s.queued, 0);
  assert.equal(s.dropped, 0);
  assert.equal(s.seen, 2500);
});

/** A fake service worker that says "later" until `open` is set, and records the batches it accepted. */
function gate(retryAfterMs) {
  const g = { open: false, accepted: [] };
  g.answer = (m) => {
    if (!g.open) return { state: "deferred", retryAfterMs };
    g.accepted.push(m);
    return ok();
  };
  return g;
}

test("held back, then newest first, conversations taking turns: a flood in one chat does not starve another", async () => {
  const g = gate(150);
  const { add, scans } = start(g.answer);
  await settle(100);
  add("flood", lines("junk", 1500));
  await settle(400); // extracted, tried, held back
  assert.ok(scans().length >= 1);
  add("friend", ["are you coming to practice?"]);
  add("flood", ["junk last"]);
  await settle(500);
  g.open = true;
  await until(() => texts(g.accepted).length === 1502);
  const first = g.accepted[0].units.map((u) => u.text);
  assert.equal(first.length, 100);
  assert.ok(first.includes("are you coming to practice?"), "the quiet chat goes in the first batch accepted");
  assert.ok(first.includes("junk last"), "so does the newest flood line");
  assert.ok(!first.includes("junk 0"), "the oldest flood lines wait");
  assert.equal(first.indexOf("junk last"), first.length - 1, "within a batch, page order is kept");
  assert.deepEqual(texts(g.accepted.slice(-1)).slice(0, 1), ["junk 0"], "the oldest go last");
});

test("while held back, the queue keeps its bounds: the oldest are dropped, counted and reported; the newest are sent", async () => {
  const g = gate(100);
  const { add, scans, state, window } = start(g.answer);
  await settle(100);
  const limit = window.Himaya.limits.queueUnits;
  add("flood", lines("junk", limit + 500));
  await until(() => state().scanning.dropped === 500);
  assert.equal(state().scanning.queued, limit);
  g.open = true;
  await until(() => state().scanning.queued === 0);
  const accepted = texts(g.accepted);
  assert.equal(accepted.length, limit);
  assert.equal(new Set(accepted).size, limit);
  assert.ok(!accepted.includes("junk 499") && accepted.includes("junk 500"), "the 500 oldest were dropped");
  assert.ok(g.accepted[0].units.some((u) => u.text === `junk ${limit + 499}`), "the newest went first");
  await settle(200);
  const reported = scans().reduce((sum, m) => sum + (m.health ? m.health.dropped : 0), 0);
  assert.equal(reported, 500, "the dropped count reaches the service worker, once");
  assert.ok(state().scanning.deferred >= 100);
});

test("a page that never stops changing is still read (the wait for a quiet moment is capped)", async () => {
  const { add, scans, window } = start(ok);
  await settle(100);
  const before = scans().length;
  add("a", ["first message"]);
  const ticker = window.document.createElement("span");
  window.document.body.append(ticker);
  let n = 0;
  const busy = setInterval(() => (ticker.textContent = String(n++)), 100); // never quiet for 350 ms
  await settle(3000);
  const during = scans().length; // read while the page was still changing
  clearInterval(busy);
  assert.ok(during > before, "never read while the page kept changing");
});

test("the companion unreachable: units wait and go when it is back (retries space out)", async () => {
  let up = false;
  const { add, scans, state } = start(() => (up ? ok() : { state: "offline" }));
  await settle(100);
  add("a", ["bonjour", "ça va ?"]);
  await settle(800);
  assert.equal(state().scanning.queued, 2);
  assert.equal(scans().length, 1, "one try, then a pause");
  up = true;
  await until(() => state().scanning.queued === 0, 4000);
  assert.deepEqual(texts(scans().slice(-1)), ["bonjour", "ça va ?"]);
});

test("a chat left and found again is not sent twice; a unit that warned is read again on a new address", async () => {
  const { add, scans, window } = start((m) => ({ state: "ok", banner: null, risky: m.units.filter((u) => /snap/.test(u.text)).map((u) => u.id) }));
  await settle(100);
  add("t/1", ["slt", "ajoute-moi sur snap"]);
  await until(() => texts(scans()).length === 2);
  window.history.pushState({}, "", "/t/2");
  window.document.getElementById("chat").replaceChildren();
  add("t/2", ["autre chat"]);
  await until(() => texts(scans()).length === 3);
  window.history.pushState({}, "", "/t/1");
  window.document.getElementById("chat").replaceChildren();
  add("t/1", ["slt", "ajoute-moi sur snap"]);
  await until(() => texts(scans()).length === 4);
  await settle(500);
  assert.deepEqual(texts(scans()), ["slt", "ajoute-moi sur snap", "autre chat", "ajoute-moi sur snap"]);
});

test("a report carries the conversation on screen, newest first", async () => {
  const { add, window, collect } = start(ok);
  await settle(100);
  add("t/1", lines("un", 5));
  add("t/2", lines("deux", 3));
  await settle(700);
  window.document.getElementById("chat").replaceChildren(); // the person opens t/1 again
  add("t/1", ["un 4"]);
  await settle(700);
  assert.deepEqual(Array.from(collect().units, (u) => u.text), ["un 4", "un 3", "un 2", "un 1", "un 0"]);
});
