// A minimal static file server on node:http (no dependencies), shared by `npm start` and the tests.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm', // required by WebAssembly.instantiateStreaming
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.pdf': 'application/pdf',
};

/** The file under `dir` for a URL path, or undefined if the path tries to leave `dir`. */
function resolveInside(dir, urlPath) {
  let decoded;
  try { decoded = decodeURIComponent(urlPath); } catch { return undefined; } // malformed %-escape
  const file = normalize(join(dir, decoded));
  return file === dir || file.startsWith(dir.endsWith(sep) ? dir : dir + sep) ? file : undefined;
}

/**
 * @param mounts URL prefix -> directory, e.g. { '/pkg/': '/repo/pkg', '/': '/repo/www' }; longest prefix wins.
 * @returns an http.Server, not yet listening.
 */
export function createStaticServer(mounts) {
  return createServer(createStaticHandler(mounts));
}

/** The request handler of createStaticServer, for servers that answer some routes themselves first. */
export function createStaticHandler(mounts) {
  const prefixes = Object.keys(mounts).sort((a, b) => b.length - a.length);
  return async (request, response) => {
    const send = (status, text) => response.writeHead(status, { 'content-type': 'text/plain' }).end(text);
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(405, 'method not allowed\n');
    const path = request.url.split('?')[0]; // not new URL(): '//x' would parse as a host
    const prefix = prefixes.find((p) => path.startsWith(p));
    let file = prefix && resolveInside(mounts[prefix], path.slice(prefix.length));
    if (!file) return send(404, 'not found\n');
    try {
      let info = await stat(file);
      if (info.isDirectory()) {
        file = join(file, 'index.html');
        info = await stat(file);
      }
      response.writeHead(200, {
        'content-type': MIME[extname(file)] ?? 'application/octet-stream',
        'content-length': info.size,
        'cache-control': 'no-cache',
      });
      if (request.method === 'HEAD') return response.end();
      createReadStream(file).pipe(response);
    } catch {
      send(404, 'not found\n');
    }
  };
}
