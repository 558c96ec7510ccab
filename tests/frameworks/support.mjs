// Shared by the framework tests: packs pkg/ as npm would publish it, makes a fresh app for a framework
// from the files in tests/frameworks/<name>/ (its npm dependencies installed once into a cache directory
// and reused while its package.json is unchanged), builds it with the framework's own CLI and starts it
// on 127.0.0.1. Every wait is bounded; stopServers() ends every server started here.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { post, startReceiver } from '../edge/harness.mjs';
import { launchChromium, openPage } from '../support/chromium.mjs';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const here = fileURLToPath(new URL('./', import.meta.url));
/**
 * One directory per framework, kept across runs. Outside the repository on purpose: an app nested in it
 * would not be a fresh project (Next.js takes the repository's lockfile for its workspace root and fails).
 */
export const cacheRoot = process.env.LEADSCORE_FRAMEWORKS_CACHE
  ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'leadscore-frameworks');
/** Everything the default run skips: set LEADSCORE_FRAMEWORKS=all for every framework. */
export const longMode = process.env.LEADSCORE_FRAMEWORKS === 'all';

const INSTALL_MS = 600_000;
const BUILD_MS = 600_000;
const START_MS = 60_000;
/** Kept in an app directory between runs: its installed dependencies. */
const KEPT = new Set(['node_modules', 'package.json', 'package-lock.json', '.deps-stamp']);
const servers = new Set();

function run(command, args, { cwd, env, timeout }) {
  try {
    return execFileSync(command, args, { cwd, env: { ...process.env, ...env }, timeout, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}: ${error.message}\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
  }
}

/** `npm pack` of pkg/ into a temporary directory; returns the tarball's path. */
export function packTarball() {
  const out = mkdtempSync(join(tmpdir(), 'leadscore-frameworks-'));
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', out], { cwd: join(root, 'pkg') }));
  return join(out, packed.filename);
}

/** The files of tests/frameworks/<name>/ (relative paths), as the app and its docs page use them. */
export function appFiles(name) {
  const source = join(here, name);
  const walk = (dir) => readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? walk(path) : [relative(source, path)];
  });
  return walk(source).sort();
}

/**
 * A fresh app for framework `name`: its dependencies (installed from npm when package.json changed),
 * the app's files copied anew, the model (examples/model.mjs) at `model`, and the packed tarball
 * installed as a dependency, as `npm install leadscore` does (server bundlers keep dependencies external).
 */
export function prepareApp(name, tarball, { model = 'model.js' } = {}) {
  const source = join(here, name);
  const dir = join(cacheRoot, name);
  const manifest = readFileSync(join(source, 'package.json'), 'utf8');
  const stamp = createHash('sha256').update(manifest).digest('hex');
  const stampFile = join(dir, '.deps-stamp');
  if (!existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), manifest);
    run('npm', ['install', '--no-audit', '--no-fund'], { cwd: dir, timeout: INSTALL_MS });
    writeFileSync(stampFile, stamp);
  }
  for (const entry of readdirSync(dir)) if (!KEPT.has(entry)) rmSync(join(dir, entry), { recursive: true, force: true });
  writeFileSync(join(dir, 'package.json'), manifest);
  for (const file of appFiles(name)) if (file !== 'package.json') cpSync(join(source, file), join(dir, file));
  cpSync(join(root, 'examples', 'model.mjs'), join(dir, model));
  // A local tarball without dependencies needs no registry: --offline proves it.
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: dir, timeout: INSTALL_MS });
  return dir;
}

/** Runs the framework's CLI from the app's node_modules/.bin (a build), bounded. */
export function cli(dir, bin, args, env = {}) {
  return run(join(dir, 'node_modules', '.bin', bin), args, { cwd: dir, env: { NEXT_TELEMETRY_DISABLED: '1', ...env }, timeout: BUILD_MS });
}

export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts a server (`command args` in `dir`) and waits until `url` answers any HTTP status; returns
 * { url, output(), stop() }. Fails with the server's output if it exits or does not answer in time.
 */
export async function startServer(dir, command, args, { url, env = {} }) {
  const child = spawn(command, args, { cwd: dir, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  const stop = () => new Promise((resolve) => {
    servers.delete(stop);
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.kill('SIGTERM');
  });
  servers.add(stop);
  const until = Date.now() + START_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${command} exited early (${child.exitCode}):\n${output}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(5000) });
      return { url, output: () => output, stop };
    } catch {
      if (Date.now() > until) {
        await stop();
        throw new Error(`${command} did not answer ${url} within ${START_MS} ms:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

export async function stopServers() {
  await Promise.all([...servers].map((stop) => stop()));
}

/** Every .wasm file under `dir` (recursively), for checking what a build emitted. */
export function wasmFilesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.wasm')).map((f) => join(dir, f));
}

/**
 * The demo form of docs/edge.md as a form-encoded POST: it qualifies (total 65, mql). `origin`: the
 * Origin header a browser sends with it (frameworks that check it refuse cross-site form posts).
 */
export const demoForm = (email, origin) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...(origin && { origin }) },
  body: new URLSearchParams({ email, company_size: '120', job_title: 'Head of Sales' }).toString(),
});

/**
 * Opens `url` in Chromium, waits for the client-side score (`#score[data-total]`) and returns its
 * data attributes. Throws on a page error, a console error or a failed request, except the 404 of the
 * favicon Chromium asks for (the apps have none).
 */
export async function clientScore(context, url) {
  const failed = [];
  const onResponse = (response) => { if (response.status() >= 400) failed.push(new URL(response.url()).pathname); };
  const onConsole = (message) => { if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico')) failed.push(message.text()); };
  context.on('response', onResponse);
  context.on('console', onConsole);
  try {
    const { page, errors } = await openPage(context, url, '#score[data-total]', 1);
    const score = await page.$eval('#score', (node) => ({ ...node.dataset }));
    await page.close();
    const pageErrors = errors.filter((e) => !e.startsWith('console: '));
    if (failed.length || pageErrors.length) throw new Error(`errors on the page: ${[...failed, ...pageErrors].join('\n')}`);
    return score;
  } finally {
    context.off('response', onResponse);
    context.off('console', onConsole);
  }
}

/** POSTs a lead as JSON to an app's scoring route (`scoreLead` on the server) and checks its card. */
export async function checkScoreRoute(base, path = '/api/score') {
  const { status, body } = await post(base, path, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ traits: { company_size: 120, job_title: 'VP Sales' } }),
  });
  assert.equal(status, 200, JSON.stringify(body));
  assert.deepEqual([body.model, body.fit, body.total, body.stage], ['b2b', 35, 35, 'warm']); // size 25 + title 10
}

/**
 * Registers the hooks of one framework's test file: before, a fresh app with the packed tarball, a
 * receiver for forwarded leads and Chromium; after, everything stopped. Returns the object they fill:
 * { app, receiver, browser }. With `enabled` false nothing is prepared (a long-mode-only framework);
 * `model`: where the app imports the model from (default model.js at its root).
 */
export function frameworkSuite(name, { enabled = true, model } = {}) {
  const suite = { name };
  before(async () => {
    if (!enabled) return;
    suite.tarball = packTarball();
    suite.app = prepareApp(name, suite.tarball, { model });
    suite.receiver = await startReceiver();
    suite.browser = await launchChromium();
  });
  after(async () => {
    await stopServers();
    await suite.browser?.close();
    await suite.receiver?.stop();
    if (suite.tarball) rmSync(dirname(suite.tarball), { recursive: true, force: true });
  });
  return suite;
}

/**
 * The checks every framework app gets, as subtests of `t`: the page at `/` scores with Scorer in Chromium
 * (pricing 15 + company size 25 = 40, warm); POST /api/score answers the card of `scoreLead`; each of
 * `leadRoutes` qualifies the demo form (65, mql) and forwards the lead to the receiver, `forward` being
 * 'pending' (sent after the answer, through the framework's waitUntil) or 'sent' (the answer waited).
 */
export async function checkRoutes(t, suite, base, { forward, leadRoutes = ['/api/lead'], tag = '' }) {
  await t.test('the page scores with Scorer in Chromium', async () => {
    assert.deepEqual(await clientScore(suite.browser.context, `${base}/`), { total: '40', stage: 'warm' });
  });
  await t.test('a server route scores with scoreLead', () => checkScoreRoute(base));
  for (const route of leadRoutes) {
    await t.test(`${route} qualifies the form and forwards the lead (${forward})`, async () => {
      const email = `dana-${suite.name}${tag}${route.replaceAll('/', '-')}@acme-logistics.com`;
      const { status, body } = await post(base, route, demoForm(email, base));
      assert.equal(status, 200, JSON.stringify(body));
      assert.deepEqual([body.qualified, body.total, body.stage, body.forward.status], [true, 65, 'mql', forward]);
      const [delivered] = await suite.receiver.waitFor('/leads', body.id);
      // The lead format (schema/lead.json): the card's fields at the top level, scored on the server.
      assert.deepEqual([delivered?.body.total, delivered?.body.scored_by], [65, 'server'], 'the lead reached FORWARD_URL');
    });
  }
}
