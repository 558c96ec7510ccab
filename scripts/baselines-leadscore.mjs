#!/usr/bin/env node
// leadscore's side of scripts/baselines.sh: for each fold of the fold file, calibrate on the other
// folds with the built package (both modes: with interactions, the default, and additive only),
// score the held-out rows with scoreCsv — the engine — and write one line per held-out lead:
// id,fold,mode,score. The Python side computes every method's AUC from such files the same way.
// Usage: node scripts/baselines-leadscore.mjs <leads.csv> <folds.csv> <out.csv> <label> <id>
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { csvFields, csvRecords, readFolds, splitByFold } from './baselines-folds.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [data, foldFile, out, label, id] = process.argv.slice(2);
if (!id) {
  console.error('usage: node scripts/baselines-leadscore.mjs <leads.csv> <folds.csv> <out.csv> <label> <id>');
  process.exit(2);
}
const { calibrate, scoreCsv } = await import(join(root, 'pkg', 'calibrate-node.js'));
const splits = splitByFold(readFileSync(data, 'utf8'), readFolds(readFileSync(foldFile, 'utf8')), id);
const modes = { interactions: {}, additive: { interactions: 0 } };
const lines = ['id,fold,mode,score'];
for (const [mode, extra] of Object.entries(modes)) {
  for (const { fold, learn, test } of splits) {
    const { model } = calibrate(learn, { label, id, ...extra });
    const scored = csvRecords(scoreCsv(model, test, { id }));
    const [idAt, scoreAt] = ['id', 'score'].map((name) => csvFields(scored.header).indexOf(name));
    for (const record of scored.rows) {
      const fields = csvFields(record);
      lines.push(`"${fields[idAt].replaceAll('"', '""')}",${fold},${mode},${fields[scoreAt]}`);
    }
  }
}
writeFileSync(out, `${lines.join('\n')}\n`);
console.log(`leadscore: ${lines.length - 1} held-out scores written to ${out}`);
