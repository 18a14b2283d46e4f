/*
 * Units: what a site adapter extracted, given stable ids, deduplicated, kept
 * for a report's context and queued fairly before the service worker sends
 * them to the companion. Nothing here ever stops following a page: every
 * structure is bounded and forgets its oldest entries instead of refusing
 * new ones (a WhatsApp Web evening, an endless feed, a flood of junk lines).
 *
 * A unit is {id, kind, text, conversation?, speaker, via?}; kind is one of the companion's
 * kinds (profile, post, message, url). The id is a hash of what the unit
 * says, so the same message seen again after the page re-renders is not
 * scanned twice.
 *
 * - UnitTracker: recently seen ids (an LRU bounded by count and bytes), the
 *   context of each conversation (a bounded ring of its recent units, for a
 *   report), the conversation on screen, and the units of the last reading
 *   of the page (the volunteer's "What did Himaya read here?").
 * - ScanQueue: units waiting to be scanned, one lane per conversation (posts
 *   and profiles share the page's lane). Batches take the newest units first,
 *   one lane after the other, so a flood in one conversation cannot starve
 *   another; within a batch, page order is kept. Bounded: beyond its caps the
 *   oldest units of the largest lane are dropped (and counted).
 *
 * Example:
 *   const t = new Himaya.UnitTracker("messenger");
 *   t.fresh([{kind: "message", text: "slt", conversation: "t/100"}])
 *   // -> [{id: "m-1a2b3c4d", kind: "message", text: "slt", conversation: "messenger:t/100"}]
 *   t.fresh([{kind: "message", text: "slt", conversation: "t/100"}])  // -> [] (seen)
 *   const q = new Himaya.ScanQueue(Himaya.limits);
 *   q.push(units, Date.now());  q.take(100)  // -> up to 100 entries {unit, seq, at}
 */
(function () {
  "use strict";
  const Himaya = globalThis.Himaya;
  if (Himaya.UnitTracker) return;

  const KINDS = new Set(["profile", "post", "message", "url"]);
  const PAGE_LANE = ""; // posts, profiles: units of no conversation
  // The other side's messages sent along with a chat message (the companion's
  // conversations.BURST - 1), how far back to look for them past the child's replies
  // (conversations.REACH), and how much of the end of each: a batch of 100 units
  // stays under the companion's 2 MiB cap.
  const BURST_BEFORE = 2;
  const BURST_REACH = 5;
  const BURST_CHARS = 1000;
  const ENTRY_BYTES = 64; // rough cost of one map entry besides its strings

  /** Bytes a unit takes in memory, roughly (strings are UTF-16). */
  function unitBytes(unit) {
    return ENTRY_BYTES + 2 * (unit.text.length + unit.id.length + (unit.conversation || "").length);
  }

  /**
   * A Map that keeps its most recently used entries within `maxEntries` and
   * `maxBytes`, forgetting the least recently used ones first.
   */
  class BoundedLRU {
    constructor(maxEntries, maxBytes) {
      this.maxEntries = maxEntries;
      this.maxBytes = maxBytes;
      this.map = new Map(); // key -> {value, bytes}; Map order is use order
      this.bytes = 0;
      this.evicted = 0;
    }

    get size() {
      return this.map.size;
    }

    has(key) {
      return this.map.has(key);
    }

    /** The value, marked as just used; undefined when absent. */
    get(key) {
      const entry = this.map.get(key);
      if (!entry) return undefined;
      this.map.delete(key);
      this.map.set(key, entry);
      return entry.value;
    }

    set(key, value, bytes = ENTRY_BYTES + 2 * String(key).length) {
      this.delete(key);
      this.map.set(key, { value, bytes });
      this.bytes += bytes;
      while (this.map.size > this.maxEntries || (this.bytes > this.maxBytes && this.map.size > 1)) {
        const oldest = this.map.keys().next().value;
        this.delete(oldest);
        this.evicted += 1;
      }
    }

    delete(key) {
      const entry = this.map.get(key);
      if (!entry) return false;
      this.map.delete(key);
      this.bytes -= entry.bytes;
      return true;
    }

    clear() {
      this.map.clear();
      this.bytes = 0;
    }

    *entries() {
      for (const [key, entry] of this.map) yield [key, entry.value];
    }
  }

  /**
   * The recent units of each conversation, for a report's context: a ring of
   * at most `perLane` units per conversation, at most `lanes` conversations
   * (least recently active forgotten first), at most `maxBytes` in all.
   */
  class ContextStore {
    constructor(perLane, lanes, maxBytes) {
      this.perLane = perLane;
      this.maxLanes = lanes;
      this.maxBytes = maxBytes;
      this.lanes = new Map(); // lane -> array of units, oldest first; Map order is activity order
      this.bytes = 0;
    }

    add(unit) {
      const lane = unit.conversation || PAGE_LANE;
      let ring = this.lanes.get(lane);
      if (ring) this.lanes.delete(lane);
      else ring = [];
      this.lanes.set(lane, ring);
      ring.push(unit);
      this.bytes += unitBytes(unit);
      if (ring.length > this.perLane) this.bytes -= unitBytes(ring.shift());
      while (this.lanes.size > this.maxLanes) this.dropLane(this.lanes.keys().next().value);
      while (this.bytes > this.maxBytes) {
        const oldest = this.lanes.keys().next().value;
        if (oldest !== lane) this.dropLane(oldest);
        else if (ring.length > 1) this.bytes -= unitBytes(ring.shift());
        else break;
      }
    }

    dropLane(lane) {
      for (const unit of this.lanes.get(lane) || []) this.bytes -= unitBytes(unit);
      this.lanes.delete(lane);
    }

    /** Units of a conversation (or of the page), oldest first. */
    of(lane) {
      return (this.lanes.get(lane || PAGE_LANE) || []).slice();
    }

    get units() {
      let n = 0;
      for (const ring of this.lanes.values()) n += ring.length;
      return n;
    }
  }

  class UnitTracker {
    /** @param {string} site adapter name, used to keep conversation ids apart across sites */
    constructor(site, limits = Himaya.limits) {
      this.site = site;
      this.limits = limits;
      this.seen = new BoundedLRU(limits.seenIds, limits.seenBytes); // id -> {risky}
      this.context = new ContextStore(limits.contextPerConversation, limits.contextConversations, limits.contextBytes);
      this.current = null; // the conversation on screen (last one the adapter read), or null
      this.latest = []; // every unit of the last reading of the page, seen or new, in page order (bounded)
    }

    /**
     * Normalise, id and filter a list of extracted units; returns only new
     * ones. Units still on screen are marked as just used, so the LRU forgets
     * what scrolled away long ago, never what is shown.
     */
    fresh(extracted) {
      const out = [];
      const latest = [];
      let lane = null;
      for (const raw of extracted || []) {
        const unit = this.normalise(raw);
        if (!unit) continue;
        latest.push(unit);
        if (unit.conversation) lane = unit.conversation;
        if (this.seen.get(unit.id)) continue; // get() refreshes it
        this.seen.set(unit.id, { risky: false });
        const before = this.burstBefore(unit);
        this.context.add(unit);
        out.push(before.length ? { ...unit, before } : unit);
      }
      if (lane) this.current = lane;
      this.latest = latest.slice(-this.limits.contextPerConversation);
      return out;
    }

    /**
     * The other side's last messages before this one in its conversation (at most
     * BURST_BEFORE, oldest first, the end of each), looking back at most
     * BURST_REACH messages and passing over the child's replies: a sentence typed
     * as a burst, or a threat spoken over the child's "who is this?", is read whole
     * by the companion, which keeps none of it. Anyone else's message stops the
     * look-back (the companion's corpus.recent_words does the same for a thread).
     */
    burstBefore(unit) {
      if (unit.kind !== "message" || !unit.conversation || unit.speaker !== "other") return [];
      const ring = this.context.of(unit.conversation);
      const out = [];
      const stop = Math.max(0, ring.length - BURST_REACH);
      for (let i = ring.length - 1; i >= stop && out.length < BURST_BEFORE; i--) {
        if (ring[i].kind === "message" && ring[i].speaker === "self") continue;
        if (ring[i].speaker !== "other" || ring[i].kind !== "message") break;
        out.unshift(ring[i].text.slice(-BURST_CHARS));
      }
      return out;
    }

    /** What the reader read on the page at its last reading (the volunteer's "What did Himaya read here?"). */
    lastRead() {
      return this.latest.slice();
    }

    /** A clean unit with its id, or null when there is nothing to scan. */
    normalise(raw) {
      if (!raw || !KINDS.has(raw.kind)) return null;
      const text = Himaya.dom.clean(raw.text);
      if (!text) return null;
      const unit = { kind: raw.kind, text };
      if (raw.conversation) unit.conversation = `${this.site}:${String(raw.conversation).slice(0, 200)}`;
      // whose words, "self", "other" or "unknown", and which reader found them (content/readers.js)
      unit.speaker = Himaya.SPEAKERS && Himaya.SPEAKERS.includes(raw.speaker) ? raw.speaker : "unknown";
      if (raw.via) unit.via = String(raw.via).slice(0, 40);
      const key = [unit.kind, unit.conversation || "", text].join("\u0000");
      unit.id = `${unit.kind[0]}-${Himaya.dom.hash(key)}`;
      return unit;
    }

    /** The service worker warned about these units (kept to warn again on return). */
    markRisky(ids) {
      for (const id of ids || []) {
        const mark = this.seen.get(id);
        if (mark) mark.risky = true;
      }
    }

    /**
     * The address changed in a single-page app. What was read stays known
     * (going back to a chat does not send its messages again: the companion
     * keeps each conversation's state), except the units that were warned
     * about: they are read again, so coming back to them warns again.
     */
    navigated() {
      for (const [id, mark] of [...this.seen.entries()]) if (mark.risky) this.seen.delete(id);
      this.latest = [];
    }

    /**
     * A report's context: the conversation on screen, then the page's posts
     * and profiles, newest first, at most `max` units.
     */
    reportUnits(max = 200) {
      const lanes = this.current ? [this.current, PAGE_LANE] : [PAGE_LANE];
      const out = [];
      for (const lane of lanes) out.push(...this.context.of(lane).reverse());
      return out.slice(0, max);
    }

    /** Split units into batches the service worker accepts. */
    batches(units) {
      const size = this.limits.unitsPerBatch;
      const out = [];
      for (let i = 0; i < units.length; i += size) out.push(units.slice(i, i + size));
      return out;
    }

    stats() {
      return {
        seen: this.seen.size,
        seenBytes: this.seen.bytes,
        forgotten: this.seen.evicted,
        context: this.context.units,
        contextBytes: this.context.bytes,
        conversations: this.context.lanes.size,
      };
    }

    /** Forget everything. */
    reset() {
      this.seen.clear();
      this.context = new ContextStore(this.limits.contextPerConversation, this.limits.contextConversations, this.limits.contextBytes);
      this.current = null;
      this.latest = [];
    }
  }

  /**
   * Units waiting to be scanned. Entries are {unit, seq, at}: `seq` is the
   * order the page showed them in, `at` when they were queued.
   */
  class ScanQueue {
    constructor(limits = Himaya.limits) {
      this.maxUnits = limits.queueUnits;
      this.maxBytes = limits.queueBytes;
      this.lanes = new Map(); // lane -> entries, oldest first
      this.order = []; // lanes in round-robin order
      this.turn = 0;
      this.size = 0;
      this.bytes = 0;
      this.seq = 0;
    }

    /** Queue new units (page order); returns how many old units were dropped to make room. */
    push(units, now) {
      for (const unit of units) this.insert({ unit, seq: this.seq++, at: now, deferred: false });
      return this.bound();
    }

    /** Put back entries that could not be sent (they keep their place in page order). */
    requeue(entries) {
      for (const entry of entries) this.insert(entry);
      return this.bound();
    }

    insert(entry) {
      const lane = entry.unit.conversation || PAGE_LANE;
      let list = this.lanes.get(lane);
      if (!list) {
        list = [];
        this.lanes.set(lane, list);
        this.order.push(lane);
      }
      let i = list.length;
      while (i > 0 && list[i - 1].seq > entry.seq) i--;
      list.splice(i, 0, entry);
      this.size += 1;
      this.bytes += unitBytes(entry.unit);
    }

    /** Drop the oldest entries of the largest lane until within bounds; returns how many. */
    bound() {
      let dropped = 0;
      while (this.size > this.maxUnits || (this.bytes > this.maxBytes && this.size > 1)) {
        let largest = null;
        for (const [lane, list] of this.lanes) if (!largest || list.length > this.lanes.get(largest).length) largest = lane;
        const entry = this.lanes.get(largest).shift();
        this.size -= 1;
        this.bytes -= unitBytes(entry.unit);
        dropped += 1;
        if (!this.lanes.get(largest).length) this.removeLane(largest);
      }
      return dropped;
    }

    removeLane(lane) {
      this.lanes.delete(lane);
      const at = this.order.indexOf(lane);
      this.order.splice(at, 1);
      if (at < this.turn) this.turn -= 1;
      if (this.turn >= this.order.length) this.turn = 0;
    }

    /**
     * Up to `max` entries to send now: the newest of each lane, lanes taking
     * turns one unit at a time; returned in page order.
     */
    take(max) {
      const out = [];
      while (out.length < max && this.size) {
        if (this.turn >= this.order.length) this.turn = 0;
        const lane = this.order[this.turn];
        const list = this.lanes.get(lane);
        const entry = list.pop();
        this.size -= 1;
        this.bytes -= unitBytes(entry.unit);
        out.push(entry);
        if (!list.length) this.removeLane(lane);
        else this.turn += 1;
      }
      return out.sort((a, b) => a.seq - b.seq);
    }

    clear() {
      this.lanes.clear();
      this.order = [];
      this.turn = 0;
      this.size = 0;
      this.bytes = 0;
    }
  }

  Himaya.BoundedLRU = BoundedLRU;
  Himaya.ContextStore = ContextStore;
  Himaya.UnitTracker = UnitTracker;
  Himaya.ScanQueue = ScanQueue;
})();
