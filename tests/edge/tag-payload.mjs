// What the website tag POSTs for a visitor, built the way the tag builds it (docs/snippet.md "The
// payload"): a Scorer fed the visitor's events, its card's fields at the top level, the lead id and
// key, the traits, the page and the state (exportState()). The real tag in Chromium is relay-e2e's.
import { Scorer } from 'leadscore';

/** Events of a visitor who qualifies with the examples' model: pricing, whitepaper, webinar, a buyer. */
export function buyerEvents(start, { email = 'dana@acme-logistics.com', companySize = 120 } = {}) {
  return [
    { type: 'page_view', ts: start, path: '/' },
    { type: 'page_view', ts: start + 60_000, path: '/pricing' },
    { type: 'download', ts: start + 120_000, url: '/files/whitepaper.pdf' },
    { type: 'form_submit', ts: start + 180_000, id: 'webinar-1', form: 'webinar',
      traits: { email, company_size: companySize, job_title: 'Head of Sales' } },
  ];
}

export function tagPayload(model, { leadId, events, now, page = 'https://www.example.com/webinar?utm_source=x#top' }) {
  const scorer = new Scorer(model);
  try {
    scorer.ingestMany(events);
    const card = scorer.score(now);
    const state = scorer.exportState();
    return {
      lead_id: leadId, idempotency_key: `${leadId}:${card.model}:${card.stage}`, ...card,
      traits: state.traits ?? {}, history: { first_seen: events[0]?.ts ?? now, last_seen: now, visits: 1, pages: [], downloads: [], forms: [], clicks: [], events: [], source: { referrers: [], campaigns: [] } },
      page, sent_by: 'leadscore-browser/0.1.0', state,
    };
  } finally {
    scorer.free();
  }
}

/** The request the tag's outbox makes. */
export function tagRequest(url, payload, headers = {}) {
  return new Request(url, {
    method: 'POST', body: typeof payload === 'string' ? payload : JSON.stringify(payload),
    headers: { 'content-type': 'text/plain;charset=UTF-8', origin: 'https://www.example.com', ...headers },
  });
}
