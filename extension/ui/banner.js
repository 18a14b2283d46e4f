/*
 * The in-page warning: a banner at the top of the page, in a shadow root so
 * the page's styles cannot reach it, speaking to the person at the screen
 * (usually the child): calm, never shaming, with concrete next steps.
 *
 * Everything it shows comes from the service worker as plain strings and is
 * written with textContent only: a hostile message quoted in a rule title or
 * an explanation can never become markup. Buttons act only on trusted
 * events, so the page's own scripts cannot press "This is wrong" for the
 * person.
 *
 * The host element carries data-himaya-warning="<severity>" (tests and the
 * page-structure checks rely on it).
 *
 * The same box, smaller, gives a calm notice after the volunteer's "Report
 * with Himaya" (Himaya.banner.notice): was the report kept, or why not. Its
 * host carries data-himaya-notice="saved" or "not-saved".
 *
 * Example:
 *   Himaya.banner.show({severity: "high", lang: "fr", dir: "ltr", key: "r1",
 *     strings: {heading: "...", calm: "...", steps: "...", report: "Signaler", wrong: "...", hide: "...", sending: "...", failed: "..."},
 *     items: [{title: "Demande d'âge", text: "..."}]},
 *     {report() {}, wrong() {}, hide() {}});
 *   Himaya.banner.notice({kind: "saved", lang: "ar", dir: "rtl",
 *     strings: {heading: "...", text: "...", close: "..."}});
 */
(function () {
  "use strict";
  const Himaya = globalThis.Himaya;
  if (Himaya.banner) return;

  // White text on each is at least 4.5:1 (WCAG AA), for the Report button.
  const COLOURS = { low: "#2f6f9f", medium: "#8a5a12", high: "#c2410c", critical: "#9b1c1c" };
  const NOTICE_COLOURS = { saved: "#2d6a4f", "not-saved": "#52606d" }; // calm: green, or a quiet grey

  const CSS = `
    :host { all: initial; }
    .box { box-sizing: border-box; margin: 0 auto; max-width: 760px; padding: 14px 18px;
      background: #fffdf7; color: #1f2933; border: 1px solid #e4dccb; border-top: 6px solid var(--accent);
      border-radius: 0 0 12px 12px; box-shadow: 0 6px 24px rgba(0,0,0,.18);
      font: 15px/1.45 system-ui, "Segoe UI", "Noto Sans", "Noto Sans Arabic", Tahoma, sans-serif; }
    h2 { margin: 0 0 4px; font-size: 17px; }
    .calm { margin: 0 0 8px; font-weight: 600; color: #2d6a4f; }
    ul { margin: 6px 0; padding-inline-start: 20px; }
    li { margin: 4px 0; }
    li b { display: block; }
    ul.single { list-style: none; padding-inline-start: 0; }
    .steps { margin: 8px 0; }
    .buttons { display: flex; gap: 8px; flex-wrap: wrap; margin-top: 10px; }
    button { font: inherit; padding: 6px 14px; border-radius: 8px; border: 1px solid #9aa5b1; background: #fff; cursor: pointer; }
    button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
    .status { min-height: 1.2em; margin-top: 8px; font-size: 14px; color: #334e68; }
    a.platform { align-self: center; color: #1d5f8a; font-weight: 600; }
    .notice { max-width: 560px; }
    .notice p { margin: 0; }
  `;

  let host = null;
  let parts = null;
  let current = null; // the handlers of the latest model: buttons always act on what is shown
  let noticeParts = null;

  function el(tag, text, attrs) {
    const node = document.createElement(tag);
    if (text != null) node.textContent = String(text);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    return node;
  }

  /** Run `fn` only for a click the person made (not one dispatched by the page). */
  function trusted(fn) {
    return (event) => {
      if (!event.isTrusted) return;
      event.preventDefault();
      event.stopPropagation();
      fn();
    };
  }

  function build(model) {
    const h = el("div", null, { "data-himaya-warning": model.severity });
    h.style.cssText = "position:fixed;top:0;left:0;right:0;z-index:2147483647;display:block;";
    const shadow = h.attachShadow({ mode: "open" });
    const style = el("style", CSS);
    const box = el("div", null, { class: "box", role: "alert", dir: model.dir, lang: model.lang });
    const heading = el("h2");
    const calm = el("p", null, { class: "calm" });
    const list = el("ul");
    const steps = el("p", null, { class: "steps" });
    const buttons = el("div", null, { class: "buttons" });
    const report = el("button", null, { class: "primary", type: "button", "data-action": "report" });
    const wrong = el("button", null, { type: "button", "data-action": "wrong" });
    const hide = el("button", null, { type: "button", "data-action": "hide" });
    const platform = el("a", null, { class: "platform", target: "_blank", rel: "noopener noreferrer", "data-action": "platform" });
    const status = el("p", null, { class: "status", "aria-live": "polite" });
    report.addEventListener("click", trusted(() => current.report()));
    wrong.addEventListener("click", trusted(() => current.wrong()));
    hide.addEventListener("click", trusted(() => current.hide()));
    buttons.append(report, platform, wrong, hide);
    box.append(heading, calm, list, steps, buttons, status);
    shadow.append(style, box);
    return { host: h, box, heading, calm, list, steps, report, platform, wrong, hide, status };
  }

  /** Fill the banner's text from the model (textContent only). */
  function fill(p, model) {
    p.host.setAttribute("data-himaya-warning", model.severity);
    p.box.style.setProperty("--accent", COLOURS[model.severity] || COLOURS.medium);
    p.box.setAttribute("dir", model.dir === "rtl" ? "rtl" : "ltr");
    p.box.setAttribute("lang", model.lang);
    const s = model.strings;
    p.heading.textContent = s.heading;
    p.calm.textContent = s.calm;
    p.steps.textContent = s.steps;
    p.report.textContent = s.report;
    p.wrong.textContent = s.wrong;
    p.hide.textContent = s.hide;
    // The network's own report form, one click away (an https address from the service worker's table).
    const link = model.platform && /^https:\/\//.test(model.platform.url) ? model.platform : null;
    p.platform.hidden = !link;
    p.platform.textContent = link ? link.label : "";
    if (link) p.platform.setAttribute("href", link.url);
    else p.platform.removeAttribute("href");
    p.list.className = model.items.length === 1 ? "single" : "";
    p.list.replaceChildren(
      ...model.items.map((item) => {
        const li = el("li");
        li.append(el("b", item.title), el("span", item.text));
        return li;
      })
    );
  }

  /** Show (or update) the banner. */
  function show(model, handlers) {
    current = handlers;
    if (!host || !host.isConnected) {
      parts = build(model);
      host = parts.host;
      (document.documentElement || document.body).appendChild(host);
    }
    fill(parts, model);
    return host;
  }

  /** Hide or show the banner without removing it (a report's screenshot); true when one is there. */
  function conceal(hidden) {
    if (!host) return false;
    host.style.visibility = hidden ? "hidden" : "visible";
    return true;
  }

  function status(text) {
    if (parts) parts.status.textContent = String(text || "");
  }

  function remove() {
    if (host) host.remove();
    host = null;
    parts = null;
    current = null;
  }

  function buildNotice() {
    const h = el("div", null, { "data-himaya-notice": "saved" });
    h.style.cssText = "position:fixed;top:0;left:0;right:0;z-index:2147483647;display:block;";
    const shadow = h.attachShadow({ mode: "open" });
    const box = el("div", null, { class: "box notice", role: "status", "aria-live": "polite" });
    const heading = el("h2");
    const text = el("p");
    const buttons = el("div", null, { class: "buttons" });
    const close = el("button", null, { type: "button", "data-action": "close" });
    close.addEventListener("click", trusted(removeNotice));
    buttons.append(close);
    box.append(heading, text, buttons);
    shadow.append(el("style", CSS), box);
    return { host: h, box, heading, text, close };
  }

  /** Show (or update) the notice after a volunteer report (textContent only). */
  function notice(model) {
    if (!noticeParts || !noticeParts.host.isConnected) {
      noticeParts = buildNotice();
      (document.documentElement || document.body).appendChild(noticeParts.host);
    }
    const p = noticeParts;
    const kind = model.kind === "saved" ? "saved" : "not-saved";
    p.host.setAttribute("data-himaya-notice", kind);
    p.box.style.setProperty("--accent", NOTICE_COLOURS[kind]);
    p.box.setAttribute("dir", model.dir === "rtl" ? "rtl" : "ltr");
    p.box.setAttribute("lang", model.lang);
    p.heading.textContent = model.strings.heading;
    p.text.textContent = model.strings.text;
    p.close.textContent = model.strings.close;
    return p.host;
  }

  function removeNotice() {
    if (noticeParts) noticeParts.host.remove();
    noticeParts = null;
  }

  Himaya.banner = Object.freeze({ show, status, remove, host: () => host, notice, removeNotice, conceal });
})();
