// Types of `leadscore/edge`: pre-qualifying form submissions at the edge (docs/edge.md).
// Request and Response are the runtime's own Web-standard types when its typings declare them
// (DOM, @cloudflare/workers-types, Deno, @types/node ≥ 18); otherwise the minimal shapes below.
import type { BreakdownLine, Model, ModelDocument, ScoreCard, Traits, VisitorState } from './index.js';

/** The parts of a Request that `qualify` reads. */
export interface RequestLike {
  readonly method: string;
  readonly url: string;
  readonly headers: { get(name: string): string | null };
  readonly body: unknown;
}
/** The parts of a Response a caller typically reads. */
export interface ResponseLike {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  json(): Promise<unknown>;
  text(): Promise<string>;
}
type Global = typeof globalThis;
export type WebRequest = Global extends { Request: { prototype: infer R } } ? R : RequestLike;
export type WebResponse = Global extends { Response: { prototype: infer R } } ? R : ResponseLike;
/** A URL string, or the runtime's URL object where its typings declare one. */
export type UrlLike = string | (Global extends { URL: { prototype: infer U } } ? U : never);

export type FieldType = 'auto' | 'string' | 'number' | 'boolean';
/** Allow-list of form fields: names (the trait has the same name), or field name -> trait name / spec. */
export type FieldMap = readonly string[] | Record<string, string | { trait?: string; type?: FieldType }>;

/** What a forwarding target sends for a lead: one POST. */
export interface ForwardRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}
export interface ForwardTarget {
  readonly name: string;
  readonly url: string;
  build(lead: QualifiedLead): ForwardRequest;
}

/** The payload of a qualified lead (the generic webhook sends exactly this). */
export interface QualifiedLead {
  type: 'lead.qualified';
  /** Submission id: a hash of the body; also the `Idempotency-Key`. */
  id: string;
  /** ISO 8601. */
  submitted_at: string;
  form: string | null;
  /** Allow-listed fields only, as traits. */
  traits: Traits;
  /** The server's score card, with its breakdown. */
  card: ScoreCard;
  /** What was cut from the client's state as impossible. */
  clamped: string[];
  /** The page of the form (Referer without query or fragment). */
  page_uri: string | null;
}

export interface ForwardOutcome {
  status: 'sent' | 'failed';
  target: string;
  attempts: number;
  http_status?: number;
  error?: string;
}
export interface ForwardFailure extends ForwardOutcome {
  status: 'failed';
  id: string;
  lead: QualifiedLead;
}
export type ForwardStatus =
  | ForwardOutcome
  | { status: 'pending'; target: string }
  | { status: 'skipped' | 'none' };

/** The JSON body of a 200 answer. */
export interface Decision {
  ok: true;
  id: string;
  qualified: boolean;
  model: string;
  model_version: string | null;
  total: number;
  fit: number;
  engagement: number;
  grade: string;
  stage: string;
  next_step: string | null;
  clamped: string[];
  /** Submitted fields that are not allow-listed (at most 20 names); their values were dropped. */
  ignored_fields: string[];
  forward: ForwardStatus;
  /** With `exposeBreakdown` only. */
  reasons?: string[];
  disqualified_by?: string[];
  breakdown?: BreakdownLine[];
}

/** The JSON body of a 4xx/5xx answer. */
export interface QualifyError {
  ok: false;
  error: string;
  /** The form field, header or part at fault: e.g. `company_size`, `leadscore_state.pages[0][1]`, `body`, `content-type`. */
  field: string | null;
  errors?: { field: string; message: string }[];
  id?: string;
}

export interface ReplayStore {
  has(id: string, now: number): boolean | Promise<boolean>;
  add(id: string, now: number, windowMs: number): void | Promise<void>;
  delete?(id: string): void | Promise<void>;
}

export interface QualifyOptions {
  /** A model document (validated once and cached) or a Model. */
  model: ModelDocument | Model;
  /** Which model of a multi-model document. */
  modelName?: string;
  /** Where qualified leads go: a URL (JSON webhook), webhook(), hubspot() or segment(). Omit to only decide. */
  forward?: UrlLike | ForwardTarget;
  /** Allow-listed form fields (default DEFAULT_FIELDS). Everything else is dropped. */
  fields?: FieldMap;
  /** The form's name in the model (`form_submit` rules): fixed by the deployment, not the client. */
  form?: string | ((request: WebRequest, traits: Traits) => string | undefined);
  /** Milliseconds since the epoch, or a clock; default Date.now(). */
  now?: number | (() => number);
  /** Default 32 KiB; larger bodies get 413. */
  maxBodyBytes?: number;
  /** Per forwarding attempt; default 3000. */
  timeoutMs?: number;
  /** Pause before the one retry; default 250. */
  retryDelayMs?: number;
  /** Called with every failed delivery (after the retry). Without it, the lead is written to console.error. */
  onForwardError?: (failure: ForwardFailure) => void | Promise<void>;
  /** The runtime's waitUntil (in Next.js route handlers, `after` from 'next/server'): answer at once and forward in the background. Without it, the answer waits for the forward. */
  waitUntil?: (promise: Promise<unknown>) => void;
  /** Add reasons, disqualified_by and the breakdown to the answer (they reveal the model's rules). */
  exposeBreakdown?: boolean;
  /** Origins allowed to POST with fetch (`'*'` for any); also answers preflight requests. */
  cors?: string | readonly string[];
  /** Replays of an identical submission within the window get 409; `false` turns this off. */
  replay?: false | { windowMs?: number; store?: ReplayStore };
  /** The fetch used to forward (default globalThis.fetch). */
  fetch?: (input: string, init: { method: string; headers: Record<string, string>; body: string; signal: unknown }) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }>;
}

/** Resolves a Response and never rejects: 200 Decision, or 400/405/409/413/415/500/503 QualifyError (503: not initialised). */
export function qualify(request: WebRequest, options: QualifyOptions): Promise<WebResponse>;
/** `qualify` with fixed options (checked now: throws on a bad model); extras per request, e.g. `{ waitUntil }`. */
export function createQualifier(options: QualifyOptions): (request: WebRequest, extra?: Partial<QualifyOptions>) => Promise<WebResponse>;

export type SubmissionRead =
  | { ok: true; bytes: Uint8Array; type: string; traits: Traits; state: VisitorState | undefined;
      stateSource: 'leadscore_state' | 'x-leadscore-state'; eventId: string | undefined; ignored: string[] }
  | { ok: false; status: 400 | 413 | 415; field: string; error: string };
/** The reading half of `qualify`, for custom pipelines. */
export function readSubmission(request: WebRequest, options?: { fields?: FieldMap; maxBodyBytes?: number }): Promise<SubmissionRead>;

export function webhook(url: UrlLike, options?: { headers?: Record<string, string> }): ForwardTarget;
export interface HubSpotOptions {
  portalId: string | number;
  formGuid: string;
  /** A private app token: uses the authenticated `secure/submit` endpoint. */
  token?: string;
  /** Overrides the endpoint. */
  url?: string;
  /** Contact properties for the score (default HUBSPOT_SCORE_PROPERTIES); false: traits only. */
  scoreProperties?: false | Partial<Record<'total' | 'grade' | 'stage' | 'breakdown', string>>;
}
export function hubspot(options: HubSpotOptions): ForwardTarget;
export interface SegmentOptions {
  writeKey: string;
  /** Default https://api.segment.io/v1/batch. */
  url?: string;
  /** The track event's name; default "Lead Qualified". */
  event?: string;
  userId?: (lead: QualifiedLead) => string | undefined;
}
export function segment(options: SegmentOptions): ForwardTarget;
export function deliver(target: ForwardTarget, lead: QualifiedLead, options?: Pick<QualifyOptions, 'fetch' | 'timeoutMs' | 'retryDelayMs'>): Promise<ForwardOutcome>;
export function breakdownText(card: ScoreCard): string;
export function memoryReplayStore(options?: { max?: number }): Required<ReplayStore>;

export const DEFAULT_FIELDS: readonly string[];
export const DEFAULT_MAX_BODY_BYTES: number;
export const STATE_FIELD: 'leadscore_state';
export const STATE_HEADER: 'x-leadscore-state';
export const EVENT_ID_FIELD: 'leadscore_event_id';
export const HUBSPOT_SCORE_PROPERTIES: Readonly<Record<'total' | 'grade' | 'stage' | 'breakdown', string>>;
