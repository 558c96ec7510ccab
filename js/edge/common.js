// What `qualify` and `relay` share: the model cache, CORS and JSON answers, forwarding with failure
// reports, and the in-memory replay store. Internal: `leadscore/edge` exports only memoryReplayStore.
import { Model } from '../core/leadscore.js';
import { deliver } from './forward.js';

const REPLAY_MEMORY = 10_000;

/** Remembers submission ids for a while, in this isolate's memory (bounded, oldest forgotten first). */
export function memoryReplayStore({ max = REPLAY_MEMORY } = {}) {
  const seen = new Map();
  return {
    has(id, now) {
      const until = seen.get(id);
      if (until === undefined) return false;
      if (until > now) return true;
      seen.delete(id);
      return false;
    },
    add(id, now, windowMs) {
      seen.delete(id);
      seen.set(id, now + windowMs);
      while (seen.size > max) seen.delete(seen.keys().next().value);
    },
    delete(id) {
      seen.delete(id);
    },
  };
}

const models = new WeakMap();

/** A Model from a document (validated once and cached per document) or a Model as given. */
function cachedModel(model, modelName, what) {
  if (model instanceof Model) return model;
  if (model === null || typeof model !== 'object') throw new TypeError(`${what}: expected a model document or a Model`);
  let cached = models.get(model);
  // `name` is read from the wasm: only when a name was asked for (a request reads no getter).
  if (!cached || (modelName !== undefined && cached.name !== modelName)) {
    cached = new Model(model, modelName === undefined ? undefined : { model: modelName });
    models.set(model, cached);
  }
  return cached;
}

export function modelFor(options) {
  return cachedModel(options.model, options.modelName, 'model');
}

/** The challenger of `options.shadow` (a document or a Model), or null when there is none. */
export function shadowFor(options) {
  return options.shadow === undefined || options.shadow === null ? null : cachedModel(options.shadow, undefined, 'shadow');
}

export function corsHeaders(request, cors) {
  if (!cors) return {};
  const origin = request.headers.get('origin');
  const allowed = cors === '*' || (Array.isArray(cors) ? cors : [cors]).includes(origin);
  if (!origin || !allowed) return {};
  return { 'access-control-allow-origin': cors === '*' ? '*' : origin, vary: 'origin' };
}

/**
 * The answer when handling a request threw: 503 with the loader's message while the wasm is not initialised
 * yet (leadscore/edge/init before init(): not ready, not broken), 500 otherwise.
 */
export function threw(who, error, headers) {
  if (error?.code === 'LEADSCORE_NOT_INITIALISED') return reply(503, { ok: false, error: error.message, field: null }, headers);
  console.error(`leadscore/edge: ${who} failed`, error);
  return reply(500, { ok: false, error: `internal error: ${error?.message ?? error}`, field: null }, headers);
}

export function reply(status, body, headers = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

async function reportFailure(options, report) {
  try {
    if (typeof options.onForwardError === 'function') {
      await options.onForwardError(report);
      return;
    }
  } catch (error) {
    console.error('leadscore/edge: onForwardError threw', error);
  }
  // Never lost silently: without a callback the lead goes to the log, whole, so it can be replayed.
  console.error(`leadscore/edge: forwarding failed: ${JSON.stringify(report)}`);
}

export async function forwardLead(target, lead, options) {
  const outcome = await deliver(target, lead, options);
  if (outcome.status !== 'sent') await reportFailure(options, { ...outcome, id: lead.lead_id, lead });
  return outcome;
}
