// Next.js (App Router): the app of tests/frameworks/next/ (quoted by docs/frameworks/next.md), with the
// packed tarball and no configuration, built by `next build` with Turbopack and with `--webpack`, started
// by `next start` on 127.0.0.1. Checked for real: the client component scores in headless Chromium, the
// Node.js route handler scores with `scoreLead`, and the Node.js and edge route handlers qualify a form
// and forward the qualified lead (through `after()`) to a receiver. The webpack build: LEADSCORE_FRAMEWORKS=all.
// The website collector runs in a client component too (app/collector/: leadscore/react), checked for a
// visitor's browser after `checkRoutes` below.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkRoutes, cli, frameworkSuite, freePort, longMode, root, startServer, wasmFilesUnder } from './support.mjs';
import { launch } from '../snippet/support.mjs';

// Next.js 16.4's webpack build fails on any edge-runtime route handler, with or without leadscore
// ("ENOENT … route_client-reference-manifest.js" while collecting page data: reproduced with a route that
// only returns a Response), so the webpack build leaves the edge route out.
const EDGE_ROUTE = '/api/edge-lead';
const TURBOPACK = { name: 'Turbopack', args: [], routes: ['/api/lead', EDGE_ROUTE] };
const WEBPACK = { name: 'webpack', args: ['--webpack'], routes: ['/api/lead'] };
// `next build` uses Turbopack by default; the webpack build (about two more minutes) runs in the long mode.
const BUNDLERS = longMode ? [TURBOPACK, WEBPACK] : [TURBOPACK];
const suite = frameworkSuite('next');

for (const bundler of BUNDLERS) {
  test(`Next.js with ${bundler.name}: next build, next start, every route answers`, async (t) => {
    rmSync(join(suite.app, '.next'), { recursive: true, force: true });
    if (!bundler.routes.includes(EDGE_ROUTE)) rmSync(join(suite.app, 'app', EDGE_ROUTE), { recursive: true, force: true });
    cli(suite.app, 'next', ['build', ...bundler.args]);
    if (bundler.routes.includes(EDGE_ROUTE)) {
      // The edge route carries the wasm as a module the bundler compiled: never compiled from bytes at run time.
      const wasm = readFileSync(join(root, 'pkg', 'core', 'leadscore_bg.wasm'));
      const edgeWasm = wasmFilesUnder(join(suite.app, '.next', 'server', 'edge')).filter((file) => readFileSync(file).equals(wasm));
      assert.ok(edgeWasm.length > 0, 'the edge build holds the package wasm as a module file');
    }

    const port = await freePort();
    const server = await startServer(suite.app, join(suite.app, 'node_modules', '.bin', 'next'), ['start', '-H', '127.0.0.1', '-p', String(port)], {
      url: `http://127.0.0.1:${port}/`, env: { FORWARD_URL: suite.receiver.url('/leads') },
    });
    try {
      await checkRoutes(t, suite, server.url.replace(/\/$/, ''), { forward: 'pending', leadRoutes: bundler.routes, tag: bundler.name });
      await t.test('a client component runs the website collector (leadscore/react) for a visitor in Chromium', async () => {
        // A visitor's browser: the collector ignores automated ones (navigator.webdriver).
        const visitor = await launch();
        try {
          const page = await visitor.context.newPage();
          const errors = [];
          page.on('pageerror', (error) => errors.push(error.message));
          page.on('console', (message) => { if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico')) errors.push(message.text()); });
          await page.goto(`${server.url.replace(/\/$/, '')}/collector`);
          await page.waitForSelector('#stage[data-stage]', { timeout: 30_000 });
          assert.equal(await page.$eval('#stage', (node) => node.dataset.stage), 'new');
          const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('leadscore')));
          assert.equal(stored.state.pages[0][0], '/collector', 'the page view was collected and stored');
          assert.deepEqual(errors, []);
        } finally {
          await visitor.close();
        }
      });
    } finally {
      await server.stop();
    }
    assert.doesNotMatch(server.output(), /leadscore|Error/, 'the server logged no error');
  });
}
