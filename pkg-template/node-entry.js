// Bundled by esbuild into index.cjs; the wasm glue stays a separate file.
import * as wasm from "./wasm/node/networked_webhooks.js";
import { createApi } from "./src/api.js";

export const { Verifier, WebhookError, sign, parse, explain } = createApi(wasm);
