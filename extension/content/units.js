/*
 * Units: what a site adapter extracted, given stable ids, deduplicated and
 * capped before the service worker sends them to the companion.
 *
 * A unit is {id, kind, text, conversation?}; kind is one of the companion's
 * kinds (profile, post, message, url). The id is a hash of what the unit
 * says, so the same message seen again after the page re-renders is not
 * scanned twice, and a conversation's messages reach the companion once each,
 * in page order.
 *
 * Example:
 *   const t = new Himaya.UnitTracker("messenger");
 *   t.fresh([{kind: "message", text: "slt", conversation: "t/100"}])
 *   // -> [{id: "m-1a2b3c4d", kind: "message", text: "slt", conversation: "messenger:t/100"}]
 *   t.fresh([{kind: "message", text: "slt", conversation: "t/100"}])  // -> [] (seen)
 */
(function () {
  "use strict";
  const Himaya = globalThis.Himaya;
  if (Himaya.UnitTracker) return;

  const KINDS = new Set(["profile", "post", "message", "url"]);

  class UnitTracker {
    /** @param {string} site adapter name, used to keep conversation ids apart across sites */
    constructor(site, limits = Himaya.limits) {
      this.site = site;
      this.limits = limits;
      this.seen = new Set();
      this.all = []; // every unit sent, for a report's context (page memory only)
      this.full = false; // true once the page cap is reached
    }

    /** Normalise, id and filter a list of extracted units; returns only new ones. */
    fresh(extracted) {
      const out = [];
      for (const raw of extracted || []) {
        const unit = this.normalise(raw);
        if (!unit || this.seen.has(unit.id)) continue;
        if (this.seen.size >= this.limits.unitsPerPage) {
          this.full = true;
          break;
        }
        this.seen.add(unit.id);
        this.all.push(unit);
        out.push(unit);
      }
      return out;
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

    /** Split units into batches the service worker accepts. */
    batches(units) {
      const size = this.limits.unitsPerBatch;
      const out = [];
      for (let i = 0; i < units.length; i += size) out.push(units.slice(i, i + size));
      return out;
    }

    /** Forget everything (the page changed address in a single-page app). */
    reset() {
      this.seen.clear();
      this.all = [];
      this.full = false;
    }
  }

  Himaya.UnitTracker = UnitTracker;
})();
