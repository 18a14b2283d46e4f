/*
 * What the extension knows about each tab: the page, the warnings shown on
 * it (findings), and the last report. Kept in storage.session, which lives in
 * memory only (never written to disk) and survives the service worker being
 * stopped between events; content scripts cannot read it.
 *
 * The tab's counts (they go on when the tab shows a new page: they are the
 * tab's): `scanned`, the units the companion answered (the popup's "checked
 * on this tab"), `unanswered`, those it could not be asked about at a try (not
 * running, refused; the content script keeps them and tries again), and
 * `health`, what the content scripts report (health.js: units deferred,
 * dropped, the longest wait, the warning restored). `scanned` and
 * `unanswered` are how the browser tests know the extension has read and
 * judged a page before they assert that it stays quiet.
 *
 * Updates to one tab are serialised, so two scan answers arriving together
 * cannot overwrite each other's findings.
 *
 * Example:
 *   const store = new TabStore(chrome.storage.session);
 *   await store.update(7, (s) => { s.findings.push(f); });
 *   (await store.get(7)).findings.length  // -> 1
 */
const MAX_FINDINGS = 100;

export function emptyTab(page) {
  return {
    url: (page && page.url) || "", title: (page && page.title) || "", findings: [], report: null, feedback: null,
    rulesVersion: null, readerMissed: null, scanned: 0, unanswered: 0, health: null,
  };
}

export class TabStore {
  constructor(area) {
    this.area = area;
    this.queues = new Map();
  }

  key(tabId) {
    return `tab:${tabId}`;
  }

  async get(tabId) {
    const stored = await this.area.get(this.key(tabId));
    return stored[this.key(tabId)] || emptyTab();
  }

  /** Apply `change(state)` to the tab's state, one change at a time per tab. */
  update(tabId, change) {
    const previous = this.queues.get(tabId) || Promise.resolve();
    const next = previous.then(async () => {
      const state = await this.get(tabId);
      await change(state);
      state.findings = state.findings.slice(-MAX_FINDINGS);
      await this.area.set({ [this.key(tabId)]: state });
      return state;
    });
    const settled = next.catch(() => {});
    this.queues.set(tabId, settled);
    settled.then(() => {
      if (this.queues.get(tabId) === settled) this.queues.delete(tabId);
    });
    return next;
  }

  /** Start afresh: the tab shows a new page (its scanning counts go on: they are the tab's). */
  reset(tabId, page) {
    return this.update(tabId, (state) => {
      const counts = { scanned: state.scanned || 0, unanswered: state.unanswered || 0, health: state.health || null };
      Object.assign(state, emptyTab(page), counts);
    });
  }

  remove(tabId) {
    this.queues.delete(tabId);
    return this.area.remove(this.key(tabId));
  }
}
