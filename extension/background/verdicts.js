/*
 * From the companion's verdicts to what each audience sees.
 *
 * The companion decides what is risky; this module only decides what to show
 * and to whom. The banner speaks to the person at the screen (usually the
 * child) with each rule's `explain.child` text; the popup and reports speak to
 * the parent or volunteer with `explain.parent`. A finding is kept (and so
 * shown to the parent) only when a banner was shown for it: nothing reaches
 * a parent that the child was not warned about, unless it is reported.
 *
 * Example:
 *   const found = findings(results, units, ["medium", "high", "critical"], Date.now());
 *   bannerModel(found, "fr", messages)  // -> {severity: "high", items: [{title, text}], strings: {...}, ...}
 */
import { dirFor, localText, t } from "./i18n.js";
import { SPEAKERS } from "./protocol.js";

export const SEVERITY_RANK = Object.freeze({ none: 0, low: 1, medium: 2, high: 3, critical: 4 });
// Each at least 4.5:1 against white text (WCAG AA): the banner's Report button uses them too.
export const BADGE_COLOURS = Object.freeze({ low: "#2f6f9f", medium: "#8a5a12", high: "#c2410c", critical: "#9b1c1c" });
/** The toolbar badge when protection is off (not linked, or the companion does not answer). */
export const OFF_BADGE = Object.freeze({ text: "OFF", color: "#52606d" });
const MAX_BANNER_ITEMS = 3;

// Every rule's text for the child opens with the same reassurance, which the
// banner says once, above the list; a second copy per item is noise.
const REASSURANCE = [
  /^Tu n'as rien fait de mal(?:, et ce n'est pas ta faute)?\.\s*/,
  /^You have done nothing wrong(?:, and it is not your fault)?\.\s*/,
  /^لم تفعل أي خطأ[^.]*\.\s*/,
];

function withoutReassurance(text) {
  let out = String(text || "");
  for (const pattern of REASSURANCE) out = out.replace(pattern, "");
  return out;
}

/**
 * The network's own report form for the page's site: a child or parent can
 * report there too, beside Himaya's report.
 */
export const PLATFORM_REPORT = Object.freeze([
  { hosts: ["facebook.com", "messenger.com"], name: "Facebook", url: "https://www.facebook.com/help/181495968648557" },
  { hosts: ["instagram.com"], name: "Instagram", url: "https://help.instagram.com/192435014247952" },
  { hosts: ["tiktok.com"], name: "TikTok", url: "https://support.tiktok.com/en/safety-hc/report-a-problem" },
  { hosts: ["x.com", "twitter.com"], name: "X", url: "https://help.x.com/en/forms/safety-and-sensitive-content" },
  { hosts: ["discord.com"], name: "Discord", url: "https://discord.com/safety/360044103651-reporting-abusive-behavior-to-discord" },
  { hosts: ["telegram.org"], name: "Telegram", url: "https://telegram.org/faq_spam" },
  { hosts: ["whatsapp.com"], name: "WhatsApp", url: "https://faq.whatsapp.com/1142481766359885" },
]);

/** {name, url} of the page's network report form, or null for another site. */
export function platformFor(pageUrl) {
  let host = "";
  try {
    host = new URL(pageUrl).hostname.toLowerCase();
  } catch (_) {
    return null;
  }
  const hit = PLATFORM_REPORT.find((p) => p.hosts.some((h) => host === h || host.endsWith("." + h)));
  return hit ? { name: hit.name, url: hit.url } : null;
}

function rank(severity) {
  return SEVERITY_RANK[severity] || 0;
}

/** Only the match fields the extension keeps (texts in three languages, spans, ids). */
function keepMatch(m) {
  return {
    rule: String(m.rule || ""),
    category: String(m.category || ""),
    severity: SEVERITY_RANK[m.severity] ? m.severity : "low",
    spans: Array.isArray(m.spans) ? m.spans.filter((s) => Array.isArray(s) && s.length === 2).slice(0, 20) : [],
    title: m.title || {},
    explain: { child: (m.explain && m.explain.child) || {}, parent: (m.explain && m.explain.parent) || {} },
  };
}

/**
 * The findings in a batch answer: risky results whose severity the settings
 * show as a banner. `units` are the units sent, to keep what was seen.
 */
export function findings(results, units, shown, now) {
  const byId = new Map(units.map((u) => [u.id, u]));
  const out = [];
  for (const result of results || []) {
    const unit = byId.get(result && result.id);
    if (!unit || !result.risk || !shown.includes(result.severity)) continue;
    // The person's own words are sent as context for the conversation; they are no warning to them.
    if (unit.speaker === "self") continue;
    const matches = (result.matches || []).map(keepMatch).filter((m) => m.rule);
    if (!matches.length) continue;
    const finding = { unit, severity: result.severity, matches, at: new Date(now).toISOString() };
    if (result.conversation && result.conversation.stages) finding.stages = result.conversation.stages.slice(0, 12);
    out.push(finding);
  }
  return out;
}

export function worstSeverity(list) {
  let worst = "none";
  for (const f of list) if (rank(f.severity) > rank(worst)) worst = f.severity;
  return worst;
}

/** Distinct matches across findings, most severe first (for the banner and feedback). */
export function distinctMatches(list) {
  const byRule = new Map();
  for (const f of list) {
    for (const m of f.matches) {
      const seen = byRule.get(m.rule);
      if (!seen || rank(m.severity) > rank(seen.severity)) byRule.set(m.rule, m);
    }
  }
  return [...byRule.values()].sort((a, b) => rank(b.severity) - rank(a.severity));
}

/** The toolbar badge: how many warnings on this tab, coloured by the worst. */
export function badgeFor(list) {
  if (!list.length) return { text: "", color: BADGE_COLOURS.low };
  const worst = worstSeverity(list);
  return { text: String(Math.min(list.length, 999)), color: BADGE_COLOURS[worst] || BADGE_COLOURS.medium };
}

/**
 * What the content script needs to draw the banner: plain strings only. Items
 * are the distinct things to know, most serious first, at most three; two
 * rules that say the same thing are shown once.
 */
export function bannerModel(list, lang, messages, pageUrl = "") {
  const matches = distinctMatches(list);
  const severity = worstSeverity(list);
  const items = [];
  const seen = new Set();
  for (const m of matches) {
    const item = { title: localText(m.title, lang) || m.rule, text: withoutReassurance(localText(m.explain.child, lang)) };
    if (seen.has(item.title) || seen.has(item.text)) continue;
    seen.add(item.title);
    seen.add(item.text);
    items.push(item);
    if (items.length >= MAX_BANNER_ITEMS) break;
  }
  const platform = platformFor(pageUrl);
  return {
    severity,
    lang,
    dir: dirFor(lang),
    key: matches.map((m) => m.rule).sort().join(","),
    items,
    platform: platform ? { url: platform.url, label: t(messages, "actionReportPlatform", { platform: platform.name }) } : null,
    strings: {
      heading: t(messages, "bannerHeading"),
      calm: t(messages, "bannerCalm"),
      steps: t(messages, "bannerSteps"),
      report: t(messages, "actionReport"),
      wrong: t(messages, "actionWrong"),
      hide: t(messages, "actionHide"),
      sending: t(messages, "reportSending"),
      failed: t(messages, "reportFailed"),
    },
  };
}

/**
 * The body of POST /api/v1/reports: the page, what it showed (warned units
 * first, then the rest of what was read, up to the companion's cap), every
 * match pointing at its unit, and the screenshot when there is one.
 */
export function reportPayload({ page, found, units, screenshot, note, lang }) {
  const list = [];
  const index = new Map();
  const add = (u) => {
    if (!u || !u.text || index.has(u.id) || list.length >= 200) return;
    index.set(u.id, list.length);
    list.push({ id: u.id, kind: u.kind, text: u.text, ...(SPEAKERS.includes(u.speaker) ? { speaker: u.speaker } : {}) });
  };
  found.forEach((f) => add(f.unit));
  (units || []).forEach(add);
  const matches = [];
  for (const f of found) {
    for (const m of f.matches) {
      if (matches.length >= 500) break;
      if (!index.has(f.unit.id)) continue;
      const match = { rule: m.rule, severity: m.severity, spans: m.spans, unit: index.get(f.unit.id) };
      if (m.category) match.category = m.category;
      matches.push(match);
    }
  }
  const body = { url: page.url, title: page.title, units: list, matches, lang };
  if (screenshot) body.screenshot = screenshot;
  if (note) body.note = note;
  return body;
}

/**
 * The calm in-page notice after a volunteer's "Report with Himaya": whether
 * the report was kept (and where it goes next), or why not. Plain strings
 * only, like the banner.
 *
 * Example:
 *   noticeModel({state: "ok", status: "Signalement enregistré (...). Il sera envoyé à l'association."}, "fr", messages)
 *   // -> {kind: "saved", lang: "fr", dir: "ltr", strings: {heading: "Signaler avec Himaya", text: "...", close: "Fermer"}}
 */
export function noticeModel(result, lang, messages) {
  const saved = Boolean(result && result.state === "ok");
  return {
    kind: saved ? "saved" : "not-saved",
    lang,
    dir: dirFor(lang),
    strings: {
      heading: t(messages, "menuReport"),
      text: (result && result.status) || t(messages, "reportFailed"),
      close: t(messages, "actionClose"),
    },
  };
}
