// Verified deliveries reach the origin byte for byte, with the sender's
// headers and a hop signature that checks out with FORWARD_SECRET.

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, test } from "node:test";

import {
  SECRETS,
  exampleEvents,
  freshEnvelope,
  hmacHex,
  nowSeconds,
  signedHeaders,
  startOrigin,
  startWorker,
} from "./harness.mjs";

const PACKAGE_URL = new URL("../../pkg/index.mjs", import.meta.url);

const CATALOGUE = [
  "comment.added",
  "post.created",
  "post.liked",
  "post.reported",
  "post.unliked",
  "user.joined",
  "user.joined.space",
  "user.profile.updated",
];

/** Asserts that the origin's record carries a valid hop signature. */
function assertHopVerifies(record, { notBefore, notAfter }) {
  const timestamp = record.headers["x-edge-timestamp"];
  assert.match(timestamp, /^[0-9]+$/, "x-edge-timestamp is decimal seconds");
  assert.ok(Number(timestamp) >= notBefore, `x-edge-timestamp ${timestamp} >= ${notBefore}`);
  assert.ok(Number(timestamp) <= notAfter, `x-edge-timestamp ${timestamp} <= ${notAfter}`);
  const expected = hmacHex(SECRETS.forward, `${timestamp}.`, record.body);
  assert.equal(record.headers["x-edge-signature"], expected);
}

describe("forwarding", () => {
  let origin;
  let worker;

  before(async () => {
    origin = await startOrigin();
    worker = await startWorker({
      originUrl: origin.url,
      bindings: { WEBHOOK_SECRETS: `${SECRETS.primary},${SECRETS.rotated}` },
    });
  });

  after(async () => {
    await worker?.dispose();
    await origin?.close();
  });

  test("examples cover the catalogue", () => {
    assert.deepEqual(
      exampleEvents().map((example) => example.name),
      CATALOGUE,
    );
  });

  for (const name of CATALOGUE) {
    test(`${name} arrives unchanged`, async () => {
      const example = exampleEvents().find((candidate) => candidate.name === name);
      const headers = signedHeaders(SECRETS.primary, example.bytes);
      const countBefore = origin.requests.length;
      const sentAt = nowSeconds();

      const response = await worker.send(example.bytes, headers);

      assert.equal(response.status, 200, response.text);
      assert.deepEqual(response.json, { received: true });
      assert.equal(origin.requests.length, countBefore + 1);
      const record = origin.requests.at(-1);
      assert.equal(record.method, "POST");
      assert.equal(record.url, "/webhooks/networked");
      assert.ok(record.body.equals(example.bytes), "body is byte for byte the same");
      assert.equal(record.headers["content-type"], "application/json");
      assert.equal(record.headers["x-webhook-signature"], headers["x-webhook-signature"]);
      assert.equal(record.headers["x-webhook-timestamp"], headers["x-webhook-timestamp"]);
      assertHopVerifies(record, { notBefore: sentAt, notAfter: nowSeconds() });
    });
  }

  test("id above 2^53 keeps its digits", async () => {
    const example = exampleEvents().find((candidate) => candidate.name === "post.created");
    assert.ok(example.bytes.includes("9007199254740993"), "the example has the big id");

    await worker.send(example.bytes, signedHeaders(SECRETS.primary, example.bytes, nowSeconds() + 1));

    assert.ok(origin.requests.at(-1).body.includes("9007199254740993"));
  });

  test("odd bytes are forwarded unchanged", async () => {
    // CRLF whitespace, a tab, escaped and raw non-ASCII text: any
    // re-serialisation on the way would change these bytes.
    const body = Buffer.from(
      `{\r\n\t"event" : "comment.added",\r\n "timestamp": ${nowSeconds()},` +
        ` "data": {"content": "ol\\u00e1 \u00e9\u{1f600}", "n": 1.50}}\r\n`,
    );
    const response = await worker.send(body, signedHeaders(SECRETS.primary, body));

    assert.equal(response.status, 200, response.text);
    assert.ok(origin.requests.at(-1).body.equals(body));
  });

  test("second secret in WEBHOOK_SECRETS works", async () => {
    const body = freshEnvelope();
    const countBefore = origin.requests.length;

    const response = await worker.send(body, signedHeaders(SECRETS.rotated, body));

    assert.equal(response.status, 200, response.text);
    assert.equal(origin.requests.length, countBefore + 1);
    assert.ok(origin.requests.at(-1).body.equals(body));
  });

  test("body scheme without timestamp header", async () => {
    const body = freshEnvelope("user.joined", { name: "Body Scheme" });
    const headers = signedHeaders(SECRETS.primary, body, null);
    const sentAt = nowSeconds();

    const response = await worker.send(body, headers);

    assert.equal(response.status, 200, response.text);
    const record = origin.requests.at(-1);
    assert.ok(record.body.equals(body));
    assert.equal(record.headers["x-webhook-timestamp"], undefined);
    assertHopVerifies(record, { notBefore: sentAt, notAfter: nowSeconds() });
  });

  test("content-type is passed through", async () => {
    const body = freshEnvelope();
    const headers = {
      ...signedHeaders(SECRETS.primary, body),
      "content-type": "application/json; charset=utf-8",
    };

    await worker.send(body, headers);

    assert.equal(origin.requests.at(-1).headers["content-type"], "application/json; charset=utf-8");
  });

  test(
    "hop verifies with the npm package",
    { skip: !existsSync(PACKAGE_URL) && "pkg/ is not built; run scripts/build-pkg.sh" },
    async () => {
      // The check an origin holding only FORWARD_SECRET makes.
      const { Verifier } = await import(PACKAGE_URL);
      const hop = new Verifier({
        secrets: [SECRETS.forward],
        scheme: "timestamp.body",
        signatureHeader: "x-edge-signature",
        timestampHeader: "x-edge-timestamp",
      });
      const wrongKey = new Verifier({
        secrets: [SECRETS.primary],
        scheme: "timestamp.body",
        signatureHeader: "x-edge-signature",
        timestampHeader: "x-edge-timestamp",
      });
      const example = exampleEvents().find((candidate) => candidate.name === "post.created");

      const response = await worker.send(
        example.bytes,
        signedHeaders(SECRETS.primary, example.bytes, nowSeconds() - 2),
      );
      const record = origin.requests.at(-1);
      const event = hop.verify(record.body, record.headers);

      assert.equal(response.status, 200, response.text);
      assert.equal(event.event, "post.created");
      assert.equal(event.data.post_id, "9007199254740993");
      assert.throws(
        () => wrongKey.verify(record.body, record.headers),
        (error) => error.code === "signature_mismatch",
      );
    },
  );

  test("sender's hop headers are replaced", async () => {
    const body = freshEnvelope();
    const headers = {
      ...signedHeaders(SECRETS.primary, body),
      "x-edge-signature": "f".repeat(64),
      "x-edge-timestamp": "1",
      "x-other-header": "not forwarded",
    };
    const sentAt = nowSeconds();

    await worker.send(body, headers);

    const record = origin.requests.at(-1);
    assertHopVerifies(record, { notBefore: sentAt, notAfter: nowSeconds() });
    assert.equal(record.headers["x-other-header"], undefined);
  });
});

describe("origin response", () => {
  let origin;
  let worker;
  let nextReply;

  before(async () => {
    origin = await startOrigin({ respond: () => nextReply });
    worker = await startWorker({ originUrl: origin.url });
  });

  after(async () => {
    await worker?.dispose();
    await origin?.close();
  });

  test("2xx status and body are passed on", async () => {
    nextReply = { status: 202, body: "queued", headers: { "content-type": "text/plain" } };
    const body = freshEnvelope();

    const response = await worker.send(body, signedHeaders(SECRETS.primary, body));

    assert.equal(response.status, 202);
    assert.equal(response.text, "queued");
    assert.equal(response.headers.get("content-type"), "text/plain");
  });

  test("4xx status and body are passed on", async () => {
    nextReply = { status: 422, body: '{"error":"unknown_user"}' };
    const body = freshEnvelope();

    const response = await worker.send(body, signedHeaders(SECRETS.primary, body));

    assert.equal(response.status, 422);
    assert.deepEqual(response.json, { error: "unknown_user" });
  });
});
