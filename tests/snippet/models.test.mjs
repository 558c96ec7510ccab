// Model changes while a visitor has a stored state, in every engine (issue 16). The site serves the model the
// test sets (the recording proxy answers /leadscore-model.json), as a marketer publishing a new version would:
// the state is re-scored under the new model; a stage already delivered is not sent again unless the new model
// puts the visitor higher; a removed stage or rule and a renamed model are handled (docs/snippet.md, "When the
// model changes"); an invalid model keeps the last valid one working and the error is reported. The tag's own reader
// only says it rejected a model: the full validator (leadscore-validate.js and .wasm) is loaded for that alone, and
// names the field; a valid model never loads it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { acrossEngines, activity, open, pageErrors, qualifyHere, root, until } from './support.mjs';

// In Chromium by default; LEADSCORE_ENGINES=all runs them in Firefox and WebKit too (RELIABILITY.md).
const { test, server } = acrossEngines(['chromium']);
const textbook = () => JSON.parse(readFileSync(join(root, 'www', 'models', 'textbook.json'), 'utf8'));

/** Serves `model.current` as the site's model from now on. */
function publish(site) {
  const model = { current: textbook() };
  site.route(/^\/leadscore-model\.json$/, () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(model.current) }));
  return model;
}

/** The requests the site saw for the full validator (leadscore-validate.js and .wasm). */
const validatorRequests = (site) => site.requests.filter((r) => r.path.startsWith('/leadscore-validate.')).map((r) => r.path);

/** The leads stored since `since` was taken, as [model, version, stage]. */
const stages = async (since) => (await since()).leads.map(({ lead }) => [lead.model, lead.model_version, lead.stage]);

test('model: a new version re-scores the stored state; the delivered stage is not sent again, a higher one is', async ({ browser, site }) => {
  const since = await activity(server.url);
  const model = publish(site);
  const page = await browser.newPage();
  await open(page, site, '/');
  const first = await qualifyHere(page);
  assert.equal(first.stage, 'mql');
  await until(async () => (await since()).stored === 1, 20_000, 'the mql lead');

  model.current = { ...textbook(), version: '2' };
  model.current.rules.find((r) => r.id === 'company-size').points -= 5;
  const second = await open(page, site, '/features');
  assert.equal(second.model_version, '2');
  assert.equal(second.total, first.total - 5, 're-scored from the stored state');
  assert.equal(second.stage, 'mql');
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.deepEqual(await stages(since), [['textbook', '1', 'mql']], 'the same stage is not sent again');

  model.current = { ...textbook(), version: '3' };
  model.current.rules.find((r) => r.id === 'pricing').points = 60;
  const third = await open(page, site, '/');
  assert.equal(third.stage, 'sql');
  await until(async () => (await since()).stored === 2, 20_000, 'the sql lead');
  await open(page, site, '/features');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.deepEqual(await stages(since), [['textbook', '1', 'mql'], ['textbook', '3', 'sql']], 'the higher stage once');
  assert.deepEqual((await pageErrors(page)).onerror, []);
  assert.deepEqual(validatorRequests(site), [], 'valid models never load the validator');
});

test('model: a removed stage and a removed rule re-score without re-sending; a renamed model delivers once under its name', async ({ browser, site }) => {
  const since = await activity(server.url);
  const model = publish(site);
  const page = await browser.newPage();
  await open(page, site, '/');
  assert.equal((await qualifyHere(page)).stage, 'mql');
  await until(async () => (await since()).stored === 1, 20_000, 'the mql lead');

  // The stage delivered (mql) is gone: the visitor's stage under the new model counts as delivered.
  model.current = { ...textbook(), version: '2', stages: [{ name: 'new' }, { name: 'warm', min: 20 }, { name: 'qualified', min: 50 }],
    qualify: { stage: 'qualified', rules: ['pricing'] }, next_steps: undefined };
  assert.equal((await open(page, site, '/features')).stage, 'qualified');
  // A rule removed: scored without it.
  model.current = { ...model.current, version: '3', rules: model.current.rules.filter((r) => r.id !== 'whitepaper') };
  const card = await open(page, site, '/');
  assert.ok(!card.breakdown.some((line) => line.rule === 'whitepaper'));
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.deepEqual(await stages(since), [['textbook', '1', 'mql']], 'neither change sent the visitor again');

  // Renamed: a new model to the tag and the endpoint (the name is in the idempotency key): delivered once.
  model.current = { ...model.current, name: 'textbook-2026', version: '1' };
  await open(page, site, '/pricing');
  await until(async () => (await since()).stored === 2, 20_000, 'the lead under the new name');
  await open(page, site, '/features');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.deepEqual(await stages(since), [['textbook', '1', 'mql'], ['textbook-2026', '1', 'qualified']]);
  assert.deepEqual((await pageErrors(page)).onerror, []);
});

test('model: an invalid new model keeps the last valid one scoring and reports the error', async ({ browser, site }) => {
  const since = await activity(server.url);
  const model = publish(site);
  const page = await browser.newPage();
  assert.equal((await open(page, site, '/pricing')).total, 15);
  model.current = { ...textbook(), version: '2' };
  model.current.rules[0].points = 'lots';
  const card = await open(page, site, '/features');
  assert.equal(card?.model_version, '1', 'still scored, with the last valid model');
  const { console: errors, onerror } = await pageErrors(page);
  // Before `ready`, from the validator: every field's path and the npm package's message (validateModel), then
  // which model scores meanwhile.
  assert.equal(errors.length, 2, `${errors}`);
  assert.ok(errors[0].startsWith('leadscore: model /leadscore-model.json: rules[0].points: expected a number, got a string; '),
    `the error names the field and says why: ${errors}`);
  assert.ok(errors[0].includes('the last valid model is used'), `and what happens meanwhile: ${errors}`);
  assert.ok(errors[1].includes('scoring with the last valid model kept by this browser'), `and which model scores: ${errors}`);
  assert.deepEqual(onerror, []);
  assert.deepEqual(validatorRequests(site), ['/leadscore-validate.js', '/leadscore-validate.wasm'], 'loaded for the rejected model');
  assert.equal((await qualifyHere(page)).qualified, true);
  await until(async () => (await since()).stored === 1, 20_000, 'the lead');
  assert.deepEqual(await stages(since), [['textbook', '1', 'mql']]);
});

test('model: where the validator is not deployed, a rejected model is still reported, with where to find why', async ({ browser, site }) => {
  const model = publish(site);
  model.current.rules[0].points = 'lots';
  site.route(/^\/leadscore-validate\.js$/, () => ({ status: 404, headers: { 'content-type': 'text/plain' }, body: 'not found' }));
  const page = await browser.newPage();
  assert.equal(await open(page, site, '/pricing'), null, 'no score without a valid model');
  const { console: errors, onerror } = await pageErrors(page);
  assert.ok(errors.some((e) => e.includes('model /leadscore-model.json: rejected (validateModel or the studio says why; ')), `${errors}`);
  assert.deepEqual(onerror, []);
  assert.equal((await page.evaluate(() => window.leadscore.exportState())).pages[0][0], '/pricing', 'the visit is recorded');
});
