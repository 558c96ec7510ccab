// The website tag in real Chromium against the demo server (issue 3): what a visitor does is collected, an
// unqualified visitor sends nothing, a qualified one is delivered exactly once with a breakdown adding up.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  activity, cents, exportState, openPage, pageOf, qualify, ready, root, suite, until, visit,
} from './support.mjs';


const { test, browse, server } = suite();

const noErrors = async (page, seen) => {
  assert.deepEqual(seen.pageErrors, [], 'no uncaught exception');
  assert.deepEqual(await page.evaluate(() => window.__onerror), [], 'nothing reached window.onerror');
};

test('a visitor who reads home and pricing sends nothing', () => browse(async (context) => {
  const since = await activity(server.url);
  const { page, seen } = await openPage(context);
  const requests = [];
  page.on('request', (r) => requests.push(`${r.method()} ${new URL(r.url()).pathname}`));
  const first = await visit(page, server.url, '/');
  assert.equal(first.total, 0);
  await page.click('a[data-nav=pricing]');
  const card = await ready(page);
  assert.equal(card.total, 15);
  assert.equal(card.qualified, false);
  await page.waitForTimeout(1500); // time for anything queued to go out
  await page.goto('about:blank'); // pagehide
  assert.equal((await since()).posts, 0);
  const tagRequests = requests.filter((r) => /leadscore|\/api\//.test(r));
  assert.deepEqual([...new Set(tagRequests)].sort(), [
    'GET /leadscore-core.wasm', 'GET /leadscore-model.json', 'GET /leadscore.js',
  ], 'only the tag, its wasm and the model are requested');
  assert.deepEqual(seen.consoleErrors, []);
  await noErrors(page, seen);
}));

test('a qualified visitor is delivered exactly once, with a breakdown that adds up to the total', () => browse(async (context) => {
  const since = await activity(server.url);
  const { page, seen } = await openPage(context);
  const card = await qualify(page, server.url);
  assert.equal(card.stage, 'mql');
  assert.equal(card.total, 80);
  const [stored] = await until(async () => { const { leads } = await since(); return leads.length && leads; }, 15_000, 'the lead');
  const lead = stored.lead;
  assert.equal(lead.stage, 'mql');
  assert.equal(lead.qualified, true);
  assert.equal(lead.total, 80);
  assert.equal(lead.fit, 35);
  assert.equal(lead.engagement, 45);
  assert.equal(lead.model, 'textbook');
  assert.equal(lead.model_version, '1');
  assert.equal(lead.breakdown.reduce((sum, line) => sum + cents(line.points), 0), cents(lead.total), 'breakdown adds up');
  assert.deepEqual(lead.breakdown.map((l) => l.rule).sort(), ['company-size', 'job-title', 'pricing', 'webinar', 'whitepaper']);
  assert.match(lead.lead_id, /^[0-9a-f]{32}$/);
  assert.equal(lead.idempotency_key, `${lead.lead_id}:textbook:mql`);
  assert.deepEqual(lead.traits, { email: 'ann@acme.com', email_domain: 'acme.com', company_size: 120, job_title: 'Head of Sales' },
    'only allow-listed fields: not the free-text questions');
  assert.deepEqual(lead.history.downloads, [{ url: '/files/whitepaper-lead-scoring.pdf', count: 1 }]);
  assert.deepEqual(lead.history.forms, [{ form: 'webinar', count: 1 }]);
  assert.ok(lead.history.pages.some((p) => p.path === '/pricing' && p.views === 1));
  assert.equal(lead.history.visits, 1);

  // The form carried the visitor state for the server (leadscore_state = exportState()).
  const forms = await (await fetch(`${server.url}/api/forms`)).json();
  const { fields } = forms.at(-1);
  const state = JSON.parse(fields.leadscore_state);
  assert.equal(state.v, 1);
  assert.match(fields.leadscore_event_id, /^[0-9a-f]{32}$/, 'the id the submission was recorded under');
  assert.equal(state.traits.email_domain, 'acme.com');
  assert.ok(!JSON.stringify(state).includes('555-0100'), 'no free text in the state');

  // The edge function scores the same form post to the same total, counting the submission once.
  const { qualify: qualifyAtEdge } = await import('leadscore/edge');
  const model = JSON.parse(readFileSync(join(root, 'www', 'models', 'textbook.json'), 'utf8'));
  const request = new Request('https://edge.example/forms/webinar', {
    method: 'POST', body: new URLSearchParams(fields), headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  const edge = await (await qualifyAtEdge(request, { model, form: 'webinar', exposeBreakdown: true })).json();
  assert.equal(edge.total, lead.total);
  assert.equal(edge.breakdown.find((line) => line.rule === 'webinar').count, 1, 'one submission, not two');

  // More browsing and a reload: still exactly one delivery. First the page records the endpoint's answer (its
  // outbox empties): a page left while its request is in flight cannot know it was delivered, and a later page
  // sends it again with the same idempotency key for the receiver to drop (js/browser/outbox.js). Under load the
  // stored lead can show on the server before the answer reaches the page.
  await until(() => page.evaluate(() => localStorage.getItem('leadscore:outbox') === null), 15_000, 'the delivery acknowledged');
  await visit(page, server.url, '/features');
  await page.reload();
  await ready(page);
  await page.waitForTimeout(1000);
  const after = await since();
  assert.equal(after.posts, 1, 'one POST in all');
  assert.equal(after.leads.length, 1);

  // The marketing view shows the lead with its breakdown.
  await page.goto(`${server.url}/leads`);
  await page.waitForSelector('.lead', { timeout: 10_000 });
  const shown = `.lead[data-lead="${lead.lead_id}"]`;
  assert.equal(await page.$eval(shown, (n) => n.dataset.total), '80');
  assert.equal(await page.$$eval(`${shown} tbody tr`, (n) => n.length), 5);
  await noErrors(page, seen);
}));

test('collects CTA clicks, downloads, scroll depth, engaged time and only allow-listed form fields', () => browse(async (context) => {
  const { page, seen } = await openPage(context);
  await visit(page, server.url, '/');
  await page.waitForTimeout(2200); // engaged while visible and focused
  await Promise.all([page.waitForURL('**/contact'), page.click('[data-leadscore-event=book-demo]')]);
  await ready(page);
  await page.fill('input[name=email]', 'bo@beta.io');
  await page.fill('input[name=company]', 'Beta Inc');
  await page.selectOption('select[name=budget]', '10k-50k');
  await page.selectOption('select[name=authority]', 'decision maker');
  await page.selectOption('select[name=need]', 'lead scoring');
  await page.selectOption('select[name=timeline]', 'this quarter');
  await page.fill('textarea[name=message]', 'private note');
  await Promise.all([page.waitForURL('**/thanks**'), page.click('button[type=submit]')]);
  await ready(page);
  const state = await exportState(page);
  assert.deepEqual(state.clicks?.map((c) => [c[0], c[1]]), [['book-demo', 1]]);
  assert.deepEqual(state.forms?.map((f) => f[0]), ['contact']);
  assert.deepEqual(state.traits, {
    email: 'bo@beta.io', email_domain: 'beta.io', budget: '10k-50k', authority: 'decision maker', need: 'lead scoring',
    timeline: 'this quarter',
  });
  const home = pageOf(state, '/');
  assert.ok(home.engaged >= 2, `engaged seconds on / recorded when leaving it: ${home.engaged}`);
  assert.equal(home.scroll, 100, 'the short home page was seen to the bottom');
  await noErrors(page, seen);
}));

test('single-page-app navigation is counted: pushState, popstate, hashchange; replaceState to the same path is not', () => browse(async (context) => {
  const { page, seen } = await openPage(context);
  await visit(page, server.url, '/features');
  await page.click('a[data-tab=integrations]');
  await page.click('a[data-tab=security]');
  await page.goBack(); // popstate → /features/integrations
  await page.evaluate(() => history.replaceState({ x: 1 }, '', location.pathname)); // same path: not a view
  await page.evaluate(() => { location.hash = '#/changelog'; }); // a hash route
  await page.waitForFunction(() => location.hash === '#/changelog');
  await page.waitForTimeout(200);
  const state = await exportState(page);
  assert.equal(pageOf(state, '/features').views, 1);
  assert.equal(pageOf(state, '/features/integrations').views, 2, 'pushState, then Back');
  assert.equal(pageOf(state, '/features/security').views, 1);
  assert.equal(pageOf(state, '/features/integrations/changelog').views, 1, 'hash route');
  await noErrors(page, seen);
}));

test('two open tabs neither double-count nor double-send', () => browse(async (context) => {
  const since = await activity(server.url);
  const a = await openPage(context);
  const b = await openPage(context);
  await visit(a.page, server.url, '/');
  await visit(b.page, server.url, '/pricing');
  await visit(a.page, server.url, '/whitepaper');
  await a.page.click('#download');
  await visit(b.page, server.url, '/webinar');
  await b.page.fill('input[name=email]', 'cy@gamma.dev');
  await b.page.fill('input[name=company_size]', '80');
  await b.page.fill('input[name=job_title]', 'Director of Sales');
  await Promise.all([b.page.waitForURL('**/thanks**'), b.page.click('button[type=submit]')]);
  await ready(b.page);
  await until(async () => (await since()).stored, 15_000, 'the lead');
  // Tab A keeps browsing after B qualified: it must not queue the same stage again.
  await visit(a.page, server.url, '/pricing');
  await visit(a.page, server.url, '/features');
  await a.page.waitForTimeout(1500);
  // Tab A never sends: the stage is queued once across tabs. (Tab B may repeat its own POST when the answer
  // to the one sent as its form navigated away is lost with the page; the idempotency key makes that one
  // lead, and the fault suite covers it.)
  assert.deepEqual(a.seen.posts, [], 'the other tab sends nothing');
  const keys = new Set(b.seen.posts.map((body) => JSON.parse(body).idempotency_key));
  assert.ok(keys.size <= 1, 'one lead, one idempotency key');
  const after = await since();
  assert.equal(after.stored, 1, 'stored once');
  assert.equal(after.posts, after.stored + after.duplicates, 'every other POST was a duplicate the endpoint dropped');
  const state = await exportState(a.page);
  for (const [path, views] of [['/', 1], ['/pricing', 2], ['/whitepaper', 1], ['/webinar', 1], ['/thanks', 1], ['/features', 1]]) {
    assert.equal(pageOf(state, path)?.views, views, `${path} counted once per view`);
  }
  assert.deepEqual(state.downloads.map((d) => [d[0], d[1]]), [['/files/whitepaper-lead-scoring.pdf', 1]]);
  await noErrors(a.page, a.seen);
  await noErrors(b.page, b.seen);
}));

test('a page restored from the back/forward cache is a new page view', browse(async (context) => {
  const { page, seen } = await openPage(context, {
    init: () => addEventListener('pageshow', (event) => { window.__restored = event.persisted; }),
  });
  await visit(page, server.url, '/pricing');
  await visit(page, server.url, '/features');
  await page.goBack({ waitUntil: 'commit' });
  await page.waitForFunction(() => location.pathname === '/pricing' && window.__restored !== undefined);
  assert.equal(await page.evaluate(() => window.__restored), true, 'restored from the bfcache, not reloaded');
  await page.waitForTimeout(200);
  assert.equal(pageOf(await exportState(page), '/pricing').views, 2);
  await noErrors(page, seen);
}, { bfcache: true }));

test('a new visit after 30 minutes without activity, and return visits across days', browse(async (context) => {
  await context.clock.install({ time: new Date('2026-03-02T09:00:00Z') });
  const { page, seen } = await openPage(context);
  await visit(page, server.url, '/');
  await visit(page, server.url, '/pricing');
  // Idle: engaged time stops 5 minutes after the last input, so 40 minutes later is a new visit.
  await page.clock.fastForward('40:00');
  await visit(page, server.url, '/features');
  await page.clock.fastForward('49:00:00'); // two days later
  await visit(page, server.url, '/whitepaper');
  const state = await exportState(page);
  assert.equal(state.visits[1], 3, 'visits: the first, one after 40 minutes away, one two days later');
  assert.equal(pageOf(state, '/pricing').views, 1);
  await noErrors(page, seen);
}));

test('calls made before the tag loads are queued by the inline stub and replayed in order', browse(async (context) => {
  // Hold the tag back so the page's own calls land in the stub's queue.
  await context.route('**/leadscore.js', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 500));
    await route.continue();
  });
  const { page, seen } = await openPage(context);
  await page.goto(`${server.url}/pricing`, { waitUntil: 'domcontentloaded' });
  const early = await page.evaluate(async () => {
    const loaded = typeof window.leadscore.version === 'string';
    window.__readyCalls = 0;
    window.leadscore.on('ready', () => { window.__readyCalls += 1; });
    const tracked = window.leadscore.track('newsletter_signup');
    window.leadscore.identify({ plan: 'pro' });
    const scored = window.leadscore.score();
    const queued = window.leadscore.q?.length;
    return { loaded, queued, tracked: await tracked, scored: await scored };
  });
  assert.equal(early.loaded, false, 'the tag was not loaded yet');
  assert.ok(early.queued >= 3, `queued: ${early.queued} (the demo's debug panel queues its own listeners too)`);
  assert.equal(early.tracked, true, "the stub's promise resolves once replayed");
  assert.equal(early.scored.total, 15, 'score() through the stub resolves with the card');
  const state = await exportState(page);
  assert.deepEqual(state.events.map((e) => e[0]), ['newsletter_signup']);
  assert.equal(state.traits.plan, 'pro');
  assert.equal(await page.evaluate(() => window.__readyCalls), 1);
  await noErrors(page, seen);
}));

test('page views carry UTM parameters and the referrer from other sites; an email campaign counts as an email click', browse(async (context) => {
  const { page, seen } = await openPage(context);
  await page.goto(`${server.url}/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=Nov%20launch&email=ann%40acme.com`,
    { referer: 'https://www.google.com/search?q=lead+scoring' });
  await ready(page);
  await visit(page, server.url, '/features'); // an internal referrer is not a source
  const state = await exportState(page);
  assert.deepEqual(state.campaigns.map((c) => c[0]), ['newsletter|email|nov launch']);
  assert.deepEqual(state.email_clicks.map((c) => c[0]), ['nov launch']);
  assert.deepEqual(state.referrers.map((r) => r[0]), ['www.google.com']);
  assert.ok(!JSON.stringify(state).includes('acme.com'), 'the query string is not kept');
  await noErrors(page, seen);
}));
