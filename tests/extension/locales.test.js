// Every text exists in French, Arabic and English, and every key the code
// and pages use is defined.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { EXT, messagesOf } from "./helpers.js";

const LANGS = ["fr", "ar", "en"];

function filesUnder(dir, ext) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(ext))
    .map((e) => join(e.parentPath || e.path, e.name));
}

test("the three locales have the same keys, none empty", () => {
  const keys = LANGS.map((l) => Object.keys(messagesOf(l)).sort());
  assert.deepEqual(keys[1], keys[0]);
  assert.deepEqual(keys[2], keys[0]);
  for (const lang of LANGS) for (const [k, v] of Object.entries(messagesOf(lang))) assert.ok(v.trim(), `${lang}.${k}`);
});

test("Arabic texts are in Arabic script", () => {
  const ar = messagesOf("ar");
  for (const [key, text] of Object.entries(ar)) if (!/^(popupTitle)$/.test(key)) assert.match(text, /[\u0600-\u06ff]/, key);
});

test("every key used by the code, the pages and the manifest is defined", () => {
  const defined = new Set(Object.keys(messagesOf("fr")));
  const used = new Set();
  for (const file of [...filesUnder(EXT, ".js"), ...filesUnder(EXT, ".html")]) {
    const src = readFileSync(file, "utf8");
    for (const m of src.matchAll(/\bt\(\s*\w+,\s*"(\w+)"/g)) used.add(m[1]);
    for (const m of src.matchAll(/data-i18n="(\w+)"/g)) used.add(m[1]);
    if (file.includes(`${join("extension", "ui")}`)) {
      // state -> text tables in the pages, e.g. {offline: "stateOffline"}
      for (const m of src.matchAll(/\b(?:ok|offline|unpaired|error|pairing_failed|pairing_locked): "(\w+)"/g)) used.add(m[1]);
    }
  }
  for (const m of readFileSync(join(EXT, "manifest.json"), "utf8").matchAll(/__MSG_(\w+)__/g)) used.add(m[1]);
  const missing = [...used].filter((k) => !defined.has(k));
  assert.deepEqual(missing, []);
  assert.ok(used.size > 30);
});

test("the child's banner says they are not in trouble and names the 1809 line in every language", () => {
  for (const lang of LANGS) {
    const m = messagesOf(lang);
    assert.match(m.bannerSteps, /1809/, lang);
    assert.ok(m.bannerCalm.length > 10, lang);
  }
});

test("French speaks formally (vous) to parents and informally (tu) to children", () => {
  const fr = messagesOf("fr");
  // Whole words: JavaScript's \b treats accented letters as boundaries ("répète" would hold "te").
  const TU = /(?<!\p{L})(?:(?:tu|ton|ta|tes|toi|te|démarre|ouvre|réessaie|parles-en|montre-le)(?!\p{L})|t'(?=\p{L}))/iu;
  const VOUS = /(?<!\p{L})(?:vous|votre|vos|démarrez|ouvrez|réessayez|tapez)(?!\p{L})/iu;
  const parent = Object.keys(fr).filter((k) => /^(state|options|popup|pair|pin|history|badge|parent)|Parent$/.test(k));
  const child = ["bannerCalm", "bannerSteps", "reportFailed", "reportOffline", "feedbackFailed", "feedbackWrongKept"];
  assert.ok(parent.length > 40);
  for (const key of parent) assert.doesNotMatch(fr[key], TU, key);
  for (const key of child) assert.doesNotMatch(fr[key], VOUS, key);
  for (const key of child) assert.match(fr[key], TU, key);
});
