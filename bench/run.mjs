#!/usr/bin/env node
// `npm run bench`: the reference workload of ../shared/bench (20 rules, generated leads) scored by
// leadscore (WASM from JS one lead at a time, WASM batch, the general engine, native Rust) and, in
// the same run, by the hand-written JavaScript reference, json-rules-engine and GoRules zen-engine
// (through ../shared/bench/peers.mjs, which checks its engines against the reference). Every
// leadscore result is checked against the reference on every lead. Prints a table and, last, one
// line of JSON in leads per second.
// Usage: node bench/run.mjs [N=200000]   (after `npm run build`)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FlatScorer, Model, Scorer, engineVersion } from 'leadscore';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const shared = join(root, '..', 'shared', 'bench');
if (!existsSync(join(shared, 'rules.mjs'))) throw new Error(`reference workload not found in ${shared}`);
const { leads, reference } = await import(pathToFileURL(join(shared, 'rules.mjs')).href);

const N = Number(process.argv[2] ?? 200_000);
const REPEATS = 5;
const doc = JSON.parse(readFileSync(join(root, 'bench', 'reference-model.json'), 'utf8'));
const L = leads(N);
const expected = Float64Array.from(L, reference);

/** Median leads/s of `repeats` timed runs of `run()` over `count` leads. */
function rate(count, run, repeats = REPEATS) {
  const rates = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = process.hrtime.bigint();
    run();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    rates.push((count / ms) * 1000);
  }
  return rates.sort((a, b) => a - b)[Math.floor(repeats / 2)];
}

function check(name, totals, count = N) {
  for (let i = 0; i < count; i++) {
    if (totals[i] !== expected[i]) throw new Error(`${name} disagrees with the reference on lead ${i}: ${totals[i]} != ${expected[i]}`);
  }
}

const results = {};
let sink = 0;

results.plain_js = rate(N, () => { for (const l of L) sink += reference(l); });

const flat = new FlatScorer(doc);
check('leadscore (one at a time)', L.map((l) => flat.score(l)));
results.leadscore_wasm = rate(N, () => { for (const l of L) sink += flat.score(l); });

check('leadscore (batch)', flat.scoreBatch(L));
results.leadscore_wasm_batch = rate(N, () => { sink += flat.scoreBatch(L)[0]; });

const model = new Model(doc);
const SAMPLE = Math.min(N, 20_000);
check('leadscore (general engine)', L.slice(0, SAMPLE).map((l) => model.scoreLead({ traits: l }).total), SAMPLE);
results.leadscore_general = rate(SAMPLE, () => { for (let i = 0; i < SAMPLE; i++) sink += model.scoreLead({ traits: L[i] }).total; }, 3);

// Native: the same leads, encoded by the same encoder, scored by criterion.
const benchDir = join(root, 'target', 'bench-workload');
mkdirSync(benchDir, { recursive: true });
const width = 2 * flat.fields.length;
const rows = new Float64Array(N * width);
for (let i = 0; i < N; i++) {
  if (!flat.encode(L[i], 0)) throw new Error(`lead ${i} needs the general path`);
  rows.set(flat.input.subarray(0, width), i * width);
}
writeFileSync(join(benchDir, 'leads.f64'), Buffer.from(rows.buffer));
writeFileSync(join(benchDir, 'expected.f64'), Buffer.from(expected.buffer));
writeFileSync(join(benchDir, 'model.json'), JSON.stringify(doc));
const criterion = execFileSync('cargo', ['bench', '--bench', 'scoring', '--', '--output-format', 'bencher'], {
  cwd: root, encoding: 'utf8', env: { ...process.env, LEADSCORE_BENCH_DIR: benchDir }, stdio: ['ignore', 'pipe', 'inherit'],
});
const nsPerIter = Number(criterion.match(/native-flat\s+\.\.\.\s+bench:\s+([\d,]+) ns\/iter/)?.[1].replaceAll(',', ''));
if (!nsPerIter) throw new Error(`no criterion result in:\n${criterion}`);
results.leadscore_native = N / (nsPerIter / 1e9);

// Peers, in this same run, on the same leads (the script checks them against the reference).
const peers = execFileSync('node', [join(shared, 'peers.mjs'), String(N)], { cwd: root, encoding: 'utf8' });
const peer = (name) => Number(peers.match(new RegExp(`${name}\\s+(\\d+) leads/s`))?.[1]);
results.json_rules_engine = peer('jsonRulesEngine');
results.zen_engine = peer('zenEngine');
results.plain_js_in_peers_script = peer('plainJs');

// Visitor path: one event ingested and the visitor rescored, by `track` (the summary: numbers, stage,
// qualification) and by `ingest` + `score` (the full card); median of REPEATS runs of EVENTS events each,
// every summary checked against the card. State size after 1,000 events.
const textbook = JSON.parse(readFileSync(join(root, 'www', 'models', 'textbook.json'), 'utf8'));
const t0 = Date.UTC(2026, 10, 1);
const EVENTS = 20_000;
const paths = ['/', '/pricing', '/features', '/blog/a', '/docs/b', '/webinar'];
/** Median µs per event of `step(visitor, event, now)` over a fresh visitor per run, after one run of
 * warm-up (V8 first runs WASM and JS in baseline tiers, then optimizes what is hot). */
function perEvent(step) {
  const runs = [];
  for (let r = -1; r < REPEATS; r++) {
    const visitor = new Scorer(textbook);
    const started = process.hrtime.bigint();
    for (let i = 0; i < EVENTS; i++) {
      const ts = t0 + i * 1000;
      sink += step(visitor, { type: 'page_view', ts, path: paths[i % paths.length] }, ts);
    }
    if (r >= 0) runs.push(Number(process.hrtime.bigint() - started) / 1e3 / EVENTS);
    visitor.free();
  }
  return runs.sort((a, b) => a - b)[Math.floor(REPEATS / 2)];
}
const checked = new Scorer(textbook);
for (let i = 0; i < 2000; i++) {
  const ts = t0 + i * 1000;
  const { total, fit, engagement, stage, qualified } = checked.track({ type: 'page_view', ts, path: paths[i % paths.length] }, ts);
  const card = checked.score(ts);
  if (total !== card.total || fit !== card.fit || engagement !== card.engagement || stage !== card.stage || qualified !== card.qualified) {
    throw new Error(`track disagrees with score after event ${i}`);
  }
}
const trackUs = perEvent((visitor, event, now) => visitor.track(event, now).total);
const ingestAndScoreUs = perEvent((visitor, event, now) => { visitor.ingest(event); return visitor.score(now).total; });
const fresh = new Scorer(textbook);
for (let i = 0; i < 1000; i++) {
  const ts = t0 + i * 97_000;
  const kind = i % 4;
  fresh.ingest(kind === 0 ? { type: 'page_view', ts, path: paths[i % paths.length], id: `e${i}` }
    : kind === 1 ? { type: 'engaged', ts, path: paths[i % paths.length], seconds: 12 }
    : kind === 2 ? { type: 'click', ts, name: `cta-${i % 4}` } : { type: 'scroll', ts, path: paths[i % paths.length], depth: 60 });
}
const stateBytes = JSON.stringify(fresh.exportState()).length;

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const rows_ = [
  ['leadscore WASM, one lead at a time (FlatScorer.score)', results.leadscore_wasm],
  ['leadscore WASM, batch (FlatScorer.scoreBatch)', results.leadscore_wasm_batch],
  ['leadscore native Rust (criterion)', results.leadscore_native],
  ['leadscore WASM, general engine (Model.scoreLead, full card)', results.leadscore_general],
  ['hand-written JavaScript reference', results.plain_js],
  ['json-rules-engine', results.json_rules_engine],
  ['@gorules/zen-engine', results.zen_engine],
];
console.log(`\nleadscore ${engineVersion()}, Node ${process.version}, ${N.toLocaleString('en-US')} leads, median of ${REPEATS} runs; every leadscore total checked against the reference\n`);
console.log('| engine | leads/s | vs hand-written JS |');
console.log('|---|---:|---:|');
for (const [name, r] of rows_) console.log(`| ${name} | ${fmt(r)} | ${(r / results.plain_js).toFixed(2)}× |`);
console.log(`\nWASM one-at-a-time vs json-rules-engine: ${(results.leadscore_wasm / results.json_rules_engine).toFixed(0)}×, vs zen-engine: ${(results.leadscore_wasm / results.zen_engine).toFixed(0)}×`);
console.log(`ingest one event + rescore (Scorer.track, summary): ${trackUs.toFixed(2)} µs`);
console.log(`ingest one event + rescore (Scorer.ingest + score, full card): ${ingestAndScoreUs.toFixed(2)} µs`);
console.log(`visitor state after 1,000 events: ${stateBytes} bytes of JSON`);
if (sink === 0.5) console.log(''); // keep the work observable
console.log(JSON.stringify({
  leadscore_wasm: Math.round(results.leadscore_wasm),
  leadscore_native: Math.round(results.leadscore_native),
  json_rules_engine: Math.round(results.json_rules_engine),
  zen_engine: Math.round(results.zen_engine),
  plain_js: Math.round(results.plain_js),
})); // exactly the keys issue 6 asks for, all in leads per second; the µs figures are in the lines above
