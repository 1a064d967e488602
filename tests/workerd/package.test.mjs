// The package's workerd build, loaded by a JavaScript Worker running in workerd.

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";

import { Miniflare } from "miniflare";

import { NOW, SECRET, envelope, hmacHex } from "../js/cases.mjs";

let miniflare;

before(async () => {
  miniflare = new Miniflare({
    modules: true,
    scriptPath: fileURLToPath(new URL("./receiver.mjs", import.meta.url)),
    modulesRoot: fileURLToPath(new URL("../..", import.meta.url)),
    modulesRules: [
      { type: "ESModule", include: ["**/*.mjs", "**/*.js"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate: "2025-06-01",
    bindings: { WEBHOOK_SECRET: SECRET },
    cf: false,
  });
  await miniflare.ready;
});

after(async () => {
  await miniflare?.dispose();
});

async function post(body, headers) {
  const response = await miniflare.dispatchFetch("http://localhost/", {
    method: "POST",
    body,
    headers: { ...headers, "x-test-now": String(NOW) },
  });
  return { status: response.status, json: await response.json() };
}

test("workerd build accepts a signed event", async () => {
  const body = `{"event":"post.created","timestamp":${NOW},"data":{"post_id":9007199254740993}}`;
  const { status, json } = await post(body, { "x-webhook-signature": hmacHex(SECRET, body) });
  assert.equal(status, 200);
  assert.equal(json.event.event, "post.created");
  assert.equal(json.event.data.post_id, "9007199254740993");
});

test("workerd build rejects a tampered body", async () => {
  const body = envelope();
  const signature = hmacHex(SECRET, body);
  const { status, json } = await post(body.replace("Ada", "Eve"), { "x-webhook-signature": signature });
  assert.equal(status, 401);
  assert.equal(json.code, "signature_mismatch");
});
