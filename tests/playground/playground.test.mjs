// Drives the built playground (playground/dist/) in Debian's Chromium through
// playwright-core. The page, a receiver with CORS headers and one without
// are all served from this process on 127.0.0.1. Each test fails on a console
// error or a request to any other host, and saves screenshots to
// test-output/playground/.
//
// Build first: scripts/build-playground.sh.

import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

import { chromium } from "playwright-core";

import { serveStatic } from "../../scripts/static-server.mjs";
import { startOrigin, startWorker } from "../worker/harness.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DIST = join(ROOT, "playground", "dist");
const OUTPUT = join(ROOT, "test-output", "playground");
const SECRET = "whsec_playground_demo";
const EVENT_TYPES = [
  "user.joined",
  "user.profile.updated",
  "user.joined.space",
  "post.created",
  "post.liked",
  "post.unliked",
  "comment.added",
  "post.reported",
];
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
// Chromium's own console lines when it blocks a cross-origin response.
const CORS_CONSOLE_ERRORS = [
  /blocked by CORS policy/,
  /Failed to load resource: net::ERR_FAILED/,
];

let browser;
let site;
let siteUrl;
let corsReceiver;
let plainReceiver;

before(async () => {
  assert.ok(existsSync(join(DIST, "index.html")), "playground/dist/ is missing: run "
    + "scripts/build-playground.sh first");
  mkdirSync(OUTPUT, { recursive: true });
  site = await serveStatic(DIST);
  siteUrl = `http://127.0.0.1:${site.address().port}/`;
  corsReceiver = await startReceiver({ cors: true });
  plainReceiver = await startReceiver({ cors: false });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_BIN || "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
});

after(async () => {
  await browser?.close();
  for (const server of [site, corsReceiver?.server, plainReceiver?.server]) {
    server?.closeAllConnections();
    server?.close();
  }
});

/**
 * Starts a webhook receiver on 127.0.0.1 that records each POST and responds
 * with 202 and a JSON body. With `cors`, it allows any origin and the webhook
 * headers.
 */
async function startReceiver({ cors }) {
  const posts = [];
  const preflights = [];
  const corsHeaders = cors
    ? {
      "access-control-allow-origin": "*",
      "access-control-allow-methods": "POST",
      "access-control-allow-headers": "content-type, x-webhook-signature, x-webhook-timestamp",
    }
    : {};
  const server = createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      if (request.method === "OPTIONS") {
        preflights.push(request.headers);
        response.writeHead(204, corsHeaders);
        response.end();
        return;
      }
      const body = Buffer.concat(chunks);
      posts.push({ method: request.method, headers: request.headers, body });
      response.writeHead(202, { "content-type": "application/json", ...corsHeaders });
      response.end(JSON.stringify({ accepted: true, bytes: body.length }));
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, posts, preflights, url: `http://127.0.0.1:${server.address().port}/hook` };
}

/**
 * Opens the playground in a fresh context and records its requests and
 * console errors. Call `finish()` at the end of the test to check them.
 */
async function openPage({ mobile = false, allowedErrors = [] } = {}) {
  const context = await browser.newContext(mobile
    ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
      deviceScaleFactor: 2 }
    : { viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const requests = [];
  const responses = [];
  const errors = [];
  page.on("request", (request) => requests.push(request.url()));
  page.on("response", (response) => responses.push(response));
  page.on("console", (message) => {
    if (message.type() === "error") {
      errors.push(message.text());
    }
  });
  page.on("pageerror", (error) => errors.push(`uncaught: ${error.message}`));

  await page.goto(siteUrl);
  await page.waitForSelector("body[data-ready=true]");

  async function finish() {
    await context.close();
    const isAllowed = (text) => allowedErrors.some((pattern) => pattern.test(text));
    const unexpected = errors.filter((text) => !isAllowed(text));
    assert.deepEqual(unexpected, [], "the page logged console errors");
    for (const url of requests) {
      const { protocol, hostname } = new URL(url);
      const local = protocol === "data:" || hostname === "127.0.0.1";
      assert.ok(local, `request left 127.0.0.1: ${url}`);
    }
  }
  return { page, requests, responses, errors, finish };
}

async function screenshot(page, name) {
  await page.screenshot({ path: join(OUTPUT, `${name}.png`), fullPage: true });
}

/** Returns the headers that step 1 shows, as an object. */
async function shownHeaders(page) {
  const text = await page.textContent("#out-headers");
  return Object.fromEntries(text.split("\n").map((line) => {
    const colon = line.indexOf(":");
    return [line.slice(0, colon), line.slice(colon + 1).trim()];
  }));
}

function hmacHex(...parts) {
  const mac = createHmac("sha256", SECRET);
  for (const part of parts) {
    mac.update(part);
  }
  return mac.digest("hex");
}

async function verifyVerdict(page) {
  await page.click("#verify-run");
  return page.textContent("#verify-result .verdict");
}

async function causes(page) {
  return page.$$eval("#verify-result .cause",
    (nodes) => nodes.map((node) => node.textContent));
}

test("page loads and measures its transfer", async () => {
  const { page, responses, finish } = await openPage();
  const privacy = await page.textContent(".privacy");
  assert.match(privacy, /secrets never leave this page/);
  assert.equal(await page.$$eval("#sign-event option", (nodes) => nodes.length), 8);

  const files = [];
  for (const response of responses) {
    if (new URL(response.url()).protocol === "data:") {
      continue;
    }
    const body = await response.body();
    files.push({
      path: new URL(response.url()).pathname,
      status: response.status(),
      contentType: response.headers()["content-type"],
      raw: body.length,
      gzip: gzipSync(body, { level: 9 }).length,
    });
  }
  const total = {
    files: files.length,
    raw: files.reduce((sum, file) => sum + file.raw, 0),
    gzip: files.reduce((sum, file) => sum + file.gzip, 0),
  };
  const report = `${JSON.stringify({ total, files }, null, 2)}\n`;
  writeFileSync(join(OUTPUT, "transfer.json"), report);
  console.log(`playground transfer: ${total.files} files, ${total.raw} bytes raw, `
    + `${total.gzip} bytes gzip -9`);
  for (const file of files) {
    assert.equal(file.status, 200, `${file.path} answered ${file.status}`);
  }
  const wasm = files.find((file) => file.path.endsWith(".wasm"));
  assert.equal(wasm.contentType, "application/wasm");

  await screenshot(page, "01-sign");
  await finish();
});

test("signs and verifies every event type", async () => {
  const { page, finish } = await openPage();
  for (const type of EVENT_TYPES) {
    await page.selectOption("#sign-event", type);
    const body = await page.textContent("#out-body");
    assert.equal(JSON.parse(body).event, type);

    const headers = await shownHeaders(page);
    const timestamp = await page.inputValue("#sign-timestamp");
    assert.equal(headers["x-webhook-timestamp"], timestamp);
    assert.equal(headers["x-webhook-signature"], hmacHex(timestamp, ".", body));

    await page.click("#verify-load");
    const verdict = await page.textContent("#verify-result .verdict");
    assert.equal(verdict, "Accepted", `${type} was not accepted`);
    const event = JSON.parse(await page.textContent("#verify-result pre"));
    assert.equal(event.event, type);
    if (type === "post.created") {
      await screenshot(page, "02-accepted");
    }
  }
  await finish();
});

test("body scheme signs the body alone", async () => {
  const { page, finish } = await openPage();
  await page.check("input[name=sign-scheme][value=body]");
  const body = await page.textContent("#out-body");
  const headers = await shownHeaders(page);
  assert.equal(headers["x-webhook-timestamp"], undefined);
  assert.equal(headers["x-webhook-signature"], hmacHex(body));
  await page.click("#verify-load");
  assert.equal(await page.textContent("#verify-result .verdict"), "Accepted");
  assert.match(await page.textContent("#verify-result"), /scheme body/);
  await finish();
});

test("tampered byte is a signature_mismatch", async () => {
  const { page, finish } = await openPage();
  await page.selectOption("#sign-event", "comment.added");
  await page.click("#verify-load");
  const body = await page.inputValue("#verify-body");
  const tampered = body.replace("usr_654321", "usr_654322");
  assert.notEqual(tampered, body);
  await page.fill("#verify-body", tampered);

  const verdict = await verifyVerdict(page);
  assert.equal(verdict, "Rejected: signature_mismatch");
  assert.deepEqual(await causes(page), ["no_variant_matched"]);
  const byte = Buffer.from(body).indexOf("usr_654321") + "usr_65432".length + 1;
  assert.match(await page.textContent("#verify-result"), new RegExp(`at byte ${byte} `));
  await screenshot(page, "03-tampered");
  await finish();
});

test("re-serialised body gets its hint", async () => {
  const { page, finish } = await openPage();
  // An example without integers beyond 2^53, which JSON.parse would round.
  await page.selectOption("#sign-event", "user.joined");
  await page.click("#verify-load");
  const body = await page.inputValue("#verify-body");
  await page.fill("#verify-body", JSON.stringify(JSON.parse(body)));

  assert.equal(await verifyVerdict(page), "Rejected: signature_mismatch");
  assert.ok((await causes(page)).includes("reserialised_body"));
  await finish();
});

test("millisecond timestamp gets its hint", async () => {
  const { page, finish } = await openPage();
  await page.selectOption("#sign-event", "post.liked");
  const body = await page.textContent("#out-body");
  const headers = await shownHeaders(page);
  const milliseconds = `${headers["x-webhook-timestamp"]}000`;
  const request = [
    "POST /webhooks HTTP/1.1",
    "content-type: application/json",
    `x-webhook-signature: ${hmacHex(milliseconds, ".", body)}`,
    `x-webhook-timestamp: ${milliseconds}`,
    `content-length: ${Buffer.byteLength(body)}`,
    "",
    `${body}\n`,
  ].join("\n");
  await page.check("input[name=verify-mode][value=raw]");
  await page.fill("#verify-request", request);

  assert.equal(await verifyVerdict(page), "Rejected: malformed_timestamp");
  assert.ok((await causes(page)).includes("milliseconds_timestamp"));
  await screenshot(page, "04-milliseconds");
  await finish();
});

test("send to a receiver with CORS shows the status", async () => {
  const { page, finish } = await openPage();
  await page.selectOption("#sign-event", "post.created");
  await page.fill("#send-url", corsReceiver.url);
  const body = await page.textContent("#out-body");
  const headers = await shownHeaders(page);
  const postsBefore = corsReceiver.posts.length;

  await page.click("#send-run");
  await page.waitForSelector("#send-result .verdict");
  assert.equal(await page.textContent("#send-result .verdict"), "HTTP 202 Accepted");
  assert.match(await page.textContent("#send-result pre"), /"accepted": true/);

  assert.equal(corsReceiver.posts.length, postsBefore + 1);
  const post = corsReceiver.posts.at(-1);
  assert.equal(post.method, "POST");
  assert.ok(post.body.equals(Buffer.from(body)), "the body arrived changed");
  assert.equal(post.headers["x-webhook-signature"], headers["x-webhook-signature"]);
  assert.equal(post.headers["x-webhook-timestamp"], headers["x-webhook-timestamp"]);
  assert.equal(post.headers["content-type"], "application/json");
  assert.equal(post.headers.cookie, undefined);
  assert.ok(!JSON.stringify(post.headers).includes(SECRET), "the secret was sent");
  assert.ok(!post.body.includes(SECRET), "the secret was sent");

  const curl = await page.textContent("#out-curl");
  assert.ok(curl.includes(`'${corsReceiver.url}'`), "the curl command names the URL");
  await screenshot(page, "05-send-cors");
  await finish();
});

test("send without CORS explains the failure", async () => {
  const { page, finish } = await openPage({ allowedErrors: CORS_CONSOLE_ERRORS });
  await page.fill("#send-url", plainReceiver.url);
  await page.click("#send-run");
  await page.waitForSelector("#send-result .verdict");
  assert.equal(await page.textContent("#send-result .verdict"), "No response");
  const message = await page.textContent("#send-result");
  assert.match(message, /does not allow cross-origin requests/);
  assert.match(message, /curl command/);
  assert.equal(plainReceiver.posts.length, 0, "the POST went through without CORS");
  await screenshot(page, "06-send-no-cors");
  await finish();
});

test("send to the local worker with CORS", async () => {
  // The built edge worker in workerd, allowing the page's origin, in front of
  // a recording origin.
  const origin = await startOrigin();
  const worker = await startWorker({
    originUrl: origin.url,
    bindings: { WEBHOOK_SECRETS: SECRET, CORS_ALLOW_ORIGINS: new URL(siteUrl).origin },
  });
  // Chromium logs every 4xx response as a console error.
  const { page, finish } = await openPage({
    allowedErrors: [/responded with a status of 401 \(Unauthorized\)/],
  });
  try {
    await page.selectOption("#sign-event", "post.created");
    await page.fill("#send-url", worker.url);
    const body = await page.textContent("#out-body");
    const headers = await shownHeaders(page);

    await page.click("#send-run");
    await page.waitForSelector("#send-result .verdict");
    assert.equal(await page.textContent("#send-result .verdict"), "HTTP 200 OK");
    assert.match(await page.textContent("#send-result pre"), /"received": true/);
    assert.equal(origin.requests.length, 1);
    const forwarded = origin.requests[0];
    assert.ok(forwarded.body.equals(Buffer.from(body)), "the body arrived changed");
    assert.equal(forwarded.headers["x-webhook-signature"], headers["x-webhook-signature"]);
    assert.equal(forwarded.headers["x-webhook-timestamp"], headers["x-webhook-timestamp"]);
    await screenshot(page, "07-send-worker");

    // The next delivery has one byte changed on its way to the worker.
    await page.selectOption("#sign-event", "comment.added");
    await page.route(worker.url, async (route) => {
      const request = route.request();
      if (request.method() !== "POST") {
        await route.continue();
        return;
      }
      const tampered = request.postData().replace("usr_654321", "usr_654322");
      assert.notEqual(tampered, request.postData());
      await route.continue({ postData: tampered });
    });
    await page.click("#send-run");
    await page.waitForFunction(() =>
      document.querySelector("#send-result .verdict")?.textContent.startsWith("HTTP 401"));
    assert.equal(await page.textContent("#send-result .verdict"), "HTTP 401 Unauthorized");
    const result = JSON.parse(await page.textContent("#send-result pre"));
    assert.equal(result.error, "signature_mismatch");
    assert.equal(origin.requests.length, 1, "the tampered delivery was forwarded");
    await screenshot(page, "08-send-worker-tampered");
    await finish();
  } finally {
    await worker.dispose();
    await origin.close();
  }
});

test("mobile viewport fits and works", async () => {
  const { page, finish } = await openPage({ mobile: true });
  const overflow = await page.evaluate(() =>
    document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
  await screenshot(page, "09-mobile-sign");

  await page.selectOption("#sign-event", "user.joined.space");
  await page.click("#verify-load");
  assert.equal(await page.textContent("#verify-result .verdict"), "Accepted");
  await page.fill("#verify-secrets", "whsec_wrong_secret");
  await page.fill("#verify-other", SECRET);
  assert.equal(await verifyVerdict(page), "Rejected: signature_mismatch");
  assert.ok((await causes(page)).includes("wrong_secret"));
  const resultText = await page.textContent("#verify-result");
  assert.ok(!resultText.includes(SECRET), "the result shows a secret");
  await page.locator("#verify-result").scrollIntoViewIfNeeded();
  await screenshot(page, "10-mobile-result");
  await finish();
});

test("keyboard reaches controls with visible focus", async () => {
  const { page, finish } = await openPage();
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.className), "skip");

  await page.focus("#sign-now");
  await page.keyboard.press("Shift+Tab");
  await page.keyboard.press("Tab");
  const outline = await page.evaluate(() => {
    const style = getComputedStyle(document.activeElement);
    return {
      id: document.activeElement.id,
      style: style.outlineStyle,
      width: style.outlineWidth,
    };
  });
  assert.equal(outline.id, "sign-now");
  assert.equal(outline.style, "solid");
  assert.equal(outline.width, "3px");

  await page.click("#verify-load");
  await page.fill("#verify-secrets", "whsec_wrong_secret");
  await page.focus("#verify-secrets");
  await page.keyboard.press("Control+Enter");
  await page.waitForSelector("#verify-result .verdict.bad");
  await finish();
});
