/*
 * Scanning health: did the extension keep up with what the pages showed?
 * Counts only, never text: units scanned, deferred (they waited: the pace,
 * the companion's 429, the companion unreachable), dropped (never scanned:
 * the queue's bounds), the longest wait, and how often a page altered or hid
 * the warning (restored). Content scripts send their new counts with each
 * batch; they add up per tab (the popup shows them) and per browser session,
 * which the service worker reports to the companion (POST /scan/health) so
 * that `himaya status` can tell the parent when scanning fell behind.
 *
 * Example:
 *   addHealth({scanned: 3, maxWaitMs: 10}, {scanned: 2, dropped: 1, maxWaitMs: 40})
 *   // -> {scanned: 5, deferred: 0, dropped: 1, restored: 0, maxWaitMs: 40}
 */
export const COUNTS = Object.freeze(["scanned", "deferred", "dropped", "restored"]);
const KEY = "health";
const POST_DELAY_MS = 2000;

export function emptyHealth() {
  return { scanned: 0, deferred: 0, dropped: 0, restored: 0, maxWaitMs: 0 };
}

export function addHealth(total, delta) {
  const out = { ...emptyHealth(), ...(total || {}) };
  for (const key of COUNTS) out[key] += (delta && delta[key]) || 0;
  out.maxWaitMs = Math.max(out.maxWaitMs, (delta && delta.maxWaitMs) || 0);
  return out;
}

export function isEmpty(delta) {
  return !delta || (COUNTS.every((k) => !delta[k]) && !delta.maxWaitMs);
}

/** This browser session's totals, in storage.session, sent to the companion a moment after they change. */
export class SessionHealth {
  /**
   * @param {{area: object, send: (body) => Promise, now?: () => number, delayMs?: number}} deps
   *   `send` posts one body to the companion (it may throw: offline, not paired)
   */
  constructor({ area, send, now = () => Date.now(), delayMs = POST_DELAY_MS }) {
    this.area = area;
    this.send = send;
    this.now = now;
    this.delayMs = delayMs;
    this.timer = null;
    this.chain = Promise.resolve();
  }

  async get() {
    const { [KEY]: stored } = await this.area.get(KEY);
    if (stored && stored.session) return stored;
    const fresh = { session: crypto.randomUUID(), started: new Date(this.now()).toISOString(), ...emptyHealth(), sent: null };
    await this.area.set({ [KEY]: fresh });
    return fresh;
  }

  /** Add a content script's counts (one change at a time) and schedule a report. */
  add(delta) {
    if (isEmpty(delta)) return this.chain;
    this.chain = this.chain
      .then(async () => {
        const stored = await this.get();
        await this.area.set({ [KEY]: { ...stored, ...addHealth(stored, delta) } });
      })
      .catch(() => {});
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.delayMs);
      if (this.timer && typeof this.timer.unref === "function") this.timer.unref(); // node: never what keeps a process alive
    }
    return this.chain;
  }

  /** Report the totals to the companion when they changed since the last report. */
  async flush() {
    this.timer = null;
    await this.chain;
    const stored = await this.get();
    const body = {
      session: stored.session,
      started: stored.started,
      scanned: stored.scanned,
      deferred: stored.deferred,
      dropped: stored.dropped,
      restored: stored.restored,
      max_wait_ms: Math.round(stored.maxWaitMs),
    };
    const signature = JSON.stringify(body);
    if (stored.sent === signature) return false;
    try {
      await this.send(body);
    } catch (_) {
      return false; // offline or not paired: the next change tries again
    }
    const latest = await this.get();
    await this.area.set({ [KEY]: { ...latest, sent: signature } });
    return true;
  }
}
