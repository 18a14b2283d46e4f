// Shared helpers for the extension's unit tests: load content scripts into a
// jsdom page, read fixtures, and fake the browser APIs the service worker uses.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { JSDOM } from "jsdom";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const EXT = join(ROOT, "extension");
export const FIXTURES = join(ROOT, "tests", "extension", "fixtures");

export function fixture(name) {
  return readFileSync(join(FIXTURES, name), "utf8");
}

const windows = [];

/** A jsdom window at `url` with the given extension files evaluated in it (page scripts do not run). */
export function loadPage(html, url, files) {
  const dom = new JSDOM(html, { url, runScripts: "outside-only", pretendToBeVisual: true });
  windows.push(dom.window);
  for (const file of files) dom.window.eval(readFileSync(join(EXT, file), "utf8"));
  return dom.window;
}

/** Close every window made so far (their timers would keep the test process alive): `after(closeWindows)`. */
export function closeWindows() {
  for (const window of windows.splice(0)) window.close();
}

/**
 * Shadow roots attached in `window` from now on, closed ones included: what a
 * privileged observer (the browser's devtools, as the browser tests use) sees.
 * The page's own scripts get nothing of the kind.
 */
export function captureShadowRoots(window) {
  const roots = [];
  const proto = window.Element.prototype;
  const attach = proto.attachShadow;
  proto.attachShadow = function (init) {
    const root = attach.call(this, init);
    roots.push({ host: this, root, mode: init.mode });
    return root;
  };
  return roots;
}

/** Evaluate extension files in an existing jsdom window (after faking the browser API on it). */
loadPage.evalInto = (window, files) => {
  for (const file of files) window.eval(readFileSync(join(EXT, file), "utf8"));
};

export const CORE = ["content/himaya.js", "content/units.js", "content/readers.js"];

/** Units the adapter for `url` extracts from a fixture. */
export function extract(fixtureName, url, site) {
  const window = loadPage(fixture(fixtureName), url, [...CORE, `content/sites/${site}.js`, "content/sites/generic.js"]);
  const adapter = window.Himaya.adapterFor(window.location.hostname);
  // a JSON copy: arrays made in the jsdom realm are not deep-equal to node arrays
  return { adapter, units: JSON.parse(JSON.stringify(adapter.extract(window.document, window.location))), window };
}

/** An in-memory storage area with the browser's get/set/remove shape. */
export function memoryArea() {
  const data = new Map();
  return {
    data,
    async get(key) {
      if (key == null) return Object.fromEntries(data);
      const keys = Array.isArray(key) ? key : [key];
      return Object.fromEntries(keys.filter((k) => data.has(k)).map((k) => [k, structuredClone(data.get(k))]));
    },
    async set(items) {
      for (const [k, v] of Object.entries(items)) data.set(k, structuredClone(v));
    },
    async remove(key) {
      for (const k of Array.isArray(key) ? key : [key]) data.delete(k);
    },
  };
}

/** Messages of one locale, read from the extension's files. */
export function messagesOf(lang) {
  const raw = JSON.parse(readFileSync(join(EXT, "_locales", lang, "messages.json"), "utf8"));
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v.message]));
}

/** A fetch that answers from a route table: {"POST /scan/batch": (body) => [status, json]}. */
export function fakeFetch(routes, log = []) {
  return async (url, init = {}) => {
    const path = new URL(url).pathname.replace(/^\/api\/v1/, "");
    const key = `${init.method || "GET"} ${path}`;
    const body = init.body ? JSON.parse(init.body) : undefined;
    log.push({ key, body, headers: init.headers, url });
    const route = routes[key];
    if (route === "offline" || !route) throw new TypeError("Failed to fetch");
    const [status, json, headers = {}] = route(body, init.headers);
    const named = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
    return { ok: status >= 200 && status < 300, status, json: async () => json, headers: { get: (name) => named.get(name.toLowerCase()) ?? null } };
  };
}
