// The package's JavaScript surface, built over the wasm bindings of one target.
// Each entry point (Node, Deno, browsers, workerd) loads its own wasm build and
// passes it to createApi, so the API is the same everywhere.

import { createExplain } from "./explain.js";

const DEFAULT_SIGNATURE_HEADER = "x-webhook-signature";
const DEFAULT_TIMESTAMP_HEADER = "x-webhook-timestamp";
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const VERIFIER_OPTIONS = new Set([
  "secrets",
  "toleranceSeconds",
  "scheme",
  "maxBodyBytes",
  "signatureHeader",
  "timestampHeader",
]);
const textEncoder = new TextEncoder();

/** Builds the public API over the wasm module `wasm`. */
export function createApi(wasm) {
  /** A rejected webhook or invalid option, with a stable `code`. */
  class WebhookError extends Error {
    constructor(code, message) {
      super(message);
      this.name = "WebhookError";
      this.code = code;
    }
  }

  // The wasm layer throws plain { code, message } objects for expected failures.
  function callWasm(action) {
    try {
      return action();
    } catch (error) {
      if (isCodedFailure(error)) {
        throw new WebhookError(error.code, error.message);
      }
      throw error;
    }
  }

  class Verifier {
    #inner;
    #signatureHeader;
    #timestampHeader;

    constructor(options) {
      if (options === null || typeof options !== "object" || Array.isArray(options)) {
        throw new TypeError("new Verifier(options): options must be an object with `secrets`");
      }
      for (const key of Object.keys(options)) {
        if (!VERIFIER_OPTIONS.has(key)) {
          throw new WebhookError("invalid_options", `unknown option \`${key}\``);
        }
      }
      this.#signatureHeader = headerOption(options.signatureHeader, "signatureHeader")
        ?? DEFAULT_SIGNATURE_HEADER;
      this.#timestampHeader = headerOption(options.timestampHeader, "timestampHeader")
        ?? DEFAULT_TIMESTAMP_HEADER;
      const wasmOptions = { secrets: secretsOption(options.secrets) };
      for (const key of ["toleranceSeconds", "scheme", "maxBodyBytes"]) {
        if (options[key] !== undefined) {
          wasmOptions[key] = options[key];
        }
      }
      this.#inner = callWasm(() => new wasm.WasmVerifier(wasmOptions));
    }

    /** Verifies `body` against `headers` and returns the event, or throws. */
    verify(body, headers, options = {}) {
      const bytes = toBytes(body, "verify");
      // Checked here too, so an oversized body is never copied into wasm memory.
      checkLength(bytes, this.#inner.maxBodyBytes);
      const signature = readHeader(headers, this.#signatureHeader);
      const timestamp = readHeader(headers, this.#timestampHeader);
      const now = nowOption(options);
      return callWasm(() => this.#inner.verify(bytes, signature, timestamp, now));
    }

    get toleranceSeconds() {
      return this.#inner.toleranceSeconds;
    }

    get scheme() {
      return this.#inner.scheme;
    }

    get maxBodyBytes() {
      return this.#inner.maxBodyBytes;
    }

    get signatureHeader() {
      return this.#signatureHeader;
    }

    get timestampHeader() {
      return this.#timestampHeader;
    }

    toString() {
      return "[object Verifier]";
    }
  }

  /** Signs `body` as the platform does and returns the headers to send. */
  function sign(secret, body, options = {}) {
    if (typeof secret !== "string") {
      throw new TypeError("sign(secret, body): secret must be a string");
    }
    const bytes = toBytes(body, "sign");
    let timestamp = options?.timestamp;
    if (timestamp === true) {
      timestamp = Math.floor(Date.now() / 1000);
    } else if (timestamp === false || timestamp === null) {
      timestamp = undefined;
    } else if (timestamp !== undefined && typeof timestamp !== "number") {
      throw new TypeError("sign(): options.timestamp must be UNIX seconds as a number");
    }
    const signed = callWasm(() => wasm.sign(secret, bytes, timestamp));
    const headers = { [DEFAULT_SIGNATURE_HEADER]: signed.signature };
    if (signed.timestamp !== undefined) {
      headers[DEFAULT_TIMESTAMP_HEADER] = signed.timestamp;
    }
    return headers;
  }

  /** Parses `body` without checking any signature. */
  function parse(body) {
    const bytes = toBytes(body, "parse");
    checkLength(bytes, DEFAULT_MAX_BODY_BYTES);
    return callWasm(() => wasm.parse(bytes));
  }

  function checkLength(bytes, max) {
    if (bytes.byteLength > max) {
      throw new WebhookError(
        "body_too_large",
        `body too large: ${bytes.byteLength} bytes, over the maximum of ${max} bytes`,
      );
    }
  }

  const explain = createExplain({ Verifier, WebhookError, sign, parse, toBytes, readHeader });

  return { Verifier, WebhookError, sign, parse, explain };
}

function isCodedFailure(value) {
  return value !== null
    && typeof value === "object"
    && !(value instanceof Error)
    && typeof value.code === "string"
    && typeof value.message === "string";
}

function headerOption(value, name) {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== "string" || value.length === 0) {
    throw new TypeError(`options.${name} must be a non-empty header name`);
  }
  return asciiLowerCase(value);
}

// Header names are ASCII; toLowerCase would also fold characters such as
// the Kelvin sign into ASCII letters.
function asciiLowerCase(text) {
  return text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}

function secretsOption(secrets) {
  const list = typeof secrets === "string" ? [secrets] : secrets;
  if (!Array.isArray(list)) {
    throw new TypeError(`options.secrets must be an array of strings, got ${describeType(secrets)}`);
  }
  list.forEach((secret, index) => {
    if (typeof secret !== "string") {
      // Only the type is shown, never a value: it could be a secret.
      throw new TypeError(
        `options.secrets[${index}] is ${describeType(secret)}, expected a string; `
          + "check that the environment variable holding the secret is set",
      );
    }
  });
  return list;
}

function describeType(value) {
  if (value === null) {
    return "null";
  }
  return Array.isArray(value) ? "an array" : typeof value;
}

function nowOption(options) {
  const now = options?.now;
  if (now === undefined) {
    return Math.floor(Date.now() / 1000);
  }
  if (typeof now !== "number" || !Number.isFinite(now)) {
    throw new TypeError("options.now must be UNIX seconds as a finite number");
  }
  return now;
}

/** Returns `body` as bytes: strings are UTF-8 encoded, byte views are used as they are. */
export function toBytes(body, caller) {
  if (typeof body === "string") {
    return textEncoder.encode(body);
  }
  if (body instanceof Uint8Array) {
    return body;
  }
  if (body instanceof ArrayBuffer) {
    return new Uint8Array(body);
  }
  if (ArrayBuffer.isView(body)) {
    return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  }
  const kind = body === null ? "null" : typeof body;
  throw new TypeError(
    `${caller}(): body must be the raw request body as a string, Uint8Array or ArrayBuffer, `
      + `got ${kind}; pass the bytes as received, not parsed JSON, because re-serialised `
      + "JSON does not match the signature",
  );
}

/**
 * Returns the value of header `name` (lowercase) from a `Headers` object, a
 * plain object with any key case, or `[name, value]` pairs. Several values are
 * joined with ", " as HTTP does; a missing header gives `undefined`.
 */
export function readHeader(headers, name) {
  if (headers === null || typeof headers !== "object") {
    throw new TypeError("headers must be a Headers object, a plain object or [name, value] pairs");
  }
  if (typeof Headers !== "undefined" && headers instanceof Headers) {
    const value = headers.get(name);
    return value === null ? undefined : value;
  }
  let entries;
  if (Array.isArray(headers)) {
    entries = headers;
  } else if (headers instanceof Map) {
    entries = Array.from(headers);
  } else if (typeof headers.get === "function" && typeof headers.forEach === "function") {
    // Another fetch implementation's Headers class.
    const value = headers.get(name);
    if (value === null || value === undefined) {
      return undefined;
    }
    return headerValue(value, name);
  } else {
    entries = Object.entries(headers);
  }

  const values = [];
  for (const entry of entries) {
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== "string") {
      throw new TypeError("header pairs must be [name, value] arrays of strings");
    }
    const [key, value] = entry;
    if (asciiLowerCase(key) !== name) {
      continue;
    }
    if (Array.isArray(value)) {
      for (const item of value) {
        values.push(headerValue(item, key));
      }
    } else if (value !== undefined) {
      values.push(headerValue(value, key));
    }
  }
  return values.length === 0 ? undefined : values.join(", ");
}

function headerValue(value, key) {
  if (typeof value !== "string") {
    throw new TypeError(`header \`${key}\` must be a string or an array of strings`);
  }
  return value;
}
