// The calibration page on a file far larger than a page should hold (issue 19): a generated CSV of
// LEADSCORE_PAGE_MB MB (default 20) chosen in the page is streamed from the File by the worker
// (www/calibrate/worker.js) in chunks: sampled, learned from, then scored on every row. While it works, the
// page's main thread keeps running (its timers fire on time) and the progress line moves through the
// passes; the model and the sample's figures equal those of `leadscore calibrate` on the same file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openPage } from '../support/chromium.mjs';
import { root, servePages } from './pages.mjs';

const bin = join(root, 'pkg', 'bin', 'leadscore.mjs');
const skip = existsSync(join(root, 'pkg', 'calibrate-web.js')) ? false : 'pkg/ is not built: run npm run build first';
const PAGE_MB = Number(process.env.LEADSCORE_PAGE_MB ?? 20);
let pages;
let baseUrl;
let browser;
let dir;

/** Writes generated leads with a known signal until the file holds `megabytes` MB; returns its path. */
async function bigCsv(megabytes) {
  const path = join(dir, 'big-leads.csv');
  const file = createWriteStream(path);
  file.write('Lead ID,Visits,Industry,Time on Site,Converted\n');
  let state = 11;
  const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; file.bytesWritten + file.writableLength < megabytes * 1e6;) {
    const lines = [];
    for (const end = i + 10_000; i < end; i++) {
      const visits = Math.floor(random() * 12);
      const industry = ['Retail', 'Banking', 'Software', 'Select'][Math.floor(random() * 4)];
      const seconds = Math.floor(random() * 1500);
      const logit = -2.5 + 0.3 * visits + (industry === 'Software' ? 1 : 0) + seconds / 1000;
      lines.push(`L${i},${visits},${industry},${seconds},${random() < 1 / (1 + Math.exp(-logit)) ? 1 : 0}`);
    }
    if (!file.write(`${lines.join('\n')}\n`)) await once(file, 'drain');
  }
  file.end();
  await once(file, 'close');
  return path;
}

describe('calibration page, large file', { skip }, () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'leadscore-page-large-'));
    pages = await servePages();
    ({ baseUrl, browser } = pages);
  });
  after(async () => {
    await pages?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test(`a ${PAGE_MB} MB export is learned in a worker, the page responsive, the result the CLI's`, { timeout: 600_000 }, async () => {
    const path = await bigCsv(PAGE_MB);
    const cli = spawnSync(process.execPath, [bin, 'calibrate', path, '--label', 'Converted', '--id', 'Lead ID', '--out', join(dir, 'cli-model.json'),
      '--report', join(dir, 'cli-report.json'), '--quiet'], { encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);
    const cliModel = JSON.parse(readFileSync(join(dir, 'cli-model.json'), 'utf8'));
    const cliReport = JSON.parse(readFileSync(join(dir, 'cli-report.json'), 'utf8'));
    assert.ok(cliReport.sample.rows > cliReport.sample.learned_from, 'the file is larger than the sample');

    const { page, errors } = await openPage(browser.context, `${baseUrl}calibrate.html`, '#drop', 1);
    await page.setInputFiles('#file', path);
    await page.waitForSelector('#setup:not([hidden])');
    assert.equal(await page.inputValue('#label'), 'Converted');
    // The main thread's heartbeat and the progress lines shown, recorded in the page while the worker works.
    await page.evaluate(() => {
      const watch = { ticks: 0, longestGap: 0, steps: new Set() };
      let last = performance.now();
      watch.timer = setInterval(() => {
        const now = performance.now();
        watch.longestGap = Math.max(watch.longestGap, now - last);
        last = now;
        watch.ticks++;
      }, 50);
      new MutationObserver(() => watch.steps.add(document.getElementById('step').textContent.replace(/[\d.,]+/g, '#')))
        .observe(document.getElementById('step'), { childList: true, characterData: true, subtree: true });
      window.watch = watch;
    });
    const started = Date.now();
    await page.click('#run');
    await page.waitForSelector('#roc-curve', { timeout: 540_000 });
    const seconds = (Date.now() - started) / 1000;
    const watch = await page.evaluate(() => {
      clearInterval(window.watch.timer);
      return { ticks: window.watch.ticks, longestGap: window.watch.longestGap, steps: [...window.watch.steps] };
    });
    process.stdout.write(`# page: ${(statSync(path).size / 1e6).toFixed(0)} MB, ${cliReport.sample.rows} rows in ${seconds.toFixed(1)} s; `
      + `main thread ticked ${watch.ticks} times, longest gap ${watch.longestGap.toFixed(0)} ms\n`);
    // A frozen tab would not tick for the whole run; on a busy 2-core machine timers may slip, not stop.
    assert.ok(watch.longestGap < 2000, `the page froze for ${watch.longestGap} ms`);
    assert.ok(watch.ticks > seconds * 5, `${watch.ticks} ticks in ${seconds} s`);
    assert.ok(watch.steps.some((s) => s.startsWith('reading the leads: # of # MB')), watch.steps.join(' | '));
    assert.ok(watch.steps.some((s) => s.startsWith('scoring all # leads with the model')), watch.steps.join(' | '));

    const model = await page.evaluate(async (url) => (await fetch(url)).json(), await page.getAttribute('#download', 'href'));
    const report = await page.evaluate(async (url) => (await fetch(url)).json(), await page.getAttribute('#download-report', 'href'));
    assert.deepEqual(model, cliModel);
    assert.deepEqual(report.sample, cliReport.sample);
    assert.equal(report.cross_validation.auc, cliReport.cross_validation.auc);
    assert.match(await page.textContent('#sample-note'), new RegExp(`of the file's ${cliReport.sample.rows.toLocaleString('en-US')} leads`));
    assert.deepEqual(errors, []);
  });
});
