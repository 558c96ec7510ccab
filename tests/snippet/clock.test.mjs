// The visitor's clock in every engine (issue 16): each page of the journey is loaded with the device clock
// (Date.now, which the tag and its outbox read) set off by a given amount: backwards by hours, forwards by days,
// twelve years ahead, ten years behind; the time zone changes mid-journey; a tab is suspended for hours. Every
// view counts once, no duration is negative, the lead is delivered once, and the edge clamps the state against
// its own clock.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { acrossEngines, activity, exportState, open, pageErrors, pageOf, qualifyHere, root, until, waitFor } from './support.mjs';

// In Chromium by default; LEADSCORE_ENGINES=all runs them in Firefox and WebKit too (RELIABILITY.md).
const { test, server } = acrossEngines(['chromium']);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;

/** The device clock `skew` ms off, and (optionally) another time zone; `window.__skew(ms)` moves it later. */
const deviceClock = ({ skew, zoneMinutes }) => {
  const real = Date.now.bind(Date);
  let by = skew;
  Date.now = () => real() + by;
  window.__skew = (ms) => { by = ms; };
  if (zoneMinutes !== undefined) Date.prototype.getTimezoneOffset = () => zoneMinutes;
};

test('clock: backwards, days ahead, years ahead and behind, a time-zone change: each view once, one lead, the edge clamps', async ({ browser, site }) => {
  const since = await activity(server.url);
  const page = await browser.newPage();
  const at = async (skew, path, zoneMinutes) => {
    site.setInit(deviceClock, { skew, zoneMinutes });
    return open(page, site, path);
  };
  await at(0, '/pricing');
  await at(-3 * HOUR, '/features', -600); // corrected backwards; Sydney
  await at(3 * DAY, '/whitepaper', 300); // three days later; New York
  await page.click('#download');
  await at(12 * YEAR, '/webinar');
  assert.equal((await qualifyHere(page)).qualified, true, 'qualified with the clock twelve years ahead');
  await until(async () => (await since()).stored === 1, 20_000, 'the lead');
  await at(-10 * YEAR, '/pricing'); // a clock ten years behind
  await at(0, '/features');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const after = await since();
  assert.equal(after.stored, 1, 'one lead');
  assert.equal(after.posts, after.stored + after.duplicates, 'nothing sent again when the clock moved');

  const state = await exportState(page);
  for (const [path, views] of [['/pricing', 3], ['/features', 2], ['/whitepaper', 1], ['/webinar', 1]]) {
    assert.equal(pageOf(state, path)?.views, views, `${path}: each view once, whatever the clock said`);
  }
  assert.deepEqual(state.downloads.map((d) => [d[0], d[1]]), [['/files/whitepaper-lead-scoring.pdf', 2]], 'the click and qualifyHere');
  assert.deepEqual(state.forms.map((f) => [f[0], f[1]]), [['webinar', 1]]);
  assert.ok(state.pages.every((p) => (p[4] ?? 0) >= 0), 'no negative engaged time');
  assert.ok(state.last >= 0, `the span from first to last activity is not negative: ${state.last}`);
  assert.deepEqual(await pageErrors(page), { onerror: [], console: [] });

  // The edge scores the same state against its own clock: the times twelve years ahead are moved to now.
  const { qualify } = await import('leadscore/edge');
  const model = JSON.parse(readFileSync(join(root, 'www', 'models', 'textbook.json'), 'utf8'));
  const body = new URLSearchParams({ email: 'dee@delta.example', leadscore_state: JSON.stringify(state) });
  const answer = await (await qualify(new Request('https://edge.example/forms/webinar', { method: 'POST', body }), { model, form: 'webinar' })).json();
  assert.ok(answer.clamped.some((note) => /after now moved to now/.test(note)), JSON.stringify(answer.clamped));
});

test('clock: a tab suspended for hours, then resumed, records at most the idle limit of engaged time', async ({ browser, site }) => {
  site.setInit(deviceClock, { skew: 0 });
  const page = await browser.newPage();
  await open(page, site, '/features');
  await page.evaluate(() => document.dispatchEvent(new KeyboardEvent('keydown', { key: 'a' })));
  await page.evaluate(() => window.__skew(4 * 3_600_000)); // the tab wakes four hours later
  await new Promise((resolve) => setTimeout(resolve, 6000)); // a housekeeping tick (every 5 s)
  await page.evaluate(() => window.__skew(4 * 3_600_000 - 3_600_000)); // and the clock is corrected back an hour
  await new Promise((resolve) => setTimeout(resolve, 5500));
  await open(page, site, '/pricing'); // leaving the page records what is left
  const features = pageOf(await exportState(page), '/features');
  assert.ok(features.engaged >= 0 && features.engaged <= 5 * 60 + 15, `engaged ${features.engaged} s: at most the 5-minute idle limit`);
  assert.equal(features.views, 1);
  assert.deepEqual(await pageErrors(page), { onerror: [], console: [] });
  await waitFor(page, () => window.leadscore.score().then((card) => card.total === 15), null, 5000, 'the score');
});
