// The marketing stack around the tag (docs/snippet.md, "Tag managers", "Embedded forms"), in Chromium with
// request interception: GA4's recommended events in the dataLayer as core events, the GTM Custom HTML recipe with
// Consent Mode, the Segment/RudderStack recipe with their own SDKs, and embedded forms. HubSpot's forms script and the Typeform,
// Calendly and Tally embeds are hosted services: their documented events are sent as they send them — HubSpot's
// from the page, the others from iframes served on the vendors' own origins (by interception), so the origin
// checks are real. Only allow-listed fields reach the state.
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import {
  builtStub, root, docsBlock, exportState, installTag, interceptLeads, openPage, suite, tagErrors, until, visit,
} from './support.mjs';

const { test, browse, server } = suite();
const TAG = '<script async src="/leadscore.js" data-model="/leadscore-model.json" data-endpoint="/api/leads" data-gtm></script>';
/** The names of a tally list of the state (downloads, forms, events, pages). */
const names = (state, key) => (state[key] || []).map((row) => row[0]);

test('GA4 recommended events in the dataLayer count as core events, as the docs list them', () => browse(async (context) => {
  await installTag(context, server.url, { tag: TAG });
  const { page, seen } = await openPage(context);
  await visit(page, server.url, '/');
  await page.evaluate(docsBlock('### Google Analytics 4 events in the dataLayer', 'dataLayer.push'));
  await page.evaluate(() => {
    window.dataLayer.push({ event: 'form_submit', form_id: 'contact-form', form_name: 'Webinar' });
    window.dataLayer.push({ event: 'page_view', page_location: window.location.href }); // the page itself: counted already
    window.gtag = function () { window.dataLayer.push(arguments); };
    window.gtag('event', 'file_download', { link_url: 'https://cdn.example.net/files/deck.pdf?utm_source=x' });
    window.dataLayer.push({ event: 'gtm.click' }, { event: 'pricing_calculator_used' });
  });
  const state = await exportState(page);
  assert.deepEqual(names(state, 'downloads').sort(), ['/files/whitepaper-lead-scoring.pdf', 'https://cdn.example.net/files/deck.pdf']);
  assert.deepEqual(names(state, 'forms'), ['webinar'], 'generate_lead (webinar) and form_submit (Webinar)');
  assert.equal(state.forms[0][1], 2, 'two submissions of the webinar form');
  assert.deepEqual(names(state, 'pages').sort(), ['/', '/pricing'], 'the virtual page view, and the real page once');
  assert.deepEqual(names(state, 'events'), ['pricing_calculator_used'], 'other events are named events; gtm.* skipped');
  assert.equal(state.traits, undefined, 'no parameter is read as a trait');
  assert.deepEqual(tagErrors(seen), []);
}));

test('the GTM Custom HTML recipe with Consent Mode: memory until granted, then GA4 events and a HubSpot form qualify', () => browse(async (context) => {
  const routed = await interceptLeads(context);
  const recipe = docsBlock('### Google Tag Manager: a Custom HTML tag', 'leadscore.init(').replace('/* the inline stub */', builtStub());
  const consentDefault = docsBlock('### Google Consent Mode v2', "gtag('consent', 'default'").split('<script async')[0];
  await installTag(context, server.url, { head: consentDefault, tag: recipe, withStub: false });
  const { page, seen } = await openPage(context);
  await visit(page, server.url, '/pricing');
  await page.evaluate(() => {
    window.dataLayer.push({ event: 'file_download', link_url: '/files/whitepaper-lead-scoring.pdf' });
    window.postMessage({ type: 'hsFormCallback', eventName: 'onFormSubmitted', id: 'webinar',
      data: { submissionValues: { email: 'gina@gtm.example', numemployees: '51-200', jobtitle: 'VP Sales' } } }, '*');
  });
  await until(async () => (await page.evaluate(() => window.leadscore.score())).qualified, 5_000, 'qualified in memory');
  await page.waitForTimeout(1000);
  assert.deepEqual(routed, [], 'nothing sent before consent');
  assert.deepEqual(await page.evaluate(() => Object.keys(localStorage)), [], 'nothing stored before consent');
  await page.evaluate(() => window.gtag('consent', 'update', { analytics_storage: 'granted', ad_user_data: 'granted' }));
  await until(() => routed.length === 1, 15_000, 'the lead after consent');
  assert.deepEqual(routed[0].traits, { email: 'gina@gtm.example', email_domain: 'gtm.example', company_size: 125, job_title: 'VP Sales' });
  assert.deepEqual(tagErrors(seen), []);
}));

// Segment's analytics.js and RudderStack's SDK, bundled from their npm packages, configured inline (their settings
// live on hosted CDNs); their collection APIs are intercepted and record what each received.
const LIBRARIES = {
  Segment: {
    source: `import { AnalyticsBrowser } from '@segment/analytics-next';
      window.analytics = AnalyticsBrowser.load({ writeKey: 'wk', cdnSettings: { integrations: { 'Segment.io': { apiKey: 'wk' } } } });`,
    api: 'https://api.segment.io/**',
    calls: (body) => [body],
  },
  RudderStack: {
    source: `import { RudderAnalytics } from '@rudderstack/analytics-js/bundled';
      window.analytics = new RudderAnalytics();
      window.analytics.load('wk', 'https://dataplane.example', { getSourceConfig: () => ({ source: { id: 's1', name: 'site',
        writeKey: 'wk', enabled: true, workspaceId: 'w1', config: {}, destinations: [] } }), queueOptions: { batch: { enabled: false } } });`,
    api: 'https://dataplane.example/**',
    calls: (body) => body.batch ?? [body],
  },
};

for (const [library, { source, api, calls }] of Object.entries(LIBRARIES)) {
  test(`the ${library} recipe: one call tells both, in the same order (${library}'s own SDK, its API intercepted)`, () => browse(async (context) => {
    const received = [];
    await context.route(api, (route) => {
      if (route.request().method() === 'POST') received.push(...calls(JSON.parse(route.request().postData())));
      return route.fulfill({ contentType: 'application/json', body: '{}' });
    });
    await context.route(/cdn\.segment\.com|cdn\.rudderlabs\.com/, (route) => route.fulfill({ status: 404, body: '' }));
    const { outputFiles: [bundle] } = await build({
      stdin: { resolveDir: root, contents: source }, bundle: true, format: 'iife', minify: true, write: false, logLevel: 'error',
    });
    await installTag(context, server.url, { head: `<script>${bundle.text.replaceAll('</script', '<\\/script')}</script>`, tag: TAG });
    const { page, seen } = await openPage(context);
    await visit(page, server.url, '/');
    await page.evaluate(docsBlock('### Segment and RudderStack', 'tell('));
    await until(async () => (await exportState(page)).traits?.email === 'ann@acme.com', 5_000, 'the identify call');
    const state = await exportState(page);
    assert.equal(state.traits.user_id, 'user-42');
    assert.equal(state.traits.company_size, 125);
    assert.deepEqual(names(state, 'downloads'), ['/files/whitepaper-lead-scoring.pdf']);
    assert.deepEqual(names(state, 'events'), ['demo_requested']);
    await until(() => received.length >= 3, 15_000, `${library}'s three calls`);
    assert.deepEqual(received.filter((c) => c.type !== 'page').map((c) => [c.type, c.event ?? c.userId]).sort(),
      [['identify', 'user-42'], ['track', 'demo_requested'], ['track', 'download']]);
    assert.deepEqual(tagErrors(seen), []);
  }));
}

// ---- embedded forms ------------------------------------------------------------------------------------------

/** Pages served on a vendor's origin (by interception): an empty document the test posts from. */
async function vendorFrames(context) {
  for (const origin of ['https://form.typeform.com', 'https://calendly.com', 'https://tally.so', 'https://evil.example']) {
    await context.route(`${origin}/**`, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>embed</title>' }));
  }
}
const EMBEDS = ['https://form.typeform.com/to/demo', 'https://calendly.com/acme/demo', 'https://tally.so/embed/w4',
  'https://evil.example/fake'].map((src) => `<iframe src="${src}"></iframe>`).join('');
const postFrom = (page, host, message) => page.frame({ url: (u) => u.hostname === host }).evaluate((m) => parent.postMessage(m, '*'), message);

test('embedded forms: HubSpot events, Typeform/Calendly/Tally messages from their origins count, with allow-listed fields only', () => browse(async (context) => {
  await vendorFrames(context);
  await installTag(context, server.url, { tag: docsBlock('## Embedded forms', 'data-forms='), body: EMBEDS });
  const { page, seen } = await openPage(context);
  await visit(page, server.url, '/contact');
  await page.waitForFunction(() => document.querySelectorAll('iframe').length === 4);
  for (const frame of page.frames().slice(1)) await frame.waitForLoadState();

  await page.evaluate(() => {
    window.dispatchEvent(new CustomEvent('hs-form-event:on-submission:success', { detail: { formId: 'f1d2-new', instanceId: '1' } }));
    window.postMessage({ type: 'hsFormCallback', eventName: 'onFormSubmitted', id: 'f1d2-legacy', data: { submissionValues: {
      email: 'hal@hubspot.example', jobtitle: 'CTO', numemployees: '1,000+', message: 'call me at 555-0100', password: 'x' } } }, '*');
  });
  await postFrom(page, 'form.typeform.com', { type: 'form-submit', embedId: 'e1', responseId: 'r1' });
  await postFrom(page, 'calendly.com', { event: 'calendly.event_scheduled', payload: { event: { uri: 'u' }, invitee: { uri: 'i' } } });
  await postFrom(page, 'tally.so', JSON.stringify({ event: 'Tally.FormSubmitted', payload: { id: 'r', respondentId: 'p', formId: 'w4',
    formName: 'Demo request', createdAt: '2026-11-29T08:00:00Z', fields: [
      { id: 'a', title: 'Work email', type: 'INPUT_EMAIL', answer: { value: 'tia@tally.example', raw: 'tia@tally.example' } },
      { id: 'b', title: 'Anything else?', type: 'TEXTAREA', answer: { value: 'free text', raw: 'free text' } }] } }));
  // Forged: the same messages from another origin, and a Typeform message from the page itself.
  await postFrom(page, 'evil.example', { type: 'form-submit', embedId: 'e1', responseId: 'r2' });
  await postFrom(page, 'evil.example', { type: 'hsFormCallback', eventName: 'onFormSubmitted', id: 'forged', data: {} });
  await page.evaluate(() => window.postMessage({ event: 'calendly.event_scheduled' }, '*'));

  await until(async () => names(await exportState(page), 'forms').length === 5, 5_000, 'five submissions');
  await page.waitForTimeout(500);
  const state = await exportState(page);
  assert.deepEqual(names(state, 'forms').sort(), ['calendly', 'demo request', 'f1d2-legacy', 'f1d2-new', 'typeform']);
  assert.ok(state.forms.every((row) => row[1] === 1), 'each once; no forged message counted');
  assert.equal(state.traits.job_title, 'CTO');
  assert.equal(state.traits.company_size, 1000);
  assert.equal(state.traits.email, 'tia@tally.example', 'the latest email (Tally after HubSpot)');
  assert.deepEqual(Object.keys(state.traits).sort(), ['company_size', 'email', 'email_domain', 'job_title'], 'no free text, no password');
  assert.deepEqual(tagErrors(seen), []);
  assert.deepEqual(seen.pageErrors, []);
}));

test('embedded forms are off unless asked for, and only for the providers listed', () => browse(async (context) => {
  await vendorFrames(context);
  await installTag(context, server.url, { tag: TAG.replace('data-gtm', 'data-forms="tally"'), body: EMBEDS });
  const { page } = await openPage(context);
  await visit(page, server.url, '/contact');
  for (const frame of page.frames().slice(1)) await frame.waitForLoadState();
  await postFrom(page, 'form.typeform.com', { type: 'form-submit', embedId: 'e1', responseId: 'r1' });
  await page.evaluate(() => window.dispatchEvent(new CustomEvent('hs-form-event:on-submission:success', { detail: { formId: 'x' } })));
  await postFrom(page, 'tally.so', JSON.stringify({ event: 'Tally.FormSubmitted', payload: { formId: 'w4', formName: 'Demo', fields: [] } }));
  await until(async () => names(await exportState(page), 'forms').length === 1, 5_000, 'the Tally submission');
  await page.waitForTimeout(500);
  assert.deepEqual(names(await exportState(page), 'forms'), ['demo']);
}));

// ---- loading -------------------------------------------------------------------------------------------------

test('leadscore-integrations.js is loaded only when an integration is configured', () => browse(async (context) => {
  const loaded = [];
  context.on('request', (r) => { if (r.url().endsWith('/leadscore-integrations.js')) loaded.push(new URL(r.url()).pathname); });
  const { page } = await openPage(context);
  await visit(page, server.url, '/pricing');
  await page.waitForTimeout(500);
  assert.deepEqual(loaded, [], 'a tag without integrations loads nothing more');
  await visit(page, server.url, '/pricing?gtm');
  await until(() => loaded.length === 1, 5_000, 'the integrations with data-gtm');
}));

test('a site that forgot leadscore-integrations.js: an error says so, and a consent source still means memory only', () => browse(async (context) => {
  await context.route('**/leadscore-integrations.js', (route) => route.fulfill({ status: 404, body: '' }));
  await installTag(context, server.url, { tag: TAG.replace('data-gtm', 'data-consent="tcf"') });
  const { page, seen } = await openPage(context);
  await visit(page, server.url, '/pricing');
  await until(() => seen.consoleErrors.some((text) => /^leadscore:.*leadscore-integrations\.js/.test(text)), 5_000, 'the error');
  await page.waitForTimeout(500);
  assert.deepEqual(await page.evaluate(() => Object.keys(localStorage)), [], 'nothing stored');
  assert.deepEqual(seen.pageErrors, []);
}));

test('the module build (leadscore/browser) carries the integrations itself: start({ consent, gtm }) follows Consent Mode', () => browse(async (context) => {
  const routed = await interceptLeads(context);
  // A page without the tag that imports the package's module, as a bundled app would.
  await installTag(context, server.url, { tag: '', withStub: false });
  const loaded = [];
  context.on('request', (r) => { if (r.url().endsWith('/leadscore-integrations.js')) loaded.push(r.url()); });
  const { page, seen } = await openPage(context);
  await page.goto(`${server.url}/pricing`);
  await page.evaluate(async () => {
    window.dataLayer = [];
    window.gtag = function () { window.dataLayer.push(arguments); };
    window.gtag('consent', 'default', { analytics_storage: 'denied', ad_user_data: 'denied' });
    const { start } = await import('/pkg/browser/index.js');
    window.collector = start({ model: '/leadscore-model.json', endpoint: '/api/leads', consent: 'gcm', gtm: true });
    await new Promise((resolve) => window.collector.on('ready', resolve));
    window.dataLayer.push({ event: 'file_download', link_url: '/files/whitepaper-lead-scoring.pdf' });
  });
  await until(async () => (await page.evaluate(() => window.collector.exportState())).downloads, 5_000, 'the GA4 download');
  assert.deepEqual(await page.evaluate(() => Object.keys(localStorage)), [], 'memory only before the update');
  await page.evaluate(() => window.gtag('consent', 'update', { analytics_storage: 'granted' }));
  await until(async () => (await page.evaluate(() => Object.keys(localStorage))).includes('leadscore'), 5_000, 'stored after the update');
  assert.deepEqual(routed, []);
  assert.deepEqual(loaded, [], 'bundled: no extra file');
  assert.deepEqual(tagErrors(seen), []);
}));
