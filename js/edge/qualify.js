// `qualify(request, options)`: pre-qualifies a form submission at the edge with Web-standard
// Request, Response and fetch only. Reads the fields and the visitor state the snippet attached,
// rescores on the server (the state clamped to what is physically possible, any claimed score
// ignored), answers the browser with the decision, and forwards one payload when qualified.
// It never throws: every outcome is a Response with a JSON body.
import { scoreSubmission } from '../core/leadscore.js';
import { EVENT_ID_FIELD, STATE_FIELD, fieldMap, readSubmission } from './body.js';
import { toTarget } from './forward.js';
import { pageUri, serverLead, shadowCard } from './lead.js';
import { corsHeaders, threw, forwardLead, memoryReplayStore, modelFor, reply, shadowFor } from './common.js';

export { DEFAULT_FIELDS, DEFAULT_MAX_BODY_BYTES, STATE_FIELD, STATE_HEADER, EVENT_ID_FIELD, readSubmission } from './body.js';
export { webhook, hubspot, segment, deliver, breakdownText, HUBSPOT_SCORE_PROPERTIES } from './forward.js';
// Delivering the tag's leads (relay.js), signed webhooks (sign.js), the lead format (lead.js), destinations.
export { relay, createRelay, RELAY_MAX_BODY_BYTES, RELAY_WINDOW_MS, RELAY_RETRY_AFTER_S } from './relay.js';
export { signWebhook, verifyWebhook, WebhookVerificationError, WEBHOOK_TOLERANCE_SECONDS } from './sign.js';
export { LEAD_FORMAT } from './lead.js';
export * from './destinations/index.js';
export { memoryReplayStore } from './common.js';

const DEFAULT_REPLAY_WINDOW_MS = 10 * 60 * 1000;
const defaultReplayStore = memoryReplayStore();

const failure = (status, field, error, extra = {}) => ({ status, body: { ok: false, error, field, ...extra } });

async function submissionId(submission, request) {
  const header = request.headers.get('x-leadscore-state') ?? '';
  const prefix = new TextEncoder().encode(`${submission.type}\n${header}\n`);
  const data = new Uint8Array(prefix.byteLength + submission.bytes.byteLength);
  data.set(prefix);
  data.set(submission.bytes, prefix.byteLength);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
  return [...digest.subarray(0, 16)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function cookies(request) {
  const jar = {};
  for (const part of (request.headers.get('cookie') ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) jar[part.slice(0, at).trim()] = part.slice(at + 1).trim();
  }
  return jar;
}

/** Core error paths (`state.pages[0]`, `traits.company_size`) renamed to what the client sent. */
function clientField(path, traitToField, stateSource) {
  if (path === 'state' || path.startsWith('state.')) return stateSource + path.slice('state'.length);
  if (path.startsWith('traits.')) {
    const trait = path.slice('traits.'.length);
    return traitToField.get(trait) ?? trait;
  }
  if (path === 'form_id') return EVENT_ID_FIELD;
  return path;
}

async function decide(request, options) {
  if (request.method !== 'POST') {
    return failure(405, 'method', `expected POST, got ${request.method}`);
  }
  const now = typeof options.now === 'function' ? options.now() : options.now ?? Date.now();
  const model = modelFor(options);
  const shadow = shadowFor(options);
  const target = toTarget(options.forward);
  const map = fieldMap(options.fields);

  const submission = await readSubmission(request, { fields: options.fields, maxBodyBytes: options.maxBodyBytes });
  if (!submission.ok) return failure(submission.status, submission.field, submission.error);

  const id = await submissionId(submission, request);
  const replay = options.replay === false ? null : { store: defaultReplayStore, windowMs: DEFAULT_REPLAY_WINDOW_MS, ...options.replay };
  if (replay && await replay.store.has(id, now)) {
    return failure(409, 'body', 'this submission was already received', { id });
  }

  const form = typeof options.form === 'function' ? options.form(request, submission.traits) : options.form;
  const scoredSubmission = {
    state: submission.state ?? null,
    traits: submission.traits,
    form: form === undefined || form === null || form === '' ? null : String(form),
    form_id: submission.eventId ?? id,
  };
  const scored = scoreSubmission(model, scoredSubmission, now);
  if (!scored.ok) {
    const traitToField = new Map(map.map(({ field, trait }) => [trait, field]));
    const errors = scored.errors.map((e) => ({ field: clientField(e.path, traitToField, submission.stateSource), message: e.message }));
    const first = errors[0] ?? { field: 'body', message: 'invalid submission' };
    return failure(400, first.field, first.message, { errors });
  }
  if (replay) await replay.store.add(id, now, replay.windowMs);

  const { card, clamped } = scored;
  const decision = {
    ok: true, id, qualified: card.qualified, model: card.model, model_version: card.model_version,
    total: card.total, fit: card.fit, engagement: card.engagement, grade: card.grade, stage: card.stage,
    next_step: card.next_step, clamped, ignored_fields: submission.ignored.slice(0, 20),
  };
  if (options.exposeBreakdown) {
    decision.reasons = card.reasons;
    decision.disqualified_by = card.disqualified_by;
    decision.breakdown = card.breakdown;
  }
  if (!card.qualified || !target) {
    decision.forward = { status: target ? 'skipped' : 'none' };
    return { status: 200, body: decision };
  }

  const jar = cookies(request);
  const anonymous = jar.ajs_anonymous_id ? decodeURIComponent(jar.ajs_anonymous_id).replace(/^"|"$/g, '') : undefined;
  // A submission is its own event: its id is both the lead id and the idempotency key.
  const lead = serverLead({
    leadId: id, idempotencyKey: id, card, traits: submission.traits, page: pageUri(request.headers.get('referer')),
    form: form ?? null, clamped, context: { hutk: jar.hubspotutk, anonymous_id: anonymous },
    // Scored only for what is forwarded, after the decision: the shadow never gates delivery.
    shadow: shadowCard(shadow, scoredSubmission, now),
  });
  const sending = forwardLead(target, lead, options);
  if (typeof options.waitUntil === 'function') {
    options.waitUntil(sending.then(async (outcome) => {
      if (outcome.status !== 'sent' && replay) await replay.store.delete?.(id);
    }).catch((error) => console.error('leadscore/edge: replay store failed', error)));
    decision.forward = { status: 'pending', target: target.name };
    return { status: 200, body: decision };
  }
  decision.forward = await sending;
  // A lead that could not be delivered may be submitted again.
  if (decision.forward.status !== 'sent' && replay) await replay.store.delete?.(id);
  return { status: 200, body: decision };
}

/**
 * Qualifies one form submission. Resolves a Response, never rejects:
 * 200 with the decision; 400 (a malformed part, naming the field), 405, 409 (a replay),
 * 413 (too large), 415 (content type); 500 only for a broken configuration; 503 before the wasm is loaded.
 */
export async function qualify(request, options = {}) {
  let headers = {};
  try {
    headers = corsHeaders(request, options.cors);
    if (request.method === 'OPTIONS' && options.cors) {
      return new Response(null, {
        status: 204,
        headers: {
          ...headers, 'access-control-allow-methods': 'POST, OPTIONS',
          'access-control-allow-headers': 'content-type, x-leadscore-state', 'access-control-max-age': '600',
        },
      });
    }
    const { status, body } = await decide(request, options);
    if (status === 405) headers = { ...headers, allow: options.cors ? 'POST, OPTIONS' : 'POST' };
    return reply(status, body, headers);
  } catch (error) {
    return threw('qualify', error, headers);
  }
}

/** `qualify` with the options fixed once; per-request extras (e.g. `waitUntil`) may be passed. */
export function createQualifier(options) {
  modelFor(options);
  shadowFor(options);
  toTarget(options.forward);
  return (request, extra) => qualify(request, extra ? { ...options, ...extra } : options);
}
