// Scores a CRM export with one or two models off the page's main thread. Module workers do not see the
// page's import map: the page passes the URL of `leadscore/calibrate` (import.meta.resolve) with the job.
import { parseCsv } from './csv.js';
import { auc, bands, outcome } from './metrics.js';

/** Scores `csv` with `doc` and summarises it: AUC, bands by outcome, the funnel per stage, and each lead's stage. */
function preview(engine, doc, model, csv, { id, label }) {
  const scored = engine.scoreCsv(doc, csv, { id: id || undefined, keep: [label], model });
  const [header, ...rows] = parseCsv(scored, ',');
  const at = (name) => header.indexOf(name);
  const [idAt, scoreAt, stageAt, labelAt] = [at('id'), at('score'), at('stage'), header.length - 1];
  const kept = rows.filter((r) => r.length === header.length && outcome(r[labelAt]) !== undefined);
  const scores = kept.map((r) => Number(r[scoreAt]));
  const outcomes = kept.map((r) => outcome(r[labelAt]));
  const funnel = engine.funnel(scored, { label, stage: 'stage', score: 'score' });
  return {
    leads: kept.length, auc: auc(scores, outcomes), bands: bands(scores, outcomes), funnel,
    stages: Object.fromEntries(kept.map((r) => [r[idAt], r[stageAt]])),
  };
}

self.onmessage = async ({ data }) => {
  try {
    const engine = await import(data.engineUrl);
    const results = data.models.map(({ doc, model }) => preview(engine, doc, model, data.csv, data.options));
    self.postMessage({ results });
  } catch (error) {
    self.postMessage({ error: error.message });
  }
};
