/*
 * The extension's settings, in extension storage (storage.local). The
 * pairing token is not here: see secrets.js.
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
