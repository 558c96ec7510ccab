// Writes the fuzzers' seed corpora from the golden vectors (run after `npm run build`):
// fuzz/seeds/model (the documents), fuzz/seeds/events (the event lists), fuzz/seeds/state (the
// states those events leave). `cargo fuzz run` gets them as its extra corpus directory.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Scorer } from 'leadscore';

const root = new URL('..', import.meta.url).pathname;
const golden = join(root, 'tests', 'golden');
const out = (kind) => { const dir = join(root, 'fuzz', 'seeds', kind); mkdirSync(dir, { recursive: true }); return dir; };
for (const file of readdirSync(golden).filter((f) => f.endsWith('.json'))) {
  const name = file.replace(/\.json$/, '');
  const c = JSON.parse(readFileSync(join(golden, file), 'utf8'));
  writeFileSync(join(out('model'), name), JSON.stringify(c.model));
  if (!c.events) continue;
  writeFileSync(join(out('events'), name), JSON.stringify(c.events));
  const scorer = new Scorer(c.model, { model: c.model_name });
  scorer.ingestMany(c.events);
  writeFileSync(join(out('state'), name), JSON.stringify(scorer.exportState()));
}
