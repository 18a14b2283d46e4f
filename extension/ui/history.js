/*
 * The parent's history (behind the PIN when one is set): what was seen on
 * this computer (time, site, topic, severity, whether it was reported; the
 * text of messages only when they were reported), when the extension was
 * silent, and the warnings removed on one page by "This is wrong", each of
 * which the parent can undo. The data come from the companion through the
 * service worker; the page never sees the token.
 */
import { ask, localise, el } from "./page.js";
import { t, formatTime } from "../background/i18n.js";

const $ = (id) => document.getElementById(id);
let messages = {};
let lang = "fr";

const SEVERITY = { low: "sevLow", medium: "sevMedium", high: "sevHigh", critical: "sevCritical" };

function category(name) {
  const key = `cat_${String(name).replaceAll("-", "_")}`;
  return messages[key] ? t(messages, key) : name;
}

function warningRow(w) {
  const tr = el("tr", null, { "data-severity": w.severity });
  const cell = (child) => {
    const td = el("td");
    td.append(child);
    tr.append(td);
  };
  cell(formatTime(w.created, lang));
  cell(el("bdi", w.site || "—", { dir: "ltr" }));
  cell([...new Set(w.categories.map(category))].join(", "));
  cell(t(messages, SEVERITY[w.severity] || "sevNone"));
  if (w.reported) {
    const box = el("div");
    box.append(el("span", t(messages, "historyYes", { id: w.reported.id })));
    for (const text of w.reported.texts) {
      const quote = el("p", null, { class: "seen" });
      quote.append(el("bdi", text, { dir: "auto" })); // the page's words, isolated for direction
      box.append(quote);
    }
    cell(box);
  } else {
    cell(t(messages, "historyNo"));
  }
  return tr;
}

function allowedItem(entry) {
  const li = el("li", null, { "data-rule": entry.rule });
  const by = t(messages, entry.by === "parent" ? "historyByParent" : "historyByFeedback");
  li.append(el("bdi", entry.site || "—", { dir: "ltr" }), ` — ${entry.rule} — ${formatTime(entry.created, lang)} (${by}) `);
  const undo = el("button", t(messages, "historyUndo"), { type: "button", "data-id": String(entry.id) });
  undo.addEventListener("click", async () => {
    const answer = await ask({ type: "allowed:undo", id: entry.id });
    $("undo-status").textContent = answer.ok ? t(messages, "historyUndone") : t(messages, answer.state === "pin_required" ? "pinRequired" : "parentError");
    if (answer.ok) await load();
  });
  li.append(undo);
  return li;
}

async function load() {
  const data = await ask({ type: "history:get" });
  if (data.state === "pin_required") {
    $("locked").hidden = false;
    $("content").hidden = true;
    return;
  }
  $("locked").hidden = true;
  if (data.state !== "ok") {
    $("state").hidden = false;
    $("state").dataset.state = data.state === "unpaired" ? "unpaired" : "offline";
    $("state").textContent = t(messages, data.state === "unpaired" ? "stateUnpaired" : data.state === "offline" ? "stateOffline" : "stateError");
    $("content").hidden = true;
    return;
  }
  $("state").hidden = true;
  $("content").hidden = false;
  document.querySelector("#warnings tbody").replaceChildren(...data.warnings.map(warningRow));
  $("warnings").hidden = !data.warnings.length;
  $("warnings-none").hidden = data.warnings.length > 0;
  const ext = data.extension || {};
  $("silent-now").hidden = !(ext.silent && ext.silent_since);
  $("silent-now").textContent = ext.silent_since ? t(messages, "historySilentNow", { since: formatTime(ext.silent_since, lang) }) : "";
  const silences = ext.silences || [];
  $("silences").replaceChildren(
    ...silences.map((s) => el("li", t(messages, "historySilence", { started: formatTime(s.started, lang), ended: formatTime(s.ended, lang) })))
  );
  $("silences-none").hidden = silences.length > 0;
  $("allowed").replaceChildren(...data.allowed.map(allowedItem));
  $("allowed-none").hidden = data.allowed.length > 0;
}

async function unlock(event) {
  event.preventDefault();
  const answer = await ask({ type: "pin:unlock", pin: $("pin").value.trim() });
  $("pin").value = "";
  $("unlock-status").textContent = answer.ok ? "" : answer.status || t(messages, "parentError");
  if (answer.ok) await load();
}

async function main() {
  const settings = await ask({ type: "settings:get" });
  lang = settings.lang || "fr";
  messages = await localise(document, lang);
  $("unlock-form").addEventListener("submit", unlock);
  await load();
}

main();
