/*
 * Helpers shared by the popup and the options page: the browser API, a
 * checked message to the service worker, and the page's texts in the chosen
 * language (right-to-left for Arabic). Text is always set with textContent.
 *
 * Example:
 *   const messages = await localise(document, "ar");  // fills every [data-i18n], sets dir="rtl"
 */
import { loadMessages, dirFor, t } from "../background/i18n.js";

export const api = globalThis.browser || globalThis.chrome;

/** The sites' own names (the same in every language), for the reader's notes. */
export const SITE_NAMES = Object.freeze({
  facebook: "Facebook",
  instagram: "Instagram",
  tiktok: "TikTok",
  x: "X",
  messenger: "Messenger",
  whatsapp: "WhatsApp",
  telegram: "Telegram",
  discord: "Discord",
  generic: "—",
});

export function siteName(site) {
  return SITE_NAMES[site] || String(site || "");
}

/** Ask the service worker; resolves to its answer, or {state: "error"}. */
export async function ask(message) {
  try {
    return (await api.runtime.sendMessage(message)) || { state: "error" };
  } catch (_) {
    return { state: "error" };
  }
}

export async function localise(doc, lang) {
  const messages = await loadMessages(lang, fetch, (path) => api.runtime.getURL(path));
  doc.documentElement.lang = lang;
  doc.documentElement.dir = dirFor(lang);
  for (const el of doc.querySelectorAll("[data-i18n]")) el.textContent = t(messages, el.dataset.i18n);
  return messages;
}

export function el(tag, text, attrs) {
  const node = document.createElement(tag);
  if (text != null) node.textContent = String(text);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  return node;
}
