// Node's ESM entry re-exports the CommonJS build, so that `import` and
// `require` in one process share one wasm instance and one WebhookError class.
import api from "./index.cjs";

export const { Verifier, WebhookError, sign, parse, explain } = api;
