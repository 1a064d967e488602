// The worker writes one JSON log line per request, with the outcome, code,
// event type, status and latency, and never a secret, a signature or the
// body.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import {
  SECRETS,
  closedPort,
  freshEnvelope,
  nowSeconds,
  signedHeaders,
  startOrigin,
  startWorker,
} from "./harness.mjs";

const BODY_MARKER = "body-marker-7f3c9e1d";

describe("log lines", () => {
  let origin;
  let worker;
  let downWorker;
  const sentSignatures = [];
  const expected = [];

  before(async () => {
    origin = await startOrigin();
    worker = await startWorker({
      originUrl: origin.url,
      bindings: { WEBHOOK_SECRETS: `${SECRETS.primary},${SECRETS.rotated}` },
    });
    downWorker = await startWorker({
      originUrl: `http://127.0.0.1:${await closedPort()}/webhooks`,
    });

    const send = async (target, body, headers, outcome, options) => {
      sentSignatures.push(headers["x-webhook-signature"]);
      const response = await target.send(body, headers, options);
      expected.push({ target, outcome, status: response.status, code: response.json?.error });
    };

    const body = freshEnvelope("comment.added", { content: BODY_MARKER });
    const headers = signedHeaders(SECRETS.primary, body);
    await send(worker, body, headers, "forwarded");
    await send(worker, body, headers, "rejected");
    await send(worker, body, signedHeaders(SECRETS.wrong, body), "rejected");
    await send(worker, body, signedHeaders(SECRETS.primary, body, nowSeconds() - 3600), "rejected");
    await send(worker, Buffer.from(`not json ${BODY_MARKER}`), {}, "rejected");
    await send(worker, undefined, {}, "rejected", { method: "GET" });
    const downBody = freshEnvelope("post.created", { content: BODY_MARKER });
    await send(downWorker, downBody, signedHeaders(SECRETS.primary, downBody), "origin_unavailable");

    await worker.waitForLogs(expected.filter((entry) => entry.target === worker).length);
    await downWorker.waitForLogs(1);
    // A line beyond the expected count would arrive now, if at all.
    await new Promise((resolve) => setTimeout(resolve, 200));
  });

  after(async () => {
    await worker?.dispose();
    await downWorker?.dispose();
    await origin?.close();
  });

  test("one line per request", () => {
    const mainCount = expected.filter((entry) => entry.target === worker).length;
    const downCount = expected.length - mainCount;

    assert.equal(worker.logs.length, mainCount);
    assert.equal(downWorker.logs.length, downCount);
  });

  test("lines match the responses", () => {
    const lines = [...worker.logLines(), ...downWorker.logLines()];

    assert.equal(lines.length, expected.length);
    lines.forEach((line, index) => {
      const { outcome, status, code } = expected[index];
      assert.equal(line.outcome, outcome, `line ${index}`);
      assert.equal(line.status, status, `line ${index}`);
      assert.equal(line.code, code ?? null, `line ${index}`);
      assert.equal(typeof line.latency_ms, "number", `line ${index}`);
      assert.ok(line.latency_ms >= 0, `line ${index}`);
    });
  });

  test("verified lines name the event", () => {
    const [forwarded, replayed, forged] = worker.logLines();

    assert.equal(forwarded.event, "comment.added");
    assert.equal(forwarded.origin_status, 200);
    assert.equal(forwarded.claim, "confirmed");
    assert.equal(replayed.event, "comment.added");
    assert.equal(replayed.code, "replayed");
    assert.equal(replayed.delivery, forwarded.delivery);
    assert.equal(forged.event, null, "an unverified body is not read");
  });

  test("origin failure logs its cause", () => {
    const [line] = downWorker.logLines();

    assert.equal(line.code, "origin_unavailable");
    assert.equal(line.claim, "released");
    assert.equal(typeof line.detail, "string");
    assert.ok(line.detail.length > 0);
  });

  test("no secret, signature or body", () => {
    const text = [...worker.logs, ...downWorker.logs].map((entry) => entry.message).join("\n");

    for (const [name, secret] of Object.entries(SECRETS)) {
      assert.ok(!text.includes(secret), `secret ${name} is not logged`);
    }
    for (const signature of sentSignatures.filter(Boolean)) {
      assert.ok(!text.includes(signature), "signature is not logged");
    }
    assert.ok(!text.includes(BODY_MARKER), "body is not logged");
  });
});
