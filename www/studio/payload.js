// The JSON the website tag POSTs when a visitor qualifies (docs/snippet.md, "The payload"), assembled
// from a score card and the visitor state (`exportState()`) as src/browser/payload.rs assembles it: the
// lead id and idempotency key, the card's fields, then the traits, the page, `sent_by`, the state and
// the history. Kept in this one module so that it follows the tag if the payload changes.

/** `<lead id>:<model>:<stage>`: a receiver drops repeats of the same key. */
export const idempotencyKey = (leadId, model, stage) => `${leadId}:${model}:${stage}`;

/** Tallies of the state are `[key, count, older, [recent times], …]`; pages add engaged seconds and scroll depth. */
const tallies = (list) => (Array.isArray(list) ? list : []);

/** The `history` object: pages with engaged seconds, downloads, forms, clicks, events and the source. */
export function history(state) {
  const first = state.first ?? 0;
  const counted = (list, name) => tallies(list).map(([key, count]) => ({ [name]: key, count }));
  return {
    first_seen: first,
    last_seen: first + Math.round((state.last ?? 0) * 1000),
    visits: Array.isArray(state.visits) ? state.visits[1] : 0,
    pages: tallies(state.pages).map((p) => ({ path: p[0], views: p[1], engaged_seconds: Math.floor(p.length >= 7 ? p[4] : 0), scroll: p.length >= 7 ? p[5] : 0 })),
    downloads: counted(state.downloads, 'url'),
    forms: counted(state.forms, 'form'),
    clicks: counted(state.clicks, 'name'),
    events: counted(state.events, 'name'),
    source: {
      referrers: tallies(state.referrers).map(([key]) => key),
      campaigns: tallies(state.campaigns).map(([key]) => {
        const [source = '', medium = '', campaign = ''] = key.split('|');
        return { source, medium, campaign };
      }),
    },
  };
}

/**
 * @param o.card     the score card (`Scorer.score()`)
 * @param o.state    the visitor state (`Scorer.exportState()`)
 * @param o.leadId   the tag's random, per-browser lead id
 * @param o.page     the page the visitor qualified on, without its query
 * @param o.sentBy   `leadscore-browser/<version>`
 */
export function buildPayload({ card, state, leadId, page, sentBy }) {
  return {
    lead_id: leadId,
    idempotency_key: idempotencyKey(leadId, card.model, card.stage),
    ...card,
    traits: state.traits ?? {},
    page,
    sent_by: sentBy,
    state,
    history: history(state),
  };
}
