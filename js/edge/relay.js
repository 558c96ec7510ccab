// `relay(request, options)`: receives what the website tag POSTs to `data-endpoint`, scores the
// visitor again from the state the tag attaches (clamped like `qualify`'s, the tag's card ignored),
// and forwards the lead, in the lead format, only when the server's score qualifies. The answer
// settles the tag's outbox: 2xx (forwarded, accepted, not qualified, duplicate) stops its retries,
// 400/413 give up, 503 + Retry-After asks it to try again later. It never throws.
import { scoreSubmission } from '../core/leadscore.js';
import { DEFAULT_FIELDS, decodeState, mediaType, readBody } from './body.js';
import { toTargets } from './forward.js';
import { pageUri, serverLead, shadowCard } from './lead.js';
import { corsHeaders, threw, forwardLead, memoryReplayStore, modelFor, reply, shadowFor } from './common.js';

/** The tag's bodies stay under 64 KB (a keepalive request's limit). */
export const RELAY_MAX_BODY_BYTES = 64 * 1024;
/** One forward per lead and stage within this window (per isolate with the default store). */
export const RELAY_WINDOW_MS = 24 * 3600e3;
/** What a 503 asks the tag to wait before trying again. */
export const RELAY_RETRY_AFTER_S = 60;
const MAX_KEYS = 64;
const LEAD_ID = /^[A-Za-z0-9_-]{8,128}$/;
const MAX_KEY_LENGTH = 300;

let defaultStore;
/** Lead keys between their window check and their entry in the store: concurrent requests for one lead wait for neither. */
const claiming = new Set();
const fail = (status, field, error) => ({ status, body: { ok: false, error, field } });
/** Fatal: a body that is not UTF-8 is refused, not repaired. One decoder, since `decode` keeps no state between calls. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The tag's JSON body, checked: `{ ok: true, leadId, key, state, traits, page }` or a failure. */
async function readLead(request, maxBodyBytes) {
  const type = mediaType(request);
  if (type !== 'text/plain' && type !== 'application/json') {
    return fail(415, 'content-type', `unsupported content type ${JSON.stringify(type || '(none)')}: the tag sends text/plain JSON`);
  }
  const read = await readBody(request, maxBodyBytes);
  if (!read.ok) return fail(read.status, read.field, read.error);
  let body;
  try {
    body = JSON.parse(utf8.decode(read.bytes));
  } catch (error) {
    return fail(400, 'body', error instanceof RangeError ? 'nested too deeply' : 'not valid JSON');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return fail(400, 'body', 'expected the JSON object the tag sends');
  if (Object.keys(body).length > MAX_KEYS) return fail(400, 'body', `more than ${MAX_KEYS} fields`);
  const { lead_id: leadId, idempotency_key: key } = body;
  if (typeof leadId !== 'string' || !LEAD_ID.test(leadId)) return fail(400, 'lead_id', 'expected 8 to 128 letters, digits, - or _');
  if (typeof key !== 'string' || key.length > MAX_KEY_LENGTH || !key.startsWith(`${leadId}:`)) {
    return fail(400, 'idempotency_key', `expected "<lead_id>:<model>:<stage>", at most ${MAX_KEY_LENGTH} characters`);
  }
  if (body.state === undefined || body.state === null) return fail(400, 'state', 'required: the visitor state the tag attaches (exportState())');
  const decoded = decodeState(body.state, 'state');
  if (!decoded.ok) return fail(decoded.status, decoded.field, decoded.error);
  const { traits, ...state } = decoded.state;
  return { ok: true, leadId, key, state, traits, page: typeof body.page === 'string' ? pageUri(body.page) : null };
}

/** Only allow-listed traits count; `email_domain` is derived again from the email by the core. */
function allowedTraits(traits, names) {
  if (traits === null || typeof traits !== 'object' || Array.isArray(traits)) return {};
  const allowed = {};
  for (const name of names) if (Object.hasOwn(traits, name)) allowed[name] = traits[name];
  return allowed;
}

/** Core error paths are already the body's (`state.pages[0]`, `traits.company_size`). */
function scoreError(scored) {
  const errors = scored.errors.map((e) => ({ field: e.path, message: e.message }));
  const first = errors[0] ?? { field: 'state', message: 'invalid state' };
  return { status: 400, body: { ok: false, error: first.message, field: first.field, errors } };
}

async function decide(request, options) {
  if (request.method !== 'POST') return fail(405, 'method', `expected POST, got ${request.method}`);
  const now = typeof options.now === 'function' ? options.now() : options.now ?? Date.now();
  const model = modelFor(options);
  const shadow = shadowFor(options);
  const targets = toTargets(options.forward);
  const read = await readLead(request, options.maxBodyBytes ?? RELAY_MAX_BODY_BYTES);
  if (!read.ok) return read;

  const window = options.replay === false ? null
    : { store: options.replay?.store ?? (defaultStore ??= memoryReplayStore()), windowMs: options.replay?.windowMs ?? RELAY_WINDOW_MS };
  const seenKey = `key:${read.key}`;
  // A key seen before (the tag retrying after a lost answer): nothing to do, not even scoring.
  if (window && await window.store.has(seenKey, now)) return { status: 200, body: { ok: true, status: 'duplicate', lead_id: read.leadId } };

  const traits = allowedTraits(read.traits, options.traits ?? DEFAULT_FIELDS);
  const scored = scoreSubmission(model, { state: read.state, traits }, now);
  if (!scored.ok) return scoreError(scored);
  const { card, clamped } = scored;
  const key = `${read.leadId}:${card.model}:${card.stage}`;
  const answer = { ok: true, lead_id: read.leadId, idempotency_key: key, qualified: card.qualified, stage: card.stage, total: card.total };
  if (!card.qualified) {
    if (window) await window.store.add(seenKey, now, window.windowMs);
    return { status: 200, body: { ...answer, status: 'not_qualified' } };
  }
  if (targets.length === 0) return { status: 200, body: { ...answer, status: 'none' } };
  // One forward per lead and stage (the server's stage): another key claiming the same is a duplicate.
  const leadKey = `lead:${key}`;
  if (window) {
    if (claiming.has(leadKey)) return { status: 200, body: { ...answer, status: 'duplicate' } };
    claiming.add(leadKey);
    try {
      const forwarded = await window.store.has(leadKey, now);
      await window.store.add(seenKey, now, window.windowMs);
      if (forwarded) return { status: 200, body: { ...answer, status: 'duplicate' } };
      await window.store.add(leadKey, now, window.windowMs);
    } finally {
      claiming.delete(leadKey);
    }
  }
  const forget = async () => {
    if (window) await Promise.all([window.store.delete?.(leadKey), window.store.delete?.(seenKey)]);
  };

  // The shadow model scores only what is forwarded, after the decision: it never gates delivery.
  const lead = serverLead({
    leadId: read.leadId, idempotencyKey: key, card, traits, page: read.page, clamped,
    shadow: shadowCard(shadow, { state: read.state, traits }, now),
  });
  // Each destination on its own: one failing (or throwing) does not hold back the others.
  const sending = Promise.all(targets.map((target) => forwardLead(target, lead, options)
    .catch((error) => ({ status: 'failed', target: target.name, attempts: 0, error: String(error?.message ?? error) }))));
  if (typeof options.waitUntil === 'function') {
    options.waitUntil(sending.then(async (outcomes) => {
      if (outcomes.every((o) => o.status !== 'sent')) await forget();
    }).catch((error) => console.error('leadscore/edge: relay window store failed', error)));
    return { status: 202, body: { ...answer, status: 'pending', forward: targets.map((t) => ({ status: 'pending', target: t.name })) } };
  }
  const outcomes = await sending;
  if (outcomes.every((o) => o.status !== 'sent')) {
    // Nothing got through: the tag keeps the lead and tries again later, with the same key.
    await forget();
    return { status: 503, body: { ...answer, ok: false, status: 'failed', forward: outcomes }, retryAfter: options.retryAfterSeconds ?? RELAY_RETRY_AFTER_S };
  }
  return { status: 200, body: { ...answer, status: 'forwarded', forward: outcomes } };
}

/**
 * Relays one lead the website tag POSTed. Resolves a Response, never rejects:
 * 200 `status` forwarded | not_qualified | duplicate | none, 202 pending (waitUntil), 503 + Retry-After
 * (no destination took it), 400 (malformed, naming the field), 405, 413, 415; 500 for a broken configuration.
 */
export async function relay(request, options = {}) {
  let headers = {};
  try {
    headers = corsHeaders(request, options.cors ?? '*');
    if (request.method === 'OPTIONS') {
      return new Response(null, {
        status: 204,
        headers: { ...headers, 'access-control-allow-methods': 'POST, OPTIONS', 'access-control-allow-headers': 'content-type', 'access-control-max-age': '600' },
      });
    }
    const { status, body, retryAfter } = await decide(request, options);
    if (status === 405) headers = { ...headers, allow: 'POST, OPTIONS' };
    // Cross-origin, the tag reads Retry-After only when it is exposed.
    if (retryAfter) headers = { ...headers, 'retry-after': String(retryAfter), 'access-control-expose-headers': 'retry-after' };
    return reply(status, body, headers);
  } catch (error) {
    return threw('relay', error, headers);
  }
}

/** `relay` with the options fixed once (the model checked now); per-request extras, e.g. `{ waitUntil }`. */
export function createRelay(options) {
  modelFor(options);
  shadowFor(options);
  toTargets(options.forward);
  return (request, extra) => relay(request, extra ? { ...options, ...extra } : options);
}
