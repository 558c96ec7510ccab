// Public types of the `leadscore` package, written by hand from docs/api.md (the contract).
// JSON data uses snake_case keys; times are milliseconds since the Unix epoch.

/** `"500ms"`, `"45s"`, `"15m"`, `"12h"`, `"30d"`, `"2w"`. */
export type Duration = `${number}${'ms' | 's' | 'm' | 'h' | 'd' | 'w'}`;
/** Case-insensitive glob: `*` any run of characters, `?` one character. */
export type Pattern = string;
export type TraitValue = string | number | boolean;
export type Traits = Record<string, TraitValue>;
export type ScoreKind = 'fit' | 'engagement';

// ---------------------------------------------------------------- model document

export type Decay = { half_life: Duration } | { percent: number; every: Duration };

/** Occurrence conditions count matching events; a rule's `max`/`per`/`window`/`decay` apply to them. */
export type OccurrenceCondition =
  | { page_view: { path?: Pattern; url?: Pattern; title?: Pattern } }
  | { download: { url?: Pattern; type?: string[] } }
  | { form_submit: { form?: Pattern } }
  | { click: { name?: Pattern } }
  | { event: { name?: Pattern } }
  /** UTM parameters of page views. */
  | { campaign: { source?: Pattern; medium?: Pattern; campaign?: Pattern } }
  /** Referrer host of page views. */
  | { referrer: { host?: Pattern } }
  | { email_click: { campaign?: Pattern } };

/** Compares one trait; text compares case-insensitively. */
export interface TraitCondition {
  trait: string;
  equals?: TraitValue;
  one_of?: TraitValue[];
  /** Substring; with a list, any of them. */
  contains?: string | string[];
  between?: [number, number];
  at_least?: number;
  at_most?: number;
  below?: number;
  above?: number;
  exists?: boolean;
  is_true?: boolean;
}

/** State conditions are true or false for the lead and count once. */
export type StateCondition =
  /** Engaged seconds summed over matching pages. */
  | { engaged: { path?: Pattern; seconds: number } }
  | { visits: { at_least: number } }
  | { scroll: { path?: Pattern; depth: number } }
  /** No activity for that long, given some activity. */
  | { inactive: { for: Duration } }
  | TraitCondition
  | { email_domain: { free: boolean } | { in: string[] } }
  | { all: StateCondition[] }
  | { any: StateCondition[] }
  | { not: StateCondition };

export type Condition = OccurrenceCondition | StateCondition;

export interface Rule {
  /** Unique in the model. */
  id: string;
  /** Defaults to `id`. */
  label?: string;
  description?: string;
  /** Default: `fit` for trait/email_domain conditions, else `engagement`. */
  score?: ScoreKind;
  /** -1000..1000, at most 2 decimals; negative allowed. */
  points: number;
  when: Condition;
  /** Id of an entry in `groups`. */
  group?: string;
  /** Count at most N occurrences (the most recent ones). */
  max?: number;
  /** At most one occurrence per period. */
  per?: Duration;
  /** Only occurrences in the last period count. */
  window?: Duration;
  decay?: Decay;
  /** When this rule fires the lead cannot qualify (veto). */
  disqualify?: boolean;
}

export interface Group {
  id: string;
  label?: string;
  max?: number;
  min?: number;
  decay?: Decay;
}

export interface Stage {
  name: string;
  /** Reached at a total of at least this. */
  min?: number;
  /** Reached at a total strictly above this. */
  above?: number;
}

export interface GradeBand {
  grade: string;
  min: number;
}

export interface Qualify {
  stage?: string;
  min_total?: number;
  min_fit?: number;
  min_engagement?: number;
  /** Ids of rules that must have fired. */
  rules?: string[];
}

export interface ModelDefinition {
  /** URL of the JSON Schema (`leadscore/schema.json`), for editors; ignored by the engine. */
  $schema?: string;
  /** Unique in the document. */
  name: string;
  version?: string;
  description?: string;
  rules: Rule[];
  groups?: Group[];
  caps?: { fit?: number; engagement?: number };
  /** Default `{ min: 0, max: 100 }`. */
  scale?: { min?: number; max?: number };
  stages?: Stage[];
  /** The card's grade is the fit grade followed by the engagement grade, e.g. `"B1"`. */
  grades?: { fit: GradeBand[]; engagement: GradeBand[] };
  qualify?: Qualify;
  /** Stage name -> next step shown on the card. */
  next_steps?: Record<string, string>;
  /** Expected value and value tier per lead (docs/api.md, "Value tiers"); `calibrate` writes it from a `value` column. */
  value?: ValueTiers;
}

export interface ValueTiers {
  /** Conversion rate at or above each total, highest `min` first; the last has no `min`. */
  rates: { rate: number; min?: number }[];
  /** Expected amount of a converted lead: `by[answer of trait]` (ASCII case ignored), else `default`. */
  amount: { default: number; trait?: string; by?: Record<string, number> };
  /** Tier by expected value, highest `min` first; the last has no `min`. */
  tiers: { tier: string; min?: number }[];
}

/** Either several models or a single model object at the top level. */
export type ModelDocument = { $schema?: string; models: ModelDefinition[] } | ModelDefinition;

// ---------------------------------------------------------------- events

interface EventBase {
  /** Milliseconds since the Unix epoch. */
  ts: number;
  /** Optional unique id; a repeated id is reported as a duplicate and not counted again. */
  id?: string;
}
export interface PageViewEvent extends EventBase {
  type: 'page_view';
  path?: string;
  url?: string;
  title?: string;
  referrer?: string;
  utm?: { source?: string; medium?: string; campaign?: string };
}
export interface EngagedEvent extends EventBase { type: 'engaged'; path?: string; seconds: number }
export interface DownloadEvent extends EventBase { type: 'download'; url?: string }
export interface FormSubmitEvent extends EventBase { type: 'form_submit'; form?: string; traits?: Traits }
export interface ClickEvent extends EventBase { type: 'click'; name?: string }
export interface NamedEvent extends EventBase { type: 'event'; name?: string }
export interface EmailClickEvent extends EventBase { type: 'email_click'; campaign?: string }
export interface ScrollEvent extends EventBase { type: 'scroll'; path?: string; depth: number }
/** `email` also yields the trait `email_domain`. */
export interface IdentifyEvent extends EventBase { type: 'identify'; traits: Traits }

export type LeadEvent =
  | PageViewEvent | EngagedEvent | DownloadEvent | FormSubmitEvent | ClickEvent
  | NamedEvent | EmailClickEvent | ScrollEvent | IdentifyEvent;

// ---------------------------------------------------------------- results

export interface BreakdownLine {
  /** A rule id, or an adjustment: `group:<id>`, `cap:fit`, `cap:engagement`, `scale:max`, `scale:min`. */
  rule: string;
  label: string;
  /** Adjustments of the scale apply to the `total`. */
  score: ScoreKind | 'total';
  /** What this line adds to the total; the lines' points add up exactly to `total`. */
  points: number;
  /** Points before decay. */
  base: number;
  /** Points taken away by decay. */
  decayed: number;
  /** Occurrences seen (0 for adjustments). */
  count: number;
  /** Occurrences that counted after `max`/`per`/`window`. */
  counted: number;
}

export interface ScoreCard {
  model: string;
  /** null when the model has no version. */
  model_version: string | null;
  fit: number;
  engagement: number;
  total: number;
  grade: string;
  stage: string;
  qualified: boolean;
  reasons: string[];
  /** Ids of the `disqualify` rules that fired. */
  disqualified_by: string[];
  /** null when `next_steps` names nothing for the stage. */
  next_step: string | null;
  scored_at: number;
  breakdown: BreakdownLine[];
  /** Only when the model has a `value` section: rate × amount, and its tier. */
  value?: { expected: number; tier: string };
}

/**
 * A score card's numbers, stage and qualification without the rest: what `Scorer.track` and
 * `Scorer.summary` return. Always equal to the same fields of `score(now)`.
 */
export interface ScoreSummary {
  total: number;
  fit: number;
  engagement: number;
  stage: string;
  qualified: boolean;
}

/** A visitor's accumulated state: plain JSON, store it as is and hand it back to `importState`. */
export type VisitorState = { [key: string]: unknown };

export interface Lead {
  traits?: Traits;
  events?: LeadEvent[];
  state?: VisitorState;
}

export interface ValidationError {
  /** Where in the document, e.g. `rules[3].when.page_view.path`. */
  path: string;
  message: string;
}

export type ValidationResult = { ok: true; models: string[] } | { ok: false; errors: ValidationError[] };

/** What constructors, `importState` and `scoreLead` throw: an `Error` naming the first bad field. */
export interface LeadscoreError extends Error {
  errors: ValidationError[];
}

export interface ModelOptions {
  /** Which model of a multi-model document; needed when there are several. */
  model?: string;
}

export interface IngestResult {
  accepted: boolean;
  duplicate: boolean;
  /** Why a rejected event was rejected, by field (`event.ts`), as everywhere else. */
  errors?: ValidationError[];
}

export interface IngestManyResult {
  accepted: number;
  duplicates: number;
  rejected: { index: number; errors: ValidationError[] }[];
}

// ---------------------------------------------------------------- API

export function validateModel(doc: unknown): ValidationResult;

export class Model {
  /** @throws {LeadscoreError} */
  constructor(doc: ModelDocument, options?: ModelOptions);
  readonly name: string;
  readonly version: string | undefined;
  /** `now` defaults to `Date.now()`. @throws {LeadscoreError} */
  scoreLead(lead: Lead, now?: number): ScoreCard;
  /** Releases the wasm memory now instead of at garbage collection. */
  free(): void;
}

export class Scorer {
  /** @throws {LeadscoreError} */
  constructor(doc: ModelDocument, options?: ModelOptions);
  ingest(event: LeadEvent): IngestResult;
  ingestMany(events: LeadEvent[]): IngestManyResult;
  /**
   * Ingests one event, then summarizes the visitor at `now` (default `Date.now()`): the lean path for
   * rescoring after every event. A duplicate id is not counted again. The event is validated as
   * `ingest` validates it, but an invalid one throws.
   * @throws {LeadscoreError} naming the bad field; the state is unchanged.
   */
  track(event: LeadEvent, now?: number): ScoreSummary;
  /** `score(now)` without the breakdown, grade, reasons and other text; `now` defaults to `Date.now()`. */
  summary(now?: number): ScoreSummary;
  /** `now` defaults to `Date.now()`. */
  score(now?: number): ScoreCard;
  /** One card per model of the document. */
  scoreAll(now?: number): ScoreCard[];
  exportState(): VisitorState;
  /** @throws {LeadscoreError} */
  importState(state: VisitorState): void;
  readonly modelName: string;
  /** Releases the wasm memory now instead of at garbage collection. */
  free(): void;
}

/**
 * Scores flat lead records (`{ company_size: 120, job_title: "VP" }`) through the model's compiled
 * fast path. Only for models whose rules are all trait rules (or `all`, `any` and `not` of trait tests on one
 * field); results equal
 * `new Model(doc).scoreLead({ traits: lead }).total`.
 */
export class FlatScorer {
  /** @throws {LeadscoreError} when the model is invalid or has rules other than trait rules. */
  constructor(doc: ModelDocument, options?: ModelOptions);
  /** The fields the model reads, in slot order. */
  readonly fields: string[];
  /** The total (scale min..max, 0..100 by default) of one lead. */
  score(lead: Traits): number;
  /** The totals of many leads, in order. */
  scoreBatch(leads: Traits[]): Float64Array;
  free(): void;
}

/** One-shot scoring. @throws {LeadscoreError} */
export function scoreLead(doc: ModelDocument, lead: Lead, now?: number, options?: ModelOptions): ScoreCard;

export function engineVersion(): string;

