// The marketing view: every lead the endpoint stored, with its breakdown.
const el = (tag, attributes = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  node.append(...children);
  return node;
};
const root = document.getElementById('leads');
try {
  const leads = await (await fetch('/api/leads', { cache: 'no-store' })).json();
  if (!leads.length) root.replaceChildren(el('p', {}, 'No lead yet: browse the site as a buyer would (pricing, whitepaper, webinar).'));
  else root.replaceChildren(...leads.slice().reverse().map(({ received_at: at, lead }) => {
    const traits = Object.entries(lead.traits ?? {}).map(([k, v]) => `${k}: ${v}`).join(' · ');
    const pages = (lead.history?.pages ?? []).map((p) => `${p.path} (${p.views}×, ${p.engaged_seconds}s)`).join(', ');
    return el('section', { class: 'lead', 'data-lead': lead.lead_id, 'data-stage': lead.stage, 'data-total': String(lead.total) },
      el('h2', {}, `${lead.traits?.email ?? lead.lead_id}`, el('span', { class: 'badge' }, `${lead.stage} · ${lead.total}`)),
      el('p', { class: 'who' }, `fit ${lead.fit} · engagement ${lead.engagement} · model ${lead.model} v${lead.model_version ?? '–'} · received ${at}`),
      el('p', {}, traits),
      pages ? el('p', { class: 'who' }, `Pages: ${pages}`) : '',
      el('table', {},
        el('thead', {}, el('tr', {}, el('th', {}, 'rule'), el('th', {}, 'score'), el('th', { class: 'num' }, 'points'))),
        el('tbody', {}, ...lead.breakdown.map((line) => el('tr', {},
          el('td', {}, line.label ?? line.rule), el('td', {}, line.score ?? ''),
          el('td', { class: `num${line.points < 0 ? ' negative' : ''}` }, String(line.points)))))));
  }));
} catch (error) {
  root.replaceChildren(el('p', { class: 'error' }, `Could not load the leads: ${error.message}`));
}
