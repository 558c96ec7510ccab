// `leadscore score` streaming (issue 19), as installed (pkg/bin/leadscore.mjs), on generated files in a temp
// dir: streamed output equals the in-memory `scoreCsv` byte for byte, a file of a few hundred MB (generated on the
// fly, deleted after) in bounded memory, bad rows reported at their lines, gzip, pipes, delimiters,
// Windows-1252 and JSON Lines; `funnel` on a scored file of half that size, counting as the in-memory funnel.
// LEADSCORE_BIG_MB sizes the big file (default 200).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { gzipSync, gunzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'pkg', 'bin', 'leadscore.mjs');
const skip = existsSync(bin) ? false : 'pkg/bin/leadscore.mjs is missing: build the package first (npm run build)';
const BIG_MB = Number(process.env.LEADSCORE_BIG_MB ?? 200);
let dir;
let scoreCsv;
let funnel;

/** A trait-only model (the fast path) with text, number, yes/no and group rules. */
const MODEL = {
  name: 'crm',
  groups: [{ id: 'channel', max: 25 }],
  rules: [
    { id: 'api', points: 30, when: { trait: 'Lead Origin', equals: 'API' } },
    { id: 'form', points: 15, group: 'channel', when: { trait: 'Lead Origin', one_of: ['Landing Page Submission', 'Lead Add Form'] } },
    { id: 'visits', points: 20, score: 'engagement', when: { trait: 'TotalVisits', at_least: 3, below: 10 } },
    { id: 'many-visits', points: 35, score: 'engagement', when: { trait: 'TotalVisits', at_least: 10 } },
    { id: 'time', points: 15, score: 'engagement', when: { trait: 'Time Spent', between: [300, 3000] } },
    { id: 'newsletter', points: 12, group: 'channel', when: { trait: 'Newsletter', is_true: true } },
    { id: 'student', points: -30, when: { trait: 'Occupation', equals: 'Student' } },
    { id: 'working', points: 25, when: { trait: 'Occupation', one_of: ['Working Professional', 'Businessman'] } },
  ],
  stages: [{ name: 'new' }, { name: 'warm', min: 20 }, { name: 'mql', min: 50 }, { name: 'sql', above: 80 }],
  qualify: { stage: 'mql' },
};

const ORIGINS = ['API', 'Landing Page Submission', 'Lead Add Form', 'Lead Import', ' api ', ''];
const OCCUPATIONS = ['Student', 'Working Professional', 'Unemployed', 'Businessman', 'Other', ''];
const CITIES = ['Mumbai', 'Thane & Outskirts', 'Pune, MH', 'Other Cities', 'São Paulo', 'Köln'];

/** Row i of a CRM export (deterministic), as cells. */
function row(i) {
  const h = (i * 2654435761) >>> 0;
  const visits = h % 17 === 0 ? '' : String(h % 23);
  const time = (h >>> 5) % 9 === 0 ? 'n/a' : String((h >>> 7) % 2400);
  return [`L${i}`, ORIGINS[h % 6], visits, time, (h >>> 3) % 3 === 0 ? 'Yes' : 'No', OCCUPATIONS[(h >>> 11) % 6], CITIES[(h >>> 13) % 6], String((h >>> 17) % 2)];
}
const HEADER = ['Prospect ID', 'Lead Origin', 'TotalVisits', 'Time Spent', 'Newsletter', 'Occupation', 'City', 'Converted'];
const quote = (cell, delimiter) => (cell.includes(delimiter) || cell.includes('"') || /^\s|\s$/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);
const line = (cells, delimiter = ',') => cells.map((c) => quote(c, delimiter)).join(delimiter);

function csv(rows, { delimiter = ',', eol = '\n', from = 0 } = {}) {
  const lines = [line(HEADER, delimiter)];
  for (let i = from; i < from + rows; i++) lines.push(line(row(i), delimiter));
  return lines.join(eol) + eol;
}

function cli(args, options = {}) {
  return spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28, ...options });
}

/** The in-memory scores of the same text (the reference the stream must equal). */
const inMemory = (text, options = {}) => scoreCsv(MODEL, text, { keep: ['Converted'], ...options });

describe('leadscore score streams', { skip }, () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'leadscore-stream-'));
    writeFileSync(join(dir, 'model.json'), JSON.stringify(MODEL));
    ({ scoreCsv, funnel } = await import(join(root, 'pkg', 'calibrate-node.js')));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('streamed output equals the in-memory scores, byte for byte, with a summary on stderr', () => {
    const text = csv(20000, { eol: '\r\n' });
    writeFileSync(join(dir, 'leads.csv'), `\ufeff${text}`);
    const run = cli(['score', 'model.json', 'leads.csv', '--keep', 'Converted']);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, inMemory(text));
    assert.match(run.stderr, /^leadscore: scored 20,000 of 20,000 rows in [\d.]+ s \([\d,]+ rows\/s; 20,000 on the fast path, 0 by the general engine\); 0 bad rows skipped\n$/);
    assert.equal(cli(['score', 'model.json', 'leads.csv', '--quiet']).stderr, '');
  });

  test('semicolons, tabs, quoted line breaks, Windows-1252 and gzip read as the same leads', () => {
    const text = csv(3000);
    const expected = inMemory(text);
    const files = {
      'semi.csv': csv(3000, { delimiter: ';' }),
      'tab.tsv': csv(3000, { delimiter: '\t' }),
    };
    for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
    assert.equal(cli(['score', 'model.json', 'semi.csv', '--keep', 'Converted']).stdout, expected);
    assert.equal(cli(['score', 'model.json', 'tab.tsv', '--keep', 'Converted', '--delimiter', 'tab']).stdout, expected);
    // Windows-1252: ã and ö as single bytes; read with --encoding, the same as the UTF-8 file.
    writeFileSync(join(dir, 'latin.csv'), Buffer.from(text, 'latin1'));
    const latin = cli(['score', 'model.json', 'latin.csv', '--keep', 'City', '--encoding', 'windows-1252']);
    assert.equal(latin.status, 0, latin.stderr);
    assert.equal(latin.stdout, inMemory(text, { keep: ['City'] }));
    const asUtf8 = cli(['score', 'model.json', 'latin.csv']);
    assert.match(asUtf8.stderr, /line \d+: the text is not UTF-8/);
    writeFileSync(join(dir, 'leads.csv.gz'), gzipSync(text));
    assert.equal(cli(['score', 'model.json', 'leads.csv.gz', '--keep', 'Converted']).stdout, expected);
    // A note with a quoted line break in a kept column: the output keeps it quoted.
    const notes = `Prospect ID,Lead Origin,Note\nA,API,"first line\nsecond, line"\nB,Lead Import,plain\n`;
    writeFileSync(join(dir, 'notes.csv'), notes);
    assert.equal(cli(['score', 'model.json', 'notes.csv', '--keep', 'Note']).stdout, scoreCsv(MODEL, notes, { keep: ['Note'] }));
  });

  test('bad rows are skipped and named by line, or fail with --on-error fail', () => {
    const lines = csv(50).trimEnd().split('\n');
    lines[10] = 'L9x,API,3';                    // line 11: too few fields
    lines[20] = 'L19x,"API"x,3,4,Yes,Student,Pune,1'; // line 21: text after a closing quote
    lines.push('L50,"API,3,4,Yes,Student,Pune,1'); // line 52: a quote never closed
    writeFileSync(join(dir, 'bad.csv'), `${lines.join('\n')}\n`);
    const run = cli(['score', 'model.json', 'bad.csv']);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim().split('\n').length, 1 + 48);
    assert.match(run.stderr, /scored 48 of 51 rows .*; 3 bad rows skipped/);
    assert.match(run.stderr, /\n {2}line 11: 3 fields, but the header has 8 columns\n/);
    assert.match(run.stderr, /\n {2}line 21, field 2: text after the closing quote/);
    assert.match(run.stderr, /\n {2}line 52, field 2: a quoted field is never closed/);
    const strict = cli(['score', 'model.json', 'bad.csv', '--on-error', 'fail']);
    assert.equal(strict.status, 1);
    assert.equal(strict.stderr, 'leadscore: score: csv: line 11: 3 fields, but the header has 8 columns\n');
  });

  test('--fields writes the chosen score columns, each as the full output has it', () => {
    const text = csv(5000);
    writeFileSync(join(dir, 'fields.csv'), text);
    const full = inMemory(text);
    const column = (table, name) => table.map((r) => r[table[0].indexOf(name)]);
    // No cell of these rows holds a comma (the breakdown's rules are joined by semicolons).
    const parse = (out) => out.trim().split('\n').map((l) => l.split(','));
    const reference = parse(full);
    for (const fields of ['id,score,stage', 'breakdown,qualified', 'engagement,fit,score']) {
      const run = cli(['score', 'model.json', 'fields.csv', '--fields', fields, '--keep', 'Converted', '--quiet']);
      assert.equal(run.status, 0, run.stderr);
      const lean = parse(run.stdout);
      assert.deepEqual(lean[0], [...fields.split(','), 'Converted']);
      for (const name of lean[0]) assert.deepEqual(column(lean, name), column(reference, name), `${fields}: ${name}`);
    }
    const bad = cli(['score', 'model.json', 'fields.csv', '--fields', 'id,points']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /"points" is not an output column \(one of: id, score, stage, qualified, fit, engagement, breakdown\)/);
    assert.match(cli(['score', 'model.json', 'fields.csv', '--fields', 'id', '--format', 'jsonl']).stderr, /CSV output only/);
  });

  test('standard input to standard output, and JSON Lines in and out', () => {
    const text = csv(2000);
    const piped = cli(['score', 'model.json', '-', '--keep', 'Converted', '--out', '-'], { input: gzipSync(text) });
    assert.equal(piped.status, 0, piped.stderr);
    assert.equal(piped.stdout, inMemory(text));
    const jsonl = cli(['score', 'model.json', '-', '--format', 'jsonl', '--keep', 'Converted'], { input: text });
    const records = jsonl.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const rows = inMemory(text).trim().split('\n').slice(1).map((l) => l.split(','));
    assert.equal(records.length, 2000);
    for (const [i, r] of records.entries()) {
      assert.equal(r.id, rows[i][0]);
      assert.equal(r.score, Number(rows[i][1]));
      assert.equal(r.stage, rows[i][2]);
      assert.equal(Object.values(r.breakdown).reduce((a, b) => a + b, 0), r.score);
    }
    // JSON Lines input (by extension): numbers and texts as the CSV cells would be.
    const objects = Array.from({ length: 500 }, (_, i) => Object.fromEntries(HEADER.map((h, k) => [h, k === 2 && row(i)[2] !== '' ? Number(row(i)[2]) : row(i)[k]])));
    writeFileSync(join(dir, 'leads.jsonl'), `${objects.map((o) => JSON.stringify(o)).join('\n')}\n{broken\n`);
    const fromJsonl = cli(['score', 'model.json', 'leads.jsonl', '--keep', 'Converted']);
    assert.equal(fromJsonl.stdout, inMemory(csv(500)));
    assert.match(fromJsonl.stderr, /1 bad row skipped\n {2}line 501: not a JSON object/);
  });

  test('a progress line on a terminal only', () => {
    writeFileSync(join(dir, 'progress.csv'), csv(500000));
    // util-linux `script` gives the CLI a pseudo-terminal as standard error.
    const command = `"${process.execPath}" "${bin}" score model.json progress.csv --out scored-progress.csv`;
    const tty = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: dir, encoding: 'utf8' });
    assert.equal(tty.status, 0, tty.stderr);
    assert.match(tty.stdout, /\r[\d,]+ rows, [\d,]+ rows\/s, \d+\.\d %, \d+ s left/);
    assert.match(tty.stdout, /leadscore: scored 500,000 of 500,000 rows/);
    const quiet = spawnSync('script', ['-qec', `${command} --quiet`, '/dev/null'], { cwd: dir, encoding: 'utf8' });
    assert.equal(quiet.stdout, '');
    const piped = cli(['score', 'model.json', 'progress.csv', '--out', 'scored-progress.csv']);
    assert.doesNotMatch(piped.stderr, /\r/);
  });

  test('compare: AUC with intervals, top decile, stages side by side and the leads that change stage', () => {
    const text = csv(6000);
    writeFileSync(join(dir, 'outcomes.csv'), text);
    // The challenger drops the points for visits: a worse ranking of these leads, whose outcome is random.
    const challenger = { ...MODEL, name: 'challenger', rules: MODEL.rules.filter((r) => r.id !== 'visits') };
    writeFileSync(join(dir, 'challenger.json'), JSON.stringify(challenger));
    const run = cli(['compare', 'model.json', 'challenger.json', 'outcomes.csv', '--label', 'Converted', '--json', '--changes', 'changes.csv']);
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.scored, 6000);
    assert.deepEqual(report.models.map((m) => m.name), ['crm', 'challenger']);
    for (const m of report.models) {
      assert.ok(m.auc_ci95[0] < m.auc && m.auc < m.auc_ci95[1], JSON.stringify(m.auc_ci95));
      assert.equal(m.stages.reduce((a, s) => a + s.leads, 0), 6000);
    }
    // The difference is measured on the same leads: its interval is narrower than the sum of both.
    const width = (ci) => ci[1] - ci[0];
    assert.ok(width(report.auc_difference.ci95) < width(report.models[0].auc_ci95) + width(report.models[1].auc_ci95));
    const listed = readFileSync(join(dir, 'changes.csv'), 'utf8').trim().split('\n');
    assert.equal(listed[0], 'id,stage_a,stage_b,score_a,score_b,Converted');
    assert.equal(listed.length - 1, report.changed_stage);
    assert.equal(report.changes.reduce((a, c) => a + c.leads, 0), report.changed_stage);
    assert.ok(report.changes.every((c) => c.from !== c.to));
    const text_ = cli(['compare', 'model.json', 'challenger.json', 'outcomes.csv', '--label', 'Converted']);
    assert.match(text_.stdout, /ROC AUC \[95 % CI\]\s+0\.\d{3} \[0\.\d{3}, 0\.\d{3}\]/);
    assert.match(text_.stdout, /AUC B - A: [-+]0\.\d{3} \[/);
    assert.match(text_.stdout, /leads change stage/);
    const missing = cli(['compare', 'model.json', 'challenger.json', 'outcomes.csv', '--label', 'Nope']);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /no column "Nope"/);
  });

  test('the examples of docs/calibrate.md run', () => {
    const docs = readFileSync(join(root, 'docs', 'calibrate.md'), 'utf8');
    const section = docs.slice(docs.indexOf('## Files of any size'));
    const block = /```sh\n([\s\S]*?)```/.exec(section)[1];
    const commands = block.trim().split('\n');
    assert.ok(commands.length >= 5);
    const work = join(dir, 'docs');
    mkdirSync(join(work, 'bin'), { recursive: true });
    writeFileSync(join(work, 'bin', 'leadscore'), `#!/bin/sh\nexec "${process.execPath}" "${bin}" "$@"\n`);
    chmodSync(join(work, 'bin', 'leadscore'), 0o755);
    const text = csv(1000);
    writeFileSync(join(work, 'model.json'), JSON.stringify(MODEL));
    writeFileSync(join(work, 'challenger.json'), JSON.stringify({ ...MODEL, rules: MODEL.rules.slice(1) }));
    writeFileSync(join(work, 'leads.csv'), text);
    writeFileSync(join(work, 'leads.csv.gz'), gzipSync(text));
    writeFileSync(join(work, 'excel-export.csv'), Buffer.from(csv(1000, { delimiter: ';', eol: '\r\n' }), 'latin1'));
    const objects = Array.from({ length: 100 }, (_, i) => Object.fromEntries(HEADER.map((h, k) => [h, row(i)[k]])));
    writeFileSync(join(work, 'leads.jsonl'), objects.map((o) => `${JSON.stringify(o)}\n`).join(''));
    const campaigns = ['spring-webinar', 'brand', 'retargeting', ''];
    // The visitor state the tag's leadscore_state form field carries: the first campaign at its first
    // page view, the last two hours later; a referral from news.example where the CRM has none.
    const state = (first, last) => {
      const visits = [[first, 0], [last, 7200]];
      const json = JSON.stringify({
        v: 1, first: 1.8e12, last: 7200,
        campaigns: visits.filter(([c]) => c).map(([c, at]) => [`google|cpc|${c}`, 1, -1, [at]]),
        referrers: visits.filter(([c]) => !c).map(([, at]) => ['news.example', 1, -1, [at]]),
      });
      return `"${json.replaceAll('"', '""')}"`;
    };
    const crm = [`${line(HEADER)},First Campaign,Last Campaign,leadscore_state`];
    for (let i = 0; i < 1000; i++) {
      const [first, last] = [campaigns[i % 4], campaigns[(i + 1) % 4]];
      crm.push(`${line(row(i))},${first},${last},${state(first, last)}`);
    }
    writeFileSync(join(work, 'crm.csv'), `${crm.join('\n')}\n`);
    writeFileSync(join(work, 'costs.csv'), 'campaign,cost\nspring-webinar,1200\nbrand,800\nretargeting,"1,500"\n');
    const env = { ...process.env, PATH: `${join(work, 'bin')}:${process.env.PATH}` };
    for (const command of commands) {
      const run = spawnSync('bash', ['-c', command], { cwd: work, env, encoding: 'utf8' });
      assert.equal(run.status, 0, `${command}: ${run.stderr}`);
    }
    assert.equal(readFileSync(join(work, 'piped.csv'), 'utf8'), inMemory(text, { keep: [] }));
    assert.equal(gunzipSync(readFileSync(join(work, 'from-jsonl.csv.gz'))).toString().split('\n').length, 102);
    assert.equal(readFileSync(join(work, 'scores.jsonl'), 'utf8').trim().split('\n').length, 1000);
    const full = inMemory(text).trim().split('\n').map((l) => l.split(','));
    assert.equal(readFileSync(join(work, 'lean.csv'), 'utf8'), `${full.map((r) => [r[0], r[1], r[2], r.at(-1)].join(',')).join('\n')}\n`);
    const credited = (command) => JSON.parse(spawnSync('bash', ['-c', `${command} --json`], { cwd: work, env, encoding: 'utf8' }).stdout).campaigns;
    const credit = credited(commands.at(-1));
    assert.deepEqual(credit.map((c) => c.by), ['First Campaign', 'Last Campaign']);
    const touches = credited(commands.at(-2));
    assert.deepEqual(touches.map((c) => c.by), ['first touch (leadscore_state)', 'last touch (leadscore_state)']);
    // The visitor states credit each lead as the CRM's columns do (a referral where they have none).
    for (const [i, table] of touches.entries()) {
      const named = (c) => (c.campaign === 'referral: news.example' ? { ...c, campaign: '(none)' } : c);
      const byName = (a, b) => a.campaign.localeCompare(b.campaign);
      assert.deepEqual(table.campaigns.map(named).sort(byName), [...credit[i].campaigns].sort(byName));
    }
    for (const table of [...credit, ...touches]) {
      assert.equal(table.campaigns.reduce((a, c) => a + c.leads, 0), 1000);
      const spring = table.campaigns.find((c) => c.campaign === 'spring-webinar');
      assert.equal(spring.leads, 250);
      assert.equal(spring.cost, 1200);
      assert.equal(spring.cost_per_qualified_lead, 1200 / spring.qualified);
    }
  });

  test(`a ${BIG_MB} MB export streams in bounded memory with every row scored as in memory`, { timeout: 240_000 }, async () => {
    // Blocks of rows that repeat with new ids: each output row must equal its block row's in-memory score.
    const BLOCK = 5000;
    const blockText = csv(BLOCK);
    const blockLines = blockText.trimEnd().split('\n').slice(1).map((l) => l.slice(l.indexOf(',')));
    const expected = inMemory(blockText).trimEnd().split('\n').slice(1).map((l) => l.slice(l.indexOf(',')));
    const big = join(dir, 'big.csv');
    const file = createWriteStream(big);
    file.write(`${line(HEADER)}\n`);
    let rows = 0;
    while (file.bytesWritten + file.writableLength < BIG_MB * 1e6) {
      const parts = [];
      for (let i = 0; i < BLOCK; i++) parts.push(`B${rows + i}${blockLines[i]}`);
      rows += BLOCK;
      if (!file.write(`${parts.join('\n')}\n`)) await once(file, 'drain');
    }
    file.end();
    await once(file, 'close');
    const size = statSync(big).size;
    // Peak memory of the CLI process, reported by the process itself at exit.
    const child = spawn(process.execPath, ['--import', 'data:text/javascript,process.on("exit",()=>process.stderr.write(`maxrss=${process.resourceUsage().maxRSS}\\n`))',
      bin, 'score', join(dir, 'model.json'), big, '--keep', 'Converted'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    let n = 0;
    let mismatches = 0;
    const reader = createInterface({ input: child.stdout, crlfDelay: Infinity });
    for await (const out of reader) {
      if (n > 0) {
        const rest = out.slice(out.indexOf(','));
        if (out.slice(0, out.indexOf(',')) !== `B${n - 1}` || rest !== expected[(n - 1) % BLOCK]) mismatches++;
      }
      n++;
    }
    const [code] = await once(child, 'close');
    assert.equal(code, 0, stderr);
    assert.equal(n - 1, rows);
    assert.equal(mismatches, 0);
    const maxRss = Number(/maxrss=(\d+)/.exec(stderr)[1]) * 1024;
    process.stdout.write(`# ${(size / 1e6).toFixed(0)} MB, ${rows} rows: ${stderr.split('\n')[0]}; peak RSS ${(maxRss / 1e6).toFixed(0)} MB\n`);
    assert.ok(maxRss < 300e6, `peak RSS ${maxRss} bytes for a ${size}-byte file`);
    rmSync(big);
  });

  test(`funnel streams a ${BIG_MB / 2} MB scored file in bounded memory, counting as the in-memory funnel does`, { timeout: 240_000 }, async () => {
    // A block of scored rows (with campaigns and whole costs, so sums stay exact) repeated: every count is the
    // block's times the repetitions, every rate the block's.
    const BLOCK = 5000;
    const scored = inMemory(csv(BLOCK)).trimEnd().split('\n');
    const campaigns = ['spring-webinar', 'brand', 'Retargeting', ''];
    const header = `${scored[0]},Cost,First Campaign`;
    const block = scored.slice(1).map((l, i) => `${l.slice(l.indexOf(','))},${i % 7},${campaigns[(i * 3 + (i >> 4)) % 4]}`);
    const options = { label: 'Converted', cost: 'Cost', by: ['First Campaign'], costs: 'campaign,cost\nspring-webinar,1200\nbrand,800\n' };
    const one = funnel([header, ...block.map((l, i) => `B${i}${l}`)].join('\n'), options);
    const big = join(dir, 'scored-big.csv');
    writeFileSync(join(dir, 'costs.csv'), options.costs);
    const file = createWriteStream(big);
    file.write(`${header}\n`);
    let copies = 0;
    while (file.bytesWritten + file.writableLength < (BIG_MB / 2) * 1e6) {
      if (!file.write(`${block.map((l, i) => `B${copies * BLOCK + i}${l}`).join('\n')}\n`)) await once(file, 'drain');
      copies++;
    }
    file.end();
    await once(file, 'close');
    const child = spawn(process.execPath, ['--import', 'data:text/javascript,process.on("exit",()=>process.stderr.write(`maxrss=${process.resourceUsage().maxRSS}\\n`))',
      bin, 'funnel', big, '--label', 'Converted', '--cost', 'Cost', '--by', 'First Campaign', '--costs', join(dir, 'costs.csv'), '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const [code] = await once(child, 'close');
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout);
    assert.equal(report.leads, one.leads * copies);
    assert.equal(report.converted, one.converted * copies);
    assert.equal(report.conversion_rate, one.conversion_rate);
    assert.deepEqual(report.stages.map((s) => [s.stage, s.leads, s.conversion_rate, s.cost]),
      one.stages.map((s) => [s.stage, s.leads * copies, s.conversion_rate, s.cost * copies]));
    assert.equal(report.cost.total, one.cost.total * copies);
    assert.equal(report.mql_to_sql_rate, one.mql_to_sql_rate);
    assert.deepEqual(report.campaigns[0].campaigns.map((c) => [c.campaign, c.leads, c.qualified, c.mql, c.sql, c.conversion_rate]),
      one.campaigns[0].campaigns.map((c) => [c.campaign, c.leads * copies, c.qualified * copies, c.mql * copies, c.sql * copies, c.conversion_rate]));
    const maxRss = Number(/maxrss=(\d+)/.exec(stderr)[1]) * 1024;
    process.stdout.write(`# funnel: ${(statSync(big).size / 1e6).toFixed(0)} MB, ${one.leads * copies} rows: ${stderr.split('\n')[0]}; peak RSS ${(maxRss / 1e6).toFixed(0)} MB\n`);
    assert.ok(maxRss < 300e6, `peak RSS ${maxRss} bytes`);
    rmSync(big);
  });
});
