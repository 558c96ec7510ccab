// The model studio (www/studio.html, docs/studio.md) in headless Chromium at a laptop's 1366x768: each view
// renders without a console error and fits the screen's width; the editor is driven as a marketer would
// (add a rule, break a field and see the engine's error next to it, fix it), a journey is simulated and
// its card and payload checked against the engine in Node, a real exported state is loaded, a CRM export
// is previewed against a live model, and the exported document is validated by the engine, compared with
// a golden file, and run through the exported `qualify` snippet in Node.
// LEADSCORE_STUDIO_SHOTS=<dir> also writes the screenshots there (docs/studio/ holds the committed ones).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, describe, test } from 'node:test';
import { createStaticServer } from '../../scripts/static-server.mjs';
import { launchChromium } from '../support/chromium.mjs';
import { crmExport, errorNextTo, field, lowContrastText, openRule, pasteJson, runQualifySnippet } from './studio-helpers.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const skip = existsSync(join(root, 'pkg', 'web.js')) ? false : 'pkg/ is not built: run npm run build first';
const golden = JSON.parse(readFileSync(new URL('./studio-golden.json', import.meta.url), 'utf8'));
const shots = process.env.LEADSCORE_STUDIO_SHOTS;
let engine;
let servers = [];
let baseUrl;
let browser;

async function serve(mounts) {
  const server = createStaticServer(mounts);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${server.address().port}/`;
}

const pages = [];

/** Opens the studio at 1366x768; returns { page, errors } (page errors and console errors). */
async function openStudio(url = `${baseUrl}studio.html`) {
  const page = await browser.context.newPage();
  pages.push(page);
  await page.setViewportSize({ width: 1366, height: 768 });
  const errors = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => { if (message.type() === 'error') errors.push(`console: ${message.text()}`); });
  await page.goto(url);
  await page.waitForSelector('body[data-ready]', { timeout: 30_000 });
  return { page, errors };
}

async function screenshot(page, name) {
  const image = await page.screenshot();
  assert.ok(image.length > 10_000, `${name}: a screenshot with content`);
  if (shots) {
    mkdirSync(shots, { recursive: true });
    writeFileSync(join(shots, `${name}.png`), image);
  }
}

describe('model studio', { skip }, () => {
  before(async () => {
    engine = await import('leadscore');
    baseUrl = await serve({ '/pkg/': join(root, 'pkg'), '/': join(root, 'www') });
    browser = await launchChromium();
  });
  afterEach(async () => {
    for (const page of pages.splice(0)) await page.close();
  });
  after(async () => {
    await browser?.close();
    for (const server of servers) server.close();
  });

  test('the templates are valid models, and the textbook one is the golden tests\' model', () => {
    for (const name of ['b2b-saas', 'services', 'textbook']) {
      const doc = JSON.parse(readFileSync(join(root, 'www', 'studio', 'templates', `${name}.json`), 'utf8'));
      assert.deepEqual(engine.validateModel(doc), { ok: true, models: [doc.name] }, name);
    }
    const textbook = JSON.parse(readFileSync(join(root, 'www', 'studio', 'templates', 'textbook.json'), 'utf8'));
    const goldenModel = JSON.parse(readFileSync(join(root, 'tests', 'golden', '01-textbook-qualified.json'), 'utf8')).model.models[0];
    assert.deepEqual(textbook, goldenModel);
  });

  test('every view renders at 1366x768 without a console error, and the tabs work from the keyboard', async () => {
    const { page, errors } = await openStudio();
    assert.match(await page.textContent('#status'), /^Valid: 1 model \(textbook\)/);
    const views = { editor: 'studio-editor', journey: 'studio-journey', history: 'studio-history', export: 'studio-export' };
    await page.focus('#tab-editor');
    for (const [view, name] of Object.entries(views)) {
      if (view !== 'editor') {
        await page.focus('[role=tab][aria-selected=true]');
        await page.keyboard.press('ArrowRight');
      }
      assert.equal(await page.getAttribute(`#tab-${view}`, 'aria-selected'), 'true', view);
      assert.ok(await page.isVisible(`#view-${view}`), view);
      if (view === 'history') {
        await page.setInputFiles('#history-file', { name: 'leads.csv', mimeType: 'text/csv', buffer: crmExport(400) });
        await page.waitForSelector('#history-auc');
      }
      if (view === 'editor') await page.click('[data-rule="0"] summary');
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 1366), `${view} fits 1366 pixels wide`);
      assert.deepEqual(await page.evaluate(lowContrastText), [], `${view}: text contrast`);
      await screenshot(page, name);
    }
    // Every control of the editor has a label (its own <label for>, or aria-label).
    await page.click('#tab-editor');
    const unlabelled = await page.$$eval('#view-editor input, #view-editor select, #view-editor textarea, #view-journey input, #view-journey textarea',
      (controls) => controls.filter((c) => c.type !== 'hidden' && !c.getAttribute('aria-label') && !(c.id && document.querySelector(`label[for="${c.id}"]`)) && !c.closest('label')).map((c) => c.outerHTML));
    assert.deepEqual(unlabelled, []);
    assert.deepEqual(errors, []);
  });

  test('drives the editor: a rule added, a field broken and fixed, a journey simulated, the model exported', async () => {
    const { page, errors } = await openStudio();
    // Add a rule: a click on the demo button, 30 points, counted once.
    await page.click('#add-rule');
    const rule = 'rules[7]';
    await field(page, `${rule}.id`).fill('demo-click');
    await field(page, `${rule}.label`).fill('Clicked "Book a demo"');
    await field(page, `${rule}.when`).selectOption('click');
    await field(page, `${rule}.when.click.name`).fill('book-demo');
    await field(page, `${rule}.points`).fill('30');
    await field(page, `${rule}.max`).fill('1');
    // Break a field: points with three decimals. The engine's error sits next to it, naming it.
    await field(page, `${rule}.points`).fill('30.125');
    await errorNextTo(page, `${rule}.points`).waitFor({ state: 'visible' });
    assert.match(await errorNextTo(page, `${rule}.points`).textContent(), /^rules\[7\]\.points: .*decimal/);
    assert.equal(await field(page, `${rule}.points`).getAttribute('aria-invalid'), 'true');
    assert.match(await page.textContent('#status'), /1 error/);
    assert.match(await page.textContent('#error-summary'), /rules\[7\]\.points/);
    // Fix it: the error goes away and the model is valid again.
    await field(page, `${rule}.points`).fill('30');
    await page.waitForFunction(() => document.querySelector('#status').textContent.startsWith('Valid'));
    assert.equal(await errorNextTo(page, `${rule}.points`).isHidden(), true);
    // Another: a duplicate id, shown next to the id, then fixed.
    await field(page, `${rule}.id`).fill('pricing');
    await errorNextTo(page, `${rule}.id`).waitFor({ state: 'visible' });
    assert.match(await errorNextTo(page, `${rule}.id`).textContent(), /duplicate rule id "pricing"/);
    await field(page, `${rule}.id`).fill('demo-click');
    await page.waitForFunction(() => document.querySelector('#status').textContent.startsWith('Valid'));
    // The JSON view followed the form; an edit in the JSON view reaches the form.
    const json = JSON.parse(await page.inputValue('#json'));
    assert.deepEqual(json.rules[7], { id: 'demo-click', label: 'Clicked "Book a demo"', points: 30, when: { click: { name: 'book-demo' } }, max: 1 });
    json.version = '2';
    await pasteJson(page, json);
    assert.equal(await field(page, 'version').inputValue(), '2');
    // Group, cap and decay from the form.
    await page.click('text=Add a group');
    await field(page, 'groups[0].id').fill('web');
    await field(page, 'groups[0].max').fill('40');
    await openRule(page, 0);
    await field(page, 'rules[0].group').fill('web');
    await field(page, 'caps.fit').fill('30');
    await openRule(page, 1);
    await field(page, 'rules[1].decay').selectOption('half_life');
    await field(page, 'rules[1].decay.half_life').fill('14d');
    await page.waitForFunction(() => document.querySelector('#status').textContent.startsWith('Valid'));

    // Simulate the journey: the sample visitor, then a click on the demo button, scored 20 days later.
    await page.click('#tab-journey');
    await page.click('button[aria-label="Add a click step"]');
    await page.fill('[data-step="6"] input[id$="-name"]', 'book-demo');
    await page.fill('#journey-later', '20d');
    await page.waitForFunction(() => document.querySelector('#score-card').textContent.includes('Clicked "Book a demo"'));
    const card = await page.evaluate(() => ({ total: Number(document.querySelector('#card-total').textContent),
      fit: Number(document.querySelector('#card-fit').textContent), stage: document.querySelector('#card-stage').textContent,
      qualified: document.querySelector('#card-qualified').textContent }));
    // The same journey in Node against the document the page holds.
    const doc = JSON.parse(await page.inputValue('#json'));
    const start = Date.parse('2026-01-05T09:00');
    const minute = 60_000;
    const events = [
      { type: 'page_view', ts: start, path: '/', referrer: 'https://www.google.com/' },
      { type: 'page_view', ts: start + minute, path: '/pricing' },
      { type: 'engaged', ts: start + 2 * minute, path: '/pricing', seconds: 45 },
      { type: 'download', ts: start + 4 * minute, url: '/files/whitepaper.pdf' },
      { type: 'page_view', ts: start + 7 * minute, path: '/webinar' },
      { type: 'form_submit', ts: start + 8 * minute, form: 'webinar', traits: { email: 'dana@acme-logistics.com', company_size: 120, job_title: 'Head of Sales' } },
      { type: 'click', ts: start + 9 * minute, name: 'book-demo' },
    ];
    const scorer = new engine.Scorer(doc);
    for (const event of events) assert.equal(scorer.ingest(event).accepted, true);
    const now = start + 9 * minute + 20 * 86_400_000;
    const expected = scorer.score(now);
    assert.deepEqual(card, { total: expected.total, fit: expected.fit, stage: expected.stage, qualified: expected.qualified ? 'yes' : 'no' });
    assert.equal(expected.fit, 30, 'the fit cap applies');
    assert.ok(expected.breakdown.some((l) => l.rule === 'whitepaper' && l.decayed > 0), 'decay removed points');
    // The payload: the card, the traits, the history and the state, as the tag assembles them.
    const payload = JSON.parse(await page.textContent('#payload'));
    assert.match(payload.lead_id, /^[0-9a-f]{32}$/);
    assert.equal(payload.idempotency_key, `${payload.lead_id}:textbook:${expected.stage}`);
    const { scored_at: _, ...cardFields } = expected;
    for (const [key, value] of Object.entries(cardFields)) assert.deepEqual(payload[key], value, key);
    assert.deepEqual(payload.state, scorer.exportState());
    assert.equal(payload.traits.email_domain, 'acme-logistics.com');
    assert.equal(payload.page, 'https://www.example.com/webinar');
    assert.deepEqual(payload.history.pages.find((p) => p.path === '/pricing'), { path: '/pricing', views: 1, engaged_seconds: 45, scroll: 0 });
    assert.deepEqual(payload.history.clicks, [{ name: 'book-demo', count: 1 }]);
    assert.deepEqual(payload.history.source.referrers, ['www.google.com']);
    assert.equal(payload.history.first_seen, start);
    assert.equal(payload.history.last_seen, start + 9 * minute);
    assert.equal(payload.sent_by, `leadscore-browser/${engine.engineVersion()}`);
    scorer.free();

    // Export: the downloaded document is what the engine accepts, and the golden file.
    await page.click('#tab-export');
    const exported = await page.evaluate(async () => (await fetch(document.querySelector('#download').href)).json());
    assert.deepEqual(engine.validateModel(exported), { ok: true, models: ['textbook'] });
    if (process.env.LEADSCORE_UPDATE_GOLDEN) writeFileSync(new URL('./studio-golden.json', import.meta.url), `${JSON.stringify(exported, null, 2)}\n`);
    else assert.deepEqual(exported, golden);
    assert.equal(await page.textContent('#script-tag'),
      '<script async src="/leadscore.js" data-model="/leadscore-model.json" data-endpoint="https://crm.example.com/leads"></script>');
    assert.equal(await page.inputValue('#edge-form'), 'webinar', 'the form of the model\'s form_submit rule');
    await runQualifySnippet(await page.textContent('#qualify-snippet'), exported);
    assert.deepEqual(errors, []);
  });

  test('every condition type can be chosen from the form, and gives a valid rule', async () => {
    const { page, errors } = await openStudio();
    await page.click('#add-rule');
    const types = await field(page, 'rules[7].when').evaluate((select) => [...select.options].map((o) => o.value).filter(Boolean));
    assert.deepEqual(types, ['page_view', 'download', 'form_submit', 'click', 'event', 'campaign', 'referrer', 'email_click',
      'engaged', 'visits', 'scroll', 'inactive', 'trait', 'email_domain', 'all', 'any', 'not']);
    for (const type of types) {
      await field(page, 'rules[7].when').selectOption(type);
      const when = JSON.parse(await page.inputValue('#json')).rules[7].when;
      assert.ok(type === 'trait' ? 'trait' in when : type in when, `${type}: ${JSON.stringify(when)}`);
      if (type === 'all') {
        await page.click('[data-rule="7"] >> text=Add a condition');
        await field(page, 'rules[7].when.all[1]').selectOption('visits');
        assert.deepEqual(JSON.parse(await page.inputValue('#json')).rules[7].when.all[1], { visits: { at_least: 2 } });
      }
      assert.match(await page.textContent('#status'), /^Valid/, `${type}: ${await page.textContent('#error-summary')}`);
    }
    assert.deepEqual(JSON.parse(await page.inputValue('#json')).rules[7].when, { not: { trait: 'job_title', contains: 'student' } });
    // Each field of the chosen condition is reachable: a nested trait test typed in the form.
    await field(page, 'rules[7].when.not.contains').fill('student, intern');
    assert.deepEqual(JSON.parse(await page.inputValue('#json')).rules[7].when, { not: { trait: 'job_title', contains: ['student', 'intern'] } });
    assert.deepEqual(errors, []);
  });

  test('every field of a model that uses the whole format has a control in the form', async () => {
    const { page, errors } = await openStudio();
    const everything = {
      $schema: 'https://unpkg.com/leadscore/schema.json', name: 'everything', version: '3', description: 'all fields',
      rules: [
        { id: 'a', label: 'A', description: 'd', score: 'engagement', points: 5, group: 'g', max: 3, per: '1d', window: '30d',
          decay: { half_life: '10d' }, when: { page_view: { path: '/a*' } } },
        { id: 'b', points: 2, decay: { percent: 20, every: '7d' }, when: { event: { name: 'x' } } },
        { id: 'c', points: 1, disqualify: true, when: { trait: 't', equals: 'x', one_of: ['x', 2], contains: ['x'], between: [1, 2],
          at_least: 1, at_most: 2, below: 3, above: 0, exists: true, is_true: false } },
        { id: 'd', points: 1, when: { all: [{ scroll: { path: '/p', depth: 50 } }, { any: [{ engaged: { path: '/e', seconds: 5 } }, { not: { email_domain: { in: ['x.com'] } } }] }] } },
      ],
      groups: [{ id: 'g', label: 'G', max: 10, min: -5, decay: { half_life: '5d' } }],
      caps: { fit: 40, engagement: 60 }, scale: { min: -10, max: 90 },
      stages: [{ name: 'cold' }, { name: 'hot', above: 30 }],
      grades: { fit: [{ grade: 'A', min: 10 }, { grade: 'B', min: -1000 }], engagement: [{ grade: '1', min: 10 }, { grade: '2', min: -1000 }] },
      qualify: { stage: 'hot', min_total: 31, min_fit: 0, min_engagement: 1, rules: ['a'] },
      next_steps: { cold: 'wait', hot: 'call' },
    };
    assert.equal(engine.validateModel(everything).ok, true);
    await pasteJson(page, everything);
    await page.waitForFunction(() => document.querySelector('#status').textContent.startsWith('Valid'));
    for (let i = 0; i < everything.rules.length; i++) await openRule(page, i);
    const leaves = [];
    const walk = (value, path) => {
      if (Array.isArray(value) && value.some((v) => v && typeof v === 'object')) value.forEach((v, i) => walk(v, `${path}[${i}]`));
      else if (value && typeof value === 'object' && !Array.isArray(value)) for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
      else leaves.push(path);
    };
    walk(everything, '');
    const missing = await page.evaluate((paths) => paths.filter((p) => ![...document.querySelectorAll('#editor [data-path]')].some((el) => el.dataset.path === p)), leaves);
    assert.deepEqual(missing, []);
    assert.ok(leaves.length > 60, `${leaves.length} fields`);
    assert.deepEqual(errors, []);
  });

  test('a document with several models: one chosen to edit and simulate', async () => {
    const { page, errors } = await openStudio();
    const doc = JSON.parse(readFileSync(join(root, 'tests', 'golden', '08-multi-model.json'), 'utf8')).model;
    await pasteJson(page, doc);
    await page.waitForSelector('#model-choice:not([hidden])');
    const names = doc.models.map((m) => m.name);
    assert.deepEqual(await page.$$eval('#model-select option', (options) => options.map((o) => o.textContent)), names);
    await page.selectOption('#model-select', '1');
    assert.equal(await field(page, 'models[1].name').inputValue(), names[1]);
    await field(page, 'models[1].rules[0].points').evaluate((input) => input.closest('details').setAttribute('open', ''));
    await field(page, 'models[1].rules[0].points').fill('1.234');
    await errorNextTo(page, 'models[1].rules[0].points').waitFor({ state: 'visible' });
    await field(page, 'models[1].rules[0].points').fill('5');
    await page.click('#tab-export');
    assert.match(await page.textContent('#script-tag'), new RegExp(`data-model-name="${names[1]}"`));
    assert.deepEqual(errors, []);
  });

  test('a real exported state (a leadscore_state field) is loaded and scored', async () => {
    const model = JSON.parse(readFileSync(join(root, 'www', 'studio', 'templates', 'textbook.json'), 'utf8'));
    const scorer = new engine.Scorer(model);
    const t = Date.UTC(2026, 1, 2, 10);
    scorer.ingest({ type: 'page_view', ts: t, path: '/pricing' });
    scorer.ingest({ type: 'identify', ts: t + 1000, traits: { email: 'kim@acme.io', company_size: 80 } });
    const state = scorer.exportState();
    const expected = scorer.score(t + 1000);
    scorer.free();
    const { page, errors } = await openStudio();
    await page.click('#tab-journey');
    while (await page.locator('button[aria-label^="Remove step"]').count()) await page.locator('button[aria-label^="Remove step"]').first().click();
    await page.click('.state-import summary');
    await page.fill('#state-input', encodeURIComponent(JSON.stringify(state))); // as a form body carries it
    await page.click('#load-state');
    await page.waitForFunction(() => document.querySelector('#state-status').textContent.startsWith('State loaded'));
    assert.equal(Number(await page.textContent('#card-total')), expected.total);
    assert.equal(await page.textContent('#card-stage'), expected.stage);
    await page.fill('#state-input', '{"v": 9}');
    await page.click('#load-state');
    assert.match(await page.textContent('#state-status'), /^Not loaded: .*state\.v: unsupported state version/);
    assert.deepEqual(errors, []);
  });

  test('previews a CRM export against a live model, in the page', async () => {
    const { page, errors } = await openStudio();
    const requests = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.click('#tab-history');
    await page.click('#live-from-draft');
    // From the keyboard: Enter on the drop zone clicks the file input (which opens the browser's chooser).
    await page.$eval('#history-file', (input) => input.addEventListener('click', (event) => { event.preventDefault(); input.dataset.clicked = 'yes'; }));
    await page.focus('#history-drop');
    await page.keyboard.press('Enter');
    assert.equal(await page.getAttribute('#history-file', 'data-clicked'), 'yes');
    await page.setInputFiles('#history-file', { name: 'leads.csv', mimeType: 'text/csv', buffer: crmExport(600) });
    await page.waitForSelector('#history-live-auc');
    assert.equal(await page.inputValue('#history-label'), 'Converted');
    assert.equal(await page.inputValue('#history-id'), 'Lead ID');
    const live = Number(await page.textContent('#history-live-auc'));
    assert.equal(Number(await page.textContent('#history-auc')), live, 'the same model on both sides');
    // The draft drops the company-size rule: it ranks worse than the live model, and leads change stage.
    await page.click('#tab-editor');
    await openRule(page, 3);
    await field(page, 'rules[3].points').fill('0');
    await page.click('#tab-history');
    await page.waitForFunction((before) => Number(document.querySelector('#history-auc')?.textContent) < before, live);
    assert.match(await page.textContent('#history-moves'), /\d+ of 600 leads change stage/);
    assert.ok(await page.$$eval('.stage-table tbody th', (rows) => rows.some((row) => row.textContent === 'new')));
    await screenshot(page, 'studio-history'); // with the live model: replaces the one of the first test
    assert.deepEqual(errors, []);
    assert.deepEqual(requests.filter((url) => !url.startsWith(baseUrl) && !url.startsWith('blob:')), [], 'nothing leaves the page');
  });

  test('opens the model learned on the calibration page', async () => {
    const { page } = await openStudio();
    await page.evaluate(() => localStorage.setItem('leadscore:calibrated-model', JSON.stringify({ name: 'calibrated', rules: [
      { id: 'visits', points: 12, when: { trait: 'Visits', at_least: 3 } }] })));
    const { page: studio, errors } = await openStudio(`${baseUrl}studio.html#calibrated`);
    assert.equal(await field(studio, 'name').inputValue(), 'calibrated');
    assert.match(await studio.textContent('#status'), /^Valid: 1 model \(calibrated\), opened from the calibration page/);
    assert.deepEqual(errors, []);
  });

  test('opens a model from a file and from a URL, and says why when it cannot', async () => {
    const { page, errors } = await openStudio(`${baseUrl}studio.html?model=studio/templates/services.json`);
    assert.equal(await field(page, 'name').inputValue(), 'services');
    await page.setInputFiles('#open-file', { name: 'mine.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ name: 'mine', rules: [] })) });
    await page.waitForFunction(() => document.querySelector('#status').textContent.includes('opened from mine.json'));
    await page.setInputFiles('#open-file', { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"name": ') });
    await page.waitForSelector('#open-error:not([hidden])');
    assert.match(await page.textContent('#open-error'), /^broken\.json: /);
    assert.equal(await field(page, 'name').inputValue(), 'mine', 'the open model stays');
    await page.selectOption('#template', 'b2b-saas');
    await page.click('#open-template');
    await page.waitForFunction(() => document.querySelector('[data-path="name"]').value === 'b2b-saas');
    assert.deepEqual(errors, []);
  });

  test('the studio shipped in the package runs from the package\'s own directory', async () => {
    // The tarball holds the page, its modules and templates (what `npm pack` would publish).
    const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: join(root, 'pkg'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    const files = packed.files.map((f) => f.path);
    for (const file of ['studio.html', 'studio/app.js', 'studio/history-worker.js', 'studio/studio.css', 'studio/templates/textbook.json']) {
      assert.ok(files.includes(file), `${file} in the package`);
    }
    const packaged = await serve({ '/': join(root, 'pkg') });
    const { page, errors } = await openStudio(`${packaged}studio.html`);
    assert.match(await page.textContent('#status'), /^Valid/);
    await page.click('#tab-journey');
    await page.waitForSelector('#card-total');
    assert.deepEqual(errors, []);
  });
});
