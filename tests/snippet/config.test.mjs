// Configuration from JavaScript (docs/snippet.md, "Configuration from JavaScript"): the tag placed without
// data-* attributes and configured by `leadscore.init` — the docs' tag-manager recipe, run as written —
// and the page API's `identify(userId, traits)` and `reset()`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { activity, exportState, openPage, qualifyHere, ready, root, suite, until, visit } from './support.mjs';

const { test, browse, server } = suite();
const docs = readFileSync(join(root, 'docs', 'snippet.md'), 'utf8');
const stub = readFileSync(join(root, 'pkg', 'browser', 'stub.min.js'), 'utf8').trim();

/** The first fenced block of docs/snippet.md that contains `marker`. */
function docBlock(marker) {
  const block = [...docs.matchAll(/```\w*\n([\s\S]*?)```/g)].map((m) => m[1]).find((code) => code.includes(marker));
  assert.ok(block, `a code block with ${marker} in docs/snippet.md`);
  return block;
}

/** The site's pages with `tag` in place of the stub and the attribute-configured tag. */
async function placeTag(context, tag) {
  await context.route((url) => url.origin === server.url && !/\.\w+$/.test(url.pathname) && !url.pathname.startsWith('/api/'), async (route) => {
    if (route.request().resourceType() !== 'document' || route.request().method() !== 'GET') return route.continue();
    const response = await route.fetch();
    const html = (await response.text())
      .replace(/<script>[^<]*<\/script>\s*<script async src="\/leadscore\.js"[^>]*><\/script>/, () => tag);
    assert.ok(html.includes('leadscore.init('), 'the tag is on the page');
    return route.fulfill({ response, body: html });
  });
}

test('the docs show the stub that the build makes', () => {
  assert.ok(docs.includes(`<script>${stub}</script>`), 'docs/snippet.md carries pkg/browser/stub.min.js as built');
});

test("a tag manager's tag without attributes, configured by init() as the docs show: scored and delivered", () => browse(async (context) => {
  const recipe = docBlock("A tag manager's Custom HTML tag").replace('/* the inline stub, as above */', stub);
  await placeTag(context, recipe);
  const since = await activity(server.url);
  const { page, seen } = await openPage(context);
  const card = await visit(page, server.url, '/pricing');
  assert.equal(card.total, 15, 'the pricing view is scored');
  assert.equal(await page.evaluate(() => document.querySelector('script[src="/leadscore.js"]').attributes.length), 2, 'src and async only');
  assert.equal((await qualifyHere(page)).qualified, true);
  await until(async () => (await since()).stored === 1, 20_000, 'the lead at the init() endpoint');
  assert.deepEqual(seen.consoleErrors, []);
}));

test('init() with a wasm URL relative to the page and a rejected model: the validator beside it names the field, the visit is recorded', () => browse(async (context) => {
  const model = JSON.parse(readFileSync(join(root, 'www', 'models', 'textbook.json'), 'utf8'));
  model.rules[0].points = 'lots';
  await context.route('**/broken-model.json', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(model) }));
  await placeTag(context, `<script>${stub}</script><script>leadscore.init({ model: '/broken-model.json', endpoint: '/api/leads', `
    + `wasm: 'leadscore-core.wasm' });</script><script async src="/leadscore.js"></script>`);
  const { page, seen } = await openPage(context);
  assert.equal(await visit(page, server.url, '/pricing'), null, 'no score without a valid model');
  assert.ok(seen.consoleErrors.some((e) => e.includes('model /broken-model.json: rules[0].points: expected a number')), `${seen.consoleErrors}`);
  assert.equal((await exportState(page)).pages[0][0], '/pricing', 'the visit is recorded');
  assert.deepEqual(seen.pageErrors, []);
}));

test('identify(userId, traits) keeps the user id as a trait; identify(traits) still works', () => browse(async (context) => {
  const { page } = await openPage(context);
  await visit(page, server.url, '/');
  const results = await page.evaluate(async () => [
    await window.leadscore.identify('user-42', { email: 'ann@acme.com', company_size: '51-200' }),
    await window.leadscore.identify({ job_title: 'CTO' }),
    await window.leadscore.identify(7),
  ]);
  assert.deepEqual(results, [true, true, true]);
  const { traits } = await exportState(page);
  assert.equal(traits.user_id, '7');
  assert.equal(traits.email_domain, 'acme.com');
  assert.equal(traits.company_size, 125, 'a range reads as its middle, as in forms');
  assert.equal(traits.job_title, 'CTO');
}));

test('reset() forgets the visitor in every tab, and a lead already queued is still delivered', () => browse(async (context) => {
  const since = await activity(server.url);
  const { page } = await openPage(context);
  await visit(page, server.url, '/');
  assert.equal((await qualifyHere(page, { email: 'rex@reset.example' })).qualified, true);
  await until(async () => (await since()).stored === 1, 20_000, 'the first visitor’s lead');
  const before = await page.evaluate(() => JSON.parse(localStorage.getItem('leadscore')).id);
  const other = (await openPage(context)).page;
  await visit(other, server.url, '/features');

  assert.equal(await page.evaluate(() => window.leadscore.reset()), true);
  const after = await page.evaluate(() => JSON.parse(localStorage.getItem('leadscore')));
  assert.notEqual(after.id, before, 'a new lead id');
  const state = await exportState(page);
  assert.deepEqual([state.traits ?? {}, state.forms ?? []], [{}, []], 'an empty state');
  assert.equal((await page.evaluate(() => window.leadscore.score())).qualified, false);
  // The other tab sees the new visitor at its next read.
  assert.deepEqual((await exportState(other)).traits ?? {}, {});
  await ready(other);
  // The new visitor qualifies on their own and is a new lead.
  assert.equal((await qualifyHere(page, { email: 'new@reset.example' })).qualified, true);
  await until(async () => (await since()).stored === 2, 20_000, 'the second visitor’s lead');
  const leads = (await since()).leads.map((l) => l.lead);
  assert.notEqual(leads[0].lead_id, leads[1].lead_id);
  assert.equal(leads[1].traits.email, 'new@reset.example');
}));

test('page API misuse is refused with a console error that says what was wrong, never thrown', () => browse(async (context) => {
  const { page, seen } = await openPage(context);
  await visit(page, server.url, '/');
  const results = await page.evaluate(async () => [
    await window.leadscore.track('demo', () => 1),
    await window.leadscore.track('demo', 'not an object'),
    await window.leadscore.identify('user-1', () => 1),
    await window.leadscore.consent('yes'),
  ]);
  assert.deepEqual(results, [false, false, false, false]);
  const errors = seen.consoleErrors.join('\n');
  assert.match(errors, /track\(name, props\): props must be plain data/);
  assert.match(errors, /props must be an object, got a string/);
  assert.match(errors, /identify\(userId, traits\): traits must be plain data/);
  assert.match(errors, /consent\(granted\): expected true or false/);
  assert.deepEqual(seen.pageErrors, []);
}));

/** The site's pages with `attributes` added to the tag, and `files` (path → JSON) served beside them. */
async function withTag(context, attributes, files = {}) {
  await context.route((url) => url.origin === server.url && (url.pathname in files
    || (!/\.\w+$/.test(url.pathname) && !url.pathname.startsWith('/api/'))), async (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path in files) return route.fulfill({ contentType: 'application/json', body: JSON.stringify(files[path]) });
    if (route.request().resourceType() !== 'document' || route.request().method() !== 'GET') return route.continue();
    const response = await route.fetch();
    const html = (await response.text()).replace('<script async src="/leadscore.js"', `<script async src="/leadscore.js" ${attributes}`);
    return route.fulfill({ response, body: html });
  });
}

test('a challenger in shadow (docs): its card travels in the lead, and it never decides what is sent', () => browse(async (context) => {
  // The challenger would make every visitor an SQL at once; only the current model decides.
  const challenger = {
    name: 'challenger', version: '2',
    rules: [{ id: 'any-page', points: 90, max: 1, when: { page_view: { path: '*' } } }],
    stages: [{ name: 'new' }, { name: 'sql', min: 50 }],
  };
  await withTag(context, 'data-shadow="/challenger-model.json"', { '/challenger-model.json': challenger });
  const since = await activity(server.url);
  const { page, seen } = await openPage(context);
  const card = await visit(page, server.url, '/pricing');
  assert.equal(card.total, 15, 'the current model scores the page');
  assert.equal(card.qualified, false, 'the shadow qualifying does not qualify the visitor');
  assert.equal((await qualifyHere(page)).qualified, true);
  const { leads } = await until(async () => ((await since()).stored === 1 ? since() : null), 20_000, 'the lead');
  const [{ lead }] = leads;
  assert.equal(lead.model, card.model);
  assert.equal(lead.shadow.model, 'challenger');
  assert.equal(lead.shadow.stage, 'sql');
  assert.equal(lead.shadow.breakdown.reduce((sum, line) => sum + line.points, 0), lead.shadow.total);
  await page.waitForTimeout(1_000);
  assert.equal((await since()).stored, 1, 'one lead: the shadow stage sends nothing of its own');
  assert.deepEqual(seen.consoleErrors, []);
}));

test('an invalid shadow model is a console error and changes nothing else', () => browse(async (context) => {
  await withTag(context, 'data-shadow="/broken-challenger.json"', { '/broken-challenger.json': { name: 'x', rules: [{ id: 'r', points: 'ten', when: { page_view: { path: '/' } } }] } });
  const { page, seen } = await openPage(context);
  const card = await visit(page, server.url, '/pricing');
  assert.equal(card.total, 15);
  assert.ok(seen.consoleErrors.some((e) => e.includes('shadow model /broken-challenger.json') && e.includes('rules[0].points')),
    `a console error names the shadow model and the field: ${seen.consoleErrors}`);
  assert.deepEqual(seen.pageErrors, []);
}));
