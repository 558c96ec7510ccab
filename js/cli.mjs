#!/usr/bin/env node
// The `leadscore` command (the npm package's bin): learn a model from past leads, score a CSV, report a
// funnel. It runs the package's own WASM engine through its Node entry, so the CLI, the browser and the
// edge score alike. No dependencies; Node 20 or later.
import { createReadStream, createWriteStream, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { createGunzip, createGzip } from 'node:zlib';

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
      --bins 40              most bins per numeric column
      --name <name>          the model's name (default: calibrated)
      --sample 100000        learn from a uniform sample of at most this many rows (files of any size
                             are streamed); when the file has more, the model is then also scored
                             on every row of the file (AUC with its interval, lift, stages)
      --interactions 5       most pairwise interactions learned as two-condition rules (0: additive only)
      --value <column>       deal amounts: learn expected value per lead and value tiers (docs/calibrate.md)
      --value-by <column>    with --value: the column whose answers set the expected amount
      --json                 print the report as JSON instead of tables
      --delimiter, --encoding, --input-format, --on-error, --quiet   as for score

  leadscore score <model.json> <leads.csv|-> [options]
      Scores every row as it is read (files of any size, constant memory); writes
      id,score,stage,qualified,fit,engagement,breakdown (then the --keep columns) to --out or
      standard output. Columns the model does not read are ignored.
      --id <column>          the lead id column (default: a column named id, or ending in " id"/"_id")
      --keep a,b             input columns copied to the output
      --model <name>         which model of a multi-model document
      --out <file|->         where to write (default: standard output; a name ending in .gz is gzipped)
      --format csv|jsonl     the output format (default csv; jsonl: one JSON object a line)
      --fields id,score,stage   the CSV output's score columns, in this order (default: all seven);
                             without breakdown, rows are a fraction of the size and faster to write
      --input-format csv|jsonl  the input format (default: jsonl for *.jsonl / *.ndjson, else csv)
      --delimiter , ; tab |  the input's delimiter (default: the one the header line uses most)
      --encoding utf-8|windows-1252   the input's encoding (default utf-8)
      --on-error skip|fail   a bad row (wrong number of fields, broken quotes, not UTF-8) is skipped
                             and listed with its line number (default), or ends the run
      --workers 2            threads scoring a large input in parts, written in the input's order
                             (default: 2 on a machine with 2 cores or more; 1: this thread alone)
      --quiet                no progress line and no summary on standard error
      Input: a file, a .gz file, or - for standard input (gzip detected from its first bytes).

  leadscore compare <model-a.json> <model-b.json> <leads.csv|-> --label <column> [options]
      Champion / challenger on leads with known outcomes, streamed: ROC AUC of each model with its
      95 % confidence interval (DeLong) and that of the difference, conversion and lift in the top
      10 %, leads and conversion per stage side by side, and how many leads change stage (from -> to).
      --id <column>          the lead id column for --changes
      --changes <file>       also write every lead whose stage changes (id, stages, scores, outcome)
      --json                 print the report as JSON
      --delimiter, --encoding, --input-format, --on-error, --quiet   as for score

  leadscore funnel <scored.csv|-> --label <column> [--stage stage] [--cost <column>] [--json]
                  [--by "First Campaign,Last Campaign"] [--touches leadscore_state] [--costs costs.csv]
                  [--qualified qualified]
      Conversion per stage, MQL->SQL rate, and cost per lead / MQL / SQL / conversion, streamed (files
      of any size; --delimiter, --encoding, --input-format, --on-error, --quiet as for score). With --by,
      credit per campaign (or source, medium) for each column given, e.g. first and last touch;
      with --touches, first-touch and last-touch credit from a column of visitor states (the
      tag's leadscore_state form field): leads, qualified leads, MQL, SQL, MQL->SQL rate,
      conversions, and with --costs (a CSV of campaign,cost) cost per lead and per qualified lead.

  leadscore --help | --version

Nothing leaves the machine: the CSV is read and scored locally.`;

/** Files read whole (models, cost tables) are at most this large; the CSV inputs are streamed. */
const MAX_BYTES = 64 * 1024 * 1024;
/** Bytes read at a time; smaller when the parts of `score`'s workers are (LEADSCORE_PART_BYTES, in tests). */
const CHUNK_BYTES = Math.min(1 << 20, Number(process.env.LEADSCORE_PART_BYTES) || Infinity);

/** Exits with a one-line error. */
function fail(message) {
  process.stderr.write(`leadscore: ${String(message).split('\n')[0]}\n`);
  process.exit(1);
}

/** The first of `candidates` (URLs relative to this file) that exists: the installed layout, then the repository's. */
function besideCli(candidates, what) {
  const found = candidates.map((path) => new URL(path, import.meta.url)).find((url) => existsSync(url));
  if (!found) fail(`cannot find ${what} next to the CLI (build it with \`npm run build\`)`);
  return found.href;
}

// The calibration entry (its own wasm). Installed: pkg/bin/leadscore.mjs next to pkg/calibrate-node.js;
// in the repository: js/cli.mjs and pkg/calibrate-node.js.
const packageEntry = () => besideCli(['../calibrate-node.js', '../pkg/calibrate-node.js'], 'the leadscore package');

async function loadPackage() {
  return import(packageEntry());
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
  const sample = report.sample;
  if (sample.learned_from < sample.rows - sample.bad_rows) {
    print();
    print(`Learned from a uniform sample of ${number(sample.learned_from)} of the file's ${number(sample.rows)} rows; ${sample.evaluation
      ? `on all ${number(sample.evaluated_on)} rows, ROC AUC ${sample.evaluation.auc.toFixed(3)} [${sample.evaluation.auc_ci95.map((x) => x.toFixed(3)).join(', ')}], top 10 % lift ${sample.evaluation.top_decile.lift.toFixed(2)}x.`
      : 'standard input cannot be read twice, so the other rows were not scored.'}`);
  }
}

function printFunnel(report) {
  const money = (x) => (x === null || x === undefined ? '-' : x.toFixed(2));
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
    print(`Cost: total ${money(c.total)}, per lead ${money(c.per_lead)}, per MQL ${money(c.per_mql)}, per SQL ${money(c.per_sql)}, per conversion ${money(c.per_conversion)}`);
  }
  for (const credit of report.campaigns ?? []) {
    print();
    print(`By ${credit.by}:`);
    const withCosts = credit.campaigns.some((c) => 'cost' in c);
    const header = ['campaign', 'leads', 'qualified', 'MQL', 'SQL', 'MQL->SQL', 'converted', 'rate'];
    if (withCosts) header.push('cost', 'per lead', 'per qualified');
    print(table(credit.campaigns.map((c) => {
      const row = [c.campaign, c.leads, c.qualified ?? '-', c.mql, c.sql, pct(c.mql_to_sql_rate), c.converted, pct(c.conversion_rate)];
      if (withCosts) row.push(money(c.cost), money(c.cost_per_lead), money(c.cost_per_qualified_lead));
      return row;
    }), header));
  }
}

/** The read options of a streaming command from its flags. */
function readOptions(flags) {
  const choice = (flag, allowed) => {
    const value = flags[flag];
    if (value !== undefined && !allowed.includes(value)) fail(`--${flag} expects one of ${allowed.join(', ')}, got "${value}"`);
    return value;
  };
  const read = {
    delimiter: choice('delimiter', [',', ';', 'tab', '\t', '|', 'comma', 'semicolon', 'pipe']),
    encoding: flags.encoding,
    format: choice('format', ['csv', 'jsonl']),
    onError: choice('on-error', ['skip', 'fail']),
  };
  for (const key of Object.keys(read)) if (read[key] === undefined) delete read[key];
  return read;
}

/** The input's bytes as they come: a file or standard input, gunzipped when it starts with gzip's magic bytes. */
async function* inputBytes(path, progress) {
  let source;
  if (path === '-') source = process.stdin;
  else {
    try { progress.size = statSync(path).size; } catch (error) { fail(`cannot read ${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`); }
    source = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  }
  const raw = source[Symbol.asyncIterator]();
  const first = await raw.next();
  if (first.done) return;
  const head = first.value;
  progress.read += head.length;
  if (head[0] !== 0x1f || head[1] !== 0x8b) {
    yield head;
    for await (const chunk of { [Symbol.asyncIterator]: () => raw }) {
      progress.read += chunk.length;
      yield chunk;
    }
    return;
  }
  const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
  const feed = (async () => {
    try {
      if (!gunzip.write(head)) await once(gunzip, 'drain');
      for await (const chunk of { [Symbol.asyncIterator]: () => raw }) {
        progress.read += chunk.length;
        if (!gunzip.write(chunk)) await once(gunzip, 'drain');
      }
      gunzip.end();
    } catch (error) {
      gunzip.destroy(error);
    }
  })();
  try {
    for await (const chunk of gunzip) yield chunk;
  } catch (error) {
    fail(`${path === '-' ? 'standard input' : path} is not a valid gzip file: ${error.message}`);
  }
  await feed;
}

/** JSON Lines as CSV bytes: the first object's keys are the columns; numbers, booleans and nested values as their JSON text. */
async function* jsonlAsCsv(chunks, bad) {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let columns;
  let carry = '';
  let line = 0;
  const cell = (value) => {
    if (value === null || value === undefined) return '';
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return /[",;\t\n\r|]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const rows = (lines) => {
    const out = [];
    for (const text of lines) {
      line++;
      if (!text.trim()) continue;
      let object;
      try { object = JSON.parse(text); } catch (error) { object = error; }
      if (object === null || typeof object !== 'object' || Array.isArray(object) || object instanceof Error) {
        bad(`line ${line}: not a JSON object${object instanceof Error ? ` (${object.message})` : ''}`);
        continue;
      }
      if (!columns) {
        columns = Object.keys(object);
        out.push(columns.map(cell).join(','));
      }
      out.push(columns.map((key) => cell(object[key])).join(','));
    }
    return out.length ? encoder.encode(`${out.join('\n')}\n`) : undefined;
  };
  for await (const chunk of chunks) {
    const lines = (carry + decoder.decode(chunk, { stream: true })).split('\n');
    carry = lines.pop();
    const bytes = rows(lines);
    if (bytes) yield bytes;
  }
  const bytes = rows([carry + decoder.decode()]);
  if (bytes) yield bytes;
}

/** Where output goes: --out (gzipped when it ends in .gz), or standard output. */
function outputStream(path, discard) {
  if (discard) return { stream: { write: () => true, end() {} }, done: Promise.resolve() };
  if (!path || path === '-') return { stream: process.stdout, done: Promise.resolve() };
  const file = createWriteStream(path);
  const done = once(file, 'close');
  if (!path.endsWith('.gz')) return { stream: file, done };
  const gzip = createGzip();
  gzip.pipe(file);
  return { stream: gzip, done };
}

const number = (n) => Math.round(n).toLocaleString('en-US');

/**
 * Runs a streaming command: input chunks go to `push`, whose output bytes are written as they come (waiting
 * when the reader is slower); then `finish`. A progress line on standard error when it is a terminal, and a
 * summary of the counts at the end (bad rows listed), unless --quiet.
 */
async function streamRows(path, flags, push, finish, summary, verb) {
  const quiet = Boolean(flags.quiet);
  const progress = { read: 0, size: undefined };
  const jsonl = flags['input-format'] === 'jsonl' || (flags['input-format'] === undefined && /\.(jsonl|ndjson)(\.gz)?$/i.test(path));
  if (flags['input-format'] !== undefined && !['csv', 'jsonl'].includes(flags['input-format'])) fail(`--input-format expects csv or jsonl, got "${flags['input-format']}"`);
  const jsonErrors = [];
  let chunks = inputBytes(path, progress);
  if (jsonl) {
    chunks = jsonlAsCsv(chunks, (message) => {
      if (flags['on-error'] === 'fail') fail(message);
      jsonErrors.push(message);
    });
  }
  const out = outputStream(flags.out, flags.discard);
  const started = performance.now();
  const tty = !quiet && process.stderr.isTTY;
  let lastDraw = started;
  const draw = (now) => {
    const rows = summary().rows;
    const seconds = (now - started) / 1000;
    const rate = rows / Math.max(seconds, 1e-3);
    let text = `${number(rows)} rows, ${number(rate)} rows/s`;
    if (progress.size) {
      const done = progress.read / progress.size;
      const eta = done > 0 ? seconds * (1 - done) / done : 0;
      text += `, ${(done * 100).toFixed(1)} %, ${Math.ceil(eta)} s left`;
    }
    process.stderr.write(`\r${text}\u001b[K`);
  };
  // The output of a push: bytes, or a list of them.
  const write = async (output) => {
    for (const bytes of Array.isArray(output) ? output : [output]) {
      if (bytes.length && !out.stream.write(bytes)) await once(out.stream, 'drain');
    }
  };
  // push and finish may return a promise (the workers of `score`).
  const settle = async (call) => {
    try { return await call(); } catch (error) { fail(error.message); }
  };
  for await (const chunk of chunks) {
    await write(await settle(() => push(chunk)));
    if (tty) {
      const now = performance.now();
      if (now - lastDraw > 250) { draw(now); lastDraw = now; }
    }
  }
  await write(await settle(() => finish()));
  if (out.stream !== process.stdout) { out.stream.end(); await out.done; }
  if (tty) process.stderr.write('\r\u001b[K');
  const counts = summary();
  const bad = counts.bad + jsonErrors.length;
  if (!quiet) {
    const seconds = (performance.now() - started) / 1000;
    const paths = counts.fast !== undefined ? `; ${number(counts.fast)} on the fast path, ${number(counts.general)} by the general engine` : '';
    const rows = counts.rows + jsonErrors.length;
    process.stderr.write(`leadscore: ${verb} ${number(rows - bad)} of ${number(rows)} rows in ${seconds.toFixed(2)} s (${number(rows / Math.max(seconds, 1e-3))} rows/s${paths}); ${number(bad)} bad row${bad === 1 ? '' : 's'} skipped\n`);
    const listed = [...jsonErrors, ...counts.errors].slice(0, 20);
    for (const message of listed) process.stderr.write(`  ${message}\n`);
    if (bad > listed.length) process.stderr.write(`  and ${number(bad - listed.length)} more\n`);
  }
}

function printComparison(report) {
  const print = (text = '') => process.stdout.write(`${text}\n`);
  const [a, b] = report.models;
  const auc = (m) => `${m.auc.toFixed(3)} [${m.auc_ci95.map((x) => x.toFixed(3)).join(', ')}]`;
  print(`${number(report.scored)} leads, ${pct(report.conversion_rate)} converted (label "${report.label}").`);
  print();
  print(table([
    ['ROC AUC [95 % CI]', auc(a), auc(b)],
    ['top 10 %: converted', pct(a.top_decile.conversion_rate), pct(b.top_decile.conversion_rate)],
    ['top 10 %: lift', `${a.top_decile.lift.toFixed(2)}x`, `${b.top_decile.lift.toFixed(2)}x`],
  ], ['', `A: ${a.name}`, `B: ${b.name}`]));
  const d = report.auc_difference;
  print(`AUC B - A: ${d.b_minus_a >= 0 ? '+' : ''}${d.b_minus_a.toFixed(3)} [${d.ci95.map((x) => x.toFixed(3)).join(', ')}]${d.ci95[0] > 0 || d.ci95[1] < 0 ? '' : ' (the interval includes 0: no clear winner)'}`);
  print();
  const names = [...new Set([...a.stages.map((s) => s.stage), ...b.stages.map((s) => s.stage)])];
  const at = (m, name) => m.stages.find((s) => s.stage === name);
  print(table(names.map((name) => {
    const [x, y] = [at(a, name), at(b, name)];
    return [name, x ? number(x.leads) : '-', x ? pct(x.conversion_rate) : '-', y ? number(y.leads) : '-', y ? pct(y.conversion_rate) : '-'];
  }), ['stage', 'A leads', 'A converted', 'B leads', 'B converted']));
  print();
  print(`${number(report.changed_stage)} leads change stage${report.changes.length ? ':' : '.'}`);
  if (report.changes.length) print(table(report.changes.map((c) => [`${c.from} -> ${c.to}`, number(c.leads)]), ['A -> B', 'leads']));
}

/** `leadscore calibrate leads.csv --label …`: learns a model from past outcomes (docs/calibrate.md). */
async function calibrateCommand(rest) {
  const { positional, flags } = parseArgs(rest, ['json', 'quiet'], ['label', 'id', 'out', 'report', 'exclude', 'behaviour', 'fit',
    'mql-top', 'mql-precision', 'min-precision', 'sql-top', 'folds', 'bins', 'name', 'sample', 'delimiter', 'encoding', 'input-format', 'on-error', 'interactions', 'value', 'value-by']);
  if (positional.length !== 1) fail('calibrate takes one CSV file (see leadscore --help)');
  if (!flags.label) fail('calibrate needs --label <column>: the column that says whether the lead converted');
  const options = {
    label: flags.label, id: flags.id, exclude: list(flags.exclude), behaviour: list(flags.behaviour), fit: list(flags.fit),
    mqlTop: share(flags['mql-top'], 'mql-top'), mqlPrecision: share(flags['mql-precision'], 'mql-precision'),
    minPrecision: share(flags['min-precision'], 'min-precision'), sqlTop: share(flags['sql-top'], 'sql-top'),
    folds: integer(flags.folds, 'folds'), bins: integer(flags.bins, 'bins'), name: flags.name,
    interactions: integer(flags.interactions, 'interactions'), value: flags.value, valueBy: flags['value-by'],
  };
  for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key];
  const sampleSize = integer(flags.sample ?? '100000', 'sample');
  if (sampleSize < 20 || sampleSize > 250000) fail(`--sample expects 20 to 250000 rows, got ${sampleSize}`);
  const leadscore = await loadPackage();
  // Pass 1: a uniform sample of the rows (the whole file when it is smaller).
  const read = readOptions(flags);
  const sampler = attempt(() => new leadscore.SampleStream(sampleSize, 1, read));
  await streamRows(positional[0], { ...flags, discard: true, quiet: true }, (bytes) => sampler.push(bytes), () => sampler.finish(), () => sampler.summary(), 'read');
  const counts = sampler.summary();
  if (counts.bad && !flags.quiet) {
    process.stderr.write(`leadscore: ${number(counts.bad)} bad row${counts.bad === 1 ? '' : 's'} skipped\n`);
    for (const message of counts.errors) process.stderr.write(`  ${message}\n`);
  }
  const started = performance.now();
  const { model, report } = attempt(() => leadscore.calibrate(sampler.text(), options));
  const seconds = (performance.now() - started) / 1000;
  report.sample = { rows: counts.rows, bad_rows: counts.bad, learned_from: counts.sampled, evaluated_on: counts.sampled };
  // Pass 2, when the file has more rows than were learned from: the model scored on every row.
  if (counts.sampled < counts.rows - counts.bad) {
    if (positional[0] === '-') report.sample.evaluated_on = 0;
    else {
      const evaluation = attempt(() => new leadscore.CompareStream(model, model, { label: flags.label }, read));
      await streamRows(positional[0], { ...flags, discard: true, quiet: true }, (bytes) => evaluation.push(bytes), () => evaluation.finish(), () => evaluation.summary(), 'evaluated');
      const all = attempt(() => evaluation.report());
      const [scored] = all.models;
      report.sample.evaluated_on = all.scored;
      report.sample.evaluation = { auc: scored.auc, auc_ci95: scored.auc_ci95, top_decile: scored.top_decile, stages: scored.stages };
    }
  }
  const out = flags.out ?? 'model.json';
  writeFileSync(out, `${JSON.stringify(model, null, 2)}\n`);
  if (flags.report) writeFileSync(flags.report, `${JSON.stringify(report, null, 2)}\n`);
  if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else printCalibration(report, model, seconds, out);
}

/** `leadscore score model.json leads.csv`: every row scored, streamed (on worker threads when large). */
async function scoreCommand(rest) {
  const { positional, flags } = parseArgs(rest, ['quiet'], ['id', 'keep', 'model', 'out', 'format', 'input-format', 'delimiter', 'encoding', 'on-error', 'fields', 'workers']);
  if (positional.length !== 2) fail('score takes a model file and a CSV file, or - for standard input (see leadscore --help)');
  const doc = readJson(positional[0], 'model file');
  const options = { id: flags.id, keep: list(flags.keep), model: flags.model, fields: list(flags.fields) };
  for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key];
  const read = readOptions(flags);
  const { PartedScore, sharedWasm, workerCount } = await import(besideCli(['../cli-score-parts.mjs', './cli-score-parts.mjs'], 'cli-score-parts.mjs'));
  const workers = attempt(() => workerCount(flags.workers));
  const wasm = workers > 1 ? await sharedWasm(packageEntry()) : undefined;
  const leadscore = await loadPackage();
  const single = attempt(() => new leadscore.ScoreStream(doc, options, read));
  const scorer = new PartedScore({ leadscore, wasm, doc, options, read, workers, single, input: positional[1] });
  await streamRows(positional[1], flags, (bytes) => scorer.push(bytes), () => scorer.finish(), () => scorer.summary(), 'scored');
}

/** `leadscore compare a.json b.json leads.csv --label …`: champion and challenger side by side. */
async function compareCommand(rest) {
  const { positional, flags } = parseArgs(rest, ['json', 'quiet'], ['label', 'id', 'changes', 'input-format', 'delimiter', 'encoding', 'on-error']);
  if (positional.length !== 3) fail('compare takes two model files and a CSV file (see leadscore --help)');
  if (!flags.label) fail('compare needs --label <column>: the column that says whether the lead converted');
  const [a, b] = [readJson(positional[0], 'first model file'), readJson(positional[1], 'second model file')];
  const leadscore = await loadPackage();
  const options = { label: flags.label, listChanges: Boolean(flags.changes) };
  if (flags.id) options.id = flags.id;
  const comparison = attempt(() => new leadscore.CompareStream(a, b, options, readOptions(flags)));
  await streamRows(positional[2], { ...flags, out: flags.changes ?? null, discard: !flags.changes }, (bytes) => comparison.push(bytes),
    () => comparison.finish(), () => comparison.summary(), 'compared');
  const report = attempt(() => comparison.report());
  if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else printComparison(report);
}

/** `leadscore funnel scored.csv --label …`: conversion by stage and campaign. */
async function funnelCommand(rest) {
  const { positional, flags } = parseArgs(rest, ['json', 'quiet'], ['label', 'stage', 'score', 'cost', 'by', 'costs', 'qualified',
    'touches', 'input-format', 'delimiter', 'encoding', 'on-error']);
  if (positional.length !== 1) fail('funnel takes one CSV file of scored leads, or - for standard input (see leadscore --help)');
  if (!flags.label) fail('funnel needs --label <column>: the column that says whether the lead converted');
  const options = { label: flags.label, stage: flags.stage, score: flags.score, cost: flags.cost, by: list(flags.by),
    qualified: flags.qualified, touches: flags.touches, costs: flags.costs === undefined ? undefined : readText(flags.costs, 'cost table') };
  for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key];
  const leadscore = await loadPackage();
  const counter = attempt(() => new leadscore.FunnelStream(options, readOptions(flags)));
  await streamRows(positional[0], { ...flags, discard: true }, (bytes) => counter.push(bytes), () => counter.finish(), () => counter.summary(), 'counted');
  const report = attempt(() => counter.report());
  if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else printFunnel(report);
}

const COMMANDS = { __proto__: null, calibrate: calibrateCommand, score: scoreCommand, compare: compareCommand, funnel: funnelCommand };

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
  const run = COMMANDS[command];
  if (!run) fail(`unknown command "${command}" (expected calibrate, score, compare or funnel; see leadscore --help)`);
  await run(rest);
}

await main(process.argv.slice(2));
