// The calibration page (www/calibrate.html) in headless Chromium, served with the built package as
// `npm start` serves them: a CSV chosen in the page is calibrated in a worker, the ROC curve and the
// points are drawn, the model is offered for download, and no request leaves for anywhere but the
// page's own server (nothing is uploaded).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openPage } from '../support/chromium.mjs';
import { root, servePages } from './pages.mjs';

const skip = existsSync(join(root, 'pkg', 'web.js')) ? false : 'pkg/ is not built: run npm run build first';
let pages;
let baseUrl;
let browser;

function leads(rows) {
  let state = 3;
  const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  const lines = ['Lead ID,Visits,Industry,Converted'];
  for (let i = 0; i < rows; i++) {
    const visits = Math.floor(random() * 10);
    const industry = ['Retail', 'Banking', 'Select'][Math.floor(random() * 3)];
    const logit = -2 + 0.45 * visits + (industry === 'Retail' ? 1 : 0);
    lines.push(`L${i},${visits},${industry},${random() < 1 / (1 + Math.exp(-logit)) ? 1 : 0}`);
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

describe('calibration page', { skip }, () => {
  before(async () => {
    pages = await servePages();
    ({ baseUrl, browser } = pages);
  });
  after(async () => {
    await pages?.close();
  });

  test('calibrates a chosen CSV in the page and offers the model', async () => {
    const { page, errors } = await openPage(browser.context, `${baseUrl}calibrate.html`, '#drop', 1);
    const requests = [];
    page.on('request', (request) => requests.push(request.url()));
    assert.match(await page.textContent('#privacy'), /Nothing is uploaded/);
    await page.setInputFiles('#file', { name: 'leads.csv', mimeType: 'text/csv', buffer: leads(1200) });
    await page.waitForSelector('#setup:not([hidden])');
    assert.equal(await page.inputValue('#label'), 'Converted');
    assert.equal(await page.inputValue('#id'), 'Lead ID');
    await page.click('#run');
    await page.waitForSelector('#roc-curve', { timeout: 60_000 });
    if (process.env.LEADSCORE_SCREENSHOT) await page.screenshot({ path: process.env.LEADSCORE_SCREENSHOT, fullPage: true });
    const auc = Number(await page.textContent('#auc'));
    assert.ok(auc > 0.7 && auc <= 1, `AUC ${auc}`);
    assert.ok(await page.$$eval('.points-bar', (bars) => bars.length) > 3);
    const href = await page.getAttribute('#download', 'href');
    assert.match(href, /^blob:/);
    const model = await page.evaluate(async (url) => (await fetch(url)).json(), href);
    assert.equal(model.name, 'calibrated');
    assert.ok(model.rules.some((r) => r.when.trait === 'Visits'));
    // Handed to the model studio (studio.html#calibrated, tests/www/studio.test.mjs) through localStorage.
    assert.deepEqual(await page.evaluate(() => JSON.parse(localStorage.getItem('leadscore:calibrated-model'))), model);
    assert.deepEqual(errors, []);
    const elsewhere = requests.filter((url) => !url.startsWith(baseUrl) && !url.startsWith('blob:'));
    assert.deepEqual(elsewhere, [], 'no request leaves for another server');
  });

  test('a bad CSV shows an error naming the row', async () => {
    const { page } = await openPage(browser.context, `${baseUrl}calibrate.html`, '#drop', 1);
    const ragged = Buffer.from('Visits,Converted\n1,0\n2\n3,1\n');
    await page.setInputFiles('#file', { name: 'bad.csv', mimeType: 'text/csv', buffer: ragged });
    await page.click('#run');
    await page.waitForSelector('#error:not([hidden])', { timeout: 30_000 });
    assert.match(await page.textContent('#error'), /line 3: 1 field, but the header has 2 columns/);
  });
});
