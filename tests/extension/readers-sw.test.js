// The service worker's side of the site readers: the speaker travels with
// each unit to the companion (and the person's own words never raise a
// banner), a "reader found nothing" event reaches the companion once per
// page with the site only, the parent's history comes from the companion,
// and the volunteer's "What did Himaya read here?" view gets short previews.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHandlers } from "../../extension/background/handlers.js";
import { TabStore } from "../../extension/background/tabs.js";
import { checkMessage } from "../../extension/background/protocol.js";
import { fakeFetch, memoryArea, messagesOf } from "./helpers.js";

const ext = { id: "cmgoifbmppnmehghinmomjofmkjddfgd", baseUrl: "chrome-extension://cmgoifbmppnmehghinmomjofmkjddfgd/" };
const content = { id: ext.id, url: "https://www.facebook.com/x", tab: { id: 4, windowId: 1 } };
const popup = { id: ext.id, url: `${ext.baseUrl}ui/reader.html?tabId=4` };
const sender = { id: "ext", url: "https://www.facebook.com/x", tab: { id: 3, windowId: 9 } };
const page = { url: "https://www.facebook.com/groups/1/", title: "Groupe" };

function setup({ routes = {}, settings, token = "tok", collected } = {}) {
  const log = [];
  const local = memoryArea();
  if (token) local.data.set("token", token);
  if (settings) local.data.set("settings", settings);
  const asked = [];
  const api = {
    action: { setBadgeText: async () => {}, setBadgeBackgroundColor: async () => {} },
    tabs: {
      sendMessage: async (tabId, message) => {
        asked.push([tabId, message]);
        if (collected === undefined) throw new Error("Could not establish connection. Receiving end does not exist.");
        return collected;
      },
    },
  };
  const handlers = createHandlers({
    api,
    fetch: fakeFetch(routes, log),
    local,
    tabs: new TabStore(memoryArea()),
    uiLanguage: () => "fr-FR",
    loadMessages: async (lang) => messagesOf(lang),
    now: () => Date.parse("2026-12-05T10:00:00Z"),
  });
  return { handlers, log, asked };
}

const risky = (id) => ({ id, risk: true, severity: "high", score: 0.8, matches: [{ rule: "HIM-PRIV-001", severity: "high", spans: [[0, 4]], title: { fr: "t" }, explain: { child: { fr: "c" }, parent: { fr: "p" } } }] });

test("the protocol keeps a unit's speaker when it is one of self, other, unknown, and drops anything else", () => {
  const units = [
    { id: "m-1", kind: "message", text: "a", speaker: "self", via: "messenger" },
    { id: "m-2", kind: "message", text: "b", speaker: "other" },
    { id: "m-3", kind: "message", text: "c", speaker: "parent" },
  ];
  const checked = checkMessage({ type: "scan", units, page }, content, ext);
  assert.deepEqual(checked.message.units.map((u) => u.speaker), ["self", "other", undefined]);
  assert.ok(checked.message.units.every((u) => !("via" in u)), "which reader found it stays in the page");
});

test("reader:missed comes only from a content script and names only a known site", () => {
  assert.deepEqual(checkMessage({ type: "reader:missed", site: "facebook", url: "https://x.example", text: "t" }, content, ext).message, { type: "reader:missed", site: "facebook" });
  assert.equal(checkMessage({ type: "reader:missed", site: "https://evil.example/" }, content, ext).error, "bad_fields");
  assert.equal(checkMessage({ type: "reader:missed", site: "generic" }, content, ext).error, "bad_fields");
  assert.equal(checkMessage({ type: "reader:missed", site: "facebook" }, popup, ext).error, "unknown_type");
  assert.equal(checkMessage({ type: "tab:read", tabId: 4 }, content, ext).error, "unknown_type", "a page cannot ask what was read in a tab");
  assert.deepEqual(checkMessage({ type: "tab:read", tabId: 4 }, popup, ext).message, { type: "tab:read", tabId: 4 });
});

test("the speaker reaches the companion's scan request; a risky message of the person's own raises no banner", async () => {
  const { handlers, log } = setup({ routes: { "POST /scan/batch": (body) => [200, { results: body.units.map((u) => risky(u.id)), rules_version: "v" }] } });
  const own = [{ id: "m-1", kind: "message", text: "ajoute-moi sur snap", conversation: "messenger:t/1", speaker: "self" }];
  const answer = await handlers.scan({ type: "scan", units: own, page }, sender);
  assert.equal(log[0].body.units[0].speaker, "self");
  assert.equal(answer.banner, null);
  assert.deepEqual((await handlers["tab:state"]({ type: "tab:state", tabId: 3 })).tab.findings, []);
  const theirs = [{ ...own[0], id: "m-2", speaker: "other" }];
  const warned = await handlers.scan({ type: "scan", units: theirs, page }, sender);
  assert.equal(warned.banner.severity, "high");
});

test("reader:missed: noted on the tab, sent to the companion once per page with the site only", async () => {
  const { handlers, log } = setup({ routes: { "POST /readers/missed": (body) => [201, { site: body.site, day: "2026-12-05", pages: 1 }] } });
  await handlers.page({ type: "page", page }, sender);
  assert.deepEqual(await handlers["reader:missed"]({ type: "reader:missed", site: "facebook" }, sender), { state: "ok", recorded: true });
  assert.deepEqual(await handlers["reader:missed"]({ type: "reader:missed", site: "facebook" }, sender), { state: "ok", recorded: false });
  const sent = log.filter((l) => l.key === "POST /readers/missed");
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0].body, { site: "facebook" }, "no text, no address");
  assert.equal(sent[0].headers["X-Himaya-Token"], "tok");
  const state = await handlers["tab:state"]({ type: "tab:state", tabId: 3 });
  assert.deepEqual(state.tab.readerMissed, { site: "facebook", at: "2026-12-05T10:00:00.000Z" });
  await handlers.page({ type: "page", page: { ...page, url: "https://www.facebook.com/groups/2/" } }, sender); // another page
  assert.equal((await handlers["reader:missed"]({ type: "reader:missed", site: "facebook" }, sender)).recorded, true);
  assert.equal(log.filter((l) => l.key === "POST /readers/missed").length, 2);
});

test("reader:missed without pairing or with the companion stopped: noted on the tab, nothing thrown", async () => {
  const unpaired = setup({ token: null });
  assert.deepEqual(await unpaired.handlers["reader:missed"]({ type: "reader:missed", site: "x" }, sender), { state: "unpaired" });
  assert.equal(unpaired.log.length, 0);
  const offline = setup({ routes: {} });
  assert.deepEqual(await offline.handlers["reader:missed"]({ type: "reader:missed", site: "x" }, sender), { state: "offline" });
});

test("the parent's history comes from the companion", async () => {
  const missed = [{ site: "facebook", day: "2026-12-05", pages: 3, last: "2026-12-05T09:58:00.000Z" }];
  const { handlers } = setup({ routes: { "GET /readers/missed": () => [200, { missed }] } });
  assert.deepEqual(await handlers["readers:history"]({ type: "readers:history" }), { state: "ok", missed });
  assert.deepEqual(await setup({ routes: {} }).handlers["readers:history"]({ type: "readers:history" }), { state: "offline", missed: [] });
});

const collected = {
  page: { url: "https://www.messenger.com/t/1", title: "Messenger" },
  reader: { site: "messenger", fallback: false },
  units: [
    { id: "m-1", kind: "message", text: "salut", speaker: "other", via: "messenger", conversation: "messenger:t/1" },
    { id: "m-2", kind: "message", text: "x".repeat(500), speaker: "self", via: "messenger" },
    { id: "p-3", kind: "post", text: "page", speaker: "banana" },
  ],
};

test("tab:read (volunteer mode): kind, reader, speaker and the first 120 characters of each unit", async () => {
  const { handlers, asked } = setup({ settings: { volunteer: true }, collected });
  const answer = await handlers["tab:read"]({ type: "tab:read", tabId: 7 });
  assert.deepEqual(asked, [[7, { type: "collect" }]], "asks the tab's reader, injects nothing");
  assert.equal(answer.state, "ok");
  assert.equal(answer.site, "messenger");
  assert.equal(answer.fallback, false);
  assert.deepEqual(answer.units.map((u) => [u.kind, u.site, u.speaker, u.text.length, u.cut]), [
    ["message", "messenger", "other", 5, false],
    ["message", "messenger", "self", 120, true],
    ["post", "messenger", "unknown", 4, false],
  ]);
  assert.ok(answer.units.every((u) => !("conversation" in u) && !("id" in u)));
});

test("tab:read outside volunteer mode, or on a tab without a reader, says so", async () => {
  assert.deepEqual(await setup({ collected }).handlers["tab:read"]({ type: "tab:read", tabId: 7 }), { state: "volunteer_only" });
  assert.deepEqual(await setup({ settings: { volunteer: true } }).handlers["tab:read"]({ type: "tab:read", tabId: 7 }), { state: "no_reader" });
});

test("a report's units keep their speaker, so the evidence tells the person's own words from the others'", async () => {
  const routes = { "POST /reports": () => [201, { id: "R20261205-00000001", sha256: "a".repeat(64), created: "2026-12-05T10:00:00Z", outbox: "none" }] };
  const { handlers, log } = setup({ routes });
  const units = [
    { id: "m-1", kind: "message", text: "ajoute-moi", speaker: "other" },
    { id: "m-2", kind: "message", text: "non", speaker: "self" },
    { id: "p-3", kind: "post", text: "page" },
  ];
  await handlers.report({ type: "report", units, page }, sender);
  const body = log.find((l) => l.key === "POST /reports").body;
  assert.deepEqual(body.units.map((u) => u.speaker), ["other", "self", undefined]);
});
