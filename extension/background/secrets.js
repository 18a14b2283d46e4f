/*
 * The pairing token, kept where only the service worker reaches it.
 *
 * It lives in the extension's own IndexedDB (origin chrome-extension://<id>
 * or moz-extension://<uuid>). Content scripts run with the page's origin:
 * their indexedDB is the page's, so they cannot open this database. It is
 * not in storage.local: Firefox gives content scripts storage.local with no
 * way to restrict it (Chromium can: the service worker also restricts its
 * storage areas to trusted contexts, see service-worker.js). A token left in
 * storage.local by an older version is moved here and removed there on
 * first use.
 *
 * Only the service worker imports this file; no message ever carries the
 * token to a page, a content script or the options page.
 *
 * Example:
 *   const secrets = new TokenStore({legacy: chrome.storage.local});
 *   await secrets.set("tok");  await secrets.get()  // -> "tok"
 */
const DB_NAME = "himaya-secrets";
const STORE = "secrets";
const KEY = "token";

function valid(token) {
  return typeof token === "string" && token.length > 0 && token.length <= 512;
}

/** One value store in the extension origin's IndexedDB. */
export function idbBackend(indexedDB = globalThis.indexedDB) {
  let opening = null;
  function open() {
    if (!opening) {
      opening = new Promise((resolve, reject) => {
        const request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = () => request.result.createObjectStore(STORE);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      opening.catch(() => (opening = null));
    }
    return opening;
  }
  async function run(mode, act) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = act(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }
  return {
    get: (key) => run("readonly", (s) => s.get(key)),
    set: (key, value) => run("readwrite", (s) => s.put(value, key)),
    delete: (key) => run("readwrite", (s) => s.delete(key)),
  };
}

/** A backend in memory (tests, or a browser without IndexedDB for extensions). */
export function memoryBackend() {
  const data = new Map();
  return {
    data,
    get: async (key) => data.get(key),
    set: async (key, value) => void data.set(key, value),
    delete: async (key) => void data.delete(key),
  };
}

export class TokenStore {
  /**
   * @param {{backend?: object, legacy?: object}} options `legacy`: the storage
   *   area older versions kept the token in (moved from there on first use)
   */
  constructor({ backend, legacy = null } = {}) {
    this.backend = backend || (globalThis.indexedDB ? idbBackend() : memoryBackend());
    this.legacy = legacy;
    this.cached = undefined;
  }

  async get() {
    if (this.cached !== undefined) return this.cached;
    let token = await this.backend.get(KEY);
    if (!valid(token) && this.legacy) {
      const { token: old } = await this.legacy.get("token");
      if (valid(old)) {
        await this.backend.set(KEY, old);
        token = old;
      }
      if (old !== undefined) await this.legacy.remove("token");
    }
    this.cached = valid(token) ? token : null;
    return this.cached;
  }

  async set(token) {
    if (valid(token)) await this.backend.set(KEY, token);
    else await this.backend.delete(KEY);
    if (this.legacy) await this.legacy.remove("token");
    this.cached = valid(token) ? token : null;
  }
}
