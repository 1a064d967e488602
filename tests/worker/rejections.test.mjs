// Every delivery that fails a check gets its exact status and code, and
// nothing reaches the origin.

import assert from "node:assert/strict";
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

const SMALL_MAX_BODY_BYTES = 4096;

/** Returns one of the catalogue examples by event name. */
function example(name) {
  return exampleEvents().find((candidate) => candidate.name === name).bytes;
}

/** Flips the lowest bit of the byte at `index`. */
function flipByte(bytes, index) {
  const copy = Buffer.from(bytes);
  copy[index] ^= 0x01;
  return copy;
}

/** Builds a valid, fresh envelope of exactly `length` bytes. */
function paddedEnvelope(length) {
  const head = `{"event":"post.created","timestamp":${nowSeconds()},"data":{"content":"`;
  const tail = '"}}';
  return Buffer.from(head + "x".repeat(length - head.length - tail.length) + tail);
}

/**
 * Each case builds `{ body, headers, method }` and expects one status and
 * code. Bodies are built at run time so timestamps are fresh.
 */
const CASES = [
  {
    name: "forged with the wrong secret",
    build: () => {
      const body = example("user.joined");
      return { body, headers: signedHeaders(SECRETS.wrong, body) };
    },
    status: 401,
    code: "signature_mismatch",
  },
  {
    name: "tampered by one byte",
    build: () => {
      const body = example("post.created");
      const headers = signedHeaders(SECRETS.primary, body);
      return { body: flipByte(body, body.indexOf("Who")), headers };
    },
    status: 401,
    code: "signature_mismatch",
  },
  {
    name: "timestamp header changed",
    build: () => {
      const body = example("post.liked");
      const headers = signedHeaders(SECRETS.primary, body);
      headers["x-webhook-timestamp"] = String(Number(headers["x-webhook-timestamp"]) - 1);
      return { body, headers };
    },
    status: 401,
    code: "signature_mismatch",
  },
  {
    name: "stale by an hour",
    build: () => {
      const body = example("comment.added");
      return { body, headers: signedHeaders(SECRETS.primary, body, nowSeconds() - 3600) };
    },
    status: 401,
    code: "timestamp_too_old",
  },
  {
    name: "stale envelope under body scheme",
    build: () => {
      // The example's own timestamp is fixed in the past, and the body
      // scheme checks freshness on it.
      const body = example("user.joined");
      return { body, headers: signedHeaders(SECRETS.primary, body, null) };
    },
    status: 401,
    code: "timestamp_too_old",
  },
  {
    name: "an hour in the future",
    build: () => {
      const body = example("post.reported");
      return { body, headers: signedHeaders(SECRETS.primary, body, nowSeconds() + 3600) };
    },
    status: 401,
    code: "timestamp_too_new",
  },
  {
    name: "unsigned",
    build: () => ({
      body: example("post.unliked"),
      headers: { "content-type": "application/json" },
    }),
    status: 401,
    code: "missing_signature",
  },
  {
    name: "signature not hex or base64",
    build: () => {
      const body = example("post.unliked");
      const headers = signedHeaders(SECRETS.primary, body);
      headers["x-webhook-signature"] = "not-a-signature";
      return { body, headers };
    },
    status: 401,
    code: "malformed_signature",
  },
  {
    name: "truncated signature",
    build: () => {
      const body = example("post.unliked");
      const headers = signedHeaders(SECRETS.primary, body);
      headers["x-webhook-signature"] = headers["x-webhook-signature"].slice(0, 63);
      return { body, headers };
    },
    status: 401,
    code: "malformed_signature",
  },
  {
    name: "malformed timestamp",
    build: () => {
      const body = example("user.joined.space");
      const headers = signedHeaders(SECRETS.primary, body);
      headers["x-webhook-timestamp"] = `${headers["x-webhook-timestamp"]}.5`;
      return { body, headers };
    },
    status: 401,
    code: "malformed_timestamp",
  },
  {
    name: "timestamp in milliseconds",
    build: () => {
      const body = example("user.joined.space");
      return { body, headers: signedHeaders(SECRETS.primary, body, Date.now()) };
    },
    status: 401,
    code: "malformed_timestamp",
  },
  {
    name: "signed non-JSON",
    build: () => {
      const body = Buffer.from("event=post.created&timestamp=1");
      return { body, headers: signedHeaders(SECRETS.primary, body) };
    },
    status: 400,
    code: "invalid_json",
  },
  {
    name: "signed JSON without data",
    build: () => {
      const body = Buffer.from(`{"event":"post.created","timestamp":${nowSeconds()}}`);
      return { body, headers: signedHeaders(SECRETS.primary, body) };
    },
    status: 400,
    code: "invalid_envelope",
  },
  {
    name: "oversized by Content-Length",
    build: () => {
      const body = paddedEnvelope(SMALL_MAX_BODY_BYTES + 1);
      return { body, headers: signedHeaders(SECRETS.primary, body) };
    },
    status: 413,
    code: "body_too_large",
    message: /Content-Length is 4097 bytes/,
  },
  {
    name: "oversized and chunked",
    build: () => {
      const bytes = paddedEnvelope(SMALL_MAX_BODY_BYTES + 1);
      const headers = signedHeaders(SECRETS.primary, bytes);
      // A stream has no Content-Length, so the worker must count the bytes.
      const body = new ReadableStream({
        start(controller) {
          controller.enqueue(new Uint8Array(bytes.subarray(0, 2048)));
          controller.enqueue(new Uint8Array(bytes.subarray(2048)));
          controller.close();
        },
      });
      return { body, headers };
    },
    status: 413,
    code: "body_too_large",
    message: /reading stopped at 4097 bytes/,
  },
  {
    name: "GET",
    build: () => ({ body: undefined, headers: {}, method: "GET" }),
    status: 405,
    code: "method_not_allowed",
  },
  {
    name: "signed PUT",
    build: () => {
      const body = freshEnvelope();
      return { body, headers: signedHeaders(SECRETS.primary, body), method: "PUT" };
    },
    status: 405,
    code: "method_not_allowed",
  },
];

describe("rejections", () => {
  let origin;
  let worker;

  before(async () => {
    origin = await startOrigin();
    worker = await startWorker({
      originUrl: origin.url,
      bindings: { MAX_BODY_BYTES: String(SMALL_MAX_BODY_BYTES) },
    });
  });

  after(async () => {
    await worker?.dispose();
    await origin?.close();
  });

  for (const { name, build, status, code, message } of CASES) {
    test(`${name}: ${status} ${code}`, async () => {
      const { body, headers, method } = build();
      const countBefore = origin.requests.length;

      const response = await worker.send(body, headers, { method });

      assert.equal(response.status, status, response.text);
      assert.equal(response.json?.error, code);
      assert.equal(typeof response.json?.message, "string");
      assert.ok(response.json.message.length > 0);
      if (message) assert.match(response.json.message, message);
      assert.deepEqual(Object.keys(response.json).sort(), ["error", "message"]);
      assert.match(response.headers.get("content-type"), /^application\/json/);
      assert.equal(origin.requests.length, countBefore, "nothing reached the origin");
    });
  }

  test("405 names POST in Allow", async () => {
    const response = await worker.send(undefined, {}, { method: "GET" });

    assert.equal(response.headers.get("allow"), "POST");
  });

  test("millisecond timestamp message says so", async () => {
    const body = example("user.joined.space");

    const response = await worker.send(body, signedHeaders(SECRETS.primary, body, Date.now()));

    assert.match(response.json.message, /milliseconds/);
  });

  test("stale message gives the age", async () => {
    const body = example("comment.added");

    const response = await worker.send(
      body,
      signedHeaders(SECRETS.primary, body, nowSeconds() - 3600),
    );

    assert.match(response.json.message, /3[56][0-9]{2} seconds in the past/);
  });

  test("body at the limit is accepted", async () => {
    const body = paddedEnvelope(SMALL_MAX_BODY_BYTES);
    const countBefore = origin.requests.length;

    const response = await worker.send(body, signedHeaders(SECRETS.primary, body));

    assert.equal(response.status, 200, response.text);
    assert.equal(origin.requests.length, countBefore + 1);
  });

  test("signature of another body fails", async () => {
    const body = example("post.liked");
    const timestamp = nowSeconds();
    const headers = {
      "content-type": "application/json",
      "x-webhook-timestamp": String(timestamp),
      "x-webhook-signature": hmacHex(SECRETS.primary, `${timestamp}.`, example("post.unliked")),
    };

    const response = await worker.send(body, headers);

    assert.equal(response.status, 401);
    assert.equal(response.json.error, "signature_mismatch");
  });
});

describe("default body limit", () => {
  let origin;
  let worker;

  before(async () => {
    origin = await startOrigin();
    worker = await startWorker({ originUrl: origin.url });
  });

  after(async () => {
    await worker?.dispose();
    await origin?.close();
  });

  test("1 MiB + 1 byte gets 413", async () => {
    const body = paddedEnvelope(1024 * 1024 + 1);

    const response = await worker.send(body, signedHeaders(SECRETS.primary, body));

    assert.equal(response.status, 413, response.text);
    assert.equal(response.json.error, "body_too_large");
    assert.equal(origin.requests.length, 0);
  });

  test("1 MiB exactly is forwarded", async () => {
    const body = paddedEnvelope(1024 * 1024);

    const response = await worker.send(body, signedHeaders(SECRETS.primary, body));

    assert.equal(response.status, 200, response.text);
    assert.equal(origin.requests.length, 1);
    assert.ok(origin.requests[0].body.equals(body));
  });
});
