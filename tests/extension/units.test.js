// Units: stable ids, deduplication, site-scoped conversation ids, caps.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadPage, CORE } from "./helpers.js";

function tracker(limits) {
  const window = loadPage("<html><body></body></html>", "https://www.messenger.com/t/1", CORE);
  return new window.Himaya.UnitTracker("messenger", limits || window.Himaya.limits);
}

test("a unit seen twice is sent once; ids depend on kind, conversation and text", () => {
  const t = tracker();
  const first = t.fresh([{ kind: "message", text: "slt", conversation: "t/1" }]);
  assert.equal(first.length, 1);
  assert.match(first[0].id, /^m-[0-9a-f]{8}$/);
  assert.equal(first[0].conversation, "messenger:t/1");
  assert.equal(t.fresh([{ kind: "message", text: "slt", conversation: "t/1" }]).length, 0);
  const other = t.fresh([{ kind: "message", text: "slt", conversation: "t/2" }, { kind: "post", text: "slt" }]);
  assert.equal(other.length, 2);
  assert.notEqual(other[0].id, first[0].id);
});

test("empty, unknown-kind and whitespace-only units are dropped; text is trimmed and capped", () => {
  const t = tracker();
  const out = t.fresh([{ kind: "message", text: "   " }, { kind: "banana", text: "x" }, null, { kind: "post", text: `  ${"a".repeat(5000)} ` }]);
  assert.equal(out.length, 1);
  assert.equal(out[0].text.length, 4000);
});

test("the page cap stops new units and marks the tracker full", () => {
  const t = tracker({ unitChars: 4000, unitsPerBatch: 2, unitsPerPage: 3, debounceMs: 0 });
  const out = t.fresh(["a", "b", "c", "d", "e"].map((text) => ({ kind: "post", text })));
  assert.equal(out.length, 3);
  assert.equal(t.full, true);
  assert.deepEqual(Array.from(t.batches(out), (b) => b.length), [2, 1]);
});

test("reset forgets what was seen (single-page app navigation)", () => {
  const t = tracker();
  t.fresh([{ kind: "post", text: "x" }]);
  t.reset();
  assert.equal(t.fresh([{ kind: "post", text: "x" }]).length, 1);
});
