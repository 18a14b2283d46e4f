// The message protocol: only this extension, only known types, each from the
// side allowed to send it, every field checked and cleaned.
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkMessage, cleanUnit, safeText, CONTENT_TYPES, PAGE_TYPES } from "../../extension/background/protocol.js";

const ext = { id: "cmgoifbmppnmehghinmomjofmkjddfgd", baseUrl: "chrome-extension://cmgoifbmppnmehghinmomjofmkjddfgd/" };
const content = { id: ext.id, url: "https://www.facebook.com/x", tab: { id: 4, windowId: 1 } };
const popup = { id: ext.id, url: `${ext.baseUrl}ui/popup.html` };
const unit = { id: "m-1", kind: "message", text: "slt", conversation: "messenger:t/1" };

test("messages from another extension or with no sender id are refused", () => {
  assert.deepEqual(checkMessage({ type: "scan", units: [unit] }, { ...content, id: "other" }, ext), { ok: false, error: "foreign_sender" });
  assert.equal(checkMessage({ type: "status" }, { url: popup.url }, ext).ok, false);
});

test("content scripts may send only content types; extension pages only page types", () => {
  for (const type of PAGE_TYPES) {
    assert.deepEqual(checkMessage({ type, tabId: 1, code: "1", verdict: "wrong", settings: {} }, content, ext), { ok: false, error: "unknown_type" }, type);
  }
  for (const type of CONTENT_TYPES) assert.equal(checkMessage({ type, units: [unit], verdict: "wrong" }, popup, ext).ok, false, type);
  assert.equal(checkMessage({ type: "eval", code: "1" }, popup, ext).error, "unknown_type");
  assert.equal(checkMessage("scan", content, ext).error, "bad_message");
});

test("a scan is copied field by field: unknown fields and malformed units dropped", () => {
  const checked = checkMessage(
    { type: "scan", units: [{ ...unit, extra: "x" }, { id: "bad", kind: "banana", text: "x" }, { id: "e", kind: "post", text: "  " }], page: { url: "https://www.facebook.com/x", title: "t", token: "no" } },
    content,
    ext
  );
  assert.equal(checked.ok, true);
  assert.equal(checked.from, "content");
  assert.deepEqual(checked.message, { type: "scan", units: [unit], page: { url: "https://www.facebook.com/x", title: "t" }, health: null });
  const counted = checkMessage(
    { type: "scan", units: [unit], health: { scanned: 40, dropped: "3", deferred: -1, maxWaitMs: 12.7, restored: 1e12, text: "no" } },
    content,
    ext
  );
  assert.deepEqual(counted.message.health, { deferred: 0, dropped: 3, restored: 1e9, maxWaitMs: 12 }, "numbers only, whole, bounded; units scanned are the service worker's own count");
  assert.equal(checkMessage({ type: "scan", units: [] }, content, ext).error, "bad_fields");
});

test("feedback takes only wrong or helped; tab messages need a tab id", () => {
  assert.equal(checkMessage({ type: "feedback", verdict: "delete-all" }, content, ext).error, "bad_fields");
  assert.equal(checkMessage({ type: "tab:report", tabId: -1 }, popup, ext).error, "bad_fields");
  assert.equal(checkMessage({ type: "tab:report", tabId: "4" }, popup, ext).error, "bad_fields");
  assert.deepEqual(checkMessage({ type: "tab:feedback", tabId: 4, verdict: "wrong" }, popup, ext).message, { type: "tab:feedback", tabId: 4, verdict: "wrong" });
});

test("control characters and lone surrogates are replaced before they reach the companion", () => {
  assert.equal(safeText("a\u0000b\u0007c\u0085d\te\nf", 100), "a\ufffdb\ufffdc\ufffdd\te\nf");
  assert.equal(safeText("x\ud800y\udc00z", 100), "x\ufffdy\ufffdz");
  assert.equal(safeText("ok 😀", 100), "ok 😀");
  assert.equal(safeText(42, 100), "");
  const checked = checkMessage({ type: "scan", units: [{ ...unit, text: "slt\u0000" }] }, content, ext);
  assert.equal(checked.message.units[0].text, "slt\ufffd");
});

test("a unit's burst goes to the companion bounded, only with a chat message", () => {
  const base = { id: "m-1", kind: "message", text: "réponds", conversation: "wa:1", speaker: "other" };
  assert.deepEqual(cleanUnit({ ...base, before: ["a", "b", "c"] }).before, ["b", "c"]);
  assert.equal(cleanUnit({ ...base, before: ["x".repeat(5000)] }).before[0].length, 1000);
  assert.equal(cleanUnit({ ...base, before: ["  ", ""] }).before, undefined);
  assert.equal(cleanUnit({ ...base, conversation: undefined, before: ["a"] }).before, undefined);
  assert.equal(cleanUnit({ ...base, kind: "post", before: ["a"] }).before, undefined);
  assert.equal(cleanUnit({ ...base, before: "a" }).before, undefined);
});
