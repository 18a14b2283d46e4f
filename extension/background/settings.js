/*
 * The extension's settings and its pairing token, in extension storage.
 *
 * The token is kept apart from the settings and only this service worker
 * reads it: no message to a content script ever carries it, and the options
 * page only learns whether the extension is paired.
 *
 * Example:
 *   const s = await loadSettings(chrome.storage.local);  // {port: 47615, lang: "auto", ...}
 *   await saveSettings(chrome.storage.local, {lang: "ar"});
 */
import { validPort, DEFAULT_PORT } from "./companion.js";
import { LANGS } from "./i18n.js";
import { SEVERITIES } from "./protocol.js";

export const DEFAULTS = Object.freeze({
  port: DEFAULT_PORT,
  lang: "auto", // "auto" follows the browser; or fr, ar, en
  severities: ["medium", "high", "critical"], // which severities show a banner
  volunteer: false, // context menu: report any page or selection
});

/** A valid settings object: `patch` fields that pass their check, over `base`. */
export function cleanSettings(patch, base = DEFAULTS) {
  const out = { ...DEFAULTS, ...base };
  if (!patch || typeof patch !== "object") return out;
  if (patch.port !== undefined && validPort(patch.port)) out.port = validPort(patch.port);
  if (patch.lang === "auto" || LANGS.includes(patch.lang)) out.lang = patch.lang;
  if (Array.isArray(patch.severities)) out.severities = SEVERITIES.filter((s) => patch.severities.includes(s));
  if (typeof patch.volunteer === "boolean") out.volunteer = patch.volunteer;
  return out;
}

export async function loadSettings(storage) {
  const { settings } = await storage.get("settings");
  return cleanSettings(settings);
}

export async function saveSettings(storage, patch) {
  const next = cleanSettings(patch, await loadSettings(storage));
  await storage.set({ settings: next });
  return next;
}

export async function loadToken(storage) {
  const { token } = await storage.get("token");
  return typeof token === "string" && token ? token : null;
}

export async function saveToken(storage, token) {
  if (token) await storage.set({ token });
  else await storage.remove("token");
}
