/*
 * Languages: which one to speak, and the texts in it.
 *
 * The extension's own texts live in _locales/{fr,ar,en}/messages.json (the
 * browser's i18n format, so the manifest can use them too). The options page
 * can choose a language other than the browser's, which chrome.i18n cannot
 * do, so the files are read directly. Rule titles and explanations come from
 * the companion in all three languages; `localText` picks one.
 *
 * Example:
 *   pickLang("auto", "ar-TN")                  // -> "ar"
 *   const m = await loadMessages("fr", fetch)  // -> {bannerReport: "Signaler", ...}
 *   t(m, "reportSaved", {time: "14:02"})       // -> "Signalement enregistré à 14:02."
 */

export const LANGS = Object.freeze(["fr", "ar", "en"]);
export const DEFAULT_LANG = "fr";

/** The language to use: the setting when it is one we have, else the browser's, else French. */
export function pickLang(setting, uiLanguage) {
  if (LANGS.includes(setting)) return setting;
  const base = String(uiLanguage || "").toLowerCase().split(/[-_]/)[0];
  return LANGS.includes(base) ? base : DEFAULT_LANG;
}

export function dirFor(lang) {
  return lang === "ar" ? "rtl" : "ltr";
}

const cache = new Map();

/** Read one language's messages.json into {key: text}. */
export async function loadMessages(lang, fetcher, urlFor) {
  const code = LANGS.includes(lang) ? lang : DEFAULT_LANG;
  if (cache.has(code)) return cache.get(code);
  const response = await fetcher(urlFor(`_locales/${code}/messages.json`));
  const raw = await response.json();
  const messages = Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, value.message]));
  cache.set(code, messages);
  return messages;
}

/** One text with {name} placeholders filled; the key itself when missing (never empty). */
export function t(messages, key, values) {
  const text = messages && messages[key] != null ? messages[key] : key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (values && values[name] != null ? String(values[name]) : whole));
}

/** A text from a {fr, ar, en} object in `lang`, falling back to French then English. */
export function localText(texts, lang) {
  if (!texts) return "";
  if (typeof texts === "string") return texts;
  return texts[lang] || texts[DEFAULT_LANG] || texts.en || Object.values(texts).find(Boolean) || "";
}

/** A time of day in the person's language, e.g. "14:02". */
export function formatTime(iso, lang) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const locale = lang === "ar" ? "ar-TN-u-nu-latn" : lang === "fr" ? "fr-FR" : "en-GB";
  return date.toLocaleString(locale, { hour: "2-digit", minute: "2-digit", day: "numeric", month: "short" });
}

/** A date in the person's language, e.g. "29 nov. 2026" (the list's date in the popup). */
export function formatDate(iso, lang) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const locale = lang === "ar" ? "ar-TN-u-nu-latn" : lang === "fr" ? "fr-FR" : "en-GB";
  return date.toLocaleDateString(locale, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
}
