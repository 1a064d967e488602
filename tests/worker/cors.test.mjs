// CORS_ALLOW_ORIGINS lets a page on a listed origin send deliveries and read
// the response. Verification, replay rejection and forwarding are the same
// as without it, and other origins get no CORS headers.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import {
  SECRETS,
  freshEnvelope,
  signedHeaders,
  startOrigin,
  startWorker,
} from "./harness.mjs";

const PAGE = "http://127.0.0.1:8788";
const SECOND_PAGE = "http://127.0.0.1:8790";
const OTHER_PAGE = "http://127.0.0.1:9999";
const PREFLIGHT_HEADERS = {
  "access-control-request-method": "POST",
  "access-control-request-headers": "content-type,x-webhook-signature,x-webhook-timestamp",
};
const CORS_HEADERS = [
  "access-control-allow-origin",
  "access-control-allow-methods",
  "access-control-allow-headers",
  "access-control-max-age",
  "vary",
];

/** Asserts that `headers` has none of the CORS response headers. */
function assertNoCorsHeaders(headers) {
  for (const name of CORS_HEADERS) {
    assert.equal(headers.get(name), null, `${name} is set`);
  }
}

describe("CORS for allowed origins", () => {
  let origin;
  let worker;

  before(async () => {
    origin = await startOrigin();
    // The space and the trailing slash are dropped: browsers send `PAGE`.
    worker = await startWorker({
      originUrl: origin.url,
      bindings: { CORS_ALLOW_ORIGINS: `${SECOND_PAGE}, ${PAGE}/` },
    });
  });

  after(async () => {
    await worker?.dispose();
    await origin?.close();
  });

  test("preflight from allowed origin gets 204", async () => {
    const countBefore = origin.requests.length;

    const response = await worker.send(undefined, { origin: PAGE, ...PREFLIGHT_HEADERS }, {
      method: "OPTIONS",
    });

    assert.equal(response.status, 204, response.text);
    assert.equal(response.text, "");
    assert.equal(response.headers.get("access-control-allow-origin"), PAGE);
    assert.equal(response.headers.get("access-control-allow-methods"), "POST");
    assert.equal(
      response.headers.get("access-control-allow-headers"),
      "content-type, x-webhook-signature, x-webhook-timestamp",
    );
    assert.equal(response.headers.get("access-control-max-age"), "600");
    assert.equal(response.headers.get("vary"), "Origin");
    assert.equal(origin.requests.length, countBefore, "the preflight was forwarded");
  });

  test("preflight is logged and claims nothing", async () => {
    const linesBefore = worker.logs.length;

    await worker.send(undefined, { origin: PAGE, ...PREFLIGHT_HEADERS }, { method: "OPTIONS" });
    await worker.waitForLogs(linesBefore + 1);

    const line = worker.logLines().at(-1);
    assert.equal(line.outcome, "preflight");
    assert.equal(line.status, 204);
    assert.equal(line.method, "OPTIONS");
    assert.equal(line.code, null);
    assert.equal(line.claim, null);
  });

  test("preflight from other origin gets 405", async () => {
    const response = await worker.send(undefined, { origin: OTHER_PAGE, ...PREFLIGHT_HEADERS }, {
      method: "OPTIONS",
    });

    assert.equal(response.status, 405, response.text);
    assert.equal(response.json.error, "method_not_allowed");
    assert.equal(response.headers.get("allow"), "POST");
    assertNoCorsHeaders(response.headers);
  });

  test("preflight without origin gets 405", async () => {
    const response = await worker.send(undefined, PREFLIGHT_HEADERS, { method: "OPTIONS" });

    assert.equal(response.status, 405, response.text);
    assertNoCorsHeaders(response.headers);
  });

  test("signed POST from allowed origin is forwarded", async () => {
    const body = freshEnvelope();
    const headers = signedHeaders(SECRETS.primary, body);
    const countBefore = origin.requests.length;

    const response = await worker.send(body, { origin: PAGE, ...headers });

    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.json, { received: true });
    assert.equal(response.headers.get("access-control-allow-origin"), PAGE);
    assert.equal(response.headers.get("vary"), "Origin");
    assert.equal(response.headers.get("access-control-allow-methods"), null);
    assert.equal(origin.requests.length, countBefore + 1);
    const forwarded = origin.requests.at(-1);
    assert.ok(forwarded.body.equals(body), "the body arrived changed");
    assert.equal(forwarded.headers["x-webhook-signature"], headers["x-webhook-signature"]);
    assert.equal(forwarded.headers.origin, undefined, "the Origin header was forwarded");
  });

  test("replayed POST from allowed origin gets 409 with ACAO", async () => {
    const body = freshEnvelope();
    const headers = { origin: PAGE, ...signedHeaders(SECRETS.primary, body) };
    const first = await worker.send(body, headers);
    const countBefore = origin.requests.length;

    const replay = await worker.send(body, headers);

    assert.equal(first.status, 200, first.text);
    assert.equal(replay.status, 409, replay.text);
    assert.equal(replay.json.error, "replayed");
    assert.equal(replay.headers.get("access-control-allow-origin"), PAGE);
    assert.equal(origin.requests.length, countBefore);
  });

  test("forged POST from allowed origin gets 401 with ACAO", async () => {
    const body = freshEnvelope();
    const countBefore = origin.requests.length;

    const response = await worker.send(body, {
      origin: PAGE,
      ...signedHeaders(SECRETS.wrong, body),
    });

    assert.equal(response.status, 401, response.text);
    assert.equal(response.json.error, "signature_mismatch");
    assert.equal(response.headers.get("access-control-allow-origin"), PAGE);
    assert.equal(response.headers.get("vary"), "Origin");
    assert.equal(origin.requests.length, countBefore, "the forged POST was forwarded");
  });

  test("GET from allowed origin gets 405 with ACAO", async () => {
    const response = await worker.send(undefined, { origin: PAGE }, { method: "GET" });

    assert.equal(response.status, 405, response.text);
    assert.equal(response.headers.get("access-control-allow-origin"), PAGE);
  });

  test("signed POST from other origin has no CORS headers", async () => {
    const body = freshEnvelope();
    const countBefore = origin.requests.length;

    const response = await worker.send(body, {
      origin: OTHER_PAGE,
      ...signedHeaders(SECRETS.primary, body),
    });

    assert.equal(response.status, 200, response.text);
    assertNoCorsHeaders(response.headers);
    assert.equal(origin.requests.length, countBefore + 1);
  });

  test("second listed origin is allowed", async () => {
    const response = await worker.send(undefined, { origin: SECOND_PAGE }, { method: "OPTIONS" });

    assert.equal(response.status, 204, response.text);
    assert.equal(response.headers.get("access-control-allow-origin"), SECOND_PAGE);
  });

  test("other scheme, host or port not allowed", async () => {
    const others = ["http://127.0.0.1:8789", "https://127.0.0.1:8788", "http://localhost:8788"];
    for (const other of others) {
      const response = await worker.send(undefined, { origin: other }, { method: "OPTIONS" });

      assert.equal(response.status, 405, `${other}: ${response.text}`);
      assertNoCorsHeaders(response.headers);
    }
  });
});

describe("CORS_ALLOW_ORIGINS unset", () => {
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

  test("preflight gets 405 as before", async () => {
    const response = await worker.send(undefined, { origin: PAGE, ...PREFLIGHT_HEADERS }, {
      method: "OPTIONS",
    });

    assert.equal(response.status, 405, response.text);
    assert.equal(response.json.error, "method_not_allowed");
    assertNoCorsHeaders(response.headers);
  });

  test("signed POST with origin has no CORS headers", async () => {
    const body = freshEnvelope();

    const response = await worker.send(body, {
      origin: PAGE,
      ...signedHeaders(SECRETS.primary, body),
    });

    assert.equal(response.status, 200, response.text);
    assertNoCorsHeaders(response.headers);
  });
});

describe("CORS_ALLOW_ORIGINS empty", () => {
  test("preflight gets 405", async () => {
    const origin = await startOrigin();
    const worker = await startWorker({
      originUrl: origin.url,
      bindings: { CORS_ALLOW_ORIGINS: "" },
    });
    try {
      const response = await worker.send(undefined, { origin: PAGE }, { method: "OPTIONS" });

      assert.equal(response.status, 405, response.text);
      assertNoCorsHeaders(response.headers);
    } finally {
      await worker.dispose();
      await origin.close();
    }
  });
});

describe("CORS_ALLOW_ORIGINS invalid", () => {
  let origin;

  before(async () => {
    origin = await startOrigin();
  });

  after(async () => {
    await origin?.close();
  });

  const CASES = [
    { value: "*", message: /wildcard \* is not allowed/ },
    { value: "not a url", message: /not an absolute URL/ },
    { value: "http://x/path", message: /no path, query or fragment/ },
    { value: "http://x/?", message: /no path, query or fragment/ },
    { value: "http://x#", message: /no path, query or fragment/ },
    { value: "ftp://x", message: /http or https/ },
    { value: "http://user@x", message: /no user name or password/ },
    { value: `${PAGE},`, message: /the entry is empty/ },
    { value: `${PAGE}, *`, message: /position 2 of 2/ },
  ];

  for (const { value, message } of CASES) {
    test(`${JSON.stringify(value)} gives 500`, async () => {
      const worker = await startWorker({
        originUrl: origin.url,
        bindings: { CORS_ALLOW_ORIGINS: value },
      });
      try {
        const body = freshEnvelope();
        const countBefore = origin.requests.length;

        const response = await worker.send(body, {
          origin: PAGE,
          ...signedHeaders(SECRETS.primary, body),
        });
        const preflight = await worker.send(undefined, { origin: PAGE }, { method: "OPTIONS" });

        assert.equal(response.status, 500, response.text);
        assert.equal(response.json.error, "worker_misconfigured");
        assert.match(response.json.message, /CORS_ALLOW_ORIGINS/);
        assert.match(response.json.message, message);
        assertNoCorsHeaders(response.headers);
        assert.equal(origin.requests.length, countBefore, "the POST was forwarded");
        assert.equal(preflight.status, 500, preflight.text);
        assert.equal(preflight.json.error, "worker_misconfigured");
      } finally {
        await worker.dispose();
      }
    });
  }
});
