// The studio page: opens a model, keeps the form, the JSON view, the engine's validation, the journey
// simulator, the history preview and the export in step with the one document in the store.
import { validateModel } from 'leadscore';
import { forgetOpenRules, refreshSummaries, renderEditor } from './editor.js';
import { showErrors } from './errors.js';
import { formNames, modelFileText, qualifySnippet, scriptTag } from './export.js';
import { h } from './fields.js';
import { History } from './history.js';
import { Journey } from './journey.js';
import { Store, joinPath, parsePath } from './store.js';
import { TEMPLATES, loadTemplate } from './templates.js';

/** Where calibrate.html leaves the model it learned (localStorage, so another tab sees it). */
const CALIBRATED_KEY = 'leadscore:calibrated-model';
const $ = (id) => document.getElementById(id);

const store = new Store({ name: 'draft', rules: [] });
const editor = $('editor');
const json = $('json');
let journey;
let history;
let lastValid = false;

function openError(message) {
  $('open-error').textContent = message;
  $('open-error').hidden = !message;
}

/** Opens a document: from an object, or JSON text (a file, a URL, the calibration page). */
function open(doc, from) {
  openError('');
  if (!doc || typeof doc !== 'object') return openError(`${from}: not a JSON object`);
  forgetOpenRules();
  store.modelIndex = 0;
  $('status').dataset.from = from;
  store.replace(doc, 'open');
}

async function openUrl(url) {
  try {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    open(await response.json(), url);
  } catch (error) {
    openError(`Could not open ${url}: ${error.message}`);
  }
}

function openCalibrated() {
  const text = localStorage.getItem(CALIBRATED_KEY);
  if (!text) return openError('No model learned yet: learn one on the calibration page (calibrate.html), then come back.');
  open(JSON.parse(text), 'the calibration page');
}

/** The model selector, for documents with several models. */
function renderModelChoice() {
  const models = Array.isArray(store.doc?.models) ? store.doc.models : null;
  $('model-choice').hidden = !models;
  if (!models) return;
  $('model-select').replaceChildren(...models.map((m, i) => h('option', { value: i, selected: i === store.modelIndex }, m?.name ?? `model ${i + 1}`)));
}

/** Validates with the engine and puts each error next to its field; lists them all in the summary too. */
function validate() {
  const result = validateModel(store.doc);
  const errors = result.ok ? [] : result.errors;
  lastValid = result.ok;
  const unclaimed = showErrors(editor, errors.filter((e) => e.path.startsWith(store.base) || !store.base));
  const summary = $('error-summary');
  summary.hidden = result.ok;
  summary.replaceChildren(h('h2', {}, `${errors.length} error${errors.length === 1 ? '' : 's'} (the engine would refuse this model)`),
    h('ul', {}, errors.map((e) => h('li', {}, h('a', { href: '#', 'data-goto': e.path, onclick: (event) => { event.preventDefault(); focusPath(e.path); } }, e.path || '(document)'), `: ${e.message}`,
      unclaimed.includes(e) ? ' (no field of its own: fix it in the JSON view)' : ''))));
  $('status').textContent = result.ok
    ? `Valid: ${result.models.length} model${result.models.length === 1 ? '' : 's'} (${result.models.join(', ')}), opened from ${$('status').dataset.from ?? 'a template'}.`
    : `${errors.length} error${errors.length === 1 ? '' : 's'}: see the fields marked in red.`;
  $('status').className = result.ok ? 'ok' : 'bad';
}

/** Focuses the field an error names, or the closest one that exists. */
function focusPath(path) {
  const parts = parsePath(path);
  while (parts.length) {
    const target = [...editor.querySelectorAll('[data-path]')].find((el) => el.dataset.path === path);
    if (target) {
      target.closest('details')?.setAttribute('open', '');
      target.focus();
      return;
    }
    parts.pop();
    path = joinPath(parts);
  }
}

function updateExport() {
  const text = modelFileText(store.doc);
  const link = $('download');
  if (link.href.startsWith('blob:')) URL.revokeObjectURL(link.href);
  link.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  $('export-status').textContent = lastValid ? `${text.length.toLocaleString('en')} bytes, valid.` : 'The model has errors: the engine would refuse it.';
  const modelName = Array.isArray(store.doc?.models) && store.doc.models.length > 1 ? store.modelName : undefined;
  $('script-tag').textContent = scriptTag({ tagUrl: $('tag-url').value, modelUrl: $('model-url').value, endpoint: $('endpoint').value, modelName });
  const file = $('model-url').value.split('/').pop() || 'leadscore-model.json';
  const forms = formNames(store.model);
  if (!$('edge-form').dataset.typed && forms.length && !forms.includes($('edge-form').value)) $('edge-form').value = forms[0];
  $('qualify-snippet').textContent = qualifySnippet({ modelFile: file, form: $('edge-form').value, modelName });
  $('form-names').replaceChildren(...forms.map((name) => h('option', { value: name })));
}

let pending = 0;
store.on(({ source, structural }) => {
  if (structural) {
    const focused = document.activeElement?.dataset?.path;
    const scroll = $('editor-column').scrollTop;
    renderEditor(store, editor);
    renderModelChoice();
    $('editor-column').scrollTop = scroll;
    if (focused) editor.querySelector(`[data-path="${CSS.escape(focused)}"]`)?.focus();
  } else refreshSummaries(store, editor);
  if (source !== 'json') {
    json.value = JSON.stringify(store.doc, null, 2);
    $('json-error').hidden = true;
  }
  validate();
  updateExport();
  // The simulator replays the journey once per frame at most, however fast one types.
  cancelAnimationFrame(pending);
  pending = requestAnimationFrame(() => journey?.update());
  history?.stale();
});

json.addEventListener('input', () => {
  try {
    const doc = JSON.parse(json.value);
    $('json-error').hidden = true;
    json.removeAttribute('aria-invalid');
    store.replace(doc, 'json');
  } catch (error) {
    $('json-error').textContent = `Not JSON yet: ${error.message}`;
    $('json-error').hidden = false;
    json.setAttribute('aria-invalid', 'true');
  }
});

// Tabs: click, or the arrow keys on the tab list (the ARIA tabs pattern).
const tabs = [...document.querySelectorAll('[role=tab]')];
function select(tab) {
  for (const t of tabs) {
    const on = t === tab;
    t.setAttribute('aria-selected', String(on));
    t.tabIndex = on ? 0 : -1;
    $(t.getAttribute('aria-controls')).hidden = !on;
  }
  if (tab.id === 'tab-journey') journey.update();
  history?.refreshIfStale();
}
tabs.forEach((tab, i) => {
  tab.addEventListener('click', () => select(tab));
  tab.addEventListener('keydown', (event) => {
    const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    const next = tabs[(to + tabs.length) % tabs.length];
    next.focus();
    select(next);
  });
});

$('open').addEventListener('submit', (event) => {
  event.preventDefault();
  if ($('open-url').value) openUrl($('open-url').value);
});
$('open-file').addEventListener('change', async (event) => {
  const [file] = event.target.files;
  if (!file) return;
  try {
    open(JSON.parse(await file.text()), file.name);
  } catch (error) {
    openError(`${file.name}: ${error.message}`);
  }
});
$('open-demo').addEventListener('click', () => openUrl('/leadscore-model.json'));
$('open-calibrated').addEventListener('click', openCalibrated);
$('template').replaceChildren(...TEMPLATES.map(([value, text]) => h('option', { value }, text)));
$('open-template').addEventListener('click', async () => open(await loadTemplate($('template').value), `the ${$('template').selectedOptions[0].text} template`));
$('template').value = 'textbook'; // the one opened at start
$('model-select').addEventListener('change', (event) => {
  store.modelIndex = Number(event.target.value);
  forgetOpenRules();
  store.changed('open', true);
});
for (const id of ['tag-url', 'model-url', 'endpoint', 'edge-form']) $(id).addEventListener('input', updateExport);
$('edge-form').addEventListener('input', () => { $('edge-form').dataset.typed = 'true'; });
for (const copy of document.querySelectorAll('[data-copy]')) {
  copy.addEventListener('click', async () => {
    const text = $(copy.dataset.copy).textContent;
    try {
      await navigator.clipboard.writeText(text);
      $('copy-status').textContent = 'Copied.';
    } catch {
      getSelection().selectAllChildren($(copy.dataset.copy));
      $('copy-status').textContent = 'Selected: press Ctrl+C (or ⌘C) to copy.';
    }
  });
}

// First document: ?model=<url>, #calibrated (from the calibration page), else the textbook template.
journey = new Journey($('view-journey'), store);
history = new History($('view-history'), store);
const params = new URLSearchParams(location.search);
if (params.get('model')) await openUrl(params.get('model'));
else if (location.hash === '#calibrated' && localStorage.getItem(CALIBRATED_KEY)) openCalibrated();
else open(await loadTemplate('textbook'), 'the textbook template');
document.body.dataset.ready = 'true';
