#!/usr/bin/env node
// Optional check and benchmark on the shared X Education leads (../shared/data/xeducation-leads-train.csv,
// never copied into the repository): calibrates in Node through the built package's WASM and prints
// - the cross-validated ROC AUC of the engine's scores (from calibrate's own report),
// - an independent hold-out check: calibrate on 80 % of the rows, score the other 20 % with scoreCsv,
//   and compute the AUC here in JS from the score column,
// - the calibration time (first run, then the best of a few) and the model's size.
// Usage: node scripts/calibrate-shared.mjs [path/to/leads.csv]   (after npm run build)
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const file = process.argv[2] ?? join(root, '..', 'shared', 'data', 'xeducation-leads-train.csv');
if (!existsSync(file)) {
  console.log(`skipped: ${file} is not here (the shared data set is optional)`);
  process.exit(0);
}
if (!existsSync(join(root, 'pkg', 'node.js'))) {
  console.error('pkg/ is not built: run `npm run build` first');
  process.exit(1);
}
const { calibrate, scoreCsv } = await import(join(root, 'pkg', 'calibrate-node.js'));
const text = readFileSync(file, 'utf8');
const options = { label: 'Converted', id: 'Prospect ID' };

/** ROC AUC with ties counted half, written independently of the library. */
function auc(scores, outcomes) {
  const order = scores.map((s, i) => [s, outcomes[i]]).sort((a, b) => a[0] - b[0]);
  let negativesBelow = 0;
  let wins = 0;
  let positives = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    let pos = 0;
    let neg = 0;
    for (; j < order.length && order[j][0] === order[i][0]; j++) if (order[j][1]) pos++; else neg++;
    wins += pos * (negativesBelow + neg / 2);
    negativesBelow += neg;
    positives += pos;
    i = j;
  }
  return wins / (positives * negativesBelow);
}

// Timing: the first call includes compiling the wasm functions; later calls are the steady state.
// CPU time is reported too: on a machine shared with other builds, wall time includes waiting.
const times = [];
const cpu = [];
let result;
for (let run = 0; run < 3; run++) {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  result = calibrate(text, options);
  times.push((performance.now() - started) / 1000);
  const used = process.cpuUsage(cpuStarted);
  cpu.push((used.user + used.system) / 1e6);
}
const { model, report } = result;
const cv = report.cross_validation;
console.log(`rows ${report.rows}, converted ${(report.conversion_rate * 100).toFixed(1)} %, ${report.folds}-fold cross-validation`);
console.log(`cross-validated ROC AUC (engine scores of held-out rows): ${cv.auc.toFixed(4)} pooled, ${cv.auc_mean_of_folds.toFixed(4)} mean of folds [${cv.auc_by_fold.map((a) => a.toFixed(4)).join(', ')}]`);
console.log(`distinct held-out scores ${cv.ties.distinct_scores}; at 0: ${(cv.ties.at_0 * 100).toFixed(1)} %, at 100: ${(cv.ties.at_100 * 100).toFixed(1)} %`);
console.log(`calibration time in Node (WASM): first ${times[0].toFixed(2)} s, best ${Math.min(...times).toFixed(2)} s (CPU: first ${cpu[0].toFixed(2)} s, best ${Math.min(...cpu).toFixed(2)} s)`);
console.log(`model: ${model.rules.length} rules on ${report.model.columns_used} columns, ${JSON.stringify(model).length} bytes of JSON (${JSON.stringify(model, null, 2).length} pretty)`);

// Independent hold-out: a seeded shuffle, 80 % to learn from, 20 % scored by scoreCsv.
const [header, ...rows] = text.replace(/\r?\n$/, '').split(/\r?\n/);
let state = 20261122;
const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
const shuffled = rows.map((row) => [random(), row]).sort((a, b) => a[0] - b[0]).map(([, row]) => row);
const cut = Math.floor(shuffled.length * 0.8);
const learn = [header, ...shuffled.slice(0, cut)].join('\n');
const holdout = [header, ...shuffled.slice(cut)].join('\n');
const learned = calibrate(learn, options);
const scored = scoreCsv(learned.model, holdout, { id: 'Prospect ID', keep: ['Converted'] }).trim().split('\n').slice(1);
const scores = scored.map((line) => Number(line.split(',')[1]));
const outcomes = scored.map((line) => line.endsWith(',1'));
console.log(`hold-out check: learned on ${cut} rows, scored ${scored.length} unseen rows with scoreCsv: ROC AUC ${auc(scores, outcomes).toFixed(4)}`);

// Value tiers on the shared leads. The data has NO deal amounts: the column added here is
// GENERATED for this check only (never written anywhere): a course fee by occupation (working
// professionals buy the long programmes), with seeded noise, for converted leads only.
const fee = { 'working professional': 120000, unemployed: 60000, student: 35000 };
const { csvFields, csvRecords } = await import('./baselines-folds.mjs');
const records = csvRecords(text);
const names = csvFields(records.header);
const [occupationAt, convertedAt] = ['What is your current occupation', 'Converted'].map((name) => names.indexOf(name));
let valueState = 7;
const noise = () => 0.6 + 0.8 * ((valueState = (valueState * 1103515245 + 12345) % 2147483648) / 2147483648);
const withAmounts = [`${records.header},Deal Amount (generated)`, ...records.rows.map((row) => {
  const cells = csvFields(row);
  const amount = cells[convertedAt] === '1' ? Math.round((fee[cells[occupationAt]?.trim().toLowerCase()] ?? 50000) * noise()) : '';
  return `${row},${amount}`;
})].join('\n');
const valued = calibrate(withAmounts, { ...options, value: 'Deal Amount (generated)', valueBy: 'What is your current occupation' });
const v = valued.report.cross_validation.value;
console.log(`value tiers on GENERATED amounts (held-out): ${v.tiers.map((t) => `${t.tier} ${(t.share * 100).toFixed(1)} % of leads, ${(t.value_share * 100).toFixed(1)} % of value`).join('; ')}; expected-value AUC ${v.expected_value_auc.toFixed(4)}`);
