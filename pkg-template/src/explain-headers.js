// Header helpers for explain(): the signature header's candidates as the
// verifier decodes them, and header names that look like a misspelt or
// renamed signature or timestamp header.

const MAC_BYTES = 32;
const MAX_CANDIDATES = 8;
// Rust's `is_ascii_whitespace` set, which the verifier splits candidates on.
const CANDIDATE_SEPARATORS = /[,\t\n\f\r ]+/;
// For 32 bytes, base64's last character carries 2 bits of padding, which a
// canonical encoding leaves at zero; the verifier rejects any other value.
const CANONICAL_LAST_BASE64 = "AEIMQUYcgkosw048";

/**
 * Decodes a signature header as the verifier does and returns its pieces and
 * the set of candidate MACs as lowercase hex. Only the first 8 pieces are
 * decoded, because the verifier rejects a header with more.
 */
export function decodeSignatureHeader(value) {
  const pieces = value.split(CANDIDATE_SEPARATORS).filter((piece) => piece.length > 0);
  const macs = new Set();
  for (const piece of pieces.slice(0, MAX_CANDIDATES)) {
    const hex = decodeCandidate(piece);
    if (hex !== undefined) {
      macs.add(hex);
    }
  }
  return { pieces, macs };
}

function decodeCandidate(piece) {
  const value = /^sha256=/i.test(piece) ? piece.slice("sha256=".length) : piece;
  if (value.length === 64) {
    return /^[0-9a-f]{64}$/i.test(value) ? value.toLowerCase() : undefined;
  }
  const standard = /^[A-Za-z0-9+/]{43}=?$/.test(value);
  const urlSafe = /^[A-Za-z0-9_-]{43}=?$/.test(value);
  if (!standard && !urlSafe) {
    return undefined;
  }
  if (!CANONICAL_LAST_BASE64.includes(value[42])) {
    return undefined;
  }
  const binary = atob(value.slice(0, 43).replace(/-/g, "+").replace(/_/g, "/") + "=");
  if (binary.length !== MAC_BYTES) {
    return undefined;
  }
  let hex = "";
  for (let index = 0; index < binary.length; index += 1) {
    hex += binary.charCodeAt(index).toString(16).padStart(2, "0");
  }
  return hex;
}

/** Lists the header names (lowercase) of any header form that `readHeader` accepts. */
export function headerNames(headers) {
  if (typeof headers.get === "function" && typeof headers.forEach === "function") {
    const names = [];
    headers.forEach((_value, name) => names.push(name.toLowerCase()));
    return names;
  }
  const entries = Array.isArray(headers) ? headers : Object.entries(headers);
  return entries
    .filter((entry) => Array.isArray(entry) && typeof entry[0] === "string")
    .map(([name]) => name.toLowerCase());
}

/**
 * Returns the names in `names` that are probably meant as header `target`:
 * the same name with underscores or surrounding spaces, a name within three
 * edits of it, or a name that contains `keyword` (a regular expression).
 */
export function similarHeaderNames(names, target, keyword) {
  const normalisedTarget = normaliseName(target);
  const found = [];
  for (const name of names) {
    if (name === target || found.includes(name)) {
      continue;
    }
    const normalised = normaliseName(name);
    if (
      normalised === normalisedTarget
      || keyword.test(normalised)
      || editDistance(normalised, normalisedTarget) <= 3
    ) {
      found.push(name);
    }
  }
  return found;
}

function normaliseName(name) {
  return name.trim().toLowerCase().replace(/_/g, "-");
}

/** Levenshtein distance, for short strings such as header names. */
function editDistance(left, right) {
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let row = 1; row <= left.length; row += 1) {
    const current = [row];
    for (let column = 1; column <= right.length; column += 1) {
      const cost = left[row - 1] === right[column - 1] ? 0 : 1;
      const deletion = previous[column] + 1;
      const insertion = current[column - 1] + 1;
      current.push(Math.min(deletion, insertion, previous[column - 1] + cost));
    }
    previous = current;
  }
  return previous[right.length];
}
