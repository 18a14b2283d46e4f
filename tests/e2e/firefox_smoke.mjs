// Firefox ESR through puppeteer-core (BROWSER_TESTING.md): install the packed
// extension as a temporary add-on, pair it in its own options page, open a
// risky fixture page and report what the banner says. Driven by
// test_firefox.py, which checks the answer; prints one JSON line.
//
// Usage: node firefox_smoke.mjs <extension dir or .xpi> <page url> <companion port> <pairing code>
import puppeteer from "puppeteer-core";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [extension, pageUrl, port, code] = process.argv.slice(2);
const GECKO_ID = "himaya@himaya.local";
const uuid = randomUUID();
const WAIT = { timeout: 15000 };
const profile = mkdtempSync(join(tmpdir(), "himaya-ff-"));

const browser = await puppeteer.launch({
  browser: "firefox",
  executablePath: "/usr/bin/firefox-esr",
  headless: true,
  acceptInsecureCerts: true,
  userDataDir: profile,
  extraPrefsFirefox: {
    "extensions.webextensions.uuids": JSON.stringify({ [GECKO_ID]: uuid }),
    "network.dns.forceResolve": "127.0.0.1", // every host name is the fixture site
    "intl.accept_languages": "fr",
    "xpinstall.signatures.required": false,
    "datareporting.policy.dataSubmissionEnabled": false,
    "toolkit.telemetry.enabled": false,
    "app.update.enabled": false,
    "browser.safebrowsing.malware.enabled": false,
    "browser.safebrowsing.phishing.enabled": false,
    "network.captive-portal-service.enabled": false,
    "network.connectivity-service.enabled": false,
  },
});

const result = { ok: false };
try {
  await browser.installExtension(extension);
  // Pair in the real options page, framed in an ordinary page (puppeteer cannot open moz-extension:// itself).
  const page = await browser.newPage();
  await page.goto(pageUrl.replace(/\/[^/]*\/?$/, "/") + "not-found-pairing-host");
  await page.evaluate((src) => {
    const frame = document.createElement("iframe");
    frame.src = src;
    frame.style.cssText = "width:800px;height:700px";
    document.body.append(frame);
  }, `moz-extension://${uuid}/ui/options.html`);
  const deadline = Date.now() + 15000;
  let options = null;
  while (!options && Date.now() < deadline) {
    // frame.url() says about:blank for an extension frame: ask the frame itself
    for (const frame of page.frames().slice(1)) {
      const href = await frame.evaluate(() => location.href).catch(() => "");
      if (href.startsWith("moz-extension://")) options = frame;
    }
    if (!options) await new Promise((r) => setTimeout(r, 100));
  }
  if (!options) throw new Error("options page frame not found");
  await options.waitForSelector("#paired[data-state=unpaired]", WAIT);
  await options.$eval("#port", (el, value) => (el.value = value), port);
  await options.type("#code", code);
  await options.click("#pair");
  await options.waitForSelector("#paired[data-state=ok]", WAIT);
  result.paired = true;

  await page.goto(pageUrl);
  const host = await page.waitForSelector("[data-himaya-warning]", WAIT);
  result.severity = await host.evaluate((el) => el.getAttribute("data-himaya-warning"));
  result.text = await host.evaluate((el) => el.shadowRoot && el.shadowRoot.querySelector(".box").textContent);
  result.ok = true;
} catch (error) {
  result.error = String(error && error.stack ? error.stack : error);
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
