// Compile-time check of the package's hand-written types: `deno check` fails
// if the declarations stop describing the API used here.

import type {
  ErrorCode,
  Explanation,
  SignedHeaders,
  VerifierOptions,
  WebhookEvent,
} from "../../pkg/index.d.ts";
import { explain, parse, sign, Verifier, WebhookError } from "../../pkg/deno.mjs";

const options: VerifierOptions = { secrets: ["whsec_example"], scheme: "timestamp.body" };
const verifier = new Verifier(options);
const body = '{"event":"user.joined","timestamp":1750689600,"data":{"user_id":"u","name":"A"}}';
const headers: SignedHeaders = sign("whsec_example", body, { timestamp: 1750689600 });

function describe(event: WebhookEvent): string {
  switch (event.event) {
    case "user.joined":
      return `${event.data.name} joined`;
    case "post.reported":
      return `report: ${event.data.reason ?? "no reason"}`;
    default:
      return event.event;
  }
}

try {
  console.log(describe(verifier.verify(body, headers, { now: 1750689600 })));
  console.log(describe(parse(body)));
} catch (error) {
  if (error instanceof WebhookError) {
    const code: ErrorCode = error.code;
    console.log(code);
  }
}

const explanation: Explanation = explain(body, new Headers(headers as Record<string, string>), {
  secrets: ["whsec_example"],
  now: 1750689600,
});
if (!explanation.ok) {
  console.log(explanation.code, explanation.hints.map((hint) => hint.cause));
}
