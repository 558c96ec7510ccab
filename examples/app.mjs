// The edge examples' application, the same in workerd, Deno and Node: each runtime only adapts
// its server and its environment to `handle(request, env, { waitUntil })`.
//   POST /forms/<contact|webinar|demo>  qualify the submission (the path names the form in the model)
//   POST /leads                         relay a lead the website tag sent (point data-endpoint here)
//   GET  /health                        { ok, engine, forward_failures }
// Environment: FORWARD_URL (where qualified leads go; unset: decide only), FORWARD_KIND (webhook |
// hubspot | segment | salesforce | pipedrive), WEBHOOK_SECRET (signs the webhook: Standard Webhooks),
// SLACK_WEBHOOK_URL (the relay also posts to Slack), HUBSPOT_PORTAL_ID, HUBSPOT_FORM_GUID, HUBSPOT_TOKEN,
// SEGMENT_WRITE_KEY, SALESFORCE_ORG_ID, PIPEDRIVE_API_TOKEN, CORS_ORIGIN, LEADSCORE_NOW (a fixed clock,
// for tests and demos), LEADSCORE_EXPOSE_BREAKDOWN=1, SHADOW_MODEL (a challenger's model document as JSON:
// scored on every forwarded lead and reported in it as `shadow`, never deciding).
import { createQualifier, createRelay, hubspot, pipedrive, salesforce, segment, slack, webhook } from 'leadscore/edge';
import model from './model.mjs';

const FORMS = ['contact', 'webinar', 'demo'];
const shadowOf = (env) => (env.SHADOW_MODEL ? JSON.parse(env.SHADOW_MODEL) : undefined);
let forwardFailures = 0;

function target(env) {
  const url = env.FORWARD_URL || undefined;
  switch (env.FORWARD_KIND || 'webhook') {
    case 'hubspot':
      return hubspot({ portalId: env.HUBSPOT_PORTAL_ID ?? '0', formGuid: env.HUBSPOT_FORM_GUID ?? '', token: env.HUBSPOT_TOKEN || undefined, url });
    case 'segment':
      return segment({ writeKey: env.SEGMENT_WRITE_KEY ?? '', url });
    case 'salesforce':
      return salesforce({ orgId: env.SALESFORCE_ORG_ID ?? '', url });
    case 'pipedrive':
      return pipedrive({ apiToken: env.PIPEDRIVE_API_TOKEN ?? '', url });
    default:
      return url ? webhook(url, { secret: env.WEBHOOK_SECRET || undefined }) : undefined;
  }
}

/** One qualifier per environment object (workerd passes the same `env` to every request). */
const qualifiers = new WeakMap();
function qualifierFor(env) {
  let qualify = qualifiers.get(env);
  if (!qualify) {
    qualify = createQualifier({
      model,
      shadow: shadowOf(env),
      forward: target(env),
      form: (request) => new URL(request.url).pathname.split('/')[2],
      now: env.LEADSCORE_NOW ? () => Number(env.LEADSCORE_NOW) : undefined,
      exposeBreakdown: env.LEADSCORE_EXPOSE_BREAKDOWN === '1',
      cors: env.CORS_ORIGIN || undefined,
      timeoutMs: env.FORWARD_TIMEOUT_MS ? Number(env.FORWARD_TIMEOUT_MS) : undefined,
      onForwardError: reportFailure,
    });
    qualifiers.set(env, qualify);
  }
  return qualify;
}

function reportFailure(failure) {
  forwardFailures += 1;
  // The whole lead goes to the log: a failed delivery can be replayed from there.
  console.error(JSON.stringify({ event: 'leadscore.forward_failed', ...failure }));
}

/** The relay: the webhook (signed with WEBHOOK_SECRET) and, when configured, Slack, each on its own. */
const relays = new WeakMap();
function relayFor(env) {
  let relay = relays.get(env);
  if (!relay) {
    relay = createRelay({
      model,
      shadow: shadowOf(env),
      forward: [target(env), env.SLACK_WEBHOOK_URL && slack(env.SLACK_WEBHOOK_URL)].filter(Boolean),
      now: env.LEADSCORE_NOW ? () => Number(env.LEADSCORE_NOW) : undefined,
      cors: env.CORS_ORIGIN || '*',
      timeoutMs: env.FORWARD_TIMEOUT_MS ? Number(env.FORWARD_TIMEOUT_MS) : undefined,
      onForwardError: reportFailure,
    });
    relays.set(env, relay);
  }
  return relay;
}

export async function handle(request, env, { waitUntil } = {}) {
  const { pathname } = new URL(request.url);
  const [, section, form] = pathname.split('/');
  if (section === 'health' && request.method === 'GET') {
    return Response.json({ ok: true, forward_failures: forwardFailures });
  }
  if (section === 'leads' && !form) return relayFor(env)(request, waitUntil ? { waitUntil } : undefined);
  if (section !== 'forms' || !FORMS.includes(form)) {
    return Response.json({ ok: false, error: `no such form; POST to /forms/{${FORMS.join(',')}}`, field: 'path' }, { status: 404 });
  }
  return qualifierFor(env)(request, waitUntil ? { waitUntil } : undefined);
}
