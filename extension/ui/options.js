/*
 * The options page: pairing with the companion (the code `himaya serve`
 * prints), its port, the language, which severities show a banner,
 * volunteer mode, and the history of pages where a site's reader found
 * nothing (kept by the companion: site, day, count). The page never sees the token: it only learns whether the
 * extension is paired.
 */
import { ask, localise, el, siteName } from "./page.js";
import { t, formatTime } from "../background/i18n.js";

const $ = (id) => document.getElementById(id);
let messages = {};

const PAIR_ERRORS = { pairing_failed: "pairFailed", pairing_locked: "pairLocked", offline: "stateOffline" };

function showPaired(paired) {
  $("paired").dataset.state = paired ? "ok" : "unpaired";
  $("paired").textContent = t(messages, paired ? "optionsPaired" : "optionsNotPaired");
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
  const answer = await ask({ type: "pair", code: $("code").value, port: Number($("port").value) });
  if (answer.ok) {
    $("code").value = "";
    showPaired(true);
    $("pair-status").textContent = t(messages, "optionsPaired");
  } else {
    $("pair-status").textContent = t(messages, PAIR_ERRORS[answer.state] || "stateError");
  }
}

async function unpair() {
  await ask({ type: "unpair" });
  showPaired(false);
}

async function save(event) {
  event.preventDefault();
  const severities = [...document.querySelectorAll('input[name="severity"]:checked')].map((b) => b.value);
  const answer = await ask({
    type: "settings:set",
    settings: { lang: $("lang").value, severities, volunteer: $("volunteer").checked, port: Number($("port").value) },
  });
  if (!answer.settings) {
    $("save-status").textContent = t(messages, "stateError");
    return;
  }
  messages = await localise(document, answer.lang); // the language may have changed
  fillForm(answer.settings);
  showPaired(answer.paired);
  $("save-status").textContent = t(messages, "optionsSaved");
}

/** The history of "reader found nothing" events the companion keeps (site, day, pages). */
async function showHistory(lang) {
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
  showPaired(Boolean(answer.paired));
  $("pair-form").addEventListener("submit", pair);
  $("unpair").addEventListener("click", unpair);
  $("settings-form").addEventListener("submit", save);
  await showHistory(answer.lang || "fr");
}

main();
