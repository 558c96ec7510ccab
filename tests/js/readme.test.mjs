// The README's quick-start example runs as written and gives the card its comment promises.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';

test('README quick-start example', async () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const block = readme.split('Score a visitor from JavaScript:')[1]?.match(/```js\n([\s\S]*?)```/)?.[1];
  assert.ok(block, 'example block not found in README.md');
  // Written next to this test so that `leadscore` resolves to the built package.
  const file = new URL(`./readme-example-${process.pid}.tmp.mjs`, import.meta.url);
  writeFileSync(file, `${block}\nexport { card, saved, now };\n`);
  try {
    const { card, saved, now } = await import(file.href);
    assert.equal(card.fit, 25);
    assert.equal(card.engagement, 35);
    assert.equal(card.total, 60);
    assert.equal(card.stage, 'mql');
    assert.equal(card.qualified, true);
    assert.equal(card.breakdown.reduce((sum, line) => sum + line.points, 0), card.total);
    assert.equal(JSON.parse(saved).v, 1);
    assert.deepEqual(now, { total: 60, fit: 25, engagement: 35, stage: 'mql', qualified: true });
  } finally {
    rmSync(file, { force: true });
  }
});
