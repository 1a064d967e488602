// @ts-self-types="./index.d.ts"
// Deno loads the bundler build: it imports the .wasm file as a module, which
// needs no permission flags.
import * as wasm from "./wasm/bundler/networked_webhooks.js";
import { createApi } from "./src/api.js";

export const { Verifier, WebhookError, sign, parse, explain } = createApi(wasm);
