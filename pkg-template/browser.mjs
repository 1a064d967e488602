// Browsers load the web build and fetch the .wasm file next to it.
import init, * as wasm from "./wasm/web/networked_webhooks.js";
import { createApi } from "./src/api.js";

await init({ module_or_path: new URL("./wasm/web/networked_webhooks_bg.wasm", import.meta.url) });

export const { Verifier, WebhookError, sign, parse, explain } = createApi(wasm);
