// Behaviour of the JS API that docs/api.md promises, beyond the golden vectors.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { Model, Scorer, engineVersion, scoreLead, validateModel } from 'leadscore';

const textbook = JSON.parse(readFileSync(new URL('../../www/models/textbook.json', import.meta.url), 'utf8'));
const pkgVersion = JSON.parse(readFileSync(new URL('../../pkg/package.json', import.meta.url), 'utf8')).version;
const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.UTC(2025, 10, 1);

// No name, points out of range, a pattern that is not a string: several errors in one document.
const badDoc = { rules: [{ id: 'x', points: 5000, when: { page_view: { path: 3 } } }] };

/** A visitor who should land at exactly 80 in the textbook model: fit 25 + 10, engagement 15 + 10 + 20. */
const hotLead = {
  events: [
    { type: 'page_view', ts: T0, path: '/pricing' },
    { type: 'page_view', ts: T0 + 1000, path: '/pricing/enterprise' },
    { type: 'download', ts: T0 + 2000, url: '/files/whitepaper.pdf' },
    { type: 'form_submit', ts: T0 + 3000, form: 'webinar',
      traits: { email: 'ann@acme.com', company_size: 120, job_title: 'Head of Sales' } },
  ],
};

function assertLeadscoreError(fn, expectedErrors) {
  let thrown;
  try { fn(); } catch (error) { thrown = error; }
  assert.ok(thrown instanceof Error, `expected an Error, got ${thrown}`);
  assert.ok(Array.isArray(thrown.errors) && thrown.errors.length > 0, 'error.errors lists the problems');
  for (const e of thrown.errors) {
    assert.equal(typeof e.path, 'string');
    assert.equal(typeof e.message, 'string');
  }
  assert.ok(thrown.message.includes(thrown.errors[0].path), `message "${thrown.message}" names the field`);
  if (expectedErrors) assert.deepEqual(thrown.errors, expectedErrors);
}

const sumOfLines = (card) => card.breakdown.reduce((sum, line) => sum + line.points, 0);

describe('engineVersion', () => {
  test('is the package version', () => {
    assert.equal(typeof engineVersion(), 'string');
    assert.ok(engineVersion().includes(pkgVersion), `${engineVersion()} mentions ${pkgVersion}`);
  });
});

describe('validateModel', () => {
  test('accepts the textbook model and names it', () => {
    assert.deepEqual(validateModel(textbook), { ok: true, models: ['textbook'] });
  });
  test('accepts a multi-model document', () => {
    const result = validateModel({ models: [textbook, { ...textbook, name: 'other' }] });
    assert.deepEqual(result, { ok: true, models: ['textbook', 'other'] });
  });
  test('reports every problem with a path and a message', () => {
    const result = validateModel(badDoc);
    assert.equal(result.ok, false);
    assert.ok(result.errors.length >= 2, JSON.stringify(result.errors));
    for (const e of result.errors) assert.deepEqual(Object.keys(e).sort(), ['message', 'path']);
  });
  test('does not throw on junk', () => {
    for (const junk of [undefined, null, 42, 'text', []]) assert.equal(validateModel(junk).ok, false);
  });
});

describe('errors are Error instances with .errors', () => {
  const { errors } = validateModel(badDoc);
  test('new Model', () => assertLeadscoreError(() => new Model(badDoc), errors));
  test('new Scorer', () => assertLeadscoreError(() => new Scorer(badDoc), errors));
  test('scoreLead', () => assertLeadscoreError(() => scoreLead(badDoc, {}, T0), errors));
  test('importState', () => {
    const scorer = new Scorer(textbook);
    assertLeadscoreError(() => scorer.importState(42));
    scorer.free();
  });
});

describe('Model', () => {
  test('exposes name and version', () => {
    const model = new Model(textbook);
    assert.equal(model.name, 'textbook');
    assert.equal(model.version, '1');
    model.free();
  });
  test('scores the textbook hot lead as a qualified MQL at 80', () => {
    const model = new Model(textbook);
    const card = model.scoreLead(hotLead, T0 + DAY);
    model.free();
    assert.equal(card.model, 'textbook');
    assert.equal(card.model_version, '1');
    assert.equal(card.fit, 35);
    assert.equal(card.engagement, 45);
    assert.equal(card.total, 80);
    assert.equal(card.stage, 'mql');
    assert.equal(card.qualified, true);
    assert.equal(card.next_step, 'Sales: review and reach out');
    assert.equal(card.scored_at, T0 + DAY);
    assert.equal(sumOfLines(card), card.total, 'breakdown points add up to total');
    const pricing = card.breakdown.find((line) => line.rule === 'pricing');
    assert.equal(pricing.count, 2);
    assert.equal(pricing.counted, 1);
  });
  test('scoreLead function agrees with Model.scoreLead', () => {
    const model = new Model(textbook);
    assert.deepEqual(scoreLead(textbook, hotLead, T0 + DAY), model.scoreLead(hotLead, T0 + DAY));
    model.free();
  });
});

describe('now defaults to Date.now()', () => {
  const lead = { events: [{ type: 'page_view', ts: Date.now() - 100 * DAY, path: '/pricing' }] };
  test('Scorer.score()', () => {
    const scorer = new Scorer(textbook);
    scorer.ingestMany(lead.events);
    const before = Date.now();
    const card = scorer.score();
    const after = Date.now();
    scorer.free();
    assert.ok(card.scored_at >= before && card.scored_at <= after, `${card.scored_at} in [${before}, ${after}]`);
    assert.ok(card.breakdown.some((line) => line.rule === 'inactive'), 'the 100-day-old visit counts as inactive today');
  });
  test('Model.scoreLead() and scoreLead()', () => {
    const model = new Model(textbook);
    const before = Date.now();
    for (const card of [model.scoreLead(lead), scoreLead(textbook, lead)]) {
      assert.ok(card.scored_at >= before && card.scored_at <= Date.now());
      assert.ok(card.breakdown.some((line) => line.rule === 'inactive'));
    }
    model.free();
  });
  test('an explicit now is used as given', () => {
    const card = scoreLead(textbook, lead, lead.events[0].ts + DAY);
    assert.equal(card.scored_at, lead.events[0].ts + DAY);
    assert.ok(!card.breakdown.some((line) => line.rule === 'inactive'));
  });
});

describe('Scorer', () => {
  test('ingest reports duplicates by id', () => {
    const scorer = new Scorer(textbook);
    const event = { type: 'page_view', ts: T0, id: 'e1', path: '/pricing' };
    assert.deepEqual(scorer.ingest(event), { accepted: true, duplicate: false });
    assert.equal(scorer.ingest(event).duplicate, true);
    scorer.free();
  });
  test('ingest and ingestMany reject malformed events naming the field', () => {
    const scorer = new Scorer(textbook);
    const bad = { type: 'no_such_type', ts: T0 };
    const single = scorer.ingest(bad);
    assert.equal(single.accepted, false);
    assert.deepEqual(single.errors.map((e) => e.path), ['event.type']);
    const many = scorer.ingestMany([hotLead.events[0], bad, hotLead.events[2]]);
    assert.equal(many.accepted, 2);
    assert.equal(many.duplicates, 0);
    assert.equal(many.rejected.length, 1);
    assert.equal(many.rejected[0].index, 1);
    assert.deepEqual(many.rejected[0].errors.map((e) => e.path), ['events[1].type']);
    scorer.free();
  });
  test('state survives a JSON round trip', () => {
    const scorer = new Scorer(textbook);
    scorer.ingestMany(hotLead.events);
    const copy = new Scorer(textbook);
    copy.importState(JSON.parse(JSON.stringify(scorer.exportState())));
    assert.deepEqual(copy.score(T0 + DAY), scorer.score(T0 + DAY));
    scorer.free();
    copy.free();
  });
  test('selects a model of a multi-model document', () => {
    const doc = { models: [{ ...textbook, name: 'a' }, { ...textbook, name: 'b' }] };
    const scorer = new Scorer(doc, { model: 'b' });
    assert.equal(scorer.modelName, 'b');
    scorer.ingestMany(hotLead.events);
    assert.equal(scorer.score(T0 + DAY).model, 'b');
    assert.deepEqual(scorer.scoreAll(T0 + DAY).map((card) => card.model).sort(), ['a', 'b']);
    scorer.free();
  });
});
