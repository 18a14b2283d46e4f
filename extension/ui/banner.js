/*
 * The in-page warning: a banner at the top of the page speaking to the person
 * at the screen (usually the child): calm, never shaming, with concrete next
 * steps.
 *
 * The page must not be able to read, rewrite or hide it:
 * - it lives in a *closed* shadow root: `host.shadowRoot` is null for the
 *   page's scripts, and only this file holds references to the root and its
 *   parts (nothing is exported but functions);
 * - everything it shows comes from the service worker as plain strings,
 *   written with textContent only: a hostile message quoted in a rule title
 *   or an explanation can never become markup;
 * - after every write it remembers what it wrote; if anything else changes
 *   the box (its text, its structure, the host's style or attributes) or
 *   takes the host out of the page, the box is drawn again, a little later
 *   each time so a page that keeps fighting cannot make it spin
 *   (`state().restored` counts how often; the popup tells the parent);
 * - the host's own styles are inline and !important (they win over any page
 *   stylesheet), and it is shown in the top layer (a manual popover) when
 *   the browser has one, raised again when the page covers it;
 * - buttons act only on trusted events, so the page's scripts cannot press
 *   "This is wrong" for the person.
 *
 * The extension knows its boxes by reference (`owns(node)`), never by an
 * attribute: the page can put data-himaya-warning on anything. The host
 * still carries data-himaya-warning="<severity>" (data-himaya-notice="saved"
 * or "not-saved" for the notice) for people and tests looking at the page.
 *
 * The warning names each rule once, the most serious first (at most three, one
 * reassurance: the service worker's bannerModel), links to the network's own
 * report form when it has one (an https address only), and can be concealed
 * (`conceal(true)`, still there and still watched) while a report's
 * screenshot is taken, so the evidence shows the page, not the banner.
 *
 * The same box, smaller, gives a calm notice after the volunteer's "Report
 * with Himaya" (Himaya.banner.notice): was the report kept, or why not.
 *
 * Example:
 *   Himaya.banner.show({severity: "high", lang: "fr", dir: "ltr", key: "r1",
 *     strings: {heading: "...", calm: "...", steps: "...", report: "Signaler", wrong: "...", hide: "...", sending: "...", failed: "..."},
 *     items: [{title: "Demande d'âge", text: "..."}]},
 *     {report() {}, wrong() {}, hide() {}});
 *   Himaya.banner.state()  // -> {shown: true, severity: "high", text: "...", restored: 0, ...}
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
    .box { box-sizing: border-box; margin: 0 auto; max-width: 760px; padding: 14px 18px;
      background: #fffdf7; color: #1f2933; border: 1px solid #e4dccb; border-top: 6px solid var(--accent);
      border-radius: 0 0 12px 12px; box-shadow: 0 6px 24px rgba(0,0,0,.18);
      font: 15px/1.45 system-ui, "Segoe UI", "Noto Sans", "Noto Sans Arabic", Tahoma, sans-serif; }
    h2 { margin: 0 0 4px; font-size: 17px; }
    .calm { margin: 0 0 8px; font-weight: 600; color: #2d6a4f; }
    ul { margin: 6px 0; padding-inline-start: 20px; }
    ul.single { list-style: none; padding-inline-start: 0; }
    li { margin: 4px 0; }
    li b { display: block; }
    .steps { margin: 8px 0; }
    .buttons { display: flex; gap: 8px; flex-wrap: wrap; margin-top: 10px; }
    button { font: inherit; padding: 6px 14px; border-radius: 8px; border: 1px solid #9aa5b1; background: #fff; cursor: pointer; }
    button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
    a.platform { align-self: center; color: #1d5f8a; font-weight: 600; }
    .status { min-height: 1.2em; margin-top: 8px; font-size: 14px; color: #334e68; }
    .notice { max-width: 560px; }
    .notice p { margin: 0; }
  `;

  // The host's box, inline and !important: page stylesheets cannot move, hide or shrink it.
  const HOST_STYLE = [
    ["display", "block"], ["position", "fixed"], ["top", "0"], ["left", "0"], ["right", "0"], ["bottom", "auto"], ["width", "auto"], ["height", "auto"],
    ["min-width", "0"], ["min-height", "0"], ["max-width", "none"], ["max-height", "none"], ["margin", "0"],
    ["padding", "0"], ["border", "0"], ["background", "transparent"], ["overflow", "visible"],
    ["z-index", "2147483647"], ["visibility", "visible"], ["opacity", "1"], ["transform", "none"],
    ["translate", "none"], ["scale", "none"], ["rotate", "none"], ["filter", "none"], ["clip-path", "none"],
    ["mask", "none"], ["pointer-events", "auto"], ["content-visibility", "visible"], ["contain", "none"], ["zoom", "1"],
  ];
  const CHECK_MS = 1000; // how often a shown box checks it is still whole, on top and in the page
  const RESTORE_DELAYS = [0, 0, 0, 100, 250, 500, 1000, 2000, 5000]; // growing: a page that keeps fighting cannot make it spin
  const CALM_AFTER_MS = 60000; // restores this long ago no longer slow the next one down

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

  /**
   * One of our boxes in the page: a host with a closed shadow root, held only
   * here. `build()` makes its parts, `fill(parts, model)` writes the model.
   */
  function createBox(build, fill) {
    const box = { host: null, root: null, parts: null, model: null, status: "", snapshot: "", hostState: "", concealed: false };
    let observer = null;
    let pageObserver = null;
    let timer = null;
    let pending = null;
    let recent = 0;
    let lastRestore = 0;
    let restored = 0;

    function hostState() {
      const h = box.host;
      return [...h.attributes].map((a) => `${a.name}=${a.value}`).join("\u0000");
    }

    function remember() {
      box.snapshot = box.root.innerHTML;
      box.hostState = hostState();
    }

    function styleHost() {
      for (const [name, value] of HOST_STYLE) box.host.style.setProperty(name, value, "important");
      if (box.concealed) box.host.style.setProperty("visibility", "hidden", "important");
      box.host.setAttribute("popover", "manual");
    }

    /** Draw the whole box from the model (textContent only). */
    function render() {
      box.parts = build();
      box.root.replaceChildren(el("style", CSS), box.parts.box);
      fill(box.parts, box.model, box.host);
      box.parts.status.textContent = box.status;
      remember();
    }

    /** Put the box in the top layer (above anything the page draws), when the browser has one. */
    function raise() {
      const h = box.host;
      if (typeof h.showPopover !== "function" || !h.isConnected) return;
      try {
        if (h.matches(":popover-open")) h.hidePopover();
        h.showPopover();
      } catch (_) {
        // no top layer here: the z-index does what it can
      }
    }

    /** True when something the page drew sits over the box's middle. */
    function covered() {
      if (typeof document.elementFromPoint !== "function") return false;
      const rect = box.parts.box.getBoundingClientRect();
      if (!rect.width || !rect.height) return false;
      const x = Math.min(Math.max(rect.left + rect.width / 2, 0), innerWidth - 1);
      const y = Math.min(Math.max(rect.top + Math.min(rect.height / 2, 40), 0), innerHeight - 1);
      const hit = document.elementFromPoint(x, y);
      return Boolean(hit) && hit !== box.host;
    }

    function whole() {
      const h = box.host;
      return h.isConnected && h.parentNode === document.documentElement && box.root.innerHTML === box.snapshot && hostState() === box.hostState;
    }

    function check() {
      if (!box.model) return;
      if (!whole()) restoreSoon();
      else if (!box.concealed && covered()) raise();
    }

    function restoreSoon() {
      if (pending) return;
      const now = Date.now();
      if (now - lastRestore > CALM_AFTER_MS) recent = 0;
      pending = setTimeout(restore, RESTORE_DELAYS[Math.min(recent, RESTORE_DELAYS.length - 1)]);
    }

    /** Something else changed the box or took it away: draw it again, in its place. */
    function restore() {
      pending = null;
      if (!box.model || whole()) return;
      restored += 1;
      recent += 1;
      lastRestore = Date.now();
      const h = box.host;
      for (const attr of [...h.attributes]) h.removeAttribute(attr.name);
      styleHost();
      if (!h.isConnected || h.parentNode !== document.documentElement) (document.documentElement || document.body).appendChild(h);
      render();
      raise();
    }

    function watch() {
      observer = new MutationObserver(check);
      observer.observe(box.root, { subtree: true, childList: true, characterData: true, attributes: true });
      observer.observe(box.host, { attributes: true });
      pageObserver = new MutationObserver(check);
      if (document.documentElement) pageObserver.observe(document.documentElement, { childList: true });
      timer = setInterval(check, CHECK_MS);
    }

    function unwatch() {
      if (observer) observer.disconnect();
      if (pageObserver) pageObserver.disconnect();
      clearInterval(timer);
      clearTimeout(pending);
      observer = pageObserver = timer = pending = null;
    }

    return {
      /** Show (or update) the box with a model. */
      open(model) {
        box.model = model;
        if (!box.host) {
          box.host = document.createElement("div");
          box.root = box.host.attachShadow({ mode: "closed" });
          styleHost();
          box.status = "";
          render();
          (document.documentElement || document.body).appendChild(box.host);
          raise();
          watch();
        } else {
          fill(box.parts, model, box.host);
          remember();
          if (!whole()) restore();
        }
      },
      setStatus(text) {
        if (!box.model) return;
        box.status = String(text || "");
        box.parts.status.textContent = box.status;
        remember();
      },
      /** Hide or show the box without removing it (a report's screenshot shows the page); true when one is there. */
      conceal(hidden) {
        if (!box.model) return false;
        box.concealed = Boolean(hidden);
        styleHost();
        remember();
        if (!box.concealed) raise();
        return true;
      },
      close() {
        unwatch();
        if (box.host) box.host.remove();
        box.host = box.root = box.parts = box.model = null;
        box.status = "";
        box.concealed = false;
      },
      shown: () => Boolean(box.model),
      owns: (node) => Boolean(node) && node === box.host,
      state() {
        if (!box.model) return { shown: false, restored };
        const h = box.host;
        return {
          shown: true,
          connected: h.isConnected,
          text: box.parts.box.textContent,
          dir: box.parts.box.getAttribute("dir"),
          lang: box.parts.box.getAttribute("lang"),
          status: box.parts.status.textContent,
          concealed: box.concealed,
          restored,
        };
      },
    };
  }

  // --- the warning -----------------------------------------------------------

  let current = null; // the handlers of the latest model: buttons always act on what is shown

  function buildWarning() {
    const box = el("div", null, { class: "box", role: "alert" });
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
    report.addEventListener("click", trusted(() => current && current.report()));
    wrong.addEventListener("click", trusted(() => current && current.wrong()));
    hide.addEventListener("click", trusted(() => current && current.hide()));
    buttons.append(report, platform, wrong, hide);
    box.append(heading, calm, list, steps, buttons, status);
    return { box, heading, calm, list, steps, report, platform, wrong, hide, status };
  }

  /** Fill the banner's text from the model (textContent only). */
  function fillWarning(p, model, host) {
    host.setAttribute("data-himaya-warning", COLOURS[model.severity] ? model.severity : "medium");
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

  const warning = createBox(buildWarning, fillWarning);

  // --- the notice ------------------------------------------------------------

  function buildNotice() {
    const box = el("div", null, { class: "box notice", role: "status", "aria-live": "polite" });
    const heading = el("h2");
    const text = el("p");
    const buttons = el("div", null, { class: "buttons" });
    const close = el("button", null, { type: "button", "data-action": "close" });
    const status = el("p", null, { class: "status", hidden: "" });
    close.addEventListener("click", trusted(removeNotice));
    buttons.append(close);
    box.append(heading, text, buttons, status);
    return { box, heading, text, close, status };
  }

  const noticeBox = createBox(buildNotice, (p, model, host) => {
    const kind = model.kind === "saved" ? "saved" : "not-saved";
    host.setAttribute("data-himaya-notice", kind);
    p.box.style.setProperty("--accent", NOTICE_COLOURS[kind]);
    p.box.setAttribute("dir", model.dir === "rtl" ? "rtl" : "ltr");
    p.box.setAttribute("lang", model.lang);
    p.heading.textContent = model.strings.heading;
    p.text.textContent = model.strings.text;
    p.close.textContent = model.strings.close;
  });

  /** Show (or update) the banner. */
  function show(model, handlers) {
    current = handlers;
    warning.open(model);
  }

  function status(text) {
    warning.setStatus(text);
  }

  function remove() {
    warning.close();
    current = null;
  }

  /** Show (or update) the notice after a volunteer report (textContent only). */
  function notice(model) {
    noticeBox.open(model);
  }

  function removeNotice() {
    noticeBox.close();
  }

  /** Hide or show the banner without removing it (a report's screenshot); true when one is there. */
  function conceal(hidden) {
    return warning.conceal(hidden);
  }

  Himaya.banner = Object.freeze({
    show,
    status,
    remove,
    notice,
    removeNotice,
    conceal,
    shown: () => warning.shown(),
    owns: (node) => warning.owns(node) || noticeBox.owns(node),
    state: () => ({ warning: warning.state(), notice: noticeBox.state() }),
  });
})();
