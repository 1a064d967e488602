// The playground page: signs example deliveries, verifies and explains pasted
// ones, and sends a signed delivery on request. Everything but Send runs in
// the page, and Send posts the signed body and headers, never a secret.

import { EXAMPLES } from "./examples.js";
import {
  curlCommand,
  describeBody,
  fetchCommand,
  firstDifference,
  parseHeaderLines,
  parseRawRequest,
  withTimestamp,
} from "./request.js";

// The event catalogue, in the platform's order.
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

// Plain-language explanations of the error codes, shown above the verifier's message.
const CODE_EXPLANATIONS = {
  missing_signature: "The request has no x-webhook-signature header. It was not signed, "
    + "or something on the way removed or renamed the header.",
  malformed_signature: "The signature header contains no value the verifier can read. It "
    + "expects up to 8 values, each 64 hex characters (optionally after sha256=) or the "
    + "base64 of 32 bytes.",
  signature_mismatch: "The signature is well formed, but it was not made from this body "
    + "with any of these secrets. Usually the secret differs, or the body changed after "
    + "signing: even one byte, a newline or re-serialised JSON breaks it.",
  missing_timestamp: "Scheme timestamp.body requires the x-webhook-timestamp header, and "
    + "the request has none.",
  malformed_timestamp: "The timestamp header is not whole UNIX seconds in ASCII digits.",
  timestamp_too_old: "The signature is valid, but the signed timestamp is older than the "
    + "tolerance. This check stops replays of old deliveries; it also fails when the two "
    + "clocks disagree.",
  timestamp_too_new: "The signature is valid, but the signed timestamp is further in the "
    + "future than the tolerance: the sender's clock is ahead, or it sends milliseconds.",
  body_too_large: "The body is larger than the verifier's maximum (1 MiB by default).",
  invalid_json: "The signature is valid, but the body is not JSON.",
  invalid_envelope: "The signature is valid and the body is JSON, but not a webhook "
    + "envelope of event, timestamp and data.",
  no_secret: "Give at least one non-empty secret.",
};

const SEND_TIMEOUT_MS = 15_000;

const $ = (id) => document.getElementById(id);

let api;
// The delivery that step 1 signed last: { body, headers }, or undefined.
let signedDelivery;
// The payload text the page generated, to tell whether the user has edited it.
let generatedPayload = "";

start();

async function start() {
  try {
    api = await import("./pkg/browser.mjs");
  } catch (error) {
    $("load-status").textContent = `The WebAssembly module failed to load: ${error.message}`;
    $("load-status").classList.add("bad");
    return;
  }
  $("load-status").textContent = "Ready.";
  $("load-status").classList.add("ready");

  setUpSign();
  setUpVerify();
  setUpSend();
  setUpCopyButtons();
  document.body.dataset.ready = "true";
}

function setUpSign() {
  const select = $("sign-event");
  for (const type of EVENT_TYPES) {
    const option = document.createElement("option");
    option.value = type;
    option.textContent = type;
    option.disabled = EXAMPLES[type] === undefined;
    select.append(option);
  }
  $("sign-timestamp").value = String(currentSeconds());
  loadExample();

  select.addEventListener("change", loadExample);
  $("sign-now").addEventListener("click", () => {
    setTimestamp(currentSeconds());
  });
  $("sign-timestamp").addEventListener("input", () => {
    setTimestamp($("sign-timestamp").value.trim(), { keepField: true });
  });
  $("sign-secret-toggle").addEventListener("click", (event) => {
    const visible = $("sign-secret").type === "text";
    $("sign-secret").type = visible ? "password" : "text";
    event.currentTarget.textContent = visible ? "Show" : "Hide";
    event.currentTarget.setAttribute("aria-pressed", String(!visible));
  });
  for (const id of ["sign-secret", "sign-body", "send-url"]) {
    $(id).addEventListener("input", signPayload);
  }
  for (const radio of document.querySelectorAll("input[name=sign-scheme]")) {
    radio.addEventListener("change", signPayload);
  }
}

function loadExample() {
  const example = EXAMPLES[$("sign-event").value] ?? "";
  generatedPayload = withTimestamp(example, $("sign-timestamp").value.trim() || 0);
  $("sign-body").value = generatedPayload;
  signPayload();
}

/** Sets the timestamp field, and the payload's timestamp while the payload is unedited. */
function setTimestamp(value, { keepField = false } = {}) {
  if (!keepField) {
    $("sign-timestamp").value = String(value);
  }
  if ($("sign-body").value === generatedPayload && /^[0-9]+$/.test(String(value))) {
    generatedPayload = withTimestamp(generatedPayload, value);
    $("sign-body").value = generatedPayload;
  }
  signPayload();
}

function signPayload() {
  const body = $("sign-body").value;
  const secret = $("sign-secret").value;
  const scheme = document.querySelector("input[name=sign-scheme]:checked").value;
  const timestampText = $("sign-timestamp").value.trim();
  const status = $("sign-status");
  status.className = "status";

  const problem = signingProblem(secret, scheme, timestampText);
  if (problem !== undefined) {
    showSigned(undefined);
    status.textContent = problem;
    status.classList.add("bad");
    return;
  }
  const options = scheme === "timestamp.body" ? { timestamp: Number(timestampText) } : {};
  let signatureHeaders;
  try {
    signatureHeaders = api.sign(secret, body, options);
  } catch (error) {
    showSigned(undefined);
    status.textContent = `Could not sign: ${error.message}`;
    status.classList.add("bad");
    return;
  }
  showSigned({ body, headers: { "content-type": "application/json", ...signatureHeaders } });

  // Signing works on any bytes, so warn when a receiver would reject the payload.
  try {
    api.parse(body);
    status.textContent = "Signed.";
  } catch (error) {
    status.textContent = `Signed, but a receiver will reject this payload: ${error.message}`;
    status.classList.add("warn");
  }
}

function signingProblem(secret, scheme, timestampText) {
  if (secret === "") {
    return "Enter a secret to sign with.";
  }
  if (scheme === "timestamp.body" && !/^[0-9]{1,12}$/.test(timestampText)) {
    return "The timestamp must be whole UNIX seconds: up to 12 digits.";
  }
  return undefined;
}

function showSigned(delivery) {
  signedDelivery = delivery;
  const url = $("send-url").value.trim();
  if (delivery === undefined) {
    for (const id of ["out-body", "out-headers", "out-curl", "out-fetch"]) {
      $(id).textContent = "";
    }
    $("out-body-facts").textContent = "";
    return;
  }
  $("out-body").textContent = delivery.body;
  $("out-body-facts").textContent = `${describeBody(delivery.body)}.`;
  $("out-headers").textContent = Object.entries(delivery.headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join("\n");
  $("out-curl").textContent = curlCommand(url, delivery.headers, delivery.body);
  $("out-fetch").textContent = fetchCommand(url, delivery.headers, delivery.body);
}

function setUpVerify() {
  $("verify-load").addEventListener("click", () => {
    if (signedDelivery === undefined) {
      showVerifyProblem("Step 1 has no signed delivery yet: fix what it reports first.");
      return;
    }
    document.querySelector("input[name=verify-mode][value=parts]").click();
    $("verify-body").value = signedDelivery.body;
    $("verify-headers").value = $("out-headers").textContent;
    $("verify-secrets").value = $("sign-secret").value;
    runVerify();
  });
  for (const radio of document.querySelectorAll("input[name=verify-mode]")) {
    radio.addEventListener("change", () => {
      const raw = document.querySelector("input[name=verify-mode]:checked").value === "raw";
      $("verify-raw").hidden = !raw;
      $("verify-parts").hidden = raw;
    });
  }
  $("verify-run").addEventListener("click", runVerify);
  $("verify").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      runVerify();
    }
  });
}

/** Reads step 2's inputs, runs explain() and shows the outcome. */
function runVerify() {
  let delivery;
  try {
    delivery = readVerifyInput();
  } catch (error) {
    showVerifyProblem(error.message);
    return;
  }

  let result;
  try {
    result = api.explain(delivery.body, delivery.headers, delivery.options);
  } catch (error) {
    showVerifyProblem(error.message);
    return;
  }
  showVerifyResult(result, delivery);
}

function readVerifyInput() {
  const raw = document.querySelector("input[name=verify-mode]:checked").value === "raw";
  let body;
  let headers;
  let notes = [];
  if (raw) {
    ({ body, headers, notes } = parseRawRequest($("verify-request").value));
  } else {
    body = $("verify-body").value;
    headers = parseHeaderLines($("verify-headers").value);
  }

  const options = {
    secrets: secretLines($("verify-secrets").value),
    otherSecrets: secretLines($("verify-other").value),
    scheme: $("verify-scheme").value,
  };
  const tolerance = $("verify-tolerance").value.trim();
  if (tolerance !== "") {
    options.toleranceSeconds = wholeNumber(tolerance, "The tolerance");
  }
  const now = $("verify-now").value.trim();
  if (now !== "") {
    options.now = wholeNumber(now, "Now");
  }
  return { body, headers, options, notes };
}

/** Splits a text box into secrets, one per line, keeping spaces but dropping empty lines. */
function secretLines(text) {
  return text.split("\n").filter((line) => line !== "");
}

function wholeNumber(text, name) {
  if (!/^[0-9]{1,15}$/.test(text)) {
    throw new Error(`${name} must be a whole number of seconds, such as 300.`);
  }
  return Number(text);
}

function showVerifyProblem(message) {
  $("verify-result").replaceChildren(
    element("p", { className: "verdict bad" }, "Could not verify"),
    element("p", {}, message),
  );
}

function showVerifyResult(result, delivery) {
  const box = $("verify-result");
  const parts = [];
  for (const note of delivery.notes) {
    parts.push(element("p", { className: "help" }, note));
  }

  if (result.ok) {
    parts.push(element("p", { className: "verdict good" }, "Accepted"));
    parts.push(element("p", {}, `The signature matches under scheme ${result.scheme}, `
      + "and the timestamp is within the tolerance. The parsed event:"));
    parts.push(element("pre", { tabIndex: 0 }, JSON.stringify(result.event, null, 2)));
    box.replaceChildren(...parts);
    return;
  }

  parts.push(element("p", { className: "verdict bad" }, "Rejected: ",
    element("code", { className: "code" }, result.code)));
  parts.push(element("p", {}, CODE_EXPLANATIONS[result.code] ?? ""));
  parts.push(element("p", { className: "message" }, "Verifier message: ",
    element("q", {}, result.message)));

  if (result.hints.length > 0) {
    parts.push(element("h3", {}, "Likely causes"));
    const list = element("ul", { className: "hints" });
    for (const hint of result.hints) {
      list.append(element("li", {}, element("code", { className: "cause" }, hint.cause),
        " ", hint.message));
    }
    parts.push(list);
  }

  const comparison = compareWithSigned(result, delivery);
  if (comparison !== undefined) {
    parts.push(element("p", { className: "help" }, comparison));
  }
  box.replaceChildren(...parts);
}

/**
 * Returns a sentence on where the body differs from the one step 1 signed,
 * when the delivery carries step 1's signature, or undefined.
 */
function compareWithSigned(result, delivery) {
  if (result.code !== "signature_mismatch" || signedDelivery === undefined) {
    return undefined;
  }
  const signature = delivery.headers
    .find(([name]) => name.toLowerCase() === "x-webhook-signature")?.[1];
  if (signature !== signedDelivery.headers["x-webhook-signature"]) {
    return undefined;
  }
  const difference = firstDifference(signedDelivery.body, delivery.body);
  if (difference === undefined) {
    return "This body is byte for byte the one signed in step 1, so the secret or the "
      + "timestamp header differs.";
  }
  return `This delivery carries step 1's signature, and its body first differs from the `
    + `body signed there at byte ${difference.byte} (line ${difference.line}, column `
    + `${difference.column}).`;
}

function setUpSend() {
  $("send-run").addEventListener("click", send);
}

/** POSTs step 1's delivery to the URL in the Send field and shows the response. */
async function send() {
  const box = $("send-result");
  if (signedDelivery === undefined) {
    box.replaceChildren(element("p", { className: "verdict bad" },
      "Step 1 has no signed delivery yet: fix what it reports first."));
    return;
  }
  let url;
  try {
    url = new URL($("send-url").value.trim());
  } catch {
    box.replaceChildren(element("p", { className: "verdict bad" },
      "Enter a full URL, such as http://127.0.0.1:8787/."));
    return;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    box.replaceChildren(element("p", { className: "verdict bad" },
      `Only http and https URLs can be sent to, not ${url.protocol}`));
    return;
  }

  box.replaceChildren(element("p", {}, `Sending to ${url.href}…`));
  $("send-run").disabled = true;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), SEND_TIMEOUT_MS);
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: signedDelivery.headers,
      body: signedDelivery.body,
      mode: "cors",
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
      signal: controller.signal,
    });
    const text = await response.text();
    showResponse(response, text);
  } catch (error) {
    showSendFailure(error, url);
  } finally {
    clearTimeout(timer);
    $("send-run").disabled = false;
  }
}

function showResponse(response, text) {
  const verdict = response.ok ? "good" : "bad";
  const parts = [
    element("p", { className: `verdict ${verdict}` },
      `HTTP ${response.status} ${response.statusText}`.trim()),
  ];
  let displayedText = text;
  try {
    displayedText = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // Not JSON: show the text as it came.
  }
  if (displayedText.length > 20_000) {
    displayedText = `${displayedText.slice(0, 20_000)}\n… (cut at 20000 characters)`;
  }
  parts.push(element("pre", { tabIndex: 0 }, displayedText === "" ? "(empty body)"
    : displayedText));
  $("send-result").replaceChildren(...parts);
}

function showSendFailure(error, url) {
  let message;
  let verdict = "No response";
  if (error.name === "AbortError") {
    message = `No response from ${url.origin} within ${SEND_TIMEOUT_MS / 1000} seconds.`;
  } else if (error instanceof TypeError) {
    message = `The request to ${url.origin} failed before any response could be read. The `
      + "receiver probably does not allow cross-origin requests from this page (CORS), or "
      + "it is not running. Send the delivery with the curl command below instead.";
  } else {
    verdict = "Request failed";
    message = error.message;
  }
  $("send-result").replaceChildren(
    element("p", { className: "verdict bad" }, verdict),
    element("p", {}, message),
  );
}

function setUpCopyButtons() {
  for (const button of document.querySelectorAll("button.copy")) {
    button.addEventListener("click", () => copy(button));
  }
}

async function copy(button) {
  const text = $(button.dataset.copy).textContent;
  const label = button.textContent;
  let done = true;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    done = copyWithSelection(text);
  }
  button.textContent = done ? "Copied" : "Copy failed: select the text";
  $("copy-status").textContent = done ? `${label}: copied.` : "Copying failed.";
  setTimeout(() => {
    button.textContent = label;
  }, 1500);
}

/** Copies through a selected off-screen text box, for pages without the Clipboard API. */
function copyWithSelection(text) {
  const area = element("textarea", { className: "visually-hidden", readOnly: true }, text);
  document.body.append(area);
  area.select();
  let done = false;
  try {
    done = document.execCommand("copy");
  } finally {
    area.remove();
  }
  return done;
}

function currentSeconds() {
  return Math.floor(Date.now() / 1000);
}

/** Creates an element with properties and children (strings become text). */
function element(tag, properties, ...children) {
  const node = Object.assign(document.createElement(tag), properties);
  node.append(...children);
  return node;
}
