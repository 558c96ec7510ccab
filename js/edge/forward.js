// Forwarding a qualified lead (the lead format of lead.js): targets build one HTTP request from the
// lead; `deliver` sends it with a timeout and one retry and reports the outcome as a value (it never throws).
import { signWebhook } from './sign.js';

export const DEFAULT_TIMEOUT_MS = 3000;
export const DEFAULT_RETRY_DELAY_MS = 250;

const json = (body, headers = {}) => ({ headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/**
 * A generic JSON webhook: POSTs the lead as it is (schema/lead.json) with an `Idempotency-Key` header.
 * With `secret` (a `whsec_…` secret, or several while rotating) it is signed per Standard Webhooks:
 * `webhook-id` (the idempotency key, the same on a retry), `webhook-timestamp`, `webhook-signature`.
 */
export function webhook(url, { headers = {}, secret } = {}) {
  const target = String(url);
  return {
    name: 'webhook',
    url: target,
    async build(lead) {
      const request = { url: target, ...json(lead, { 'idempotency-key': lead.idempotency_key, ...headers }) };
      if (secret) Object.assign(request.headers, await signWebhook(secret, { id: lead.idempotency_key, body: request.body }));
      return request;
    },
  };
}

const HUBSPOT_API = 'https://api.hsforms.com/submissions/v3/integration';
/** Contact properties that receive the score in HubSpot (create them in the portal, or rename here). */
export const HUBSPOT_SCORE_PROPERTIES = Object.freeze({
  total: 'leadscore_score', grade: 'leadscore_grade', stage: 'leadscore_stage', breakdown: 'leadscore_breakdown',
});

/** One line per breakdown entry: "Viewed the pricing page +15; Free email domain -15". */
export function breakdownText(lead) {
  return lead.breakdown.map((line) => `${line.label} ${line.points >= 0 ? '+' : ''}${line.points}`).join('; ');
}

/**
 * HubSpot's form-submission API (v3): `{ submittedAt, fields: [{ objectTypeId, name, value }], context }`.
 * With `token` (a private app token) it uses the authenticated `secure/submit` endpoint.
 * `url` overrides the endpoint (tests, proxies); `scoreProperties: false` sends the traits only.
 */
export function hubspot({ portalId, formGuid, token, url, scoreProperties = HUBSPOT_SCORE_PROPERTIES } = {}) {
  const path = `${token ? 'secure/submit' : 'submit'}/${encodeURIComponent(portalId ?? '')}/${encodeURIComponent(formGuid ?? '')}`;
  const target = url ? String(url) : `${HUBSPOT_API}/${path}`;
  return {
    name: 'hubspot',
    url: target,
    build(lead) {
      const fields = Object.entries(lead.traits).map(([name, value]) => ({ objectTypeId: '0-1', name, value: String(value) }));
      if (scoreProperties) {
        const values = { total: lead.total, grade: lead.grade, stage: lead.stage, breakdown: breakdownText(lead) };
        for (const [key, name] of Object.entries(scoreProperties)) {
          if (name && values[key] !== undefined) fields.push({ objectTypeId: '0-1', name, value: String(values[key]) });
        }
      }
      const context = {};
      if (lead.context?.hutk) context.hutk = lead.context.hutk;
      if (lead.page) context.pageUri = lead.page;
      if (lead.form) context.pageName = lead.form;
      const body = { submittedAt: String(lead.scored_at), fields, context };
      return { url: target, ...json(body, token ? { authorization: `Bearer ${token}` } : {}) };
    },
  };
}

const SEGMENT_API = 'https://api.segment.io/v1/batch';

/**
 * Segment's HTTP tracking API: one `/v1/batch` request holding an `identify` (the traits and the
 * score) and a `track` (`event`, default "Lead Qualified", with the card) — basic auth with the
 * write key. `userId(lead)` may name the user; otherwise the `ajs_anonymous_id` cookie or the
 * submission id is the anonymous id.
 */
export function segment({ writeKey, url = SEGMENT_API, event = 'Lead Qualified', userId } = {}) {
  const target = String(url);
  return {
    name: 'segment',
    url: target,
    build(lead) {
      const who = {};
      const user = typeof userId === 'function' ? userId(lead) : undefined;
      if (user) who.userId = String(user);
      else who.anonymousId = lead.context?.anonymous_id ?? lead.lead_id;
      const timestamp = new Date(lead.scored_at).toISOString();
      const identify = {
        type: 'identify', messageId: `${lead.idempotency_key}-identify`, timestamp, ...who,
        traits: { ...lead.traits, lead_score: lead.total, lead_grade: lead.grade, lead_stage: lead.stage },
      };
      const track = {
        type: 'track', messageId: `${lead.idempotency_key}-track`, timestamp, ...who, event,
        properties: {
          form: lead.form, model: lead.model, model_version: lead.model_version, total: lead.total, fit: lead.fit,
          engagement: lead.engagement, grade: lead.grade, stage: lead.stage, qualified: lead.qualified,
          breakdown: lead.breakdown, clamped: lead.clamped,
        },
        context: lead.page ? { page: { url: lead.page } } : {},
      };
      const body = { batch: [identify, track], sentAt: timestamp };
      return { url: target, ...json(body, { authorization: `Basic ${btoa(`${writeKey ?? ''}:`)}` }) };
    },
  };
}

/** A target from the `forward` option: a target object, or a URL (a webhook). */
export function toTarget(forward) {
  if (forward === undefined || forward === null || forward === false) return null;
  if (typeof forward === 'string' || forward instanceof URL) return webhook(forward);
  if (typeof forward?.build === 'function' || typeof forward?.send === 'function') return forward;
  throw new TypeError('forward: expected a URL, webhook(url), hubspot({…}), segment({…}), slack(url), salesforce({…}) or pipedrive({…})');
}

/** The targets of a `forward` option that may also be a list (several destinations at once). */
export function toTargets(forward) {
  return (Array.isArray(forward) ? forward : [forward]).map(toTarget).filter(Boolean);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const retryable = (status) => status === 408 || status === 429 || status >= 500;

/**
 * Sends the lead: at most two attempts (a retry after a network error, a timeout, 408, 429 or 5xx),
 * each bounded by `timeoutMs`. A target builds one request (`build`), or sends several itself
 * (`send(lead, fetch)`, resolving the response that decides: e.g. Pipedrive's person, then lead).
 * Resolves `{ status: 'sent' | 'failed', target, attempts, http_status?, error? }`.
 */
export async function deliver(target, lead, { fetch = globalThis.fetch, timeoutMs = DEFAULT_TIMEOUT_MS, retryDelayMs = DEFAULT_RETRY_DELAY_MS } = {}) {
  let request;
  if (typeof target.send !== 'function') {
    try {
      request = await target.build(lead);
    } catch (error) {
      return { status: 'failed', target: target.name, attempts: 0, error: `could not build the payload: ${error?.message ?? error}` };
    }
  }
  let error;
  let httpStatus;
  for (let attempt = 1; attempt <= 2; attempt++) {
    httpStatus = undefined;
    try {
      const signal = AbortSignal.timeout(timeoutMs);
      const response = request
        ? await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body, signal })
        : await target.send(lead, (url, init) => fetch(url, { ...init, signal }));
      httpStatus = response.status;
      await response.arrayBuffer().catch(() => {});
      if (response.ok) return { status: 'sent', target: target.name, attempts: attempt, http_status: httpStatus };
      error = `HTTP ${httpStatus}`;
      if (!retryable(httpStatus)) return { status: 'failed', target: target.name, attempts: attempt, http_status: httpStatus, error };
    } catch (e) {
      error = e?.name === 'TimeoutError' || e?.name === 'AbortError' ? `no answer within ${timeoutMs} ms`
        : `${e?.message ?? e}${e?.cause?.code ? ` (${e.cause.code})` : ''}`;
    }
    if (attempt === 1) await sleep(retryDelayMs);
  }
  const failed = { status: 'failed', target: target.name, attempts: 2, error };
  if (httpStatus !== undefined) failed.http_status = httpStatus;
  return failed;
}
