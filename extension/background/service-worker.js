/*
 * The service worker (Chromium) / background script (Firefox): the only part
 * of the extension that talks to the companion. It wires browser events to
 * the handlers; everything it does is in handlers.js.
 *
 * Listeners are registered at the top level, synchronously, so the browser
 * can wake the worker for any of them.
 */
import { createHandlers } from "./handlers.js";
import { checkMessage } from "./protocol.js";
import { loadMessages, t, pickLang, LANGS } from "./i18n.js";
import { loadSettings } from "./settings.js";
import { TabStore } from "./tabs.js";
import { TokenStore, areaBackend } from "./secrets.js";
import { Companion } from "./companion.js";
import { SessionHealth } from "./health.js";

const api = globalThis.browser || globalThis.chrome;
const MENU_ID = "himaya-report";
const ext = { id: api.runtime.id, baseUrl: api.runtime.getURL("") };

// Content scripts need no extension storage: where the browser can (Chromium),
// only the service worker and extension pages may read it. Firefox cannot
// restrict storage.local, so the token is kept elsewhere (secrets.js).
for (const area of [api.storage.local, api.storage.session, api.storage.sync]) {
  if (area && typeof area.setAccessLevel === "function") {
    Promise.resolve(area.setAccessLevel({ accessLevel: "TRUSTED_CONTEXTS" })).catch(() => {});
  }
}

const tabs = new TabStore(api.storage.session);
const secrets = new TokenStore({ fallback: areaBackend(api.storage.session), legacy: api.storage.local });
const health = new SessionHealth({
  area: api.storage.session,
  send: async (body) => {
    const settings = await loadSettings(api.storage.local);
    return new Companion({ port: settings.port, token: await secrets.get(), fetch: (...args) => fetch(...args) }).health(body);
  },
});

/**
 * The person's language: the first of the browser's preferred languages that
 * the extension speaks (navigator.languages, set in the browser's language
 * settings), else the browser's interface language.
 */
function browserLanguage() {
  const preferred = [...(globalThis.navigator && navigator.languages ? navigator.languages : []), api.i18n.getUILanguage()];
  return preferred.find((l) => LANGS.includes(String(l).toLowerCase().split(/[-_]/)[0])) || api.i18n.getUILanguage();
}

const handlers = createHandlers({
  api,
  fetch: (...args) => fetch(...args),
  local: api.storage.local,
  secrets,
  health,
  tabs,
  uiLanguage: browserLanguage,
  loadMessages: (lang) => loadMessages(lang, fetch, (path) => api.runtime.getURL(path)),
  onSettings: syncMenu,
});

api.runtime.onMessage.addListener((message, sender, sendResponse) => {
  const checked = checkMessage(message, sender, ext);
  if (!checked.ok) {
    sendResponse({ state: "refused", error: checked.error });
    return false;
  }
  handlers[checked.message.type](checked.message, sender)
    .then(sendResponse)
    .catch(() => sendResponse({ state: "error" }));
  return true; // answer asynchronously
});

/** Volunteer mode: a context-menu item to report any page, link or selection. */
async function syncMenu(settings) {
  const s = settings || (await loadSettings(api.storage.local));
  await api.contextMenus.removeAll();
  if (!s.volunteer) return;
  const messages = await loadMessages(pickLang(s.lang, browserLanguage()), fetch, (p) => api.runtime.getURL(p));
  api.contextMenus.create({ id: MENU_ID, title: t(messages, "menuReport"), contexts: ["page", "selection", "link"] });
}

/**
 * "Report with Himaya": report the tab, then show the person in the page
 * whether it was kept. The promise is returned only so that whoever calls the
 * listener can wait for it; the browser ignores it.
 */
function onMenuClicked(info, tab) {
  if (!info || info.menuItemId !== MENU_ID || !tab || !(tab.id >= 0)) return undefined;
  return handlers.menuReport(info, tab).catch(() => ({ state: "error" }));
}

api.contextMenus.onClicked.addListener(onMenuClicked);

// The first time, the parent lands on the options page to link the extension.
api.runtime.onInstalled.addListener((details) => {
  syncMenu().catch(() => {});
  handlers.health().catch(() => {});
  if (details && details.reason === "install") api.runtime.openOptionsPage().catch(() => {});
});
api.runtime.onStartup.addListener(() => {
  syncMenu().catch(() => {});
  handlers.health().catch(() => {});
});

// Every minute while the browser runs: is protection still on (the badge turns
// OFF within a minute of the companion stopping, on every tab), and tell the
// companion the extension is here (it records long silences for the parent).
const HEARTBEAT = "himaya-heartbeat";
if (api.alarms) {
  api.alarms.create(HEARTBEAT, { periodInMinutes: 1 });
  api.alarms.onAlarm.addListener((alarm) => {
    if (alarm && alarm.name === HEARTBEAT) handlers.health().catch(() => {});
  });
}
api.tabs.onRemoved.addListener((tabId) => tabs.remove(tabId).catch(() => {}));
