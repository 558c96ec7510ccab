// Scorer.track and Scorer.summary, the lean visitor path (docs/api.md): the card's numbers, stage and
// qualification after every event, equal to score(); events validated exactly as ingest validates them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { Scorer } from 'leadscore';

const textbook = JSON.parse(readFileSync(new URL('../../www/models/textbook.json', import.meta.url), 'utf8'));
const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.UTC(2025, 10, 1);

const summaryOf = ({ total, fit, engagement, stage, qualified }) => ({ total, fit, engagement, stage, qualified });

/** Every event type, flat ones (read field by field in JS) and nested ones (read as a whole). */
const events = [
  { type: 'page_view', ts: T0, path: '/Pricing?plan=team' },
  { type: 'page_view', ts: T0 + 1000, path: '/features', url: 'https://acme.example/features', title: 'Features',
    referrer: 'https://www.Google.com/search' },
  { type: 'page_view', ts: T0 + 2000, path: '/', utm: { source: 'news', medium: 'email', campaign: 'q4' } },
  { type: 'engaged', ts: T0 + 3000, path: '/pricing', seconds: 40 },
  { type: 'scroll', ts: T0 + 4000, path: '/pricing', depth: 80 },
  { type: 'download', ts: T0 + 5000, url: '/files/Whitepaper.pdf', id: 'd1' },
  { type: 'click', ts: T0 + 6000, name: 'cta-demo' },
  { type: 'click', ts: T0 + 6500, name: 'cta-demo', props: { place: 'hero' } },
  { type: 'event', ts: T0 + 7000, name: 'trial_started' },
  { type: 'email_click', ts: T0 + 8000, campaign: 'Q4' },
  { type: 'form_submit', ts: T0 + 9000, form: 'webinar', traits: { email: 'ann@acme.com', company_size: 120 } },
  { type: 'identify', ts: T0 + 10_000, traits: { job_title: 'Head of Sales' } },
  { type: 'download', ts: T0 + 11_000, url: '/files/Whitepaper.pdf', id: 'd1' }, // a duplicate
];

function assertLeadscoreError(fn, path) {
  let thrown;
  try { fn(); } catch (error) { thrown = error; }
  assert.ok(thrown instanceof Error, `expected an Error, got ${thrown}`);
  assert.ok(Array.isArray(thrown.errors) && thrown.errors.length > 0, 'error.errors lists the problems');
  if (path !== undefined) assert.equal(thrown.errors[0].path, path, thrown.message);
  assert.ok(thrown.message.includes(thrown.errors[0].path), `message "${thrown.message}" names the field`);
  return thrown;
}

describe('Scorer.track', () => {
  test('after every event, equals the numbers of score() at the same time', () => {
    const tracked = new Scorer(textbook);
    const ingested = new Scorer(textbook);
    for (const [i, event] of events.entries()) {
      const now = event.ts + i * DAY;
      const summary = tracked.track(event, now);
      ingested.ingest(event);
      assert.deepEqual(Object.keys(summary), ['total', 'fit', 'engagement', 'stage', 'qualified']);
      assert.deepEqual(summary, summaryOf(ingested.score(now)), `after ${JSON.stringify(event)}`);
      assert.deepEqual(tracked.exportState(), ingested.exportState());
    }
    const later = tracked.summary(T0 + 200 * DAY);
    assert.deepEqual(later, summaryOf(tracked.score(T0 + 200 * DAY)));
    assert.ok(later.total < tracked.summary(T0 + DAY).total, 'inactivity costs points');
  });

  test('a hot lead qualifies', () => {
    const scorer = new Scorer(textbook);
    scorer.track({ type: 'page_view', ts: T0, path: '/pricing' }, T0);
    scorer.track({ type: 'download', ts: T0 + 1, url: '/files/whitepaper.pdf' }, T0);
    const summary = scorer.track({ type: 'form_submit', ts: T0 + 2, form: 'webinar',
      traits: { email: 'ann@acme.com', company_size: 120, job_title: 'Head of Sales' } }, T0 + 10);
    assert.deepEqual(summary, { total: 80, fit: 35, engagement: 45, stage: 'mql', qualified: true });
  });

  test('a duplicate id is not counted again', () => {
    const scorer = new Scorer(textbook);
    const first = scorer.track({ type: 'page_view', ts: T0, path: '/pricing', id: 'p1' }, T0);
    const state = scorer.exportState();
    assert.deepEqual(scorer.track({ type: 'page_view', ts: T0, path: '/pricing', id: 'p1' }, T0), first);
    assert.deepEqual(scorer.exportState(), state);
  });

  test('now defaults to the current time', () => {
    const scorer = new Scorer(textbook);
    const summary = scorer.track({ type: 'page_view', ts: Date.now(), path: '/pricing' });
    assert.deepEqual(summary, summaryOf(scorer.score()));
    assert.deepEqual(scorer.summary(), summaryOf(scorer.score()));
  });

  test('scores the selected model of a multi-model document, after importState too', () => {
    const doc = { models: [textbook, { name: 'other', rules: [{ id: 'any', points: 30, when: { page_view: {} } }] }] };
    const scorer = new Scorer(doc, { model: 'other' });
    assert.deepEqual(scorer.track({ type: 'page_view', ts: T0, path: '/x' }, T0),
      { total: 30, fit: 0, engagement: 30, stage: 'warm', qualified: false });
    const copy = new Scorer(doc, { model: 'other' });
    copy.importState(scorer.exportState());
    assert.deepEqual(copy.summary(T0), summaryOf(scorer.score(T0)));
  });

  test('keeps working when WASM memory grows (its view of the summary is renewed)', () => {
    const scorer = new Scorer(textbook);
    const before = scorer.track({ type: 'page_view', ts: T0, path: '/pricing' }, T0);
    const big = Array.from({ length: 200 }, (_, i) => new Scorer(textbook, {})); // grow the heap
    for (const s of big) s.ingestMany(events);
    assert.deepEqual(scorer.summary(T0), before);
    for (const s of big) s.free();
  });
});

describe('Scorer.track with bad input', () => {
  // Each rejected by ingest naming the field; track throws the same errors, state unchanged.
  const bad = [
    [{ type: 'page_view', path: '/x' }, 'event.ts'],
    [{ type: 'page_view', ts: 'now', path: '/x' }, 'event.ts'],
    [{ type: 'page_view', ts: Number.NaN, path: '/x' }, 'event.ts'],
    [{ type: 'page_view', ts: 1, path: '/x' }, 'event.ts'],
    [{ type: 'page_view', ts: T0 }, 'event.path'],
    [{ type: 'page_view', ts: T0, path: 3 }, 'event.path'],
    [{ type: 'page_view', ts: T0, path: undefined }, 'event.path'],
    [{ type: 'page_view', ts: T0, path: 'x'.repeat(513) }, 'event.path'],
    [{ type: 'page_view', ts: T0, path: '/x', colour: 'red' }, 'event.colour'],
    [{ type: 'page_view', ts: T0, path: '/x', utm: 'news' }, 'event.utm'],
    [{ type: 'engaged', ts: T0, path: '/x', seconds: 90_000 }, 'event.seconds'],
    [{ type: 'scroll', ts: T0, path: '/x', depth: '50' }, 'event.depth'],
    [{ type: 'scroll', ts: T0, path: '/x' }, 'event.depth'],
    [{ type: 'download', ts: T0, url: null }, 'event.url'],
    [{ type: 'click', ts: T0, name: true }, 'event.name'],
    [{ type: 'identify', ts: T0 }, 'event.traits'],
    [{ type: 'form_submit', ts: T0, form: 'w', traits: { company_size: [1] } }, 'event.traits.company_size'],
    [{ type: 'pageview', ts: T0, path: '/x' }, 'event.type'],
    [{ ts: T0, path: '/x' }, 'event.type'],
    [{}, 'event.type'],
    [null, 'event'],
    [42, 'event'],
    ['page_view', 'event'],
    [[{ type: 'page_view', ts: T0, path: '/x' }], 'event'],
  ];
  for (const [event, path] of bad) {
    test(`${JSON.stringify(event) ?? String(event)} throws naming ${path}`, () => {
      const scorer = new Scorer(textbook);
      scorer.track({ type: 'page_view', ts: T0, path: '/pricing' }, T0);
      const state = JSON.stringify(scorer.exportState());
      const outcome = new Scorer(textbook).ingest(event);
      assert.equal(outcome.accepted, false, 'ingest rejects it too');
      const error = assertLeadscoreError(() => scorer.track(event, T0), path);
      assert.deepEqual(outcome.errors, error.errors);
      assert.equal(JSON.stringify(scorer.exportState()), state, 'the state is unchanged');
      assert.deepEqual(scorer.summary(T0), summaryOf(scorer.score(T0)));
    });
  }

  test('objects that are not plain data are read as ingest reads them', () => {
    class PageView { constructor() { this.type = 'page_view'; this.ts = T0; this.path = '/pricing'; } }
    const scorer = new Scorer(textbook);
    const reference = new Scorer(textbook);
    reference.ingest(new PageView());
    assert.deepEqual(scorer.track(new PageView(), T0), summaryOf(reference.score(T0)));
    const inherited = Object.create({ path: '/pricing' });
    Object.assign(inherited, { type: 'page_view', ts: T0 });
    assert.equal(new Scorer(textbook).ingest(inherited).accepted, false);
    assertLeadscoreError(() => scorer.track(inherited, T0), 'event.path');
    assertLeadscoreError(() => scorer.track({ type: 'click', ts: T0, name: () => 1 }, T0), 'event');
  });
});
