// Loads tests/golden/*.json for the Node-side tests (Deno reads them itself, workerd gets them by POST).
import { readFileSync, readdirSync } from 'node:fs';

export const goldenDir = new URL('../golden/', import.meta.url);

/** Every golden case, sorted by file name, each tagged with `file` so failures name it. */
export function loadGoldenCases() {
  return readdirSync(goldenDir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((file) => ({ file, ...JSON.parse(readFileSync(new URL(file, goldenDir), 'utf8')) }));
}
