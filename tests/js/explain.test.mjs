// Tests of explain() in the built package (pkg/): one test per cause it names.
// MACs come from node:crypto, so the test does not trust the package's signing.

import assert from "node:assert/strict";
import { test } from "node:test";

import { explain } from "../../pkg/index.mjs";
import { hmacHex } from "./cases.mjs";

const SECRET = "whsec_rcv_Q7xLm2";
const OTHER = "whsec_oth_Z9pKc4";
// The distinctive parts of the secrets: none may appear in a result.
const SECRET_MARKERS = ["rcv_Q7xLm2", "oth_Z9pKc4"];
const NOW = 1_750_689_600;
const TS = String(NOW);

const EVENT = {
  event: "user.joined",
  timestamp: NOW,
  data: { user_id: "usr_123456", name: "Zoë Okafor", bio: "https://example.com/zoe" },
};
const PRETTY = JSON.stringify(EVENT, null, 2);
const COMPACT = JSON.stringify(EVENT);

/** Signs like the platform: `timestamp: undefined` signs the body alone. */
function signed(body, options = {}) {
  const secret = options.secret ?? SECRET;
  const timestamp = "timestamp" in options ? options.timestamp : TS;
  if (timestamp === undefined) {
    return { "x-webhook-signature": hmacHex(secret, body) };
  }
  return {
    "x-webhook-signature": hmacHex(secret, timestamp, ".", body),
    "x-webhook-timestamp": timestamp,
  };
}

function run(body, headers, options = {}) {
  const result = explain(body, headers, { secrets: [SECRET], now: NOW, ...options });
  const json = JSON.stringify(result);
  for (const marker of SECRET_MARKERS) {
    assert.ok(!json.includes(marker), `the result contains a secret: ${json}`);
  }
  return result;
}

function assertRejected(result, code, cause) {
  assert.equal(result.ok, false, `expected a rejection, got ${JSON.stringify(result)}`);
  assert.equal(result.code, code);
  const causes = result.hints.map((hint) => hint.cause);
  assert.ok(causes.includes(cause), `expected cause ${cause}, got ${JSON.stringify(causes)}`);
  for (const hint of result.hints) {
    assert.equal(typeof hint.message, "string");
    assert.ok(hint.message.length > 0);
  }
  return result.hints.find((hint) => hint.cause === cause);
}

test("accepted: timestamp.body scheme", () => {
  const result = run(PRETTY, signed(PRETTY));
  assert.equal(result.ok, true);
  assert.equal(result.scheme, "timestamp.body");
  assert.equal(result.event.event, "user.joined");
  assert.deepEqual(result.hints, []);
});

test("accepted: body scheme", () => {
  const result = run(PRETTY, signed(PRETTY, { timestamp: undefined }));
  assert.equal(result.ok, true);
  assert.equal(result.scheme, "body");
  assert.equal(result.event.data.name, "Zoë Okafor");
});

test("accepted: Headers object", () => {
  const result = run(PRETTY, new Headers(signed(PRETTY)));
  assert.equal(result.ok, true);
});

const REWRITES = [
  ["2-space indentation", PRETTY],
  ["4-space indentation", JSON.stringify(EVENT, null, 4)],
  ["Python's default", '{"event": "user.joined", "timestamp": 1750689600, "data": {"user_id": '
    + '"usr_123456", "name": "Zo\\u00eb Okafor", "bio": "https://example.com/zoe"}}'],
  ["PHP's default", '{"event":"user.joined","timestamp":1750689600,"data":{"user_id":'
    + '"usr_123456","name":"Zo\\u00eb Okafor","bio":"https:\\/\\/example.com\\/zoe"}}'],
];

for (const [name, sent] of REWRITES) {
  test(`reserialised_body: ${name}`, () => {
    const received = JSON.stringify(JSON.parse(sent));
    assert.notEqual(received, sent);
    const result = run(received, signed(sent));
    assertRejected(result, "signature_mismatch", "reserialised_body");
  });
}

test("reserialised_body: keys in another order", () => {
  const sent = '{"data":{"bio":"https://example.com/zoe","name":"Zoë Okafor",'
    + '"user_id":"usr_123456"},"event":"user.joined","timestamp":1750689600}';
  const result = run(COMPACT, signed(sent));
  const hint = assertRejected(result, "signature_mismatch", "reserialised_body");
  assert.match(hint.message, /keys sorted/);
});

test("reserialised_body: escapes turned into characters", () => {
  const sent = REWRITES[2][1];
  const received = JSON.stringify(JSON.parse(sent), null, 2);
  const result = run(received, signed(sent));
  assertRejected(result, "signature_mismatch", "reserialised_body");
});

test("trailing_newline: newline lost", () => {
  const result = run(COMPACT, signed(`${COMPACT}\n`));
  assertRejected(result, "signature_mismatch", "trailing_newline");
});

test("trailing_newline: newline added", () => {
  const result = run(`${COMPACT}\r\n`, signed(COMPACT));
  assertRejected(result, "signature_mismatch", "trailing_newline");
});

test("line_endings: CRLF turned into LF", () => {
  const sent = PRETTY.replaceAll("\n", "\r\n");
  const result = run(PRETTY, signed(sent));
  assertRejected(result, "signature_mismatch", "line_endings");
});

test("line_endings: LF turned into CRLF", () => {
  const received = PRETTY.replaceAll("\n", "\r\n");
  const result = run(received, signed(PRETTY));
  assertRejected(result, "signature_mismatch", "line_endings");
});

test("milliseconds_timestamp: header", () => {
  const milliseconds = `${TS}000`;
  const result = run(PRETTY, signed(PRETTY, { timestamp: milliseconds }));
  const hint = assertRejected(result, "malformed_timestamp", "milliseconds_timestamp");
  assert.match(hint.message, new RegExp(TS));
});

test("milliseconds_timestamp: envelope under body scheme", () => {
  const body = JSON.stringify({ ...EVENT, timestamp: NOW * 1000 });
  const result = run(body, signed(body, { timestamp: undefined }));
  assertRejected(result, "timestamp_too_new", "milliseconds_timestamp");
});

test("wrong_secret: another secret matches", () => {
  const result = run(PRETTY, signed(PRETTY, { secret: OTHER }), {
    otherSecrets: ["whsec_oth_unused1", OTHER],
  });
  const hint = assertRejected(result, "signature_mismatch", "wrong_secret");
  assert.match(hint.message, /secret 2 of otherSecrets/);
});

test("secret_whitespace: receiver's secret has a newline", () => {
  const result = run(PRETTY, signed(PRETTY), { secrets: [`${SECRET}\n`] });
  const hint = assertRejected(result, "signature_mismatch", "secret_whitespace");
  assert.match(hint.message, /secret 1 of secrets/);
});

test("secret_whitespace: sender's secret has a newline", () => {
  const result = run(PRETTY, signed(PRETTY, { secret: `${SECRET}\n` }));
  assertRejected(result, "signature_mismatch", "secret_whitespace");
});

test("secret_whitespace: other secret with spaces", () => {
  const result = run(PRETTY, signed(PRETTY, { secret: OTHER }), {
    otherSecrets: [`  ${OTHER} `],
  });
  assertRejected(result, "signature_mismatch", "wrong_secret");
  assertRejected(result, "signature_mismatch", "secret_whitespace");
});

test("secret_prefix: sender drops whsec_", () => {
  const result = run(PRETTY, signed(PRETTY, { secret: SECRET.slice("whsec_".length) }));
  assertRejected(result, "signature_mismatch", "secret_prefix");
});

test("scheme_mismatch: body signature, timestamp.body verifier", () => {
  const headers = { ...signed(PRETTY, { timestamp: undefined }), "x-webhook-timestamp": TS };
  const result = run(PRETTY, headers, { scheme: "timestamp.body" });
  assertRejected(result, "signature_mismatch", "scheme_mismatch");
});

test("scheme_mismatch: timestamp.body signature, body verifier", () => {
  const result = run(PRETTY, signed(PRETTY), { scheme: "body" });
  assertRejected(result, "signature_mismatch", "scheme_mismatch");
});

test("scheme_mismatch: no timestamp header, timestamp.body verifier", () => {
  const result = run(PRETTY, signed(PRETTY, { timestamp: undefined }), {
    scheme: "timestamp.body",
  });
  assertRejected(result, "missing_timestamp", "scheme_mismatch");
});

test("clock_skew: too old", () => {
  const result = run(PRETTY, signed(PRETTY), { now: NOW + 1000 });
  const hint = assertRejected(result, "timestamp_too_old", "clock_skew");
  assert.match(hint.message, /1000 seconds/);
  assert.match(hint.message, /replay/);
});

test("clock_skew: too new", () => {
  const result = run(PRETTY, signed(PRETTY), { now: NOW - 450 });
  const hint = assertRejected(result, "timestamp_too_new", "clock_skew");
  assert.match(hint.message, /450 seconds/);
});

test("clock_skew: envelope under body scheme", () => {
  const result = run(PRETTY, signed(PRETTY, { timestamp: undefined }), { now: NOW + 999 });
  const hint = assertRejected(result, "timestamp_too_old", "clock_skew");
  assert.match(hint.message, /envelope's timestamp/);
  assert.match(hint.message, /999 seconds/);
});

test("timezone_offset: two hours apart", () => {
  const result = run(PRETTY, signed(PRETTY), { now: NOW + 7200 + 5 });
  assertRejected(result, "timestamp_too_old", "clock_skew");
  assertRejected(result, "timestamp_too_old", "timezone_offset");
});

test("milliseconds_now: now from Date.now()", () => {
  const result = run(PRETTY, signed(PRETTY), { now: NOW * 1000 });
  assertRejected(result, "timestamp_too_old", "milliseconds_now");
});

test("similar_header: signature under another name", () => {
  const headers = { "x-signature": signed(PRETTY)["x-webhook-signature"] };
  const result = run(PRETTY, headers);
  const hint = assertRejected(result, "missing_signature", "similar_header");
  assert.match(hint.message, /"x-signature"/);
});

test("similar_header: underscores and a valid signature", () => {
  const signature = signed(PRETTY, { timestamp: undefined })["x-webhook-signature"];
  const headers = { x_webhook_signature: signature };
  const result = run(PRETTY, headers);
  const hint = assertRejected(result, "missing_signature", "similar_header");
  assert.match(hint.message, /underscores/);
  assert.match(hint.message, /valid signature/);
});

test("similar_header: timestamp under another name", () => {
  const headers = {
    ...signed(PRETTY, { timestamp: String(NOW - 5) }),
    "x-webhook-timestamp": undefined,
    "x-timestamp": String(NOW - 5),
  };
  const result = run(PRETTY, headers);
  const hint = assertRejected(result, "signature_mismatch", "similar_header");
  assert.match(hint.message, /timestampHeader: "x-timestamp"/);
});

test("timestamp_header_missing: signed with the envelope's timestamp", () => {
  const headers = { "x-webhook-signature": signed(PRETTY)["x-webhook-signature"] };
  const result = run(PRETTY, headers);
  assertRejected(result, "signature_mismatch", "timestamp_header_missing");
});

test("timestamp_header_changed: header differs from what was signed", () => {
  const headers = { ...signed(PRETTY), "x-webhook-timestamp": String(NOW + 3) };
  const result = run(PRETTY, headers);
  assertRejected(result, "signature_mismatch", "timestamp_header_changed");
});

test("repeated_header: timestamp sent twice", () => {
  const headers = { ...signed(PRETTY), "x-webhook-timestamp": [TS, TS] };
  const result = run(PRETTY, headers);
  assertRejected(result, "malformed_timestamp", "repeated_header");
});

test("timestamp_format: fraction and date", () => {
  const fraction = run(PRETTY, { ...signed(PRETTY), "x-webhook-timestamp": `${TS}.25` });
  assertRejected(fraction, "malformed_timestamp", "timestamp_format");
  const iso = "2025-06-23T14:40:00Z";
  const date = run(PRETTY, { ...signed(PRETTY), "x-webhook-timestamp": iso });
  const hint = assertRejected(date, "malformed_timestamp", "timestamp_format");
  assert.match(hint.message, /1750689600/);
});

test("signature_format: unknown prefix", () => {
  const headers = { "x-webhook-signature": `v1=${signed(PRETTY)["x-webhook-signature"]}` };
  const result = run(PRETTY, headers);
  const hint = assertRejected(result, "malformed_signature", "signature_format");
  assert.match(hint.message, /"v1="/);
});

test("signature_format: HMAC-SHA1 length", () => {
  const headers = { "x-webhook-signature": "a".repeat(40) };
  const result = run(PRETTY, headers);
  const hint = assertRejected(result, "malformed_signature", "signature_format");
  assert.match(hint.message, /HMAC-SHA1/);
});

test("secret_in_header: the secret sent as the signature", () => {
  const result = run(PRETTY, { "x-webhook-signature": SECRET });
  assertRejected(result, "malformed_signature", "secret_in_header");
});

test("byte_order_mark: BOM added on the way", () => {
  const result = run(`\uFEFF${PRETTY}`, signed(PRETTY));
  assertRejected(result, "signature_mismatch", "byte_order_mark");
});

test("body_encoding: body decoded as Latin-1", () => {
  const raw = Buffer.from(PRETTY, "utf8");
  const result = run(raw.toString("latin1"), signed(PRETTY));
  assertRejected(result, "signature_mismatch", "body_encoding");
});

test("no_variant_matched: tampered body", () => {
  const tampered = PRETTY.replace("usr_123456", "usr_123457");
  const result = run(tampered, signed(PRETTY));
  assertRejected(result, "signature_mismatch", "no_variant_matched");
  assert.equal(result.hints.length, 1);
});

test("empty_body: body consumed before verifying", () => {
  const result = run("", signed(PRETTY));
  assertRejected(result, "signature_mismatch", "empty_body");
});

test("object_body: parsed object turned into a string", () => {
  const result = run("[object Object]", signed(PRETTY));
  assertRejected(result, "signature_mismatch", "object_body");
});

test("no_headers: nothing to read", () => {
  const result = run(PRETTY, {});
  assertRejected(result, "missing_signature", "no_headers");
});

test("empty_secret: undefined and empty secrets", () => {
  const missing = run(PRETTY, signed(PRETTY), { secrets: [undefined] });
  const hint = assertRejected(missing, "no_secret", "empty_secret");
  assert.match(hint.message, /secret 1 of secrets is undefined/i);
  const empty = run(PRETTY, signed(PRETTY), { secrets: [SECRET, ""] });
  assertRejected(empty, "no_secret", "empty_secret");
  const none = run(PRETTY, signed(PRETTY), { secrets: undefined });
  assertRejected(none, "no_secret", "empty_secret");
});

test("message is the verifier's error message", () => {
  const result = run(PRETTY, signed(PRETTY), { now: NOW + 1000 });
  assert.match(result.message, /^timestamp too old: it is 1000 seconds in the past/);
  assert.ok(!result.message.includes("replay of an old delivery"));
});

test("invalid arguments still throw TypeError", () => {
  assert.throws(() => explain({ event: "x" }, {}, { secrets: [SECRET] }), TypeError);
  const options = { secrets: [SECRET], otherSecrets: [1] };
  assert.throws(() => explain(PRETTY, {}, options), TypeError);
});
