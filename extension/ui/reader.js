/*
 * "What did Himaya read here?" (volunteer mode): the parts of one tab's page
 * that the reader found, for NGO staff checking a site by hand after it
 * changes. For each part: its kind, the reader that found it, whose words
 * they are, and the first characters of its text (the service worker cuts
 * them). It also says when the site's reader found nothing and the generic
 * reader read the page instead.
 *
 * Opened from the popup as ui/reader.html?tabId=N. Nothing here is sent
 * anywhere: it only asks the service worker (message "tab:read").
 */
import { ask, localise, el, siteName } from "./page.js";
import { t } from "../background/i18n.js";

const $ = (id) => document.getElementById(id);
const KINDS = { profile: "kindProfile", post: "kindPost", message: "kindMessage", url: "kindUrl" };
const SPEAKERS = { self: "speakerSelf", other: "speakerOther", unknown: "speakerUnknown" };
let messages = {};

function tabIdFromAddress() {
  const param = new URLSearchParams(location.search).get("tabId");
  return param !== null && /^\d+$/.test(param) ? Number(param) : null;
}

function row(unit) {
  const tr = el("tr", null, { "data-speaker": unit.speaker, "data-kind": unit.kind, "data-site": unit.site });
  tr.append(
    el("td", t(messages, KINDS[unit.kind] || "kindPost")),
    el("td", unit.site === "generic" ? t(messages, "readerGeneric") : siteName(unit.site)),
    el("td", t(messages, SPEAKERS[unit.speaker] || "speakerUnknown")),
    el("td", unit.cut ? `${unit.text}…` : unit.text, { class: "text" })
  );
  return tr;
}

function summary(answer) {
  if (answer.state === "volunteer_only") return { state: "unpaired", text: t(messages, "readerVolunteerOnly") };
  if (answer.state !== "ok") return { state: "offline", text: t(messages, "readerNoReader") };
  const site = siteName(answer.site);
  if (answer.fallback) return { state: "fallback", text: t(messages, "readerFellBack", { site, count: answer.units.length }) };
  if (!answer.units.length) return { state: "empty", text: t(messages, "readerNothing", { site }) };
  return { state: "ok", text: t(messages, "readerFound", { site, count: answer.units.length }) };
}

async function refresh(tabId) {
  const answer = tabId === null ? { state: "no_reader" } : await ask({ type: "tab:read", tabId });
  const said = summary(answer);
  $("summary").dataset.state = said.state;
  $("summary").textContent = said.text;
  $("page").textContent = answer.page && answer.page.url ? `${answer.page.title || ""} — ${answer.page.url}` : "";
  const units = answer.state === "ok" ? answer.units : [];
  $("units").hidden = !units.length;
  $("units").querySelector("tbody").replaceChildren(...units.map(row));
}

async function main() {
  const settings = await ask({ type: "settings:get" });
  messages = await localise(document, settings.lang || "fr");
  const tabId = tabIdFromAddress();
  $("refresh").addEventListener("click", () => refresh(tabId));
  await refresh(tabId);
}

main();
