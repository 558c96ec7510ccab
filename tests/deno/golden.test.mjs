// Golden vectors in Deno, importing the built package by name (Deno resolves it from node_modules with
// the `deno` export condition). Run from the repo root: deno test --allow-read --no-lock tests/deno/
import * as leadscore from 'leadscore';
import { formatFailures, runGolden } from '../js/golden.mjs';

// Deno's own file API: importing node:fs here would make Deno's type check want @types/node.
const goldenDir = new URL('../golden/', import.meta.url);
const cases = [...Deno.readDirSync(goldenDir)]
  .map((entry) => entry.name)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((file) => ({ file, ...JSON.parse(Deno.readTextFileSync(new URL(file, goldenDir))) }));

Deno.test('the package resolves to its Deno entry', () => {
  const resolved = import.meta.resolve('leadscore');
  if (!resolved.endsWith('/deno.js')) throw new Error(`leadscore resolved to ${resolved}`);
});

Deno.test('there are golden cases', () => {
  if (cases.length === 0) throw new Error('tests/golden/ holds no *.json case');
});

for (const c of cases) {
  Deno.test(`golden ${c.file}: ${c.description ?? ''}`, () => {
    const failures = runGolden(leadscore, [c]);
    if (failures.length > 0) throw new Error(formatFailures(failures));
  });
}
