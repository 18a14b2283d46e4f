// The manifest and sources pass Mozilla's add-on linter (web-ext lint), and
// the manifest keeps the shape both browsers need.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, EXT } from "./helpers.js";

// The one warning the shared manifest must give: Firefox ignores the Chromium service worker key.
const EXPECTED_WARNINGS = ["BACKGROUND_SERVICE_WORKER_IGNORED"];

test("web-ext lint finds no errors and no warning but the expected one", () => {
  const bin = join(ROOT, "node_modules", ".bin", "web-ext");
  let out;
  try {
    out = execFileSync(bin, ["lint", "-s", EXT, "--output", "json", "--no-config-discovery"], { encoding: "utf8", cwd: ROOT });
  } catch (error) {
    out = error.stdout; // exits 1 on errors: show them
  }
  const report = JSON.parse(out);
  assert.deepEqual(report.errors.map((e) => `${e.code}: ${e.message}`), []);
  assert.deepEqual(report.warnings.map((w) => w.code), EXPECTED_WARNINGS, JSON.stringify(report.warnings, null, 1));
});

test("every Firefox the manifest admits supports each key it uses", () => {
  const m = JSON.parse(readFileSync(join(EXT, "manifest.json"), "utf8"));
  const gecko = m.browser_specific_settings;
  // data_collection_permissions: Firefox 140 on desktop, 142 on Android
  assert.ok(gecko.gecko.data_collection_permissions);
  assert.ok(parseFloat(gecko.gecko.strict_min_version) >= 140);
  assert.ok(parseFloat(gecko.gecko_android.strict_min_version) >= 142);
});

test("one manifest for Chromium and Firefox, no externally_connectable, strict extension-page CSP", () => {
  const m = JSON.parse(readFileSync(join(EXT, "manifest.json"), "utf8"));
  assert.equal(m.manifest_version, 3);
  assert.equal(m.background.service_worker, m.background.scripts[0]);
  assert.match(m.browser_specific_settings.gecko.id, /@/);
  assert.ok(m.key, "a fixed key gives a fixed Chromium id the companion can trust");
  assert.equal(m.externally_connectable, undefined);
  assert.match(m.content_security_policy.extension_pages, /script-src 'self'/);
  assert.deepEqual([...m.permissions].sort(), ["activeTab", "alarms", "contextMenus", "scripting", "storage"]);
  const sites = new Set(m.content_scripts.map((c) => c.js.find((f) => f.startsWith("content/sites/"))));
  for (const site of ["facebook", "instagram", "tiktok", "x", "messenger", "whatsapp", "telegram", "discord"]) {
    assert.ok(sites.has(`content/sites/${site}.js`), site);
  }
  assert.ok(m.content_scripts.every((c) => !c.all_frames && c.js.at(-1) === "content/main.js"));
});
