// The `leadscore` CLI as installed (pkg/bin/leadscore.mjs) on generated leads in a temp dir:
// calibrate writes a valid model and prints the report, score writes the scored CSV, funnel reports
// per stage, and bad input exits 1 with a one-line error. Needs the built package (npm run build).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'pkg', 'bin', 'leadscore.mjs');
const built = existsSync(bin);
const skip = built ? false : 'pkg/bin/leadscore.mjs is missing: build the package first (npm run build)';
let dir;

/** Leads whose chance of converting rises with visits and is higher in retail: a signal to find. */
function leadsCsv(rows, seed) {
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const lines = ['Lead Id,Visits,Industry,Newsletter,Cost,Converted'];
  for (let i = 0; i < rows; i++) {
    const visits = Math.floor(random() * 12);
    const industry = ['Retail', 'Banking', 'Health', 'Select'][Math.floor(random() * 4)];
    const newsletter = random() < 0.4 ? 'Yes' : 'No';
    const logit = -2.2 + 0.4 * visits + (industry === 'Retail' ? 1.2 : industry === 'Health' ? -0.8 : 0);
    const converted = random() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
    lines.push(`L${i},${visits},${industry},${newsletter},${(2 + random() * 3).toFixed(2)},${converted}`);
  }
  return `${lines.join('\n')}\n`;
}

function cli(args, options = {}) {
  return spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', ...options });
}

describe('leadscore CLI', { skip }, () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'leadscore-cli-'));
    writeFileSync(join(dir, 'leads.csv'), leadsCsv(1500, 42));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('--help lists the commands', () => {
    const run = cli(['--help']);
    assert.equal(run.status, 0);
    for (const command of ['calibrate', 'score', 'funnel']) assert.match(run.stdout, new RegExp(`leadscore ${command}`));
  });

  test('calibrate writes a valid model and prints the cross-validated report', async () => {
    const run = cli(['calibrate', 'leads.csv', '--label', 'Converted', '--id', 'Lead Id', '--exclude', 'Cost',
      '--out', 'model.json', '--report', 'report.json', '--mql-top', '25%', '--folds', '4']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /ROC AUC of the score\s+0\.\d{3}/);
    assert.match(run.stdout, /Visits: /);
    const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    const { validateModel } = await import(join(root, 'pkg', 'node.js'));
    assert.deepEqual(validateModel(model), { ok: true, models: ['calibrated'] });
    assert.equal(report.folds, 4);
    assert.ok(report.cross_validation.auc > 0.7, `AUC ${report.cross_validation.auc}`);
    assert.ok(Math.abs(report.model.stages_on_learning_rows.mql.share - 0.25) < 0.05);
    assert.ok(model.rules.every((r) => r.when.trait !== 'Cost' && r.when.trait !== 'Lead Id'));
    assert.ok(model.rules.every((r) => Number.isInteger(r.points)));
    assert.deepEqual(report.sample, { rows: 1500, bad_rows: 0, learned_from: 1500, evaluated_on: 1500 });
  });

  test('calibrate learns from a uniform sample of a larger file, then scores every row', () => {
    const run = cli(['calibrate', 'leads.csv', '--label', 'Converted', '--exclude', 'Cost', '--sample', '600', '--out', 'sampled.json', '--json']);
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.rows, 600);
    assert.equal(report.sample.learned_from, 600);
    assert.equal(report.sample.evaluated_on, 1500);
    const { auc, auc_ci95: [low, high] } = report.sample.evaluation;
    assert.ok(low < auc && auc < high && auc > 0.7, `AUC ${auc} [${low}, ${high}]`);
    const text = cli(['calibrate', 'leads.csv', '--label', 'Converted', '--sample', '600', '--out', 'sampled.json']);
    assert.match(text.stdout, /Learned from a uniform sample of 600 of the file's 1,500 rows; on all 1,500 rows, ROC AUC 0\.\d{3} \[/);
  });

  test('calibrate --interactions: 0 learns an additive card, an out-of-range count is refused', () => {
    const run = cli(['calibrate', 'leads.csv', '--label', 'Converted', '--exclude', 'Cost', '--interactions', '0', '--out', 'additive.json', '--json']);
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.deepEqual(report.points.filter((p) => String(p.column).includes(' × ')), [], 'no interaction rule');
    const model = JSON.parse(readFileSync(join(dir, 'additive.json'), 'utf8'));
    assert.ok(model.rules.every((r) => !r.when.all), 'every rule tests one column');
    const bad = cli(['calibrate', 'leads.csv', '--label', 'Converted', '--interactions', '99', '--out', 'bad.json']);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /interactions/);
  });

  test('score writes id, score, stage, qualified, fit, engagement and breakdown', () => {
    const run = cli(['score', 'model.json', 'leads.csv', '--keep', 'Converted,Cost', '--out', 'scored.csv']);
    assert.equal(run.status, 0, run.stderr);
    const lines = readFileSync(join(dir, 'scored.csv'), 'utf8').trim().split('\n');
    assert.equal(lines[0], 'id,score,stage,qualified,fit,engagement,breakdown,Converted,Cost');
    assert.equal(lines.length, 1501);
    const [id, score, stage, qualified, fit, engagement, breakdown] = lines[1].split(',');
    assert.equal(id, 'L0');
    assert.ok(Number(score) >= 0 && Number(score) <= 100);
    assert.ok(['new', 'warm', 'mql', 'sql'].includes(stage));
    assert.ok(['true', 'false'].includes(qualified));
    assert.equal(Number(fit) + Number(engagement), Number(score));
    // A breakdown of several lines holds ';', so it is quoted.
    const sum = breakdown.replaceAll('"', '').split(';').filter(Boolean).reduce((total, part) => total + Number(part.split(':').pop()), 0);
    assert.equal(sum, Number(score), `breakdown ${breakdown} adds up to the score`);
    // Standard output when --out is absent.
    const stdout = cli(['score', 'model.json', 'leads.csv']);
    assert.equal(stdout.stdout.split('\n')[0], 'id,score,stage,qualified,fit,engagement,breakdown');
  });

  test('funnel reports conversion per stage, MQL to SQL and cost', () => {
    const run = cli(['funnel', 'scored.csv', '--label', 'Converted', '--cost', 'Cost']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /MQL -> SQL rate: \d+\.\d %/);
    assert.match(run.stdout, /per MQL \d+\.\d\d/);
    const json = JSON.parse(cli(['funnel', 'scored.csv', '--label', 'Converted', '--json']).stdout);
    const rates = json.stages.map((s) => s.conversion_rate);
    assert.ok(rates.at(-1) > rates[0], `higher stages convert more: ${rates}`);
  });

  test('bad input exits 1 with a one-line error', () => {
    writeFileSync(join(dir, 'ragged.csv'), 'a,b,Converted\n1,2,1\n1,2\n');
    const cases = [
      [['calibrate', 'leads.csv', '--label', 'Nope'], /no column "Nope" in the CSV header/],
      [['calibrate', 'ragged.csv', '--label', 'Converted', '--on-error', 'fail'], /line 3: 2 fields, but the header has 3 columns/],
      [['calibrate', 'missing.csv', '--label', 'Converted'], /cannot read missing\.csv: no such file/],
      [['calibrate', 'leads.csv'], /needs --label/],
      [['calibrate', 'leads.csv', '--label', 'Converted', '--mql-top', 'lots'], /--mql-top expects a share/],
      [['score', 'leads.csv', 'leads.csv'], /leads\.csv is not JSON/],
      [['funnel', 'scored.csv', '--label', 'Converted', '--cost', 'stage', '--on-error', 'fail'], /line 2: "stage" is "\w+", not a number/],
      [['frobnicate'], /unknown command "frobnicate"/],
      [['calibrate', 'leads.csv', '--label', 'Converted', '--colour', 'red'], /unknown option --colour/],
    ];
    for (const [args, pattern] of cases) {
      const run = cli(args);
      assert.equal(run.status, 1, `${args.join(' ')}: exit ${run.status}`);
      assert.match(run.stderr, pattern, args.join(' '));
      assert.equal(run.stderr.trim().split('\n').length, 1, `one line: ${run.stderr}`);
      assert.match(run.stderr, /^leadscore: /);
    }
  });

  test('the bin is declared in the package manifest', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'pkg', 'package.json'), 'utf8'));
    assert.deepEqual(manifest.bin, { leadscore: './bin/leadscore.mjs' });
    assert.match(execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' }), /^\d+\.\d+\.\d+/);
  });
});
