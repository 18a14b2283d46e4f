/*
 * The companion's HTTP client. Only the service worker imports this: the
 * companion refuses requests that carry a web page's origin, and the token
 * must never reach a content script.
 *
 * Every failure becomes a CompanionError with a stable `code` that the UI
 * translates: "offline" (nothing answers on the port), "unpaired" (no token
 * or the companion refused it), or the companion's own error code
 * (docs/API.md), e.g. "pairing_failed", "rate_limited".
 *
 * Example:
 *   const c = new Companion({port: 47615, token, fetch});
 *   const {results, rules_version} = await c.scanBatch([{id: "m-1", kind: "message", text: "slt"}]);
 */

export const DEFAULT_PORT = 47615;

export class CompanionError extends Error {
  constructor(code, status = 0, detail = null, retryAfterMs = null) {
    super(detail ? `${code}: ${detail}` : code);
    this.code = code;
    this.status = status;
    this.detail = detail;
    this.retryAfterMs = retryAfterMs; // 429 and 503: how long the companion asks to wait
  }
}

/** Retry-After (seconds) in milliseconds, or null. */
function retryAfter(response) {
  const value = response.headers && typeof response.headers.get === "function" ? response.headers.get("Retry-After") : null;
  const seconds = Number(value);
  return value !== null && Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 3600) * 1000 : null;
}

/** A port the companion can listen on, or null. */
export function validPort(value) {
  const port = Number(value);
  return Number.isInteger(port) && port >= 1024 && port <= 65535 ? port : null;
}

export class Companion {
  /**
   * @param {{port?: number, token?: string|null, fetch: Function, timeoutMs?: number}} options
   */
  constructor({ port = DEFAULT_PORT, token = null, fetch, timeoutMs = 8000 }) {
    this.base = `http://127.0.0.1:${validPort(port) || DEFAULT_PORT}/api/v1`;
    this.token = token;
    this.fetch = fetch;
    this.timeoutMs = timeoutMs;
  }

  /** One request; resolves to the parsed JSON body or throws CompanionError. */
  async request(method, path, body, { needsToken = true, timeoutMs = this.timeoutMs, unlock = null } = {}) {
    if (needsToken && !this.token) throw new CompanionError("unpaired");
    // X-Himaya-Client: the browser sends no Origin on a GET, and the companion
    // counts the heartbeat as the extension being there (its silences record).
    const headers = { Accept: "application/json", "X-Himaya-Client": "extension" };
    if (this.token) headers["X-Himaya-Token"] = this.token;
    if (unlock) headers["X-Himaya-Unlock"] = unlock; // the parent's PIN was typed a moment ago
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let response;
    try {
      response = await this.fetch(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
        credentials: "omit",
        cache: "no-store",
      });
    } catch (_) {
      throw new CompanionError("offline");
    } finally {
      clearTimeout(timer);
    }
    let data = null;
    try {
      data = await response.json();
    } catch (_) {
      data = null;
    }
    if (response.ok) {
      if (!data || typeof data !== "object") throw new CompanionError("bad_response", response.status);
      return data;
    }
    const code = data && typeof data.error === "string" ? data.error : "http_" + response.status;
    if (code === "unauthorized" || (code === "forbidden" && path !== "/pair" && code !== "pin_required")) {
      throw new CompanionError("unpaired", response.status, data && data.detail);
    }
    throw new CompanionError(code, response.status, data && data.detail, retryAfter(response));
  }

  /** Trade a pairing code (printed by `himaya serve`) for the token. */
  async pair(code) {
    const data = await this.request("POST", "/pair", { code: String(code).trim() }, { needsToken: false });
    if (typeof data.token !== "string" || !data.token) throw new CompanionError("bad_response");
    return data.token;
  }

  /** Liveness without a token, full status with it. */
  status() {
    return this.request("GET", "/status", undefined, { needsToken: false, timeoutMs: 3000 });
  }

  scanBatch(units) {
    return this.request("POST", "/scan/batch", { units });
  }

  /** This browser session's scanning counts (no text): see background/health.js. */
  health(body) {
    return this.request("POST", "/scan/health", body);
  }

  report(payload) {
    return this.request("POST", "/reports", payload, { timeoutMs: 30000 });
  }

  /** Record that a site's reader found nothing on a page full of text: the site only. */
  readerMissed(site) {
    return this.request("POST", "/readers/missed", { site });
  }

  /** The "reader found nothing" events kept by the companion: [{site, day, pages, last}]. */
  readerMisses() {
    return this.request("GET", "/readers/missed");
  }

  feedback(rules, verdict, url, unlock = null) {
    const body = { rules, verdict };
    if (url) body.url = url;
    return this.request("POST", "/feedback", body, { unlock });
  }
}
