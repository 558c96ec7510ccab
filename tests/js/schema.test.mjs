// schema/model.schema.json (shipped as leadscore/schema.json) agrees with the engine: it accepts every
// model the engine accepts in the golden cases and the demo, and describes every field it names.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import Ajv2020 from 'ajv/dist/2020.js';
import { loadGoldenCases } from './golden-files.mjs';

const readJson = (path) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'));
const schema = readJson('../../schema/model.schema.json');
const validate = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true }).compile(schema);

test('the packaged schema is the one in the repo', () => {
  assert.deepEqual(readJson('../../pkg/schema.json'), schema);
});

test('accepts the demo model', () => {
  assert.ok(validate(readJson('../../www/models/textbook.json')), JSON.stringify(validate.errors, null, 2));
});

for (const c of loadGoldenCases().filter((c) => c.expect.card)) {
  test(`accepts the model of golden ${c.file}`, () => {
    assert.ok(validate(c.model), JSON.stringify(validate.errors, null, 2));
  });
}

test('rejects documents the engine rejects for their shape', () => {
  for (const doc of [[1, 2, 3], { name: 'x' }, { name: 'x', rules: [{ id: 'r', points: '5', when: { click: {} } }] },
    { name: 'x', rules: [{ id: 'r', points: 5, when: { page_veiw: {} } }] },
    { name: 'x', rules: [{ id: 'r', points: 5, per: '1 fortnight', when: { click: {} } }] }]) {
    assert.equal(validate(doc), false, JSON.stringify(doc));
  }
});

test('every property is described', () => {
  const undescribed = [];
  const walk = (node, path) => {
    if (Array.isArray(node)) return node.forEach((item, i) => walk(item, `${path}/${i}`));
    if (!node || typeof node !== 'object') return;
    for (const [name, sub] of Object.entries(node.properties ?? {})) {
      if (!sub.description) undescribed.push(`${path}/properties/${name}`);
    }
    for (const [key, value] of Object.entries(node)) walk(value, `${path}/${key}`);
  };
  walk(schema, '#');
  assert.deepEqual(undescribed, []);
});
