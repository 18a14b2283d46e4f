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
 * first use. If this database cannot be opened (a privacy mode), the token
 * goes to storage.session instead: also out of content scripts' reach in both
 * browsers, but in memory only, so pairing lasts until the browser closes.
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

/** A backend over a storage area (storage.session: the fallback). */
export function areaBackend(area) {
  return {
    get: async (key) => (await area.get(key))[key],
    set: (key, value) => area.set({ [key]: value }),
    delete: (key) => area.remove(key),
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
   * @param {{backend?: object, fallback?: object, legacy?: object}} options
   *   `fallback`: where the token goes when `backend` fails; `legacy`: the
   *   storage area older versions kept the token in (moved from there on first use)
   */
  constructor({ backend, fallback = null, legacy = null } = {}) {
    this.primary = backend || (globalThis.indexedDB ? idbBackend() : memoryBackend());
    this.backend = this.primary;
    this.fallback = fallback;
    this.legacy = legacy;
    this.cached = undefined;
  }

  /** `act(backend)`, on the fallback from then on if the backend fails. */
  async use(act) {
    try {
      return await act(this.backend);
    } catch (error) {
      if (!this.fallback || this.backend === this.fallback) throw error;
      this.backend = this.fallback;
      return act(this.backend);
    }
  }

  async get() {
    if (this.cached !== undefined) return this.cached;
    let token = await this.use((b) => b.get(KEY));
    if (!valid(token) && this.legacy) {
      const { token: old } = await this.legacy.get("token");
      if (valid(old)) {
        await this.use((b) => b.set(KEY, old));
        token = old;
      }
      if (old !== undefined) await this.legacy.remove("token");
    }
    // Only a token is remembered: "no token yet" is asked again next time (the extension
    // asks at start-up, before it is paired; a token kept meanwhile must be found).
    this.cached = valid(token) ? token : undefined;
    return valid(token) ? token : null;
  }

  async set(token) {
    if (valid(token)) await this.use((b) => b.set(KEY, token));
    else await this.use((b) => b.delete(KEY));
    if (this.legacy) await this.legacy.remove("token");
    this.cached = valid(token) ? token : undefined;
  }
}
