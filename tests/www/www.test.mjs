// `npm start` end to end: scripts/serve.mjs serves www/ and pkg/ on 127.0.0.1, and the demo page
// scores its four visitors in headless Chromium.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { launchChromium, openPage } from '../support/chromium.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
let server;
let baseUrl;
let browser;

/** Starts serve.mjs on a free port; resolves with its URL from the "serving http://..." line. */
function startServer() {
  server = spawn(process.execPath, ['scripts/serve.mjs'], {
    cwd: root, env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    // Generous: serve.mjs builds pkg/ first if it is stale.
    const timer = setTimeout(() => reject(new Error('serve.mjs did not start within 10 minutes')), 600_000);
    let output = '';
    server.stdout.on('data', (chunk) => {
      output += chunk;
      const url = output.match(/serving (http:\/\/127\.0\.0\.1:\d+\/)/)?.[1];
      if (url) { clearTimeout(timer); resolve(url); }
    });
    server.on('exit', (code) => { clearTimeout(timer); reject(new Error(`serve.mjs exited (${code}): ${output}`)); });
  });
}

before(async () => {
  baseUrl = await startServer();
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  setTimeout(() => server?.kill('SIGKILL'), 5_000).unref(); // in case it ignores SIGTERM
});

test('serves the page, the package and the wasm with the right MIME types', async () => {
  const expectations = {
    '': 'text/html', 'examples/app.js': 'text/javascript', 'leadscore.js': 'text/javascript',
    'leadscore-core.wasm': 'application/wasm', 'files/whitepaper-lead-scoring.pdf': 'application/pdf', 'models/textbook.json': 'application/json',
    'pkg/web.js': 'text/javascript', 'pkg/core/leadscore_bg.wasm': 'application/wasm',
    'studio.html': 'text/html', 'studio/app.js': 'text/javascript', 'studio/templates/textbook.json': 'application/json',
  };
  for (const [path, type] of Object.entries(expectations)) {
    const response = await fetch(baseUrl + path, { signal: AbortSignal.timeout(10_000) });
    assert.equal(response.status, 200, path);
    assert.ok(response.headers.get('content-type').startsWith(type), `${path}: ${response.headers.get('content-type')}`);
    await response.arrayBuffer();
  }
  for (const path of ['missing.html', 'pkg/..%2f..%2fCargo.toml', '..%2fCargo.toml', '%E0%A4%A']) {
    const response = await fetch(baseUrl + path, { signal: AbortSignal.timeout(10_000) });
    assert.equal(response.status, 404, path);
    await response.arrayBuffer();
  }
});

test('the examples page scores four visitors in Chromium', async () => {
  browser = await launchChromium();
  const { page, errors } = await openPage(browser.context, `${baseUrl}examples/`, '.card', 4);
  const cards = await page.$$eval('.card', (nodes) => nodes.map((n) => ({
    visitor: n.dataset.visitor, total: Number(n.dataset.total), lines: n.querySelectorAll('tbody tr').length,
  })));
  if (process.env.LEADSCORE_SCREENSHOT) await page.screenshot({ path: process.env.LEADSCORE_SCREENSHOT, fullPage: true });
  assert.deepEqual(errors, []);
  assert.deepEqual(cards.map((c) => c.visitor), ['Ann', 'Bob', 'Carla', 'Dev']);
  for (const card of cards) {
    assert.ok(Number.isFinite(card.total), `${card.visitor} has a total`);
    assert.ok(card.lines > 0, `${card.visitor} has breakdown lines`);
  }
});

test('the model studio opens the demo site\'s model', async () => {
  browser ??= await launchChromium();
  const { page, errors } = await openPage(browser.context, `${baseUrl}studio.html`, 'body[data-ready]', 1);
  await page.click('#open-demo');
  await page.waitForFunction(() => document.querySelector('#status').textContent.includes('/leadscore-model.json'));
  assert.match(await page.textContent('#status'), /^Valid: 1 model \(textbook\)/);
  assert.deepEqual(errors, []);
});
