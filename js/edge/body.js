// Reading an untrusted form submission: a capped body, three content types, an allow-list of
// fields mapped to traits, and the visitor state the snippet attaches. Web-standard APIs only; what a
// field's text means (a number, yes/no) is the core's `formTraits` (src/form.rs), as in the tag.
// Every failure is a value `{ status, error, field }`, never an exception.
import { formTraits } from '../core/leadscore.js';

/** Form fields mapped to traits when the `fields` option is not given (same names as the traits). */
export const DEFAULT_FIELDS = Object.freeze([
  'email', 'first_name', 'last_name', 'company', 'company_size', 'job_title', 'industry', 'country',
  'phone', 'website', 'budget', 'authority', 'need', 'timeline',
]);
export const STATE_FIELD = 'leadscore_state';
export const STATE_HEADER = 'x-leadscore-state';
/** The id of the submission as the browser recorded it (a `form_submit` event id), if it did. */
export const EVENT_ID_FIELD = 'leadscore_event_id';
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024;
const MAX_FIELDS = 200;
/** A saved state nests four containers deep (state → pages → entry → times). */
const MAX_STATE_DEPTH = 4;

const fail = (status, field, error) => ({ ok: false, status, field, error });

/**
 * The allow-list as `[{ field, trait, type }]`: from an array of names (trait = field name) or an
 * object `{ field: trait }` / `{ field: { trait, type } }` with type 'auto' | 'string' | 'number' | 'boolean'.
 */
export function fieldMap(fields = DEFAULT_FIELDS) {
  const entries = Array.isArray(fields) ? fields.map((name) => [name, name]) : Object.entries(fields ?? {});
  return entries.map(([field, spec]) => {
    const trait = typeof spec === 'string' ? spec : spec?.trait ?? field;
    const type = typeof spec === 'object' && spec?.type ? spec.type : 'auto';
    return { field, trait, type };
  });
}

/** The body, at most `max` bytes: `{ ok: true, bytes }`, or a failure (413 when longer, 400 when unreadable). */
export async function readBody(request, max) {
  let bytes;
  try {
    bytes = await readCapped(request, max);
  } catch {
    return fail(400, 'body', 'the body could not be read');
  }
  return bytes === null ? fail(413, 'body', `larger than ${max} bytes`) : { ok: true, bytes };
}

/**
 * Reads at most `max` bytes of the body; `null` when it is longer. With a Content-Length of at most
 * `max` the runtime reads the body in one call (HTTP framing holds a received body to its declared
 * length; the size is checked again all the same): several times cheaper in workerd than reading the
 * stream chunk by chunk from JS, which remains the way for a body of undeclared length.
 */
async function readCapped(request, max) {
  const length = request.headers.get('content-length');
  const declared = length === null ? NaN : Number(length);
  if (Number.isFinite(declared) && declared > max) return null;
  if (!request.body) return new Uint8Array(0);
  if (Number.isInteger(declared) && declared >= 0) {
    const bytes = new Uint8Array(await request.arrayBuffer());
    return bytes.byteLength > max ? null : bytes;
  }
  const reader = request.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

export function mediaType(request) {
  return (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
}

/** The submitted fields as a Map name → value (first occurrence wins), or a failure. */
async function parseBody(request, bytes) {
  const type = mediaType(request);
  const text = () => new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  const fields = new Map();
  const add = (name, value) => {
    if (!fields.has(name)) fields.set(name, value);
    return fields.size <= MAX_FIELDS;
  };
  if (type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data') {
    let entries;
    try {
      entries = type === 'multipart/form-data'
        ? await new Response(bytes, { headers: { 'content-type': request.headers.get('content-type') } }).formData()
        : new URLSearchParams(text());
    } catch {
      return fail(400, 'body', `malformed ${type} body`);
    }
    for (const [name, value] of entries) {
      // Files are never traits; their names are not even looked at.
      if (typeof value !== 'string') continue;
      if (!add(name, value)) return fail(400, 'body', `more than ${MAX_FIELDS} fields`);
    }
    return { ok: true, type, fields };
  }
  if (type === 'application/json' || type.endsWith('+json')) {
    let doc;
    try {
      doc = JSON.parse(text());
    } catch (error) {
      const why = error instanceof RangeError ? 'nested too deeply' : 'not valid JSON';
      return fail(400, 'body', why);
    }
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
      return fail(400, 'body', 'expected a JSON object of form fields');
    }
    for (const [name, value] of Object.entries(doc)) {
      if (value !== null && typeof value === 'object' && name !== STATE_FIELD) {
        return fail(400, name, 'expected a string, number or boolean (form fields are flat)');
      }
      if (!add(name, value)) return fail(400, 'body', `more than ${MAX_FIELDS} fields`);
    }
    return { ok: true, type, fields };
  }
  return unsupported(type);
}

const supported = (type) =>
  type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data' || type === 'application/json' || type.endsWith('+json');

const unsupported = (type) => fail(415, 'content-type',
  `unsupported content type ${JSON.stringify(type || '(none)')}: send application/x-www-form-urlencoded, multipart/form-data or application/json`);

/** The path of the first container nested deeper than `max`, or null. Stops at the limit; names only containers. */
function tooDeep(value, path, depth, max) {
  if (value === null || typeof value !== 'object') return null;
  if (depth > max) return path;
  const isObject = (v) => v !== null && typeof v === 'object';
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = isObject(value[i]) && tooDeep(value[i], `${path}[${i}]`, depth + 1, max);
      if (found) return found;
    }
    return null;
  }
  for (const [key, v] of Object.entries(value)) {
    const found = isObject(v) && tooDeep(v, `${path}.${key}`, depth + 1, max);
    if (found) return found;
  }
  return null;
}

export function decodeState(raw, source) {
  if (raw === undefined || raw === null || raw === '') return { ok: true, state: undefined };
  let state = raw;
  if (typeof raw === 'string') {
    let text = raw.trim();
    // Headers may carry the JSON base64url-encoded (no quotes or non-ASCII to worry about).
    if (source === STATE_HEADER && !text.startsWith('{')) {
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(
          Uint8Array.from(atob(text.replaceAll('-', '+').replaceAll('_', '/')), (c) => c.charCodeAt(0)));
      } catch {
        return fail(400, source, 'neither JSON nor base64url-encoded JSON');
      }
    }
    try {
      state = JSON.parse(text);
    } catch {
      return fail(400, source, 'not valid JSON');
    }
  }
  if (state === null || typeof state !== 'object' || Array.isArray(state)) {
    return fail(400, source, 'expected the visitor state object exported by the snippet');
  }
  const deep = tooDeep(state, source, 1, MAX_STATE_DEPTH);
  if (deep) return fail(400, deep, `nested deeper than a visitor state (${MAX_STATE_DEPTH} levels)`);
  return { ok: true, state };
}

/**
 * Reads and checks a submission.
 * @returns {Promise<{ ok: true, bytes, type, traits, state, stateSource, eventId, ignored } | { ok: false, status, field, error }>}
 */
export async function readSubmission(request, { fields = DEFAULT_FIELDS, maxBodyBytes = DEFAULT_MAX_BODY_BYTES } = {}) {
  const type = mediaType(request);
  if (!supported(type)) return unsupported(type);
  const read = await readBody(request, maxBodyBytes);
  if (!read.ok) return read;
  const { bytes } = read;
  const parsed = await parseBody(request, bytes);
  if (!parsed.ok) return parsed;

  const allowed = new Set([STATE_FIELD, EVENT_ID_FIELD]);
  const present = [];
  for (const entry of fieldMap(fields)) {
    allowed.add(entry.field);
    if (parsed.fields.has(entry.field)) present.push({ ...entry, value: parsed.fields.get(entry.field) });
  }
  const coerced = formTraits(present);
  if (!coerced.ok) return fail(400, coerced.errors[0].path, coerced.errors[0].message);
  const { traits } = coerced;
  const ignored = [...parsed.fields.keys()].filter((name) => !allowed.has(name));

  const fromField = parsed.fields.get(STATE_FIELD);
  const stateSource = fromField !== undefined && fromField !== '' ? STATE_FIELD : STATE_HEADER;
  const decoded = decodeState(stateSource === STATE_FIELD ? fromField : request.headers.get(STATE_HEADER), stateSource);
  if (!decoded.ok) return decoded;

  let eventId = parsed.fields.get(EVENT_ID_FIELD);
  if (eventId !== undefined && (typeof eventId !== 'string' || eventId.length === 0 || eventId.length > 128)) {
    return fail(400, EVENT_ID_FIELD, 'expected a string of 1 to 128 characters');
  }
  return { ok: true, bytes, type: parsed.type, traits, state: decoded.state, stateSource, eventId, ignored };
}
