// Compile-only checks of the calibration types: the learned model is an ordinary document.
import type { ModelDocument } from 'leadscore';
import { calibrate, CompareStream, funnel, FunnelStream, ScoreStream, scoreCsv, type CalibrationReport, type FunnelReport } from 'leadscore/calibrate';

declare const csv: string;
const { model, report } = calibrate(csv, {
  label: 'Converted', id: 'Prospect ID', exclude: ['Notes'], mqlTop: 0.2, minPrecision: 0.7, folds: 5,
  onProgress: ({ step, steps, message }) => void [step / steps, message.length],
});
const doc: ModelDocument = model;
const auc: number = report.cross_validation.auc;
const roc: [number, number][] = report.cross_validation.roc;
const kept: CalibrationReport['columns'][number]['left_out'] = report.columns[0]?.left_out ?? null;
const scored: string = scoreCsv(doc, csv, { id: 'Prospect ID', keep: ['Converted'] });
const stages: FunnelReport['stages'] = funnel(scored, { label: 'Converted', cost: 'Cost' }).stages;
// @ts-expect-error the label is required
calibrate(csv, {});
const credit = funnel(scored, { label: 'Converted', by: ['First Campaign', 'Last Campaign'], costs: 'campaign,cost\nspring,100\n' }).campaigns;
const stream = new ScoreStream(doc, { keep: ['Converted'] }, { delimiter: ';', encoding: 'windows-1252', format: 'jsonl', onError: 'skip' });
const out: Uint8Array = stream.push(new Uint8Array(0));
const bad: number = stream.summary().bad;
const comparison = new CompareStream(doc, doc, { label: 'Converted', listChanges: true });
comparison.push(new Uint8Array(csv.length));
const interval: [number, number] = comparison.report().models[0]!.auc_ci95;
const funnelStream = new FunnelStream({ label: 'Converted', by: ['First Campaign'] }, { onError: 'fail' });
funnelStream.push(new Uint8Array(csv.length));
funnelStream.finish();
const streamedLeads: number = funnelStream.report().leads;
// @ts-expect-error not a format
new ScoreStream(doc, {}, { format: 'xml' });
const lean: Uint8Array = new ScoreStream(doc, { fields: ['id', 'score', 'stage'], keep: ['Converted'] }).finish();
// @ts-expect-error not an output column
new ScoreStream(doc, { fields: ['points'] });
void [auc, roc, kept, stages, credit, out, bad, interval, streamedLeads, lean];
