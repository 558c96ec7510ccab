// Shared by the website tag's browser tests: the demo server on a free port with its own data directory,
// and Chromium launched as a visitor's browser (no automation flag, an ordinary user agent), since the tag
// ignores bots: navigator.webdriver and headless user agents.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test as nodeTest } from 'node:test';
import { chromium } from 'playwright-core';
import { CHROMIUM } from '../support/chromium.mjs';
import { closeEngines, launchEngine, selectedEngines, startSite, USER_AGENT, waitFor } from './engines.mjs';

export { launchEngine, selectedEngines, startSite, USER_AGENT, waitFor };

export const root = fileURLToPath(new URL('../../', import.meta.url));
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic'];

/** Starts scripts/serve.mjs (PORT=0) with a fresh data directory; resolves { url, dataDir, stop }. */
export async function startServer() {
  const dataDir = mkdtempSync(join(tmpdir(), 'leadscore-data-'));
  const server = spawn(process.execPath, ['scripts/serve.mjs'], {
    cwd: root, env: { ...process.env, PORT: '0', LEADSCORE_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    // Generous: serve.mjs builds pkg/ first when it is stale.
    const timer = setTimeout(() => reject(new Error('serve.mjs did not start within 10 minutes')), 600_000);
    let output = '';
    server.stdout.on('data', (chunk) => {
      output += chunk;
      const found = output.match(/serving (http:\/\/127\.0\.0\.1:\d+)\//)?.[1];
      if (found) { clearTimeout(timer); resolve(found); }
    });
    server.on('exit', (code) => { clearTimeout(timer); reject(new Error(`serve.mjs exited (${code}): ${output}`)); });
  });
  return {
    url,
    dataDir,
    async stop() {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      const timer = setTimeout(() => server.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh browser profile. `visitor: true` (default) hides automation, as a person's browser would look;
 * `visitor: false` keeps Playwright's defaults (navigator.webdriver, HeadlessChrome), which the tag treats as a bot;
 * `bfcache: true` lets pages go into the back/forward cache.
 */
export async function launch({ visitor = true, bfcache = false } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'leadscore-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: 60_000,
    args: visitor ? [...ARGS, '--disable-blink-features=AutomationControlled'] : ARGS,
    // bfcache: Playwright turns the back/forward cache off unless told otherwise.
    ...(visitor && { ignoreDefaultArgs: ['--enable-automation', ...(bfcache ? ['--disable-back-forward-cache'] : [])], userAgent: USER_AGENT }),
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Opens a page that records what matters: requests to the lead endpoint, page errors (uncaught exceptions and
 * rejections), console errors, and window.onerror calls (registered before any page script).
 */
export async function openPage(context, { init, arg } = {}) {
  const page = await context.newPage();
  const seen = { posts: [], pageErrors: [], consoleErrors: [] };
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/leads') seen.posts.push(request.postData());
  });
  page.on('pageerror', (error) => seen.pageErrors.push(error.message));
  page.on('console', (message) => { if (message.type() === 'error') seen.consoleErrors.push(message.text()); });
  await page.addInitScript(() => {
    window.__onerror = [];
    window.addEventListener('error', (event) => window.__onerror.push(String(event.message)));
    window.addEventListener('unhandledrejection', (event) => window.__onerror.push(`unhandled: ${event.reason}`));
  });
  if (init) await page.addInitScript(init, arg);
  return { page, seen };
}

/** Waits until the tag has started on the page (its `ready` event). */
export async function ready(page, timeout = 20_000) {
  await page.waitForFunction(() => window.leadscore && typeof window.leadscore.on === 'function', null, { timeout });
  return page.evaluate(() => new Promise((resolve) => window.leadscore.on('ready', resolve)));
}

/** The leads the endpoint stored. */
export async function storedLeads(url) {
  const response = await fetch(`${url}/api/leads`, { signal: AbortSignal.timeout(10_000) });
  return response.json();
}

/** Polls `check` (async, returns truthy when done) every 100 ms for at most `timeout` ms. */
export async function until(check, timeout, what) {
  const end = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Opens `path` and waits for the tag to start; returns the ready event's score card. */
export async function visit(page, url, path) {
  await page.goto(url + path, { timeout: 30_000 });
  return ready(page);
}

/** The journey of issue 3's qualified visitor: pricing, the whitepaper PDF, the webinar form. */
export async function qualify(page, url, { email = 'ann@acme.com', size = '120', title = 'Head of Sales' } = {}) {
  await visit(page, url, '/pricing');
  await visit(page, url, '/whitepaper');
  await page.click('#download');
  await visit(page, url, '/webinar');
  await page.fill('input[name=email]', email);
  await page.fill('input[name=company_size]', size);
  await page.fill('input[name=job_title]', title);
  await page.fill('textarea[name=questions]', 'Does it work with our CRM? Call me on 555-0100');
  await Promise.all([page.waitForURL('**/thanks**', { timeout: 30_000 }), page.click('button[type=submit]')]);
  return ready(page);
}

export async function stats(url) {
  const response = await fetch(`${url}/api/stats`, { signal: AbortSignal.timeout(10_000) });
  return response.json();
}

/** The visitor state the tag keeps (exportState), as the page sees it. */
export const exportState = (page) => page.evaluate(() => window.leadscore.exportState());

/** Engaged seconds, views and scroll depth of a page in an exported state (see src/state/saved.rs for the format). */
export function pageOf(state, path) {
  const row = (state.pages ?? []).find((p) => p[0] === path);
  return row && { views: row[1], engaged: row[4] ?? 0, scroll: row[5] ?? 0 };
}

/** Cents, so sums of breakdown points compare exactly. */
export const cents = (x) => Math.round(x * 100);

/**
 * The endpoint's activity since this call: `await since()` → { posts, stored, duplicates, rejected, leads },
 * so tests sharing one server only look at their own requests.
 */
export async function activity(url) {
  const [base, before] = [await stats(url), (await storedLeads(url)).length];
  return async () => {
    const [now, leads] = [await stats(url), await storedLeads(url)];
    return {
      posts: now.posts - base.posts, stored: now.stored - base.stored, duplicates: now.duplicates - base.duplicates,
      rejected: now.rejected - base.rejected, leads: leads.slice(before),
    };
  };
}

/**
 * One demo server for a test file (started before its tests, stopped after), bounded tests, and a fresh
 * browser per test: `const { test, browse, server } = suite(); test('…', browse(async (context) => …))`.
 */
export function suite() {
  const server = { url: undefined };
  let running;
  before(async () => {
    running = await startServer();
    server.url = running.url;
  });
  after(async () => { await running?.stop(); });
  return {
    server,
    // `test('…', () => browse(…))` hands back the browser function rather than running it: run what comes back,
    // so that spelling cannot pass without doing anything.
    test: (name, fn) => nodeTest(name, { timeout: 120_000 }, async (t) => {
      const run = await fn(t);
      if (typeof run === 'function') await run();
    }),
    browse: (fn, options) => async () => {
      const browser = await launch(options);
      try { return await fn(browser.context); } finally { await browser.close(); }
    },
  };
}

/**
 * Qualifies through the page API on the current page (pricing viewed, the whitepaper, the webinar form) and
 * records the tag's qualified/delivered/give-up events in window.__events; returns the score card.
 */
export const qualifyHere = (page, traits) => page.evaluate(async (t) => {
  window.__events = [];
  for (const name of ['qualified', 'delivered', 'give-up']) window.leadscore.on(name, (d) => window.__events.push([name, d]));
  await window.leadscore.track('page_view', { path: '/pricing' });
  await window.leadscore.track('download', { url: '/files/whitepaper-lead-scoring.pdf' });
  await window.leadscore.track('form_submit', { form: 'webinar', traits: t });
  return window.leadscore.score();
}, { email: 'dee@delta.example', company_size: 150, job_title: 'Operations Manager', ...traits });

/** The details of the tag's `name` events recorded by qualifyHere. */
export const events = (page, name) => page.evaluate((n) => window.__events.filter(([e]) => e === n).map(([, d]) => d), name);

// Imports are hoisted: this one serves the helpers appended below.
import { readFileSync } from 'node:fs';

// ---- Sites that install the tag their own way (consent managers, tag managers, embedded forms) ----------------

/** The first fenced block of docs/snippet.md after the heading `section` that contains `marker`. */
export function docsBlock(section, marker = '') {
  const docs = readFileSync(join(root, 'docs', 'snippet.md'), 'utf8');
  const from = docs.indexOf(`\n${section}\n`);
  if (from < 0) throw new Error(`docs/snippet.md has no heading ${section}`);
  const block = [...docs.slice(from).matchAll(/```\w*\n([\s\S]*?)```/g)].map((m) => m[1]).find((code) => code.includes(marker));
  if (!block) throw new Error(`docs/snippet.md: no code block with ${marker} under ${section}`);
  return block;
}

/** The inline stub as built (pkg/browser/stub.min.js). */
export const builtStub = () => readFileSync(join(root, 'pkg', 'browser', 'stub.min.js'), 'utf8').trim();

/**
 * Every page of the demo site as a site with its own setup: `head` first in <head> (a consent manager, a
 * vendor's script), `tag` in place of the demo's tag (and of its stub too with `withStub: false`), `body` at the
 * end of <body> (a banner, an embed).
 */
export async function installTag(context, url, { head = '', tag, body = '', withStub = true }) {
  await context.route((u) => u.origin === url && !/\.\w+$/.test(u.pathname) && !u.pathname.startsWith('/api/'), async (route) => {
    if (route.request().resourceType() !== 'document' || route.request().method() !== 'GET') return route.continue();
    const response = await route.fetch();
    const demoTag = withStub ? /<script async src="\/leadscore\.js"[^>]*><\/script>/ : /<script>[^<]*<\/script>\s*<script async src="\/leadscore\.js"[^>]*><\/script>/;
    const html = (await response.text()).replace('<head>', () => `<head>${head}`).replace(demoTag, () => tag)
      .replace('</body>', () => `${body}</body>`);
    if (!html.includes(tag)) throw new Error('the demo page has no tag to replace');
    return route.fulfill({ response, body: html });
  });
}

/** Every request to the lead endpoint, seen by interception (context.route) whichever page or API sends it. */
export async function interceptLeads(context) {
  const routed = [];
  await context.route('**/api/leads', (route) => {
    if (route.request().method() === 'POST') routed.push(JSON.parse(route.request().postData()));
    return route.continue();
  });
  return routed;
}

/**
 * The tag's keys in localStorage, sorted. The tabs' journals (`leadscore:j:<tab>`, src/browser/store.rs) are part
 * of the stored state and are listed only when the state itself is not there, where any journal would be a leak.
 */
export const storedKeys = (page) => page.evaluate(() => {
  const keys = Object.keys(localStorage).filter((k) => /^leadscore(:|$)/.test(k)).sort();
  return keys.includes('leadscore') ? keys.filter((k) => !k.startsWith('leadscore:j:')) : keys;
});

/** Console errors that come from the tag. */
export const tagErrors = (seen) => [...seen.pageErrors, ...seen.consoleErrors].filter((text) => /leadscore/i.test(text));

/**
 * The cross-engine suites (tests/snippet/engines.mjs): one demo server for the file, and each test run once per
 * engine (`byDefault`, or LEADSCORE_ENGINES), named `<engine>: <name>`, with a fresh browser and a fresh recording
 * proxy: `test('…', async ({ browser, site, engine }) => …, { init, arg, visitor })`.
 */
export function acrossEngines(byDefault) {
  const { server } = suite();
  const engines = selectedEngines(byDefault);
  after(closeEngines);
  const test = (name, fn, { visitor = true, init, arg } = {}) => {
    for (const engine of engines) {
      nodeTest(`${engine}: ${name}`, { timeout: 180_000 }, async () => {
        const site = await startSite(server.url, { visitor, init, arg });
        const browser = await launchEngine(engine, { visitor });
        try { await fn({ browser, site, engine }); } finally { await browser.close(); await site.close(); }
      });
    }
  };
  return { test, server };
}

/** In any engine: waits for the tag's `ready` event on the page; returns its score card. */
export async function tagReady(page) {
  await waitFor(page, () => !!(window.leadscore && typeof window.leadscore.on === 'function'), null, 20_000, 'the tag');
  return page.evaluate(() => new Promise((resolve) => window.leadscore.on('ready', resolve)));
}

/** In any engine: opens `path` of the site and waits for the tag; returns the score card. */
export async function open(page, site, path) {
  await page.goto(site.url + path);
  return tagReady(page);
}

/** In any engine: what reached the page's window.onerror and console.error (recorded by the site's prelude). */
export const pageErrors = (page) => page.evaluate(() => ({ onerror: window.__onerror, console: window.__consoleErrors }));

/**
 * Installed before any page script (an init script): what libraries and old polyfills do to built-ins, all at once.
 * Used by libraries.test.mjs (Chromium) and engines.test.mjs (every engine). `{ promise: false, json: false }` leaves
 * the global Promise and JSON alone: WebKit's driver runs its own scripts with the page's `Promise.race` and returns
 * results through the page's `JSON.stringify`.
 */
export function poison(options) {
  /* eslint-disable no-extend-native */
  Array.prototype.toJSON = function () { return 'poisoned array'; };
  Object.defineProperty(Object.prototype, 'poisoned', { value: 'enumerable junk', enumerable: true, writable: true, configurable: true });
  if (!options || options.json !== false) {
    const parse = JSON.parse;
    JSON.parse = (text) => { const value = parse(text); return value && typeof value === 'object' ? { poisoned: true } : value; };
    JSON.stringify = () => '"poisoned"';
  }
  // An old promise library without the statics (no resolve, all, race).
  if (!options || options.promise !== false) window.Promise = function Promise(executor) {
    let handlers = [];
    let settled;
    const settle = (value) => { if (!settled) { settled = { value }; handlers.forEach((h) => h(value)); handlers = []; } };
    this.then = (done) => new window.Promise((resolve) => {
      const run = (value) => setTimeout(() => resolve(done ? done(value) : value), 0);
      if (settled) run(settled.value); else handlers.push(run);
    });
    executor(settle, () => {});
  };
  window.Window = function Window() {};
  window.Storage = function Storage() {};
  window.Element = function Element() {};
  window.Event = function Event() {};
  // bind stays working (the test driver itself needs it) but records any use by the tag.
  const bind = Function.prototype.bind;
  window.__tagUsedBind = false;
  Function.prototype.bind = function (...args) {
    if (/leadscore/.test(new Error().stack)) window.__tagUsedBind = true;
    return bind.apply(this, args);
  };
}

/**
 * In any engine: qualifies the visitor through the page API only (identify, a download, a webinar form), awaiting
 * thenables only, so it works whatever the page did to window.Promise. Returns { qualified, reasons: is an array }.
 */
export const qualifyThroughApi = (page) => page.evaluate(async () => {
  await window.leadscore.identify({ email: 'pat@poison.example', company_size: 120, job_title: 'Head of Sales' });
  await window.leadscore.track('download', { url: '/files/whitepaper-lead-scoring.pdf' });
  await window.leadscore.track('form_submit', { form: 'webinar' });
  const card = await window.leadscore.score();
  return { qualified: card.qualified, reasons: Array.isArray(card.reasons) };
});
