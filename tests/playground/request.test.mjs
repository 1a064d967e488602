// Tests of the playground's text helpers in Node: the curl command runs in
// bash against a receiver on 127.0.0.1, and the fetch code runs with a
// recording fetch, so both are checked to send the body byte for byte.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import { after, before, test } from "node:test";
import { promisify } from "node:util";

import {
  curlCommand,
  describeBody,
  fetchCommand,
  firstDifference,
  parseHeaderLines,
  parseRawRequest,
  shellQuote,
  withTimestamp,
} from "../../playground/request.js";

const run = promisify(execFile);
const HEADERS = { "content-type": "application/json", "x-webhook-signature": "ab'c\"d$e" };

// Bodies that break naive quoting: quotes, $, backticks, backslashes, CR, tab,
// non-ASCII, a leading "@" and a trailing newline.
const BODIES = [
  ["plain JSON", '{"event":"post.liked","timestamp":1750689600,"data":{}}'],
  ["single quotes", `{"content":"it's 'quoted'"}`],
  ["shell syntax", '{"content":"$(rm -rf /) `id` ${HOME} $HOME !! \\\\ \\" \\n"}'],
  ["CRLF and tab", '{\r\n\t"content": "a"\r\n}\r\n'],
  ["non-ASCII", '{"content":"Café ☕ 🎉 Zoë \u2028"}'],
  ["leading @", "@/etc/passwd"],
  ["trailing backslash", "{}\\"],
  ["template syntax", '{"content":"`${x}`"}'],
  ["trailing newline", '{"a":1}\n'],
  ["empty", ""],
];

let server;
let received = [];

before(async () => {
  server = createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks) });
      response.writeHead(202, { "content-type": "text/plain" });
      response.end("ok");
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
});

after(() => {
  server.close();
});

for (const [name, body] of BODIES) {
  test(`curl command: ${name}`, async () => {
    received = [];
    const url = `http://127.0.0.1:${server.address().port}/hook`;
    const { stdout } = await run("bash", ["-c", curlCommand(url, HEADERS, body)]);
    assert.match(stdout, /^HTTP\/1\.1 202/);
    assert.equal(received.length, 1);
    assert.equal(received[0].body.toString("hex"), Buffer.from(body).toString("hex"));
    assert.equal(received[0].headers["x-webhook-signature"], HEADERS["x-webhook-signature"]);
    assert.equal(received[0].headers["content-type"], "application/json");
  });

  test(`fetch code: ${name}`, async () => {
    const calls = [];
    const recordingFetch = async (url, init) => {
      calls.push({ url, init });
      return { status: 202, text: async () => "ok" };
    };
    const AsyncFunction = (async () => {}).constructor;
    const code = fetchCommand("http://127.0.0.1:1/hook", HEADERS, body);
    await new AsyncFunction("fetch", "console", code)(recordingFetch, { log() {} });
    assert.equal(calls.length, 1);
    assert.equal(calls[0].url, "http://127.0.0.1:1/hook");
    assert.equal(calls[0].init.method, "POST");
    assert.equal(calls[0].init.body, body);
    assert.deepEqual(calls[0].init.headers, HEADERS);
  });
}

test("shellQuote: NUL byte has no quoting", () => {
  assert.equal(shellQuote("a\0b"), undefined);
  assert.match(curlCommand("http://127.0.0.1/", {}, "a\0b"), /NUL byte/);
});

test("shellQuote: control characters use $''", () => {
  assert.equal(shellQuote("a\tb"), "$'a\\tb'");
  assert.equal(shellQuote("it's"), "'it'\\''s'");
});

test("parseHeaderLines: pairs, repeats and folding", () => {
  const text = "X-Webhook-Signature: abc \n\nx-a: 1\nx-a: 2\nx-b: one\n  two";
  const pairs = parseHeaderLines(text);
  assert.deepEqual(pairs, [["X-Webhook-Signature", "abc"], ["x-a", "1"], ["x-a", "2"],
    ["x-b", "one two"]]);
});

test("parseHeaderLines: invalid line names its number", () => {
  assert.throws(() => parseHeaderLines("x-a: 1\nnot a header"), /Line 2 is not/);
});

test("parseRawRequest: request line and Content-Length", () => {
  const text = "POST /hook HTTP/1.1\nContent-Length: 7\nx-webhook-signature: abc\n\n"
    + "{\"a\":1}\n";
  const request = parseRawRequest(text);
  assert.equal(request.method, "POST");
  assert.equal(request.target, "/hook");
  assert.deepEqual(request.headers, [["Content-Length", "7"], ["x-webhook-signature", "abc"]]);
  assert.equal(request.body, "{\"a\":1}");
  assert.match(request.notes[0], /cut to its Content-Length of 7 bytes/);
});

test("parseRawRequest: CRLF, no request line, no length", () => {
  const request = parseRawRequest("x-a: 1\r\n\r\nbody\r\n");
  assert.equal(request.method, undefined);
  assert.equal(request.body, "body\r\n");
  assert.match(request.notes[0], /no Content-Length/);
});

test("parseRawRequest: Content-Length counts UTF-8 bytes", () => {
  const request = parseRawRequest("content-length: 5\n\nCafé\n");
  assert.equal(request.body, "Café");
});

test("parseRawRequest: missing blank line", () => {
  assert.throws(() => parseRawRequest("x-a: 1\nx-b: 2"), /no blank line/);
});

test("withTimestamp: keeps layout and string form", () => {
  assert.equal(withTimestamp('{\n  "timestamp": 1,\n  "data": {}\n}', 42),
    '{\n  "timestamp": 42,\n  "data": {}\n}');
  assert.equal(withTimestamp('{"timestamp":"17"}', 42), '{"timestamp":"42"}');
});

test("describeBody: length and line endings", () => {
  assert.equal(describeBody("é\r\n"),
    "4 bytes of UTF-8, CRLF line endings, ends with a newline");
  assert.equal(describeBody("{}"), "2 bytes of UTF-8, one line, no trailing newline");
});

test("firstDifference: byte, line and column", () => {
  assert.deepEqual(firstDifference("ab\ncd", "ab\ncX"), { byte: 5, line: 2, column: 2 });
  assert.equal(firstDifference("same", "same"), undefined);
  assert.deepEqual(firstDifference("abc", "ab"), { byte: 3, line: 1, column: 3 });
});
