// The service worker's handlers with a fake companion and a fake browser:
// what reaches the child (banner), the parent (tab state), the badge, and the
// companion (reports, feedback), and the calm answer when it is not running.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHandlers } from "../../extension/background/handlers.js";
import { TabStore } from "../../extension/background/tabs.js";
import { TokenStore, memoryBackend } from "../../extension/background/secrets.js";
import { Pacer } from "../../extension/background/pacer.js";
import { SessionHealth } from "../../extension/background/health.js";
import { fakeFetch, memoryArea, messagesOf } from "./helpers.js";

const TITLE = { fr: "Demande de continuer sur une application privée", ar: "طلب مواصلة الحديث على تطبيق خاص", en: "Asking to continue on a private app" };
const match = (severity = "medium") => ({
  rule: "HIM-PRIV-001",
  category: "move-to-private",
  severity,
  spans: [[0, 9]],
  title: TITLE,
  explain: {
    child: { fr: "Tu n'as rien fait de mal. Reste où tu es.", ar: "لم تفعل أي خطأ. ابقَ حيث أنت.", en: "You have done nothing wrong. Stay where you are." },
    parent: { fr: "Parent fr", ar: "Parent ar", en: "Parent en" },
  },
});
const verdict = (id, severity) =>
  severity === "none" ? { id, risk: false, severity: "none", score: 0, matches: [] } : { id, risk: true, severity, score: 0.7, matches: [match(severity)] };

function setup({ routes = {}, settings, token = "tok", uiLang = "fr-FR", activeTab = true, pacer, live = null, healthDelayMs = 60000 } = {}) {
  const log = [];
  const badges = [];
  const local = memoryArea();
  const backend = memoryBackend();
  if (token) backend.data.set("token", token);
  if (settings) local.data.set("settings", settings);
  const session = memoryArea();
  const api = {
    action: {
      setBadgeText: async (b) => badges.push(["text", b.tabId, b.text]),
      setBadgeBackgroundColor: async (b) => badges.push(["color", b.tabId, b.color]),
      setTitle: async (b) => badges.push(["title", b.tabId, b.title]),
    },
    tabs: {
      get: async (id) => ({ id, windowId: 9, active: activeTab }),
      captureVisibleTab: async (windowId) => (windowId === 9 ? "data:image/png;base64,iVBORw0KGgo=" : null),
      sendMessage: async (tabId, message) => {
        log.push({ key: "tab message", body: message });
        if (message.type === "conceal") return { concealed: true };
        if (message.type === "state") return live;
        return { page: { url: "https://www.facebook.com/x", title: "X" }, units: [{ id: "p-1", kind: "post", text: "hello" }] };
      },
    },
    scripting: { executeScript: async () => [] },
  };
  const fetch = fakeFetch(routes, log);
  const secrets = new TokenStore({ backend, legacy: local });
  const health = new SessionHealth({
    area: session,
    delayMs: healthDelayMs,
    send: async (body) => {
      const response = await fetch("http://127.0.0.1:47615/api/v1/scan/health", { method: "POST", body: JSON.stringify(body) });
      if (!response.ok) throw new Error("refused");
    },
  });
  const handlers = createHandlers({
    api,
    fetch,
    local,
    secrets,
    pacer,
    health,
    tabs: new TabStore(memoryArea()),
    uiLanguage: () => uiLang,
    loadMessages: async (lang) => messagesOf(lang),
    now: () => Date.parse("2026-01-10T10:00:00Z"),
  });
  return { handlers, log, badges, local, backend, health, session, api };
}

const sender = { id: "ext", url: "https://www.facebook.com/x", tab: { id: 3, windowId: 9 } };
const page = { url: "https://www.facebook.com/x", title: "X" };
const units = [
  { id: "m-1", kind: "message", text: "ajoute-moi sur snap", conversation: "messenger:t/1" },
  { id: "m-2", kind: "message", text: "slt", conversation: "messenger:t/1" },
];
const batch = (results) => ({ "POST /scan/batch": (body) => [200, { results: results(body), rules_version: "2026.01.1" }] });

test("a risky unit gives a banner for the child, in the browser's language, and a badge", async () => {
  const { handlers, log, badges } = setup({ routes: batch(() => [verdict("m-1", "high"), verdict("m-2", "none")]), uiLang: "ar-TN" });
  const answer = await handlers.scan({ type: "scan", units, page }, sender);
  assert.equal(answer.state, "ok");
  assert.equal(answer.banner.severity, "high");
  assert.equal(answer.banner.dir, "rtl");
  assert.deepEqual(answer.banner.items, [{ title: TITLE.ar, text: "ابقَ حيث أنت." }], "the reassurance is said once, above the list");
  assert.equal(answer.banner.strings.report, messagesOf("ar").actionReport);
  assert.deepEqual(log[0].body.units[0], { ...units[0], url: page.url }, "the page address goes with each unit");
  assert.deepEqual(badges.filter((b) => b[1] === 3), [["text", 3, "1"], ["color", 3, "#c2410c"]]);
});

test("benign units: no banner, no badge, nothing kept for the parent", async () => {
  const { handlers, badges } = setup({ routes: batch(() => [verdict("m-1", "none"), verdict("m-2", "none")]) });
  const answer = await handlers.scan({ type: "scan", units, page }, sender);
  assert.equal(answer.banner, null);
  const state = await handlers["tab:state"]({ type: "tab:state", tabId: 3 });
  assert.deepEqual(state.tab.findings, []);
  // no text of its own: the tab shows the global badge (empty while protection is on, OFF when off)
  assert.deepEqual(badges.filter((b) => b[1] === 3), [["text", 3, null], ["color", 3, "#52606d"]]);
});

test("a severity the settings do not show gives no banner, and the parent sees nothing of it", async () => {
  const { handlers } = setup({ routes: batch(() => [verdict("m-1", "low")]), settings: { severities: ["high", "critical"] } });
  const answer = await handlers.scan({ type: "scan", units: units.slice(0, 1), page }, sender);
  assert.equal(answer.banner, null);
  assert.deepEqual((await handlers["tab:state"]({ type: "tab:state", tabId: 3 })).tab.findings, []);
});

test("the parent's view has the parent texts, spans and the unit; the badge counts warnings", async () => {
  const { handlers, badges } = setup({ routes: { ...batch((b) => b.units.map((u) => verdict(u.id, "medium"))), "GET /status": () => [200, { ok: true, rules_version: "2026.01.1", rules: { version: "2026.01.1", stale: true } }] } });
  await handlers.scan({ type: "scan", units, page }, sender);
  const state = await handlers["tab:state"]({ type: "tab:state", tabId: 3 });
  assert.equal(state.state, "ok");
  assert.equal(state.stale, true);
  assert.equal(state.tab.findings.length, 2);
  assert.deepEqual(state.tab.findings[0].matches[0].explain.parent, match().explain.parent);
  assert.equal(state.tab.findings[0].unit.text, "ajoute-moi sur snap");
  assert.deepEqual(badges.at(-2), ["text", 3, "2"]);
});

test("companion not running: a calm state, no banner, no throw", async () => {
  const { handlers } = setup({ routes: {} });
  assert.deepEqual(await handlers.scan({ type: "scan", units, page }, sender), { state: "offline" });
  const state = await handlers.status();
  assert.equal(state.state, "offline");
  const report = await handlers.report({ type: "report", units, page }, sender);
  assert.equal(report.state, "offline");
  assert.equal(report.status, messagesOf("fr").reportOffline);
});

test("the tab's state counts the units answered and those the companion could not answer", async () => {
  const { handlers } = setup({ routes: batch((b) => b.units.map((u) => verdict(u.id, "none"))) });
  await handlers.scan({ type: "scan", units, page }, sender);
  await handlers.scan({ type: "scan", units: units.slice(0, 1), page }, sender);
  let tab = (await handlers["tab:state"]({ type: "tab:state", tabId: 3 })).tab;
  assert.deepEqual([tab.scanned, tab.unanswered], [3, 0]);
  const offline = setup({ routes: {} });
  await offline.handlers.scan({ type: "scan", units, page }, sender);
  tab = (await offline.handlers["tab:state"]({ type: "tab:state", tabId: 3 })).tab;
  assert.deepEqual([tab.scanned, tab.unanswered], [0, 2]);
});

test("not paired: nothing is sent to the companion", async () => {
  const { handlers, log } = setup({ token: null, routes: batch(() => []) });
  assert.deepEqual(await handlers.scan({ type: "scan", units, page }, sender), { state: "unpaired" });
  assert.equal(log.length, 0);
});

test("Report sends the page, warned unit first, matches pointing at units, and a screenshot", async () => {
  const routes = {
    ...batch(() => [verdict("m-1", "high"), verdict("m-2", "none")]),
    "POST /reports": () => [201, { id: "R20260110-00000001", sha256: "a".repeat(64), created: "2026-01-10T10:00:00Z", outbox: "pending" }],
  };
  const { handlers, log } = setup({ routes });
  await handlers.scan({ type: "scan", units, page }, sender);
  const answer = await handlers.report({ type: "report", units: [units[1], units[0]], page }, sender);
  const body = log.find((l) => l.key === "POST /reports").body;
  assert.equal(body.url, page.url);
  assert.deepEqual(body.units.map((u) => u.id), ["m-1", "m-2"]);
  assert.ok(body.units.every((u) => !("conversation" in u)), "the companion's report units have no conversation field");
  assert.deepEqual(body.matches, [{ rule: "HIM-PRIV-001", severity: "high", category: "move-to-private", spans: [[0, 9]], unit: 0 }]);
  assert.equal(body.screenshot, "data:image/png;base64,iVBORw0KGgo=");
  assert.equal(answer.state, "ok");
  assert.match(answer.status, /R20260110-00000001/);
  assert.match(answer.status, new RegExp(messagesOf("fr").reportQueued.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
});

test("no screenshot rather than a screenshot of another tab", async () => {
  const routes = { "POST /reports": () => [201, { id: "R1", sha256: "b".repeat(64), created: "2026-01-10T10:00:00Z", outbox: "none" }] };
  const { handlers, log } = setup({ routes, activeTab: false });
  await handlers.report({ type: "report", units, page }, sender);
  assert.equal("screenshot" in log.at(-1).body, false);
});

test("This is wrong sends the rules that warned on the tab", async () => {
  const routes = { ...batch(() => [verdict("m-1", "high")]), "POST /feedback": () => [201, { id: 1 }] };
  const { handlers, log } = setup({ routes });
  assert.equal((await handlers.feedback({ type: "feedback", verdict: "wrong", page }, sender)).state, "empty");
  await handlers.scan({ type: "scan", units: units.slice(0, 1), page }, sender);
  const answer = await handlers.feedback({ type: "feedback", verdict: "wrong", page }, sender);
  assert.equal(answer.status, messagesOf("fr").feedbackWrongThanks);
  assert.deepEqual(log.at(-1).body, { rules: ["HIM-PRIV-001"], verdict: "wrong", url: page.url });
});

test("pairing stores the token and the port; the options page only learns 'paired'", async () => {
  const routes = { "POST /pair": (b) => (b.code === "1234-5678" ? [200, { token: "secret-token" }] : [403, { error: "pairing_failed" }]), "GET /status": () => [200, { ok: true }] };
  const { handlers, local, log, backend } = setup({ token: null, routes });
  assert.deepEqual(await handlers.pair({ type: "pair", code: "0000-0000", port: 50001 }), { ok: false, state: "pairing_failed", port: 50001 });
  const answer = await handlers.pair({ type: "pair", code: "1234-5678", port: 50001 });
  assert.equal(answer.ok, true);
  assert.equal(backend.data.get("token"), "secret-token", "in the extension's own database");
  assert.equal(local.data.has("token"), false, "not in storage.local, which Firefox's content scripts can read");
  assert.match(log.at(-1).url, /^http:\/\/127\.0\.0\.1:50001\//);
  const settings = await handlers["settings:get"]({ type: "settings:get" });
  assert.equal(settings.paired, true);
  assert.equal(settings.settings.port, 50001);
  assert.doesNotMatch(JSON.stringify(settings), /secret-token/);
});

test("settings are validated: unknown severities, languages and bad ports are ignored", async () => {
  const { handlers } = setup({ routes: { "GET /pin": () => [200, { set: false }] } });
  const answer = await handlers["settings:set"]({ type: "settings:set", settings: { lang: "de", port: 22, severities: ["high", "evil"], volunteer: "yes" } });
  assert.deepEqual(answer.settings, { port: 47615, lang: "auto", severities: ["high"], volunteer: false });
  const ar = await handlers["settings:set"]({ type: "settings:set", settings: { lang: "ar" } });
  assert.equal(ar.lang, "ar");
});

test("a new page on the tab clears its findings and badge", async () => {
  const { handlers, badges } = setup({ routes: batch(() => [verdict("m-1", "high")]) });
  await handlers.scan({ type: "scan", units: units.slice(0, 1), page }, sender);
  await handlers.page({ type: "page", page: { url: "https://www.facebook.com/y", title: "Y" } }, sender);
  const state = await handlers["tab:state"]({ type: "tab:state", tabId: 3 });
  assert.deepEqual(state.tab.findings, []);
  assert.equal(state.tab.url, "https://www.facebook.com/y");
  assert.deepEqual(badges.slice(-2), [["text", 3, null], ["color", 3, "#52606d"]], "the tab's own count is gone");
});

test("volunteer report of a page without a reader: the generic reader is injected, the selection comes first", async () => {
  const routes = { "POST /reports": () => [201, { id: "R2", sha256: "c".repeat(64), created: "2026-01-10T10:00:00Z", outbox: "none" }] };
  const log = [];
  const injected = [];
  let installed = false;
  // a tab with no content script until the generic reader is injected
  const local = memoryArea();
  local.data.set("token", "tok");
  local.data.set("settings", { volunteer: true });
  const volunteer = createHandlers({
    api: {
      action: { setBadgeText: async () => {}, setBadgeBackgroundColor: async () => {} },
      tabs: {
        get: async (id) => ({ id, windowId: 1, active: true }),
        captureVisibleTab: async () => "data:image/png;base64,iVBORw0KGgo=",
        sendMessage: async () => {
          if (!installed) throw new Error("Could not establish connection. Receiving end does not exist.");
          return { page: { url: "https://forum.example/t/1", title: "Forum" }, units: [{ id: "p-9", kind: "post", text: "Le groupe du club de basket" }] };
        },
      },
      scripting: {
        executeScript: async ({ target, files }) => {
          injected.push([target.tabId, files]);
          installed = true;
          return [];
        },
      },
    },
    fetch: fakeFetch(routes, log),
    local,
    tabs: new TabStore(memoryArea()),
    uiLanguage: () => "en",
    loadMessages: async (lang) => messagesOf(lang),
    now: () => 1000,
  });
  const answer = await volunteer["tab:report"]({ type: "tab:report", tabId: 12, note: "", selection: "texte sélectionné" });
  assert.equal(answer.state, "ok");
  assert.equal(injected.length, 1);
  assert.equal(injected[0][0], 12);
  assert.ok(injected[0][1].includes("content/sites/generic.js"));
  const body = log.at(-1).body;
  assert.equal(body.url, "https://forum.example/t/1");
  assert.deepEqual(body.units.map((u) => u.text), ["texte sélectionné", "Le groupe du club de basket"]);
  assert.deepEqual(body.matches, []);
});

test("Report on a page with nothing read and no warning sends nothing", async () => {
  const { handlers, log } = setup({ routes: {} });
  const empty = await handlers.report({ type: "report", units: [], page }, { ...sender, tab: { id: 77, windowId: 9 } });
  assert.equal(empty.state, "empty");
  assert.equal(empty.status, messagesOf("fr").reportNothing);
  assert.equal(log.filter((l) => l.key === "POST /reports").length, 0);
});

/** Handlers for the volunteer's context menu: a tab with a reader that records the notices it is sent. */
function volunteerSetup({ routes, uiLang = "fr-FR", settings = { volunteer: true }, token = "tok" }) {
  const log = [];
  const sent = [];
  const local = memoryArea();
  if (token) local.data.set("token", token);
  local.data.set("settings", settings);
  const handlers = createHandlers({
    api: {
      action: { setBadgeText: async () => {}, setBadgeBackgroundColor: async () => {} },
      tabs: {
        get: async (id) => ({ id, windowId: 1, active: true }),
        captureVisibleTab: async () => "data:image/png;base64,iVBORw0KGgo=",
        sendMessage: async (tabId, message) => {
          sent.push([tabId, message]);
          if (message.type === "collect") return { page: { url: "https://forum.example/t/1", title: "Forum" }, units: [{ id: "p-9", kind: "post", text: "Groupe privé" }] };
          return { shown: true };
        },
      },
      scripting: { executeScript: async () => [] },
    },
    fetch: fakeFetch(routes, log),
    local,
    tabs: new TabStore(memoryArea()),
    uiLanguage: () => uiLang,
    loadMessages: async (lang) => messagesOf(lang),
    now: () => 1000,
  });
  return { handlers, log, sent };
}

const saved = (outbox) => ({ "POST /reports": () => [201, { id: "R20260110-0000abcd", sha256: "d".repeat(64), created: "2026-01-10T10:00:00Z", outbox }] });

test("volunteer menu: the report is kept and the page is told so, with where it goes next", async () => {
  for (const [outbox, next] of [["pending", "reportQueued"], ["none", "reportKept"]]) {
    const { handlers, log, sent } = volunteerSetup({ routes: saved(outbox) });
    const answer = await handlers.menuReport({ menuItemId: "himaya-report", selectionText: "texte choisi" }, { id: 5 });
    assert.equal(answer.state, "ok");
    assert.equal(answer.notice, true);
    assert.deepEqual(log.at(-1).body.units.map((u) => u.text), ["texte choisi", "Groupe privé"]);
    const [tabId, message] = sent.at(-1);
    assert.equal(tabId, 5);
    assert.equal(message.type, "notice");
    const fr = messagesOf("fr");
    assert.deepEqual(Object.keys(message.notice).sort(), ["dir", "kind", "lang", "strings"]);
    assert.equal(message.notice.kind, "saved");
    assert.equal(message.notice.dir, "ltr");
    assert.equal(message.notice.strings.heading, fr.menuReport);
    assert.equal(message.notice.strings.close, fr.actionClose);
    assert.match(message.notice.strings.text, /R20260110-0000abcd/);
    assert.ok(message.notice.strings.text.endsWith(fr[next]), `${outbox}: ${message.notice.strings.text}`);
  }
});

test("volunteer menu with the companion stopped: a calm 'not saved' notice, in Arabic right to left", async () => {
  const { handlers, sent } = volunteerSetup({ routes: {}, uiLang: "ar" });
  const answer = await handlers.menuReport({ menuItemId: "himaya-report", selectionText: "نص" }, { id: 6 });
  assert.equal(answer.state, "offline");
  const notice = sent.at(-1)[1].notice;
  assert.equal(notice.kind, "not-saved");
  assert.equal(notice.dir, "rtl");
  assert.equal(notice.lang, "ar");
  assert.equal(notice.strings.text, messagesOf("ar").reportOfflineParent);
});

test("volunteer menu when not linked: the notice says how to link, nothing is sent", async () => {
  const { handlers, log, sent } = volunteerSetup({ routes: saved("none"), uiLang: "en", token: null });
  const answer = await handlers.menuReport({ menuItemId: "himaya-report", selectionText: "x" }, { id: 8 });
  assert.equal(answer.state, "unpaired");
  assert.equal(log.length, 0);
  assert.equal(sent.at(-1)[1].notice.kind, "not-saved");
  assert.equal(sent.at(-1)[1].notice.strings.text, messagesOf("en").stateUnpaired);
});

test("volunteer menu: the selection is cleaned like any message (control characters, length)", async () => {
  const { handlers, log } = volunteerSetup({ routes: saved("none") });
  await handlers.menuReport({ menuItemId: "himaya-report", selectionText: `a\u0000b${"x".repeat(5000)}` }, { id: 5 });
  const first = log.at(-1).body.units[0].text;
  assert.ok(first.startsWith("a\ufffdb"));
  assert.equal(first.length, 4000);
});

test("volunteer menu on a page the browser protects: the report's answer comes back, no notice shown", async () => {
  const log = [];
  const local = memoryArea();
  local.data.set("token", "tok");
  local.data.set("settings", { volunteer: true });
  const handlers = createHandlers({
    api: {
      tabs: { sendMessage: async () => { throw new Error("Cannot access contents of the page"); } },
      scripting: { executeScript: async () => { throw new Error("Cannot access a chrome:// URL"); } },
    },
    fetch: fakeFetch(saved("none"), log),
    local,
    tabs: new TabStore(memoryArea()),
    uiLanguage: () => "fr",
    loadMessages: async (lang) => messagesOf(lang),
  });
  const answer = await handlers.menuReport({ menuItemId: "himaya-report", linkUrl: "https://forum.example/x" }, { id: 9 });
  assert.equal(answer.notice, false);
  assert.equal(answer.state, "ok", "the link alone is still reported");
  assert.deepEqual(log.at(-1).body.units.map((u) => u.text), ["https://forum.example/x"]);
});


// -- protection that is off looks off; the parent's texts and PIN ------------------

test("protection off shows an OFF badge and says why in the title; back on, the badge clears", async () => {
  const offline = setup({ routes: { "POST /scan/batch": "offline" } });
  assert.equal((await offline.handlers.scan({ type: "scan", units, page }, sender)).state, "offline");
  assert.deepEqual(offline.badges.filter((b) => b[1] === undefined && b[0] !== "title"), [["text", undefined, "OFF"], ["color", undefined, "#52606d"]]);
  // the tab drops its own text and shows the global OFF, not an empty badge
  assert.deepEqual(offline.badges.filter((b) => b[1] === 3), [["text", 3, null], ["color", 3, "#52606d"]]);
  assert.equal(offline.badges.find((b) => b[0] === "title")[2], messagesOf("fr").badgeOffOffline);
  const unpaired = setup({ token: null });
  await unpaired.handlers.scan({ type: "scan", units, page }, sender);
  assert.equal(unpaired.badges.find((b) => b[0] === "title")[2], messagesOf("fr").badgeOffUnpaired);
  const back = setup({ routes: { "GET /status": () => [200, { ok: true, rules: { version: 6, created: "2026-11-29T12:24:08Z" } }] } });
  await back.handlers.scan({ type: "scan", units, page }, { ...sender }).catch(() => {});
  const health = await back.handlers.health();
  assert.equal(health.state, "ok");
  assert.equal(health.listVersion, 6);
  assert.equal(health.listDate, "2026-11-29T12:24:08Z");
  assert.deepEqual(back.badges.filter((b) => b[1] === undefined && b[0] === "text").at(-1), ["text", undefined, ""]);
});

test("an idle tab with warnings turns OFF when the heartbeat finds the companion gone, and its count comes back", async () => {
  const on = () => [200, { ok: true, rules: { version: 6, created: "2026-11-29T12:24:08Z" } }];
  const routes = { ...batch(() => [verdict("m-1", "high"), verdict("m-2", "none")]), "GET /status": on };
  const { handlers, badges, api } = setup({ routes });
  api.tabs.query = async () => [{ id: 3 }, { id: 4 }];
  await handlers.health();
  await handlers.scan({ type: "scan", units, page }, sender);
  assert.deepEqual(badges.filter((b) => b[1] === 3 && b[0] === "text").at(-1), ["text", 3, "1"]);
  routes["GET /status"] = "offline";
  badges.length = 0;
  assert.equal((await handlers.health()).state, "offline"); // the heartbeat; no new scan on the tab
  assert.deepEqual(badges.filter((b) => b[1] === undefined && b[0] === "text"), [["text", undefined, "OFF"]]);
  assert.deepEqual(badges.filter((b) => b[1] === 3 && b[0] === "text"), [["text", 3, null]], "the count gives way to OFF");
  assert.deepEqual(badges.filter((b) => b[1] === 4 && b[0] === "text"), [["text", 4, null]]);
  routes["GET /status"] = on;
  badges.length = 0;
  await handlers.health();
  assert.deepEqual(badges.filter((b) => b[1] === 3 && b[0] === "text"), [["text", 3, "1"]], "back on: the tab's warnings again");
});

test("pairing errors tell the parent what to do: empty code, bad port, nothing on the port, too many tries", async () => {
  const routes = { "POST /pair": () => [403, { error: "pairing_locked" }] };
  const { handlers } = setup({ token: null, routes });
  assert.equal((await handlers.pair({ type: "pair", code: "", port: 47615 })).state, "empty_code");
  assert.equal((await handlers.pair({ type: "pair", code: "1234-5678", port: 80 })).state, "bad_port");
  assert.equal((await handlers.pair({ type: "pair", code: "1234-5678", port: 47615 })).state, "pairing_locked");
  const nobody = setup({ token: null, routes: { "POST /pair": "offline" } });
  assert.deepEqual(await nobody.handlers.pair({ type: "pair", code: "1234-5678", port: 48000 }), { ok: false, state: "offline", port: 48000 });
  for (const lang of ["fr", "ar", "en"]) {
    assert.match(messagesOf(lang).pairOffline, /\{port\}/);
    assert.match(messagesOf(lang).pairLocked, /himaya pair/);
  }
});

test("the banner: identical items once, reassurance once, most serious first, at most three, the network's report form", async () => {
  const item = (rule, severity, title, child) => ({ rule, category: "x", severity, spans: [], title: { fr: title }, explain: { child: { fr: child }, parent: {} } });
  const results = () => [{
    id: "m-1", risk: true, severity: "critical", score: 1,
    matches: [
      item("A1", "medium", "Quelqu'un demande ton âge", "Tu n'as rien fait de mal. Quelqu'un te demande ton âge."),
      item("A5", "medium", "Quelqu'un demande ton âge", "Tu n'as rien fait de mal. Quelqu'un te demande ton âge."),
      item("B1", "critical", "Menace", "Tu n'as rien fait de mal, et ce n'est pas ta faute. On te menace."),
      item("C1", "high", "Rencontre", "Tu n'as rien fait de mal. On te propose de te voir."),
      item("D1", "medium", "Secret", "Tu n'as rien fait de mal. On te demande un secret."),
    ],
  }];
  const { handlers } = setup({ routes: batch(results) });
  const { banner } = await handlers.scan({ type: "scan", units: units.slice(0, 1), page: { url: "https://www.instagram.com/direct/t/1", title: "" } }, sender);
  assert.deepEqual(banner.items.map((i) => i.title), ["Menace", "Rencontre", "Quelqu'un demande ton âge"]);
  assert.ok(banner.items.every((i) => !/rien fait de mal/.test(i.text)), JSON.stringify(banner.items));
  assert.equal(banner.items[0].text, "On te menace.");
  assert.deepEqual(banner.platform, { url: "https://help.instagram.com/192435014247952", label: "Signaler à Instagram" });
});

test("'This is wrong' on a critical warning is kept until a parent decides, and the child is told gently", async () => {
  const routes = { "POST /scan/batch": batch(() => [verdict("m-1", "critical")])["POST /scan/batch"], "POST /feedback": () => [201, { id: 1, allowed: [], needs_pin: ["HIM-PRIV-001"] }] };
  const { handlers } = setup({ routes });
  await handlers.scan({ type: "scan", units: units.slice(0, 1), page }, sender);
  const answer = await handlers.feedback({ type: "feedback", verdict: "wrong", page }, sender);
  assert.equal(answer.kept, true);
  assert.equal(answer.status, messagesOf("fr").feedbackWrongKept);
});

test("with a PIN set, options and unpairing need it; a right PIN opens them for a while", async () => {
  let pinOk = false;
  const routes = {
    "GET /pin": () => [200, { set: true }],
    "POST /unlock": (b) => (b.pin === "2468" ? ((pinOk = true), [200, { unlock: "u-1", expires: "2026-01-10T10:10:00.000Z" }]) : [403, { error: "pin_wrong" }]),
    "GET /history": (_, headers) => (headers["X-Himaya-Unlock"] === "u-1" ? [200, { warnings: [], allowed: [], extension: {} }] : [403, { error: "pin_required" }]),
  };
  const { handlers, backend } = setup({ routes });
  assert.equal((await handlers["settings:set"]({ type: "settings:set", settings: { lang: "ar" } })).state, "pin_required");
  assert.equal((await handlers.unpair({ type: "unpair" })).ok, false);
  assert.equal(backend.data.get("token"), "tok");
  assert.equal((await handlers["history:get"]({ type: "history:get" })).state, "pin_required");
  const wrong = await handlers["pin:unlock"]({ type: "pin:unlock", pin: "1111" });
  assert.equal(wrong.ok, false);
  assert.equal(wrong.status, messagesOf("fr").pinWrong);
  assert.equal((await handlers["pin:unlock"]({ type: "pin:unlock", pin: "2468" })).ok, true);
  assert.ok(pinOk);
  assert.equal((await handlers["history:get"]({ type: "history:get" })).state, "ok");
  assert.equal((await handlers["settings:set"]({ type: "settings:set", settings: { lang: "ar" } })).lang, "ar");
});

test("the report's screenshot is taken with the banner concealed, then it comes back", async () => {
  const routes = { ...batch(() => [verdict("m-1", "high")]), "POST /reports": () => [201, { id: "R20260110-0a0b0c0d", sha256: "0".repeat(64), created: "2026-01-10T10:00:00Z", outbox: "none" }] };
  const { handlers, log } = setup({ routes });
  await handlers.scan({ type: "scan", units: units.slice(0, 1), page }, sender);
  await handlers.report({ type: "report", page, units: [] }, sender);
  const order = log.filter((l) => l.key === "tab message" || l.key === "POST /reports").map((l) => (l.body.type === "conceal" ? `conceal:${l.body.conceal}` : l.key));
  assert.deepEqual(order, ["conceal:true", "conceal:false", "POST /reports"]);
});

test("a token left in storage.local by an older version moves to the service worker's database", async () => {
  const { handlers, local, backend, log } = setup({ token: null, routes: { ...batch(() => [verdict("m-1", "none")]), "GET /pin": () => [200, { set: false }] } });
  local.data.set("token", "old-token");
  await handlers.scan({ type: "scan", units: units.slice(0, 1), page }, sender);
  assert.equal(log[0].headers["X-Himaya-Token"], "old-token");
  assert.equal(backend.data.get("token"), "old-token");
  assert.equal(local.data.has("token"), false);
  await handlers.unpair({ type: "unpair" });
  assert.equal(backend.data.has("token"), false);
  assert.equal((await handlers["settings:get"]({ type: "settings:get" })).paired, false);
});

test("a scan answers the ids of the units it warns about (the content script reads them again on a new address)", async () => {
  const { handlers } = setup({ routes: batch(() => [verdict("m-1", "high"), verdict("m-2", "none")]) });
  const answer = await handlers.scan({ type: "scan", units, page }, sender);
  assert.deepEqual(answer.risky, ["m-1"]);
});

test("the extension keeps its own pace: past the burst, 'deferred' with the wait, and nothing sent", async () => {
  let clock = 0;
  const pacer = new Pacer({ rate: 100, burst: 150, now: () => clock });
  const { handlers, log } = setup({ routes: batch((b) => b.units.map((u) => verdict(u.id, "none"))), pacer });
  const many = Array.from({ length: 100 }, (_, i) => ({ id: `m-${i}`, kind: "message", text: `x ${i}` }));
  assert.equal((await handlers.scan({ type: "scan", units: many, page }, sender)).state, "ok");
  const later = await handlers.scan({ type: "scan", units: many, page }, sender);
  assert.deepEqual(later, { state: "deferred", retryAfterMs: 500 });
  assert.equal(log.filter((l) => l.key === "POST /scan/batch").length, 1);
  clock += 500;
  assert.equal((await handlers.scan({ type: "scan", units: many, page }, sender)).state, "ok");
});

test("the companion's 429: 'deferred' for its Retry-After, and every tab holds until then", async () => {
  let clock = 0;
  let limited = true;
  const routes = {
    "POST /scan/batch": (b) => (limited ? [429, { error: "rate_limited", detail: "retry in 3 s" }, { "Retry-After": "3" }] : [200, { results: b.units.map((u) => verdict(u.id, "none")) }]),
  };
  const { handlers, log } = setup({ routes, pacer: new Pacer({ now: () => clock }) });
  assert.deepEqual(await handlers.scan({ type: "scan", units, page }, sender), { state: "deferred", retryAfterMs: 3000 });
  limited = false;
  const otherTab = { ...sender, tab: { id: 4, windowId: 9 } };
  assert.deepEqual(await handlers.scan({ type: "scan", units, page }, otherTab), { state: "deferred", retryAfterMs: 3000 });
  assert.equal(log.length, 1, "held: nothing sent");
  clock += 3000;
  assert.equal((await handlers.scan({ type: "scan", units, page }, otherTab)).state, "ok");
});

test("scanning counts add up per tab (for the popup) and per session, reported to the companion without text; units scanned are the service worker's own count", async () => {
  const routes = { ...batch(() => [verdict("m-1", "none"), verdict("m-2", "none")]), "POST /scan/health": () => [200, { ok: true }] };
  const { handlers, log, health } = setup({ routes, live: { scanning: { queued: 7 }, banner: { warning: { restored: 2 } } } });
  await handlers.scan({ type: "scan", units, page, health: { scanned: 100, deferred: 5, dropped: 0, restored: 0, maxWaitMs: 120 } }, sender);
  await handlers.scan({ type: "scan", units, page, health: { scanned: 40, deferred: 0, dropped: 30, restored: 2, maxWaitMs: 12000 } }, { ...sender, tab: { id: 4 } });
  await handlers.scan({ type: "scan", units, page: { url: "", title: "" }, health: null }, sender);
  const tab = await handlers["tab:state"]({ type: "tab:state", tabId: 4 });
  assert.deepEqual(tab.tab.health, { deferred: 0, dropped: 30, restored: 2, maxWaitMs: 12000 });
  assert.deepEqual([tab.tab.scanned, tab.tab.unanswered], [units.length, 0], "what the companion answered, not what the page claims");
  assert.deepEqual(tab.live, { queued: 7, restored: 2 });
  assert.equal(await health.flush(), true);
  const sentHealth = log.filter((l) => l.key === "POST /scan/health");
  assert.equal(sentHealth.length, 1);
  const body = sentHealth[0].body;
  assert.match(body.session, /^[0-9a-f-]{36}$/);
  assert.deepEqual({ ...body, session: null, started: null }, { session: null, started: null, scanned: 3 * units.length, deferred: 5, dropped: 30, restored: 2, max_wait_ms: 12000 });
  assert.equal(await health.flush(), false, "nothing new: not sent again");
  await handlers.page({ type: "page", page }, { ...sender, tab: { id: 4 } });
  const next = (await handlers["tab:state"]({ type: "tab:state", tabId: 4 })).tab;
  assert.deepEqual([next.health.dropped, next.scanned, next.findings.length], [30, units.length, 0], "a new page on the tab keeps the tab's counts");
});

test("if the extension's database cannot be opened, the token is kept in session storage (still out of content scripts' reach)", async () => {
  const { areaBackend } = await import("../../extension/background/secrets.js");
  const broken = { get: async () => Promise.reject(new Error("IndexedDB unavailable")), set: async () => Promise.reject(new Error("x")), delete: async () => {} };
  const session = memoryArea();
  const legacy = memoryArea();
  legacy.data.set("token", "old");
  const store = new TokenStore({ backend: broken, fallback: areaBackend(session), legacy });
  assert.equal(await store.get(), "old");
  assert.equal(session.data.get("token"), "old");
  assert.equal(legacy.data.has("token"), false);
  await store.set("new");
  assert.equal(await new TokenStore({ backend: broken, fallback: areaBackend(session) }).get(), "new");
});
