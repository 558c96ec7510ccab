// Form controls bound to a path of the edited model. Each control carries `data-path` (the full path as
// the engine names it in its errors, so errors.js can put an error next to the field it names) and
// writes its value through the store on every keystroke. An emptied optional field is removed from the
// document rather than written as "" or 0.

let nextId = 0;
const uid = (prefix) => `${prefix}-${++nextId}`;

/** Creates an element: h('div', { class: 'x', onclick }, child, 'text', …). */
export function h(name, attributes = {}, ...children) {
  const node = document.createElement(name);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === false || value === null) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key === 'class') node.className = value;
    else if (value === true) node.setAttribute(key, '');
    else node.setAttribute(key, value);
  }
  node.append(...children.flat().filter((c) => c !== undefined && c !== null && c !== false));
  return node;
}

/** A button; `label` is its accessible name when the text is only a symbol. */
export function button(text, onclick, { label, kind = 'secondary', id } = {}) {
  return h('button', { type: 'button', class: `btn ${kind}`, 'aria-label': label, onclick, id }, text);
}

/** Wraps a control with its label, an optional hint and the slot its error goes into. */
function wrap(store, path, labelText, control, hint, wide) {
  const id = uid('f');
  const errorId = `${id}-error`;
  control.id = id;
  control.dataset.path = store.base + path;
  control.setAttribute('aria-describedby', hint ? `${errorId} ${id}-hint` : errorId);
  return h('div', { class: wide ? 'field wide' : 'field' },
    h('label', { for: id }, labelText),
    control,
    hint && h('span', { class: 'hint', id: `${id}-hint` }, hint),
    h('span', { class: 'field-error', id: errorId, 'data-error-for': store.base + path, hidden: true }));
}

const shown = (value) => (value === undefined || value === null ? '' : String(value));

/** Text; empty removes the key unless `required`. */
export function text(store, label, path, { hint, placeholder, required, wide, list, parse = (v) => v } = {}) {
  const input = h('input', { type: 'text', value: shown(store.get(path)), placeholder, list, autocomplete: 'off', spellcheck: 'false' });
  input.addEventListener('input', () => store.set(path, input.value === '' && !required ? undefined : parse(input.value)));
  return wrap(store, path, label, input, hint, wide);
}

/** A number; text that is not a number is kept as typed so that the engine names the problem. */
export function number(store, label, path, { hint, placeholder } = {}) {
  const input = h('input', { type: 'text', inputmode: 'decimal', value: shown(store.get(path)), placeholder, class: 'num' });
  input.addEventListener('input', () => {
    const raw = input.value.trim();
    store.set(path, raw === '' ? undefined : Number.isFinite(Number(raw)) ? Number(raw) : raw);
  });
  return wrap(store, path, label, input, hint);
}

/** A choice among [value, text] pairs; the value '' removes the key. `current` overrides the option shown as chosen. */
export function select(store, label, path, options, { hint, structural = false, parse = (v) => v, current = shown(store.get(path)) } = {}) {
  const control = h('select', {}, options.map(([value, textOf]) => h('option', { value, selected: value === current }, textOf)));
  if (current !== '' && !options.some(([value]) => value === current)) control.append(h('option', { value: current, selected: true }, `${current} (unknown)`));
  control.addEventListener('change', () => store.set(path, control.value === '' ? undefined : parse(control.value), { structural }));
  return wrap(store, path, label, control, hint);
}

/** true, or `whenOff` (default: the key removed). */
export function checkbox(store, label, path, { hint, whenOff } = {}) {
  const id = uid('f');
  const input = h('input', { type: 'checkbox', id, checked: store.get(path) === true, 'data-path': store.base + path,
    'aria-describedby': `${id}-error` });
  input.addEventListener('change', () => store.set(path, input.checked ? true : whenOff));
  return h('div', { class: 'field check' }, input, h('label', { for: id }, label), hint && h('span', { class: 'hint' }, hint),
    h('span', { class: 'field-error', id: `${id}-error`, 'data-error-for': store.base + path, hidden: true }));
}

/** Reads `120` as a number, `true`/`false` as booleans, anything else as text (trait values). */
export function traitValue(raw) {
  const value = raw.trim();
  if (value !== '' && Number.isFinite(Number(value))) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  return value;
}

/** A comma-separated list; `item` turns each entry into its value. */
export function list(store, label, path, { hint, placeholder, item = (v) => v.trim(), wide } = {}) {
  const current = store.get(path);
  const input = h('input', { type: 'text', value: Array.isArray(current) ? current.join(', ') : shown(current), placeholder, autocomplete: 'off', spellcheck: 'false' });
  input.addEventListener('input', () => {
    const items = input.value.split(',').map((v) => v.trim()).filter((v) => v !== '').map(item);
    store.set(path, items.length ? items : undefined);
  });
  return wrap(store, path, label, input, hint ?? 'separate with commas', wide);
}
