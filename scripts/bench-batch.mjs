// Batch scoring end to end (issue 19): `leadscore score` on a generated CSV export for the 20-rule reference
// model (bench/reference-model.json, trait rules only: the fast path), read from disk, parsed, scored and the
// scored CSV written to disk; rows/s and the CLI's peak resident memory, beside the pure scorer's rate on the
// same leads (FlatScorer.scoreBatch on objects already in memory: what parsing and writing cost). Twice: the
// default output (all score columns, the breakdown too) and `--fields id,score,stage`, each on the default two
// threads (the main thread and a worker) and on one (`--workers 1`).
// Reproduce: npm run build && node scripts/bench-batch.mjs [rows] (default 2,000,000; BENCH_RUNS=3).
// Load average before and after: other work on the machine slows the wall clock, not the CPU time.
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const rows = Number(process.argv[2] ?? 2_000_000);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const modelPath = join(root, 'bench', 'reference-model.json');
const bin = join(root, 'pkg', 'bin', 'leadscore.mjs');
const FIELDS = ['id', 'whitepaperDownloads', 'pricingViews', 'webinarRegistered', 'companySize', 'jobTitle', 'freeEmailDomain', 'revenue',
  'daysSinceLastActivity', 'visits', 'contactFormSubmitted', 'emailClicks', 'productPageSeconds', 'pricingSeconds', 'socialEngaged',
  'country', 'industry', 'budget', 'authority', 'timelineDays'];
const TITLES = ['Head of Sales', 'Sales Manager', 'Engineer', 'Director', 'VP', 'Student', 'Intern', 'Analyst'];
const COUNTRIES = ['VN', 'US', 'SG', 'DE', 'FR', 'IN'];
const INDUSTRIES = ['saas', 'fintech', 'retail', 'health'];

/** Lead i as an object of the model's fields (deterministic). */
function lead(i) {
  let h = (i * 2654435761) >>> 0;
  const next = (n) => { h = (h * 1103515245 + 12345) >>> 0; return (h >>> 8) % n; };
  return {
    id: `L${i}`, whitepaperDownloads: next(4), pricingViews: next(5), webinarRegistered: next(2) === 1, companySize: next(600),
    jobTitle: TITLES[next(TITLES.length)], freeEmailDomain: next(3) === 0, revenue: next(5_000_000), daysSinceLastActivity: next(200),
    visits: next(12), contactFormSubmitted: next(4) === 0, emailClicks: next(6), productPageSeconds: next(400), pricingSeconds: next(200),
    socialEngaged: next(2) === 1, country: COUNTRIES[next(COUNTRIES.length)], industry: INDUSTRIES[next(INDUSTRIES.length)],
    budget: next(50_000), authority: next(3) === 0 ? 'decision-maker' : 'influencer', timelineDays: next(365),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'leadscore-bench-batch-'));
try {
  const input = join(dir, 'leads.csv');
  const file = createWriteStream(input);
  file.write(`${FIELDS.join(',')}\n`);
  for (let start = 0; start < rows; start += 10_000) {
    const lines = [];
    for (let i = start; i < Math.min(rows, start + 10_000); i++) lines.push(FIELDS.map((f) => String(lead(i)[f])).join(','));
    if (!file.write(`${lines.join('\n')}\n`)) await once(file, 'drain');
  }
  file.end();
  await once(file, 'close');
  const bytes = statSync(input).size;

  // The CLI reports its own peak memory and CPU time at exit: CPU time is what the rate is on a machine
  // whose cores are shared with other work (the wall clock then counts the waiting too).
  const hook = 'data:text/javascript,process.on("exit",()=>{const u=process.resourceUsage();process.stderr.write(`maxrss=${u.maxRSS} cpu=${u.userCPUTime+u.systemCPUTime}\\n`)})';
  const loadBefore = loadavg()[0];
  /** `score` with `extra` arguments, `runs` times: the median and best wall clock, the best CPU time, the peak RSS. */
  const measure = (extra) => {
    const results = [];
    for (let run = 0; run < runs; run++) {
      const output = join(dir, 'scored.csv');
      const started = process.hrtime.bigint();
      const child = spawnSync(process.execPath, ['--import', hook, bin, 'score', modelPath, input, '--out', output, '--quiet', ...extra], { encoding: 'utf8' });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (child.status !== 0) throw new Error(child.stderr);
      const [, rss, cpu] = /maxrss=(\d+) cpu=(\d+)/.exec(child.stderr);
      results.push({ seconds, rss: Number(rss) * 1024, cpu: Number(cpu) / 1e6, out: statSync(output).size });
      rmSync(output);
    }
    results.sort((a, b) => a.seconds - b.seconds);
    const median = results[Math.floor(results.length / 2)];
    return {
      output_mb: +(median.out / 1e6).toFixed(1), seconds: +median.seconds.toFixed(2),
      end_to_end_rows_per_s: Math.round(rows / median.seconds), best_rows_per_s: Math.round(rows / results[0].seconds),
      rows_per_cpu_second: Math.round(rows / Math.min(...results.map((r) => r.cpu))),
      peak_rss_mb: +(Math.max(...results.map((r) => r.rss)) / 1e6).toFixed(0),
    };
  };
  // The default output (every score column, the breakdown included), then only id, score and stage; each on
  // the default two threads and on one (`--workers 1`).
  const full = measure([]);
  const lean = measure(['--fields', 'id,score,stage']);
  const fullOneThread = measure(['--workers', '1']);
  const leanOneThread = measure(['--fields', 'id,score,stage', '--workers', '1']);

  // The pure scorer on the same leads, already objects in memory (totals only).
  const { FlatScorer } = await import(join(root, 'pkg', 'node.js'));
  const scorer = new FlatScorer(JSON.parse(readFileSync(modelPath, 'utf8')));
  const sample = Array.from({ length: 200_000 }, (_, i) => lead(i));
  scorer.scoreBatch(sample);
  const pure = [];
  for (let run = 0; run < 5; run++) {
    const t = process.hrtime.bigint();
    scorer.scoreBatch(sample);
    pure.push(sample.length / (Number(process.hrtime.bigint() - t) / 1e9));
  }
  pure.sort((a, b) => a - b);

  const figures = {
    rows, input_mb: +(bytes / 1e6).toFixed(1), full, lean_id_score_stage: lean, full_one_thread: fullOneThread, lean_one_thread: leanOneThread,
    pure_scorer_leads_per_s: Math.round(pure[2]), runs, load_average: [+loadBefore.toFixed(1), +loadavg()[0].toFixed(1)], node: process.version,
  };
  console.log(JSON.stringify(figures));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
