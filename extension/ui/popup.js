/*
 * The popup, for the parent or volunteer: is the companion running, which
 * rules version (and is it stale), the warnings shown on this tab with the
 * parent's explanation and what was seen, and Report / This is wrong; a
 * note when the site's reader found nothing on the page; in volunteer mode,
 * "What did Himaya read here?" (reader.html). It also says whether checking
 * kept up on this tab: how many units were checked (the companion answered),
 * wait, could not be checked (dropped), how long one waited, and whether the
 * page altered or hid the warning.
 *
 * It shows only what a banner was shown for on this tab (the service worker
 * keeps nothing else). The tab is the active one, or ?tabId=N when the popup
 * is opened as a page (tests, keyboard users).
 */
import { api, ask, localise, el, siteName } from "./page.js";
import { localText, t, formatDate } from "../background/i18n.js";

const $ = (id) => document.getElementById(id);
let messages = {};
let lang = "fr";
let tabId = null;

async function currentTabId() {
  const param = new URLSearchParams(location.search).get("tabId");
  if (param !== null && /^\d+$/.test(param)) return Number(param);
  const [tab] = await api.tabs.query({ active: true, currentWindow: true });
  return tab ? tab.id : null;
}

/** Spans of several rules, overlapping or touching, merged: each word is marked once, whole. */
export function mergeSpans(spans) {
  const sorted = (spans || []).filter((s) => Array.isArray(s) && s[0] < s[1]).map((s) => [s[0], s[1]]).sort((a, b) => a[0] - b[0]);
  const out = [];
  for (const span of sorted) {
    const last = out[out.length - 1];
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else out.push(span);
  }
  return out;
}

/**
 * The unit's text with each matched span in a <mark> (spans count code points,
 * as the companion does). The page's text is isolated for direction (<bdi>,
 * dir=auto), so Arabic in a French popup (or the reverse) reads right.
 */
function seenText(text, spans) {
  const chars = Array.from(text);
  const p = el("p", null, { class: "seen" });
  const quote = el("bdi", null, { dir: "auto" });
  let at = 0;
  for (const [start, end] of mergeSpans(spans)) {
    quote.append(chars.slice(at, start).join(""), el("mark", chars.slice(start, end).join("")));
    at = end;
  }
  quote.append(chars.slice(at).join(""));
  p.append(quote);
  return p;
}

function renderFinding(finding) {
  const box = el("div", null, { class: "finding", "data-severity": finding.severity });
  for (const m of finding.matches) {
    box.append(el("b", localText(m.title, lang) || m.rule), el("p", localText(m.explain.parent, lang)));
  }
  const spans = finding.matches.flatMap((m) => m.spans);
  box.append(el("p", t(messages, "popupSeenLabel"), { class: "muted" }));
  box.append(seenText(finding.unit.text, spans));
  if (finding.stages && finding.stages.length) {
    box.append(el("p", t(messages, "popupStages", { stages: finding.stages.join(", ") }), { class: "muted" }));
  }
  return box;
}

function renderCompanion(answer) {
  const state = answer.state === "ok" ? "ok" : ["offline", "unpaired"].includes(answer.state) ? answer.state : "error";
  const line = $("companion");
  line.dataset.state = state;
  line.textContent = t(messages, { ok: "stateOk", offline: "stateOffline", unpaired: "stateUnpaired", error: "stateError" }[state]);
  // The published list's number and date: the same version `himaya status` and `himaya rules validate` give.
  $("rules").textContent = state === "ok" && answer.listVersion !== null && answer.listVersion !== undefined
    ? `${t(messages, "popupRules", { version: answer.listVersion, date: formatDate(answer.listDate, lang) })} ${t(messages, answer.stale ? "popupRulesStale" : "popupRulesFresh")}`
    : "";
  $("rules").dataset.stale = answer.stale ? "true" : "false";
  for (const id of ["report", "wrong", "helped", "check"]) $(id).disabled = state !== "ok" || tabId === null;
}

function renderTab(tab) {
  const list = tab ? tab.findings : [];
  $("summary").textContent = list.length ? t(messages, "popupFindings", { count: list.length }) : t(messages, "popupNoFindings");
  $("findings").replaceChildren(...list.map(renderFinding));
  $("wrong").disabled = $("wrong").disabled || !list.length;
  $("helped").disabled = $("helped").disabled || !list.length;
  const report = tab && tab.report;
  $("reported").textContent = report
    ? `${t(messages, "popupReported", { id: report.id })} ${report.outboxState === "sent" ? t(messages, "reportSent") : ""}`.trim()
    : "";
  const missed = tab && tab.readerMissed;
  $("reader-missed").textContent = missed ? t(messages, "popupReaderMissed", { site: siteName(missed.site) }) : "";
}

const BEHIND_MS = 10000; // as the content script's limits.behindMs

/** Lines about how checking went on this tab (counts only); the ones that need the parent's eye carry data-alert. */
function renderHealth(tab, live) {
  const health = tab && tab.health;
  const lines = [];
  const line = (key, values, alert) => {
    const p = el("p", t(messages, key, values), { "data-key": key });
    if (alert) p.dataset.alert = "true";
    lines.push(p);
  };
  if (tab && tab.scanned) line("popupScanned", { count: tab.scanned });
  if (live && live.queued) line("popupQueued", { count: live.queued });
  if (health && health.dropped) line("popupDropped", { count: health.dropped }, true);
  if (health && health.maxWaitMs >= BEHIND_MS) line("popupBehind", { seconds: Math.round(health.maxWaitMs / 1000) }, true);
  const restored = Math.max((health && health.restored) || 0, (live && live.restored) || 0);
  if (restored) line("popupRestored", { count: restored }, true);
  $("health").replaceChildren(...lines);
}

async function refresh() {
  const answer = await ask({ type: "tab:state", tabId: tabId === null ? -1 : tabId });
  renderCompanion(answer.state === "refused" ? { state: (await ask({ type: "status" })).state } : answer);
  renderTab(answer.tab);
  renderHealth(answer.tab, answer.live);
}

async function act(message) {
  $("status").textContent = message.type === "tab:report" ? t(messages, "reportSending") : "";
  const answer = await ask(message);
  if (message.type === "tab:check") $("status").textContent = t(messages, "popupChecked", { count: answer.units || 0 });
  else $("status").textContent = answer.status || t(messages, "stateError");
  await refresh();
}

async function main() {
  const settings = await ask({ type: "settings:get" });
  lang = settings.lang || "fr";
  messages = await localise(document, lang);
  tabId = await currentTabId();
  $("report").addEventListener("click", () => act({ type: "tab:report", tabId }));
  $("wrong").addEventListener("click", () => act({ type: "tab:feedback", tabId, verdict: "wrong" }));
  $("helped").addEventListener("click", () => act({ type: "tab:feedback", tabId, verdict: "helped" }));
  $("check").addEventListener("click", () => act({ type: "tab:check", tabId }));
  $("options").addEventListener("click", () => api.runtime.openOptionsPage());
  $("history").addEventListener("click", () => api.tabs.create({ url: api.runtime.getURL("ui/history.html") }));
  // volunteer mode: "What did Himaya read here?" opens the reader's view of this tab
  $("read").hidden = !(settings.settings && settings.settings.volunteer) || tabId === null;
  $("read").addEventListener("click", () => api.tabs.create({ url: api.runtime.getURL(`ui/reader.html?tabId=${tabId}`) }));
  await refresh();
}

main();
