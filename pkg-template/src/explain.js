// Placeholder until the debugging helpers land: explain() reports the
// verifier's outcome without hints.

export function createExplain({ Verifier, WebhookError }) {
  return function explain(body, headers, options = {}) {
    const { now, ...verifierOptions } = options;
    try {
      const event = new Verifier(verifierOptions).verify(body, headers, { now });
      return { ok: true, event, hints: [] };
    } catch (error) {
      if (error instanceof WebhookError) {
        return { ok: false, code: error.code, message: error.message, hints: [] };
      }
      throw error;
    }
  };
}
