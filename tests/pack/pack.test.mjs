// Packaging test: the npm tarball of pkg/ installs into a fresh project, works from Node by name,
// and bundles with Vite 7 into a page that scores a lead in headless Chromium, and into a page that runs
// the website collector (leadscore/browser).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { build } from 'vite';
import { createStaticServer } from '../../scripts/static-server.mjs';
import { launchChromium, openPage } from '../support/chromium.mjs';
import { launch } from '../snippet/support.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'leadscore-pack-'));
const project = join(work, 'app');
const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
let packed;

before(() => {
  [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', work], join(root, 'pkg')));
  cpSync(join(root, 'tests', 'pack', 'app'), project, { recursive: true });
  cpSync(join(root, 'www', 'models', 'textbook.json'), join(project, 'textbook.json'));
  // A local tarball without dependencies needs no registry: --offline proves it.
  npm(['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', join(work, packed.filename)], project);
});

after(() => rmSync(work, { recursive: true, force: true }));

test('the tarball holds the entries, types, schema and wasm, and no generated typings', () => {
  const files = packed.files.map((f) => f.path).sort();
  for (const file of ['package.json', 'README.md', 'index.d.ts', 'schema.json', 'lead.schema.json', 'browser/index.js', 'browser/index.d.ts',
    'browser/leadscore-core.wasm', 'browser/leadscore-validate.js', 'browser/leadscore-validate.wasm', 'react.js', 'api.js', 'node.js', 'deno.js',
    'workerd.js', 'web.js', 'core/leadscore.js', 'core/leadscore_bg.wasm', 'bin/leadscore.mjs', 'cli-score-parts.mjs', 'cli-score-worker.mjs']) {
    assert.ok(files.includes(file), `${file} in ${files.join(', ')}`);
  }
  assert.deepEqual(files.filter((f) => f.startsWith('core/') && f.endsWith('.d.ts')), []);
  assert.equal(packed.name, 'leadscore');
});

test('Node imports the installed package by name and scores a lead', () => {
  const output = execFileSync(process.execPath, ['node-check.mjs'], { cwd: project, encoding: 'utf8' });
  const result = JSON.parse(output);
  assert.match(result.resolved, /\/node_modules\/leadscore\/node\.js$/);
  assert.equal(result.schemaDialect, 'https://json-schema.org/draft/2020-12/schema');
  assert.deepEqual(result.validation, { ok: true, models: ['textbook'] });
  assert.equal(result.card.model, 'textbook');
  assert.equal(typeof result.card.total, 'number');
});

test('Vite 7 bundles it with the wasm as an asset, and the page scores in Chromium', async () => {
  await build({ root: project, logLevel: 'warn', build: { outDir: 'dist', emptyOutDir: true } });
  const assets = readdirSync(join(project, 'dist', 'assets'));
  const wasm = assets.find((f) => f.endsWith('.wasm'));
  assert.ok(wasm, `a .wasm asset in ${assets.join(', ')}`);
  const bundle = assets.filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(project, 'dist', 'assets', f), 'utf8')).join('\n');
  assert.ok(bundle.includes(wasm), 'the bundle refers to the emitted wasm');

  const server = createStaticServer({ '/': join(project, 'dist') });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await launchChromium();
  try {
    const { page, errors } = await openPage(browser.context, `http://127.0.0.1:${server.address().port}/`, '#score[data-total]', 1);
    const total = await page.$eval('#score', (node) => node.dataset.total);
    assert.deepEqual(errors, []);
    assert.ok(Number.isFinite(Number(total)), `score shown: ${total}`);
  } finally {
    await browser.close();
    server.close();
  }
});

// docs/snippet.md's module example, as written, in a Vite page built from the tarball: the collector is
// bundled, its wasm emitted as an asset, and a visitor (no automation flag: the collector ignores bots) is scored.
test('Vite bundles leadscore/browser as the docs show, and the collector scores a visitor in Chromium', async () => {
  const docs = readFileSync(join(root, 'docs', 'snippet.md'), 'utf8');
  const example = [...docs.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]).find((code) => code.includes("from 'leadscore/browser'"));
  assert.ok(example, 'the module example in docs/snippet.md');
  writeFileSync(join(project, 'collector.js'), `${example}
leadscore.on('score', (card) => {
  const output = document.getElementById('collector');
  output.textContent = card ? \`\${card.total} (\${card.stage})\` : 'no card';
  output.dataset.stage = card ? card.stage : 'none';
});
`);
  writeFileSync(join(project, 'collector.html'), `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>collector</title><link rel="icon" href="data:,"></head>
<body><p>Stage: <output id="collector">…</output></p><script type="module" src="./collector.js"></script></body></html>
`);
  mkdirSync(join(project, 'public'), { recursive: true });
  cpSync(join(root, 'www', 'models', 'textbook.json'), join(project, 'public', 'leadscore-model.json'));
  await build({
    root: project, logLevel: 'warn',
    build: { outDir: 'dist-collector', emptyOutDir: true, rollupOptions: { input: { collector: join(project, 'collector.html') } } },
  });
  const assets = readdirSync(join(project, 'dist-collector', 'assets'));
  assert.ok(assets.some((f) => /^leadscore-core.*\.wasm$/.test(f)), `the collector's wasm emitted as an asset: ${assets.join(', ')}`);

  const server = createStaticServer({ '/': join(project, 'dist-collector') });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const visitor = await launch();
  try {
    const page = await visitor.context.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`http://127.0.0.1:${server.address().port}/collector.html`);
    await page.waitForSelector('#collector[data-stage]', { timeout: 30_000 });
    assert.equal(await page.$eval('#collector', (node) => node.dataset.stage), 'new');
    assert.equal((await page.evaluate(() => JSON.parse(localStorage.getItem('leadscore')).state.pages[0][0])), '/collector.html');
    assert.deepEqual(errors, []);
  } finally {
    await visitor.close();
    server.close();
  }
});
