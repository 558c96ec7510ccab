#!/usr/bin/env node
// The `leadscore` command (the npm package's bin): learn a model from past leads, score a CSV, report a
// funnel. It runs the package's own WASM engine through its Node entry, so the CLI, the browser and the
// edge score alike. No dependencies; Node 20 or later.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const HELP = `leadscore: lead scoring from the command line (the same WASM engine as the npm package)

Usage:
  leadscore calibrate <leads.csv> --label <column> [options]
      Learns a points model from past leads and prints how well it ranks leads it has not seen
      (k-fold cross-validation, every held-out lead scored by the engine).
      --id <column>          the lead id column (never learned from)
      --out <file>           where to write the model (default: model.json)
      --report <file>        also write the full report as JSON
      --exclude a,b          columns not to learn from
      --behaviour a,b        columns that are behaviour (engagement), whatever their name says
      --fit a,b              columns that are traits (fit)
      --mql-top 20%          the top share of leads that become MQL (default 20%)
      --mql-precision 70%    or: MQL from the score at which leads convert at least this often
      --min-precision 70%    SQL from the score at which leads convert at least this often
      --sql-top 5%           or: the top share that become SQL (default: a quarter of the MQL share)
      --folds 5              cross-validation folds (2..20)
      --bins 15              most bins per numeric column
      --name <name>          the model's name (default: calibrated)
      --json                 print the report as JSON instead of tables

  leadscore score <model.json> <leads.csv> [--id <column>] [--keep a,b] [--model <name>] [--out scores.csv]
      Scores every row; writes id,score,stage,qualified,fit,engagement,breakdown (then the --keep
      columns) to --out or standard output. Columns the model does not read are ignored.

  leadscore funnel <scored.csv> --label <column> [--stage stage] [--cost <column>] [--json]
      Conversion per stage, MQL->SQL rate, and cost per lead / MQL / SQL / conversion.

  leadscore --help | --version

Nothing leaves the machine: the CSV is read and scored locally.`;

const MAX_BYTES = 64 * 1024 * 1024;

/** Exits with a one-line error. */
function fail(message) {
  process.stderr.write(`leadscore: ${String(message).split('\n')[0]}\n`);
  process.exit(1);
}

async function loadPackage() {
  // The calibration entry (its own wasm). Installed: pkg/bin/leadscore.mjs next to pkg/calibrate-node.js;
  // in the repository: js/cli.mjs and pkg/calibrate-node.js.
  const candidates = [new URL('../calibrate-node.js', import.meta.url), new URL('../pkg/calibrate-node.js', import.meta.url)];
  const entry = candidates.find((url) => existsSync(url));
  if (!entry) fail('cannot find the leadscore package next to the CLI (build it with `npm run build`)');
  return import(entry.href);
}

/** Splits argv into positional arguments and --flags (a flag takes the next argument unless boolean). */
function parseArgs(argv, booleans, known) {
  const positional = [];
  const flags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) { positional.push(arg); continue; }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (!known.includes(name) && !booleans.includes(name)) fail(`unknown option --${name} (see leadscore --help)`);
    if (booleans.includes(name)) { flags[name] = true; continue; }
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) fail(`--${name} needs a value`);
    flags[name] = value;
  }
  return { positional, flags };
}

const list = (text) => (text === undefined ? undefined : text.split(',').map((s) => s.trim()).filter(Boolean));

/** "20%", "20" or "0.2" -> 0.2 */
function share(text, flag) {
  if (text === undefined) return undefined;
  const n = Number(String(text).replace(/%$/, ''));
  if (!Number.isFinite(n) || n <= 0 || n > 100) fail(`--${flag} expects a share such as 20% or 0.2, got "${text}"`);
  return String(text).endsWith('%') || n > 1 ? n / 100 : n;
}

function integer(text, flag) {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n)) fail(`--${flag} expects a whole number, got "${text}"`);
  return n;
}

function readText(path, what) {
  if (!path) fail(`missing the ${what} (see leadscore --help)`);
  let size;
  try { size = statSync(path).size; } catch (error) { fail(`cannot read ${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`); }
  if (size > MAX_BYTES) fail(`${path} is ${Math.ceil(size / 1048576)} MB; at most 64 MB is read (sample the rows, or split the file)`);
  return readFileSync(path, 'utf8');
}

function readJson(path, what) {
  const text = readText(path, what);
  try { return JSON.parse(text); } catch (error) { fail(`${path} is not JSON: ${error.message}`); }
}

/** Runs a package call, turning its Error into the one-line exit. */
function attempt(call) {
  try { return call(); } catch (error) { fail(error.message); }
}

const pct = (x) => (x === null || x === undefined ? '-' : `${(x * 100).toFixed(1)} %`);

function table(rows, header) {
  const all = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [line(all[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

function printCalibration(report, model, seconds, out) {
  const cv = report.cross_validation;
  const thresholds = Object.fromEntries(model.stages.filter((s) => s.min !== undefined).map((s) => [s.name, s.min]));
  const print = (text = '') => process.stdout.write(`${text}\n`);
  print(`Learned from ${report.rows} leads (${pct(report.conversion_rate)} converted, label "${report.label}") in ${seconds.toFixed(2)} s.`);
  print(`Model: ${report.model.rules} rules on ${report.model.columns_used} columns, written to ${out}.`);
  print();
  print(`Cross-validated (${report.folds} folds; each lead scored by the engine with a model that never saw it):`);
  print(`  ROC AUC of the score   ${cv.auc.toFixed(3)}  (mean of folds ${cv.auc_mean_of_folds.toFixed(3)}; folds ${cv.auc_by_fold.map((a) => a.toFixed(3)).join(', ')})`);
  print(`  distinct scores        ${cv.ties.distinct_scores}  (${pct(cv.ties.at_0)} at 0, ${pct(cv.ties.at_100)} at 100)`);
  print();
  print(table(cv.lift.map((l) => [`top ${Math.round(l.top * 100)} %`, pct(l.conversion_rate), `${l.lift.toFixed(2)}x`, pct(l.recall)]),
    ['leads', 'converted', 'lift', 'of all conversions']));
  print();
  print(table(cv.stages.map((s) => [s.stage, thresholds[s.stage] ?? 0, s.leads, pct(s.leads / report.rows), pct(s.conversion_rate)]),
    ['stage', 'from score', 'leads', 'share', 'converted']));
  print();
  print(table([['MQL and above', pct(cv.mql.precision), pct(cv.mql.recall), pct(cv.mql.share)],
    ['SQL', pct(cv.sql.precision), pct(cv.sql.recall), pct(cv.sql.share)]], ['held-out', 'precision', 'recall', 'share']));
  print();
  print('Points (edit them in the model file; the engine explains every score by these rules):');
  print(table(report.points.map((p) => [p.label.length > 70 ? `${p.label.slice(0, 69)}…` : p.label, p.score, p.points]),
    ['rule', 'score', 'points']));
  const skipped = report.skipped.filter((s) => !/label|lead id/.test(s.reason));
  if (skipped.length) {
    print();
    print(`Not learned from: ${skipped.map((s) => `${s.name} (${s.reason})`).join('; ')}`);
  }
  for (const note of report.notes) print(`Note: ${note}`);
}

function printFunnel(report) {
  const print = (text = '') => process.stdout.write(`${text}\n`);
  print(`${report.leads} leads, ${pct(report.conversion_rate)} converted.`);
  print();
  const withCost = report.cost !== undefined;
  const header = ['stage', 'leads', 'share', 'converted', 'rate', 'at or above', 'rate'];
  if (withCost) header.push('cost');
  print(table(report.stages.map((s) => {
    const row = [s.stage, s.leads, pct(s.share), s.converted, pct(s.conversion_rate), s.reached, pct(s.reached_conversion_rate)];
    if (withCost) row.push(s.cost.toFixed(2));
    return row;
  }), header));
  print();
  print(`MQL -> SQL rate: ${report.mql_to_sql_rate === null ? '- (needs stages named mql and sql)' : pct(report.mql_to_sql_rate)}`);
  if (withCost) {
    const c = report.cost;
    const money = (x) => (x === null ? '-' : x.toFixed(2));
    print(`Cost: total ${money(c.total)}, per lead ${money(c.per_lead)}, per MQL ${money(c.per_mql)}, per SQL ${money(c.per_sql)}, per conversion ${money(c.per_conversion)}`);
  }
}

async function main(argv) {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  if (command === '--version') {
    const leadscore = await loadPackage();
    process.stdout.write(`${leadscore.engineVersion()}\n`);
    return;
  }
  if (command === 'calibrate') {
    const { positional, flags } = parseArgs(rest, ['json'], ['label', 'id', 'out', 'report', 'exclude', 'behaviour', 'fit',
      'mql-top', 'mql-precision', 'min-precision', 'sql-top', 'folds', 'bins', 'name']);
    if (positional.length !== 1) fail('calibrate takes one CSV file (see leadscore --help)');
    if (!flags.label) fail('calibrate needs --label <column>: the column that says whether the lead converted');
    const text = readText(positional[0], 'CSV of past leads');
    const options = {
      label: flags.label, id: flags.id, exclude: list(flags.exclude), behaviour: list(flags.behaviour), fit: list(flags.fit),
      mqlTop: share(flags['mql-top'], 'mql-top'), mqlPrecision: share(flags['mql-precision'], 'mql-precision'),
      minPrecision: share(flags['min-precision'], 'min-precision'), sqlTop: share(flags['sql-top'], 'sql-top'),
      folds: integer(flags.folds, 'folds'), bins: integer(flags.bins, 'bins'), name: flags.name,
    };
    for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key];
    const leadscore = await loadPackage();
    const started = performance.now();
    const { model, report } = attempt(() => leadscore.calibrate(text, options));
    const seconds = (performance.now() - started) / 1000;
    const out = flags.out ?? 'model.json';
    writeFileSync(out, `${JSON.stringify(model, null, 2)}\n`);
    if (flags.report) writeFileSync(flags.report, `${JSON.stringify(report, null, 2)}\n`);
    if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else printCalibration(report, model, seconds, out);
    return;
  }
  if (command === 'score') {
    const { positional, flags } = parseArgs(rest, [], ['id', 'keep', 'model', 'out']);
    if (positional.length !== 2) fail('score takes a model file and a CSV file (see leadscore --help)');
    const doc = readJson(positional[0], 'model file');
    const text = readText(positional[1], 'CSV of leads');
    const options = { id: flags.id, keep: list(flags.keep), model: flags.model };
    for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key];
    const leadscore = await loadPackage();
    const csv = attempt(() => leadscore.scoreCsv(doc, text, options));
    if (flags.out) writeFileSync(flags.out, csv);
    else process.stdout.write(csv);
    return;
  }
  if (command === 'funnel') {
    const { positional, flags } = parseArgs(rest, ['json'], ['label', 'stage', 'score', 'cost']);
    if (positional.length !== 1) fail('funnel takes one CSV file of scored leads (see leadscore --help)');
    if (!flags.label) fail('funnel needs --label <column>: the column that says whether the lead converted');
    const text = readText(positional[0], 'CSV of scored leads');
    const options = { label: flags.label, stage: flags.stage, score: flags.score, cost: flags.cost };
    for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key];
    const leadscore = await loadPackage();
    const report = attempt(() => leadscore.funnel(text, options));
    if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else printFunnel(report);
    return;
  }
  fail(`unknown command "${command}" (expected calibrate, score or funnel; see leadscore --help)`);
}

await main(process.argv.slice(2));
