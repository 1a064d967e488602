// Compares verifying one webhook with the npm package (Rust compiled to wasm)
// against the usual hand-written Node receiver: node:crypto HMAC-SHA256,
// crypto.timingSafeEqual and JSON.parse. Both run in the same process and
// run, so the ratio matters more than the absolute times.
//
// Run: scripts/build-pkg.sh && node benches/node-verify.mjs

import { createHmac, timingSafeEqual } from "node:crypto";

import { Verifier, sign } from "../pkg/index.mjs";

const SECRET = "whsec_benchmark_secret";
const NOW = 1750689600;
const ROUNDS = 5;

function makeBody(padBytes) {
  return JSON.stringify({
    event: "post.created",
    timestamp: NOW,
    data: { post_id: "pst_1", user_id: "usr_2", content: "x".repeat(padBytes) },
  });
}

function verifyWithNodeCrypto(bodyBuffer, headers) {
  const timestamp = headers["x-webhook-timestamp"];
  const expected = createHmac("sha256", SECRET).update(`${timestamp}.`).update(bodyBuffer).digest();
  const given = Buffer.from(headers["x-webhook-signature"], "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new Error("signature mismatch");
  }
  const event = JSON.parse(bodyBuffer.toString("utf8"));
  if (Math.abs(NOW - Number(timestamp)) > 300) {
    throw new Error("stale");
  }
  return event;
}

function measure(label, iterations, action) {
  for (let i = 0; i < Math.min(iterations, 1000); i += 1) {
    action();
  }
  const samples = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i += 1) {
      action();
    }
    samples.push(Number(process.hrtime.bigint() - start) / iterations);
  }
  samples.sort((a, b) => a - b);
  return { label, nsPerOp: samples[Math.floor(ROUNDS / 2)] };
}

const verifier = new Verifier({ secrets: [SECRET] });
console.log(`node ${process.version}, median of ${ROUNDS} rounds`);
console.log("body bytes | package µs/op | node:crypto µs/op | package / node:crypto");
for (const [padBytes, iterations] of [[200, 20000], [16 * 1024, 5000], [512 * 1024, 100]]) {
  const body = Buffer.from(makeBody(padBytes));
  const headers = sign(SECRET, body, { timestamp: NOW });
  const ours = measure("package", iterations, () => verifier.verify(body, headers, { now: NOW }));
  const peer = measure("node:crypto", iterations, () => verifyWithNodeCrypto(body, headers));
  const ratio = ours.nsPerOp / peer.nsPerOp;
  console.log(
    `${String(body.length).padStart(10)} | ${(ours.nsPerOp / 1000).toFixed(2).padStart(13)} | `
      + `${(peer.nsPerOp / 1000).toFixed(2).padStart(17)} | ${ratio.toFixed(2).padStart(21)}`,
  );
}
