// Firefox ESR through puppeteer-core (docs/TESTING.md): install an add-on as a
// temporary add-on - the shipped .xpi, unchanged, or (for the storage probe)
// a test build of it - pair it in its own options page, then:
// - open a risky fixture page and read the warning. Its shadow root is closed
//   (the page sees host.shadowRoot === null), so it is read the way the popup
//   does: an extension page (the options page, which has the tabs API) asks
//   the tab's content script for its state, which reads its own closed root;
// - with config.probe (the test build, builds.py add_probe), ask the probe
//   content script what extension storage it can read (the token must not be
//   there: Firefox gives content scripts storage.local), and stop there;
// - on a WhatsApp-like page, a flood of junk lines then a risky message: how
//   long until the warning (never stop watching, issue 17).
// Driven by test_firefox.py, which checks the answer; prints one JSON line.
//
// WebDriver BiDi refuses to open moz-extension:// pages unless Firefox runs with
// --remote-allow-system-access (test profiles only), so the options page is
// opened as a person would find it, with nothing added to the package.
//
// Usage: node firefox_smoke.mjs <config.json>
//   {extension, risky, whatsapp, port, code, ordinary: [...], junk: [...], riskyMessage, probe?}
import puppeteer from "puppeteer-core";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const GECKO_ID = "himaya@himaya.local";
const uuid = randomUUID();
const WAIT = { timeout: 15000 };
const profile = mkdtempSync(join(tmpdir(), "himaya-ff-"));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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

/** Poll `check` until it gives a truthy value. */
async function until(check, ms, what) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const value = await check();
    if (value) return value;
    await sleep(50);
  }
  throw new Error(`${what}: not within ${ms} ms`);
}

const result = { ok: false };

/**
 * The real options page, ready to pair. A tab of ours may be navigated before
 * the add-on's pages resolve (it then shows an error page), so it is navigated
 * again, at growing intervals, until it shows the unpaired state. BiDi never
 * reports "load" for it, nor its moz-extension:// address, hence the page's own element.
 */
async function optionsPage() {
  const page = await browser.newPage();
  let wait = 4000;
  let next = 0;
  return until(async () => {
    if (await page.$("#paired[data-state=unpaired]").catch(() => null)) return page;
    if (Date.now() >= next) {
      page.goto(`moz-extension://${uuid}/ui/options.html`).catch(() => {});
      next = Date.now() + wait;
      wait *= 2;
    }
    return null;
  }, 60000, "the options page, unpaired");
}

/** Every step; fills `result` as it goes (ok only at the end). */
async function run() {
  await browser.installExtension(config.extension);
  const options = await optionsPage();
  await options.$eval("#port", (el, value) => (el.value = value), String(config.port));
  await options.type("#code", config.code);
  await options.click("#pair");
  await options.waitForSelector("#paired[data-state=ok]", WAIT);
  result.paired = true;

  /** The content script's state on the tab showing `pattern` (what the popup asks for), asked from the options page. */
  const tabState = (pattern) =>
    options.evaluate(async (p) => {
      const [tab] = await browser.tabs.query({ url: p });
      return tab ? browser.tabs.sendMessage(tab.id, { type: "state" }) : null;
    }, pattern);

  // A risky page: the page sees no shadow root; then the warning, read through the extension.
  const page = await browser.newPage();
  await page.goto(config.risky);
  await page.waitForSelector(":root > [data-himaya-warning]", WAIT);
  result.severity = await page.$eval(":root > [data-himaya-warning]", (el) => el.getAttribute("data-himaya-warning"));
  result.pageSeesRoot = await page.$eval(":root > [data-himaya-warning]", (el) => el.shadowRoot !== null || el.textContent !== "");
  if (config.probe) {
    // the test build's probe: what a content script can read of the extension's storage
    await page.evaluate(() => document.dispatchEvent(new Event("himaya-probe")));
    await page.waitForFunction(() => document.documentElement.hasAttribute("data-himaya-probe"), WAIT);
    result.probe = JSON.parse(await page.evaluate(() => document.documentElement.getAttribute("data-himaya-probe")));
    return; // the probe build answers nothing else
  }
  const state = await until(async () => {
    const s = await tabState("*://www.instagram.com/lina.exemple/*");
    return s && s.banner.warning.shown && s;
  }, 15000, "warning state");
  result.text = state.banner.warning.text;

  // A flood of junk lines on one address, then a risky message.
  const chat = await browser.newPage();
  await chat.goto(config.whatsapp);
  await chat.evaluate((lines) => {
    himaya.windowSize(3000);
    himaya.chat("21600000009@c.us", "Inconnu Exemple");
    himaya.open("21600000009@c.us");
    himaya.receive("21600000009@c.us", lines);
  }, config.ordinary);
  const scanned = (n) => async () => {
    const s = await tabState("*://web.whatsapp.com/*");
    return s && s.scanning.extracted >= n && s.scanning.queued === 0 && s.scanning.scanned >= s.scanning.extracted && s;
  };
  await until(scanned(config.ordinary.length), 15000, "ordinary messages read and scanned");
  result.warnedBeforeFlood = (await tabState("*://web.whatsapp.com/*")).banner.warning.shown;
  const started = Date.now();
  for (let i = 0; i < config.junk.length; i += 500) {
    await chat.evaluate((lines) => himaya.receive("21600000009@c.us", lines), config.junk.slice(i, i + 500));
  }
  await chat.evaluate((text) => himaya.receive("21600000009@c.us", [text]), config.riskyMessage);
  const sent = Date.now();
  await until(async () => (await tabState("*://web.whatsapp.com/*")).banner.warning.shown, 15000, "warning after the flood");
  result.floodBannerMs = Date.now() - sent;
  const after = await until(scanned(config.ordinary.length + config.junk.length + 1), 30000, "the flood read and scanned");
  result.floodScannedMs = Date.now() - started;
  result.flood = after.scanning;
}

try {
  await run();
  result.ok = true;
} catch (error) {
  result.error = String(error && error.stack ? error.stack : error);
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
