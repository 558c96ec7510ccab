// Scores four sample visitors against the textbook model and shows each score card with its breakdown.
import { Model, engineVersion } from 'leadscore';

const DAY = 24 * 60 * 60 * 1000;
const now = Date.now();
const ago = (days) => now - days * DAY;

const visitors = [
  {
    name: 'Ann', who: 'Head of Sales at Acme (120 people), read everything this week',
    events: [
      { type: 'page_view', ts: ago(6), path: '/pricing' },
      { type: 'download', ts: ago(5), url: '/files/whitepaper-lead-scoring.pdf' },
      { type: 'form_submit', ts: ago(4), form: 'webinar',
        traits: { email: 'ann@acme.com', company_size: 120, job_title: 'Head of Sales' } },
      { type: 'page_view', ts: ago(1), path: '/pricing/enterprise' },
    ],
  },
  {
    name: 'Bob', who: 'Free-mail address, small company, one look at pricing',
    events: [
      { type: 'page_view', ts: ago(2), path: '/pricing' },
      { type: 'identify', ts: ago(2), traits: { email: 'bob@gmail.com', company_size: 8 } },
    ],
  },
  {
    name: 'Carla', who: 'Operations Manager (60 people), engaged four months ago, then silent',
    events: [
      { type: 'download', ts: ago(125), url: '/files/whitepaper-lead-scoring.pdf' },
      { type: 'form_submit', ts: ago(120), form: 'webinar',
        traits: { email: 'carla@logistics.example', company_size: 60, job_title: 'Operations Manager' } },
    ],
  },
  {
    name: 'Dev', who: 'Director at a 300-person firm, pricing and webinar yesterday',
    events: [
      { type: 'identify', ts: ago(1), traits: { email: 'dev@bigcorp.example', company_size: 300, job_title: 'Director of IT' } },
      { type: 'page_view', ts: ago(1), path: '/pricing' },
      { type: 'form_submit', ts: ago(1), form: 'webinar' },
    ],
  },
];

/** Tiny element helper: el('td', { class: 'num' }, '15'). */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  node.append(...children);
  return node;
}

function renderCard(visitor, card) {
  const stage = el('span', { class: `badge${card.qualified ? ' qualified' : ''}` },
    `${card.stage}${card.qualified ? ' · qualified' : ''}`);
  const rows = card.breakdown.map((line) => el('tr', {},
    el('td', {}, line.label ?? line.rule),
    el('td', {}, line.score ?? ''),
    el('td', { class: 'num' }, line.counted === undefined ? '' : `${line.counted}/${line.count}`),
    el('td', { class: `num${line.points < 0 ? ' negative' : ''}` }, String(line.points))));
  return el('section', { class: 'card', 'data-visitor': visitor.name, 'data-total': String(card.total) },
    el('h2', {}, visitor.name, stage),
    el('p', { class: 'who' }, visitor.who),
    el('div', {}, el('span', { class: 'total' }, String(card.total)),
      ` fit ${card.fit} · engagement ${card.engagement}${card.grade ? ` · grade ${card.grade}` : ''}`),
    el('p', {}, `Next step: ${card.next_step ?? '–'}`),
    card.reasons.length ? el('p', { class: 'who' }, card.reasons.join('; ')) : '',
    el('table', {},
      el('thead', {}, el('tr', {}, el('th', {}, 'rule'), el('th', {}, 'score'), el('th', {}, 'counted'), el('th', {}, 'points'))),
      el('tbody', {}, ...rows)));
}

const cards = document.getElementById('cards');
try {
  const textbook = await (await fetch('../models/textbook.json')).json();
  const model = new Model(textbook);
  document.getElementById('engine').textContent = `Engine ${engineVersion()}.`;
  cards.replaceChildren(...visitors.map((visitor) => renderCard(visitor, model.scoreLead({ events: visitor.events }, now))));
  model.free();
} catch (error) {
  cards.replaceChildren(el('p', { class: 'error' }, `Could not score: ${error.message}`));
  throw error;
}
