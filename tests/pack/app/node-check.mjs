// Runs in the temp project: imports the installed tarball by name and prints what it sees as JSON.
import { readFileSync } from 'node:fs';
import { engineVersion, scoreLead, validateModel } from 'leadscore';
import schema from 'leadscore/schema.json' with { type: 'json' };

const textbook = JSON.parse(readFileSync(new URL('./textbook.json', import.meta.url), 'utf8'));
const lead = { events: [{ type: 'page_view', ts: 1_700_000_000_000, path: '/pricing' }] };
console.log(JSON.stringify({
  resolved: import.meta.resolve('leadscore'),
  schemaDialect: schema.$schema,
  engine: engineVersion(),
  validation: validateModel(textbook),
  card: scoreLead(textbook, lead, 1_700_000_100_000),
}));
