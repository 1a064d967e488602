// A small static file server for the playground: GET and HEAD only, files
// under one folder, .wasm as application/wasm, bound to 127.0.0.1.
//
// Run as `node scripts/static-server.mjs DIR` (port from PORT, default
// 8788), or import serveStatic() from a test.

import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const CONTENT_TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".txt": "text/plain; charset=utf-8",
};

/**
 * Serves the files under `root` on `host`:`port` (0 picks a free port) and
 * resolves to the listening server once it accepts connections.
 */
export function serveStatic(root, { host = "127.0.0.1", port = 0 } = {}) {
  const base = resolve(root);
  const server = createServer((request, response) => {
    handle(base, request, response).catch((error) => {
      const target = `${request.method} ${request.url}`;
      console.error(`static-server: ${target} failed: ${error.message}`);
      if (!response.headersSent) {
        response.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      }
      response.end("internal error\n");
    });
  });
  return new Promise((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolvePromise(server));
  });
}

async function handle(base, request, response) {
  if (request.method !== "GET" && request.method !== "HEAD") {
    response.writeHead(405, {
      allow: "GET, HEAD",
      "content-type": "text/plain; charset=utf-8",
    });
    response.end("method not allowed\n");
    return;
  }

  const { pathname } = new URL(request.url, "http://localhost");
  let path;
  try {
    path = resolve(join(base, decodeURIComponent(pathname)));
  } catch {
    path = undefined;
  }
  // Reject paths that leave the root, such as /../secret.
  if (path === undefined || (path !== base && !path.startsWith(base + sep))) {
    notFound(response);
    return;
  }

  let info = await stat(path).catch(() => undefined);
  if (info?.isDirectory()) {
    path = join(path, "index.html");
    info = await stat(path).catch(() => undefined);
  }
  if (info === undefined || !info.isFile()) {
    notFound(response);
    return;
  }

  response.writeHead(200, {
    "content-type": CONTENT_TYPES[extname(path)] ?? "application/octet-stream",
    "content-length": info.size,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  if (request.method === "HEAD") {
    response.end();
    return;
  }
  createReadStream(path).pipe(response);
}

function notFound(response) {
  response.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
  response.end("not found\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = process.argv[2];
  if (root === undefined) {
    console.error("usage: node scripts/static-server.mjs DIR (port from PORT, default 8788)");
    process.exit(2);
  }
  const port = Number(process.env.PORT ?? 8788);
  const server = await serveStatic(root, { port });
  const { address, port: bound } = server.address();
  console.log(`serving ${resolve(root)} at http://${address}:${bound}/ (Ctrl+C stops)`);
}
