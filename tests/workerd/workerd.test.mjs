// Golden vectors inside Cloudflare's workerd: the `workerd` export entry, with the wasm as a module.
// Starts `workerd serve tests/workerd/config.capnp` on a free 127.0.0.1 port and POSTs the cases to it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { formatFailures } from '../js/golden.mjs';
import { loadGoldenCases } from '../js/golden-files.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const STARTUP_MS = 30_000;
let workerd;
let baseUrl;

/** Resolves with the port workerd reports on its control fd (fd 3) once the socket listens. */
function startWorkerd() {
  workerd = spawn(`${root}node_modules/.bin/workerd`,
    ['serve', 'tests/workerd/config.capnp', '--socket-addr', 'http=127.0.0.1:0', '--control-fd', '3'],
    { cwd: root, stdio: ['ignore', 'inherit', 'inherit', 'pipe'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`workerd did not listen within ${STARTUP_MS} ms`)), STARTUP_MS);
    let buffered = '';
    workerd.stdio[3].on('data', (chunk) => {
      buffered += chunk;
      for (const line of buffered.split('\n').slice(0, -1)) {
        const message = JSON.parse(line);
        if (message.event === 'listen' && message.socket === 'http') {
          clearTimeout(timer);
          resolve(message.port);
        }
      }
      buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
    });
    workerd.on('exit', (code, signal) => { clearTimeout(timer); reject(new Error(`workerd exited early (${code ?? signal})`)); });
    workerd.on('error', (error) => { clearTimeout(timer); reject(error); });
  });
}

before(async () => {
  baseUrl = `http://127.0.0.1:${await startWorkerd()}`;
});

after(() => {
  workerd?.kill('SIGTERM');
  setTimeout(() => workerd?.kill('SIGKILL'), 5_000).unref(); // in case it ignores SIGTERM
});

test('the worker loads the package', async () => {
  const response = await fetch(baseUrl, { signal: AbortSignal.timeout(10_000) });
  assert.equal(response.status, 200);
  assert.match(await response.text(), /^leadscore /);
});

test('golden vectors pass in workerd', async () => {
  const cases = loadGoldenCases();
  assert.ok(cases.length > 0, 'tests/golden/ holds no *.json case');
  const response = await fetch(baseUrl, {
    method: 'POST', body: JSON.stringify(cases), signal: AbortSignal.timeout(60_000),
  });
  assert.equal(response.status, 200, await response.clone().text());
  const failures = await response.json();
  assert.equal(failures.length, 0, formatFailures(failures));
});
