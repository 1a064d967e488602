// A minimal JavaScript Worker that verifies with the package's workerd build.
import { Verifier, WebhookError } from "../../pkg/workerd.mjs";

export default {
  async fetch(request, env) {
    const verifier = new Verifier({ secrets: [env.WEBHOOK_SECRET] });
    try {
      const event = verifier.verify(await request.arrayBuffer(), request.headers, {
        now: Number(request.headers.get("x-test-now")),
      });
      return Response.json({ ok: true, event });
    } catch (error) {
      if (!(error instanceof WebhookError)) {
        throw error;
      }
      return Response.json({ ok: false, code: error.code }, { status: 401 });
    }
  },
};
