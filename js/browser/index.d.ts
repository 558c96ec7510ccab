// Types of `leadscore/browser` (the website collector as a module) and of `window.leadscore` (the script tag).

import type { ScoreCard, Traits } from '../index.js';

export type { ScoreCard, Traits };

/** What `start` and `leadscore.init` take (docs/snippet.md, "Configuration"). */
export interface CollectorConfig {
  /** The model document, or the URL it is fetched from. */
  model: string | object;
  /** Which model of a multi-model document scores this site (default: the first). */
  modelName?: string;
  /**
   * A challenger model (document or URL) scored beside `model`: its card travels in the lead's `shadow`
   * property, and it never decides what is sent. The document's only model is used.
   */
  shadow?: string | object;
  /** Where qualified leads are POSTed (a relay, docs/edge.md); without it nothing is sent. */
  endpoint?: string;
  /** Memory only until `consent(true)`: nothing stored, nothing sent. */
  requireConsent?: boolean;
  /** Where the visitor's consent comes from (docs/snippet.md, "Consent managers"); memory only until it answers. */
  consent?: ConsentSource;
  /** 'ignore': do not treat Global Privacy Control as an opt-out. */
  gpc?: 'ignore';
  /** Link extensions that count as downloads (default pdf, doc(x), xls(x), ppt(x), csv, zip, epub, key, odt, pages). */
  downloads?: string[] | string;
  /** A CSS selector whose clicks count as CTA clicks. */
  cta?: string;
  /** Form fields read in addition to the built-in allow-list. */
  fields?: string[] | string;
  /** Add the hidden `leadscore_state` input to submitted forms (default true). */
  attachState?: boolean;
  /** Read Google Tag Manager's dataLayer (true) or the named variable; GA4's recommended events become core events. */
  gtm?: boolean | string;
  /** Count submissions in embedded forms: all providers (true) or those listed (docs/snippet.md, "Embedded forms"). */
  forms?: boolean | FormProvider[] | string;
  /** Where leadscore-core.wasm is served (default: next to this module, as bundlers emit it). */
  wasm?: string;
}

export type ConsentSource = 'tcf' | 'gcm' | 'cookiebot' | 'onetrust' | 'manual';
export type FormProvider = 'hubspot' | 'typeform' | 'calendly' | 'tally';
/** Consent per category: `storage` (keep the visitor's state on this device), `sending` (deliver leads; needs storage). */
export interface ConsentChoice { storage: boolean; sending?: boolean }

export interface DeliveryDetail { key: string; stage: string; attempts: number; status: number; reason?: string }

export interface LeadScoreEvents {
  ready: ScoreCard | null;
  score: ScoreCard | null;
  qualified: ScoreCard;
  delivered: DeliveryDetail;
  'give-up': DeliveryDetail;
  error: string;
  /** The choice given to `consent()` (or by the consent manager). */
  consent: { storage: boolean; sending: boolean };
}

/** The page API. Every method returns a Promise and never throws. */
export interface LeadScore {
  readonly version: string;
  /** A core event type (`download`, `click`, `form_submit`, …) with `props` as its fields, or any other name as a named event. */
  track(name: string, props?: Record<string, unknown>): Promise<boolean | null>;
  /** Traits of the visitor; `userId` is kept as the trait `user_id` (Segment's and PostHog's order). */
  identify(userId: string, traits?: Traits): Promise<boolean | null>;
  identify(traits: Traits): Promise<boolean | null>;
  score(): Promise<ScoreCard | null>;
  /** true: store and send from now on; false: opt out (erases what is stored); or per category. */
  consent(granted: boolean | ConsentChoice): Promise<boolean | null>;
  exportState(): Promise<object | null>;
  /** Forgets the visitor (a new lead id, an empty state), e.g. at log-out; leads already queued are still delivered. */
  reset(): Promise<boolean | null>;
  on<K extends keyof LeadScoreEvents>(name: K, listener: (detail: LeadScoreEvents[K]) => void): () => void;
}

/** Starts collecting on this page (once: later calls return the same API) and returns the page API. */
export function start(config: CollectorConfig): LeadScore;

export const VERSION: string;

declare global {
  interface Window {
    /** The script tag's page API, plus `init` for a tag placed without data-* attributes. */
    leadscore?: LeadScore & { init(config: CollectorConfig): void };
  }
}
