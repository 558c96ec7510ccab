// A hostile page (issue 3): fetch replaced, localStorage throwing, storage full, corrupt stored data, a broken
// model. The page keeps working, nothing reaches window.onerror, nothing already collected is lost.
import assert from 'node:assert/strict';
import { activity, exportState, openPage, pageOf, qualifyHere, suite, until, visit } from './support.mjs';

const { test, browse, server } = suite();

/** The page still works: its own script runs (the debug panel toggles) and nothing reached window.onerror. */
async function pageStillWorks(page, seen) {
  const hidden = await page.$eval('#debug', (panel) => panel.hidden);
  await page.click('#debug-toggle');
  await page.waitForFunction((was) => document.getElementById('debug').hidden !== was, hidden, { timeout: 5_000 });
  assert.deepEqual(seen.pageErrors, [], 'no uncaught exception');
  assert.deepEqual(await page.evaluate(() => window.__onerror), [], 'nothing reached window.onerror');
}

test('fetch replaced by a function that throws: scoring goes on, the lead waits for a page with a working fetch', () => browse(async (context) => {
  const since = await activity(server.url);
  const { page, seen } = await openPage(context, {
    init: () => { window.fetch = () => { throw new Error('fetch is disabled on this page'); }; },
  });
  await visit(page, server.url, '/');
  assert.equal((await qualifyHere(page)).qualified, true);
  await page.waitForTimeout(1000);
  await pageStillWorks(page, seen);
  assert.equal((await since()).posts, 0);
  const next = await openPage(context);
  await visit(next.page, server.url, '/features');
  await until(async () => (await since()).stored === 1, 15_000, 'the lead from the next page');
}));

test('localStorage throwing on access: memory only, still delivered from this page', () => browse(async (context) => {
  const since = await activity(server.url);
  const { page, seen } = await openPage(context, {
    init: () => Object.defineProperty(window, 'localStorage', {
      get() { throw new DOMException('storage is disabled', 'SecurityError'); },
    }),
  });
  await visit(page, server.url, '/');
  assert.equal((await qualifyHere(page)).qualified, true);
  await until(async () => (await since()).stored === 1, 15_000, 'the lead');
  await pageStillWorks(page, seen);
}));

test('storage full and Storage methods throwing: keeps working, delivered once', () => browse(async (context) => {
  const since = await activity(server.url);
  const { page, seen } = await openPage(context, {
    init: () => {
      // Fill the origin's quota, as a page with a greedy cache would.
      try {
        localStorage.clear();
        const block = 'x'.repeat(256 * 1024);
        for (let i = 0; i < 100; i++) localStorage.setItem(`fill${i}`, block);
      } catch {}
      try { for (let i = 0; i < 1000; i++) localStorage.setItem(`small${i}`, 'x'.repeat(1024)); } catch {}
    },
  });
  await visit(page, server.url, '/');
  assert.equal(await page.evaluate(() => { try { localStorage.setItem('probe', 'x'.repeat(4096)); return 'stored'; } catch { return 'full'; } }), 'full');
  assert.equal((await qualifyHere(page)).qualified, true);
  await until(async () => (await since()).stored === 1, 15_000, 'the lead');
  await page.waitForTimeout(1000);
  assert.equal((await since()).posts, 1);
  await pageStillWorks(page, seen);

  const broken = await openPage(context, {
    init: () => {
      localStorage.clear();
      for (const method of ['getItem', 'setItem', 'removeItem']) {
        Storage.prototype[method] = () => { throw new Error(`${method} is broken here`); };
      }
    },
  });
  await visit(broken.page, server.url, '/pricing');
  assert.equal((await broken.page.evaluate(() => window.leadscore.score())).total, 15);
  await pageStillWorks(broken.page, broken.seen);
}));

test('corrupt or foreign stored data is discarded without breaking the page', () => browse(async (context) => {
  const cases = [['{"v":1,"id":"abc', 'garbage'], ['{"v":99,"id":"from-the-future"}', '{"x":1}'], ['[1,2,3]', '[{"key":1}]'],
    ['{"v":1,"id":"abcdefgh12345678","state":{"v":1,"first":"yesterday"}}', '[]']];
  for (const [state, outbox] of cases) {
    const { page, seen } = await openPage(context, {
      init: ([s, o]) => {
        localStorage.setItem('leadscore', s);
        localStorage.setItem('leadscore:outbox', o);
      },
      arg: [state, outbox],
    });
    await visit(page, server.url, '/pricing');
    assert.equal((await page.evaluate(() => window.leadscore.score())).total, 15, `a fresh state after ${state}`);
    const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('leadscore')));
    assert.equal(stored.v, 1, 'replaced by a valid envelope');
    assert.ok(/^[0-9a-f]{32}$/.test(stored.id) || stored.id === 'abcdefgh12345678', stored.id);
    await pageStillWorks(page, seen);
    await page.close();
  }
}));

test('a broken model: a console error naming the field, and nothing collected meanwhile is lost', () => browse(async (context) => {
  let broken = true;
  await context.route('**/leadscore-model.json', async (route) => {
    if (!broken) return route.continue();
    const model = await (await fetch(`${server.url}/leadscore-model.json`)).json();
    model.rules[0].points = 'lots';
    return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(model) });
  });
  const { page, seen } = await openPage(context);
  await visit(page, server.url, '/pricing');
  const error = seen.consoleErrors.find((e) => e.includes('rules[0].points'));
  assert.ok(error, `a console error names the field: ${seen.consoleErrors}`);
  assert.equal(await page.evaluate(() => window.leadscore.score()), null, 'no score without a valid model');
  assert.equal(pageOf(await exportState(page), '/pricing').views, 1, 'the visit is still recorded');
  broken = false;
  await visit(page, server.url, '/features');
  const card = await page.evaluate(() => window.leadscore.score());
  assert.equal(card.total, 15, 'the pricing view made under the broken model counts once it is fixed');
  assert.deepEqual(seen.pageErrors, []);
  assert.deepEqual(await page.evaluate(() => window.__onerror), []);
}));

test('a GTM dataLayer is read when data-gtm is set', () => browse(async (context) => {
  const { page, seen } = await openPage(context, {
    init: () => { window.dataLayer = [{ event: 'gtm.js' }, { event: 'newsletter_signup' }, { 'gtm.start': 1 }]; },
  });
  await visit(page, server.url, '/?gtm');
  await page.evaluate(() => window.dataLayer.push({ event: 'pricing_calculator' }, { event: 'gtm.click' }));
  await page.waitForTimeout(100);
  const state = await exportState(page);
  assert.deepEqual(state.events.map((e) => e[0]).sort(), ['newsletter_signup', 'pricing_calculator']);
  assert.equal(await page.evaluate(() => window.dataLayer.length), 5, 'the push still works for the page');
  assert.deepEqual(seen.pageErrors, []);
}));
