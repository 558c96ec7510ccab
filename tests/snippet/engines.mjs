// The website tag's cross-engine tests drive Chromium, Firefox and WebKit through one small interface:
//
//   const browser = await launchEngine('firefox');   // { name, newPage(), close() }
//   const page = await browser.newPage();            // { goto, evaluate, waitFor, click, url, close }
//
//   chromium  /usr/bin/chromium through playwright-core (CDP)
//   firefox   Debian's firefox-esr through puppeteer-core over WebDriver BiDi
//   webkit    Debian's WebKitWebDriver + MiniBrowser (WebKitGTK) through selenium-webdriver, on an Xvfb display
//
// What the drivers do not share (request interception and events, init scripts, console capture: WebKit's
// classic WebDriver has none of them) is done for every engine the same way, outside the browser: the pages
// are loaded through a recording proxy (`startSite`), a real node:http server on 127.0.0.1 in front of the demo
// server. It records every request (method, path, body), lets a test answer a path itself (a 503, a broken
// model), and injects a prelude as the first script of every HTML page: it hides navigator.webdriver (as a
// visitor's browser looks; the tag ignores automated browsers), records window errors and console errors,
// and runs the test's own init script, before any script of the page.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';
import selenium from 'selenium-webdriver';
import seleniumHttp from 'selenium-webdriver/http/index.js';
import seleniumRemote from 'selenium-webdriver/remote/index.js';
import { CHROMIUM } from '../support/chromium.mjs';

export const ENGINES = ['chromium', 'firefox', 'webkit'];
const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER_PATH ?? '/usr/bin/WebKitWebDriver';
const MINIBROWSER = process.env.MINIBROWSER_PATH ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
// Chromium's own, without "Headless" (the other engines' user agents are a visitor's as they come).
export const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic'];

/**
 * The engines a cross-engine suite runs in: LEADSCORE_ENGINES=all or a comma-separated list (e.g. `webkit`).
 * Unset (CI time): the suite's `byDefault` list (RELIABILITY.md says which suite runs where).
 */
export function selectedEngines(byDefault = ENGINES) {
  if (!process.env.LEADSCORE_ENGINES) return byDefault;
  const wanted = process.env.LEADSCORE_ENGINES.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (wanted.includes('all')) return ENGINES;
  const unknown = wanted.filter((e) => !ENGINES.includes(e));
  if (unknown.length) throw new Error(`LEADSCORE_ENGINES: unknown engine ${unknown.join()} (expected all or ${ENGINES.join(', ')})`);
  return wanted;
}

/** Calls `fn` with `arg` in the page (as its source text: every driver can ship a string). */
const callSource = (fn, arg) => `(${fn})(${JSON.stringify(arg ?? null)})`;

/**
 * Launches `name`; every page opened from it shares one storage (as tabs do), empty at launch. `visitor: false`
 * leaves Chromium's automation flag on (the other engines' prelude does the same by not hiding it).
 */
export async function launchEngine(name, { visitor = true } = {}) {
  if (name === 'chromium') return launchChromium(visitor);
  if (name === 'firefox') return launchFirefox();
  if (name === 'webkit') return launchWebKit();
  throw new Error(`unknown engine ${name}`);
}

async function launchChromium(visitor) {
  const profile = mkdtempSync(join(tmpdir(), 'leadscore-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, timeout: 60_000,
    // Not HeadlessChrome nor navigator.webdriver: the tag ignores both.
    ...(visitor ? { args: [...CHROMIUM_ARGS, '--disable-blink-features=AutomationControlled'], ignoreDefaultArgs: ['--enable-automation'], userAgent: USER_AGENT }
      : { args: CHROMIUM_ARGS }),
  });
  // The persistent context opens a first tab: use it as the first page.
  let spare = context.pages()[0];
  return {
    name: 'chromium',
    version: context.browser()?.version() ?? 'chromium',
    async newPage() {
      const page = spare ?? await context.newPage();
      spare = undefined;
      return {
        goto: (url) => page.goto(url, { timeout: 30_000 }).then(() => {}),
        evaluate: (fn, arg) => page.evaluate(callSource(fn, arg)),
        click: (selector) => page.click(selector, { timeout: 10_000 }),
        url: () => page.url(),
        close: () => page.close(),
      };
    },
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

// Firefox takes 10 s to start here: one browser per test file, and each launch is a new user context
// (BiDi's isolated storage and cookies, like a fresh profile).
let firefox;
/** Closes what `launchEngine` keeps for the whole file (the Firefox process). */
export async function closeEngines() {
  const running = await firefox?.catch(() => undefined);
  firefox = undefined;
  await running?.close().catch(() => {});
}

async function launchFirefox() {
  firefox ??= puppeteer.launch({
    browser: 'firefox', executablePath: FIREFOX, headless: true, protocol: 'webDriverBiDi', timeout: 60_000,
    extraPrefsFirefox: { 'network.captive-portal-service.enabled': false, 'browser.safebrowsing.update.enabled': false },
  });
  const shared = await firefox;
  const version = await shared.version();
  const browser = await shared.createBrowserContext();
  let spare;
  return {
    name: 'firefox',
    version,
    async newPage() {
      const page = spare ?? await browser.newPage();
      spare = undefined;
      return {
        goto: (url) => page.goto(url, { timeout: 30_000, waitUntil: 'load' }).then(() => {}),
        evaluate: (fn, arg) => page.evaluate(callSource(fn, arg)),
        click: (selector) => page.click(selector),
        url: () => page.url(),
        close: () => page.close(),
      };
    },
    close: () => browser.close().catch(() => {}),
  };
}

/** One Xvfb display for every WebKit session of this process (MiniBrowser is a GTK application). */
let display;
function xvfb() {
  if (process.env.DISPLAY) return Promise.resolve(process.env.DISPLAY);
  display ??= new Promise((resolve, reject) => {
    const server = spawn('Xvfb', ['-displayfd', '1', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'pipe', 'ignore'] });
    server.on('error', reject);
    server.stdout.once('data', (chunk) => resolve(`:${String(chunk).trim()}`));
    server.unref();
    server.stdout.unref?.();
    process.once('exit', () => server.kill());
  });
  return display;
}

async function launchWebKit() {
  const service = new seleniumRemote.DriverService.Builder(WEBKIT_DRIVER)
    .setHostname('127.0.0.1').setEnvironment({ ...process.env, DISPLAY: await xvfb() }).build();
  const url = await service.start(30_000);
  const capabilities = new selenium.Capabilities();
  capabilities.setBrowserName('MiniBrowser');
  capabilities.set('webkitgtk:browserOptions', { binary: MINIBROWSER, args: ['--automation'] });
  const driver = await selenium.WebDriver.createSession(new seleniumHttp.Executor(Promise.resolve(url).then((u) => new seleniumHttp.HttpClient(u))), capabilities);
  await driver.manage().setTimeouts({ script: 30_000, pageLoad: 30_000 });
  const version = (await driver.getCapabilities()).get('browserVersion');
  let spare = await driver.getWindowHandle();
  // One WebDriver session drives one window at a time: every call switches to its page's window first.
  let current = spare;
  let queue = Promise.resolve();
  const on = (handle, fn) => {
    const run = queue.then(async () => {
      if (current !== handle) { await driver.switchTo().window(handle); current = handle; }
      return fn();
    });
    queue = run.catch(() => {});
    return run;
  };
  return {
    name: 'webkit',
    version: `MiniBrowser (WebKitGTK ${version})`,
    async newPage() {
      let handle = spare;
      spare = undefined;
      if (!handle) {
        handle = await on(current, async () => {
          await driver.switchTo().newWindow('tab');
          return driver.getWindowHandle();
        });
        current = handle;
      }
      return {
        goto: (to) => on(handle, () => driver.get(to)),
        evaluate: (fn, arg) => on(handle, async () => {
          // The engine's own Promise, from an async function: a page may have replaced window.Promise.
          const result = await driver.executeAsyncScript(`const done = arguments[arguments.length - 1];
            (async () => {})().constructor.resolve().then(() => (0, eval)(arguments[0])).then((value) => done({ value: value === undefined ? null : value }),
              (error) => done({ error: String(error && error.stack || error) }));`, callSource(fn, arg));
          if (result && 'error' in result) throw new Error(`in the page: ${result.error}`);
          return result?.value;
        }),
        click: (selector) => on(handle, async () => (await driver.findElement(selenium.By.css(selector))).click()),
        url: () => on(handle, () => driver.getCurrentUrl()),
        close: () => on(handle, async () => {
          await driver.close();
          const rest = await driver.getAllWindowHandles();
          if (rest.length) { await driver.switchTo().window(rest[0]); current = rest[0]; }
        }),
      };
    },
    async close() {
      await driver.quit().catch(() => {});
      await service.kill().catch(() => {});
    },
  };
}

/** Polls `check` in the page (a function of `arg`) every 100 ms until it returns something truthy. */
export async function waitFor(page, check, arg, timeout = 20_000, what = String(check)) {
  const end = Date.now() + timeout;
  for (;;) {
    const value = await page.evaluate(check, arg).catch(() => undefined); // a page navigating away: try again
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// The prelude every HTML page gets first (see the top of this file); `init` and `arg` are the test's.
const prelude = ({ visitor, init, arg }) => `<script>(() => {
  window.__onerror = []; window.__consoleErrors = [];
  addEventListener('error', (event) => window.__onerror.push(String(event.message)));
  addEventListener('unhandledrejection', (event) => window.__onerror.push('unhandled: ' + event.reason));
  const error = console.error;
  console.error = function (...args) { window.__consoleErrors.push(args.map(String).join(' ')); return error.apply(this, args); };
  ${visitor ? "Object.defineProperty(Navigator.prototype, 'webdriver', { get: () => false, configurable: true });" : ''}
  ${init ? `try { (${init})(${JSON.stringify(arg ?? null)}); } catch (e) { window.__onerror.push('init: ' + e); }` : ''}
})();</script>`;

/**
 * The recording proxy in front of the demo server at `upstream`. Returns { url, requests, posts(), route,
 * setInit, close }: `requests` lists { method, path, body, at } of everything the browser asked for;
 * `route(test, answer)` answers requests whose path `test` matches with `answer(request, body)` →
 * { status, headers, body } (or undefined: passed on to the demo server); `setInit(fn, arg, { visitor })`
 * changes the prelude for pages loaded from then on.
 */
export async function startSite(upstream, { init, arg, visitor = true } = {}) {
  const target = new URL(upstream);
  const requests = [];
  const routes = [];
  let page = { init: init && String(init), arg, visitor };
  const server = createServer(async (request, response) => {
    const chunks = [];
    for await (const chunk of request) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    const path = new URL(request.url, 'http://x').pathname;
    requests.push({ method: request.method, path, body: body.length ? body.toString('utf8') : undefined, at: Date.now() });
    for (const [test, answer] of routes) {
      if (!test.test(path)) continue;
      const reply = await answer(request, body);
      if (reply) return response.writeHead(reply.status, reply.headers ?? {}).end(reply.body ?? '');
    }
    const headers = { ...request.headers, host: target.host };
    delete headers['accept-encoding']; // pages are rewritten: plain bodies
    const upstreamRequest = httpRequest({ host: target.hostname, port: target.port, path: request.url, method: request.method, headers }, async (answer) => {
      const type = String(answer.headers['content-type'] ?? '');
      if (!type.startsWith('text/html')) {
        response.writeHead(answer.statusCode, answer.headers);
        return answer.pipe(response);
      }
      const parts = [];
      for await (const part of answer) parts.push(part);
      const html = Buffer.concat(parts).toString('utf8').replace(/<head>/i, (head) => head + prelude(page));
      const out = { ...answer.headers };
      delete out['content-length'];
      response.writeHead(answer.statusCode, out).end(html);
    });
    upstreamRequest.on('error', () => { if (!response.headersSent) response.writeHead(502).end(); });
    upstreamRequest.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    /** The lead POSTs that reached the site (before any route answered them). */
    posts: () => requests.filter((r) => r.method === 'POST' && r.path === '/api/leads'),
    route(test, answer) { routes.push([test, answer]); },
    unroute() { routes.length = 0; },
    setInit(fn, value, { visitor: v = true } = {}) { page = { init: fn && String(fn), arg: value, visitor: v }; },
    close: () => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}
