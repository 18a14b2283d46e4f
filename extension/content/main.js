/*
 * The content script's entry: pick the site adapter, extract units, follow
 * the page as it changes, hand new units to the service worker and show the
 * banner it answers with.
 *
 * Whatever happens (companion stopped, extension reloaded, adapter out of
 * date), this script must never break the page: every call to the service
 * worker is caught and simply does nothing on failure.
 *
 * Example (what the service worker receives):
 *   {type: "scan", units: [{id: "m-1a2b3c4d", kind: "message", text: "...", conversation: "messenger:t/100"}]}
 */
(function () {
  "use strict";
  const Himaya = globalThis.Himaya;
  if (!Himaya || Himaya.started) return;
  Himaya.started = true;

  const api = globalThis.browser || globalThis.chrome;
  const adapter = Himaya.adapterFor(location.hostname);
  if (!adapter) return;
  const tracker = new Himaya.UnitTracker(adapter.name);
  // -- the site reader, with the generic reader as its fallback (content/readers.js) --
  const reader = new Himaya.Reader(adapter);
  let missTold = false; // the service worker heard "reader found nothing" for this page
  // --
  let pageUrl = location.href;
  let timer = null;
  let hiddenKey = null; // rules the person chose to hide; a new rule shows the banner again

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

  /** Extract, keep only new units, send them in batches, render the answer. */
  async function scanNow() {
    timer = null;
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
    for (const batch of tracker.batches(units)) {
      const answer = await ask({ type: "scan", units: batch, page: pageInfo() });
      if (answer && answer.banner) render(answer.banner);
    }
    if (tracker.full && observer) observer.disconnect(); // page cap reached: stop following
  }

  function schedule() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(scanNow, Himaya.limits.debounceMs);
  }

  /** A single-page app moved to another address: start afresh. */
  function onNavigate() {
    pageUrl = location.href;
    tracker.reset();
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
        const answer = await ask({ type: "report", page: pageInfo(), units: tracker.all.slice(-Himaya.limits.unitsPerPage) });
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
    if (Himaya.banner.host()) {
      Himaya.banner.status(model.strings.text);
    } else {
      Himaya.banner.notice(model);
    }
    return true;
  }

  // The service worker may ask for the units on this page (Report from the
  // popup or the menu) and tell the person how a menu report went.
  api.runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (!sender || sender.id !== api.runtime.id || !message) return false;
    if (message.type === "collect") {
      sendResponse({ page: pageInfo(), units: tracker.all.slice(-Himaya.limits.unitsPerPage), reader: reader.info() });
    } else if (message.type === "notice") {
      sendResponse({ shown: showNotice(message.notice) });
    } else if (message.type === "conceal") {
      // A report's screenshot shows the page, not our banner over it: hide it
      // for the capture, answer once the browser has drawn the page without it.
      const shown = Himaya.banner.conceal(Boolean(message.conceal));
      requestAnimationFrame(() => requestAnimationFrame(() => sendResponse({ concealed: shown })));
      return true;
    }
    return false;
  });

  const observer = typeof MutationObserver === "function" ? new MutationObserver(schedule) : null;
  if (observer) observer.observe(document.documentElement, { childList: true, subtree: true, characterData: true });
  addEventListener("popstate", schedule);
  ask({ type: "page", page: pageInfo() }).then(scanNow);
})();
