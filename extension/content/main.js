/*
 * The content script's entry: pick the site adapter, extract units, follow
 * the page as it changes, hand new units to the service worker and show the
 * banner it answers with. It follows the page for as long as it is open:
 * nothing here stops after some number of units (see units.js for the
 * bounds, docs/COMPANION.md "Long sessions and floods" for the design).
 *
 * - DOM changes are coalesced (debounceMs), but a page that never stops
 *   changing is still read at least every maxWaitMs.
 * - New units go to a bounded queue (one lane per conversation); one batch
 *   at a time goes to the service worker, newest units first, lanes taking
 *   turns. When the service worker says "later" (its own pace, or the
 *   companion's 429 + Retry-After) or cannot reach the companion, the batch
 *   goes back to the queue and is sent after the delay; past the queue's
 *   bounds the oldest units are dropped, and counted.
 * - Counts (never text) go with each batch: units deferred, dropped, the
 *   longest wait, how often the page altered the warning. The service worker
 *   keeps them, with its own count of the units the companion answered, for
 *   the popup and the companion's status.
 * - The site's reader has the generic reader as its fallback (readers.js):
 *   when it finds nothing on a page full of text, the service worker hears
 *   it once per page (the site only).
 *
 * Whatever happens (companion stopped, extension reloaded, adapter out of
 * date), this script must never break the page: every call to the service
 * worker is caught and simply does nothing on failure.
 *
 * Example (what the service worker receives):
 *   {type: "scan", units: [{id: "m-1a2b3c4d", kind: "message", text: "...", conversation: "messenger:t/100"}],
 *    page: {url, title}, health: {deferred: 0, dropped: 0, maxWaitMs: 120, restored: 0}}
 */
(function () {
  "use strict";
  const Himaya = globalThis.Himaya;
  if (!Himaya || Himaya.started) return;
  Himaya.started = true;

  const api = globalThis.browser || globalThis.chrome;
  const adapter = Himaya.adapterFor(location.hostname);
  if (!adapter) return;
  const limits = Himaya.limits;
  const tracker = new Himaya.UnitTracker(adapter.name);
  // -- the site reader, with the generic reader as its fallback (content/readers.js) --
  const reader = new Himaya.Reader(adapter);
  let missTold = false; // the service worker heard "reader found nothing" for this page
  // --
  const queue = new Himaya.ScanQueue(limits);
  let pageUrl = location.href;
  let timer = null;
  let firstChange = 0; // when the oldest change not yet read happened
  let hiddenKey = null; // rules the person chose to hide; a new rule shows the banner again
  let sending = false;
  let holdUntil = 0;
  let holdTimer = null;
  let failures = 0;
  let stopped = false;
  let restoredSent = 0;

  // Counts for this page since it was opened; `unsent` is what the service worker has not acknowledged yet.
  const totals = { extracted: 0, scanned: 0, deferred: 0, dropped: 0, maxWaitMs: 0, batches: 0 };
  let unsent = { deferred: 0, dropped: 0, maxWaitMs: 0, restored: 0 };

  /** Send a message to the service worker; resolve to null on any failure. */
  async function ask(message) {
    try {
      return await api.runtime.sendMessage(message);
    } catch (_) {
      return null;
    }
  }

  function pageInfo() {
    return { url: location.href.slice(0, 2000), title: (document.title || "").slice(0, 300) };
  }

  /** The extension was reloaded or removed: this script can do nothing more; let the page be. */
  function orphaned() {
    try {
      return !api.runtime || !api.runtime.id;
    } catch (_) {
      return true;
    }
  }

  function stop() {
    stopped = true;
    if (observer) observer.disconnect();
    clearTimeout(timer);
    clearTimeout(holdTimer);
    queue.clear();
  }

  function drop(n) {
    if (!n) return;
    totals.dropped += n;
    unsent.dropped += n;
  }

  /** Read the page, queue what is new, send it. */
  function extractNow() {
    timer = null;
    firstChange = 0;
    if (stopped) return;
    if (location.href !== pageUrl) onNavigate();
    let extracted;
    try {
      extracted = reader.read(document, location);
    } catch (_) {
      return; // a reader out of date must not break the page
    }
    if (reader.missed && !missTold) {
      missTold = true; // once per page: the site and nothing else (no text, no address)
      ask({ type: "reader:missed", site: adapter.name });
    }
    const units = tracker.fresh(extracted);
    if (!units.length) return;
    totals.extracted += units.length;
    drop(queue.push(units, Date.now()));
    pump();
  }

  /** Coalesce DOM changes: read after a quiet moment, but never later than maxWaitMs after the first. */
  function schedule() {
    if (stopped) return;
    const now = Date.now();
    if (!firstChange) firstChange = now;
    if (timer) clearTimeout(timer);
    timer = setTimeout(extractNow, Math.max(0, Math.min(limits.debounceMs, firstChange + limits.maxWaitMs - now)));
  }

  function hold(ms) {
    holdUntil = Date.now() + ms;
    clearTimeout(holdTimer);
    holdTimer = setTimeout(pump, ms);
  }

  function takeHealth() {
    const restored = Himaya.banner.state().warning.restored;
    unsent.restored += restored - restoredSent;
    restoredSent = restored;
    const health = unsent;
    unsent = { deferred: 0, dropped: 0, maxWaitMs: 0, restored: 0 };
    return health;
  }

  function giveBack(health) {
    for (const key of ["deferred", "dropped", "restored"]) unsent[key] += health[key];
    unsent.maxWaitMs = Math.max(unsent.maxWaitMs, health.maxWaitMs);
  }

  /** Send queued units, one batch at a time, until the queue is empty or the service worker says wait. */
  async function pump() {
    if (sending || stopped) return;
    sending = true;
    try {
      while (queue.size && !stopped) {
        const wait = holdUntil - Date.now();
        if (wait > 0) {
          hold(wait);
          return;
        }
        const batch = queue.take(limits.unitsPerBatch);
        const health = takeHealth();
        const answer = await ask({ type: "scan", units: batch.map((e) => e.unit), page: pageInfo(), health });
        if (!answer) giveBack(health); // the service worker never saw the counts
        if (answer && answer.state === "ok") {
          failures = 0;
          const now = Date.now();
          let longest = 0;
          for (const entry of batch) longest = Math.max(longest, now - entry.at);
          totals.scanned += batch.length;
          totals.batches += 1;
          totals.maxWaitMs = Math.max(totals.maxWaitMs, longest);
          unsent.maxWaitMs = Math.max(unsent.maxWaitMs, longest);
          tracker.markRisky(answer.risky);
          if (answer.banner) render(answer.banner);
          continue;
        }
        if (orphaned()) {
          stop();
          return;
        }
        // Not now: back in the queue (its bounds may drop the oldest), sent after the delay.
        let fresh = 0;
        for (const entry of batch) {
          if (!entry.deferred) fresh += 1;
          entry.deferred = true;
        }
        totals.deferred += fresh;
        unsent.deferred += fresh;
        drop(queue.requeue(batch));
        if (answer && answer.state === "deferred") {
          hold(Math.max(50, Math.min(Number(answer.retryAfterMs) || limits.retryMs, limits.retryMaxMs)));
        } else {
          failures += 1; // offline, not paired, an error: try again later, less and less often
          hold(Math.min(limits.retryMs * 2 ** (failures - 1), limits.retryMaxMs));
        }
        return;
      }
    } finally {
      sending = false;
    }
  }

  /** A single-page app moved to another address. */
  function onNavigate() {
    pageUrl = location.href;
    tracker.navigated();
    reader.reset();
    missTold = false;
    hiddenKey = null;
    Himaya.banner.remove();
    Himaya.banner.removeNotice();
    ask({ type: "page", page: pageInfo() });
  }

  function render(model) {
    if (hiddenKey && hiddenKey === model.key) return;
    Himaya.banner.show(model, {
      report: async () => {
        Himaya.banner.status(model.strings.sending);
        const answer = await ask({ type: "report", page: pageInfo(), units: tracker.reportUnits() });
        Himaya.banner.status(answer && answer.status ? answer.status : model.strings.failed);
      },
      wrong: async () => {
        const answer = await ask({ type: "feedback", verdict: "wrong", page: pageInfo() });
        Himaya.banner.status(answer && answer.status ? answer.status : model.strings.failed);
        hiddenKey = model.key;
      },
      hide: () => {
        hiddenKey = model.key;
        Himaya.banner.remove();
      },
    });
  }

  /**
   * After a volunteer report: the answer goes in the warning's own status
   * line when a warning is shown (one box at a time), else in a small notice.
   */
  function showNotice(model) {
    if (!model || !model.strings) return false;
    if (Himaya.banner.shown()) {
      Himaya.banner.status(model.strings.text);
    } else {
      Himaya.banner.notice(model);
    }
    return true;
  }

  /** How this page is being followed (counts only) and what the warning shows: for the popup. */
  function state() {
    return {
      page: pageInfo(),
      scanning: { ...totals, queued: queue.size, queuedBytes: queue.bytes, holding: Math.max(0, holdUntil - Date.now()), ...tracker.stats() },
      banner: Himaya.banner.state(),
    };
  }

  // The service worker may ask for the units on this page (Report from the
  // popup or the menu), for this page's state, and tell the person how a
  // menu report went.
  api.runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (!sender || sender.id !== api.runtime.id || !message) return false;
    if (message.type === "collect") {
      sendResponse({ page: pageInfo(), units: tracker.reportUnits(), reader: reader.info(), read: tracker.lastRead() });
    } else if (message.type === "notice") {
      sendResponse({ shown: showNotice(message.notice) });
    } else if (message.type === "conceal") {
      // A report's screenshot shows the page, not our banner over it: hide it
      // for the capture, answer once the browser has drawn the page without it.
      const shown = Himaya.banner.conceal(Boolean(message.conceal));
      requestAnimationFrame(() => requestAnimationFrame(() => sendResponse({ concealed: shown })));
      return true;
    } else if (message.type === "state") {
      sendResponse(state());
    }
    return false;
  });

  const observer = typeof MutationObserver === "function" ? new MutationObserver(schedule) : null;
  if (observer) observer.observe(document.documentElement, { childList: true, subtree: true, characterData: true });
  addEventListener("popstate", schedule);
  ask({ type: "page", page: pageInfo() }).then(extractNow);
})();
