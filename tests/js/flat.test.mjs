// FlatScorer (the fast path for flat lead records) must give exactly the general engine's totals,
// whatever the values: unknown texts, numeric texts, non-ASCII texts, booleans, missing fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlatScorer, Model } from 'leadscore';

const doc = {
  name: 'flat',
  rules: [
    { id: 'size', points: 25, when: { trait: 'company_size', between: [50, 200] } },
    { id: 'title', points: 10, when: { trait: 'job_title', one_of: ['vp', 'director', 'head of sales'] } },
    { id: 'student', points: -20, when: { trait: 'job_title', contains: 'student' } },
    { id: 'budget', points: 15, when: { trait: 'budget', at_least: 10000 } },
    { id: 'need', points: 5, when: { trait: 'need', is_true: true } },
    { id: 'no-phone', points: -5, when: { trait: 'phone', exists: false } },
    { id: 'country', points: 5, when: { trait: 'country', equals: 'US' }, group: 'geo' },
  ],
  groups: [{ id: 'geo', max: 3 }],
};

const values = {
  company_size: [undefined, null, 49, 50, 200, 201, '120', ' 75 ', '1,000', 'many', true, NaN],
  job_title: [undefined, 'VP', ' director ', 'Head of Sales', 'Student of sales', 'engineer', 'VİP', '\u212Aing', '', 42],
  budget: [undefined, 9999, 10000, '25,000', 'lots', false],
  need: [undefined, true, false, 'yes', 'Y', 'no', 1, 0, 'ON'],
  phone: [undefined, '', '  ', '555', 0],
  country: [undefined, 'us', 'US ', 'DE', 'ús'],
};

function* leads() {
  const keys = Object.keys(values);
  for (let i = 0; i < 3000; i++) {
    const lead = {};
    keys.forEach((k, j) => { const list = values[k]; const v = list[(i * (j + 3) + j * 7 + (i >> j)) % list.length]; if (v !== undefined) lead[k] = v; });
    yield lead;
  }
}

function expected(model, lead) {
  try {
    return model.scoreLead({ traits: lead }).total;
  } catch (e) {
    return e;
  }
}

test('every lead scores exactly as the general engine, one at a time and in batches', () => {
  const flat = new FlatScorer(doc);
  const model = new Model(doc);
  const all = [...leads()];
  const good = [];
  for (const lead of all) {
    const want = expected(model, lead);
    if (want instanceof Error) {
      assert.throws(() => flat.score(lead), (e) => e.message === want.message);
    } else {
      assert.equal(flat.score(lead), want, JSON.stringify(lead));
      good.push([lead, want]);
    }
  }
  assert.ok(good.length > 1000);
  const totals = flat.scoreBatch(good.map(([lead]) => lead));
  assert.deepEqual([...totals], good.map(([, want]) => want));
});

test('keeps working when WASM memory grows under it', () => {
  const flat = new FlatScorer(doc);
  const lead = { company_size: 120, job_title: 'vp' };
  assert.equal(flat.score(lead), 30);
  const big = Array.from({ length: 50_000 }, (_, i) => ({ company_size: i % 300, job_title: i % 2 ? 'vp' : 'x' }));
  assert.equal(flat.scoreBatch(big).length, 50_000);
  assert.equal(flat.score(lead), 30);
});

test('models with behaviour rules are refused with a reason', () => {
  assert.throws(() => new FlatScorer({ name: 'b', rules: [{ id: 'p', points: 1, when: { page_view: { path: '/x' } } }] }), /rule p is not a trait rule/);
});
