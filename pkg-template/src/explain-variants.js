// Variants of a body and of a secret that explain() signs to find why a
// signature does not match. Each variant names the causes that would explain
// a match. Messages refer to secrets by position and never contain one.

// ignoreBOM keeps a leading byte order mark in the text, so variants keep it too.
const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const textEncoder = new TextEncoder();

const LAYOUTS = [
  { layout: "compact JSON", indent: "", itemSeparator: ",", keySeparator: ":" },
  { layout: "JSON with \", \" and \": \" separators (Python's default)", indent: "",
    itemSeparator: ", ", keySeparator: ": " },
  { layout: "JSON with 2-space indentation", indent: "  ", itemSeparator: ",",
    keySeparator: ": " },
  { layout: "JSON with 4-space indentation", indent: "    ", itemSeparator: ",",
    keySeparator: ": " },
  { layout: "JSON with tab indentation", indent: "\t", itemSeparator: ",",
    keySeparator: ": " },
];
const ESCAPES = [
  { escapes: "", asciiOnly: false, escapeSlashes: false },
  { escapes: "non-ASCII characters as \\u escapes", asciiOnly: true, escapeSlashes: false },
  { escapes: "non-ASCII characters as \\u escapes and \"/\" as \"\\/\" (PHP's default)",
    asciiOnly: true, escapeSlashes: true },
];

const RAW_BODY_ADVICE =
  "Pass the request body to the verifier as raw bytes, exactly as received.";

/**
 * Returns variants of `bytes` that a sender may have signed where the
 * receiver now has `bytes`: other line endings, an added or removed
 * trailing newline, a byte order mark, another text encoding, and
 * re-serialisations of the JSON. Each is `{ bytes, causes: [{ cause, message }] }`.
 */
export function bodyVariants(bytes) {
  const variants = [];
  const seen = new Set();
  const add = (text, causes) => {
    if (!seen.has(text)) {
      seen.add(text);
      variants.push({ bytes: textEncoder.encode(text), causes });
    }
  };

  let text;
  try {
    text = utf8Decoder.decode(bytes);
  } catch {
    // Not UTF-8: no text variant can reproduce these bytes.
    return variants;
  }
  seen.add(text);

  for (const variant of lineEndingVariants(text)) {
    add(variant.text, variant.causes);
  }
  addByteOrderMarkVariant(text, add);
  for (const variant of reserialisations(text)) {
    add(variant.text, variant.causes);
  }

  const latin1 = latin1Bytes(text);
  if (latin1 !== undefined) {
    variants.push({ bytes: latin1, causes: [latin1Cause()] });
  }
  return variants;
}

function lineEndingVariants(text) {
  const bases = [{ text, causes: [] }];
  if (text.includes("\r\n")) {
    bases.push({
      text: text.replace(/\r\n/g, "\n"),
      causes: [lineEndingCause("LF line endings, where the body given here has CRLF")],
    });
  }
  if (/(^|[^\r])\n/.test(text)) {
    bases.push({
      text: text.replace(/\r?\n/g, "\r\n"),
      causes: [lineEndingCause(
        "CRLF line endings, where the body given here has LF (a browser textarea, "
          + "for one, turns CRLF into LF)",
      )],
    });
  }

  const variants = [];
  for (const base of bases) {
    variants.push(base);
    for (const ending of ["\n", "\r\n"]) {
      variants.push({
        text: base.text + ending,
        causes: [...base.causes, trailingNewlineCause(
          `with a trailing ${describeEnding(ending)} added: the signed body ends with a `
            + "newline that is missing here (trimmed by the receiver, or lost in copying)",
        )],
      });
    }
    const trimmed = base.text.replace(/(\r?\n)+$/, "");
    if (trimmed !== base.text) {
      variants.push({
        text: trimmed,
        causes: [...base.causes, trailingNewlineCause(
          "without its trailing newline: the signed body has none, so one was added on "
            + "the way (by an editor, a heredoc or echo, for example)",
        )],
      });
    }
  }
  return variants.filter((variant) => variant.causes.length > 0);
}

function describeEnding(ending) {
  return ending === "\n" ? "newline (\\n)" : "CRLF (\\r\\n)";
}

function lineEndingCause(detail) {
  return {
    cause: "line_endings",
    message: `The signature matches this body with ${detail}. The line endings changed `
      + `between signing and verifying. ${RAW_BODY_ADVICE}`,
  };
}

function trailingNewlineCause(detail) {
  return {
    cause: "trailing_newline",
    message: `The signature matches this body ${detail}. ${RAW_BODY_ADVICE}`,
  };
}

function addByteOrderMarkVariant(text, add) {
  const hasMark = text.startsWith("\uFEFF");
  const detail = hasMark
    ? "without the UTF-8 byte order mark it starts with here"
    : "with a UTF-8 byte order mark (EF BB BF) in front";
  add(hasMark ? text.slice(1) : `\uFEFF${text}`, [{
    cause: "byte_order_mark",
    message: `The signature matches this body ${detail}: a byte order mark was added or `
      + `removed when the body was read or written as text. ${RAW_BODY_ADVICE}`,
  }]);
}

/** Returns the UTF-8 text's characters as Latin-1 bytes, when that differs from UTF-8. */
function latin1Bytes(text) {
  if (!/[\u0080-\u00ff]/.test(text) || /[^\u0000-\u00ff]/.test(text)) {
    return undefined;
  }
  return Uint8Array.from(text, (character) => character.charCodeAt(0));
}

function latin1Cause() {
  return {
    cause: "body_encoding",
    message: "The signature matches this body's characters taken as Latin-1 bytes: the "
      + "receiver decoded the raw body as Latin-1 (\"binary\") text, and the verifier "
      + `encodes a string as UTF-8. ${RAW_BODY_ADVICE} Pass a Uint8Array, not a string.`,
  };
}

/**
 * Returns the body re-serialised in the layouts that common JSON libraries
 * write: compact, spaced, indented, with keys as they are or sorted, with or
 * without \u and \/ escapes, and with or without a trailing newline.
 *
 * NOTE: the body is parsed with JSON.parse, which rounds integers beyond 2^53
 * and moves integer-like keys first. So a re-serialisation by a parser that
 * keeps them exactly is not reproduced.
 */
function reserialisations(text) {
  let value;
  try {
    value = JSON.parse(text.startsWith("\uFEFF") ? text.slice(1) : text);
  } catch {
    return [];
  }
  const hasEscapes = /\\u[0-9a-fA-F]{4}/.test(text);
  const variants = [];
  for (const layout of LAYOUTS) {
    for (const sortKeys of [false, true]) {
      for (const escape of ESCAPES) {
        const style = { ...layout, ...escape, sortKeys };
        const serialised = serialise(value, style, 0);
        const description = describeStyle(style, hasEscapes);
        variants.push({ text: serialised, causes: [reserialisedCause(description)] });
        variants.push({
          text: `${serialised}\n`,
          causes: [reserialisedCause(`${description}, ending with a newline`)],
        });
      }
    }
  }
  return variants;
}

function describeStyle(style, hasEscapes) {
  const parts = [style.layout];
  if (style.sortKeys) {
    parts.push("keys sorted");
  }
  if (style.escapes !== "") {
    parts.push(style.escapes);
  } else if (hasEscapes) {
    parts.push("\\u escapes written as the characters they stand for");
  }
  return parts.join(", ");
}

function reserialisedCause(description) {
  return {
    cause: "reserialised_body",
    message: `The signature matches this body re-serialised as ${description}. The sender `
      + "signed that form, so the body given to the verifier is not the raw request body "
      + "but a re-serialisation of it (JSON.stringify(req.body) after a JSON body parser, "
      + `for example). ${RAW_BODY_ADVICE}`,
  };
}

function serialise(value, style, depth) {
  if (Array.isArray(value)) {
    const items = value.map((item) => serialise(item, style, depth + 1));
    return wrap("[", items, "]", style, depth);
  }
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value);
    if (style.sortKeys) {
      keys.sort();
    }
    const items = keys.map((key) => quote(key, style) + style.keySeparator
      + serialise(value[key], style, depth + 1));
    return wrap("{", items, "}", style, depth);
  }
  if (typeof value === "string") {
    return quote(value, style);
  }
  return JSON.stringify(value);
}

function wrap(open, items, close, style, depth) {
  if (items.length === 0) {
    return open + close;
  }
  if (style.indent === "") {
    return open + items.join(style.itemSeparator) + close;
  }
  const inner = `\n${style.indent.repeat(depth + 1)}`;
  return `${open}${inner}${items.join(`,${inner}`)}\n${style.indent.repeat(depth)}${close}`;
}

function quote(text, style) {
  let quoted = JSON.stringify(text);
  if (style.asciiOnly) {
    quoted = quoted.replace(/[\u0080-\uffff]/g, (character) =>
      `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`);
  }
  if (style.escapeSlashes) {
    quoted = quoted.replace(/\//g, "\\/");
  }
  return quoted;
}

/**
 * Returns variants of secret `secret`, labelled `label` (such as "secret 1 of
 * secrets"), that a sender may be using: with surrounding whitespace removed,
 * with a trailing newline, and with or without a "whsec_" prefix.
 */
export function secretVariants(secret, label) {
  const variants = [];
  const seen = new Set([secret]);
  const add = (value, cause, message) => {
    if (value.length > 0 && !seen.has(value)) {
      seen.add(value);
      variants.push({ secret: value, causes: [{ cause, message }] });
    }
  };

  const trimmed = secret.trim();
  add(trimmed, "secret_whitespace", `The signature matches ${label} with its surrounding `
    + "whitespace removed: the copy given to the verifier has extra whitespace, often a "
    + "trailing newline from a file or an environment variable. A secret is used as its "
    + "exact bytes, so trim it where it is loaded.");
  for (const ending of ["\n", "\r\n"]) {
    add(trimmed + ending, "secret_whitespace", `The signature matches ${label} with a `
      + `trailing ${describeEnding(ending)}: the sender's copy of the secret ends with a `
      + "newline (written with echo, for example), which makes it a different key. Remove "
      + "the newline where the sender loads the secret.");
  }

  const prefix = "whsec_";
  if (trimmed.startsWith(prefix)) {
    add(trimmed.slice(prefix.length), "secret_prefix", `The signature matches ${label} `
      + `without its "${prefix}" prefix: the sender signs with the part after the prefix. `
      + "A secret is used as its exact bytes, so give both sides the same string.");
  } else {
    add(prefix + trimmed, "secret_prefix", `The signature matches ${label} with a `
      + `"${prefix}" prefix in front: the sender signs with the whole string including the `
      + "prefix. A secret is used as its exact bytes, so give both sides the same string.");
  }
  return variants;
}
