// Test harness for the edge examples: starts them for real (workerd, Deno and Node, each a child
// process on a free 127.0.0.1 port), a receiver that records what they forward, and loads the
// golden submissions of tests/edge-golden/. Every wait is bounded; stopAll() kills every child.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const goldenDir = new URL('../edge-golden/', import.meta.url);
/** The fixed clock of the golden cases: 2025-11-23T00:00:00Z. */
export const NOW = 1763856000000;
const STARTUP_MS = 30_000;
const children = new Set();

export function loadEdgeCases() {
  return readdirSync(goldenDir).filter((f) => f.endsWith('.json')).sort()
    .map((file) => ({ file, ...JSON.parse(readFileSync(new URL(file, goldenDir), 'utf8')) }));
}

/**
 * The HTTP request of a case: `fields` are form-encoded (a non-string value, such as a state, as its
 * JSON), `json` is sent as JSON, `body` as it is; `content_type` and `headers` as given.
 */
export function requestOf(c, { vary } = {}) {
  const r = c.request;
  const fields = r.fields && Object.fromEntries(Object.entries(r.fields).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  if (vary && fields) fields.email = `${vary}-${fields.email}`;
  const body = r.body ?? (r.json !== undefined ? JSON.stringify(r.json) : new URLSearchParams(fields).toString());
  return { path: r.path, init: { method: 'POST', headers: { 'content-type': r.content_type, ...r.headers }, body } };
}

function track(child, name) {
  children.add(child);
  child.on('exit', () => children.delete(child));
  child.stderrText = '';
  child.stderr?.on('data', (chunk) => {
    child.stderrText += chunk;
    if (process.env.EDGE_TEST_VERBOSE) process.stderr.write(`[${name}] ${chunk}`);
  });
  return child;
}

function timed(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

/** Resolves the port a Node or Deno example prints ("listening on http://127.0.0.1:PORT"). */
function portFromStdout(child, name) {
  return timed(new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
      if (match) resolve(Number(match[1]));
    });
    child.on('exit', (code, signal) => reject(new Error(`${name} exited early (${code ?? signal}): ${child.stderrText}`)));
    child.on('error', reject);
  }), STARTUP_MS, `${name} listening`);
}

const baseEnv = (env) => ({ ...process.env, DENO_NO_UPDATE_CHECK: '1', ...env });

export async function startNode(env) {
  const child = track(spawn(process.execPath, ['examples/node/server.mjs'],
    { cwd: root, env: baseEnv({ PORT: '0', ...env }), stdio: ['ignore', 'pipe', 'pipe'] }), 'node');
  return { name: 'node', child, url: `http://127.0.0.1:${await portFromStdout(child, 'node')}` };
}

export async function startDeno(env) {
  const child = track(spawn(`${root}node_modules/.bin/deno`,
    ['run', '--no-lock', '--allow-net=127.0.0.1', '--allow-read', '--allow-env', 'examples/deno/server.mjs'],
    { cwd: root, env: baseEnv({ PORT: '0', ...env }), stdio: ['ignore', 'pipe', 'pipe'] }), 'deno');
  return { name: 'deno', child, url: `http://127.0.0.1:${await portFromStdout(child, 'deno')}` };
}

/** workerd reports its port on the control fd (fd 3) once the socket listens. */
export async function startWorkerd(env, config = 'examples/cloudflare-worker/config.capnp') {
  const child = track(spawn(`${root}node_modules/.bin/workerd`,
    ['serve', config, '--socket-addr', 'http=127.0.0.1:0', '--control-fd', '3'],
    { cwd: root, env: baseEnv(env), stdio: ['ignore', 'pipe', 'pipe', 'pipe'] }), 'workerd');
  child.stdout.resume();
  const port = await timed(new Promise((resolve, reject) => {
    let buffered = '';
    child.stdio[3].on('data', (chunk) => {
      buffered += chunk;
      for (const line of buffered.split('\n').slice(0, -1)) {
        const message = JSON.parse(line);
        if (message.event === 'listen' && message.socket === 'http') resolve(message.port);
      }
      buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
    });
    child.on('exit', (code, signal) => reject(new Error(`workerd exited early (${code ?? signal}): ${child.stderrText}`)));
    child.on('error', reject);
  }), STARTUP_MS, 'workerd listening');
  return { name: 'workerd', child, url: `http://127.0.0.1:${port}` };
}

/** Kills every child still running: SIGTERM, then SIGKILL after 3 s; resolves when all have exited. */
export async function stopAll() {
  await Promise.all([...children].map((child) => new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.kill('SIGTERM');
  })));
}

/**
 * A webhook receiver on 127.0.0.1 recording every request: `{ path, headers, body }` (body parsed as
 * JSON when it is). `mode`: 'ok' (200), 'fail' (503), 'hang' (never answers). stop()/start() on the
 * same port makes the target "down" and back.
 */
export async function startReceiver() {
  const receiver = { received: [], mode: 'ok', port: 0 };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body = text;
      try { body = JSON.parse(text); } catch { /* kept as text */ }
      receiver.received.push({ path: req.url, method: req.method, headers: req.headers, body, text });
      if (receiver.mode === 'hang') return;
      res.writeHead(receiver.mode === 'fail' ? 503 : 200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  const listen = (port) => new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => { server.off('error', reject); receiver.port = server.address().port; resolve(); });
  });
  receiver.stop = () => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
  receiver.start = () => listen(receiver.port);
  receiver.url = (path) => `http://127.0.0.1:${receiver.port}${path}`;
  /** The requests received on `path` for the lead `id` (its lead_id, or batch messages that derive from it). */
  receiver.find = (path, id) => receiver.received.filter((r) => r.path === path && (r.body?.lead_id === id || r.body?.batch?.[0]?.messageId === `${id}-identify`));
  /**
   * What a real receiver keeps: the requests for `id`, duplicates by `Idempotency-Key` dropped (a
   * retry after a timeout may repeat a request that did arrive: the key lets the receiver tell).
   */
  receiver.delivered = (path, id) => {
    const seen = new Set();
    return receiver.find(path, id).filter((r) => {
      const key = r.headers['idempotency-key'];
      if (key && seen.has(key)) return false;
      if (key) seen.add(key);
      return true;
    });
  };
  /** Waits (bounded) until `count` requests on `path` carry `id`. */
  receiver.waitFor = async (path, id, count = 1, ms = 10_000) => {
    const until = Date.now() + ms;
    while (receiver.find(path, id).length < count && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    return receiver.find(path, id);
  };
  await listen(0);
  return receiver;
}

/**
 * POSTs a body larger than the server reads, as browsers and curl do: the answer counts even when the server
 * sends it early and closes before the whole body is written (a refused upload, 413). fetch (undici) reports
 * such an exchange as "fetch failed" when the close wins the race against the upload, which depends on load.
 */
export function postEarlyAnswer(base, path, { headers, body }, ms = 15_000) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method: 'POST', headers, timeout: ms }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => { text += chunk; });
      response.on('end', () => {
        let parsed = text;
        try { parsed = JSON.parse(text); } catch { /* kept as text */ }
        resolve({ status: response.statusCode, body: parsed, headers: response.headers });
      });
      response.on('error', reject);
    });
    // A write cut short by the server's close is expected here; the answer (or its absence) decides.
    req.on('error', (error) => { if (!req.res) reject(error); });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${ms} ms`)));
    req.end(body);
  });
}

/** POSTs (bounded by a timeout) and returns `{ status, body }`, the body parsed as JSON. */
export async function post(base, path, init, ms = 15_000) {
  const response = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(ms) });
  const text = await response.text();
  let body = text;
  try { body = JSON.parse(text); } catch { /* kept as text */ }
  return { status: response.status, body, headers: response.headers };
}
