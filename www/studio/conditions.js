// The editor of a rule's `when`: a choice of condition type, then the fields of that type (docs/api.md,
// "Conditions"), recursively for `all` / `any` / `not`.
import { button, checkbox, h, list, number, text, traitValue } from './fields.js';

const PATTERN_HINT = 'Patterns: * any text, ? one character; letters match in any case.';

/** Each condition type: its menu text, a starter value, and the fields of its object. */
export const CONDITIONS = {
  // docs/api.md and the schema also list `url` and `title`, but the engine accepts only `path` today.
  page_view: { text: 'Page view', start: { path: '/pricing*' }, fields: [['path', 'Path']] },
  download: { text: 'Download', start: { url: '*.pdf' }, fields: [['url', 'URL'], ['type', 'File types', 'list']] },
  form_submit: { text: 'Form submitted', start: { form: 'contact' }, fields: [['form', 'Form']] },
  click: { text: 'Click (CTA)', start: { name: 'book-demo' }, fields: [['name', 'Name']] },
  event: { text: 'Custom event', start: { name: 'demo_requested' }, fields: [['name', 'Name']] },
  campaign: { text: 'Campaign (UTM)', start: { source: 'newsletter' }, fields: [['source', 'Source'], ['medium', 'Medium'], ['campaign', 'Campaign']] },
  referrer: { text: 'Referrer', start: { host: '*.google.*' }, fields: [['host', 'Host']] },
  email_click: { text: 'Email click', start: { campaign: '*' }, fields: [['campaign', 'Campaign']] },
  engaged: { text: 'Engaged time', start: { seconds: 60 }, fields: [['path', 'On pages'], ['seconds', 'Seconds', 'number']] },
  visits: { text: 'Return visits', start: { at_least: 2 }, fields: [['at_least', 'At least', 'number']] },
  scroll: { text: 'Scroll depth', start: { depth: 75 }, fields: [['path', 'On pages'], ['depth', 'Depth %', 'number']] },
  inactive: { text: 'Inactive for', start: { for: '90d' }, fields: [['for', 'Period', 'duration']] },
  trait: { text: 'Trait (fit)', start: null },
  email_domain: { text: 'Email domain', start: { free: true } },
  all: { text: 'All of', start: [{ trait: 'company_size', at_least: 50 }] },
  any: { text: 'Any of', start: [{ trait: 'company_size', at_least: 50 }] },
  not: { text: 'Not', start: null },
};

/** Tests of a trait condition: [key, label, kind]. */
const TRAIT_TESTS = [
  ['equals', 'Equals', 'value'], ['one_of', 'One of', 'values'], ['contains', 'Contains', 'texts'],
  ['between', 'Between', 'range'], ['at_least', 'At least', 'number'], ['at_most', 'At most', 'number'],
  ['below', 'Below', 'number'], ['above', 'Above', 'number'], ['exists', 'Exists', 'bool'], ['is_true', 'Is true', 'bool'],
];

const OCCURRENCE = ['page_view', 'download', 'form_submit', 'click', 'event', 'campaign', 'referrer', 'email_click'];

/** The type of a condition object: its one key, or `trait`. */
export function conditionType(when) {
  if (!when || typeof when !== 'object') return '';
  if ('trait' in when) return 'trait';
  return Object.keys(when).find((k) => k in CONDITIONS) ?? '';
}

/** A new condition of a type, as a starting point. */
export function starter(type) {
  if (type === 'trait') return { trait: 'company_size', at_least: 50 };
  if (type === 'not') return { not: { trait: 'job_title', contains: 'student' } };
  const start = CONDITIONS[type].start;
  return { [type]: structuredClone(start) };
}

/** Only state conditions may appear inside all/any/not. */
const STATE_TYPES = Object.keys(CONDITIONS).filter((t) => !OCCURRENCE.includes(t));

export function conditionEditor(store, path, { nested = false } = {}) {
  const when = store.get(path);
  const type = conditionType(when);
  const types = nested ? STATE_TYPES : Object.keys(CONDITIONS);
  const errorId = `when-${(store.base + path).replace(/\W/g, '-')}-error`;
  const choose = h('select', { 'aria-label': 'Condition type', 'data-path': store.base + path, class: 'cond-type', 'aria-describedby': errorId },
    type ? null : h('option', { value: '', selected: true }, '(choose)'),
    types.map((t) => h('option', { value: t, selected: t === type }, CONDITIONS[t].text)));
  choose.addEventListener('change', () => store.set(path, starter(choose.value), { structural: true }));
  const box = h('div', { class: 'condition' }, h('div', { class: 'field' }, h('span', { class: 'label' }, nested ? 'Condition' : 'When'), choose,
    h('span', { class: 'field-error', id: errorId, 'data-error-for': store.base + path, hidden: true })),
  CONDITIONS[type]?.fields?.some(([, , kind]) => !kind) ? h('p', { class: 'hint' }, PATTERN_HINT) : null);
  const fields = h('div', { class: 'fields' });
  box.append(fields);
  if (CONDITIONS[type]?.fields) {
    for (const [key, label, kind] of CONDITIONS[type].fields) {
      const at = `${path}.${type}.${key}`;
      if (kind === 'number') fields.append(number(store, label, at));
      else if (kind === 'list') fields.append(list(store, label, at, { placeholder: 'pdf, docx' }));
      else if (kind === 'duration') fields.append(text(store, label, at, { placeholder: '90d', hint: 'e.g. 45s, 15m, 12h, 30d, 2w' }));
      else fields.append(text(store, label, at));
    }
  } else if (type === 'trait') traitFields(store, path, fields);
  else if (type === 'email_domain') emailDomainFields(store, path, when, fields);
  else if (type === 'all' || type === 'any') {
    const items = Array.isArray(when[type]) ? when[type] : [];
    const inner = h('ol', { class: 'subconditions' });
    items.forEach((_, i) => inner.append(h('li', {}, conditionEditor(store, `${path}.${type}[${i}]`, { nested: true }),
      button('Remove', () => store.set(`${path}.${type}[${i}]`, undefined, { structural: true }), { label: `Remove condition ${i + 1}` }))));
    box.append(inner, button('Add a condition', () => store.set(`${path}.${type}[${items.length}]`, starter('trait'), { structural: true })));
  } else if (type === 'not') box.append(h('div', { class: 'subconditions' }, conditionEditor(store, `${path}.not`, { nested: true })));
  return box;
}

function traitFields(store, path, fields) {
  fields.append(text(store, 'Trait', `${path}.trait`, { required: true, hint: 'a form field or identify() trait, e.g. company_size' }));
  for (const [key, label, kind] of TRAIT_TESTS) {
    const at = `${path}.${key}`;
    if (kind === 'value') {
      fields.append(text(store, label, at, { hint: 'text, a number or true/false', parse: traitValue }));
    } else if (kind === 'values') fields.append(list(store, label, at, { item: traitValue }));
    else if (kind === 'texts') fields.append(list(store, label, at, { hint: 'any of these, separated by commas' }));
    else if (kind === 'range') fields.append(list(store, label, at, { item: (v) => (Number.isFinite(Number(v)) ? Number(v) : v), placeholder: '50, 200', hint: 'low, high' }));
    else if (kind === 'number') fields.append(number(store, label, at));
    else fields.append(boolChoice(store, label, at));
  }
}

/** yes / no / not tested, for `exists` and `is_true`. */
function boolChoice(store, label, path) {
  const current = store.get(path);
  const control = h('select', { 'data-path': store.base + path },
    [['', '(not tested)'], ['true', 'yes'], ['false', 'no']].map(([v, t]) => h('option', { value: v, selected: String(current ?? '') === v }, t)));
  control.addEventListener('change', () => store.set(path, control.value === '' ? undefined : control.value === 'true'));
  const id = `b-${path.replace(/\W/g, '-')}`;
  control.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), control,
    h('span', { class: 'field-error', 'data-error-for': store.base + path, hidden: true }));
}

function emailDomainFields(store, path, when, fields) {
  const inner = when.email_domain ?? {};
  const mode = 'in' in inner ? 'in' : 'free';
  const id = `m-${path.replace(/\W/g, '-')}`;
  const choose = h('select', { id }, h('option', { value: 'free', selected: mode === 'free' }, 'is a free mail provider (built-in list)'),
    h('option', { value: 'in', selected: mode === 'in' }, 'is one of these domains'));
  choose.addEventListener('change', () => store.set(`${path}.email_domain`, choose.value === 'in' ? { in: ['rival.com'] } : { free: true }, { structural: true }));
  fields.append(h('div', { class: 'field' }, h('label', { for: id }, 'Domain'), choose));
  if (mode === 'free') fields.append(checkbox(store, 'free (unticked: not free)', `${path}.email_domain.free`, { whenOff: false }));
  else fields.append(list(store, 'Domains', `${path}.email_domain.in`, { placeholder: 'rival.com, other.io', wide: true }));
}
