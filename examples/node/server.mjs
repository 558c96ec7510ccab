// Node: `node examples/node/server.mjs` — node:http adapted to Web Request/Response, so the same
// `qualify` runs unchanged. Node has no waitUntil: the answer waits for the forward and reports it.
import { createServer } from 'node:http';
import { handle } from '../app.mjs';
import { send, toRequest } from './http.mjs';

const port = Number(process.env.PORT ?? 8789);
const server = createServer((req, res) => {
  handle(toRequest(req), process.env).then((response) => send(response, res, req)).catch((error) => {
    console.error(error);
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
    res.end('{"ok":false,"error":"internal error","field":null}');
  });
});
server.listen(port, '127.0.0.1', () => {
  console.log(`leadscore edge example (node) listening on http://127.0.0.1:${server.address().port}`);
});
