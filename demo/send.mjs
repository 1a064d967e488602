// Sends the demo's deliveries to the edge worker and prints what the worker
// returned next to what the origin received, then exits 1 if any outcome
// differs from the expected one.
//
//   WEBHOOK_SECRET=… node demo/send.mjs --url http://127.0.0.1:8787/ \
//     --record FILE [--events examples/events]
//
// FILE is the record that demo/origin.mjs appends to. Deliveries are sent
// one at a time, so the lines the origin appended while a delivery was in
// flight are the ones it caused.

import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

import { sign } from "../pkg/index.mjs";

const { values: options } = parseArgs({
  options: {
    url: { type: "string" },
    record: { type: "string" },
    events: { type: "string", default: new URL("../examples/events", import.meta.url).pathname },
  },
});

const secret = process.env.WEBHOOK_SECRET;
if (!options.url || !options.record || !secret) {
  console.error("usage: WEBHOOK_SECRET=… node demo/send.mjs --url URL --record FILE");
  process.exit(2);
}

/** Returns the current UNIX time in seconds. */
function nowSeconds() {
  return Math.floor(Date.now() / 1000);
}

/** Returns the origin's record lines, parsed. */
function readRecord() {
  let text = "";
  try {
    text = readFileSync(options.record, "utf8");
  } catch (error) {
    if (error.code !== "ENOENT") throw error;
  }
  return text.split("\n").filter(Boolean).map((line) => JSON.parse(line));
}

const examples = readdirSync(options.events)
  .filter((file) => file.endsWith(".json"))
  .sort()
  .map((file) => ({
    name: file.slice(0, -".json".length),
    body: readFileSync(path.join(options.events, file)),
  }));
const byName = Object.fromEntries(examples.map((example) => [example.name, example]));

/** Builds the list of deliveries, each with its expected outcome. */
function plan() {
  const deliveries = examples.map(({ name, body }) => ({
    label: `${name} (signed now)`,
    body,
    headers: sign(secret, body, { timestamp: nowSeconds() }),
    expect: { status: 200, forwarded: true },
  }));

  const first = deliveries[0];
  deliveries.push(
    {
      label: "post.created, forged (wrong secret)",
      body: byName["post.created"].body,
      headers: sign(`${secret}-guessed`, byName["post.created"].body, { timestamp: nowSeconds() }),
      expect: { status: 401, code: "signature_mismatch", forwarded: false },
    },
    {
      label: "user.joined, signed an hour ago (stale)",
      body: byName["user.joined"].body,
      headers: sign(secret, byName["user.joined"].body, { timestamp: nowSeconds() - 3600 }),
      expect: { status: 401, code: "timestamp_too_old", forwarded: false },
    },
    {
      label: `${examples[0].name}, the same delivery again`,
      body: first.body,
      headers: first.headers,
      expect: { status: 409, code: "replayed", forwarded: false },
    },
    {
      label: "post.liked, unsigned",
      body: byName["post.liked"].body,
      headers: {},
      expect: { status: 401, code: "missing_signature", forwarded: false },
    },
  );
  return deliveries;
}

/** Sends one delivery and returns what the worker and the origin did. */
async function deliver(delivery) {
  const before = readRecord().length;
  const response = await fetch(options.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...delivery.headers },
    body: delivery.body,
  });
  const text = await response.text();
  let code = null;
  let message = null;
  try {
    ({ error: code = null, message = null } = JSON.parse(text));
  } catch {
    // The origin's own body on success need not be JSON.
  }
  const received = readRecord().slice(before);
  return { status: response.status, code, message, received };
}

/** Compares a result with its expectation and returns the problems found. */
function check(delivery, result) {
  const problems = [];
  const { expect } = delivery;
  if (result.status !== expect.status) problems.push(`status ${result.status}`);
  if (expect.code && result.code !== expect.code) problems.push(`code ${result.code}`);
  if (expect.forwarded) {
    const [record] = result.received;
    const sent = createHash("sha256").update(delivery.body).digest("hex");
    if (result.received.length !== 1) problems.push(`origin got ${result.received.length}`);
    else if (record.sha256 !== sent) problems.push("bytes changed");
    else if (record.hop !== "verified") problems.push(`hop ${record.hop}`);
  } else if (result.received.length !== 0) {
    problems.push("reached the origin");
  }
  return problems;
}

/** Returns the origin column for one result. */
function originColumn(delivery, result) {
  if (result.received.length === 0) return "nothing";
  const sent = createHash("sha256").update(delivery.body).digest("hex");
  return result.received
    .map((record) => {
      const bytes = record.sha256 === sent ? "unchanged" : "CHANGED";
      return `${record.bytes} bytes ${bytes}, hop ${record.hop}`;
    })
    .join("; ");
}

const rows = [];
const reasons = [];
for (const delivery of plan()) {
  const result = await deliver(delivery);
  const problems = check(delivery, result);
  if (result.message) reasons.push(`${delivery.label}: ${result.message}`);
  rows.push([
    delivery.label,
    `${delivery.expect.status} ${delivery.expect.code ?? ""}`.trim(),
    `${result.status} ${result.code ?? ""}`.trim(),
    originColumn(delivery, result),
    problems.length === 0 ? "ok" : `DIFFERS: ${problems.join(", ")}`,
  ]);
}

const header = ["delivery", "expected", "worker returned", "origin received", "result"];
const widths = header.map((title, column) =>
  Math.max(title.length, ...rows.map((row) => row[column].length)),
);
const format = (row) => row.map((cell, column) => cell.padEnd(widths[column])).join("  ");
console.log(format(header));
console.log(widths.map((width) => "-".repeat(width)).join("  "));
for (const row of rows) console.log(format(row));

console.log("\nWhy the worker rejected a delivery:");
for (const reason of reasons) console.log(`  ${reason}`);

const failures = rows.filter((row) => row[4] !== "ok").length;
console.log(
  failures === 0
    ? `\nall ${rows.length} outcomes as expected`
    : `\n${failures} of ${rows.length} outcomes differ from the expected ones`,
);
process.exit(failures === 0 ? 0 : 1);
