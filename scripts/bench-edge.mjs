#!/usr/bin/env node
// Edge benchmark (not a test): `npm run bench:edge` after `npm run build`.
//   1. CPU time per qualification in Node (qualify() called directly, Request built in the loop)
//   2. CPU time per qualification in workerd (process CPU over N requests, minus the same number
//      of requests that skip qualification: what remains is qualify's own cost)
//   3. cold start: wasm compile + instantiate and the whole `import 'leadscore/edge'` in fresh Node
//      processes; workerd start-up to first answer, the example against a worker without the wasm
//   4. load: 10,000 submissions through workerd on loopback, 32 at a time, forwarding the qualified
//      ones to a local receiver: throughput, latency, errors, leads forwarded.
//   5. relay (the tag's leads): CPU per relay in Node (in-process) and in workerd (as in 2, with
//      qualify measured in the same run), and 10,000 tag payloads through workerd, three in four
//      qualifying, each a distinct lead, forwarded as signed webhooks.
// BENCH_ONLY=relay runs only 5; BENCH_ONLY=relay-cpu only the CPU figures of 5 and 2, alternating;
// BENCH_ONLY=relay-loop relay's CPU inside one workerd request (5c), without HTTP.
// Prints a table and one line of JSON at the end. Everything binds 127.0.0.1; every child is stopped.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { NOW, post, root, startReceiver, startWorkerd, stopAll } from '../tests/edge/harness.mjs';
import { buyerEvents, tagPayload } from '../tests/edge/tag-payload.mjs';

const QUALIFY_N = Number(process.env.QUALIFY_N ?? 5000);
const LOAD_N = Number(process.env.LOAD_N ?? 10_000);
const LOAD_CONCURRENCY = 32;
const COLD_RUNS = 7;
const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const fmt = (x, digits = 3) => Number(x.toFixed(digits));

const { default: model } = await import('../examples/model.mjs');
const state = JSON.stringify({
  v: 1, first: 1763769600000, last: 840, visits: ['', 1, -1, [0]],
  pages: [['/', 1, -1, [0]], ['/pricing', 1, -1, [60], 650, 0, 720], ['/webinar', 1, -1, [840]]],
  downloads: [['/files/whitepaper.pdf', 1, -1, [780]]],
});
// Three in four qualify (a business email, a company of 50-349); the fourth is a free email at a company of 5.
const body = (i) => new URLSearchParams(i % 4 ? {
  email: `lead${i}@acme-logistics.com`, company_size: String(50 + (i % 300)), job_title: 'Head of Sales', leadscore_state: state,
} : { email: `lead${i}@gmail.com`, company_size: '5', job_title: 'Student', leadscore_state: state }).toString();

// 1. Node: qualify() in-process.
async function nodeCpu() {
  const { qualify } = await import('leadscore/edge');
  const options = { model, form: 'webinar', now: 1763856000000 };
  const request = (i) => new Request('http://edge.local/forms/webinar', {
    method: 'POST', body: body(i), headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  for (let i = 0; i < 500; i++) await (await qualify(request(-i - 1), options)).arrayBuffer(); // warm-up
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < QUALIFY_N; i++) await (await qualify(request(i), options)).arrayBuffer();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { cpu_ms: (cpu.user + cpu.system) / 1000 / QUALIFY_N, wall_ms: wall / QUALIFY_N };
}

// 3a. Node cold start, in fresh processes.
function nodeCold() {
  const script = `
    import { readFileSync } from 'node:fs';
    import { performance } from 'node:perf_hooks';
    const bytes = readFileSync(new URL('./pkg/core/leadscore_bg.wasm', 'file://${root}'));
    let t = performance.now();
    const module = new WebAssembly.Module(bytes);
    const compile = performance.now() - t;
    t = performance.now();
    const { initSync } = await import('./pkg/core/leadscore.js');
    const glue = performance.now() - t;
    t = performance.now();
    initSync({ module });
    const instantiate = performance.now() - t;
    console.log(JSON.stringify({ compile, glue, instantiate }));`;
  const entry = `
    import { performance } from 'node:perf_hooks';
    const t = performance.now();
    await import('leadscore/edge');
    console.log(JSON.stringify({ import_edge: performance.now() - t }));`;
  const runs = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const a = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' }));
    const b = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', entry], { cwd: root, encoding: 'utf8' }));
    runs.push({ ...a, ...b });
  }
  const m = (k) => fmt(median(runs.map((r) => r[k])), 2);
  return { compile_ms: m('compile'), instantiate_ms: m('instantiate'), glue_ms: m('glue'), import_edge_ms: m('import_edge') };
}

function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15)
}

async function drive(url, n, concurrency, make, ok = (status) => status === 200) {
  let next = 0;
  const latencies = [];
  const errors = [];
  const answers = [];
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const t = performance.now();
      try {
        const answer = await make(url, i);
        latencies.push(performance.now() - t);
        if (!ok(answer.status)) errors.push(`${answer.status} ${JSON.stringify(answer.body).slice(0, 120)}`);
        else answers.push(answer.body);
      } catch (error) {
        errors.push(String(error?.cause?.code ?? error?.message ?? error));
      }
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { seconds: (performance.now() - t0) / 1000, latencies, errors, answers };
}

const submit = (url, i) => post(url, '/forms/webinar', {
  method: 'POST', body: body(i), headers: { 'content-type': 'application/x-www-form-urlencoded' },
});
const health = (url) => post(url, '/health', { method: 'GET' });

// 2. workerd: process CPU over N submissions minus N requests that do not qualify anything.
async function workerdCpu() {
  const w = await startWorkerd({ LEADSCORE_NOW: '1763856000000' });
  const pid = w.child.pid;
  await drive(w.url, 500, 8, (url, i) => submit(url, 1_000_000 + i));
  await drive(w.url, 500, 8, health);
  let t = cpuTicks(pid);
  await drive(w.url, QUALIFY_N, 8, (url, i) => submit(url, 2_000_000 + i));
  const qualifyTicks = cpuTicks(pid) - t;
  t = cpuTicks(pid);
  await drive(w.url, QUALIFY_N, 8, health);
  const baseTicks = cpuTicks(pid) - t;
  await stopAll();
  return {
    gross_cpu_ms: fmt(qualifyTicks * TICK_MS / QUALIFY_N), http_only_cpu_ms: fmt(baseTicks * TICK_MS / QUALIFY_N),
    cpu_ms: fmt((qualifyTicks - baseTicks) * TICK_MS / QUALIFY_N),
  };
}

// 3b. workerd start-up to first answer: the example against a worker without the wasm (21 pairs).
async function workerdCold() {
  const dir = mkdtempSync(join(tmpdir(), 'leadscore-bench-'));
  writeFileSync(join(dir, 'hello.mjs'), 'export default { fetch: () => new Response("ok") };\n');
  writeFileSync(join(dir, 'config.capnp'), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = (compatibilityDate = "2025-09-01", modules = [ (name = "hello.mjs", esModule = embed "hello.mjs") ])) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);\n`);
  const once = async (config, path) => {
    const t = performance.now();
    const w = await startWorkerd({}, config);
    await (path === '/health' ? health(w.url) : post(w.url, '/', { method: 'GET' }));
    const ms = performance.now() - t;
    await stopAll();
    return ms;
  };
  try {
    // Interleaved, so a burst of load on the shared machine hits both alike; pairwise differences.
    const example = [];
    const bare = [];
    for (let i = 0; i < 3 * COLD_RUNS; i++) {
      example.push(await once('examples/cloudflare-worker/config.capnp', '/health'));
      bare.push(await once(join(dir, 'config.capnp'), '/'));
    }
    const added = median(example.map((e, i) => e - bare[i]));
    return { example_first_answer_ms: fmt(median(example), 1), bare_worker_first_answer_ms: fmt(median(bare), 1), leadscore_added_ms: fmt(added, 1) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// 4. Load: 10,000 submissions through workerd, forwarding to a receiver.
async function load() {
  const receiver = await startReceiver();
  const w = await startWorkerd({ FORWARD_URL: receiver.url('/hook'), LEADSCORE_NOW: '1763856000000' });
  try {
    const run = await drive(w.url, LOAD_N, LOAD_CONCURRENCY, (url, i) => submit(url, 3_000_000 + i));
    const qualified = run.answers.filter((a) => a.qualified).length;
    const until = Date.now() + 30_000;
    while (receiver.received.length < qualified && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    const ids = new Set(receiver.received.map((r) => r.body.lead_id));
    return {
      requests: LOAD_N, concurrency: LOAD_CONCURRENCY, seconds: fmt(run.seconds, 2), per_second: Math.round(LOAD_N / run.seconds),
      p50_ms: fmt(pct(run.latencies, 0.5), 2), p99_ms: fmt(pct(run.latencies, 0.99), 2), errors: run.errors.length,
      qualified, forwarded: receiver.received.length, forwarded_unique: ids.size, first_errors: run.errors.slice(0, 3),
    };
  } finally {
    await stopAll();
    await receiver.stop();
  }
}

// 5. The relay: what the tag POSTs, three in four from a visitor who qualifies, each a distinct lead.
const tagLeads = {
  buyer: tagPayload(model, { leadId: 'template-lead', events: buyerEvents(NOW - 600_000), now: NOW }),
  browsing: tagPayload(model, { leadId: 'template-lead', events: [{ type: 'page_view', ts: NOW - 60_000, path: '/' }], now: NOW }),
};
const relayPost = (url, i) => {
  const template = i % 4 ? tagLeads.buyer : tagLeads.browsing;
  const leadId = `bench-lead-${i}`;
  return post(url, '/leads', {
    method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8' },
    body: JSON.stringify({ ...template, lead_id: leadId, idempotency_key: `${leadId}:${template.model}:${template.stage}` }),
  });
};
const accepted = (status) => status === 200 || status === 202;
const RELAY_ENV = { LEADSCORE_NOW: String(NOW), WEBHOOK_SECRET: `whsec_${btoa('bench-relay-secret-0123456789ab')}` };

// 5a. Node: relay() in-process, the Request built in the loop, no destination.
async function relayNodeCpu() {
  const { relay } = await import('leadscore/edge');
  const options = { model, now: NOW };
  const request = (i) => {
    const template = i % 4 ? tagLeads.buyer : tagLeads.browsing;
    const leadId = `node-lead-${i}`;
    return new Request('http://edge.local/leads', {
      method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify({ ...template, lead_id: leadId, idempotency_key: `${leadId}:${template.model}:${template.stage}` }),
    });
  };
  for (let i = 0; i < 500; i++) await (await relay(request(1_000_000 + i), options)).arrayBuffer(); // warm-up
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < QUALIFY_N; i++) await (await relay(request(i), options)).arrayBuffer();
  const cpu = process.cpuUsage(cpu0);
  return fmt((cpu.user + cpu.system) / 1000 / QUALIFY_N);
}

async function relayCpu() {
  const w = await startWorkerd(RELAY_ENV);
  const pid = w.child.pid;
  await drive(w.url, 500, 8, (url, i) => relayPost(url, 1_000_000 + i), accepted);
  await drive(w.url, 500, 8, health);
  let t = cpuTicks(pid);
  await drive(w.url, QUALIFY_N, 8, (url, i) => relayPost(url, 2_000_000 + i), accepted);
  const relayTicks = cpuTicks(pid) - t;
  t = cpuTicks(pid);
  await drive(w.url, QUALIFY_N, 8, health);
  const baseTicks = cpuTicks(pid) - t;
  await stopAll();
  return { gross_cpu_ms: fmt(relayTicks * TICK_MS / QUALIFY_N), cpu_ms: fmt((relayTicks - baseTicks) * TICK_MS / QUALIFY_N) };
}

async function relayLoad() {
  const receiver = await startReceiver();
  // The receiver shares the two cores with workerd and the client: give it 10 s per attempt.
  const w = await startWorkerd({ ...RELAY_ENV, FORWARD_URL: receiver.url('/crm'), FORWARD_TIMEOUT_MS: '10000' });
  try {
    const run = await drive(w.url, LOAD_N, LOAD_CONCURRENCY, (url, i) => relayPost(url, 3_000_000 + i), accepted);
    const qualified = run.answers.filter((a) => a.qualified).length;
    const until = Date.now() + 60_000;
    const distinct = () => new Set(receiver.received.map((r) => r.body.lead_id)).size;
    while (distinct() < qualified && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    // Deliveries that failed after the retry, as the worker reported them (onForwardError).
    const { forward_failures: failures } = (await health(w.url)).body;
    return {
      requests: LOAD_N, concurrency: LOAD_CONCURRENCY, seconds: fmt(run.seconds, 2), per_second: Math.round(LOAD_N / run.seconds),
      p50_ms: fmt(pct(run.latencies, 0.5), 2), p99_ms: fmt(pct(run.latencies, 0.99), 2), errors: run.errors.length,
      qualified, forwarded: receiver.received.length, distinct: distinct(), forward_failures: failures,
      first_errors: run.errors.slice(0, 3),
    };
  } finally {
    await stopAll();
    await receiver.stop();
  }
}

// 5c. relay in a loop inside one workerd request (scripts/bench-relay-worker.mjs): relay's own CPU without
// HTTP, minus building the same Requests; the buyer's payload, alternating with the build-only loop.
async function relayLoopCpu(rounds = Number(process.env.BENCH_ROUNDS ?? 3), n = 4000) {
  const dir = join(root, 'examples', 'cloudflare-worker');
  const config = join(dir, `.bench-relay-loop-${process.pid}.capnp`);
  const main = '(name = "cloudflare-worker/worker.mjs", esModule = embed "worker.mjs"),';
  const source = readFileSync(join(dir, 'config.capnp'), 'utf8');
  if (!source.includes(main)) throw new Error('examples/cloudflare-worker/config.capnp: the worker module line changed');
  writeFileSync(config, source.replace(main, '(name = "loop.mjs", esModule = embed "../../scripts/bench-relay-worker.mjs"),'));
  try {
    const w = await startWorkerd({}, config);
    const loop = async (run, relayToo, count) => {
      const t = cpuTicks(w.child.pid);
      const answer = await post(w.url, `/?n=${count}&now=${NOW}&run=${run}&relay=${relayToo ? 1 : 0}`, { method: 'POST', body: JSON.stringify(tagLeads.buyer) });
      if (answer.status !== 200) throw new Error(`relay loop: ${answer.status} ${JSON.stringify(answer.body)}`);
      return (cpuTicks(w.child.pid) - t) * TICK_MS * 1000 / count;
    };
    await loop('warm', true, 500);
    const results = [];
    for (let i = 0; i < rounds; i++) {
      const relayUs = await loop(`r${i}`, true, n);
      const buildUs = await loop(`b${i}`, false, n);
      results.push({ relay_and_build_us: fmt(relayUs, 1), build_us: fmt(buildUs, 1), relay_us: fmt(relayUs - buildUs, 1) });
    }
    return results;
  } finally {
    await stopAll();
    rmSync(config, { force: true });
  }
}

/** `qualify` measured in the same run as the relay: a reference for how loaded the machine is. */
async function relayBench(qualifyCpu) {
  const nodeCpuMs = await relayNodeCpu();
  const cpu = await relayCpu();
  const reference = qualifyCpu ?? await workerdCpu();
  const loadResult = await relayLoad();
  console.table({
    'relay in Node: CPU per relay, in-process (ms)': nodeCpuMs,
    'relay in workerd: CPU per relay, net (ms)': cpu.cpu_ms,
    'relay in workerd: CPU per request incl. HTTP (ms)': cpu.gross_cpu_ms,
    'same run: qualify in workerd, net (ms)': reference.cpu_ms,
    [`relay load: ${LOAD_N} tag payloads through workerd (req/s)`]: loadResult.per_second,
    'relay load: p50 / p99 latency (ms)': `${loadResult.p50_ms} / ${loadResult.p99_ms}`,
    'relay load: errors': loadResult.errors,
    'relay load: qualified / forwarded / distinct / failed': `${loadResult.qualified} / ${loadResult.forwarded} / ${loadResult.distinct} / ${loadResult.forward_failures}`,
  });
  return { node_cpu_ms: nodeCpuMs, cpu, qualify_cpu_ms: reference.cpu_ms, load: loadResult };
}

try {
  if (process.env.BENCH_ONLY === 'relay-loop') {
    const rounds = await relayLoopCpu();
    console.table(rounds);
    console.log(JSON.stringify({ relay_loop: rounds }));
    process.exit(0);
  }
  if (process.env.BENCH_ONLY === 'relay-cpu') {
    // CPU only, relay and qualify alternating in fresh workerd processes (BENCH_ROUNDS pairs, default 3):
    // on a shared machine, each pair sees about the same load.
    const rounds = [];
    for (let i = 0; i < Number(process.env.BENCH_ROUNDS ?? 3); i++) rounds.push({ relay: await relayCpu(), qualify: await workerdCpu() });
    console.table(rounds.map((r) => ({ 'relay net (ms)': r.relay.cpu_ms, 'relay gross (ms)': r.relay.gross_cpu_ms, 'qualify net (ms)': r.qualify.cpu_ms })));
    console.log(JSON.stringify({ relay_cpu: rounds }));
    process.exit(0);
  }
  if (process.env.BENCH_ONLY === 'relay') {
    console.log(JSON.stringify({ relay: await relayBench() }));
    process.exit(0);
  }
  const node = await nodeCpu();
  const coldNode = nodeCold();
  const workerd = await workerdCpu();
  const coldWorkerd = await workerdCold();
  const loadResult = await load();
  const versions = {
    node: process.version,
    workerd: execFileSync(join(root, 'node_modules/.bin/workerd'), ['--version'], { encoding: 'utf8' }).trim(),
    wasm_bytes: readFileSync(join(root, 'pkg/core/leadscore_bg.wasm')).length,
  };
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}; ${versions.node}; ${versions.workerd}; wasm ${versions.wasm_bytes} bytes`);
  console.table({
    'Node: CPU per qualification (ms)': fmt(node.cpu_ms),
    'Node: wall per qualification (ms)': fmt(node.wall_ms),
    'workerd: CPU per qualification, net (ms)': workerd.cpu_ms,
    'workerd: CPU per request incl. HTTP (ms)': workerd.gross_cpu_ms,
    'workerd: CPU per plain HTTP request (ms)': workerd.http_only_cpu_ms,
    'Node cold: wasm compile (ms)': coldNode.compile_ms,
    'Node cold: wasm instantiate (ms)': coldNode.instantiate_ms,
    'Node cold: import leadscore/edge (ms)': coldNode.import_edge_ms,
    'workerd cold: example, start to first answer (ms)': coldWorkerd.example_first_answer_ms,
    'workerd cold: bare worker, start to first answer (ms)': coldWorkerd.bare_worker_first_answer_ms,
    'workerd cold: added by leadscore (ms)': coldWorkerd.leadscore_added_ms,
    [`load: ${LOAD_N} requests through workerd (req/s)`]: loadResult.per_second,
    'load: p50 / p99 latency (ms)': `${loadResult.p50_ms} / ${loadResult.p99_ms}`,
    'load: errors': loadResult.errors,
    'load: qualified / forwarded / unique': `${loadResult.qualified} / ${loadResult.forwarded} / ${loadResult.forwarded_unique}`,
  });
  const relayResult = await relayBench(workerd);
  console.log(JSON.stringify({ node, workerd, cold_node: coldNode, cold_workerd: coldWorkerd, load: loadResult, relay: relayResult, versions }));
} finally {
  await stopAll();
}
