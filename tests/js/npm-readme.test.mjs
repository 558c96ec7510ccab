// The npm package's front page (js/README.md, shipped as the package's README): every example runs as
// written. Node examples run here against the built package; the website example is the one docs/snippet.md
// shows, which the packaging test builds with Vite from the tarball and runs in Chromium.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { test } from 'node:test';

const readme = readFileSync(new URL('../../js/README.md', import.meta.url), 'utf8');
const snippetDocs = readFileSync(new URL('../../docs/snippet.md', import.meta.url), 'utf8');
/** The first ```js block after `heading`. */
const example = (heading) => {
  const block = readme.split(heading)[1]?.match(/```js\n([\s\S]*?)```/)?.[1];
  assert.ok(block, `an example under "${heading}" in js/README.md`);
  return block;
};
/** Imports `code` as a module written next to this test, so `leadscore` resolves to the built package. */
async function load(code, exported) {
  const file = new URL(`./npm-readme-${process.pid}-${Math.random().toString(36).slice(2)}.tmp.mjs`, import.meta.url);
  writeFileSync(file, `${code}\n${exported ? `export { ${exported} };\n` : ''}`);
  try {
    return await import(file.href);
  } finally {
    rmSync(file, { force: true });
  }
}

test('"Score a visitor": the card adds up and the state survives JSON', async () => {
  const { card, saved, check } = await load(example('## Score a visitor'), 'card, saved, check');
  assert.deepEqual(check, { ok: true, models: ['b2b'] });
  assert.equal(card.total, 40);
  assert.equal(card.stage, 'warm');
  assert.equal(card.breakdown.reduce((sum, line) => sum + line.points, 0), card.total);
  assert.equal(JSON.parse(saved).v, 1);
});

test('"Score many leads at once": FlatScorer gives the totals its comment promises, equal to the engine', async () => {
  const code = example('## Score many leads at once').replace("import { FlatScorer } from 'leadscore';",
    "import { FlatScorer, Model } from 'leadscore';");
  const { totals } = await load(code, 'totals');
  assert.deepEqual([...totals], [70, 0]);
  const { Model } = await import('leadscore');
  const doc = JSON.parse(JSON.stringify(eval(`(${code.match(/new FlatScorer\((\{[\s\S]*?\n\})\)/)[1]})`)));
  const model = new Model(doc);
  assert.equal(model.scoreLead({ traits: { company_size: 120, job_title: 'CTO' } }).total, 70);
  model.free?.();
});

test('"On a website": the module example is docs/snippet.md\'s (built with Vite and run in Chromium by the packaging test)', () => {
  const block = example('## On a website');
  assert.ok(snippetDocs.includes(block), 'the same example as docs/snippet.md');
});

test('"At the edge": the worker qualifies a form post and forwards it to the webhook once', async () => {
  const received = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => { received.push(JSON.parse(body)); response.end('ok'); });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const worker = (await load(example('## At the edge'))).default;
    const pending = [];
    const ctx = { waitUntil: (promise) => pending.push(promise) };
    const env = { FORWARD_URL: `http://127.0.0.1:${server.address().port}/hook` };
    const post = (size) => worker.fetch(new Request('https://example.com/lead', {
      method: 'POST', body: new URLSearchParams({ email: 'ann@acme.com', company_size: String(size) }),
    }), env, ctx);
    const small = await (await post(8)).json();
    assert.equal(small.qualified, false);
    const big = await (await post(120)).json();
    assert.equal(big.qualified, true);
    assert.equal(big.stage, 'mql');
    await Promise.all(pending);
    assert.equal(received.length, 1, 'only the qualified lead is forwarded');
  } finally {
    server.close();
  }
});
