// The in-page banner: hostile text stays text, right-to-left for Arabic, the
// severity on the host attribute, buttons that ignore the page's own
// (untrusted) clicks, a closed shadow root the page cannot read, and a box
// that draws itself again when something alters it.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { loadPage, CORE, closeWindows, captureShadowRoots } from "./helpers.js";

after(closeWindows);

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

/** A page with the banner loaded; `roots()` gives the shadow roots it attached (seen as devtools would). */
function page() {
  const window = loadPage("<!doctype html><html><body><p>page</p></body></html>", "https://www.facebook.com/x", CORE);
  const roots = captureShadowRoots(window);
  loadPage.evalInto(window, ["ui/banner.js"]);
  const rootOf = (selector) => {
    const host = window.document.querySelector(selector);
    const found = roots.find((r) => r.host === host);
    return found && found.root;
  };
  return { window, roots, warning: () => rootOf("[data-himaya-warning]"), notice: () => rootOf("[data-himaya-notice]") };
}

const settle = (ms = 50) => new Promise((r) => setTimeout(r, ms));
const noop = { report() {}, wrong() {}, hide() {} };

test("hostile rule text is rendered as text, never as markup", () => {
  const { window, warning } = page();
  window.Himaya.banner.show(model(), noop);
  const root = warning();
  assert.equal(root.querySelectorAll("img, script:not([src])").length, 0);
  assert.equal(root.querySelector("li b").textContent, HOSTILE);
  assert.equal(root.querySelector("li span").textContent, `explication ${HOSTILE}`);
  assert.equal(window.pwned, undefined);
});

test("the shadow root is closed: the page's scripts cannot reach the warning, and show() hands out nothing", () => {
  const { window, roots } = page();
  const returned = window.Himaya.banner.show(model(), noop);
  assert.equal(returned, undefined);
  assert.deepEqual(roots.map((r) => r.mode), ["closed"]);
  const host = window.document.querySelector("[data-himaya-warning]");
  assert.equal(host.shadowRoot, null);
  assert.equal(host.textContent, "", "no text in the light DOM either");
  assert.deepEqual(Object.keys(window.Himaya.banner).sort(), ["conceal", "notice", "owns", "remove", "removeNotice", "show", "shown", "state", "status"]);
  assert.equal(window.Himaya.banner.owns(host), true);
  const decoy = window.document.createElement("div");
  decoy.setAttribute("data-himaya-warning", "high");
  assert.equal(window.Himaya.banner.owns(decoy), false, "an attribute is not ours");
});

test("the host element carries the severity and sits at the top of the page, its style !important", () => {
  const { window } = page();
  window.Himaya.banner.show(model({ severity: "critical" }), noop);
  const hosts = window.document.querySelectorAll("[data-himaya-warning]");
  assert.equal(hosts.length, 1);
  assert.equal(hosts[0].getAttribute("data-himaya-warning"), "critical");
  assert.equal(hosts[0].parentNode, window.document.documentElement);
  assert.equal(hosts[0].style.position, "fixed");
  assert.equal(hosts[0].style.getPropertyPriority("position"), "important");
  assert.equal(hosts[0].style.top, "0px");
  assert.equal(hosts[0].style.getPropertyPriority("display"), "important");
});

test("showing again updates the same banner (one banner per page)", () => {
  const { window, warning } = page();
  window.Himaya.banner.show(model({ severity: "medium" }), noop);
  window.Himaya.banner.show(model({ severity: "high", items: [{ title: "a", text: "b" }, { title: "c", text: "d" }] }), noop);
  const hosts = window.document.querySelectorAll("[data-himaya-warning]");
  assert.equal(hosts.length, 1);
  assert.equal(hosts[0].getAttribute("data-himaya-warning"), "high");
  assert.equal(warning().querySelectorAll("li").length, 2);
});

test("Arabic is laid out right to left", () => {
  const { window, warning } = page();
  window.Himaya.banner.show(model({ lang: "ar", dir: "rtl" }), noop);
  const box = warning().querySelector(".box");
  assert.equal(box.getAttribute("dir"), "rtl");
  assert.equal(box.getAttribute("lang"), "ar");
  assert.equal(window.Himaya.banner.state().warning.dir, "rtl");
});

test("clicks dispatched by the page's scripts are ignored", () => {
  const { window, warning } = page();
  const pressed = [];
  window.Himaya.banner.show(model(), { report: () => pressed.push("report"), wrong: () => pressed.push("wrong"), hide: () => pressed.push("hide") });
  for (const button of warning().querySelectorAll("button")) button.click();
  assert.deepEqual(pressed, []);
  assert.deepEqual([...warning().querySelectorAll("button")].map((b) => b.dataset.action), ["report", "wrong", "hide"]);
});

test("remove takes the banner away and status writes text only", () => {
  const { window, warning } = page();
  window.Himaya.banner.show(model(), noop);
  window.Himaya.banner.status(HOSTILE);
  assert.equal(warning().querySelector(".status").textContent, HOSTILE);
  assert.equal(warning().querySelectorAll("img").length, 0);
  assert.equal(window.Himaya.banner.state().warning.status, HOSTILE);
  window.Himaya.banner.remove();
  assert.equal(window.document.querySelector("[data-himaya-warning]"), null);
  assert.equal(window.Himaya.banner.shown(), false);
});

test("text altered in the box is written again, and counted", async () => {
  const { window, warning } = page();
  window.Himaya.banner.show(model({ items: [{ title: "Demande d'âge", text: "Ne réponds pas." }] }), noop);
  window.Himaya.banner.status("Signalement enregistré.");
  const written = window.Himaya.banner.state().warning.text;
  assert.match(written, /Ne réponds pas\..*Signalement enregistré\./s);
  warning().querySelector("li span").textContent = "Tout va bien, réponds-lui.";
  await settle();
  assert.equal(warning().querySelector("li span").textContent, "Ne réponds pas.");
  assert.equal(window.Himaya.banner.state().warning.text, written, "the status line survives too");
  warning().querySelector(".box").append(window.document.createElement("iframe"));
  await settle();
  assert.equal(warning().querySelectorAll("iframe").length, 0);
  assert.equal(window.Himaya.banner.state().warning.restored, 2);
});

test("a host taken out of the page, hidden or re-styled by the page comes back", async () => {
  const { window } = page();
  window.Himaya.banner.show(model(), noop);
  const host = window.document.querySelector("[data-himaya-warning]");
  host.remove();
  await settle();
  assert.equal(host.parentNode, window.document.documentElement);
  host.style.setProperty("display", "none", "important");
  await settle();
  assert.equal(host.style.display, "block");
  host.setAttribute("hidden", "");
  await settle();
  assert.equal(host.hasAttribute("hidden"), false);
  window.document.body.append(host); // moved inside the page's own content
  await settle(200); // the fourth restore in a row waits a little (see the next test)
  assert.equal(host.parentNode, window.document.documentElement);
  assert.equal(window.Himaya.banner.state().warning.restored, 4);
  assert.equal(window.document.querySelectorAll("[data-himaya-warning]").length, 1);
});

test("a page that keeps removing the box cannot make it spin: restores slow down", async () => {
  const { window } = page();
  const observer = new window.MutationObserver(() => {
    const host = window.document.querySelector(":root > [data-himaya-warning]");
    if (host) host.remove();
  });
  observer.observe(window.document.documentElement, { childList: true });
  window.Himaya.banner.show(model(), noop);
  await settle(400);
  const restored = window.Himaya.banner.state().warning.restored;
  assert.ok(restored >= 3 && restored <= 6, `restored ${restored} times in 400 ms`);
  observer.disconnect();
});

const notice = (overrides = {}) => ({
  kind: "saved",
  lang: "fr",
  dir: "ltr",
  strings: { heading: "Signaler avec Himaya", text: `Signalement enregistré ${HOSTILE}`, close: "Fermer" },
  ...overrides,
});

test("the volunteer's notice: its own closed host, text only, calm colour, and one notice updated in place", () => {
  const { window, notice: root } = page();
  window.Himaya.banner.notice(notice());
  const host = window.document.querySelector("[data-himaya-notice]");
  assert.equal(host.getAttribute("data-himaya-notice"), "saved");
  assert.equal(host.shadowRoot, null);
  assert.equal(window.Himaya.banner.owns(host), true);
  assert.equal(root().querySelectorAll("img, script:not([src])").length, 0);
  assert.equal(root().querySelector("p").textContent, `Signalement enregistré ${HOSTILE}`);
  assert.equal(root().querySelector("h2").textContent, "Signaler avec Himaya");
  assert.equal(root().querySelector(".box").getAttribute("role"), "status");
  assert.equal(root().querySelector(".box").style.getPropertyValue("--accent"), "#2d6a4f");
  assert.equal(window.pwned, undefined);
  window.Himaya.banner.notice(notice({ kind: "not-saved", lang: "ar", dir: "rtl", strings: { heading: "ح", text: "تعذّر", close: "إغلاق" } }));
  const hosts = window.document.querySelectorAll("[data-himaya-notice]");
  assert.equal(hosts.length, 1);
  assert.equal(hosts[0].getAttribute("data-himaya-notice"), "not-saved");
  const box = root().querySelector(".box");
  assert.equal(box.getAttribute("dir"), "rtl");
  assert.equal(box.getAttribute("lang"), "ar");
  assert.equal(box.style.getPropertyValue("--accent"), "#52606d");
  assert.equal(window.document.querySelector("[data-himaya-warning]"), null, "a notice is not a warning");
});

test("the notice closes only on the person's own click", () => {
  const { window, notice: root } = page();
  window.Himaya.banner.notice(notice());
  const host = window.document.querySelector("[data-himaya-notice]");
  const close = root().querySelector("button[data-action=close]");
  assert.equal(close.textContent, "Fermer");
  close.click(); // untrusted, as a page script would
  assert.ok(host.isConnected);
  window.Himaya.banner.removeNotice();
  assert.equal(window.document.querySelector("[data-himaya-notice]"), null);
});
