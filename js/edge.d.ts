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
/** What a target that sends several requests itself gets: the fetch bounded by the attempt's timeout. */
export type TargetFetch = (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => Promise<WebResponse>;
/** A destination: builds one POST (`build`), or sends several requests itself and resolves the one that decides (`send`). */
export type ForwardTarget =
  | { readonly name: string; readonly url: string; build(lead: QualifiedLead): ForwardRequest | Promise<ForwardRequest> }
  | { readonly name: string; readonly url: string; send(lead: QualifiedLead, fetch: TargetFetch): Promise<WebResponse> };

/**
 * A lead in the lead format (schema/lead.json, `lead_format` 1): what every destination receives
 * (the generic webhook exactly this). The card's fields are at the top level, as the website tag sends them.
 */
export interface QualifiedLead extends Omit<ScoreCard, 'breakdown'> {
  type: 'lead.qualified';
  lead_format: 1;
  /** `qualify`: the submission id (a hash of the body). `relay`: the tag's lead id. */
  lead_id: string;
  /** What a receiver dedupes by (also `Idempotency-Key` and `webhook-id`). `relay`: "<lead_id>:<model>:<stage>" with the server's stage; `qualify`: the submission id. */
  idempotency_key: string;
  breakdown: BreakdownLine[];
  /** Allow-listed traits only. */
  traits: Traits;
  /** The page (without query or fragment): the form's Referer for `qualify`, the tag's `page` for `relay`. */
  page: string | null;
  /** The form's name (`qualify`); null for `relay`. */
  form: string | null;
  /** What was cut from the client's state as impossible. */
  clamped: string[];
  /** The score was computed on the server (a payload from the tag itself has no `scored_by`). */
  scored_by: 'server';
  /** `leadscore-edge/<engine version>`. */
  sent_by: string;
  /** The card of the model run in shadow (option `shadow`), when there is one: reported, never deciding. */
  shadow?: ShadowCard;
}

/**
 * What a challenger run in shadow made of the same lead: its card (the lead's card fields), or, when it
 * could not score the lead, its name and why. Added within lead format 1 (optional).
 */
export type ShadowCard =
  | (Pick<ScoreCard, 'model' | 'model_version' | 'fit' | 'engagement' | 'total' | 'grade' | 'stage' | 'qualified' | 'reasons' | 'disqualified_by' | 'next_step' | 'scored_at' | 'breakdown'>)
  | { model: string; error: string };
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
  /**
   * A challenger scored on every lead that is forwarded, its card sent as the lead's `shadow`; it never
   * decides (a lead only it would qualify is not forwarded). A model document or a Model (for one model of
   * a multi-model document: `new Model(doc, { model: name })`).
   */
  shadow?: ModelDocument | Model;
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

/** `secret`: a `whsec_…` secret (several while rotating) signs each request per Standard Webhooks. */
export function webhook(url: UrlLike, options?: { headers?: Record<string, string>; secret?: string | readonly string[] }): ForwardTarget;
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
export function breakdownText(lead: Pick<QualifiedLead, 'breakdown'>): string;
export function memoryReplayStore(options?: { max?: number }): Required<ReplayStore>;

export const DEFAULT_FIELDS: readonly string[];
export const DEFAULT_MAX_BODY_BYTES: number;
export const STATE_FIELD: 'leadscore_state';
export const STATE_HEADER: 'x-leadscore-state';
export const EVENT_ID_FIELD: 'leadscore_event_id';
export const HUBSPOT_SCORE_PROPERTIES: Readonly<Record<'total' | 'grade' | 'stage' | 'breakdown', string>>;

/** Slack incoming webhook: a readable message (who, score, stage, top reasons, next step). */
export function slack(webhookUrl: UrlLike): ForwardTarget;
export interface SalesforceOptions {
  /** The org id (`oid`) of the Web-to-Lead form. */
  orgId: string;
  /** Default https://webto.salesforce.com/servlet/servlet.WebToLead?encoding=UTF-8. */
  url?: string;
  /** `lead_source`; default "leadscore". */
  leadSource?: string;
  /** Custom lead field ids (`00N…`) that receive the score. */
  scoreFields?: Partial<Record<'total' | 'grade' | 'stage' | 'lead_id', string>>;
}
/** Salesforce Web-to-Lead: standard lead fields, the score in `description` (and custom fields). */
export function salesforce(options: SalesforceOptions): ForwardTarget;

export interface PipedriveOptions {
  /** A Pipedrive API token (sent as `x-api-token`). */
  apiToken: string;
  /** Default https://api.pipedrive.com/v1 (or https://<company>.pipedrive.com/api/v1). */
  url?: string;
  ownerId?: number;
  labelIds?: string[];
}
/** Pipedrive Leads API: the person found by email or created, a lead titled with who and the score, the breakdown as a note. */
export function pipedrive(options: PipedriveOptions): ForwardTarget;

export const LEAD_FORMAT: 1;

/** Standard Webhooks headers for `body`, one `v1,` signature per secret. */
export function signWebhook(secret: string | readonly string[], message: { id: string; body: string; timestamp?: number }):
  Promise<{ 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string }>;
/** Resolves the verified JSON body; rejects with WebhookVerificationError (missing header, stale timestamp, no matching signature). */
export function verifyWebhook<T = QualifiedLead>(secret: string | readonly string[], request: WebRequest,
  options?: { toleranceSeconds?: number; now?: number }): Promise<T>;
export class WebhookVerificationError extends Error {}
export const WEBHOOK_TOLERANCE_SECONDS: number;

export interface RelayOptions extends Pick<QualifyOptions, 'model' | 'modelName' | 'shadow' | 'now' | 'timeoutMs' | 'retryDelayMs' | 'onForwardError' | 'waitUntil' | 'fetch'> {
  /** Destinations: a URL (webhook), a target, or several (each delivered on its own). Omit to only decide. */
  forward?: UrlLike | ForwardTarget | readonly (UrlLike | ForwardTarget)[];
  /** Trait names taken from the tag's state (default DEFAULT_FIELDS); `email_domain` is derived from the email. */
  traits?: readonly string[];
  /** Default 64 KiB (RELAY_MAX_BODY_BYTES); larger bodies get 413. */
  maxBodyBytes?: number;
  /** Origins whose tag may read the answer; default `'*'`. */
  cors?: string | readonly string[];
  /** One forward per lead and stage, and seen keys, within `windowMs` (default 24 h); `false` turns this off. */
  replay?: false | { windowMs?: number; store?: ReplayStore };
  /** The Retry-After of a 503 (no destination took the lead); default 60. */
  retryAfterSeconds?: number;
}
/** The JSON body of a relay's 2xx (and 503) answer. */
export interface RelayAnswer {
  ok: boolean;
  status: 'forwarded' | 'pending' | 'not_qualified' | 'duplicate' | 'none' | 'failed';
  lead_id: string;
  idempotency_key?: string;
  qualified?: boolean;
  stage?: string;
  total?: number;
  forward?: (ForwardOutcome | { status: 'pending'; target: string })[];
}
/** Resolves a Response, never rejects: 200/202 RelayAnswer, 503 (retry later), 400/405/413/415/500 QualifyError. */
export function relay(request: WebRequest, options: RelayOptions): Promise<WebResponse>;
export function createRelay(options: RelayOptions): (request: WebRequest, extra?: Partial<RelayOptions>) => Promise<WebResponse>;
export const RELAY_MAX_BODY_BYTES: number;
export const RELAY_WINDOW_MS: number;
export const RELAY_RETRY_AFTER_S: number;
