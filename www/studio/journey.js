// The journey simulator: a visitor built step by step (or a real exported state to start from) is
// replayed through the engine against the draft, and the score card and the tag's payload are shown.
import { Scorer, engineVersion } from 'leadscore';
import { buildPayload } from './payload.js';
import { button, h, traitValue } from './fields.js';

const UNITS = { ms: 1, s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5 };

/** `"15m"` -> 900000; undefined when it is not a duration. */
export function durationMs(text) {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/.exec(text ?? '');
  return match ? Number(match[1]) * UNITS[match[2]] : undefined;
}

/** Each kind of step: its button text and fields ([key, label, placeholder]). */
const STEPS = {
  page_view: { text: 'Page view', fields: [['path', 'Path', '/pricing'], ['title', 'Title', ''], ['referrer', 'Referrer', 'https://www.google.com/', 'more'],
    ['utm_source', 'UTM source', 'newsletter', 'more'], ['utm_medium', 'UTM medium', 'email', 'more'], ['utm_campaign', 'UTM campaign', 'nov', 'more']] },
  engaged: { text: 'Engaged time', fields: [['path', 'Path', '/pricing'], ['seconds', 'Seconds', '45']] },
  scroll: { text: 'Scroll', fields: [['path', 'Path', '/pricing'], ['depth', 'Depth %', '75']] },
  download: { text: 'Download', fields: [['url', 'URL', '/files/guide.pdf']] },
  form_submit: { text: 'Form', fields: [['form', 'Form', 'contact'], ['traits', 'Traits (name = value, one a line)', 'email = dana@acme.io']] },
  click: { text: 'Click', fields: [['name', 'Name', 'book-demo']] },
  event: { text: 'Custom event', fields: [['name', 'Name', 'demo_requested']] },
  email_click: { text: 'Email click', fields: [['campaign', 'Campaign', 'newsletter-nov']] },
  identify: { text: 'Identify', fields: [['traits', 'Traits (name = value, one a line)', 'company_size = 120']] },
};

const NUMBER_FIELDS = new Set(['seconds', 'depth']);

export const SAMPLE_JOURNEY = [
  { after: '0m', type: 'page_view', path: '/', referrer: 'https://www.google.com/' },
  { after: '1m', type: 'page_view', path: '/pricing' },
  { after: '1m', type: 'engaged', path: '/pricing', seconds: '45' },
  { after: '2m', type: 'download', url: '/files/whitepaper.pdf' },
  { after: '3m', type: 'page_view', path: '/webinar' },
  { after: '1m', type: 'form_submit', form: 'webinar', traits: 'email = dana@acme-logistics.com\ncompany_size = 120\njob_title = Head of Sales' },
];

/** `name = value` lines -> traits; numbers and true/false are read as such. */
export function parseTraits(text) {
  const traits = {};
  for (const line of (text ?? '').split('\n')) {
    const at = line.indexOf('=');
    if (at < 1) continue;
    traits[line.slice(0, at).trim()] = traitValue(line.slice(at + 1));
  }
  return traits;
}

/** One step of the form as an engine event at `ts`. */
export function toEvent(step, ts) {
  const event = { type: step.type, ts };
  for (const [key] of STEPS[step.type].fields) {
    const value = step[key];
    if (value === undefined || value === '') continue;
    if (key === 'traits') event.traits = parseTraits(value);
    else if (key.startsWith('utm_')) event.utm = { ...event.utm, [key.slice(4)]: value };
    else event[key] = NUMBER_FIELDS.has(key) ? Number(value) : value;
  }
  if (step.type === 'identify' && !event.traits) event.traits = {};
  return event;
}

/** Reads an exported state: the object itself, its JSON, a `leadscore_state` field value (maybe URL-encoded), or a whole payload. */
export function readState(text) {
  let value = text.trim();
  if (/^%7B/i.test(value)) value = decodeURIComponent(value.replace(/\+/g, ' '));
  const parsed = JSON.parse(value);
  return parsed && typeof parsed === 'object' && parsed.state && parsed.v === undefined ? parsed.state : parsed;
}

export class Journey {
  constructor(container, store) {
    this.container = container;
    this.store = store;
    this.steps = structuredClone(SAMPLE_JOURNEY);
    this.start = '2026-01-05T09:00';
    this.later = '0m';
    this.origin = 'https://www.example.com';
    this.state = null;
    this.stateError = '';
    this.leadId = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
    this.build();
  }

  /** The builder's controls; rebuilt when steps are added or removed. */
  build() {
    const stepList = h('ol', { class: 'steps', 'aria-label': 'Journey steps' });
    this.steps.forEach((step, i) => stepList.append(this.stepEditor(step, i)));
    const adders = h('div', { class: 'adders', role: 'group', 'aria-label': 'Add a step' }, h('span', {}, 'Add: '),
      Object.entries(STEPS).map(([type, { text }]) => button(text, () => this.add(type), { label: `Add a ${text.toLowerCase()} step` })));
    const input = (id, label, value, onInput, attrs = {}) => h('div', { class: 'field' }, h('label', { for: id }, label),
      h('input', { id, value, ...attrs, oninput: (e) => { onInput(e.target.value); this.update(); } }));
    const stateBox = h('textarea', { id: 'state-input', rows: 3, placeholder: '{"v":1,"first":…} from exportState() or a leadscore_state field', spellcheck: 'false' });
    this.container.querySelector('#journey-builder').replaceChildren(
      h('div', { class: 'fields' },
        input('journey-start', 'Journey starts', this.start, (v) => { this.start = v; }, { type: 'datetime-local' }),
        input('journey-later', 'Score it this long after the last step', this.later, (v) => { this.later = v; }, { 'aria-describedby': 'later-hint' }),
        h('span', { class: 'hint', id: 'later-hint' }, 'moves the clock forward: decay, windows, inactivity')),
      h('details', { class: 'state-import', open: Boolean(this.state) }, h('summary', {}, 'Start from a real visitor state'),
        h('label', { for: 'state-input' }, 'Exported state (exportState(), a leadscore_state form field, or a delivered payload)'), stateBox,
        h('div', {}, button('Load the state', () => this.loadState(stateBox.value), { id: 'load-state' }),
          button('Forget it', () => { this.state = null; this.stateError = ''; this.build(); })),
        h('p', { id: 'state-status', role: 'status', class: this.stateError ? 'field-error' : 'hint' },
          this.stateError || (this.state ? `State loaded: ${(this.state.pages ?? []).length} pages, the steps below come after it.` : ''))),
      stepList, adders,
      input('journey-origin', 'Site address (for the payload\'s page)', this.origin, (v) => { this.origin = v; }));
    this.update();
  }

  stepEditor(step, i) {
    const row = h('li', { class: 'step', 'data-step': i });
    const fields = h('div', { class: 'fields' });
    const field = (key, label, placeholder, multiline) => {
      const id = `step-${i}-${key}`;
      const control = multiline ? h('textarea', { id, rows: 3, placeholder, spellcheck: 'false' }) : h('input', { id, placeholder, autocomplete: 'off' });
      control.value = step[key] ?? '';
      control.addEventListener('input', () => { step[key] = control.value; this.update(); });
      return h('div', { class: multiline ? 'field wide' : 'field' }, h('label', { for: id }, label), control);
    };
    fields.append(field('after', i === 0 ? 'At the start, plus' : 'After the previous step', '1m'));
    const more = STEPS[step.type].fields.filter((f) => f[3] === 'more');
    for (const [key, label, placeholder, where] of STEPS[step.type].fields) if (!where) fields.append(field(key, label, placeholder, key === 'traits'));
    const extra = more.length ? h('details', { open: more.some(([key]) => step[key]) }, h('summary', {}, 'Referrer and campaign (UTM)'),
      h('div', { class: 'fields' }, more.map(([key, label, placeholder]) => field(key, label, placeholder)))) : null;
    row.append(h('div', { class: 'step-head' }, h('h3', {}, `${i + 1}. ${STEPS[step.type].text}`),
      button('Remove', () => { this.steps.splice(i, 1); this.build(); }, { label: `Remove step ${i + 1}` })),
    fields, extra ?? '', h('p', { class: 'field-error', 'data-step-error': i, hidden: true }));
    return row;
  }

  add(type) {
    this.steps.push({ after: '1m', type });
    this.build();
    this.container.querySelector(`[data-step="${this.steps.length - 1}"] input`)?.focus();
  }

  loadState(text) {
    try {
      const state = readState(text);
      new Scorer(this.store.doc, { model: this.store.modelName }).importState(state);
      this.state = state;
      this.stateError = '';
    } catch (error) {
      this.stateError = `Not loaded: ${error.message}`;
    }
    this.build();
  }

  /** Replays the journey against the current document and shows the card and the payload. */
  update() {
    const card = this.container.querySelector('#score-card');
    const out = this.container.querySelector('#payload');
    let scorer;
    try {
      scorer = new Scorer(this.store.doc, { model: this.store.modelName });
    } catch (error) {
      card.replaceChildren(h('p', { class: 'error' }, `The model has errors (see the editor): ${error.message}`));
      out.textContent = '';
      this.container.querySelector('#payload-note').textContent = '';
      return;
    }
    try {
      if (this.state) scorer.importState(this.state);
      const stateEnd = this.state ? (this.state.first ?? 0) + (this.state.last ?? 0) * 1000 : 0;
      let ts = Math.max(Date.parse(this.start) || Date.UTC(2026, 0, 5, 9), stateEnd);
      let page = '';
      this.steps.forEach((step, i) => {
        ts += durationMs(step.after) ?? 0;
        const slot = this.container.querySelector(`[data-step-error="${i}"]`);
        const problem = step.after && durationMs(step.after) === undefined ? `"${step.after}" is not a duration (e.g. 30s, 5m, 2d)` : '';
        const result = scorer.ingest(toEvent(step, ts));
        const message = problem || (result.accepted ? '' : `Rejected by the engine: ${result.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
        slot.hidden = !message;
        slot.textContent = message;
        if (step.type === 'page_view' && step.path) page = step.path;
      });
      const now = ts + (durationMs(this.later) ?? 0);
      const result = scorer.score(now);
      const state = scorer.exportState();
      card.replaceChildren(renderCard(result, now));
      const payload = buildPayload({ card: result, state, leadId: this.leadId, page: `${this.origin.replace(/\/$/, '')}${page.split('?')[0]}`, sentBy: `leadscore-browser/${engineVersion()}` });
      this.container.querySelector('#payload-note').textContent = result.qualified
        ? `Qualified: the tag would POST this to data-endpoint (once for the stage ${result.stage}).`
        : 'Not qualified: the tag sends nothing. This is what it would send once the visitor qualifies.';
      out.textContent = JSON.stringify(payload, null, 2);
    } catch (error) {
      card.replaceChildren(h('p', { class: 'error' }, error.message));
    } finally {
      scorer.free();
    }
  }
}

const signed = (n) => (n > 0 ? `+${n}` : String(n));
const round = (n) => Math.round(n * 100) / 100;

/** The score card: the numbers, the gate's reasons and the breakdown line by line. */
export function renderCard(card, now) {
  const adjustments = card.breakdown.filter((l) => /^(group|cap|scale):/.test(l.rule));
  const decayed = round(card.breakdown.reduce((sum, l) => sum + l.decayed, 0));
  const capped = round(adjustments.reduce((sum, l) => sum + l.points, 0));
  const stat = (label, value, id) => h('div', { class: 'stat' }, h('span', { class: 'stat-label' }, label), h('span', { class: 'stat-value', id }, String(value)));
  const rows = card.breakdown.map((l) => h('tr', { class: adjustments.includes(l) ? 'adjust' : '' },
    h('td', {}, l.label, adjustments.includes(l) ? h('span', { class: 'hint' }, ` (${l.rule})`) : null), h('td', {}, l.score),
    h('td', { class: 'num' }, adjustments.includes(l) ? '' : `${l.counted} of ${l.count}`), h('td', { class: 'num' }, signed(l.base)),
    h('td', { class: 'num' }, l.decayed ? `−${l.decayed}` : ''), h('td', { class: `num${l.points < 0 ? ' negative' : ''}` }, signed(l.points))));
  return h('div', {},
    h('div', { class: 'stats' }, stat('Total', card.total, 'card-total'), stat('Fit', card.fit, 'card-fit'), stat('Engagement', card.engagement, 'card-engagement'),
      stat('Stage', card.stage, 'card-stage'), stat('Grade', card.grade, 'card-grade'),
      h('div', { class: `stat ${card.qualified ? 'yes' : 'no'}` }, h('span', { class: 'stat-label' }, 'Qualified'), h('span', { class: 'stat-value', id: 'card-qualified' }, card.qualified ? 'yes' : 'no'))),
    h('p', { class: 'hint' }, `Scored at ${new Date(now).toISOString().slice(0, 16).replace('T', ' ')} UTC. `,
      card.next_step ? `Next step: ${card.next_step}. ` : '', card.disqualified_by.length ? `Vetoed by ${card.disqualified_by.join(', ')}. ` : ''),
    h('ul', { class: 'reasons', 'aria-label': 'Why' }, card.reasons.map((r) => h('li', {}, r))),
    h('table', { class: 'breakdown' }, h('caption', {}, 'Breakdown: the points add up to the total'),
      h('thead', {}, h('tr', {}, ['Rule', 'Score', 'Counted', 'Base', 'Decay removed', 'Points'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows),
      h('tfoot', {}, h('tr', {}, h('th', { scope: 'row', colspan: 4 }, `Decay removed ${decayed}; caps and scale ${capped ? `changed it by ${signed(capped)}` : 'removed nothing'}`),
        h('td', {}), h('td', { class: 'num' }, String(card.total))))));
}
