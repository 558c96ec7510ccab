// Golden vectors against the built package in Node (resolves the `node` export condition).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as leadscore from 'leadscore';
import { formatFailures, runGolden } from './golden.mjs';
import { loadGoldenCases } from './golden-files.mjs';

const cases = loadGoldenCases();

test('the package resolves to its Node entry', () => {
  assert.match(import.meta.resolve('leadscore'), /\/pkg\/node\.js$/);
});

test('there are golden cases', () => {
  assert.ok(cases.length > 0, 'tests/golden/ holds no *.json case');
});

for (const c of cases) {
  test(`golden ${c.file}: ${c.description ?? ''}`, () => {
    const failures = runGolden(leadscore, [c]);
    assert.equal(failures.length, 0, formatFailures(failures));
  });
}
