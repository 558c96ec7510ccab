// Preview on history: a CRM export dropped on the page is scored by the draft (and by the live model, when
// one is loaded) in a worker; nothing leaves the page. Shows AUC, scores by outcome, stage sizes and
// conversion, and how the draft differs from the live model.
import { h } from './fields.js';
import { headerOf } from './csv.js';

const SVG = 'http://www.w3.org/2000/svg';
const MAX_BYTES = 64 * 1024 * 1024;
const LABEL_GUESS = /^(converted|conversion|won|closed ?won|label|outcome|customer|is_customer)$/i;
const ID_GUESS = /(^id$| id$|_id$|^lead ?(id|number)$)/i;
const pct = (x) => (x === null || x === undefined || Number.isNaN(x) ? '–' : `${(x * 100).toFixed(1)} %`);

function svg(name, attributes = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Bars per score band: converted leads and the others side by side, as shares of their outcome. */
function bandsChart(bands, title) {
  const width = 420;
  const height = 190;
  const pad = 28;
  const totals = ['converted', 'other'].map((k) => Math.max(1, bands.reduce((s, b) => s + b[k], 0)));
  const most = Math.max(0.01, ...bands.flatMap((b) => [b.converted / totals[0], b.other / totals[1]]));
  const slot = (width - 2 * pad) / bands.length;
  const chart = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title });
  bands.forEach((band, i) => {
    const x = pad + i * slot;
    [['converted', '#1b6e2c', 0], ['other', '#8a8a8a', 1]].forEach(([key, fill, k]) => {
      const barHeight = ((height - 2 * pad) * band[key]) / totals[k] / most;
      chart.append(svg('rect', { x: x + 2 + (k * (slot - 4)) / 2, y: height - pad - barHeight, width: (slot - 4) / 2, height: barHeight, fill }));
    });
    chart.append(svg('text', { x: x + slot / 2, y: height - pad + 13, 'text-anchor': 'middle' }, band.from));
  });
  chart.append(svg('text', { x: width / 2, y: height - 2, 'text-anchor': 'middle' }, 'score (green: converted, grey: not; share of each)'));
  return chart;
}

function stageTable(result, live) {
  const liveStages = new Map((live?.funnel.stages ?? []).map((s) => [s.stage, s]));
  const draftStages = new Map(result.funnel.stages.map((s) => [s.stage, s]));
  const names = [...draftStages.keys(), ...[...liveStages.keys()].filter((name) => !draftStages.has(name))];
  const cells = (s) => (s ? [String(s.leads), pct(s.share), String(s.converted), pct(s.conversion_rate)] : ['0', '–', '–', '–']);
  const head = ['Stage', 'Leads', 'Share', 'Converted', 'Conversion', ...(live ? ['Live: leads', 'Live: share', 'Live: converted', 'Live: conversion'] : [])];
  return h('table', { class: 'stage-table' }, h('caption', {}, 'Stages, ordered by mean score'),
    h('thead', {}, h('tr', {}, head.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, names.map((name) => h('tr', {}, h('th', { scope: 'row' }, name),
      [...cells(draftStages.get(name)), ...(live ? cells(liveStages.get(name)) : [])].map((text) => h('td', { class: 'num' }, text))))));
}

/** Leads whose stage differs between the live model and the draft, most common moves first. */
function moves(draft, live) {
  const counts = new Map();
  for (const [id, stage] of Object.entries(draft.stages)) {
    const before = live.stages[id];
    if (before !== undefined && before !== stage) counts.set(`${before} → ${stage}`, (counts.get(`${before} → ${stage}`) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]);
}

export class History {
  constructor(container, store) {
    this.container = container;
    this.store = store;
    this.csv = '';
    this.live = null;
    const $ = (selector) => container.querySelector(selector);
    this.$ = $;
    const drop = $('#history-drop');
    drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
    drop.addEventListener('dragleave', () => drop.classList.remove('over'));
    drop.addEventListener('drop', (e) => {
      e.preventDefault();
      drop.classList.remove('over');
      if (e.dataTransfer.files[0]) this.readFile(e.dataTransfer.files[0]);
    });
    // The drop zone is focusable: Enter or Space opens the file chooser, as a click on its link does.
    drop.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' && e.key !== ' ') return;
      e.preventDefault();
      $('#history-file').click();
    });
    $('#history-file').addEventListener('change', (e) => e.target.files[0] && this.readFile(e.target.files[0]));
    $('#live-file').addEventListener('change', async (e) => {
      const [file] = e.target.files;
      if (!file) return;
      try {
        this.setLive(JSON.parse(await file.text()), file.name);
      } catch (error) {
        this.error(`${file.name}: ${error.message}`);
      }
    });
    $('#live-from-draft').addEventListener('click', () => this.setLive(structuredClone(this.store.doc), 'a snapshot of the draft'));
    $('#history-form').addEventListener('submit', (e) => { e.preventDefault(); this.run(); });
  }

  /** The draft changed: score again now if the view is shown, else when it is. */
  stale() {
    this.dirty = true;
    this.refreshIfStale();
  }

  refreshIfStale() {
    if (!this.dirty || !this.csv || this.container.hidden) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), 300);
  }

  setLive(doc, name) {
    this.live = doc;
    this.$('#live-name').textContent = `Live model: ${name}.`;
    if (this.csv) this.run();
  }

  error(message) {
    this.$('#history-error').textContent = message;
    this.$('#history-error').hidden = !message;
  }

  async readFile(file) {
    if (file.size > MAX_BYTES) return this.error(`${file.name} is over 64 MB: sample the rows, or split the file.`);
    this.load(await file.text(), file.name);
  }

  load(text, name) {
    this.error('');
    this.csv = text;
    const columns = headerOf(text);
    const label = this.$('#history-label');
    const id = this.$('#history-id');
    label.replaceChildren(...columns.map((c) => h('option', { value: c }, c)));
    id.replaceChildren(h('option', { value: '' }, '(row number)'), ...columns.map((c) => h('option', { value: c }, c)));
    label.value = columns.find((c) => LABEL_GUESS.test(c)) ?? columns.at(-1);
    id.value = columns.find((c) => ID_GUESS.test(c)) ?? '';
    this.$('#history-file-name').textContent = `${name}: ${columns.length} columns`;
    this.$('#history-form').hidden = false;
    this.run();
  }

  /** Scores the file with the draft (and the live model) in a worker. */
  run() {
    if (!this.csv) return;
    this.dirty = false;
    this.error('');
    this.$('#history-status').textContent = 'Scoring…';
    // A run still going is for an older draft: stop it, so that its result cannot overwrite this one's.
    this.worker?.terminate();
    const worker = new Worker(new URL('./history-worker.js', import.meta.url), { type: 'module' });
    this.worker = worker;
    const models = [{ doc: this.store.doc, model: this.store.modelName }];
    if (this.live) models.push({ doc: this.live, model: undefined });
    const options = { label: this.$('#history-label').value, id: this.$('#history-id').value };
    worker.onmessage = ({ data }) => {
      worker.terminate();
      this.$('#history-status').textContent = '';
      if (data.error) return this.error(data.error);
      this.show(...data.results);
    };
    worker.onerror = (e) => { worker.terminate(); this.error(`The scoring worker failed: ${e.message ?? 'is the package built?'}`); };
    worker.postMessage({ engineUrl: import.meta.resolve('leadscore/calibrate'), csv: this.csv, options, models: JSON.parse(JSON.stringify(models)) });
  }

  show(draft, live) {
    const out = this.$('#history-results');
    const summary = h('p', { id: 'history-summary' }, `${draft.leads} leads, ${draft.funnel.converted} converted (${pct(draft.funnel.conversion_rate)}). Draft ROC AUC `,
      h('strong', { id: 'history-auc' }, draft.auc.toFixed(3)),
      live ? [', live model ', h('strong', { id: 'history-live-auc' }, live.auc.toFixed(3)), ` (${draft.auc >= live.auc ? '+' : ''}${(draft.auc - live.auc).toFixed(3)} for the draft).`] : '.');
    const charts = h('div', { class: 'charts' },
      h('figure', {}, h('figcaption', {}, 'Draft: scores by outcome'), bandsChart(draft.bands, 'draft scores by outcome')),
      live ? h('figure', {}, h('figcaption', {}, 'Live: scores by outcome'), bandsChart(live.bands, 'live model scores by outcome')) : null);
    const moved = live ? moves(draft, live) : [];
    const total = moved.reduce((s, [, n]) => s + n, 0);
    out.replaceChildren(summary, charts, stageTable(draft, live),
      live ? h('div', { id: 'history-moves' }, h('h3', {}, `${total} of ${draft.leads} leads change stage with the draft`),
        h('ul', {}, moved.slice(0, 8).map(([move, n]) => h('li', {}, `${move}: ${n}`)))) : h('p', { class: 'hint' }, 'Load a live model to compare the draft with it.'));
    out.hidden = false;
  }
}
