/*
 * What the service worker does for each message type of the protocol.
 *
 * Built from injected dependencies (browser API, fetch, storage, clock) so
 * the same code runs in Chromium, in Firefox and in node's test runner with
 * fakes. Every handler answers; none throws: a companion that is not running
 * gives {state: "offline"} and the page carries on untouched.
 *
 * A scan answers "ok" with the banner (and the ids of the units it warns
 * about), or "deferred" with retryAfterMs when the pace toward the companion
 * (pacer.js) or the companion's own 429 says later: the content script keeps
 * the units in its bounded queue and sends them again then.
 *
 * Example:
 *   const h = createHandlers({api: chrome, fetch, local: chrome.storage.local, secrets: new TokenStore(...),
 *                             tabs: new TabStore(chrome.storage.session), ...});
 *   await h.scan({units, page}, sender)   // -> {state: "ok", banner: {...}|null, risky: ["m-1a2b3c4d"]}
 */
import { Companion, CompanionError, validPort } from "./companion.js";
import { pickLang, t, formatTime } from "./i18n.js";
import { loadSettings, saveSettings } from "./settings.js";
import { TokenStore } from "./secrets.js";
import { Pacer } from "./pacer.js";
import { addHealth, isEmpty } from "./health.js";
import { findings, bannerModel, badgeFor, distinctMatches, reportPayload, noticeModel, OFF_BADGE } from "./verdicts.js";
import { safeText, LIMITS } from "./protocol.js";

/** Files injected on demand into pages without a site adapter (popup "check", volunteer menu). */
export const GENERIC_FILES = ["content/himaya.js", "content/units.js", "content/readers.js", "content/sites/generic.js", "ui/banner.js", "content/main.js"];

/** How much of each unit's text the volunteer's "What did Himaya read here?" view shows. */
export const PREVIEW_CHARS = 120;

export function createHandlers(deps) {
  const { api, local, tabs, loadMessages, uiLanguage, now = () => Date.now() } = deps;
  const secrets = deps.secrets || new TokenStore({ legacy: local });
  const pacer = deps.pacer || new Pacer({ now });
  const session = deps.health || null;

  async function context() {
    const settings = await loadSettings(local);
    const token = await secrets.get();
    const lang = pickLang(settings.lang, uiLanguage());
    const companion = new Companion({ port: settings.port, token, fetch: deps.fetch });
    return { settings, token, lang, companion, messages: await loadMessages(lang) };
  }

  function stateOf(error) {
    return error instanceof CompanionError ? error.code : "error";
  }

  // Whether protection is on, as last seen ("unknown" after the service worker
  // restarts, until the next answer or heartbeat).
  let protection = "unknown";

  const isOff = (state) => state !== "ok" && state !== "unknown";

  /**
   * A tab's badge: its number of warnings while protection is on. A tab without
   * warnings, or any tab while protection is off, drops its own text (null) and
   * shows the global badge, which says OFF while protection is off: an idle tab
   * turns OFF when the companion stops, without waiting for its next scan.
   */
  async function setBadge(tabId, list) {
    const badge = badgeFor(list);
    try {
      if (!badge.text || isOff(protection)) {
        await api.action.setBadgeText({ tabId, text: null });
        await api.action.setBadgeBackgroundColor({ tabId, color: OFF_BADGE.color });
        return;
      }
      await api.action.setBadgeText({ tabId, text: badge.text });
      await api.action.setBadgeBackgroundColor({ tabId, color: badge.color });
    } catch (_) {
      // the tab closed meanwhile: nothing to draw on
    }
  }

  /** Every open tab's badge again, after protection went off or came back. */
  async function redrawTabs() {
    if (!api.tabs || !api.tabs.query) return;
    let open = [];
    try {
      open = await api.tabs.query({});
    } catch (_) {
      return;
    }
    for (const tab of open) {
      const state = await tabs.get(tab.id).catch(() => null);
      await setBadge(tab.id, state ? state.findings : []);
    }
  }

  /**
   * Protection on or off: the global badge and title say it (OFF, and why),
   * so a parent sees at a glance that pages are not being checked.
   */
  async function showProtection(state, messages) {
    const changed = state !== protection;
    const wasOff = isOff(protection);
    protection = state;
    if (!changed || !api.action) return;
    const why = { unpaired: "badgeOffUnpaired", offline: "badgeOffOffline" }[state] || "badgeOffError";
    try {
      if (state === "ok") {
        await api.action.setBadgeText({ text: "" });
        await api.action.setTitle({ title: t(messages, "extName") });
      } else {
        await api.action.setBadgeText({ text: OFF_BADGE.text });
        await api.action.setBadgeBackgroundColor({ color: OFF_BADGE.color });
        await api.action.setTitle({ title: t(messages, why) });
      }
    } catch (_) {
      // an old browser without a global badge: the options page still says it
    }
    if (wasOff !== isOff(state)) await redrawTabs();
  }

  /** Ask the companion (with the token) whether protection is on; update the badge. */
  async function health() {
    const ctx = await context();
    const answer = await status(ctx);
    await showProtection(answer.state === "ok" ? "ok" : answer.state, ctx.messages);
    return answer;
  }

  async function page(message, sender) {
    await tabs.reset(sender.tab.id, message.page);
    await setBadge(sender.tab.id, []);
    return { state: "ok" };
  }

  /**
   * A content script's new counts (deferred, dropped, restored, the longest
   * wait): added to the tab's (for the popup) and the session's (for the
   * companion). Units scanned are counted here, when the companion answers
   * (the tab's `scanned`, and the session's), never taken from the page.
   */
  async function recordHealth(tabId, delta) {
    if (delta) delta = { ...delta, scanned: 0 };
    if (isEmpty(delta)) return;
    await Promise.all([
      tabs.update(tabId, (s) => {
        s.health = addHealth(s.health, delta);
        delete s.health.scanned; // the tab's own `scanned` says it
      }),
      session ? session.add(delta) : null,
    ]);
  }

  async function scan(message, sender) {
    const tabId = sender.tab.id;
    const recording = recordHealth(tabId, message.health).catch(() => {});
    const ctx = await context();
    if (!ctx.token) {
      await showProtection("unpaired", ctx.messages);
      await setBadge(tabId, []);
      await recording;
      return { state: "unpaired" };
    }
    const wait = pacer.take(message.units.length);
    if (wait > 0) {
      await recording;
      return { state: "deferred", retryAfterMs: wait };
    }
    const units = message.units.map((u) => (message.page.url ? { ...u, url: message.page.url } : u));
    let answer;
    try {
      answer = await ctx.companion.scanBatch(units);
    } catch (error) {
      await recording;
      if (error instanceof CompanionError && error.code === "rate_limited") {
        const ms = error.retryAfterMs || 1000;
        pacer.hold(ms); // every tab waits: the companion's limit is per client, not per tab
        return { state: "deferred", retryAfterMs: ms };
      }
      // not running, refused, an error: the content script keeps the units and tries again later
      await tabs.update(tabId, (s) => { s.unanswered = (s.unanswered || 0) + units.length; });
      await showProtection(stateOf(error), ctx.messages);
      await setBadge(tabId, []);
      return { state: stateOf(error) };
    }
    await showProtection("ok", ctx.messages);
    const found = findings(answer.results, message.units, ctx.settings.severities, now());
    const state = await tabs.update(tabId, (s) => {
      if (message.page.url && !s.url) Object.assign(s, { url: message.page.url, title: message.page.title });
      s.scanned = (s.scanned || 0) + units.length;
      s.rulesVersion = answer.rules_version || s.rulesVersion;
      s.findings.push(...found);
    });
    if (session) await session.add({ scanned: units.length }).catch(() => {});
    await setBadge(tabId, state.findings);
    await recording;
    const banner = found.length ? bannerModel(state.findings, ctx.lang, ctx.messages, message.page.url || state.url) : null;
    return { state: "ok", banner, risky: found.map((f) => f.unit.id) };
  }

  /** The tab's screenshot, taken while Himaya's own banner is out of the way (evidence shows the page). */
  async function screenshotOf(tabId) {
    let tab;
    try {
      tab = await api.tabs.get(tabId);
    } catch (_) {
      return null;
    }
    if (!tab.active) return null; // capturing would show another page: no screenshot rather than a wrong one
    let concealed = false;
    try {
      const answer = await api.tabs.sendMessage(tabId, { type: "conceal", conceal: true });
      concealed = Boolean(answer && answer.concealed);
    } catch (_) {
      // no reader in the tab: nothing of ours covers it
    }
    try {
      return await api.tabs.captureVisibleTab(tab.windowId, { format: "png" });
    } catch (_) {
      return null;
    } finally {
      if (concealed) {
        try {
          await api.tabs.sendMessage(tabId, { type: "conceal", conceal: false });
        } catch (_) {
          // the tab went away
        }
      }
    }
  }

  async function report(message, sender) {
    return sendReport(sender.tab.id, message.page, message.units, "");
  }

  /** The text for the reader: the child in the banner (tu), the parent in the popup (vous). */
  function forReader(messages, key, parent) {
    return parent && messages[`${key}Parent`] ? `${key}Parent` : key;
  }

  /** Capture and send a report for a tab; answers with a status text for the person. */
  async function sendReport(tabId, page, units, note, parent = false) {
    const ctx = await context();
    if (!ctx.token) return { state: "unpaired", status: t(ctx.messages, "stateUnpaired") };
    const state = await tabs.get(tabId);
    const where = { url: page.url || state.url, title: page.title || state.title };
    if (!units.length && !state.findings.length) return { state: "empty", status: t(ctx.messages, "reportNothing") };
    const screenshot = await screenshotOf(tabId);
    const payload = reportPayload({ page: where, found: state.findings, units, screenshot, note, lang: ctx.lang });
    let saved;
    try {
      saved = await ctx.companion.report(payload);
    } catch (error) {
      const code = stateOf(error);
      return { state: code, status: t(ctx.messages, forReader(ctx.messages, code === "offline" ? "reportOffline" : "reportFailed", parent)) };
    }
    const record = { id: saved.id, sha256: saved.sha256, created: saved.created, outbox: saved.outbox, screenshot: Boolean(screenshot) };
    await tabs.update(tabId, (s) => {
      s.report = record;
    });
    return { state: "ok", report: record, status: reportStatus(record, ctx) };
  }

  function reportStatus(record, ctx) {
    const saved = t(ctx.messages, "reportSaved", { time: formatTime(record.created, ctx.lang), id: record.id });
    const next = record.outbox === "pending" ? t(ctx.messages, "reportQueued") : t(ctx.messages, "reportKept");
    return `${saved} ${next}`;
  }

  async function feedback(message, sender) {
    return sendFeedback(sender.tab.id, message.verdict, message.page.url);
  }

  async function sendFeedback(tabId, verdict, url, parent = false) {
    const ctx = await context();
    const state = await tabs.get(tabId);
    const rules = distinctMatches(state.findings).map((m) => m.rule).slice(0, 50);
    if (!rules.length) return { state: "empty", status: t(ctx.messages, "feedbackNothing") };
    let saved;
    try {
      saved = await ctx.companion.feedback(rules, verdict, url || state.url, unlockFor(ctx));
    } catch (error) {
      return { state: stateOf(error), status: t(ctx.messages, forReader(ctx.messages, "feedbackFailed", parent)) };
    }
    await tabs.update(tabId, (s) => {
      s.feedback = { verdict, at: new Date(now()).toISOString() };
    });
    const kept = saved && Array.isArray(saved.needs_pin) && saved.needs_pin.length > 0;
    const key = verdict !== "wrong" ? "feedbackHelpedThanks" : kept ? "feedbackWrongKept" : "feedbackWrongThanks";
    return { state: "ok", status: t(ctx.messages, key), kept };
  }

  /** Companion state for the popup and options: offline, unpaired or ok with rules details
   * (`ctx`: context() when the caller has it already). */
  async function status(ctx) {
    ctx = ctx || (await context());
    if (!ctx.token) return { state: "unpaired", lang: ctx.lang }; // not linked: off, whatever runs on the port
    let data;
    try {
      data = await ctx.companion.status();
    } catch (error) {
      return { state: stateOf(error), lang: ctx.lang };
    }
    if (!ctx.token || !data.rules) return { state: "unpaired", lang: ctx.lang };
    return {
      state: "ok",
      lang: ctx.lang,
      // the published list's number and date, never the content hash
      listVersion: Number.isInteger(data.rules.version) ? data.rules.version : null,
      listDate: data.rules.created || null,
      listLabel: data.rules.label || null,
      stale: Boolean(data.rules.stale),
      expires: data.rules.expires || null,
      outbox: data.outbox || null,
      pin: Boolean(data.pin),
      extension: data.extension || null,
    };
  }

  async function pair(message) {
    if (!/\d/.test(message.code || "")) return { ok: false, state: "empty_code" };
    if (message.port !== undefined && message.port !== "" && !validPort(message.port)) return { ok: false, state: "bad_port" };
    const port = validPort(message.port);
    const settings = port ? await saveSettings(local, { port }) : await loadSettings(local);
    const companion = new Companion({ port: settings.port, fetch: deps.fetch });
    try {
      await secrets.set(await companion.pair(message.code));
    } catch (error) {
      return { ok: false, state: stateOf(error), port: settings.port };
    }
    return { ok: true, ...(await health()) };
  }

  async function unpair() {
    const ctx = await context();
    if (!(await parentAllowed(ctx))) return { ok: false, state: "pin_required" };
    await secrets.set(null);
    unlock = null;
    await showProtection("unpaired", ctx.messages);
    return { ok: true };
  }

  // -- the parent's PIN: the unlock lives in the service worker's memory only --

  let unlock = null; // {token, expires}

  function unlockFor() {
    return unlock && Date.parse(unlock.expires) > now() ? unlock.token : null;
  }

  /** True when no PIN is set, or the parent typed it in the last minutes. */
  async function parentAllowed(ctx) {
    if (unlockFor()) return true;
    if (!ctx.token) return true; // not linked: nothing to protect yet, and no PIN to ask for
    try {
      const state = await ctx.companion.request("GET", "/pin");
      return !state.set;
    } catch (_) {
      return false; // a PIN may be set and cannot be checked: keep things as they are
    }
  }

  async function pinState() {
    const ctx = await context();
    if (!ctx.token) return { state: "unpaired", set: false, unlocked: false };
    try {
      const state = await ctx.companion.request("GET", "/pin");
      return { state: "ok", set: Boolean(state.set), unlocked: Boolean(unlockFor()) };
    } catch (error) {
      return { state: stateOf(error), set: false, unlocked: false };
    }
  }

  async function pinSet(message) {
    const ctx = await context();
    try {
      const answer = await ctx.companion.request("POST", "/pin", { pin: message.pin }, { unlock: unlockFor() });
      unlock = { token: answer.unlock, expires: answer.expires };
      return { ok: true };
    } catch (error) {
      return { ok: false, state: stateOf(error), status: t(ctx.messages, pinError(error)) };
    }
  }

  async function pinUnlock(message) {
    const ctx = await context();
    try {
      const answer = await ctx.companion.request("POST", "/unlock", { pin: message.pin });
      unlock = { token: answer.unlock, expires: answer.expires };
      return { ok: true };
    } catch (error) {
      return { ok: false, state: stateOf(error), status: t(ctx.messages, pinError(error)) };
    }
  }

  function pinError(error) {
    const code = stateOf(error);
    return { pin_wrong: "pinWrong", pin_locked: "pinLocked", bad_request: "pinFormat", offline: "parentOffline" }[code] || "parentError";
  }

  /** The parent's history: warnings, silences and the allow-list (behind the PIN). */
  async function historyGet() {
    const ctx = await context();
    if (!ctx.token) return { state: "unpaired" };
    try {
      const data = await ctx.companion.request("GET", "/history", undefined, { unlock: unlockFor() });
      return { state: "ok", lang: ctx.lang, ...data };
    } catch (error) {
      return { state: stateOf(error), lang: ctx.lang };
    }
  }

  async function allowedUndo(message) {
    const ctx = await context();
    try {
      await ctx.companion.request("POST", `/allowed/${message.id}/undo`, {}, { unlock: unlockFor() });
      return { ok: true };
    } catch (error) {
      return { ok: false, state: stateOf(error) };
    }
  }

  /** Sensitivity per category and consent to share counts: kept by the companion. */
  async function parentSettings(message) {
    const ctx = await context();
    try {
      const body = message.values ? message.values : undefined;
      const data = body
        ? await ctx.companion.request("POST", "/settings", body, { unlock: unlockFor() })
        : await ctx.companion.request("GET", "/status");
      return {
        ok: true,
        sensitivity: data.sensitivity || {},
        share_feedback: Boolean(data.share_feedback),
        intake: data.intake !== undefined ? Boolean(data.intake) : Boolean(data.outbox && data.outbox.intake),
      };
    } catch (error) {
      return { ok: false, state: stateOf(error) };
    }
  }

  async function getSettings() {
    const settings = await loadSettings(local);
    return { settings, paired: Boolean(await secrets.get()), lang: pickLang(settings.lang, uiLanguage()) };
  }

  async function setSettings(message) {
    const ctx = await context();
    if (!(await parentAllowed(ctx))) return { state: "pin_required", settings: null };
    const settings = await saveSettings(local, message.settings);
    if (deps.onSettings) await deps.onSettings(settings);
    return { settings, paired: Boolean(await secrets.get()), lang: pickLang(settings.lang, uiLanguage()) };
  }

  /**
   * The popup's view of a tab: only what a banner was shown for, the last
   * report, the tab's scanning counts, and (live, from the content script)
   * how many units wait and whether the page altered the warning.
   */
  async function tabState(message) {
    const state = await tabs.get(message.tabId);
    if (state.report && state.report.outbox === "pending") state.report = await refreshOutbox(state.report);
    return { tab: state, live: await liveState(message.tabId), ...(await status()) };
  }

  async function liveState(tabId) {
    try {
      const answer = await api.tabs.sendMessage(tabId, { type: "state" });
      if (!answer || !answer.scanning) return null;
      const restored = answer.banner && answer.banner.warning ? Number(answer.banner.warning.restored) || 0 : 0;
      return { queued: Number(answer.scanning.queued) || 0, restored };
    } catch (_) {
      return null; // no reader in this tab
    }
  }

  async function refreshOutbox(record) {
    const ctx = await context();
    try {
      const data = await ctx.companion.request("GET", `/reports/${encodeURIComponent(record.id)}`);
      return { ...record, outboxState: data.outbox && data.outbox.state };
    } catch (_) {
      return record;
    }
  }

  /** Units the tab's content script has read; injects the generic adapter when none runs there. */
  async function collect(tabId, inject) {
    try {
      const answer = await api.tabs.sendMessage(tabId, { type: "collect" });
      if (answer && Array.isArray(answer.units)) return answer;
    } catch (_) {
      // no content script in this tab yet
    }
    if (!inject) return { page: {}, units: [] };
    try {
      await api.scripting.executeScript({ target: { tabId }, files: GENERIC_FILES });
      await new Promise((resolve) => setTimeout(resolve, 300)); // let it read the page once
      const answer = await api.tabs.sendMessage(tabId, { type: "collect" });
      if (answer && Array.isArray(answer.units)) return answer;
    } catch (_) {
      // a page the browser protects (store, settings): nothing to read
    }
    return { page: {}, units: [] };
  }

  async function tabReport(message) {
    const settings = await loadSettings(local);
    const got = await collect(message.tabId, settings.volunteer);
    const units = got.units.slice();
    if (message.selection) units.unshift({ id: `s-${now()}`, kind: "post", text: message.selection });
    return sendReport(message.tabId, got.page || {}, units, message.note, true);
  }

  /**
   * The volunteer's "Report with Himaya" (context menu): report the tab, then
   * tell the person in the page whether it was kept. The menu's info comes
   * from the browser, not through the protocol's door, so the selection is
   * cleaned here the same way.
   */
  async function menuReport(info, tab) {
    const tabId = tab.id;
    const selection = safeText(info.selectionText || info.linkUrl || "", LIMITS.text);
    const result = await tabReport({ type: "tab:report", tabId, note: "", selection });
    const settings = await loadSettings(local);
    const lang = pickLang(settings.lang, uiLanguage());
    const notice = noticeModel(result, lang, await loadMessages(lang));
    let shown = false;
    try {
      const answer = await api.tabs.sendMessage(tabId, { type: "notice", notice });
      shown = Boolean(answer && answer.shown);
    } catch (_) {
      // a page the browser protects: no reader there, nothing to draw on
    }
    return { ...result, notice: shown };
  }

  /**
   * A site's reader found nothing on a page full of text and the generic
   * reader read it instead: note it on the tab (the popup says so) and tell
   * the companion the site, once per page. No text, no address.
   */
  async function readerMissed(message, sender) {
    let first = false;
    await tabs.update(sender.tab.id, (s) => {
      first = !s.readerMissed;
      if (first) s.readerMissed = { site: message.site, at: new Date(now()).toISOString() };
    });
    if (!first) return { state: "ok", recorded: false };
    const ctx = await context();
    if (!ctx.token) return { state: "unpaired" };
    try {
      await ctx.companion.readerMissed(message.site);
    } catch (error) {
      return { state: stateOf(error) };
    }
    return { state: "ok", recorded: true };
  }

  /**
   * Volunteer mode: what the reader found on a tab, for NGO staff checking a
   * site after it changes: which reader, whether it fell back, and each
   * unit's kind, reader, speaker and first characters.
   */
  async function tabRead(message) {
    const settings = await loadSettings(local);
    if (!settings.volunteer) return { state: "volunteer_only" };
    let answer = null;
    try {
      answer = await api.tabs.sendMessage(message.tabId, { type: "collect" });
    } catch (_) {
      answer = null; // no reader on this page (not a site Himaya reads, or a page the browser protects)
    }
    if (!answer || !Array.isArray(answer.units)) return { state: "no_reader" };
    const reader = answer.reader && typeof answer.reader === "object" ? answer.reader : {};
    const site = typeof reader.site === "string" ? safeText(reader.site, 40) : "";
    // what the reader read on the page at its last reading, in page order (a report's units are newest first)
    const read = Array.isArray(answer.read) ? answer.read : answer.units;
    const units = read.slice(-LIMITS.units).map((u) => ({
      kind: safeText(u.kind, 20),
      site: safeText(u.via || site, 40),
      speaker: ["self", "other", "unknown"].includes(u.speaker) ? u.speaker : "unknown",
      text: safeText(u.text, PREVIEW_CHARS),
      cut: typeof u.text === "string" && u.text.length > PREVIEW_CHARS,
    }));
    const page = answer.page || {};
    return { state: "ok", site, fallback: Boolean(reader.fallback), page: { url: safeText(page.url, LIMITS.url), title: safeText(page.title, LIMITS.title) }, units };
  }

  /** The parent's history of "reader found nothing" events, from the companion. */
  async function readersHistory() {
    const ctx = await context();
    if (!ctx.token) return { state: "unpaired", missed: [] };
    try {
      const data = await ctx.companion.readerMisses();
      return { state: "ok", missed: Array.isArray(data.missed) ? data.missed : [] };
    } catch (error) {
      return { state: stateOf(error), missed: [] };
    }
  }

  async function tabCheck(message) {
    const got = await collect(message.tabId, true);
    return { state: "ok", units: got.units.length };
  }

  return {
    page,
    scan,
    report,
    feedback,
    status: health, // the options page and popup ask: the badge follows what they are told
    pair,
    unpair,
    "settings:get": getSettings,
    "settings:set": setSettings,
    "tab:state": tabState,
    "tab:report": tabReport,
    "tab:feedback": (m) => sendFeedback(m.tabId, m.verdict, null, true),
    "tab:check": tabCheck,
    "pin:state": pinState,
    "pin:set": pinSet,
    "pin:unlock": pinUnlock,
    "history:get": historyGet,
    "allowed:undo": allowedUndo,
    "parent:settings": parentSettings,
    "tab:read": tabRead,
    "readers:history": readersHistory,
    "reader:missed": readerMissed,
    // not message types: the service worker calls them (install, alarms)
    health,
    // not a message type: the protocol never routes here; the context menu calls it
    menuReport,
  };
}
