// A demo origin behind the edge worker. It trusts a delivery only when the
// worker's hop signature (x-edge-signature over `<x-edge-timestamp>.<body>`,
// keyed with FORWARD_SECRET) verifies with the networked-webhooks package.
//
//   FORWARD_SECRET=… node demo/origin.mjs --port 8788 [--record FILE]
//
// It listens on 127.0.0.1 only, prints one line per request, and with
// --record appends one JSON line per request to FILE for demo/send.mjs.

import { createHash } from "node:crypto";
import { appendFileSync } from "node:fs";
import http from "node:http";
import { parseArgs } from "node:util";

const PACKAGE_PATH = new URL("../pkg/index.mjs", import.meta.url);

const { values: options } = parseArgs({
  options: {
    port: { type: "string", default: "8788" },
    record: { type: "string" },
  },
});

const forwardSecret = process.env.FORWARD_SECRET;
if (!forwardSecret) {
  console.error("[origin] FORWARD_SECRET is not set; export the worker's FORWARD_SECRET");
  process.exit(2);
}

let webhooks;
try {
  webhooks = await import(PACKAGE_PATH);
} catch (error) {
  console.error(`[origin] the npm package could not be loaded (${error.message}); run scripts/build-pkg.sh`);
  process.exit(2);
}

// The worker signs the hop with the time it forwards, so the default
// tolerance of 300 seconds only has to cover clock skew between the two.
const hopVerifier = new webhooks.Verifier({
  secrets: [forwardSecret],
  scheme: "timestamp.body",
  signatureHeader: "x-edge-signature",
  timestampHeader: "x-edge-timestamp",
});

/** Returns a short description of the fields worth seeing in the demo. */
function describe(event) {
  const fields = ["user_id", "post_id", "comment_id", "space_id"]
    .filter((field) => event.data[field] !== undefined)
    .map((field) => `${field}=${event.data[field]}`);
  return fields.join(" ");
}

/** Handles one forwarded delivery: checks the hop, records and responds. */
function handle(req, body, res) {
  const record = {
    method: req.method,
    path: req.url,
    bytes: body.length,
    sha256: createHash("sha256").update(body).digest("hex"),
    contentType: req.headers["content-type"] ?? null,
    hasSenderSignature: req.headers["x-webhook-signature"] !== undefined,
  };

  let reply;
  try {
    const event = hopVerifier.verify(body, req.headers);
    record.hop = "verified";
    record.event = event.event;
    record.fields = describe(event);
    reply = { status: 200, body: { received: event.event } };
  } catch (error) {
    record.hop = error.code ?? "error";
    record.error = error.message;
    reply = { status: 401, body: { error: `hop_${record.hop}`, message: error.message } };
  }

  if (options.record) appendFileSync(options.record, `${JSON.stringify(record)}\n`);
  const summary = record.hop === "verified"
    ? `${record.event} ${record.bytes} bytes, hop verified, ${record.fields}`
    : `hop check failed: ${record.hop}`;
  console.log(`[origin] ${req.method} ${req.url}: ${summary}`);

  res.writeHead(reply.status, { "content-type": "application/json" });
  res.end(JSON.stringify(reply.body));
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => handle(req, Buffer.concat(chunks), res));
});

server.listen(Number(options.port), "127.0.0.1", () => {
  console.log(`[origin] listening on http://127.0.0.1:${server.address().port}`);
});

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    // workerd keeps connections alive; close them so close() can finish.
    server.closeAllConnections();
  });
}
