// Text helpers of the playground that touch no page element: parsing pasted
// headers and raw HTTP requests, and writing curl and fetch commands that
// send a body byte for byte.

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();
// RFC 9110 token characters, the only ones allowed in a header name.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const REQUEST_LINE = /^([A-Z]+) (\S+) HTTP\/\d(\.\d)?$/;

/** Returns the UTF-8 length of `text` in bytes. */
export function byteLength(text) {
  return textEncoder.encode(text).length;
}

/**
 * Parses "name: value" lines into [name, value] pairs, keeping repeated
 * headers. Blank lines are skipped. Throws an Error naming the first invalid line.
 */
export function parseHeaderLines(text) {
  const pairs = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === "") {
      return;
    }
    if (/^[ \t]/.test(line) && pairs.length > 0) {
      // An obsolete folded line continues the previous header's value.
      pairs[pairs.length - 1][1] += ` ${line.trim()}`;
      return;
    }
    const colon = line.indexOf(":");
    const name = colon === -1 ? "" : line.slice(0, colon);
    if (!HEADER_NAME.test(name)) {
      throw new Error(`Line ${index + 1} is not a "name: value" header: ${excerpt(line)}`);
    }
    pairs.push([name, line.slice(colon + 1).trim()]);
  });
  return pairs;
}

/**
 * Parses a raw HTTP/1.1 request: an optional request line, headers, a blank
 * line, then the body. With a Content-Length header, the body is cut to that
 * many bytes. Returns `{ method, target, headers, body, notes }`, where notes
 * are sentences about what the parser assumed.
 */
export function parseRawRequest(text) {
  const separator = /\r?\n\r?\n/.exec(text);
  if (separator === null) {
    throw new Error("There is no blank line between the headers and the body. Add one "
      + "after the last header.");
  }
  const lines = text.slice(0, separator.index).split(/\r?\n/);
  let body = text.slice(separator.index + separator[0].length);
  const notes = [];

  let method;
  let target;
  const requestLine = REQUEST_LINE.exec(lines[0]);
  if (requestLine !== null) {
    [, method, target] = requestLine;
    lines.shift();
  }
  const headers = parseHeaderLines(lines.join("\n"));

  const lengths = headers.filter(([name]) => name.toLowerCase() === "content-length");
  if (lengths.length === 0) {
    notes.push("There is no Content-Length header, so the body is everything after the "
      + "blank line, including any trailing newline.");
  } else {
    const declared = Number(lengths[0][1]);
    const bytes = textEncoder.encode(body);
    if (!Number.isSafeInteger(declared) || declared < 0) {
      notes.push(`Content-Length "${excerpt(lengths[0][1])}" is not a number of bytes, so `
        + "the body is everything after the blank line.");
    } else if (bytes.length > declared) {
      body = textDecoder.decode(bytes.subarray(0, declared));
      notes.push(`The body was cut to its Content-Length of ${declared} bytes; `
        + `${bytes.length - declared} more bytes followed it.`);
    } else if (bytes.length < declared) {
      notes.push(`The body is ${bytes.length} bytes, shorter than its Content-Length of `
        + `${declared}: part of it is missing, or line endings changed from CRLF to LF.`);
    }
  }
  return { method, target, headers, body, notes };
}

function excerpt(text) {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/**
 * Quotes `text` as one POSIX shell word. Text with control characters other
 * than newline uses bash's $'…' quoting, which zsh and ksh also read.
 * Returns undefined for text with a NUL byte, which no shell argument carries.
 */
export function shellQuote(text) {
  if (text.includes("\0")) {
    return undefined;
  }
  if (!/[\x01-\x09\x0b-\x1f\x7f]/.test(text)) {
    return `'${text.replace(/'/g, "'\\''")}'`;
  }
  const escaped = text.replace(/[\\'\x01-\x1f\x7f]/g, (character) => {
    const named = { "\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t" };
    return named[character]
      ?? `\\x${character.charCodeAt(0).toString(16).padStart(2, "0")}`;
  });
  return `$'${escaped}'`;
}

/**
 * Returns a curl command that POSTs `body` to `url` with `headers` (an object
 * of name to value), sending the body byte for byte.
 */
export function curlCommand(url, headers, body) {
  const quotedBody = shellQuote(body);
  if (quotedBody === undefined) {
    return "# The body contains a NUL byte, which a shell argument cannot carry.\n"
      + "# Save the body to a file and send it with: --data-binary @body.json";
  }
  const lines = [`curl --silent --show-error --include ${shellQuote(url)}`];
  for (const [name, value] of Object.entries(headers)) {
    lines.push(`  --header ${shellQuote(`${name}: ${value}`)}`);
  }
  // --data-binary reads a file when its value starts with "@"; --data-raw never does,
  // and neither changes a literal value's bytes.
  const option = body.startsWith("@") ? "--data-raw" : "--data-binary";
  lines.push(`  ${option} ${quotedBody}`);
  return lines.join(" \\\n");
}

/**
 * Returns JavaScript that POSTs `body` to `url` with `headers` using fetch.
 * The body is a String.raw template when that keeps it exact, else a JSON
 * string literal.
 */
export function fetchCommand(url, headers, body) {
  const headerLines = Object.entries(headers)
    .map(([name, value]) => `    ${JSON.stringify(name)}: ${JSON.stringify(value)},`);
  return [
    ...bodyDeclaration(body),
    `const response = await fetch(${JSON.stringify(url)}, {`,
    "  method: \"POST\",",
    "  headers: {",
    ...headerLines,
    "  },",
    "  body,",
    "});",
    "console.log(response.status, await response.text());",
  ].join("\n");
}

function bodyDeclaration(body) {
  // A raw template keeps every character but these: a backtick or "${" ends or
  // interpolates, a CR is read as LF, and a final backslash escapes the backtick.
  if (/`|\$\{|\r/.test(body) || body.endsWith("\\")) {
    return [`const body = ${JSON.stringify(body)};`];
  }
  return [
    "// String.raw keeps every backslash, so the body is sent exactly as shown.",
    `const body = String.raw\`${body}\`;`,
  ];
}

/**
 * Replaces the value of the first "timestamp" member in JSON text with
 * `seconds`, keeping the text's layout and whether the value was a string.
 */
export function withTimestamp(text, seconds) {
  return text.replace(/("timestamp"\s*:\s*)("?)[0-9]+\2/, `$1$2${seconds}$2`);
}

/** Describes a body's bytes: length, line endings and trailing newline. */
export function describeBody(text) {
  const parts = [`${byteLength(text)} bytes of UTF-8`];
  const crlf = (text.match(/\r\n/g) ?? []).length;
  const lf = (text.match(/\n/g) ?? []).length - crlf;
  if (crlf > 0 && lf > 0) {
    parts.push("mixed CRLF and LF line endings");
  } else if (crlf > 0) {
    parts.push("CRLF line endings");
  } else if (lf > 0) {
    parts.push("LF line endings");
  } else {
    parts.push("one line");
  }
  parts.push(/\n$/.test(text) ? "ends with a newline" : "no trailing newline");
  return parts.join(", ");
}

/**
 * Returns where `received` first differs from `sent` as `{ byte, line,
 * column }` (all 1-based), or undefined when the two are the same bytes.
 */
export function firstDifference(sent, received) {
  const left = textEncoder.encode(sent);
  const right = textEncoder.encode(received);
  const length = Math.min(left.length, right.length);
  let index = 0;
  while (index < length && left[index] === right[index]) {
    index += 1;
  }
  if (index === left.length && index === right.length) {
    return undefined;
  }
  const before = textDecoder.decode(right.subarray(0, index));
  const lines = before.split("\n");
  return { byte: index + 1, line: lines.length, column: lines[lines.length - 1].length + 1 };
}
