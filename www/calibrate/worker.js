// Calibrates a file of any size off the page's main thread, as `leadscore calibrate` does on the command
// line: the File is read in chunks (never whole), a uniform sample of at most SAMPLE_ROWS rows is drawn in
// one pass, the model is learned from it, and when the file has more rows a second pass scores every row
// with the learned model (AUC with its interval, top decile, stages). Progress is posted all along, so the
// page stays responsive and shows where the work is. Module workers do not see the page's import map: the
// package's browser entry is imported by path.
import { calibrate, CompareStream, SampleStream } from '/pkg/calibrate-web.js';

/** What the CLI learns from by default (`--sample 100000`), with its seed: the same file gives the same model. */
const SAMPLE_ROWS = 100_000;
const SEED = 1;
/** Bytes read from the File per step: few crossings into wasm, little memory. */
const CHUNK_BYTES = 4 * 1024 * 1024;
/** A bad row stops the page with its line (the CLI's --on-error fail): no row is dropped silently. */
const READ = { onError: 'fail' };

const mb = (bytes) => (bytes / 1e6).toFixed(1);

/** Pushes the whole file through `stream` in chunks, posting progress as `what` goes. */
async function pass(file, stream, what) {
  for (let at = 0; at < file.size; at += CHUNK_BYTES) {
    const chunk = new Uint8Array(await file.slice(at, at + CHUNK_BYTES).arrayBuffer());
    stream.push(chunk);
    const done = Math.min(file.size, at + CHUNK_BYTES);
    self.postMessage({ progress: { step: done, steps: file.size, message: `${what}: ${mb(done)} of ${mb(file.size)} MB` } });
  }
  stream.finish();
}

async function learn(file, options) {
  const sampler = new SampleStream(SAMPLE_ROWS, SEED, READ);
  await pass(file, sampler, 'reading the leads');
  const counts = sampler.summary();
  const onProgress = (progress) => self.postMessage({ progress });
  const { model, report } = calibrate(sampler.text(), { ...options, onProgress });
  sampler.free();
  report.sample = { rows: counts.rows, bad_rows: counts.bad, learned_from: counts.sampled, evaluated_on: counts.sampled };
  if (counts.sampled < counts.rows - counts.bad) {
    const evaluation = new CompareStream(model, model, { label: options.label }, READ);
    await pass(file, evaluation, `scoring all ${counts.rows.toLocaleString('en-US')} leads with the model`);
    const all = evaluation.report();
    evaluation.free();
    const [scored] = all.models;
    report.sample.evaluated_on = all.scored;
    report.sample.evaluation = { auc: scored.auc, auc_ci95: scored.auc_ci95, top_decile: scored.top_decile, stages: scored.stages };
  }
  return { model, report };
}

self.onmessage = async ({ data: { file, options } }) => {
  try {
    self.postMessage({ result: await learn(file, options) });
  } catch (error) {
    self.postMessage({ error: error.message });
  }
};
self.postMessage({ ready: true });
