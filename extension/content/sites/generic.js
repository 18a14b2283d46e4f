/*
 * Any other page (injected on demand: the popup's "Check this page", or the
 * volunteer's context menu). Reads the page's description, its articles or
 * main paragraphs as posts (with their outgoing links), capped.
 *
 * Example:
 *   Himaya.adapterFor("forum.example").extract(document, location)
 *   // -> [{kind: "post", text: "Page title\ndescription"}, {kind: "post", text: "paragraph..."}]
 */
(function () {
  "use strict";
  const { dom } = globalThis.Himaya;
  const MAX_BLOCKS = 80;

  function meta(doc, name) {
    const el = doc.querySelector(`meta[property="${name}"], meta[name="${name}"]`);
    return el ? dom.clean(el.getAttribute("content")) : "";
  }

  function blocks(doc) {
    const scope = doc.querySelector('main, [role="main"]') || doc.body;
    if (!scope) return [];
    const articles = dom.visibleAll(scope, 'article, [role="article"]');
    const parts = articles.length ? articles : dom.visibleAll(scope, "p, li, blockquote");
    return parts.slice(0, MAX_BLOCKS).map((el) => {
      const text = dom.visibleText(el);
      const links = dom.linksIn(el).filter((l) => !text.includes(l));
      return { kind: "post", text: [text, ...links].join("\n") };
    });
  }

  globalThis.Himaya.registerSite({
    name: "generic",
    hosts: [],
    extract(doc) {
      const head = [doc.title, meta(doc, "og:description") || meta(doc, "description")].filter(Boolean).join("\n");
      return [head ? { kind: "post", text: head } : null, ...blocks(doc)].filter((u) => u && u.text.length >= 3);
    },
  });
})();
