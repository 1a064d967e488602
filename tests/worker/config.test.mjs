// A missing or invalid setting gives 500 worker_misconfigured, naming the
// setting and never a secret; valid settings change what the worker accepts.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import {
  SECRETS,
  freshEnvelope,
  signedHeaders,
  startOrigin,
  startWorker,
} from "./harness.mjs";

describe("misconfiguration", () => {
  let origin;

  before(async () => {
    origin = await startOrigin();
  });

  after(async () => {
    await origin?.close();
  });

  const complete = () => ({
    WEBHOOK_SECRETS: SECRETS.primary,
    FORWARD_SECRET: SECRETS.forward,
    ORIGIN_URL: origin.url,
  });

  const CASES = [
    { name: "WEBHOOK_SECRETS missing", change: { WEBHOOK_SECRETS: undefined } },
    { name: "FORWARD_SECRET missing", change: { FORWARD_SECRET: undefined } },
    { name: "FORWARD_SECRET empty", change: { FORWARD_SECRET: "" } },
    { name: "ORIGIN_URL missing", change: { ORIGIN_URL: undefined } },
    { name: "ORIGIN_URL relative", change: { ORIGIN_URL: "/webhooks" }, setting: "ORIGIN_URL" },
    {
      name: "ORIGIN_URL not http",
      change: { ORIGIN_URL: "ftp://127.0.0.1/webhooks" },
      setting: "ORIGIN_URL",
      message: /the scheme "ftp"/,
    },
    {
      name: "empty secret between commas",
      change: { WEBHOOK_SECRETS: `${SECRETS.primary},,${SECRETS.rotated}` },
      setting: "WEBHOOK_SECRETS",
      message: /position 2 of 3/,
    },
    {
      name: "trailing comma",
      change: { WEBHOOK_SECRETS: `${SECRETS.primary},` },
      setting: "WEBHOOK_SECRETS",
      message: /position 2 of 2/,
    },
    { name: "TOLERANCE_SECONDS not a number", change: { TOLERANCE_SECONDS: "5m" } },
    {
      name: "TOLERANCE_SECONDS over a day",
      change: { TOLERANCE_SECONDS: "86401" },
      message: /from 0 to 86400/,
    },
    {
      // Past the end of the Date range once used as the claim's alarm time.
      name: "TOLERANCE_SECONDS huge",
      change: { TOLERANCE_SECONDS: "8700000000000" },
      message: /from 0 to 86400/,
    },
    { name: "MAX_BODY_BYTES zero", change: { MAX_BODY_BYTES: "0" } },
    { name: "ORIGIN_TIMEOUT_SECONDS negative", change: { ORIGIN_TIMEOUT_SECONDS: "-1" } },
    {
      name: "ORIGIN_TIMEOUT_SECONDS zero",
      change: { ORIGIN_TIMEOUT_SECONDS: "0" },
      message: /from 1 to 300/,
    },
    {
      name: "ORIGIN_TIMEOUT_SECONDS over 300",
      change: { ORIGIN_TIMEOUT_SECONDS: "301" },
      message: /from 1 to 300/,
    },
    {
      // 2147484000 ms is past i32::MAX, where a Delay would fire at once.
      name: "ORIGIN_TIMEOUT_SECONDS wrapping",
      change: { ORIGIN_TIMEOUT_SECONDS: 2147484 },
      message: /from 1 to 300/,
    },
    { name: "SIGNATURE_SCHEME unknown", change: { SIGNATURE_SCHEME: "hmac" } },
  ];

  for (const { name, change, setting, message } of CASES) {
    test(`${name} gives 500`, async () => {
      const bindings = { ...complete(), ...change };
      for (const [key, value] of Object.entries(bindings)) {
        if (value === undefined) delete bindings[key];
      }
      const expectedSetting = setting ?? Object.keys(change)[0];
      const worker = await startWorker({ bindings, replaceBindings: true });
      try {
        const body = freshEnvelope();
        const countBefore = origin.requests.length;

        const response = await worker.send(body, signedHeaders(SECRETS.primary, body));

        assert.equal(response.status, 500, response.text);
        assert.equal(response.json.error, "worker_misconfigured");
        assert.ok(
          response.json.message.includes(expectedSetting),
          `message names ${expectedSetting}: ${response.json.message}`,
        );
        if (message) assert.match(response.json.message, message);
        for (const secret of Object.values(SECRETS)) {
          assert.ok(!response.text.includes(secret), "no secret in the response");
        }
        assert.equal(origin.requests.length, countBefore);
      } finally {
        await worker.dispose();
      }
    });
  }
});

describe("settings", () => {
  let origin;

  before(async () => {
    origin = await startOrigin();
  });

  after(async () => {
    await origin?.close();
  });

  test("timestamp.body scheme needs the header", async () => {
    const worker = await startWorker({
      originUrl: origin.url,
      bindings: { SIGNATURE_SCHEME: "timestamp.body" },
    });
    try {
      const body = freshEnvelope();

      const bodyOnly = await worker.send(body, signedHeaders(SECRETS.primary, body, null));
      const withTimestamp = await worker.send(body, signedHeaders(SECRETS.primary, body));

      assert.equal(bodyOnly.status, 401, bodyOnly.text);
      assert.equal(bodyOnly.json.error, "missing_timestamp");
      assert.equal(withTimestamp.status, 200, withTimestamp.text);
    } finally {
      await worker.dispose();
    }
  });

  test("TOLERANCE_SECONDS widens the window", async () => {
    const worker = await startWorker({
      originUrl: origin.url,
      bindings: { TOLERANCE_SECONDS: "7200" },
    });
    try {
      const body = freshEnvelope();
      const hourAgo = Math.floor(Date.now() / 1000) - 3600;

      const response = await worker.send(body, signedHeaders(SECRETS.primary, body, hourAgo));

      assert.equal(response.status, 200, response.text);
    } finally {
      await worker.dispose();
    }
  });

  test("TOLERANCE_SECONDS narrows the window", async () => {
    const worker = await startWorker({
      originUrl: origin.url,
      bindings: { TOLERANCE_SECONDS: "10" },
    });
    try {
      const body = freshEnvelope();
      const minuteAgo = Math.floor(Date.now() / 1000) - 60;

      const response = await worker.send(body, signedHeaders(SECRETS.primary, body, minuteAgo));

      assert.equal(response.status, 401, response.text);
      assert.equal(response.json.error, "timestamp_too_old");
    } finally {
      await worker.dispose();
    }
  });

  test("maximum tolerance and timeout accepted", async () => {
    const worker = await startWorker({
      originUrl: origin.url,
      bindings: { TOLERANCE_SECONDS: "86400", ORIGIN_TIMEOUT_SECONDS: "300" },
    });
    try {
      const body = freshEnvelope();
      const almostADayAgo = Math.floor(Date.now() / 1000) - 86000;

      const response = await worker.send(
        body,
        signedHeaders(SECRETS.primary, body, almostADayAgo),
      );

      assert.equal(response.status, 200, response.text);
    } finally {
      await worker.dispose();
    }
  });

  test("secret with spaces is used as is", async () => {
    // Nothing around the commas is trimmed: " spaced" is its own secret.
    const worker = await startWorker({
      originUrl: origin.url,
      bindings: { WEBHOOK_SECRETS: `${SECRETS.primary}, spaced` },
    });
    try {
      const first = freshEnvelope();
      const second = freshEnvelope();

      const spaced = await worker.send(first, signedHeaders(" spaced", first));
      const trimmed = await worker.send(second, signedHeaders("spaced", second));

      assert.equal(spaced.status, 200, spaced.text);
      assert.equal(trimmed.status, 401, trimmed.text);
      assert.equal(trimmed.json.error, "signature_mismatch");
    } finally {
      await worker.dispose();
    }
  });
});
