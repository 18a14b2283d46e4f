/*
 * The message protocol between the extension's worlds, checked at the door.
 *
 * The service worker accepts messages only from this extension (sender.id),
 * and only the fixed set of types below, each from the side allowed to send
 * it: content scripts (running in a web page) may report what the page shows
 * and ask for a report; extension pages (popup, options) may also pair and
 * change settings. Everything else is refused before any work is done. Every
 * field is checked and copied, so nothing unexpected travels to the companion.
 *
 * Example:
 *   checkMessage({type: "scan", units: [...], page: {...}}, sender, {id, baseUrl})
 *   // -> {ok: true, from: "content", message: {...clean copy...}}
 *   // or {ok: false, error: "unknown_type"}
 */

export const CONTENT_TYPES = Object.freeze(["page", "scan", "report", "feedback", "reader:missed"]);
export const PAGE_TYPES = Object.freeze([
  "status",
  "pair",
  "unpair",
  "settings:get",
  "settings:set",
  "tab:state",
  "tab:report",
  "tab:feedback",
  "tab:check",
  "pin:state",
  "pin:set",
  "pin:unlock",
  "history:get",
  "allowed:undo",
  "parent:settings",
  "tab:read",
  "readers:history",
]);
export const KINDS = Object.freeze(["profile", "post", "message", "url"]);
export const SEVERITIES = Object.freeze(["low", "medium", "high", "critical"]);
/** Whose words a unit holds (content/readers.js). */
export const SPEAKERS = Object.freeze(["self", "other", "unknown"]);
/** The sites with a reader of their own: the only values a "reader found nothing" event may name. */
export const SITES = Object.freeze(["facebook", "instagram", "tiktok", "x", "messenger", "whatsapp", "telegram", "discord"]);

export const LIMITS = Object.freeze({ units: 200, text: 4000, id: 64, conversation: 256, url: 2000, title: 300, note: 2000,
  before: 2, beforeText: 1000 });

// C0/C1 control characters (tab, LF, CR kept) and lone surrogates: the companion refuses them.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** A string safe to send: control characters and lone surrogates replaced, length capped. */
export function safeText(value, max) {
  if (typeof value !== "string") return "";
  return value.replace(CONTROL, "\ufffd").slice(0, max);
}

/** Which side sent the message: "page" (our own extension page), "content", or null. */
export function senderSide(sender, ext) {
  if (!sender || sender.id !== ext.id) return null;
  const url = String(sender.url || "");
  if (url.startsWith(ext.baseUrl)) return "page";
  if (sender.tab && typeof sender.tab.id === "number" && sender.tab.id >= 0) return "content";
  return null;
}

function cleanPage(page) {
  if (!page || typeof page !== "object") return { url: "", title: "" };
  return { url: safeText(page.url, LIMITS.url), title: safeText(page.title, LIMITS.title) };
}

/** A unit as the companion accepts it, or null when it is malformed. */
export function cleanUnit(unit) {
  if (!unit || typeof unit !== "object" || !KINDS.includes(unit.kind)) return null;
  const text = safeText(unit.text, LIMITS.text).trim();
  if (!text || typeof unit.id !== "string" || !unit.id || unit.id.length > LIMITS.id) return null;
  const clean = { id: safeText(unit.id, LIMITS.id), kind: unit.kind, text };
  if (typeof unit.conversation === "string" && unit.conversation) {
    clean.conversation = safeText(unit.conversation, LIMITS.conversation);
  }
  if (SPEAKERS.includes(unit.speaker)) clean.speaker = unit.speaker;
  if (Array.isArray(unit.before) && clean.conversation && unit.kind === "message") {
    const before = unit.before.slice(-LIMITS.before).map((t) => safeText(t, LIMITS.beforeText).trim()).filter(Boolean);
    if (before.length) clean.before = before;
  }
  return clean;
}

function cleanUnits(units, max) {
  if (!Array.isArray(units)) return null;
  return units.slice(0, max).map(cleanUnit).filter(Boolean);
}

// What a content script counts; the units scanned are counted by the service worker (handlers.js).
const HEALTH_FIELDS = ["deferred", "dropped", "restored", "maxWaitMs"];

/** A content script's scanning counts (numbers only, whole and bounded), or null. */
export function cleanHealth(health) {
  if (!health || typeof health !== "object") return null;
  const out = {};
  for (const key of HEALTH_FIELDS) {
    const n = Number(health[key]);
    out[key] = Number.isFinite(n) && n > 0 ? Math.min(Math.floor(n), 1e9) : 0;
  }
  return out;
}

function tabId(value) {
  return Number.isInteger(value) && value >= 0 ? value : null;
}

/** Per-type field checks: each returns the clean message or null. */
const CHECKS = {
  page: (m) => ({ type: "page", page: cleanPage(m.page) }),
  scan: (m) => {
    const units = cleanUnits(m.units, LIMITS.units);
    return units && units.length ? { type: "scan", units, page: cleanPage(m.page), health: cleanHealth(m.health) } : null;
  },
  report: (m) => ({ type: "report", units: cleanUnits(m.units || [], LIMITS.units) || [], page: cleanPage(m.page) }),
  feedback: (m) => (["wrong", "helped"].includes(m.verdict) ? { type: "feedback", verdict: m.verdict, page: cleanPage(m.page) } : null),
  "reader:missed": (m) => (SITES.includes(m.site) ? { type: "reader:missed", site: m.site } : null),
  status: () => ({ type: "status" }),
  // An empty code reaches the handler, which tells the parent what to type.
  pair: (m) => ({ type: "pair", code: safeText(m.code, 64).trim(), port: m.port }),
  unpair: () => ({ type: "unpair" }),
  "settings:get": () => ({ type: "settings:get" }),
  "settings:set": (m) => (m.settings && typeof m.settings === "object" ? { type: "settings:set", settings: m.settings } : null),
  "tab:state": (m) => (tabId(m.tabId) !== null ? { type: "tab:state", tabId: m.tabId } : null),
  "tab:report": (m) =>
    tabId(m.tabId) !== null
      ? { type: "tab:report", tabId: m.tabId, note: safeText(m.note, LIMITS.note), selection: safeText(m.selection, LIMITS.text) }
      : null,
  "tab:feedback": (m) =>
    tabId(m.tabId) !== null && ["wrong", "helped"].includes(m.verdict) ? { type: "tab:feedback", tabId: m.tabId, verdict: m.verdict } : null,
  "tab:check": (m) => (tabId(m.tabId) !== null ? { type: "tab:check", tabId: m.tabId } : null),
  "pin:state": () => ({ type: "pin:state" }),
  "pin:set": (m) => (typeof m.pin === "string" && /^\d{4,12}$/.test(m.pin) ? { type: "pin:set", pin: m.pin } : null),
  "pin:unlock": (m) => (typeof m.pin === "string" && m.pin.length <= 32 ? { type: "pin:unlock", pin: m.pin } : null),
  "history:get": () => ({ type: "history:get" }),
  "allowed:undo": (m) => (Number.isInteger(m.id) && m.id > 0 ? { type: "allowed:undo", id: m.id } : null),
  "parent:settings": (m) => {
    if (m.values === undefined) return { type: "parent:settings" };
    if (!m.values || typeof m.values !== "object") return null;
    const values = {};
    if (m.values.sensitivity && typeof m.values.sensitivity === "object") {
      values.sensitivity = Object.fromEntries(
        Object.entries(m.values.sensitivity)
          .filter(([k, v]) => /^[a-z-]{1,40}$/.test(k) && ["off", "low", "normal", "high"].includes(v))
          .slice(0, 32)
      );
    }
    if (typeof m.values.share_feedback === "boolean") values.share_feedback = m.values.share_feedback;
    return { type: "parent:settings", values };
  },
  "tab:read": (m) => (tabId(m.tabId) !== null ? { type: "tab:read", tabId: m.tabId } : null),
  "readers:history": () => ({ type: "readers:history" }),
};

/**
 * Check a message against the protocol.
 * @param {object} message what runtime.onMessage received
 * @param {object} sender runtime.MessageSender
 * @param {{id: string, baseUrl: string}} ext this extension's id and base URL
 */
export function checkMessage(message, sender, ext) {
  const from = senderSide(sender, ext);
  if (!from) return { ok: false, error: "foreign_sender" };
  if (!message || typeof message !== "object" || typeof message.type !== "string") return { ok: false, error: "bad_message" };
  const allowed = from === "page" ? PAGE_TYPES : CONTENT_TYPES;
  if (!allowed.includes(message.type)) return { ok: false, error: "unknown_type" };
  const clean = CHECKS[message.type](message);
  if (!clean) return { ok: false, error: "bad_fields" };
  return { ok: true, from, message: clean };
}
