// A second delivery of the same signed content is rejected, a copy that
// arrives while the first is being forwarded is asked to retry, and a
// delivery the origin did not take is released so the sender's retry goes
// through.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import {
  SECRETS,
  closedPort,
  deferred,
  freshEnvelope,
  signedHeaders,
  startOrigin,
  startWorker,
} from "./harness.mjs";

describe("replay", () => {
  let origin;
  let worker;
  let heldReply;

  before(async () => {
    origin = await startOrigin({ respond: () => heldReply });
    worker = await startWorker({ originUrl: origin.url });
  });

  after(async () => {
    await worker?.dispose();
    await origin?.close();
  });

  test("same delivery twice gets 409", async () => {
    const body = freshEnvelope();
    const headers = signedHeaders(SECRETS.primary, body);
    const countBefore = origin.requests.length;

    const first = await worker.send(body, headers);
    const second = await worker.send(body, headers);

    assert.equal(first.status, 200, first.text);
    assert.equal(second.status, 409, second.text);
    assert.equal(second.json.error, "replayed");
    assert.equal(origin.requests.length, countBefore + 1, "forwarded once");
  });

  test("replay under another encoding gets 409", async () => {
    // The replay key is the MAC of the signed content, so a base64 or
    // upper-case copy of the same signature is the same delivery.
    const body = freshEnvelope();
    const headers = signedHeaders(SECRETS.primary, body);
    const base64 = Buffer.from(headers["x-webhook-signature"], "hex").toString("base64");

    const first = await worker.send(body, headers);
    const second = await worker.send(body, { ...headers, "x-webhook-signature": base64 });
    const third = await worker.send(body, {
      ...headers,
      "x-webhook-signature": `sha256=${headers["x-webhook-signature"].toUpperCase()}`,
    });

    assert.equal(first.status, 200, first.text);
    assert.equal(second.status, 409, second.text);
    assert.equal(third.status, 409, third.text);
  });

  test("same body, new timestamp is new", async () => {
    const body = freshEnvelope();
    const timestamp = Math.floor(Date.now() / 1000);

    const first = await worker.send(body, signedHeaders(SECRETS.primary, body, timestamp));
    const second = await worker.send(body, signedHeaders(SECRETS.primary, body, timestamp - 1));

    assert.equal(first.status, 200, first.text);
    assert.equal(second.status, 200, second.text);
  });

  test("concurrent copies forward once", async () => {
    // The origin holds the forwarded copy until the others have their
    // responses, so each of them meets a live lease.
    const body = freshEnvelope();
    const headers = signedHeaders(SECRETS.primary, body);
    const countBefore = origin.requests.length;
    const hold = deferred();
    heldReply = hold.promise;
    let settledCount = 0;

    const pending = Array.from({ length: 5 }, () =>
      worker.send(body, headers).finally(() => {
        settledCount += 1;
      }),
    );
    await origin.waitForRequests(countBefore + 1);
    const deadline = Date.now() + 5000;
    while (settledCount < 4 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    heldReply = undefined;
    hold.resolve();
    const responses = await Promise.all(pending);

    const forwarded = responses.filter((response) => response.status === 200);
    const waiting = responses.filter((response) => response.status !== 200);
    assert.equal(forwarded.length, 1, "one copy forwarded");
    assert.equal(waiting.length, 4);
    for (const response of waiting) {
      assert.equal(response.status, 503, response.text);
      assert.equal(response.json.error, "delivery_in_progress");
      const retryAfter = Number(response.headers.get("retry-after"));
      assert.ok(retryAfter >= 1, `Retry-After ${retryAfter}`);
      assert.ok(retryAfter <= 15, `Retry-After ${retryAfter} is within the lease`);
    }
    assert.equal(origin.requests.length, countBefore + 1);

    const later = await worker.send(body, headers);

    assert.equal(later.status, 409, later.text);
    assert.equal(later.json.error, "replayed");
    assert.equal(origin.requests.length, countBefore + 1);
  });

  test("unheld concurrent copies forward once", async () => {
    // Without a held origin the first copy may finish before the others
    // claim, so each of them gets 503 delivery_in_progress or 409.
    const body = freshEnvelope();
    const headers = signedHeaders(SECRETS.primary, body);
    const countBefore = origin.requests.length;

    const responses = await Promise.all(
      Array.from({ length: 5 }, () => worker.send(body, headers)),
    );

    const codes = responses.map((response) => response.json?.error ?? response.status);
    assert.equal(codes.filter((code) => code === 200).length, 1, codes.join(", "));
    for (const code of codes.filter((code) => code !== 200)) {
      assert.ok(["replayed", "delivery_in_progress"].includes(code), codes.join(", "));
    }
    assert.equal(origin.requests.length, countBefore + 1);
  });

  test("rejected delivery claims nothing", async () => {
    const body = freshEnvelope();
    const headers = signedHeaders(SECRETS.primary, body);

    const forged = await worker.send(body, signedHeaders(SECRETS.wrong, body));
    const genuine = await worker.send(body, headers);

    assert.equal(forged.status, 401);
    assert.equal(genuine.status, 200, genuine.text);
  });
});

describe("origin down", () => {
  let port;
  let origin;
  let worker;

  before(async () => {
    port = await closedPort();
    worker = await startWorker({
      originUrl: `http://127.0.0.1:${port}/webhooks/networked`,
    });
  });

  after(async () => {
    await worker?.dispose();
    await origin?.close();
  });

  test("503 then the retry is accepted", async () => {
    const body = freshEnvelope("post.created");
    const headers = signedHeaders(SECRETS.primary, body);

    const refused = await worker.send(body, headers);

    assert.equal(refused.status, 503, refused.text);
    assert.equal(refused.json.error, "origin_unavailable");
    assert.match(refused.headers.get("retry-after"), /^[0-9]+$/);

    origin = await startOrigin({ port });
    const retried = await worker.send(body, headers);

    assert.equal(retried.status, 200, retried.text);
    assert.equal(origin.requests.length, 1);
    assert.ok(origin.requests[0].body.equals(body));

    const replayed = await worker.send(body, headers);
    assert.equal(replayed.status, 409, replayed.text);
    assert.equal(origin.requests.length, 1);
  });
});

describe("origin failing", () => {
  let origin;
  let worker;
  let nextReply;

  before(async () => {
    origin = await startOrigin({ respond: () => nextReply });
    worker = await startWorker({
      originUrl: origin.url,
      bindings: { ORIGIN_TIMEOUT_SECONDS: "1" },
    });
  });

  after(async () => {
    await worker?.dispose();
    await origin?.close();
  });

  const FAILURES = [
    { name: "500", reply: { status: 500, body: "boom" }, message: /status 500/ },
    { name: "502", reply: { status: 502, body: "bad gateway" }, message: /status 502/ },
    {
      name: "redirect",
      reply: { status: 307, body: "", headers: { location: "http://127.0.0.1:1/" } },
      message: /redirect status 307/,
    },
    { name: "timeout", reply: "hang", message: /timed out with no response within 1 second\b/ },
  ];

  for (const { name, reply, message } of FAILURES) {
    test(`origin ${name} gives 503, then retry works`, async () => {
      const body = freshEnvelope();
      const headers = signedHeaders(SECRETS.primary, body);
      const countBefore = origin.requests.length;

      nextReply = reply;
      const failed = await worker.send(body, headers);

      assert.equal(failed.status, 503, failed.text);
      assert.equal(failed.json.error, "origin_unavailable");
      assert.match(failed.json.message, message);
      assert.match(failed.headers.get("retry-after"), /^[0-9]+$/);
      assert.equal(origin.requests.length, countBefore + 1, "the origin saw one attempt");

      nextReply = undefined;
      const retried = await worker.send(body, headers);

      assert.equal(retried.status, 200, retried.text);
      assert.equal(origin.requests.length, countBefore + 2);
    });
  }

  test("origin 4xx releases the claim", async () => {
    const body = freshEnvelope();
    const headers = signedHeaders(SECRETS.primary, body);

    nextReply = { status: 400, body: '{"error":"bad"}' };
    const rejected = await worker.send(body, headers);
    nextReply = undefined;
    const retried = await worker.send(body, headers);

    assert.equal(rejected.status, 400, rejected.text);
    assert.equal(retried.status, 200, retried.text);
  });
});

describe("abandoned claim", () => {
  let origin;
  let worker;
  let nextReply;

  before(async () => {
    origin = await startOrigin({ respond: () => nextReply });
    // With every release lost, a failed forward leaves its claim in flight,
    // as a worker cancelled mid-forward does. Lease: 1 + 5 seconds.
    worker = await startWorker({
      originUrl: origin.url,
      bindings: { ORIGIN_TIMEOUT_SECONDS: "1" },
      replayGuardFault: "release_lost",
    });
  });

  after(async () => {
    await worker?.dispose();
    await origin?.close();
  });

  test("copy after the lease takes over", async () => {
    const body = freshEnvelope();
    const headers = signedHeaders(SECRETS.primary, body);

    nextReply = { status: 500, body: "boom" };
    const failed = await worker.send(body, headers);
    nextReply = undefined;
    const early = await worker.send(body, headers);

    assert.equal(failed.status, 503, failed.text);
    assert.equal(failed.json.error, "origin_unavailable");
    assert.equal(early.status, 503, early.text);
    assert.equal(early.json.error, "delivery_in_progress");
    const retryAfter = Number(early.headers.get("retry-after"));
    assert.ok(retryAfter >= 1, `Retry-After ${retryAfter}`);
    assert.ok(retryAfter <= 6, `Retry-After ${retryAfter} is within the lease`);
    assert.equal(origin.requests.length, 1);

    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 250));
    const late = await worker.send(body, headers);

    assert.equal(late.status, 200, late.text);
    assert.equal(origin.requests.length, 2);
    await worker.waitForLogs(3);
    assert.match(worker.logLines()[2].detail, /took over a replay claim/);

    const replayed = await worker.send(body, headers);

    assert.equal(replayed.status, 409, replayed.text);
    assert.equal(origin.requests.length, 2);
  });
});

describe("replay guard failing", () => {
  let origin;

  before(async () => {
    origin = await startOrigin();
  });

  after(async () => {
    await origin?.close();
  });

  // With the release lost, only the guard itself can leave no claim behind.
  const FAULTS = [
    { name: "setAlarm failure", fault: "set_alarm,release_lost" },
    { name: "lost claim response", fault: "claim_response_lost" },
  ];

  for (const { name, fault } of FAULTS) {
    test(`${name} leaves no claim`, async () => {
      const worker = await startWorker({ originUrl: origin.url, replayGuardFault: fault });
      try {
        const body = freshEnvelope();
        const headers = signedHeaders(SECRETS.primary, body);
        const countBefore = origin.requests.length;

        const failed = await worker.send(body, headers);

        assert.equal(failed.status, 503, failed.text);
        assert.equal(failed.json.error, "replay_store_unavailable");
        assert.match(failed.headers.get("retry-after"), /^[0-9]+$/);
        assert.equal(origin.requests.length, countBefore, "nothing forwarded");
        await worker.waitForLogs(1);
        assert.equal(worker.logLines()[0].claim, "released");

        const retried = await worker.send(body, headers);

        assert.equal(retried.status, 200, retried.text);
        assert.equal(origin.requests.length, countBefore + 1, "the retry was forwarded");
      } finally {
        await worker.dispose();
      }
    });
  }
});
