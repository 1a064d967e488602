// Runs the built edge worker (worker/build/index.js) in workerd through
// Miniflare, in front of a recording node:http origin on 127.0.0.1.
//
// Signatures are computed here with node:crypto, independently of the Rust
// core, so a bug shared by the core's signer and verifier cannot hide.

import { createHmac } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { Miniflare } from "miniflare";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const WORKER_SCRIPT = path.join(ROOT, "worker/build/index.js");
const FAULTY_GUARD_SCRIPT = path.join(ROOT, "tests/worker/faulty-guard.mjs");
const EVENTS_DIR = path.join(ROOT, "examples/events");

/** Secrets used by the tests, distinctive so a leak into a log is easy to find. */
export const SECRETS = {
  primary: "whsec_primary_Qm9vdGhzLTE3Njcy",
  rotated: "whsec_rotated_c2Vjb25kLXNlY3Jl",
  forward: "fwd_hop_secret_ZWRnZS10by1vcmln",
  wrong: "whsec_wrong_bm90LXRoZS1zZWNyZXQ",
};

/** Reads the compatibility date of wrangler.toml, so tests run what deploys. */
function compatibilityDate() {
  const toml = readFileSync(path.join(ROOT, "wrangler.toml"), "utf8");
  const match = toml.match(/^compatibility_date\s*=\s*"([^"]+)"/m);
  if (!match) throw new Error("wrangler.toml has no compatibility_date");
  return match[1];
}

/** Returns the current UNIX time in seconds. */
export function nowSeconds() {
  return Math.floor(Date.now() / 1000);
}

/** Returns the lowercase hex HMAC-SHA256 of `parts`, fed in order. */
export function hmacHex(secret, ...parts) {
  const mac = createHmac("sha256", secret);
  for (const part of parts) mac.update(part);
  return mac.digest("hex");
}

/**
 * Returns the headers of a delivery signed like the platform does: scheme
 * `timestamp.body` when `timestamp` is given, else `body`.
 */
export function signedHeaders(secret, body, timestamp = nowSeconds()) {
  const headers = { "content-type": "application/json" };
  if (timestamp === null) {
    headers["x-webhook-signature"] = hmacHex(secret, body);
  } else {
    headers["x-webhook-timestamp"] = String(timestamp);
    headers["x-webhook-signature"] = hmacHex(secret, `${timestamp}.`, body);
  }
  return headers;
}

/** Returns every example body of examples/events/ as `{ name, bytes }`. */
export function exampleEvents() {
  return readdirSync(EVENTS_DIR)
    .filter((file) => file.endsWith(".json"))
    .sort()
    .map((file) => ({
      name: file.slice(0, -".json".length),
      bytes: readFileSync(path.join(EVENTS_DIR, file)),
    }));
}

/** Returns a fresh, unique envelope whose own timestamp is now. */
export function freshEnvelope(event = "post.liked", data = {}) {
  const unique = `${process.hrtime.bigint()}`;
  return Buffer.from(
    JSON.stringify({
      event,
      timestamp: nowSeconds(),
      data: { post_id: "pst_1", user_id: `usr_${unique}`, ...data },
    }),
  );
}

/**
 * Starts an origin on 127.0.0.1 that records every request (method, URL,
 * headers, raw body bytes). `respond(record)` returns the reply:
 * `{ status, body, headers }`, a promise of one (the response waits until it
 * settles), or `"hang"` to never respond. The default is 200 with a small
 * JSON body. Pass `port` to reuse a known port.
 */
export async function startOrigin({ port = 0, respond } = {}) {
  const requests = [];
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      const record = {
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(record);
      Promise.resolve(respond ? respond(record) : undefined).then((reply) => {
        if (reply === "hang") return;
        const { status = 200, body = '{"received":true}', headers = {} } = reply ?? {};
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(body);
      });
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return {
    requests,
    /** Waits until at least `count` requests arrived, or throws after `timeoutMs`. */
    async waitForRequests(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < count) {
        if (Date.now() > deadline) {
          throw new Error(`the origin received ${requests.length} requests, not ${count}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    port: server.address().port,
    url: `http://127.0.0.1:${server.address().port}/webhooks/networked`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Returns a promise with its `resolve` function, to hold an origin response. */
export function deferred() {
  let resolve;
  const promise = new Promise((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

/** Returns a port on 127.0.0.1 that nothing listens on (it was just freed). */
export async function closedPort() {
  const server = http.createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts the built worker in workerd, listening on 127.0.0.1. `bindings`
 * replaces the defaults entirely when `replaceBindings` is set, so a test
 * can leave one out. `replayGuardFault` binds REPLAY_GUARD to the
 * FaultyReplayGuard of faulty-guard.mjs with that fault. Every console line
 * of the worker is collected in `logs`.
 */
export async function startWorker({
  originUrl,
  bindings = {},
  replaceBindings = false,
  replayGuardFault,
} = {}) {
  if (!existsSync(WORKER_SCRIPT)) {
    throw new Error(`${WORKER_SCRIPT} is missing; run scripts/build-worker.sh first`);
  }
  const defaults = {
    WEBHOOK_SECRETS: SECRETS.primary,
    FORWARD_SECRET: SECRETS.forward,
    ORIGIN_URL: originUrl,
  };
  const allBindings = replaceBindings ? bindings : { ...defaults, ...bindings };
  if (replayGuardFault !== undefined) allBindings.REPLAY_GUARD_FAULT = replayGuardFault;
  const logs = [];
  const mf = new Miniflare({
    modules: true,
    scriptPath: replayGuardFault === undefined ? WORKER_SCRIPT : FAULTY_GUARD_SCRIPT,
    modulesRoot: ROOT,
    modulesRules: [
      { type: "CompiledWasm", include: ["**/*.wasm"], fallthrough: true },
      // The built index.js is an ES module, also when faulty-guard.mjs imports it.
      { type: "ESModule", include: ["**/*.js"], fallthrough: true },
    ],
    compatibilityDate: compatibilityDate(),
    cf: false,
    host: "127.0.0.1",
    port: 0,
    bindings: allBindings,
    durableObjects: {
      REPLAY_GUARD: {
        className: replayGuardFault === undefined ? "ReplayGuard" : "FaultyReplayGuard",
        useSQLite: true,
      },
    },
    handleStructuredLogs: (entry) => {
      logs.push(entry);
    },
  });
  // Requests go over real HTTP: Miniflare's dispatchFetch would turn every
  // body into a chunked one and drop Content-Length.
  let ready;
  try {
    ready = await mf.ready;
  } catch (error) {
    // An undisposed Miniflare keeps its workerd running, and node with it.
    await mf.dispose();
    throw error;
  }
  const endpoint = new URL("/webhooks", ready);

  /** Posts `body` with `headers` and returns `{ status, headers, text, json }`. */
  async function send(body, headers = {}, { method = "POST" } = {}) {
    // A fresh connection per request: after a 413 sent before the body was
    // read, workerd closes the socket, and a pooled connection would fail the
    // next request with "fetch failed".
    const requestHeaders = new Headers(headers);
    requestHeaders.set("connection", "close");
    const response = await fetch(endpoint, {
      method,
      headers: requestHeaders,
      body: method === "GET" || method === "HEAD" ? undefined : body,
      duplex: body instanceof ReadableStream ? "half" : undefined,
    });
    const text = await response.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  return {
    send,
    logs,
    /** URL that `send` posts to, for a client other than `send`, such as a browser. */
    url: endpoint.href,
    /** Waits until at least `count` log lines arrived; they come asynchronously. */
    async waitForLogs(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (logs.length < count && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    /** Returns the parsed JSON log lines of the worker, in order. */
    logLines() {
      return logs.map((entry) => JSON.parse(entry.message));
    },
    dispose: () => mf.dispose(),
  };
}
