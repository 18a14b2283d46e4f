// Firefox ESR through puppeteer-core (docs/TESTING.md): install the shipped .xpi,
// unchanged, as a temporary add-on, pair it in its own options page, open a
// risky fixture page and report what the banner says. Driven by
// test_firefox.py, which checks the answer; prints one JSON line.
//
// WebDriver BiDi refuses to open moz-extension:// pages unless Firefox runs with
// --remote-allow-system-access (test profiles only), so the options page is
// opened as a person would find it, with nothing added to the package.
//
// Usage: node firefox_smoke.mjs <.xpi> <page url> <companion port> <pairing code>
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
  args: ["--remote-allow-system-access"],
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
  // Pair in the real options page. Its navigation never reports "load" to BiDi:
  // start it, then wait for the page's own element.
  const page = await browser.newPage();
  page.goto(`moz-extension://${uuid}/ui/options.html`).catch(() => {});
  const options = page;
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
