// Signed webhooks per the Standard Webhooks spec (https://www.standardwebhooks.com):
// `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature: v1,<base64 HMAC-SHA256 of
// "id.timestamp.body">`, one signature per secret (several while a secret is being rotated).
// Secrets are `whsec_<base64 key>`, as the spec's libraries generate them. crypto.subtle only.

const PREFIX = 'whsec_';
/** How far a timestamp may be from the receiver's clock (the spec's libraries use 5 minutes). */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;
const encoder = new TextEncoder();
const keys = new Map();

function keyBytes(secret) {
  const text = String(secret ?? '');
  const base64 = text.startsWith(PREFIX) ? text.slice(PREFIX.length) : text;
  try {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    if (bytes.length >= 16) return bytes;
  } catch { /* reported below */ }
  throw new TypeError('webhook secret: expected "whsec_" and at least 16 bytes in base64');
}

/** The HMAC key of a secret, imported once. */
function hmacKey(secret) {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', keyBytes(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    keys.set(secret, key);
    if (keys.size > 64) keys.delete(keys.keys().next().value);
  }
  return key;
}

const toBase64 = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)));
const secretList = (secret) => (Array.isArray(secret) ? secret : [secret]);

/** The three headers for `body` (a string): `{ 'webhook-id', 'webhook-timestamp', 'webhook-signature' }`. */
export async function signWebhook(secret, { id, body, timestamp = Math.floor(Date.now() / 1000) }) {
  const content = encoder.encode(`${id}.${timestamp}.${body}`);
  const signatures = await Promise.all(secretList(secret).map(async (s) =>
    `v1,${toBase64(await crypto.subtle.sign('HMAC', await hmacKey(s), content))}`));
  return { 'webhook-id': String(id), 'webhook-timestamp': String(timestamp), 'webhook-signature': signatures.join(' ') };
}

export class WebhookVerificationError extends Error {}

/**
 * Verifies a signed webhook request and resolves its JSON body; rejects with WebhookVerificationError
 * when a header is missing, the timestamp is more than `toleranceSeconds` from `now`, or no signature
 * matches any of the secrets (pass several while rotating). The comparison is crypto.subtle.verify's.
 */
export async function verifyWebhook(secret, request, { toleranceSeconds = WEBHOOK_TOLERANCE_SECONDS, now = Date.now() } = {}) {
  const header = (name) => request.headers.get(name) ?? '';
  const id = header('webhook-id');
  const timestamp = header('webhook-timestamp');
  const signatures = header('webhook-signature').split(' ').filter((s) => s.startsWith('v1,')).map((s) => s.slice(3));
  if (!id || !timestamp || signatures.length === 0) throw new WebhookVerificationError('missing webhook-id, webhook-timestamp or a v1 webhook-signature');
  const seconds = Number(timestamp);
  if (!/^\d+$/.test(timestamp) || Math.abs(now / 1000 - seconds) > toleranceSeconds) {
    throw new WebhookVerificationError(`webhook-timestamp ${timestamp} is more than ${toleranceSeconds} s from now`);
  }
  const body = await request.text();
  const content = encoder.encode(`${id}.${timestamp}.${body}`);
  for (const s of secretList(secret)) {
    const key = await hmacKey(s);
    for (const signature of signatures) {
      let bytes;
      try {
        bytes = Uint8Array.from(atob(signature), (c) => c.charCodeAt(0));
      } catch {
        continue;
      }
      if (await crypto.subtle.verify('HMAC', key, bytes, content)) return JSON.parse(body);
    }
  }
  throw new WebhookVerificationError('no signature matches');
}
