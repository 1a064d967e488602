// Tests of the built npm package (pkg/) in Node, through its ESM entry.

import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { test } from "node:test";

import { Verifier, WebhookError, parse, sign } from "../../pkg/index.mjs";
import { CASES, NOW, OTHER_SECRET, SECRET, envelope, hmacHex } from "./cases.mjs";

const require = createRequire(import.meta.url);

for (const row of CASES) {
  test(`table: ${row.name}`, () => {
    const verifier = new Verifier(row.options ?? { secrets: [SECRET] });
    const verify = () => verifier.verify(row.body, row.headers, { now: row.now ?? NOW });
    if (row.expect === "ok") {
      const event = verify();
      assert.equal(event.event, JSON.parse(row.body).event);
      assert.equal(event.timestamp, Number(JSON.parse(row.body).timestamp));
    } else {
      assert.throws(verify, (error) => {
        assert.ok(error instanceof WebhookError, `expected a WebhookError, got ${error}`);
        assert.equal(error.code, row.expect);
        assert.equal(error.name, "WebhookError");
        assert.ok(!error.message.includes(SECRET), "message contains the secret");
        return true;
      });
    }
  });
}

test("headers: Headers, object, pairs and arrays", () => {
  const body = envelope();
  const signature = hmacHex(SECRET, String(NOW), ".", body);
  const shapes = {
    Headers: new Headers({ "X-Webhook-Signature": signature, "X-Webhook-Timestamp": String(NOW) }),
    "mixed-case object": { "X-WEBHOOK-SIGNATURE": signature, "x-Webhook-Timestamp": String(NOW) },
    "object of arrays": { "x-webhook-signature": [signature], "x-webhook-timestamp": [String(NOW)] },
    pairs: [["X-Webhook-Signature", signature], ["x-webhook-timestamp", String(NOW)]],
  };
  const verifier = new Verifier({ secrets: [SECRET], scheme: "timestamp.body" });
  for (const [shape, headers] of Object.entries(shapes)) {
    const event = verifier.verify(body, headers, { now: NOW });
    assert.equal(event.event, "user.joined", shape);
  }
});

test("headers: repeated signature values join", () => {
  const body = envelope();
  const good = hmacHex(SECRET, body);
  const bad = hmacHex(OTHER_SECRET, body);
  const verifier = new Verifier({ secrets: [SECRET] });
  const headers = new Headers();
  headers.append("x-webhook-signature", bad);
  headers.append("x-webhook-signature", good);
  assert.equal(verifier.verify(body, headers, { now: NOW }).event, "user.joined");
  const object = { "x-webhook-signature": [bad, good] };
  assert.equal(verifier.verify(body, object, { now: NOW }).event, "user.joined");
});

test("headers: custom names check a hop signature", () => {
  const body = envelope();
  const hop = sign("forward-secret", body, { timestamp: NOW });
  const headers = {
    "x-edge-signature": hop["x-webhook-signature"],
    "x-edge-timestamp": hop["x-webhook-timestamp"],
  };
  const verifier = new Verifier({
    secrets: ["forward-secret"],
    scheme: "timestamp.body",
    signatureHeader: "X-Edge-Signature",
    timestampHeader: "x-edge-timestamp",
  });
  assert.equal(verifier.verify(body, headers, { now: NOW }).event, "user.joined");
  assert.throws(() => verifier.verify(body, hop, { now: NOW }), { code: "missing_signature" });
});

test("body: string, Buffer, Uint8Array, ArrayBuffer", () => {
  const text = envelope("post.created", NOW, { post_id: "pst_1", content: "héllo \u2028" });
  const headers = { "x-webhook-signature": hmacHex(SECRET, text) };
  const bytes = new TextEncoder().encode(text);
  const verifier = new Verifier({ secrets: [SECRET] });
  for (const body of [text, Buffer.from(text), bytes, bytes.buffer.slice(0)]) {
    const event = verifier.verify(body, headers, { now: NOW });
    assert.equal(event.data.content, "héllo \u2028");
  }
});

test("body: parsed object is a TypeError", () => {
  const verifier = new Verifier({ secrets: [SECRET] });
  const body = JSON.parse(envelope());
  assert.throws(() => verifier.verify(body, {}, { now: NOW }), (error) => {
    assert.ok(error instanceof TypeError);
    assert.match(error.message, /raw request body/);
    return true;
  });
});

test("body: invalid UTF-8 verifies as bytes, then fails to parse", () => {
  const bytes = Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d]);
  const headers = { "x-webhook-signature": hmacHex(SECRET, bytes) };
  const verifier = new Verifier({ secrets: [SECRET] });
  assert.throws(() => verifier.verify(bytes, headers, { now: NOW }), { code: "invalid_json" });
  const forged = { "x-webhook-signature": hmacHex(OTHER_SECRET, bytes) };
  assert.throws(() => verifier.verify(bytes, forged, { now: NOW }), { code: "signature_mismatch" });
});

test("sign: matches node:crypto under both schemes", () => {
  const body = envelope();
  assert.deepEqual(sign(SECRET, body), { "x-webhook-signature": hmacHex(SECRET, body) });
  assert.deepEqual(sign(SECRET, body, { timestamp: NOW }), {
    "x-webhook-signature": hmacHex(SECRET, String(NOW), ".", body),
    "x-webhook-timestamp": String(NOW),
  });
  assert.deepEqual(sign(SECRET, body, { timestamp: false }), sign(SECRET, body));
});

test("sign then verify round trip for each catalogue event", () => {
  const names = [
    "user.joined", "user.profile.updated", "user.joined.space", "post.created",
    "post.liked", "post.unliked", "comment.added", "post.reported",
  ];
  const verifier = new Verifier({ secrets: [SECRET] });
  for (const name of names) {
    const body = envelope(name, NOW, { user_id: "usr_1", post_id: "pst_2" });
    for (const timestamp of [NOW, undefined]) {
      const event = verifier.verify(body, sign(SECRET, body, { timestamp }), { now: NOW });
      assert.deepEqual(event, JSON.parse(body), `${name} with timestamp ${timestamp}`);
    }
  }
});

test("sign: empty secret is no_secret", () => {
  assert.throws(() => sign("", "{}"), { code: "no_secret" });
});

test("verifier: options are checked", () => {
  assert.throws(() => new Verifier({ secrets: [] }), { code: "no_secret" });
  assert.throws(() => new Verifier({ secrets: [""] }), { code: "no_secret" });
  assert.throws(() => new Verifier({ secrets: [SECRET], scheme: "hmac" }), { code: "invalid_options" });
  assert.throws(() => new Verifier({ secrets: [SECRET], toleranceSeconds: -1 }), { code: "invalid_options" });
  assert.throws(() => new Verifier({ secrets: [SECRET], maxBodyBytes: 1.5 }), { code: "invalid_options" });
  assert.throws(() => new Verifier({ secrets: [SECRET], tolerance: 5 }), { code: "invalid_options" });
  assert.throws(() => new Verifier({ secrets: [42] }), TypeError);
  assert.throws(() => new Verifier({ secrets: [SECRET, undefined] }), (error) => {
    assert.ok(error instanceof TypeError);
    assert.match(error.message, /options\.secrets\[1\] is undefined/);
    assert.ok(!error.message.includes(SECRET));
    return true;
  });
  assert.throws(() => new Verifier(), TypeError);
});

test("verifier: defaults and getters", () => {
  const verifier = new Verifier({ secrets: SECRET });
  assert.equal(verifier.toleranceSeconds, 300);
  assert.equal(verifier.scheme, "auto");
  assert.equal(verifier.maxBodyBytes, 1048576);
  assert.equal(verifier.signatureHeader, "x-webhook-signature");
  assert.equal(verifier.timestampHeader, "x-webhook-timestamp");
});

test("verifier: no secret in its string forms or errors", () => {
  const verifier = new Verifier({ secrets: [SECRET] });
  assert.ok(!String(verifier).includes(SECRET));
  assert.ok(!JSON.stringify(verifier).includes(SECRET));
  try {
    new Verifier({ secrets: [SECRET], toleranceSeconds: "300" });
    assert.fail("expected a failure");
  } catch (error) {
    assert.equal(error.code, "invalid_options");
    assert.ok(!error.message.includes(SECRET));
  }
});

test("verify: now defaults to the clock", () => {
  const now = Math.floor(Date.now() / 1000);
  const body = envelope("post.liked", now, {});
  const verifier = new Verifier({ secrets: [SECRET] });
  assert.equal(verifier.verify(body, sign(SECRET, body)).event, "post.liked");
  const old = envelope("post.liked", now - 3600, {});
  assert.throws(() => verifier.verify(old, sign(SECRET, old)), { code: "timestamp_too_old" });
});

test("parse: ids above 2^53 arrive as exact strings", () => {
  const body = `{"event":"post.created","timestamp":${NOW},"data":{"post_id":9007199254740993,`
    + `"neg":-9007199254740993,"safe":9007199254740991,"ratio":0.5,"nested":[{"id":123456789012345678901234567890}]}}`;
  const event = parse(body);
  assert.equal(event.data.post_id, "9007199254740993");
  assert.equal(event.data.neg, "-9007199254740993");
  assert.equal(event.data.safe, 9007199254740991);
  assert.equal(event.data.ratio, 0.5);
  assert.equal(event.data.nested[0].id, "123456789012345678901234567890");
  assert.equal(JSON.parse(JSON.stringify(event)).data.post_id, "9007199254740993");
});

test("parse: extra members and key order are kept", () => {
  const body = `{"event":"user.joined","timestamp":"${NOW}","data":{"z":1,"a":2},"version":2}`;
  const event = parse(body);
  assert.equal(event.timestamp, NOW);
  assert.equal(event.version, 2);
  assert.deepEqual(Object.keys(event.data), ["z", "a"]);
});

test("parse: invalid JSON gives line and column", () => {
  assert.throws(() => parse('{\n  "event": }'), (error) => {
    assert.equal(error.code, "invalid_json");
    assert.match(error.message, /line 2, column 12/);
    return true;
  });
  assert.throws(() => parse('{"event":"x","timestamp":1}'), (error) => {
    assert.equal(error.code, "invalid_envelope");
    assert.match(error.message, /`data`/);
    return true;
  });
});

test("commonjs: require shares the ESM instance", () => {
  const cjs = require("../../pkg/index.cjs");
  assert.equal(cjs.WebhookError, WebhookError);
  assert.equal(typeof cjs.Verifier, "function");
  assert.equal(cjs.sign(SECRET, "{}")["x-webhook-signature"], hmacHex(SECRET, "{}"));
});

test("parse: __proto__ keys stay own members", () => {
  const body = `{"event":"user.profile.updated","timestamp":${NOW},"__proto__":{"admin":true},`
    + `"data":{"user_id":"u","changes":{"__proto__":{"isAdmin":true}}}}`;
  const event = parse(body);
  assert.equal(Object.getPrototypeOf(event), Object.prototype);
  assert.equal(Object.getPrototypeOf(event.data.changes), Object.prototype);
  assert.equal(event.admin, undefined);
  assert.equal(event.data.changes.isAdmin, undefined);
  assert.deepEqual(Object.keys(event.data.changes), ["__proto__"]);
  assert.deepEqual(JSON.parse(JSON.stringify(event)), JSON.parse(body));
});

test("parse: lone surrogate escapes become U+FFFD", () => {
  const body = JSON.stringify({ event: "post.created", timestamp: NOW, data: { content: "cut \ud83d" } });
  assert.equal(parse(body).data.content, "cut \ufffd");
});

test("verify: oversized body rejected before wasm", () => {
  const verifier = new Verifier({ secrets: [SECRET], maxBodyBytes: 1024 });
  const body = new Uint8Array(64 * 1024 * 1024);
  assert.throws(() => verifier.verify(body, { "x-webhook-signature": "00" }, { now: NOW }), (error) => {
    assert.equal(error.code, "body_too_large");
    assert.match(error.message, /67108864 bytes, over the maximum of 1024 bytes/);
    return true;
  });
  assert.throws(() => parse(new Uint8Array(1024 * 1024 + 1)), { code: "body_too_large" });
});

test("headers: Map keys match in any case", () => {
  const body = envelope();
  const verifier = new Verifier({ secrets: [SECRET] });
  const headers = new Map([["X-Webhook-Signature", hmacHex(SECRET, body)]]);
  assert.equal(verifier.verify(body, headers, { now: NOW }).event, "user.joined");
});

test("headers: non-string values are a TypeError", () => {
  const verifier = new Verifier({ secrets: [SECRET] });
  const fetchLike = { get: () => 42, forEach() {} };
  for (const headers of [fetchLike, { "x-webhook-signature": 42 }, new Map([["x-webhook-signature", [1]]])]) {
    assert.throws(() => verifier.verify(envelope(), headers, { now: NOW }), TypeError);
  }
});

test("headers: only ASCII letters fold case", () => {
  const body = envelope();
  const verifier = new Verifier({ secrets: [SECRET] });
  const kelvin = { "x-webhoo\u212a-signature": hmacHex(SECRET, body) };
  assert.throws(() => verifier.verify(body, kelvin, { now: NOW }), { code: "missing_signature" });
});
