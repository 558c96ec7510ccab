// The calibration page's champion / challenger and campaign credit views (www/calibrate-views.js)
// in headless Chromium: files chosen in the page give exactly the figures the CLI's functions give
// in Node (CompareStream; scoreCsv then funnel), drawn as tables and a chart, and no request
// leaves for anywhere but the page's own server.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openPage } from '../support/chromium.mjs';
import { root, servePages } from './pages.mjs';

const skip = existsSync(join(root, 'pkg', 'calibrate-node.js')) ? false : 'pkg/ is not built: run npm run build first';
const CAMPAIGNS = ['spring-webinar', 'brand', 'retargeting', ''];
const COSTS = 'campaign,cost\nspring-webinar,1200\nbrand,800\nretargeting,"1,500"\n';

/** A visitor state as the tag's leadscore_state form field carries it: first and last campaign. */
function state(first, last) {
  const campaigns = [[first, 0], [last, 7200]].filter(([c]) => c).map(([c, at]) => [`google|cpc|${c}`, 1, -1, [at]]);
  const json = JSON.stringify({ v: 1, first: 1.8e12, last: 7200, campaigns });
  return `"${json.replaceAll('"', '""')}"`;
}

function leads(rows, seed) {
  let s = seed;
  const random = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const lines = ['Lead ID,Visits,Industry,Converted,First Campaign,Last Campaign,leadscore_state'];
  for (let i = 0; i < rows; i++) {
    const visits = Math.floor(random() * 10);
    const industry = ['Retail', 'Banking', 'Select'][Math.floor(random() * 3)];
    const logit = -2 + 0.45 * visits + (industry === 'Retail' ? 1 : 0);
    const [first, last] = [CAMPAIGNS[i % 4], CAMPAIGNS[(i + 1) % 4]];
    lines.push(`L${i},${visits},${industry},${random() < 1 / (1 + Math.exp(-logit)) ? 1 : 0},${first},${last},${state(first, last)}`);
  }
  return `${lines.join('\n')}\n`;
}

describe('calibration page: compare and campaign views', { skip }, () => {
  let pages;
  let baseUrl;
  let browser;
  let node;
  before(async () => {
    node = await import(join(root, 'pkg', 'calibrate-node.js'));
    pages = await servePages();
    ({ baseUrl, browser } = pages);
  });
  after(() => pages?.close());

  test('champion / challenger and campaign credit give the CLI figures, and nothing leaves the page', async () => {
    const exclude = ['First Campaign', 'Last Campaign', 'leadscore_state'];
    const champion = node.calibrate(leads(800, 5), { label: 'Converted', id: 'Lead ID', exclude, name: 'champion' }).model;
    const challenger = { ...champion, name: 'challenger', rules: champion.rules.filter((r) => r.when.trait !== 'Industry') };
    const text = leads(1500, 11);
    const comparison = new node.CompareStream(champion, challenger, { label: 'Converted', id: 'Lead ID', listChanges: true });
    const changed = Buffer.concat([comparison.push(Buffer.from(text)), comparison.finish()]).toString();
    const expected = comparison.report();
    comparison.free();

    const { page, errors } = await openPage(browser.context, `${baseUrl}calibrate.html`, '#compare-run', 1);
    const requests = [];
    page.on('request', (request) => requests.push(request.url()));
    const json = (name, value) => ({ name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(value)) });
    const csv = (name, value) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(value) });
    await page.setInputFiles('#compare-a', json('champion.json', champion));
    await page.setInputFiles('#compare-b', json('challenger.json', challenger));
    await page.setInputFiles('#compare-leads', csv('leads.csv', text));
    await page.waitForFunction(() => document.querySelector('#compare-id').value === 'Lead ID');
    assert.equal(await page.inputValue('#compare-label'), 'Converted');
    await page.click('#compare-run');
    await page.waitForSelector('#compare-models');
    const cells = (selector) => page.$$eval(`${selector} tbody tr`, (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
    const [a, b] = expected.models;
    const interval = ([low, high]) => `[${low.toFixed(3)}, ${high.toFixed(3)}]`;
    const models = await cells('#compare-models');
    assert.deepEqual(models[0], ['ROC AUC', a.auc.toFixed(3), b.auc.toFixed(3)]);
    assert.deepEqual(models[1], ['95 % interval (DeLong)', interval(a.auc_ci95), interval(b.auc_ci95)]);
    assert.deepEqual(models[3], ['top 10 %: lift', `${a.top_decile.lift.toFixed(2)}x`, `${b.top_decile.lift.toFixed(2)}x`]);
    assert.match(await page.textContent('#compare-summary'), new RegExp(`AUC B − A: [-+]?${Math.abs(expected.auc_difference.b_minus_a).toFixed(3)}`));
    const stages = await cells('#compare-stages');
    assert.deepEqual(stages.map((s) => s[0]), a.stages.map((s) => s.stage));
    assert.deepEqual(stages.map((s) => Number(s[1])), a.stages.map((s) => s.leads));
    assert.deepEqual(stages.map((s) => Number(s[3])), b.stages.map((s) => s.leads));
    assert.ok(expected.changed_stage > 0, 'leaving out a column moves leads between stages');
    assert.deepEqual(await cells('#compare-changes'), expected.changes.map((c) => [`${c.from} → ${c.to}`, String(c.leads)]));
    const href = await page.getAttribute('#compare-download', 'href');
    assert.equal(await page.evaluate(async (url) => (await fetch(url)).text(), href), changed);

    const scored = node.scoreCsv(champion, text, { keep: ['Converted', 'First Campaign', 'Last Campaign', 'leadscore_state'] });
    const credit = node.funnel(scored, { label: 'Converted', by: ['First Campaign', 'Last Campaign'], touches: 'leadscore_state', costs: COSTS });
    await page.setInputFiles('#campaigns-leads', csv('crm.csv', text));
    await page.setInputFiles('#campaigns-model', json('champion.json', champion));
    await page.setInputFiles('#campaigns-costs', csv('costs.csv', COSTS));
    await page.waitForFunction(() => document.querySelector('#campaigns-touches').value === 'leadscore_state');
    await page.click('#campaigns-run');
    await page.waitForSelector('#campaigns-table-3');
    if (process.env.LEADSCORE_SCREENSHOT) await page.screenshot({ path: process.env.LEADSCORE_SCREENSHOT, fullPage: true });
    assert.deepEqual(await page.$$eval('#campaigns-results h3', (hs) => hs.map((h) => h.textContent)),
      credit.campaigns.map((c) => `By ${c.by}`));
    const money = (x) => (x === null ? '–' : x.toFixed(2));
    for (const [i, table] of credit.campaigns.entries()) {
      const rows = await cells(`#campaigns-table-${i}`);
      assert.deepEqual(rows.map((r) => [r[0], Number(r[1]), Number(r[2]), r[10]]),
        table.campaigns.map((c) => [c.campaign, c.leads, c.qualified, money(c.cost_per_qualified_lead)]));
      assert.equal(await page.$$eval(`#campaigns-chart-${i} .campaign-bar`, (bars) => bars.length), table.campaigns.length);
    }
    // First touch from the visitor state credits brand with the leads the CRM's first column gives it.
    const brand = (t) => credit.campaigns[t].campaigns.find((c) => c.campaign === 'brand');
    assert.deepEqual(brand(2), brand(0));

    // A bad choice is an error in the view, not a broken page.
    await page.selectOption('#campaigns-by', []);
    await page.selectOption('#campaigns-touches', '');
    await page.click('#campaigns-run');
    await page.waitForSelector('#campaigns-error:not([hidden])');
    assert.match(await page.textContent('#campaigns-error'), /choose the campaign columns/);
    assert.deepEqual(errors, []);
    const elsewhere = requests.filter((url) => !url.startsWith(baseUrl) && !url.startsWith('blob:'));
    assert.deepEqual(elsewhere, [], 'no request leaves for another server');
  });
});
