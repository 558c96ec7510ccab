// Types of `leadscore/calibrate` (docs/calibrate.md): a separate entry with its own, larger wasm.
import type { ModelDefinition, ModelDocument, ScoreKind } from './index.js';
export { validateModel, engineVersion } from './index.js';

// ---------------------------------------------------------------- calibration (docs/calibrate.md)

export interface CalibrateOptions {
  /** The outcome column: 1/0, yes/no or true/false. */
  label: string;
  /** The lead id column (never learned from). */
  id?: string;
  /** Columns not to learn from. */
  exclude?: string[];
  /** Columns that are behaviour (engagement) / traits (fit), overriding what their names suggest. */
  behaviour?: string[];
  fit?: string[];
  /** MQL = the top share of leads (default 0.2), or the lowest score whose leads convert at least this often. */
  mqlTop?: number;
  mqlPrecision?: number;
  /** SQL = the lowest score above MQL whose leads convert at least this often, or the top share (default: a quarter of the MQL share). */
  minPrecision?: number;
  sqlTop?: number;
  /** Cross-validation folds, 2..20 (default 5). */
  folds?: number;
  /** Most bins per numeric column (default 40). */
  bins?: number;
  /** Answers seen on fewer rows get no rule of their own (default 10). */
  minLevelRows?: number;
  /** Ridge penalty (default 2). */
  regularization?: number;
  /** Penalty pulling neighbouring bins of a numeric column together (default 5). */
  smoothing?: number;
  seed?: number;
  /** Most pairwise interactions learned, each one rule (`all` of two conditions); 0 = additive only (default 5). */
  interactions?: number;
  /** A column of deal amounts (empty = none): learns the model's value tiers; never learned from. */
  value?: string;
  /** With value: a column whose answers set the expected amount (e.g. the product line). */
  valueBy?: string;
  /** Cells meaning "no answer" besides empty ones (default: select, n/a, na, null, nan, -, --, ?, (blank)). */
  missing?: string[];
  /** The model's name (default "calibrated"). */
  name?: string;
  /** Called between steps (cross-validation folds), e.g. to post progress from a worker. */
  onProgress?: (progress: { step: number; steps: number; message: string }) => void;
}

export interface RateAt { precision: number; recall: number; share: number }

export interface CalibrationReport {
  label: string;
  rows: number;
  converted: number;
  conversion_rate: number;
  folds: number;
  /** Every held-out lead scored by the engine with the model learned on the other folds. */
  cross_validation: {
    method: string;
    /** ROC AUC of the integer scores over all held-out leads (ties count half). */
    auc: number;
    auc_mean_of_folds: number;
    auc_by_fold: number[];
    lift: { top: number; conversion_rate: number; lift: number; recall: number }[];
    /** Leads at MQL or above, and at SQL. */
    mql: RateAt;
    sql: RateAt;
    stages: { stage: string; leads: number; converted: number; conversion_rate: number }[];
    score_bands: { from: number; to: number; leads: number; converted: number }[];
    ties: { distinct_scores: number; at_0: number; at_100: number };
    /** With options.value: the value tiers on held-out leads (share of the value they brought per tier). */
    value?: {
      top_tier_value_share: number;
      expected_value_auc: number;
      tiers: { tier: string; leads: number; share: number; conversion_rate: number; value_share: number }[];
    };
    /** [false positive rate, true positive rate] from (0,0) to (1,1). */
    roc: [number, number][];
  };
  model: {
    rules: number;
    columns_used: number;
    points_per_log_odds: number;
    stages_on_learning_rows: Record<'warm' | 'mql' | 'sql', ({ min: number } & RateAt) | null>;
  };
  points: { rule: string; label: string; column: string; score: ScoreKind; points: number }[];
  columns: {
    name: string; type: 'numeric' | 'categorical' | 'yes/no'; role: ScoreKind; role_from: 'name' | 'option';
    missing: number; answers: number; rules: number; points_range: number;
    /** Why the column is not in the model (no significant link, too rare answers, ...), or null. */
    left_out: string | null;
  }[];
  skipped: { name: string; reason: string }[];
  notes: string[];
}

/** Learns a points model from a CSV of past leads. @throws {LeadscoreError} naming the row or column. */
export function calibrate(csvText: string, options: CalibrateOptions): { model: ModelDefinition; report: CalibrationReport };

export interface ScoreCsvOptions {
  /** The id column (default: a column named id, or ending in " id"/"_id"; else the row number). */
  id?: string;
  /** Input columns copied after the score columns. */
  keep?: string[];
  /** Which model of a multi-model document. */
  model?: string;
  /** Defaults to Date.now(). */
  now?: number;
}

/** CSV text with the columns id,score,stage,qualified,fit,engagement,breakdown (then `keep`). @throws {LeadscoreError} */
export function scoreCsv(doc: ModelDocument, csvText: string, options?: ScoreCsvOptions): string;

export interface FunnelReport {
  leads: number;
  converted: number;
  conversion_rate: number | null;
  stages: {
    stage: string; leads: number; share: number | null; converted: number; conversion_rate: number | null;
    /** Leads at this stage or above. */
    reached: number; reached_conversion_rate: number | null; cost?: number;
  }[];
  mql_to_sql_rate: number | null;
  cost?: { total: number; per_lead: number | null; per_mql: number | null; per_sql: number | null; per_conversion: number | null };
  /** With `by`: one credit table per column named (e.g. first and last touch); with `touches`, then
   * `first touch (<column>)` and `last touch (<column>)`. */
  campaigns?: {
    by: string;
    campaigns: {
      campaign: string; leads: number; qualified: number | null; mql: number; sql: number; mql_to_sql_rate: number | null;
      converted: number; conversion_rate: number | null;
      /** With `costs`. */
      cost?: number | null; cost_per_lead?: number | null; cost_per_qualified_lead?: number | null;
    }[];
  }[];
}

export interface FunnelOptions {
  label: string;
  stage?: string;
  score?: string;
  /** A column of cost per lead. */
  cost?: string;
  /** Columns naming the campaign (source, medium) that brought each lead: credit per campaign. */
  by?: string | string[];
  /** The column saying whether the lead qualified (default "qualified"). */
  qualified?: string;
  /** CSV text of campaign, cost. */
  costs?: string;
  /** A column of visitor states (the tag's `leadscore_state` form field): first- and last-touch credit. */
  touches?: string;
}

/** Funnel metrics from a CSV of scored leads with outcomes. @throws {LeadscoreError} */
export function funnel(csvText: string, options: FunnelOptions): FunnelReport;

/** How a streamed CSV is read and written (docs/calibrate.md, "Files of any size"). */
export interface ReadOptions {
  delimiter?: ',' | ';' | '\t' | 'tab' | '|' | 'comma' | 'semicolon' | 'pipe';
  encoding?: 'utf-8' | 'windows-1252';
  /** Output format of `ScoreStream`. */
  format?: 'csv' | 'jsonl';
  onError?: 'skip' | 'fail';
}

export interface StreamSummary {
  rows: number;
  bad: number;
  /** The first bad rows, by line. */
  errors: string[];
  fast?: number;
  general?: number;
}

/** The score columns of `ScoreStream`'s CSV output. */
export type ScoreColumn = 'id' | 'score' | 'stage' | 'qualified' | 'fit' | 'engagement' | 'breakdown';

/** `scoreCsv` over input of any size, pushed in chunks. @throws {LeadscoreError} */
export class ScoreStream {
  /** `options.fields`: the score columns of the CSV output, in this order (default all; not with `format: 'jsonl'`). */
  constructor(doc: ModelDocument, options?: ScoreCsvOptions & { fields?: ScoreColumn[] }, read?: ReadOptions);
  /** The output (UTF-8) of every row the bytes complete. */
  push(bytes: Uint8Array): Uint8Array;
  finish(): Uint8Array;
  summary(): StreamSummary;
  /** Ready for another input with the same model, options and fields, as a new stream would be (CSV output only): the model is not compiled again. */
  restart(read?: ReadOptions): void;
  free(): void;
}

export interface CompareReport {
  rows: number; scored: number; bad: number; label: string; converted: number; conversion_rate: number | null;
  models: {
    name: string; auc: number; auc_ci95: [number, number];
    top_decile: { conversion_rate: number; lift: number };
    stages: { stage: string; leads: number; share: number | null; converted: number; conversion_rate: number | null }[];
  }[];
  auc_difference: { b_minus_a: number; ci95: [number, number] };
  changed_stage: number;
  changes: { from: string; to: string; leads: number }[];
}

/** `funnel` over a scored file of any size, pushed in chunks; `report()` after `finish()`. @throws {LeadscoreError} */
export class FunnelStream {
  constructor(options: FunnelOptions, read?: ReadOptions);
  /** Always empty: the funnel writes nothing per row. */
  push(bytes: Uint8Array): Uint8Array;
  finish(): Uint8Array;
  summary(): StreamSummary;
  report(): FunnelReport;
  free(): void;
}

/** Champion (a) / challenger (b) over leads with outcomes, pushed in chunks. @throws {LeadscoreError} */
export class CompareStream {
  constructor(a: ModelDocument, b: ModelDocument, options: { label: string; id?: string; listChanges?: boolean }, read?: ReadOptions);
  /** With `listChanges`: CSV rows of the leads whose stage changes. */
  push(bytes: Uint8Array): Uint8Array;
  finish(): Uint8Array;
  summary(): StreamSummary;
  report(): CompareReport;
  free(): void;
}
