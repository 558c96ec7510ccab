#!/usr/bin/env node
// `npm run edge`: the Cloudflare Worker example (examples/cloudflare-worker/) in workerd on
// 127.0.0.1:$PORT (default 8787), forwarding qualified leads to $FORWARD_URL (unset: decide only).
// Needs the built package (npm run build). Ctrl-C stops workerd.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(root, 'pkg', 'edge-workerd.js'))) {
  console.error('pkg/ is not built: run `npm run build` first');
  process.exit(1);
}
const port = Number(process.env.PORT ?? 8787);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, got ${process.env.PORT}`);
  process.exit(1);
}
console.log(`leadscore edge: workerd on http://127.0.0.1:${port} (POST /forms/{contact,webinar,demo}), ` +
  `forwarding to ${process.env.FORWARD_URL || '(nothing: set FORWARD_URL)'}`);
const workerd = spawn(join(root, 'node_modules', '.bin', 'workerd'),
  ['serve', join(root, 'examples', 'cloudflare-worker', 'config.capnp'), '--socket-addr', `http=127.0.0.1:${port}`],
  { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => workerd.kill(signal));
workerd.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
