// Consent managers as the source of consent (docs/snippet.md, "Consent managers"), in Chromium with request
// interception. The IAB's own CMP API (@iabtechlabtcf/cmpapi, TC strings encoded with @iabtechlabtcf/core) acts
// as the CMP; Consent Mode is Google's gtag snippet pushing to the dataLayer; Cookiebot and OneTrust, hosted
// services we cannot load, are stand-ins with exactly their documented surface. On every path: no request and no
// stored key before the manager answers, the lead after the grant, erased after the withdrawal, no error.
import assert from 'node:assert/strict';
import { GVL, TCModel, TCString } from '@iabtechlabtcf/core';
import { build } from 'esbuild';
import {
  docsBlock, exportState, installTag, interceptLeads, openPage, qualifyHere, root, storedKeys, suite, tagErrors, until, visit,
} from './support.mjs';

const { test, browse, server } = suite();

/** Before the answer: scored in memory, nothing sent, nothing stored. */
async function nothingBeforeTheAnswer(page, routed, email) {
  assert.equal((await qualifyHere(page, { email })).qualified, true, 'scored in memory');
  await page.waitForTimeout(1200);
  assert.deepEqual(routed, [], 'no request before the answer');
  assert.deepEqual(await storedKeys(page), [], 'nothing stored before the answer');
}

/** After the grant: this page's collection is stored and its lead delivered, once. */
async function deliveredAfterTheGrant(page, routed, email, keys = 'leadscore') {
  await until(() => routed.length === 1, 15_000, 'the lead after the grant');
  assert.equal(routed[0].traits.email, email);
  await until(async () => (await storedKeys(page)).join() === keys, 15_000, 'the state stored, the outbox emptied');
}

/** After the withdrawal: erased as consent(false) erases, memory only again, nothing more sent. */
async function erasedAfterTheWithdrawal(page, routed, seen) {
  await until(async () => (await storedKeys(page)).join() === 'leadscore:opt-out', 5_000, 'the state erased');
  assert.equal((await exportState(page)).pages.length, 0, 'memory erased too');
  assert.equal((await qualifyHere(page, { email: 'after@withdrawal.example' })).qualified, true, 'memory only again');
  await page.waitForTimeout(1200);
  assert.equal(routed.length, 1, 'nothing sent after the withdrawal');
  assert.deepEqual(await storedKeys(page), ['leadscore:opt-out']);
  assert.deepEqual(tagErrors(seen), [], 'no error from the tag');
  assert.deepEqual(seen.pageErrors, []);
  assert.deepEqual(await page.evaluate(() => window.__onerror), []);
}

// ---- IAB TCF v2.2 -----------------------------------------------------------------------------------------

/** A TC string (the CMP's record of the choice) granting `purposes`, encoded by the IAB's library. */
function tcString(purposes) {
  const ids = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const gvl = new GVL({
    gvlSpecificationVersion: 3, vendorListVersion: 1, tcfPolicyVersion: 5, lastUpdated: '2026-11-01T00:00:00Z',
    purposes: Object.fromEntries(ids.map((id) => [id, { id, name: `Purpose ${id}`, description: '' }])),
    specialPurposes: {}, features: {}, specialFeatures: {}, stacks: {}, dataCategories: {}, vendors: {},
  });
  const model = new TCModel(gvl);
  model.cmpId = 10;
  model.cmpVersion = 1;
  model.consentScreen = 1;
  model.purposeConsents.set(purposes);
  return TCString.encode(model);
}

/**
 * The CMP of the page: the IAB's CmpApi, keeping the TC string in its cookie (euconsent-v2, as CMPs do). A
 * returning visitor's string is loaded (`tcloaded`); a new visitor sees the dialog (`cmpuishown`) until
 * `__cmp.choose(tc)` (`useractioncomplete`).
 */
async function cmpScript() {
  const { outputFiles: [bundle] } = await build({
    stdin: {
      resolveDir: root,
      contents: `import { CmpApi } from '@iabtechlabtcf/cmpapi';
        const api = new CmpApi(10, 1, true);
        const kept = document.cookie.match(/(?:^|; )euconsent-v2=([^;]*)/);
        window.__cmp = { choose(tc) { document.cookie = 'euconsent-v2=' + tc + '; path=/'; api.update(tc, false); } };
        if (kept) api.update(kept[1], false); else api.update('', true);`,
    },
    bundle: true, format: 'iife', minify: true, write: false, logLevel: 'error',
  });
  return `<script>${bundle.text.replaceAll('</script', '<\\/script')}</script>`;
}

test('TCF v2.2 through the IAB CMP API: memory until the answer, storage under purpose 1, sending under 3 and 4, live', () => browse(async (context) => {
  const routed = await interceptLeads(context);
  await installTag(context, server.url, { head: await cmpScript(), tag: docsBlock('### IAB TCF v2.2', 'data-consent="tcf"') });
  const { page, seen } = await openPage(context);
  await visit(page, server.url, '/pricing');
  await nothingBeforeTheAnswer(page, routed, 'tia@tcf.example');

  // Storage only (purpose 1): the state is kept, the lead waits in the outbox, nothing is sent.
  await page.evaluate((tc) => window.__cmp.choose(tc), tcString([1]));
  await until(async () => (await storedKeys(page)).join() === 'leadscore,leadscore:outbox', 5_000, 'state and queued lead stored');
  await page.waitForTimeout(1200);
  assert.deepEqual(routed, [], 'no sending without purposes 3 and 4');

  // The visitor grants profiling too: the waiting lead goes, once.
  await page.evaluate((tc) => window.__cmp.choose(tc), tcString([1, 3, 4, 7]));
  await deliveredAfterTheGrant(page, routed, 'tia@tcf.example');

  // The next page: the CMP answers from its cookie; the state was kept, no site code called consent().
  await visit(page, server.url, '/features');
  await until(async () => (await exportState(page)).pages.some((p) => p[0] === '/features'), 5_000, 'the next page stored');
  assert.ok((await exportState(page)).pages.some((p) => p[0] === '/pricing'), 'the first page is still in the state');
  assert.deepEqual(await storedKeys(page), ['leadscore']);

  // Withdrawal in the CMP's dialog.
  await page.evaluate((tc) => window.__cmp.choose(tc), tcString([]));
  await erasedAfterTheWithdrawal(page, routed, seen);
}));

test('TCF: a visitor who refuses at once leaves nothing stored, not even an opt-out', () => browse(async (context) => {
  const routed = await interceptLeads(context);
  await installTag(context, server.url, { head: await cmpScript(), tag: docsBlock('### IAB TCF v2.2', 'data-consent="tcf"') });
  const { page, seen } = await openPage(context);
  await visit(page, server.url, '/pricing');
  await page.evaluate((tc) => window.__cmp.choose(tc), tcString([2, 7]));
  await nothingBeforeTheAnswer(page, routed, 'rex@refuses.example');
  await visit(page, server.url, '/features');
  await page.waitForTimeout(1000);
  assert.deepEqual(await storedKeys(page), []);
  assert.deepEqual(routed, []);
  assert.deepEqual(tagErrors(seen), []);
}));

// ---- Google Consent Mode v2 ---------------------------------------------------------------------------------

test('Consent Mode v2 from gtag() in the dataLayer: a denied default is no answer, update grants, update withdraws', () => browse(async (context) => {
  const routed = await interceptLeads(context);
  await installTag(context, server.url, { tag: docsBlock('### Google Consent Mode v2', 'data-consent="gcm"') });
  const { page, seen } = await openPage(context);
  await visit(page, server.url, '/pricing');
  await nothingBeforeTheAnswer(page, routed, 'gus@gcm.example');

  // Analytics storage alone: stored, not sent.
  await page.evaluate(() => window.gtag('consent', 'update', { analytics_storage: 'granted' }));
  await until(async () => (await storedKeys(page)).includes('leadscore'), 5_000, 'the state stored');
  await page.waitForTimeout(1200);
  assert.deepEqual(routed, [], 'no sending without ad_user_data');

  await page.evaluate(() => window.gtag('consent', 'update', { ad_user_data: 'granted', ad_personalization: 'denied' }));
  await deliveredAfterTheGrant(page, routed, 'gus@gcm.example');

  await page.evaluate(() => window.gtag('consent', 'update', { analytics_storage: 'denied', ad_user_data: 'denied' }));
  await erasedAfterTheWithdrawal(page, routed, seen);
}));

test('Consent Mode with Global Privacy Control: a granting default is no answer, the visitor\'s update is', () => browse(async (context) => {
  const routed = await interceptLeads(context);
  const granted = docsBlock('### Google Consent Mode v2', 'data-consent="gcm"').replaceAll("'denied'", "'granted'");
  await installTag(context, server.url, { tag: granted });
  const { page } = await openPage(context, {
    init: () => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }),
  });
  await visit(page, server.url, '/pricing');
  await nothingBeforeTheAnswer(page, routed, 'gpc@gcm.example');
  await page.evaluate(() => window.gtag('consent', 'update', { analytics_storage: 'granted', ad_user_data: 'granted' }));
  await deliveredAfterTheGrant(page, routed, 'gpc@gcm.example');
}));

// ---- Cookiebot and OneTrust (stand-ins with their documented surface) ------------------------------------------

// window.Cookiebot { consent: { necessary, preferences, statistics, marketing }, consented, declined, hasResponse },
// and the CookiebotOnAccept / CookiebotOnDecline window events, fired at a choice and on every page load after one
// (the choice kept in Cookiebot's CookieConsent cookie).
const COOKIEBOT = `<script>(() => {
  const kept = (document.cookie.match(/(?:^|; )CookieConsent=([^;]*)/) || [])[1];
  const bot = window.Cookiebot = { consent: { necessary: true, preferences: false, statistics: false, marketing: false },
    consented: false, declined: false, hasResponse: false };
  const apply = (choice) => {
    Object.assign(bot.consent, { preferences: choice.includes('preferences'), statistics: choice.includes('statistics'), marketing: choice.includes('marketing') });
    bot.hasResponse = true;
    bot.consented = bot.consent.statistics || bot.consent.marketing || bot.consent.preferences;
    bot.declined = !bot.consented;
    window.dispatchEvent(new Event(bot.consented ? 'CookiebotOnAccept' : 'CookiebotOnDecline'));
  };
  window.__choose = (choice) => { document.cookie = 'CookieConsent=' + (choice.join('|') || 'none') + '; path=/'; apply(choice); };
  if (kept) addEventListener('DOMContentLoaded', () => apply(kept.split('|')));
})();</script>`;

test('Cookiebot: statistics for storage, marketing for sending, followed through its window events', () => browse(async (context) => {
  const routed = await interceptLeads(context);
  await installTag(context, server.url, { head: COOKIEBOT, tag: docsBlock('### Cookiebot', 'data-consent="cookiebot"') });
  const { page, seen } = await openPage(context);
  await visit(page, server.url, '/pricing');
  await nothingBeforeTheAnswer(page, routed, 'cory@cookiebot.example');
  await page.evaluate(() => window.__choose(['statistics', 'marketing']));
  await deliveredAfterTheGrant(page, routed, 'cory@cookiebot.example');
  await visit(page, server.url, '/features');
  await until(async () => (await exportState(page)).pages.some((p) => p[0] === '/pricing'), 5_000, 'the state read on the next page');
  await page.evaluate(() => window.__choose(['preferences']));
  await erasedAfterTheWithdrawal(page, routed, seen);
}));

// window.OnetrustActiveGroups (",C0001,C0002,") and the OneTrustGroupsUpdated window event (its detail: the groups).
const ONETRUST = `<script>(() => {
  window.OnetrustActiveGroups = ',C0001,';
  window.__choose = (groups) => {
    window.OnetrustActiveGroups = ',' + groups.join(',') + ',';
    window.dispatchEvent(new CustomEvent('OneTrustGroupsUpdated', { detail: groups }));
  };
})();</script>`;

test('OneTrust: performance (C0002) for storage, targeting (C0004) for sending, followed through OneTrustGroupsUpdated', () => browse(async (context) => {
  const routed = await interceptLeads(context);
  await installTag(context, server.url, { head: ONETRUST, tag: docsBlock('### OneTrust', 'data-consent="onetrust"') });
  const { page, seen } = await openPage(context);
  await visit(page, server.url, '/pricing');
  await nothingBeforeTheAnswer(page, routed, 'otto@onetrust.example');
  await page.evaluate(() => window.__choose(['C0001', 'C0002']));
  await until(async () => (await storedKeys(page)).includes('leadscore'), 5_000, 'the state stored');
  await page.waitForTimeout(1000);
  assert.deepEqual(routed, [], 'no sending without C0004');
  await page.evaluate(() => window.__choose(['C0001', 'C0002', 'C0003', 'C0004']));
  await deliveredAfterTheGrant(page, routed, 'otto@onetrust.example');
  await page.evaluate(() => window.__choose(['C0001']));
  await erasedAfterTheWithdrawal(page, routed, seen);
}));

// ---- manual --------------------------------------------------------------------------------------------------

test('manual: the site calls consent() once, later pages start with the remembered choice; consent(false) erases it', () => browse(async (context) => {
  const routed = await interceptLeads(context);
  const section = '### Your own banner (`manual`)';
  await installTag(context, server.url, { tag: docsBlock(section, 'data-consent="manual"'), body: docsBlock(section, '#accept-all') });
  const { page, seen } = await openPage(context);
  await visit(page, server.url, '/pricing');
  await nothingBeforeTheAnswer(page, routed, 'mia@manual.example');
  await page.click('#accept-all');
  await deliveredAfterTheGrant(page, routed, 'mia@manual.example', 'leadscore,leadscore:consent');
  // The choice is kept with the state (only once storage was granted).
  await until(async () => (await page.evaluate(() => localStorage.getItem('leadscore:consent'))) === 'storage,sending', 5_000, 'the remembered choice');

  await visit(page, server.url, '/features');
  await until(async () => (await exportState(page)).pages.some((p) => p[0] === '/features'), 5_000, 'the next page stored without a consent() call');
  assert.ok((await exportState(page)).pages.some((p) => p[0] === '/pricing'));

  // A per-category choice, then the withdrawal.
  assert.equal(await page.evaluate(() => window.leadscore.consent({ storage: true, sending: false })), true);
  await until(async () => (await page.evaluate(() => localStorage.getItem('leadscore:consent'))) === 'storage', 5_000, 'storage only remembered');
  await page.evaluate(() => window.leadscore.consent(false));
  await until(async () => !(await storedKeys(page)).includes('leadscore:consent'), 5_000, 'the choice forgotten');
  await erasedAfterTheWithdrawal(page, routed, seen);
  await visit(page, server.url, '/pricing');
  await page.waitForTimeout(1000);
  assert.deepEqual(await storedKeys(page), ['leadscore:opt-out'], 'memory only on the next page');
}));
