// Smoke test of the built npm package in Deno, over the same table of cases
// as the Node tests. Run with: deno test tests/deno/ (no permission flags).

import { Verifier, WebhookError, parse, sign } from "../../pkg/deno.mjs";
import { CASES, NOW, SECRET, envelope, hmacHex } from "../js/cases.mjs";

function assertEquals(actual, expected, label) {
  if (actual !== expected) {
    throw new Error(`${label}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

for (const row of CASES) {
  Deno.test(`table: ${row.name}`, () => {
    const verifier = new Verifier(row.options ?? { secrets: [SECRET] });
    let outcome = "ok";
    try {
      verifier.verify(row.body, row.headers, { now: row.now ?? NOW });
    } catch (error) {
      if (!(error instanceof WebhookError)) {
        throw error;
      }
      outcome = error.code;
    }
    assertEquals(outcome, row.expect, row.name);
  });
}

Deno.test("sign matches node:crypto", () => {
  const body = envelope();
  assertEquals(sign(SECRET, body)["x-webhook-signature"], hmacHex(SECRET, body), "signature");
});

Deno.test("parse keeps ids above 2^53", () => {
  const event = parse(`{"event":"post.liked","timestamp":1,"data":{"post_id":9007199254740993}}`);
  assertEquals(event.data.post_id, "9007199254740993", "post_id");
});

Deno.test("Headers object and Uint8Array body", () => {
  const body = new TextEncoder().encode(envelope());
  const headers = new Headers({ "X-Webhook-Signature": hmacHex(SECRET, body) });
  const event = new Verifier({ secrets: [SECRET] }).verify(body, headers, { now: NOW });
  assertEquals(event.event, "user.joined", "event");
});
