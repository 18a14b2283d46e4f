/*
 * The extension's own pace toward the companion: a token bucket counted in
 * units (one unit = one message, post or profile scanned), shared by every
 * tab, below the companion's per-client limit (server/himaya/companion/guard.py:
 * 1 000 units/s, bursts of 4 000) so that the extension does not normally
 * meet a 429. A feed loading 200 posts at once, or a few chats opened one
 * after the other, go straight through; a flood is spread out. When the
 * companion still answers 429, its Retry-After holds every tab.
 *
 * The pacer only says "now" or "in N ms": the units wait in the content
 * script's bounded queue (content/units.js), never here, so a service worker
 * stopped by the browser loses nothing.
 *
 * Example:
 *   const pacer = new Pacer();
 *   pacer.take(200)   // -> 0 (send now)
 *   pacer.hold(3000)  // the companion said Retry-After: 3
 *   pacer.take(10)    // -> 3000
 */
export const PACE = Object.freeze({ rate: 600, burst: 2400 }); // units per second, largest burst

export class Pacer {
  constructor({ rate = PACE.rate, burst = PACE.burst, now = () => Date.now() } = {}) {
    this.rate = rate;
    this.burst = burst;
    this.now = now;
    this.tokens = burst;
    this.last = now();
    this.holdUntil = 0;
  }

  refill() {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
    return t;
  }

  /** Spend `cost` units: 0 when they may go now, else the milliseconds to wait. */
  take(cost) {
    const t = this.refill();
    if (t < this.holdUntil) return this.holdUntil - t;
    const need = Math.min(Math.max(1, cost), this.burst);
    if (this.tokens >= need) {
      this.tokens -= need;
      return 0;
    }
    return Math.ceil(((need - this.tokens) / this.rate) * 1000);
  }

  /** Nobody sends before `ms` have passed (the companion's Retry-After). */
  hold(ms) {
    this.holdUntil = Math.max(this.holdUntil, this.now() + ms);
  }
}
