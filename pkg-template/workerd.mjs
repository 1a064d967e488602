// Cloudflare Workers import a .wasm file as a compiled WebAssembly.Module.
import * as wasm from "./wasm/web/networked_webhooks.js";
import wasmModule from "./wasm/web/networked_webhooks_bg.wasm";
import { createApi } from "./src/api.js";

wasm.initSync({ module: wasmModule });

export const { Verifier, WebhookError, sign, parse, explain } = createApi(wasm);
