// The table of verification cases shared by the Node and Deno tests of the
// built package. Signatures are computed with node:crypto, independently of
// the package, so a bug in the package's signing cannot hide one in verifying.

import { createHmac } from "node:crypto";

export const SECRET = "whsec_test_secret";
export const OTHER_SECRET = "whsec_other_secret";
export const NOW = 1750689600;

export function hmacHex(secret, ...parts) {
  const mac = createHmac("sha256", secret);
  for (const part of parts) {
    mac.update(part);
  }
  return mac.digest("hex");
}

export function hmacBase64(secret, ...parts) {
  const mac = createHmac("sha256", secret);
  for (const part of parts) {
    mac.update(part);
  }
  return mac.digest("base64");
}

export function envelope(event = "user.joined", timestamp = NOW, data = undefined) {
  return JSON.stringify({
    event,
    timestamp,
    data: data ?? { user_id: "usr_123456", name: "Ada" },
  });
}

const BODY = envelope();
const TS = String(NOW);
const bodySig = hmacHex(SECRET, BODY);
const tsSig = hmacHex(SECRET, TS, ".", BODY);

/**
 * Each case: `name`, `body`, `headers`, optional verifier `options` and
 * `now`, and `expect`: "ok" or the exact error code.
 */
export const CASES = [
  { name: "body scheme, lowercase hex", body: BODY, headers: { "x-webhook-signature": bodySig }, expect: "ok" },
  { name: "body scheme, uppercase hex", body: BODY, headers: { "x-webhook-signature": bodySig.toUpperCase() }, expect: "ok" },
  { name: "sha256= prefix", body: BODY, headers: { "x-webhook-signature": `sha256=${bodySig}` }, expect: "ok" },
  { name: "SHA256= prefix", body: BODY, headers: { "x-webhook-signature": `SHA256=${bodySig}` }, expect: "ok" },
  { name: "standard base64", body: BODY, headers: { "x-webhook-signature": hmacBase64(SECRET, BODY) }, expect: "ok" },
  {
    name: "url-safe base64 unpadded",
    body: BODY,
    headers: {
      "x-webhook-signature": hmacBase64(SECRET, BODY).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, ""),
    },
    expect: "ok",
  },
  { name: "timestamp.body scheme", body: BODY, headers: { "x-webhook-signature": tsSig, "x-webhook-timestamp": TS }, expect: "ok" },
  {
    name: "auto falls back to body",
    body: BODY,
    headers: { "x-webhook-signature": bodySig, "x-webhook-timestamp": TS },
    expect: "ok",
  },
  {
    name: "timestamp header trimmed",
    body: BODY,
    headers: { "x-webhook-signature": hmacHex(SECRET, TS, ".", BODY), "x-webhook-timestamp": ` ${TS} ` },
    expect: "ok",
  },
  {
    name: "good candidate last",
    body: BODY,
    headers: { "x-webhook-signature": `${hmacHex(OTHER_SECRET, BODY)}, ${bodySig}` },
    expect: "ok",
  },
  {
    name: "good candidate first, no space",
    body: BODY,
    headers: { "x-webhook-signature": `${bodySig},${hmacHex(OTHER_SECRET, BODY)}` },
    expect: "ok",
  },
  {
    name: "second secret matches",
    body: BODY,
    headers: { "x-webhook-signature": hmacHex(OTHER_SECRET, BODY) },
    options: { secrets: [SECRET, OTHER_SECRET] },
    expect: "ok",
  },
  {
    name: "envelope timestamp as digit string",
    body: envelope("post.liked", String(NOW), {}),
    headers: { "x-webhook-signature": hmacHex(SECRET, envelope("post.liked", String(NOW), {})) },
    expect: "ok",
  },
  {
    name: "unknown event type",
    body: envelope("space.archived", NOW, { space_id: "spc_1" }),
    headers: { "x-webhook-signature": hmacHex(SECRET, envelope("space.archived", NOW, { space_id: "spc_1" })) },
    expect: "ok",
  },
  { name: "no signature header", body: BODY, headers: {}, expect: "missing_signature" },
  { name: "empty signature", body: BODY, headers: { "x-webhook-signature": "" }, expect: "malformed_signature" },
  { name: "truncated signature", body: BODY, headers: { "x-webhook-signature": bodySig.slice(0, 63) }, expect: "malformed_signature" },
  {
    name: "non-hex signature",
    body: BODY,
    headers: { "x-webhook-signature": `${bodySig.slice(0, 63)}g` },
    expect: "malformed_signature",
  },
  {
    name: "nine candidates",
    body: BODY,
    headers: { "x-webhook-signature": Array(9).fill(bodySig).join(",") },
    expect: "malformed_signature",
  },
  { name: "wrong secret", body: BODY, headers: { "x-webhook-signature": hmacHex(OTHER_SECRET, BODY) }, expect: "signature_mismatch" },
  {
    name: "tampered body",
    body: BODY.replace("Ada", "Adb"),
    headers: { "x-webhook-signature": bodySig },
    expect: "signature_mismatch",
  },
  {
    name: "re-serialised body",
    body: JSON.stringify(JSON.parse(BODY), null, 2),
    headers: { "x-webhook-signature": bodySig },
    expect: "signature_mismatch",
  },
  {
    name: "secret with trailing newline",
    body: BODY,
    headers: { "x-webhook-signature": hmacHex(`${SECRET}\n`, BODY) },
    expect: "signature_mismatch",
  },
  {
    name: "timestamp.body without header",
    body: BODY,
    headers: { "x-webhook-signature": tsSig },
    options: { secrets: [SECRET], scheme: "timestamp.body" },
    expect: "missing_timestamp",
  },
  {
    name: "body-only signature under timestamp.body",
    body: BODY,
    headers: { "x-webhook-signature": bodySig, "x-webhook-timestamp": TS },
    options: { secrets: [SECRET], scheme: "timestamp.body" },
    expect: "signature_mismatch",
  },
  {
    name: "milliseconds timestamp",
    body: BODY,
    headers: { "x-webhook-signature": tsSig, "x-webhook-timestamp": `${TS}000` },
    expect: "malformed_timestamp",
  },
  {
    name: "timestamp with letters",
    body: BODY,
    headers: { "x-webhook-signature": tsSig, "x-webhook-timestamp": `${TS}abc` },
    expect: "malformed_timestamp",
  },
  {
    name: "negative timestamp",
    body: BODY,
    headers: { "x-webhook-signature": tsSig, "x-webhook-timestamp": `-${TS}` },
    expect: "malformed_timestamp",
  },
  {
    name: "fractional timestamp",
    body: BODY,
    headers: { "x-webhook-signature": tsSig, "x-webhook-timestamp": `${TS}.5` },
    expect: "malformed_timestamp",
  },
  {
    name: "timestamp header twice",
    body: BODY,
    headers: [["x-webhook-signature", tsSig], ["x-webhook-timestamp", TS], ["x-webhook-timestamp", TS]],
    expect: "malformed_timestamp",
  },
  {
    name: "header timestamp too old",
    body: BODY,
    headers: { "x-webhook-signature": tsSig, "x-webhook-timestamp": TS },
    now: NOW + 301,
    expect: "timestamp_too_old",
  },
  {
    name: "header timestamp at the tolerance",
    body: BODY,
    headers: { "x-webhook-signature": tsSig, "x-webhook-timestamp": TS },
    now: NOW + 300,
    expect: "ok",
  },
  {
    name: "header timestamp too new",
    body: BODY,
    headers: { "x-webhook-signature": tsSig, "x-webhook-timestamp": TS },
    now: NOW - 301,
    expect: "timestamp_too_new",
  },
  {
    name: "envelope timestamp too old",
    body: BODY,
    headers: { "x-webhook-signature": bodySig },
    now: NOW + 3600,
    expect: "timestamp_too_old",
  },
  {
    name: "fresh header cannot revive old body",
    body: BODY,
    headers: { "x-webhook-signature": bodySig, "x-webhook-timestamp": String(NOW + 3600) },
    now: NOW + 3600,
    expect: "timestamp_too_old",
  },
  {
    name: "custom tolerance",
    body: BODY,
    headers: { "x-webhook-signature": bodySig },
    options: { secrets: [SECRET], toleranceSeconds: 10 },
    now: NOW + 11,
    expect: "timestamp_too_old",
  },
  {
    name: "body over custom limit",
    body: BODY,
    headers: { "x-webhook-signature": bodySig },
    options: { secrets: [SECRET], maxBodyBytes: 16 },
    expect: "body_too_large",
  },
  {
    name: "body over default limit",
    body: `{"event":"x","timestamp":1,"data":{"pad":"${"a".repeat(1024 * 1024)}"}}`,
    headers: { "x-webhook-signature": bodySig },
    expect: "body_too_large",
  },
  {
    name: "signed non-JSON body",
    body: "event=user.joined",
    headers: { "x-webhook-signature": hmacHex(SECRET, "event=user.joined") },
    expect: "invalid_json",
  },
  {
    name: "signed empty body",
    body: "",
    headers: { "x-webhook-signature": hmacHex(SECRET, "") },
    expect: "invalid_json",
  },
  {
    name: "signed JSON array",
    body: "[]",
    headers: { "x-webhook-signature": hmacHex(SECRET, "[]") },
    expect: "invalid_envelope",
  },
  {
    name: "signed envelope without data",
    body: `{"event":"user.joined","timestamp":${NOW}}`,
    headers: { "x-webhook-signature": hmacHex(SECRET, `{"event":"user.joined","timestamp":${NOW}}`) },
    expect: "invalid_envelope",
  },
  {
    name: "signed envelope with fractional timestamp",
    body: `{"event":"user.joined","timestamp":${NOW}.5,"data":{}}`,
    headers: { "x-webhook-signature": hmacHex(SECRET, `{"event":"user.joined","timestamp":${NOW}.5,"data":{}}`) },
    expect: "invalid_envelope",
  },
];
