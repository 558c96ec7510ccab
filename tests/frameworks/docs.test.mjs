// docs/frameworks/<name>.md quotes every file of the app tests/frameworks/<name>/ builds, each under its
// path in bold (**`app/page.js`**) followed by one code block: the quote must equal the file, and every
// file of the app must be quoted, so the docs show exactly the code the tests run.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { appFiles, here, root } from './support.mjs';

const QUOTE = /^\*\*`([^`]+)`\*\*\n\n```[a-z]*\n([\s\S]*?)^```$/gm;
const apps = readdirSync(here).filter((entry) => existsSync(join(here, entry, 'package.json')));

test('every framework app has its docs page', () => {
  assert.ok(apps.length > 0);
  for (const name of apps) assert.ok(existsSync(join(root, 'docs', 'frameworks', `${name}.md`)), `docs/frameworks/${name}.md`);
});

for (const name of apps) {
  test(`docs/frameworks/${name}.md quotes every file of tests/frameworks/${name}/ exactly`, () => {
    const doc = readFileSync(join(root, 'docs', 'frameworks', `${name}.md`), 'utf8');
    const quoted = new Map([...doc.matchAll(QUOTE)].map(([, path, code]) => [path, code]));
    assert.deepEqual([...quoted.keys()].sort(), appFiles(name));
    for (const [path, code] of quoted) assert.equal(code, readFileSync(join(here, name, path), 'utf8'), `${path} as quoted`);
  });
}
