// How the package loads its wasm, in fresh Node processes (each test needs the module state of a first import):
// use before init() gives a clear error (and `qualify` a 503), a module compiled in another JS realm is
// accepted, and CommonJS `require` works on the Node versions the package claims (engines: >=20.19).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

const root = new URL('../../', import.meta.url);
const run = (args, script) => JSON.parse(execFileSync(process.execPath, [...args, '-e', script], { cwd: root, encoding: 'utf8', timeout: 30_000 }));
const esm = (script) => run(['--input-type=module'], script);

const SUBMISSION = `new Request('http://x/', { method: 'POST', body: 'email=a@acme-logistics.com&company_size=120&job_title=VP',
  headers: { 'content-type': 'application/x-www-form-urlencoded' } })`;

test('leadscore/edge/init: the API before init() says so; qualify answers 503 with that message', () => {
  const result = esm(`
    import { init, qualify, Model } from 'leadscore/edge/init';
    import model from './examples/model.mjs';
    let thrown;
    try { new Model(model); } catch (error) { thrown = { name: error.name, message: error.message, code: error.code }; }
    const early = await qualify(${SUBMISSION}, { model, form: 'demo' });
    console.log(JSON.stringify({ thrown, status: early.status, body: await early.json() }));`);
  assert.equal(result.thrown.name, 'Error');
  assert.match(result.thrown.message, /^leadscore is not initialised: .*call init\(wasm\)/);
  assert.equal(result.thrown.code, 'LEADSCORE_NOT_INITIALISED');
  assert.equal(result.status, 503);
  assert.deepEqual(result.body, { ok: false, error: result.thrown.message, field: null });
});

test('leadscore/edge/init accepts a WebAssembly.Module compiled in another realm (no instanceof across realms)', () => {
  const result = esm(`
    import { readFileSync } from 'node:fs';
    import { runInNewContext } from 'node:vm';
    import { init, qualify } from 'leadscore/edge/init';
    import model from './examples/model.mjs';
    const foreign = runInNewContext('new WebAssembly.Module(bytes)', { bytes: readFileSync('./pkg/core/leadscore_bg.wasm') });
    init(foreign);
    const answer = await qualify(${SUBMISSION}, { model, form: 'demo' });
    console.log(JSON.stringify({ sameRealm: foreign instanceof WebAssembly.Module, status: answer.status, qualified: (await answer.json()).qualified }));`);
  assert.deepEqual(result, { sameRealm: false, status: 200, qualified: true });
});

test('CommonJS: require("leadscore") and require("leadscore/edge") work on this Node (>= 20.19, as engines says)', () => {
  const engines = JSON.parse(readFileSync(new URL('pkg/package.json', root), 'utf8')).engines;
  assert.deepEqual(engines, { node: '>=20.19' });
  const [major, minor] = process.versions.node.split('.').map(Number);
  assert.ok(major > 22 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19), `this Node ${process.versions.node} is one the package claims`);
  const result = run([], `
    const { scoreLead, engineVersion } = require('leadscore');
    const { qualify } = require('leadscore/edge');
    const model = { name: 'm', rules: [{ id: 'size', points: 30, when: { trait: 'company_size', at_least: 50 } }] };
    console.log(JSON.stringify({ version: engineVersion(), total: scoreLead(model, { traits: { company_size: 120 } }, 0).total, qualify: typeof qualify }));`);
  assert.match(result.version, /^\d+\.\d+\.\d+/);
  assert.equal(result.total, 30);
  assert.equal(result.qualify, 'function');
});
