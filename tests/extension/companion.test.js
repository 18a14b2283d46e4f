// The companion's HTTP client: token header, error codes the UI translates.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Companion, CompanionError } from "../../extension/background/companion.js";
import { fakeFetch } from "./helpers.js";

test("requests go to 127.0.0.1 on the configured port with the token header", async () => {
  const log = [];
  const c = new Companion({ port: 50123, token: "tok", fetch: fakeFetch({ "POST /scan/batch": () => [200, { results: [], rules_version: "1" }] }, log) });
  const answer = await c.scanBatch([{ id: "m-1", kind: "message", text: "slt" }]);
  assert.equal(answer.rules_version, "1");
  assert.equal(log[0].url, "http://127.0.0.1:50123/api/v1/scan/batch");
  assert.equal(log[0].headers["X-Himaya-Token"], "tok");
  assert.equal(log[0].headers["X-Himaya-Client"], "extension", "the companion counts the heartbeat as the extension's");
  assert.equal(log[0].headers["Content-Type"], "application/json");
});

test("nothing listening gives the offline code; no token gives unpaired without a request", async () => {
  const log = [];
  await assert.rejects(new Companion({ token: "t", fetch: fakeFetch({}, log) }).scanBatch([]), (e) => e instanceof CompanionError && e.code === "offline");
  await assert.rejects(new Companion({ fetch: fakeFetch({}, log) }).report({}), (e) => e.code === "unpaired");
  assert.equal(log.length, 1);
});

test("a refused token or origin becomes unpaired; other errors keep the companion's code", async () => {
  const routes = {
    "POST /feedback": () => [401, { error: "unauthorized", detail: "token required" }],
    "POST /reports": () => [507, { error: "storage_full", detail: null }],
    "POST /pair": () => [403, { error: "pairing_failed", detail: "wrong or expired code" }],
  };
  const c = new Companion({ token: "t", fetch: fakeFetch(routes) });
  await assert.rejects(c.feedback(["r"], "wrong"), (e) => e.code === "unpaired");
  await assert.rejects(c.report({}), (e) => e.code === "storage_full" && e.status === 507);
  await assert.rejects(c.pair("1234-5678"), (e) => e.code === "pairing_failed");
});

test("pairing sends the code without a token and returns the token", async () => {
  const log = [];
  const c = new Companion({ fetch: fakeFetch({ "POST /pair": (body) => [200, { token: `T-${body.code}` }] }, log) });
  assert.equal(await c.pair(" 1234-5678 "), "T-1234-5678");
  assert.equal(log[0].headers["X-Himaya-Token"], undefined);
});

test("an invalid port falls back to the default", () => {
  assert.equal(new Companion({ port: 80, fetch() {} }).base, "http://127.0.0.1:47615/api/v1");
  assert.equal(new Companion({ port: "abc", fetch() {} }).base, "http://127.0.0.1:47615/api/v1");
});
