// node:http <-> Web Request/Response, so `qualify` and `relay` run unchanged in Node (used by
// server.mjs, and by tests that run a relay in their own process).

/**
 * The request body as a Web stream. Unlike Readable.toWeb, cancelling it (qualify stops reading at its
 * size cap) leaves the socket open: node:http discards the unread rest once the answer is sent.
 */
function bodyStream(req) {
  let open = true;
  return new ReadableStream({
    start(controller) {
      req.on('data', (chunk) => {
        if (!open) return;
        controller.enqueue(new Uint8Array(chunk));
        if (controller.desiredSize <= 0) req.pause();
      });
      req.on('end', () => open && controller.close());
      req.on('error', (error) => open && controller.error(error));
    },
    pull() {
      req.resume();
    },
    cancel() {
      open = false;
    },
  });
}

/** node:http request -> Web Request (the body streams; qualify caps what it reads). */
export function toRequest(req) {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  return new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url}`, {
    method: req.method, headers, body: hasBody ? bodyStream(req) : undefined, duplex: 'half',
  });
}

/** Beyond this, an unread request body is not drained but the connection closed. */
const DRAIN_LIMIT = 16 * 1024 * 1024;

/**
 * Web Response -> node:http response. A body qualify did not read (too large) is drained so the
 * connection can serve the next request; past DRAIN_LIMIT the connection is closed instead.
 */
export async function send(response, res, req) {
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
  if (req && !req.complete) {
    let drained = 0;
    req.removeAllListeners('data');
    req.on('data', (chunk) => {
      drained += chunk.length;
      if (drained > DRAIN_LIMIT) req.destroy();
    });
    req.resume();
  }
}
