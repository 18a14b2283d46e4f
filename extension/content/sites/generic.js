/*
 * Any other page (injected on demand: the popup's "Check this page", or the
 * volunteer's context menu), and a known site's page where its own reader
 * found nothing (content/readers.js). Reads the page's description, its
 * articles, main paragraphs or text blocks as posts (with their outgoing
 * links), capped.
 *
 * Example:
 *   Himaya.adapterFor("forum.example").extract(document, location)
 *   // -> [{kind: "post", text: "Page title\ndescription"}, {kind: "post", text: "paragraph..."}]
 */
(function () {
  "use strict";
  const { dom } = globalThis.Himaya;
  const MAX_BLOCKS = 80;
  const MAX_CANDIDATES = 400;

  function meta(doc, name) {
    const el = doc.querySelector(`meta[property="${name}"], meta[name="${name}"]`);
    return el ? dom.clean(el.getAttribute("content")) : "";
  }

  /**
   * Elements holding a run of text of their own (a page built of divs and
   * spans). Bounded: a web app's page holds thousands of elements, and only
   * the first candidates are checked for visibility.
   */
  function textBlocks(scope) {
    const own = (el) => [...el.childNodes].some((n) => n.nodeType === 3 && n.nodeValue.trim().length >= 2);
    const first = (list) => list.slice(0, MAX_CANDIDATES).filter(dom.isVisible);
    const marked = first([...scope.querySelectorAll('[dir="auto"]')]);
    const found = marked.length ? marked : first([...scope.querySelectorAll("div, span")].filter(own));
    return found.filter((el) => !found.some((other) => other !== el && other.contains(el)));
  }

  /**
   * The page's parts: its articles, else its paragraphs and list items, else
   * (a web app drawn with divs: the fallback for a site whose reader found
   * nothing) its text blocks.
   */
  function blocks(doc) {
    const scope = doc.querySelector('main, [role="main"]') || doc.body;
    if (!scope) return [];
    const articles = dom.visibleAll(scope, 'article, [role="article"]');
    const paragraphs = articles.length ? articles : dom.visibleAll(scope, "p, li, blockquote");
    const parts = paragraphs.length ? paragraphs : textBlocks(scope);
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
