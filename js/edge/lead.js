// The one lead format (schema/lead.json, format 1): what `qualify` and `relay` forward, and what the
// website tag POSTs. The tag's payload is the same shape without the server's fields (`type`,
// `lead_format`, `scored_by`, `clamped`, `form`), plus its own `history` and `state`.
import { engineVersion, scoreSubmission } from '../core/leadscore.js';

export const LEAD_FORMAT = 1;

/** `http(s)://host/path` of a page: query and fragment dropped (they may hold personal data). */
export function pageUri(text) {
  try {
    const url = new URL(text ?? '');
    return url.protocol === 'http:' || url.protocol === 'https:' ? `${url.origin}${url.pathname}` : null;
  } catch {
    return null;
  }
}

/** The score card's fields as the lead format carries them (at its top level, and in `shadow`). */
const cardFields = (card) => ({
  model: card.model, model_version: card.model_version, fit: card.fit, engagement: card.engagement,
  total: card.total, grade: card.grade, stage: card.stage, qualified: card.qualified, reasons: card.reasons,
  disqualified_by: card.disqualified_by, next_step: card.next_step, scored_at: card.scored_at, breakdown: card.breakdown,
  // Value tiers (issue 15): only models with a value section have it, so other leads keep their exact shape.
  ...(card.value ? { value: card.value } : {}),
});

/**
 * The card of the model run in shadow (`options.shadow`) for the same submission, as the lead's `shadow`
 * carries it. Scored after the decision and never part of it: a submission the shadow model cannot
 * score gets `{ model, error }`, and the lead is delivered all the same.
 */
export function shadowCard(shadow, submission, now) {
  if (!shadow) return undefined;
  let scored;
  try {
    scored = scoreSubmission(shadow, submission, now);
  } catch (error) {
    scored = { ok: false, errors: [{ message: String(error?.message ?? error) }] };
  }
  return scored.ok ? cardFields(scored.card) : { model: shadow.name, error: scored.errors[0]?.message ?? 'could not score' };
}

/**
 * A lead scored on the server, in the lead format: the card's fields at the top level (as the tag
 * sends them), the lead id and the idempotency key a receiver dedupes by. `context` (cookies the
 * HubSpot and Segment destinations use) is attached but not enumerable: never sent as such.
 * `shadow`: the card of the model run in shadow (`shadowCard`), when there is one.
 */
export function serverLead({ leadId, idempotencyKey, card, traits, page, form = null, clamped, shadow, context = {} }) {
  const lead = {
    type: 'lead.qualified', lead_format: LEAD_FORMAT, lead_id: leadId, idempotency_key: idempotencyKey,
    ...cardFields(card), traits, page, form, clamped,
    scored_by: 'server', sent_by: `leadscore-edge/${engineVersion()}`,
  };
  // A challenger's card, when the deployment runs one in shadow (reported, never deciding).
  if (shadow) lead.shadow = shadow;
  Object.defineProperty(lead, 'context', { value: context, enumerable: false });
  return lead;
}

/** Who the lead is, in a few words: "Dana Reyes <dana@acme.com>, Head of Sales at Acme (120)". */
export function leadName(lead) {
  const t = lead.traits ?? {};
  const name = [t.first_name, t.last_name].filter(Boolean).join(' ');
  const who = name && t.email ? `${name} <${t.email}>` : name || t.email || `lead ${lead.lead_id}`;
  const company = t.company ?? t.email_domain ?? (typeof t.email === 'string' ? t.email.split('@')[1] : undefined);
  const role = [t.job_title, company && `at ${company}${t.company_size ? ` (${t.company_size})` : ''}`].filter(Boolean).join(' ');
  return role ? `${who}, ${role}` : who;
}

/** The rules that gave the most points, as "label +points", best first. */
export function topReasons(lead, n = 3) {
  return [...(lead.breakdown ?? [])].filter((line) => line.points > 0).sort((a, b) => b.points - a.points).slice(0, n)
    .map((line) => `${line.label} +${line.points}`);
}
