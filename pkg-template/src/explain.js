// explain(): verifies a delivery as Verifier.verify does and, when it is
// rejected, looks for the usual causes. It recomputes MACs with sign() over
// variants of the body, the secret and the signed content, and compares them
// with the signature header's candidates. It is a debugging aid: it does far
// more work than a verification, none of it in constant time, so never use it
// to accept deliveries.
//
// Hints refer to secrets by position ("secret 2 of otherSecrets") and never
// contain a secret, a MAC or the body.

import { decodeSignatureHeader, headerNames, similarHeaderNames } from "./explain-headers.js";
import { bodyVariants, secretVariants } from "./explain-variants.js";

const SIGNATURE_KEYWORD = /sig/;
const TIMESTAMP_KEYWORD = /timestamp|(^|-)(time|ts)$/;
// The smallest UNIX time in milliseconds with 13 digits (September 2001).
const MILLISECONDS_MAGNITUDE = 1_000_000_000_000;
const SECONDS_DIGITS = /^[0-9]{1,12}$/;
const ASCII_WHITESPACE_AROUND = /^[\t\n\f\r ]+|[\t\n\f\r ]+$/g;
const textEncoder = new TextEncoder();

/** Builds explain() over the package's own verifier, signer and header reader. */
export function createExplain({ Verifier, WebhookError, sign, parse, toBytes, readHeader }) {
  /** Signs `bytes` with `secret` and returns the MAC as lowercase hex, or undefined. */
  function computeMac(secret, bytes) {
    try {
      return sign(secret, bytes)["x-webhook-signature"];
    } catch (error) {
      if (error instanceof WebhookError) {
        return undefined;
      }
      throw error;
    }
  }

  /** Returns the error code of verifying with `overrides`, or undefined when it passes. */
  function verifyCode(context, overrides) {
    const { bytes, headers, now, verifierOptions, secrets } = context;
    try {
      const verifier = new Verifier({ ...verifierOptions, secrets, ...overrides });
      verifier.verify(bytes, headers, { now });
      return undefined;
    } catch (error) {
      if (error instanceof WebhookError) {
        return error.code;
      }
      throw error;
    }
  }

  /**
   * Verifies `body` against `headers` and returns `{ ok: true, event, scheme,
   * hints: [] }`, or `{ ok: false, code, message, hints }` with the likely
   * causes of the rejection. Throws only for invalid arguments or options.
   */
  return function explain(body, headers, options = {}) {
    if (options === null || typeof options !== "object" || Array.isArray(options)) {
      throw new TypeError("explain(body, headers, options): options must be an object");
    }
    const bytes = toBytes(body, "explain");
    const { now: nowOption, otherSecrets: otherOption, secrets: secretsOption, ...rest } =
      options;
    const now = nowOption === undefined ? Math.floor(Date.now() / 1000) : nowOption;
    const { secrets, hints: secretHints } = readSecrets(secretsOption);
    const otherSecrets = readOtherSecrets(otherOption);

    let verifier;
    try {
      verifier = new Verifier({ ...rest, secrets });
    } catch (error) {
      if (error instanceof WebhookError && error.code === "no_secret") {
        return { ok: false, code: error.code, message: error.message, hints: secretHints };
      }
      throw error;
    }

    const context = {
      bytes,
      headers,
      now,
      verifier,
      verifierOptions: rest,
      secrets,
      otherSecrets,
      signatureValue: readHeader(headers, verifier.signatureHeader),
      timestampValue: readHeader(headers, verifier.timestampHeader),
    };
    try {
      const event = verifier.verify(bytes, headers, { now });
      return { ok: true, event, scheme: matchedScheme(context), hints: [] };
    } catch (error) {
      if (!(error instanceof WebhookError)) {
        throw error;
      }
      const hints = dedupe(hintsFor(error.code, context));
      return { ok: false, code: error.code, message: error.message, hints };
    }
  };

  function matchedScheme(context) {
    const { verifier, timestampValue } = context;
    if (verifier.scheme !== "auto") {
      return verifier.scheme;
    }
    if (timestampValue === undefined) {
      return "body";
    }
    const code = verifyCode(context, { scheme: "timestamp.body" });
    return code === undefined ? "timestamp.body" : "body";
  }

  function hintsFor(code, context) {
    switch (code) {
      case "missing_signature":
        return missingSignatureHints(context);
      case "malformed_signature":
        return signatureFormatHints(context);
      case "malformed_timestamp":
        return timestampFormatHints(context);
      case "missing_timestamp":
        return [...similarTimestampHeaderHints(context), ...searchSignature(context)];
      case "signature_mismatch":
        return mismatchHints(context);
      case "timestamp_too_old":
      case "timestamp_too_new":
        return freshnessHints(context, code);
      default:
        return [];
    }
  }

  function missingSignatureHints(context) {
    const { headers, verifier } = context;
    const names = headerNames(headers);
    if (names.length === 0) {
      return [{
        cause: "no_headers",
        message: "No headers were given to the verifier. Pass the request's headers: a "
          + "Headers object, a plain object or [name, value] pairs.",
      }];
    }
    const target = verifier.signatureHeader;
    return similarHeaderNames(names, target, SIGNATURE_KEYWORD).map((name) => {
      let message = `There is no "${target}" header, but there is "${name}".`;
      if (name.includes("_")) {
        message += " Some proxies (nginx by default) drop header names with underscores, "
          + "so send it with hyphens.";
      }
      if (verifyCode(context, { signatureHeader: name }) === undefined) {
        message += ` Its value is a valid signature of this body: pass signatureHeader: `
          + `"${name}", or send the signature under "${target}".`;
      } else {
        message += ` If it carries the signature, pass signatureHeader: "${name}".`;
      }
      return { cause: "similar_header", message };
    });
  }

  function similarTimestampHeaderHints(context) {
    const { headers, verifier } = context;
    const target = verifier.timestampHeader;
    return similarHeaderNames(headerNames(headers), target, TIMESTAMP_KEYWORD).map((name) => ({
      cause: "similar_header",
      message: `There is no "${target}" header, but there is "${name}". If it carries the `
        + `timestamp, pass timestampHeader: "${name}", or send it under "${target}".`,
    }));
  }

  function signatureFormatHints(context) {
    const { signatureValue, secrets, otherSecrets, verifier } = context;
    const hints = [];
    const value = signatureValue.replace(ASCII_WHITESPACE_AROUND, "");
    const labelled = [
      ...labelSecrets(secrets, "secrets"),
      ...labelSecrets(otherSecrets, "otherSecrets"),
    ];
    for (const { secret, label } of labelled) {
      if (value === secret.trim()) {
        hints.push({
          cause: "secret_in_header",
          message: `The "${verifier.signatureHeader}" header contains ${label} itself, not an `
            + "HMAC of the body. The sender must send the hex HMAC-SHA256 of the signed "
            + "content, keyed with the secret, and never the secret.",
        });
        return hints;
      }
    }

    const { pieces } = decodeSignatureHeader(signatureValue);
    pieces.slice(0, 8).forEach((piece, index) => {
      const detail = describeMalformedPiece(piece);
      if (detail !== undefined) {
        hints.push({ cause: "signature_format", message: `Value ${index + 1} ${detail}` });
      }
    });
    return hints;
  }

  function timestampFormatHints(context) {
    const name = context.verifier.timestampHeader;
    const value = context.timestampValue.replace(ASCII_WHITESPACE_AROUND, "");
    const excerpt = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    if (/^[0-9]{13}$/.test(value)) {
      return [{
        cause: "milliseconds_timestamp",
        message: `The "${name}" header's value ${value} has 13 digits: it is UNIX time in `
          + "milliseconds (Date.now() in JavaScript, for example). The sender must send "
          + `and sign whole seconds, ${value.slice(0, 10)}.`,
      }];
    }
    if (value.includes(",")) {
      return [{
        cause: "repeated_header",
        message: `The "${name}" header arrived more than once, so its values are joined `
          + "with \", \". Send it once, and check that no proxy adds a second copy.",
      }];
    }
    if (/^[0-9]+\.[0-9]+$/.test(value)) {
      return [{
        cause: "timestamp_format",
        message: `The "${name}" header's value ${excerpt} has a fraction (time.time() in `
          + `Python, for example). Send and sign whole seconds, ${value.split(".")[0]}.`,
      }];
    }
    const date = Date.parse(value);
    if (!Number.isNaN(date) && /[0-9]{4}-[0-9]{2}-[0-9]{2}|[A-Za-z]{3},/.test(value)) {
      return [{
        cause: "timestamp_format",
        message: `The "${name}" header's value "${excerpt}" is a date, not UNIX seconds. Send `
          + `and sign whole seconds since 1970: ${Math.floor(date / 1000)} for that date.`,
      }];
    }
    return [];
  }

  function mismatchHints(context) {
    const hints = searchSignature(context);
    if (hints.length > 0) {
      return hints;
    }
    return [...bodyContentHints(context.bytes), {
      cause: "no_variant_matched",
      message: "None of the usual causes fits: no variant of the body (line endings, "
        + "trailing newline, re-serialised JSON), of the secrets (whitespace, prefix, "
        + "otherSecrets) or of the signed content (scheme, timestamp) matches. Either the "
        + "body was changed after signing, or the sender signs with a secret not given here.",
    }];
  }

  /** Names mistakes visible in the body itself, for when no variant matched. */
  function bodyContentHints(bytes) {
    const hints = [];
    if (bytes.length === 0) {
      hints.push({
        cause: "empty_body",
        message: "The body is empty. The request body was probably read before it reached "
          + "the verifier (by a JSON body parser, for example). Read the raw body once and "
          + "pass those bytes.",
      });
      return hints;
    }
    const text = new TextDecoder().decode(bytes);
    if (text === "[object Object]") {
      hints.push({
        cause: "object_body",
        message: "The body is the text \"[object Object]\": a parsed object was turned into "
          + "a string. Pass the raw request body.",
      });
    }
    if (text.includes("\uFFFD")) {
      hints.push({
        cause: "body_encoding",
        message: "The body contains U+FFFD replacement characters: bytes that were not "
          + "valid UTF-8 were lost when the body was decoded to a string. Pass the raw "
          + "bytes (a Uint8Array), not a string.",
      });
    }
    return hints;
  }

  /**
   * Signs variants of the body, secrets and signed content, and returns the
   * causes of every variant whose MAC is one of the header's candidates.
   */
  function searchSignature(context) {
    const { bytes, secrets, otherSecrets, signatureValue } = context;
    const { macs } = decodeSignatureHeader(signatureValue);
    const plainSecrets = [
      ...labelSecrets(secrets, "secrets").map((entry) => ({ ...entry, causes: [] })),
      ...labelSecrets(otherSecrets, "otherSecrets").map((entry) => ({
        ...entry,
        causes: [wrongSecretCause(entry.label)],
      })),
    ];
    const changedSecrets = plainSecrets.flatMap(({ secret, label, causes }) =>
      secretVariants(secret, label).map((variant) => ({
        secret: variant.secret,
        causes: [...causes, ...variant.causes],
      })));
    const bodies = [{ bytes, causes: [], original: true }, ...bodyVariants(bytes)];

    const causes = [];
    for (const content of signedContents(context)) {
      for (const candidateBody of bodies) {
        const signed = withPrefix(content.prefix, candidateBody.bytes);
        const tried = candidateBody.original
          ? [...plainSecrets, ...changedSecrets]
          : plainSecrets;
        for (const secret of tried) {
          // The verifier itself already tried the unchanged body, secrets and content.
          if (candidateBody.original && content.allowed && secret.causes.length === 0) {
            continue;
          }
          if (macs.has(computeMac(secret.secret, signed))) {
            causes.push(...content.causes, ...candidateBody.causes, ...secret.causes);
          }
        }
      }
    }
    return causes;
  }

  /**
   * Lists what a sender may have signed: the body alone, the timestamp
   * header's value and the body, the envelope's timestamp and the body, and
   * the value of a similarly named header and the body. `allowed` marks what
   * this verifier's scheme tries.
   */
  function signedContents(context) {
    const { bytes, headers, verifier, timestampValue } = context;
    const scheme = verifier.scheme;
    const timestampName = verifier.timestampHeader;
    const contents = [{
      prefix: undefined,
      allowed: scheme !== "timestamp.body",
      causes: scheme === "timestamp.body" ? [schemeCause("body")] : [],
    }];

    const headerText = timestampValue?.replace(ASCII_WHITESPACE_AROUND, "");
    if (headerText !== undefined && SECONDS_DIGITS.test(headerText)) {
      contents.push({
        prefix: headerText,
        allowed: scheme !== "body",
        causes: scheme === "body" ? [schemeCause("timestamp.body")] : [],
      });
    }

    const envelopeText = envelopeTimestamp(bytes);
    if (envelopeText !== undefined && envelopeText !== headerText) {
      const cause = headerText === undefined
        ? {
          cause: "timestamp_header_missing",
          message: `The signature covers the envelope's timestamp ${envelopeText}, a ".", `
            + "then the body (scheme timestamp.body), but the request has no "
            + `"${timestampName}" header. A proxy may have removed it, or the sender uses `
            + "another name: pass the header through to the verifier.",
        }
        : {
          cause: "timestamp_header_changed",
          message: `The signature covers the envelope's timestamp ${envelopeText} (scheme `
            + `timestamp.body), not the "${timestampName}" header's value ${headerText}: the `
            + "header was changed after signing, or the sender sends another value than it "
            + "signs.",
        };
      contents.push({ prefix: envelopeText, allowed: false, causes: [cause] });
    }

    const similar = similarHeaderNames(headerNames(headers), timestampName, TIMESTAMP_KEYWORD);
    for (const name of similar) {
      const value = readHeader(headers, name)?.replace(ASCII_WHITESPACE_AROUND, "");
      if (value === undefined || !SECONDS_DIGITS.test(value) || value === headerText) {
        continue;
      }
      contents.push({
        prefix: value,
        allowed: false,
        causes: [{
          cause: "similar_header",
          message: `The signature covers the "${name}" header's value as the timestamp `
            + `(scheme timestamp.body), but this verifier reads "${timestampName}". Pass `
            + `timestampHeader: "${name}", or send the timestamp under "${timestampName}".`,
        }],
      });
    }
    return contents;
  }

  /** Returns the envelope's timestamp as decimal text, or undefined for an invalid body. */
  function envelopeTimestamp(bytes) {
    try {
      return String(parse(bytes).timestamp);
    } catch (error) {
      if (error instanceof WebhookError) {
        return undefined;
      }
      throw error;
    }
  }

  function freshnessHints(context, code) {
    const { now, verifier } = context;
    const source = authenticatedTimestamp(context);
    if (source === undefined) {
      return [];
    }
    const { seconds, description } = source;

    if (seconds >= MILLISECONDS_MAGNITUDE) {
      return [{
        cause: "milliseconds_timestamp",
        message: `${capitalise(description)} ${seconds} has ${String(seconds).length} digits: `
          + "it is UNIX time in milliseconds. The sender must send whole seconds, "
          + `${Math.floor(seconds / 1000)}.`,
      }];
    }
    if (now >= MILLISECONDS_MAGNITUDE) {
      return [{
        cause: "milliseconds_now",
        message: `options.now is ${now}, UNIX time in milliseconds (Date.now()). Pass `
          + "seconds: Math.floor(Date.now() / 1000).",
      }];
    }

    const difference = Math.abs(now - seconds);
    const tolerance = verifier.toleranceSeconds;
    const amount = difference < 120
      ? `${difference} seconds`
      : `${difference} seconds (${describeDuration(difference)})`;
    const clock = `this receiver's clock (now = ${now})`;
    const message = code === "timestamp_too_old"
      ? `${capitalise(description)} ${seconds} is ${amount} behind ${clock}, over the `
        + `tolerance of ${tolerance} seconds. Either this is a replay of an old delivery, or `
        + `the two clocks differ by ${difference} seconds: check that both sides keep their `
        + "clocks in sync (NTP)."
      : `${capitalise(description)} ${seconds} is ${amount} ahead of ${clock}, over the `
        + `tolerance of ${tolerance} seconds: the two clocks differ by ${difference} seconds. `
        + "Check that both sides keep their clocks in sync (NTP).";
    const hints = [{ cause: "clock_skew", message }];

    const zone = timeZoneOffset(difference);
    if (zone !== undefined) {
      hints.push({
        cause: "timezone_offset",
        message: `The difference is within a minute of ${zone}: one side probably turns a `
          + "local time into UNIX time as if it were UTC, a time zone error rather than a "
          + "drifting clock.",
      });
    }
    return hints;
  }

  /**
   * Returns the timestamp the freshness check ran on: the header's when the
   * signature covers it, else the envelope's.
   */
  function authenticatedTimestamp(context) {
    const { bytes, verifier, timestampValue } = context;
    if (verifier.scheme !== "body" && timestampValue !== undefined) {
      const code = verifyCode(context, {
        scheme: "timestamp.body",
        toleranceSeconds: Number.MAX_SAFE_INTEGER,
      });
      if (code !== "signature_mismatch" && code !== "malformed_timestamp") {
        return {
          seconds: Number(timestampValue.replace(ASCII_WHITESPACE_AROUND, "")),
          description: `the "${verifier.timestampHeader}" header's timestamp`,
        };
      }
    }
    const envelopeText = envelopeTimestamp(bytes);
    if (envelopeText === undefined) {
      return undefined;
    }
    return { seconds: Number(envelopeText), description: "the envelope's timestamp" };
  }
}

/**
 * Reads options.secrets for explain(): an undefined, null or empty secret
 * becomes "" so that the verifier rejects it with `no_secret`, and gets a hint.
 */
function readSecrets(option) {
  if (option === undefined || option === null) {
    return {
      secrets: [],
      hints: [{
        cause: "empty_secret",
        message: `options.secrets is ${option}: the setting or environment variable it is `
          + "read from is probably not set.",
      }],
    };
  }
  if (!Array.isArray(option)) {
    return { secrets: option, hints: emptySecretHints([option]) };
  }
  if (option.length === 0) {
    return {
      secrets: option,
      hints: [{ cause: "empty_secret", message: "options.secrets is an empty list." }],
    };
  }
  const secrets = option.map((secret) => secret ?? "");
  return { secrets, hints: emptySecretHints(option) };
}

function emptySecretHints(secrets) {
  const hints = [];
  secrets.forEach((secret, index) => {
    if (secret === undefined || secret === null || secret === "") {
      const state = secret === "" ? "empty" : String(secret);
      hints.push({
        cause: "empty_secret",
        message: `Secret ${index + 1} of secrets is ${state}: the setting or environment `
          + "variable it is read from is probably not set.",
      });
    }
  });
  return hints;
}

function readOtherSecrets(option) {
  if (option === undefined || option === null) {
    return [];
  }
  const list = typeof option === "string" ? [option] : option;
  if (!Array.isArray(list) || !list.every((secret) => typeof secret === "string")) {
    // The message names no value, because the values are secrets.
    throw new TypeError("options.otherSecrets must be an array of strings");
  }
  return list;
}

/** Pairs each non-empty secret with its position, as in "secret 2 of otherSecrets". */
function labelSecrets(secrets, listName) {
  const list = typeof secrets === "string" ? [secrets] : secrets;
  return list
    .map((secret, index) => ({ secret, label: `secret ${index + 1} of ${listName}` }))
    .filter(({ secret }) => typeof secret === "string" && secret.length > 0);
}

function wrongSecretCause(label) {
  return {
    cause: "wrong_secret",
    message: `The signature matches ${label}, not any of the receiver's secrets: the sender `
      + "signs with another secret (the test secret where the live one is expected, or an "
      + "old one after a rotation, for example). Give the receiver the secret the sender "
      + "uses, or list both during a rotation.",
  };
}

function schemeCause(signedScheme) {
  const message = signedScheme === "body"
    ? "The signature covers the body alone (scheme body), but this verifier requires "
      + "scheme timestamp.body. Verify with scheme \"auto\" (the default) or \"body\", which "
      + "checks the envelope's own timestamp for freshness, or have the sender sign the "
      + "timestamp too."
    : "The signature covers the timestamp header, a \".\", then the body (scheme "
      + "timestamp.body), but this verifier uses scheme body, which covers the body alone. "
      + "Verify with scheme \"auto\" (the default) or \"timestamp.body\".";
  return { cause: "scheme_mismatch", message };
}

/** Describes why a signature header value is not a candidate, or returns undefined. */
function describeMalformedPiece(piece) {
  const prefixed = /^([A-Za-z0-9_-]+)=(.*)$/.exec(piece);
  if (prefixed !== null && prefixed[1].toLowerCase() !== "sha256") {
    const [, name, rest] = prefixed;
    if (/^[0-9]+$/.test(rest)) {
      return `is "${name}=" followed by digits, a layout of another provider (Stripe's `
        + "\"t=…,v1=…\", for example). This verifier expects the hex HMAC-SHA256, "
        + "optionally after \"sha256=\".";
    }
    return `has the prefix "${name}=". Only "sha256=" is accepted before the hex or base64 `
      + "HMAC-SHA256.";
  }
  const value = prefixed === null ? piece : prefixed[2];
  if (/^["'].*["']$/.test(value)) {
    return "is in quotes. Send the signature without them.";
  }
  if (/^[0-9a-f]+$/i.test(value)) {
    const lengths = { 40: "an HMAC-SHA1", 96: "an HMAC-SHA384", 128: "an HMAC-SHA512" };
    if (lengths[value.length] !== undefined) {
      return `is ${value.length} hex characters, the length of ${lengths[value.length]}. `
        + "This verifier expects HMAC-SHA256: 64 hex characters.";
    }
    if (value.length < 64) {
      return `is ${value.length} hex characters, short of 64: it was probably truncated.`;
    }
  }
  return undefined;
}

function withPrefix(prefix, body) {
  if (prefix === undefined) {
    return body;
  }
  const head = textEncoder.encode(`${prefix}.`);
  const signed = new Uint8Array(head.length + body.length);
  signed.set(head);
  signed.set(body, head.length);
  return signed;
}

/**
 * Returns the time zone offset, such as "2 hours" or "5 hours 30 minutes", that
 * `seconds` is within a minute of, or undefined.
 */
function timeZoneOffset(seconds) {
  const halfHours = Math.round(seconds / 1800);
  if (halfHours < 1 || halfHours > 28 || Math.abs(seconds - halfHours * 1800) > 60) {
    return undefined;
  }
  const hours = Math.floor(halfHours / 2);
  const minutes = halfHours % 2 === 1 ? " 30 minutes" : "";
  if (hours === 0) {
    return "30 minutes";
  }
  return `${hours} hour${hours === 1 ? "" : "s"}${minutes}`;
}

function describeDuration(seconds) {
  if (seconds < 7200) {
    return `about ${Math.round(seconds / 60)} minutes`;
  }
  if (seconds < 172800) {
    return `about ${Math.round(seconds / 3600)} hours`;
  }
  return `about ${Math.round(seconds / 86400)} days`;
}

function capitalise(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function dedupe(hints) {
  const seen = new Set();
  return hints.filter(({ cause, message }) => {
    const key = `${cause}\n${message}`;
    if (seen.has(key)) {
      return false;
    }
    seen.add(key);
    return true;
  });
}
