// The in-page banner: hostile text stays text, right-to-left for Arabic, the
// severity on the host attribute, and buttons that ignore the page's own
// (untrusted) clicks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadPage, CORE } from "./helpers.js";

const HOSTILE = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>';

function model(overrides = {}) {
  return {
    severity: "high",
    lang: "fr",
    dir: "ltr",
    key: "r1",
    items: [{ title: HOSTILE, text: `explication ${HOSTILE}` }],
    strings: { heading: "Attention", calm: "Tu n'as rien fait de mal.", steps: "1809", report: "Signaler", wrong: "C'est une erreur", hide: "Masquer", sending: "…", failed: "échec" },
    ...overrides,
  };
}

function page() {
  return loadPage("<!doctype html><html><body><p>page</p></body></html>", "https://www.facebook.com/x", [...CORE, "ui/banner.js"]);
}

test("hostile rule text is rendered as text, never as markup", () => {
  const window = page();
  const host = window.Himaya.banner.show(model(), { report() {}, wrong() {}, hide() {} });
  const root = host.shadowRoot;
  assert.equal(root.querySelectorAll("img, script:not([src])").length, 0);
  assert.equal(root.querySelector("li b").textContent, HOSTILE);
  assert.equal(root.querySelector("li span").textContent, `explication ${HOSTILE}`);
  assert.equal(window.pwned, undefined);
});

test("the host element carries the severity and sits at the top of the page", () => {
  const window = page();
  window.Himaya.banner.show(model({ severity: "critical" }), { report() {}, wrong() {}, hide() {} });
  const hosts = window.document.querySelectorAll("[data-himaya-warning]");
  assert.equal(hosts.length, 1);
  assert.equal(hosts[0].getAttribute("data-himaya-warning"), "critical");
  assert.equal(hosts[0].style.position, "fixed");
  assert.equal(hosts[0].style.top, "0px");
});

test("showing again updates the same banner (one banner per page)", () => {
  const window = page();
  const handlers = { report() {}, wrong() {}, hide() {} };
  window.Himaya.banner.show(model({ severity: "medium" }), handlers);
  window.Himaya.banner.show(model({ severity: "high", items: [{ title: "a", text: "b" }, { title: "c", text: "d" }] }), handlers);
  const hosts = window.document.querySelectorAll("[data-himaya-warning]");
  assert.equal(hosts.length, 1);
  assert.equal(hosts[0].getAttribute("data-himaya-warning"), "high");
  assert.equal(hosts[0].shadowRoot.querySelectorAll("li").length, 2);
});

test("Arabic is laid out right to left", () => {
  const window = page();
  const host = window.Himaya.banner.show(model({ lang: "ar", dir: "rtl" }), { report() {}, wrong() {}, hide() {} });
  const box = host.shadowRoot.querySelector(".box");
  assert.equal(box.getAttribute("dir"), "rtl");
  assert.equal(box.getAttribute("lang"), "ar");
});

test("clicks dispatched by the page's scripts are ignored", () => {
  const window = page();
  const pressed = [];
  const host = window.Himaya.banner.show(model(), { report: () => pressed.push("report"), wrong: () => pressed.push("wrong"), hide: () => pressed.push("hide") });
  for (const button of host.shadowRoot.querySelectorAll("button")) button.click();
  assert.deepEqual(pressed, []);
  assert.deepEqual([...host.shadowRoot.querySelectorAll("button")].map((b) => b.dataset.action), ["report", "wrong", "hide"]);
});

test("remove takes the banner away and status writes text only", () => {
  const window = page();
  const host = window.Himaya.banner.show(model(), { report() {}, wrong() {}, hide() {} });
  window.Himaya.banner.status(HOSTILE);
  assert.equal(host.shadowRoot.querySelector(".status").textContent, HOSTILE);
  assert.equal(host.shadowRoot.querySelectorAll("img").length, 0);
  window.Himaya.banner.remove();
  assert.equal(window.document.querySelector("[data-himaya-warning]"), null);
});

const notice = (overrides = {}) => ({
  kind: "saved",
  lang: "fr",
  dir: "ltr",
  strings: { heading: "Signaler avec Himaya", text: `Signalement enregistré ${HOSTILE}`, close: "Fermer" },
  ...overrides,
});

test("the volunteer's notice: its own host, text only, calm colour, and one notice updated in place", () => {
  const window = page();
  const host = window.Himaya.banner.notice(notice());
  assert.equal(host.getAttribute("data-himaya-notice"), "saved");
  const root = host.shadowRoot;
  assert.equal(root.querySelectorAll("img, script:not([src])").length, 0);
  assert.equal(root.querySelector("p").textContent, `Signalement enregistré ${HOSTILE}`);
  assert.equal(root.querySelector("h2").textContent, "Signaler avec Himaya");
  assert.equal(root.querySelector(".box").getAttribute("role"), "status");
  assert.equal(root.querySelector(".box").style.getPropertyValue("--accent"), "#2d6a4f");
  assert.equal(window.pwned, undefined);
  window.Himaya.banner.notice(notice({ kind: "not-saved", lang: "ar", dir: "rtl", strings: { heading: "ح", text: "تعذّر", close: "إغلاق" } }));
  const hosts = window.document.querySelectorAll("[data-himaya-notice]");
  assert.equal(hosts.length, 1);
  assert.equal(hosts[0].getAttribute("data-himaya-notice"), "not-saved");
  const box = hosts[0].shadowRoot.querySelector(".box");
  assert.equal(box.getAttribute("dir"), "rtl");
  assert.equal(box.getAttribute("lang"), "ar");
  assert.equal(box.style.getPropertyValue("--accent"), "#52606d");
  assert.equal(window.document.querySelector("[data-himaya-warning]"), null, "a notice is not a warning");
});

test("the notice closes only on the person's own click", () => {
  const window = page();
  const host = window.Himaya.banner.notice(notice());
  const close = host.shadowRoot.querySelector("button[data-action=close]");
  assert.equal(close.textContent, "Fermer");
  close.click(); // untrusted, as a page script would
  assert.ok(host.isConnected);
  window.Himaya.banner.removeNotice();
  assert.equal(window.document.querySelector("[data-himaya-notice]"), null);
});
