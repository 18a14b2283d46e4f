/*
/*
 * The options page, for the parent: the live state of protection (linked and
 * the companion answering, or not), pairing with the code `himaya serve`
 * prints, the parent PIN (chosen right after pairing; it then guards these
 * settings, the history and unpairing), the language, which severities show a
 * banner, volunteer mode, the sensitivity per topic, the consent to share
 * weekly feedback counts, and the history of pages where a site's reader found
 * nothing (kept by the companion: site, day, count). The page never sees the token.
 */
import { api, ask, localise, el, siteName } from "./page.js";
import { t, formatTime } from "../background/i18n.js";

const $ = (id) => document.getElementById(id);
let messages = {};

export const CATEGORIES = [
  "age-probe", "trust-flattery", "secrecy-isolation", "move-to-private", "image-request", "gifts-money",
  "blackmail-threat", "meeting-request", "services-ad", "closed-group-invite", "recruitment", "network-page",
];
const NEVER_OFF = ["blackmail-threat", "services-ad"];
const LEVELS = ["off", "low", "normal", "high"];
const LEVEL_TEXT = { off: "levelOff", low: "levelLow", normal: "levelNormal", high: "levelHigh" };
const STATE_TEXT = { ok: "optionsStateOk", offline: "optionsStateOffline", unpaired: "optionsStateUnpaired", error: "stateError" };
const PAIR_ERRORS = {
  pairing_failed: "pairFailed",
  pairing_locked: "pairLocked",
  offline: "pairOffline",
  empty_code: "pairEmpty",
  bad_port: "pairBadPort",
};

/** The state as the companion answers it now, not as it was when the page opened. */
async function showState() {
  const answer = await ask({ type: "status" });
  const state = STATE_TEXT[answer.state] ? answer.state : "error";
  $("paired").dataset.state = state;
  $("paired").textContent = t(messages, STATE_TEXT[state]);
  $("unpair").hidden = state === "unpaired";
  $("open-history").hidden = state !== "ok";
  return answer;
}

async function showParent() {
  const pin = await ask({ type: "pin:state" });
  const linked = pin.state === "ok";
  $("pin-setup").hidden = !linked || pin.set;
  const locked = linked && pin.set && !pin.unlocked;
  $("locked").hidden = !locked;
  $("parent-area").hidden = locked;
  if (linked && !locked) await fillParent();
  else $("parent-form").hidden = true;
  await showHistory();
}

async function fillParent() {
  const answer = await ask({ type: "parent:settings" });
  $("parent-form").hidden = !answer.ok;
  if (!answer.ok) return;
  const rows = CATEGORIES.map((category) => {
    const key = `cat_${category.replaceAll("-", "_")}`;
    const select = el("select", null, { "data-category": category, id: `sens-${category}` });
    for (const level of LEVELS) {
      if (level === "off" && NEVER_OFF.includes(category)) continue;
      const option = el("option", t(messages, LEVEL_TEXT[level]), { value: level });
      select.append(option);
    }
    select.value = answer.sensitivity[category] || "normal";
    const label = el("label", t(messages, key), { for: `sens-${category}` });
    const tr = el("tr");
    tr.append(el("td"), el("td"));
    tr.firstChild.append(label);
    tr.lastChild.append(select);
    return tr;
  });
  $("sensitivity").replaceChildren(...rows);
  $("share").checked = answer.share_feedback;
  $("share-note").hidden = answer.intake;
}

function fillForm(settings) {
  $("port").value = settings.port;
  $("lang").value = settings.lang;
  for (const box of document.querySelectorAll('input[name="severity"]')) box.checked = settings.severities.includes(box.value);
  $("volunteer").checked = settings.volunteer;
}

async function pair(event) {
  event.preventDefault();
  $("pair-status").textContent = "";
  const answer = await ask({ type: "pair", code: $("code").value, port: $("port").value === "" ? "" : Number($("port").value) });
  if (answer.ok) {
    $("code").value = "";
    $("pair-status").textContent = t(messages, "optionsStateOk");
  } else {
    $("pair-status").textContent = t(messages, PAIR_ERRORS[answer.state] || "stateError", { port: answer.port || $("port").value });
  }
  await showState();
  await showParent();
}

async function setPin(event) {
  event.preventDefault();
  const answer = await ask({ type: "pin:set", pin: $("new-pin").value.trim() });
  $("new-pin").value = "";
  $("pin-status").textContent = answer.ok ? "" : answer.status || t(messages, "pinFormat");
  if (answer.ok) {
    $("pin-setup").hidden = true; // the PIN form goes away with the message that says so, not a moment after
    $("pair-status").textContent = t(messages, "optionsPinSaved"); // ... said above it
    await showParent();
  }
}

async function unlock(event) {
  event.preventDefault();
  const answer = await ask({ type: "pin:unlock", pin: $("pin").value.trim() });
  $("pin").value = "";
  $("unlock-status").textContent = answer.ok ? "" : answer.status || t(messages, "parentError");
  if (answer.ok) await showParent();
}

async function unpair() {
  const answer = await ask({ type: "unpair" });
  if (!answer.ok) $("save-status").textContent = t(messages, "pinRequired");
  await showState();
  await showParent();
}

async function save(event) {
  event.preventDefault();
  const severities = [...document.querySelectorAll('input[name="severity"]:checked')].map((b) => b.value);
  const answer = await ask({
    type: "settings:set",
    settings: { lang: $("lang").value, severities, volunteer: $("volunteer").checked, port: Number($("port").value) },
  });
  if (!answer.settings) {
    $("save-status").textContent = t(messages, answer.state === "pin_required" ? "pinRequired" : "stateError");
    return;
  }
  messages = await localise(document, answer.lang); // the language may have changed
  fillForm(answer.settings);
  await showState();
  await showParent();
  $("save-status").textContent = t(messages, "optionsSaved");
}

async function saveParent(event) {
  event.preventDefault();
  const sensitivity = Object.fromEntries([...document.querySelectorAll("#sensitivity select")].map((s) => [s.dataset.category, s.value]));
  const answer = await ask({ type: "parent:settings", values: { sensitivity, share_feedback: $("share").checked } });
  $("parent-status").textContent = answer.ok ? t(messages, "optionsSaved") : t(messages, answer.state === "pin_required" ? "pinRequired" : "parentError");
}

/** The history of "reader found nothing" events the companion keeps (site, day, pages). */
async function showHistory() {
  const lang = document.documentElement.lang || "fr";
  const answer = await ask({ type: "readers:history" });
  const missed = answer.state === "ok" ? answer.missed : [];
  $("history").replaceChildren(
    ...missed.map((m) => el("li", t(messages, "historyReaderMissed", { site: siteName(m.site), pages: m.pages, time: formatTime(m.last, lang) }), { "data-site": m.site }))
  );
  const empty = missed.length ? "" : t(messages, "historyEmpty");
  // not linked yet: the pairing line above already says so
  $("history-status").textContent = answer.state === "ok" ? empty : answer.state === "unpaired" ? "" : t(messages, "historyUnavailable");
}

async function main() {
  const answer = await ask({ type: "settings:get" });
  messages = await localise(document, answer.lang || "fr");
  if (answer.settings) fillForm(answer.settings);
  $("pair-form").addEventListener("submit", pair);
  $("pin-form").addEventListener("submit", setPin);
  $("unlock-form").addEventListener("submit", unlock);
  $("unpair").addEventListener("click", unpair);
  $("open-history").addEventListener("click", () => api.tabs.create({ url: api.runtime.getURL("ui/history.html") }));
  $("settings-form").addEventListener("submit", save);
  $("parent-form").addEventListener("submit", saveParent);
  await showState();
  await showParent();
  // The companion may stop or start while the page is open: keep the state live.
  setInterval(showState, 5000);
}

main();
