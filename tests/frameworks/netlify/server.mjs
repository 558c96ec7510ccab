// Netlify's local runtime on 127.0.0.1: @netlify/dev runs the edge functions in Deno with Netlify's own
// bootstrap (the `context` and `Netlify` globals of production), as `netlify dev` does, without
// downloading anything. PORT: where to listen (default 8888).
import { createServer } from 'node:http';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { NetlifyDev } from '@netlify/dev';

const netlify = new NetlifyDev({
  projectRoot: fileURLToPath(new URL('.', import.meta.url)),
  skipGitignore: true,
  blobs: { enabled: false },
  database: { enabled: false },
  functions: { enabled: false },
  images: { enabled: false },
});
await netlify.start();

const server = createServer(async (req, res) => {
  try {
    const handled = await netlify.handleAndIntrospectNodeRequest(req);
    if (!handled) return res.writeHead(404).end('not found');
    const { response } = handled;
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (response.body) Readable.fromWeb(response.body).pipe(res);
    else res.end();
  } catch (error) {
    console.error(error);
    res.writeHead(500).end('internal error');
  }
});
server.listen(Number(process.env.PORT ?? 8888), '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
process.on('SIGTERM', async () => {
  server.close();
  await netlify.stop();
  process.exit(0);
});
