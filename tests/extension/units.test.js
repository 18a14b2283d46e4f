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

const SMALL = {
  unitChars: 4000,
  unitsPerBatch: 2,
  seenIds: 5,
  seenBytes: 1 << 20,
  contextPerConversation: 3,
  contextConversations: 2,
  contextBytes: 1 << 20,
  queueUnits: 4,
  queueBytes: 1 << 20,
};

test("no cut-off: past its bound the tracker forgets the oldest ids instead of refusing new units", () => {
  const t = tracker(SMALL);
  const out = t.fresh(["a", "b", "c", "d", "e", "f", "g"].map((text) => ({ kind: "post", text })));
  assert.equal(out.length, 7, "every new unit is new");
  assert.equal(t.seen.size, 5);
  assert.equal(t.stats().forgotten, 2);
  assert.equal(t.fresh([{ kind: "post", text: "g" }]).length, 0, "recent ones are still known");
  assert.equal(t.fresh([{ kind: "post", text: "a" }]).length, 1, "the oldest was forgotten: read again");
  assert.deepEqual(Array.from(t.batches(out), (b) => b.length), [2, 2, 2, 1]);
});

test("units still on screen stay known: seeing them again makes them recent", () => {
  const t = tracker(SMALL);
  t.fresh(["a", "b", "c", "d", "e"].map((text) => ({ kind: "post", text })));
  assert.equal(t.fresh([{ kind: "post", text: "a" }]).length, 0); // a is on screen again
  t.fresh([{ kind: "post", text: "f" }]); // forgets b, the least recently seen, not a
  assert.equal(t.fresh([{ kind: "post", text: "a" }]).length, 0);
  assert.equal(t.fresh([{ kind: "post", text: "b" }]).length, 1);
});

test("the LRU is bounded by bytes too", () => {
  const window = loadPage("<html><body></body></html>", "https://www.messenger.com/t/1", CORE);
  const lru = new window.Himaya.BoundedLRU(1000, 1000);
  for (let i = 0; i < 50; i++) lru.set(`k${i}`, i, 100);
  assert.equal(lru.size, 10);
  assert.equal(lru.bytes, 1000);
  assert.equal(lru.has("k49") && !lru.has("k39"), true);
});

test("a report's context: a bounded ring per conversation, a bounded number of conversations", () => {
  const t = tracker(SMALL);
  t.fresh(["1", "2", "3", "4", "5"].map((text) => ({ kind: "message", text, conversation: "a" })));
  t.fresh([{ kind: "post", text: "a post" }]);
  t.fresh([{ kind: "message", text: "x", conversation: "b" }]);
  assert.deepEqual(Array.from(t.reportUnits(), (u) => u.text), ["x", "a post"], "the conversation on screen, then the page's posts");
  t.fresh(["6", "7", "8", "9"].map((text) => ({ kind: "message", text, conversation: "a" })));
  assert.deepEqual(Array.from(t.reportUnits(), (u) => u.text), ["9", "8", "7"], "a ring keeps its 3 newest; a's old ring and the posts were the least recently active");
  assert.equal(t.context.lanes.size, 2);
  assert.ok(t.context.units <= 6);
});

test("the queue: newest first, conversations taking turns, page order within a batch, oldest of the largest lane dropped", () => {
  const window = loadPage("<html><body></body></html>", "https://www.messenger.com/t/1", CORE);
  const q = new window.Himaya.ScanQueue(SMALL);
  const u = (text, conversation) => ({ id: text, kind: "message", text, conversation });
  assert.equal(q.push([u("f1", "flood"), u("f2", "flood"), u("f3", "flood")], 0), 0);
  assert.equal(q.push([u("q1", "quiet"), u("f4", "flood")], 0), 1, "five queued, four kept");
  assert.deepEqual(Array.from(q.take(2), (e) => e.unit.text), ["q1", "f4"]);
  assert.deepEqual(Array.from(q.take(5), (e) => e.unit.text), ["f2", "f3"], "f1, the oldest of the largest lane, was dropped");
  assert.equal(q.size, 0);
  q.push([u("a", "x"), u("b", "x")], 0);
  const back = q.take(1);
  q.requeue(back);
  assert.deepEqual(Array.from(q.take(5), (e) => e.unit.text), ["a", "b"], "a unit put back keeps its place");
});

test("reset forgets what was seen (single-page app navigation)", () => {
  const t = tracker();
  t.fresh([{ kind: "post", text: "x" }]);
  t.reset();
  assert.equal(t.fresh([{ kind: "post", text: "x" }]).length, 1);
});

test("a message from the other side goes with that side's last messages (over the child's replies), never the child's", () => {
  const t = tracker();
  const msg = (text, speaker) => ({ kind: "message", text, conversation: "t/9", speaker });
  const [first] = t.fresh([msg("j'ai encore tes photos", "other")]);
  assert.equal(first.before, undefined, "nothing before the first");
  const [second] = t.fresh([msg("tu sais ce que je veux dire", "other")]);
  assert.deepEqual([...second.before], ["j'ai encore tes photos"]);
  const [third] = t.fresh([msg("réponds", "other")]);
  assert.deepEqual([...third.before], ["j'ai encore tes photos", "tu sais ce que je veux dire"], "at most two, oldest first");
  const [mine] = t.fresh([msg("quoi ?", "self")]);
  assert.equal(mine.before, undefined, "the child's own words are sent alone");
  const [after] = t.fresh([msg("tu as compris", "other")]);
  assert.deepEqual([...after.before], ["tu sais ce que je veux dire", "réponds"], "the child's reply is passed over");
  const [unknown] = t.fresh([msg("qui parle ?", "unknown")]);
  assert.equal(unknown.before, undefined, "only the other side's messages carry what came before");
  const [past] = t.fresh([msg("ok", "other")]);
  assert.equal(past.before, undefined, "someone who may not be the other side stops the look-back");
  for (const text of ["1", "2", "3", "4", "5"]) t.fresh([msg(text, "self")]);
  const [far] = t.fresh([msg("encore là ?", "other")]);
  assert.equal(far.before, undefined, "five messages of the child's later, the earlier ones are too far back");
  const long = "x".repeat(3000) + " fin";
  t.fresh([msg(long, "other")]);
  const [next] = t.fresh([msg("alors", "other")]);
  assert.equal(next.before.at(-1).length, 1000, "only the end of a long message");
  assert.ok(next.before.at(-1).endsWith(" fin"));
  assert.equal(t.context.of("messenger:t/9").some((u) => "before" in u), false, "the report context keeps units as read");
});
