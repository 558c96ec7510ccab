// The calibration page's two other views, computed in the page by the same wasm functions the CLI
// runs (`leadscore compare` = CompareStream, `leadscore funnel` = scoreCsv then funnel); the files
// chosen never leave the page.
// - Champion / challenger: two model files and leads with outcomes → ROC AUC of each with its 95 %
//   interval and the paired interval of the difference, the top decile's conversion and lift,
//   leads and conversion per stage side by side, and the leads that change stage.
// - Campaign credit: leads with outcomes and campaign columns (or the visitor state column for
//   first and last touch), a model to score them, a cost table → per campaign leads, qualified
//   leads, MQL → SQL, conversions, cost per lead and per qualified lead, as tables and a bar chart.
import { CompareStream, funnel, scoreCsv } from '/pkg/calibrate-web.js';
import { headerOf } from './calibrate.js';

const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
/** The model calibrate.js learned last (it stores it for the model studio too). */
const LEARNED = 'leadscore:calibrated-model';
const CHUNK = 1 << 20;
const SHOWN_CHANGES = 20;

const pct = (x) => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)} %`);
const money = (x) => (x === null || x === undefined ? '–' : x.toFixed(2));
const interval = ([low, high]) => `[${low.toFixed(3)}, ${high.toFixed(3)}]`;

function html(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  node.append(...children);
  return node;
}

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A table from a header and rows of cells; numbers are right-aligned. */
function table(id, header, rows) {
  const t = html('table', { id });
  t.createTHead().insertRow().append(...header.map((h) => html('th', {}, h)));
  const body = t.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const cell of row) {
      const td = tr.insertCell();
      td.textContent = cell;
      if (typeof cell === 'number' || /^[-+–]?[\d.,]+( %|x)?$|^\[/.test(String(cell))) td.className = 'num';
    }
  }
  return t;
}

function fill(select, names, chosen) {
  select.replaceChildren(...names.map((n) => html('option', { value: n }, n)));
  if (chosen !== undefined) select.value = chosen;
}

async function readJson(input, what) {
  const [file] = input.files;
  if (!file) throw new Error(`choose ${what}`);
  try {
    return JSON.parse(await file.text());
  } catch (error) {
    throw new Error(`${file.name} is not a model document: ${error.message}`);
  }
}

function learnedModel() {
  try {
    return JSON.parse(localStorage.getItem(LEARNED) ?? 'null');
  } catch {
    return null;
  }
}

/** Shows a view's error (or clears it) where the view's button is. */
function report(view, message) {
  $(`${view}-error`).textContent = message;
  $(`${view}-error`).hidden = !message;
}

function section(id, title, hint, ...content) {
  return html('section', { id, class: 'view' }, html('h2', {}, title), html('p', { class: 'hint' }, hint), ...content,
    html('p', { id: `${id}-error`, class: 'error', role: 'alert', hidden: '' }), html('div', { id: `${id}-results`, 'aria-live': 'polite' }));
}

function fileInput(id, text, accept) {
  return html('label', {}, `${text} `, html('input', { id, type: 'file', accept }));
}

// ---- Champion / challenger ----

async function compare() {
  report('compare', '');
  $('compare-results').replaceChildren();
  const a = await readJson($('compare-a'), 'the champion model (A)');
  const b = $('compare-b-learned').checked ? learnedModel() : await readJson($('compare-b'), 'the challenger model (B)');
  if (!b) throw new Error('no model has been learned on this page yet: choose a challenger file');
  const [file] = $('compare-leads').files;
  if (!file) throw new Error('choose a CSV of leads with their outcomes');
  const options = { label: $('compare-label').value, listChanges: true };
  if ($('compare-id').value) options.id = $('compare-id').value;
  const stream = new CompareStream(a, b, options);
  const changes = [];
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    for (let at = 0; at < bytes.length; at += CHUNK) changes.push(stream.push(bytes.subarray(at, at + CHUNK)));
    changes.push(stream.finish());
    showComparison(stream.report(), new Blob(changes, { type: 'text/csv' }));
  } finally {
    stream.free();
  }
}

async function showComparison(result, changesCsv) {
  const [a, b] = result.models;
  const d = result.auc_difference;
  const clear = d.ci95[0] > 0 || d.ci95[1] < 0;
  const names = [...new Set([...a.stages, ...b.stages].map((s) => s.stage))];
  const at = (m, name) => m.stages.find((s) => s.stage === name);
  const lines = (await changesCsv.text()).trimEnd().split('\n');
  const link = html('a', { id: 'compare-download', download: 'stage-changes.csv', href: URL.createObjectURL(changesCsv) },
    `all ${result.changed_stage.toLocaleString('en')} leads that change stage (CSV)`);
  $('compare-results').replaceChildren(
    html('p', { id: 'compare-summary' }, `${result.scored.toLocaleString('en')} leads, ${pct(result.conversion_rate)} converted. `,
      `AUC B − A: ${d.b_minus_a >= 0 ? '+' : ''}${d.b_minus_a.toFixed(3)} ${interval(d.ci95)}`,
      clear ? (d.b_minus_a > 0 ? ': the challenger ranks leads better.' : ': the champion ranks leads better.')
        : ': the interval includes 0, no clear winner.'),
    table('compare-models', ['', `A: ${a.name}`, `B: ${b.name}`], [
      ['ROC AUC', a.auc.toFixed(3), b.auc.toFixed(3)],
      ['95 % interval (DeLong)', interval(a.auc_ci95), interval(b.auc_ci95)],
      ['top 10 %: converted', pct(a.top_decile.conversion_rate), pct(b.top_decile.conversion_rate)],
      ['top 10 %: lift', `${a.top_decile.lift.toFixed(2)}x`, `${b.top_decile.lift.toFixed(2)}x`],
    ]),
    table('compare-stages', ['stage', 'A leads', 'A converted', 'B leads', 'B converted'], names.map((name) => {
      const [x, y] = [at(a, name), at(b, name)];
      return [name, x?.leads ?? '–', pct(x?.conversion_rate), y?.leads ?? '–', pct(y?.conversion_rate)];
    })),
    html('h3', {}, `${result.changed_stage.toLocaleString('en')} leads change stage`),
    table('compare-changes', ['A → B', 'leads'], result.changes.map((c) => [`${c.from} → ${c.to}`, c.leads])),
    table('compare-changed-leads', lines[0].split(','), lines.slice(1, 1 + SHOWN_CHANGES).map((l) => l.split(','))),
    html('p', {}, link),
  );
}

// ---- Campaign credit ----

async function campaigns() {
  report('campaigns', '');
  $('campaigns-results').replaceChildren();
  const [file] = $('campaigns-leads').files;
  if (!file) throw new Error('choose a CSV of leads with their outcomes and campaigns');
  const label = $('campaigns-label').value;
  const by = [...$('campaigns-by').selectedOptions].map((o) => o.value);
  const touches = $('campaigns-touches').value;
  if (!by.length && !touches) throw new Error('choose the campaign columns, or the visitor state column, to credit');
  const model = $('campaigns-model').files.length ? await readJson($('campaigns-model'), 'a model') : learnedModel();
  if (!model) throw new Error('choose a model to score the leads with (or learn one above first)');
  const [costFile] = $('campaigns-costs').files;
  const keep = [label, ...by, ...(touches ? [touches] : [])];
  const scored = scoreCsv(model, await file.text(), { keep: [...new Set(keep)] });
  const options = { label, by };
  if (touches) options.touches = touches;
  if (costFile) options.costs = await costFile.text();
  showCampaigns(funnel(scored, options));
}

/** Bars of qualified leads per campaign, labelled with the cost per qualified lead when known. */
function campaignChart(credit, index) {
  const rows = credit.campaigns;
  const [labelWidth, barMax, row] = [220, 280, 20];
  const most = Math.max(1, ...rows.map((c) => c.qualified ?? c.leads));
  const chart = svg('svg', { id: `campaigns-chart-${index}`, width: labelWidth + barMax + 150, height: rows.length * row + 24, role: 'img',
    'aria-label': `qualified leads per campaign, ${credit.by}` });
  rows.forEach((c, i) => {
    const y = 16 + i * row;
    const count = c.qualified ?? c.leads;
    const w = (barMax * count) / most;
    chart.append(svg('text', { x: 0, y }, c.campaign.length > 32 ? `${c.campaign.slice(0, 31)}…` : c.campaign));
    chart.append(svg('rect', { class: 'campaign-bar', x: labelWidth, y: y - 12, width: Math.max(w, 1), height: 14, fill: '#3a8a3a' }));
    const cost = c.cost_per_qualified_lead == null ? '' : `, ${money(c.cost_per_qualified_lead)} each`;
    chart.append(svg('text', { x: labelWidth + w + 4, y }, `${count}${c.qualified === null ? ' leads' : ' qualified'}${cost}`));
  });
  return chart;
}

function showCampaigns(result) {
  const parts = [html('p', { id: 'campaigns-summary' }, `${result.leads.toLocaleString('en')} leads, ${pct(result.conversion_rate)} converted; MQL → SQL ${pct(result.mql_to_sql_rate)}.`)];
  result.campaigns.forEach((credit, i) => {
    const withCosts = credit.campaigns.some((c) => 'cost' in c);
    const header = ['campaign', 'leads', 'qualified', 'MQL', 'SQL', 'MQL → SQL', 'converted', 'rate'];
    if (withCosts) header.push('cost', 'per lead', 'per qualified lead');
    parts.push(html('h3', {}, `By ${credit.by}`), campaignChart(credit, i), table(`campaigns-table-${i}`, header, credit.campaigns.map((c) => {
      const row = [c.campaign, c.leads, c.qualified ?? '–', c.mql, c.sql, pct(c.mql_to_sql_rate), c.converted, pct(c.conversion_rate)];
      if (withCosts) row.push(money(c.cost), money(c.cost_per_lead), money(c.cost_per_qualified_lead));
      return row;
    })));
  });
  $('campaigns-results').replaceChildren(...parts);
}

// ---- The sections, after the calibration results ----

const compareView = section('compare', 'Champion / challenger',
  'Two models scored on the same leads with known outcomes (leadscore compare). The challenger may be the model just learned.',
  html('div', { class: 'fields' },
    fileInput('compare-a', 'Champion (A) model.json', '.json,application/json'),
    fileInput('compare-b', 'Challenger (B) model.json', '.json,application/json'),
    html('label', {}, html('input', { id: 'compare-b-learned', type: 'checkbox' }), ' B = the model learned above'),
    fileInput('compare-leads', 'Leads with outcomes (CSV)', '.csv,.tsv,.txt,text/csv'),
    html('label', {}, 'Outcome column ', html('select', { id: 'compare-label' })),
    html('label', {}, 'Lead id column ', html('select', { id: 'compare-id' }))),
  html('button', { id: 'compare-run', type: 'button' }, 'Compare'));

const campaignView = section('campaigns', 'Campaign credit',
  'Leads, qualified leads and cost per qualified lead per campaign (leadscore funnel --by / --touches / --costs), first and last touch.',
  html('div', { class: 'fields' },
    fileInput('campaigns-leads', 'Leads with outcomes and campaigns (CSV)', '.csv,.tsv,.txt,text/csv'),
    fileInput('campaigns-model', 'Model (default: the one learned above)', '.json,application/json'),
    fileInput('campaigns-costs', 'Costs (CSV: campaign, cost)', '.csv,.txt,text/csv'),
    html('label', {}, 'Outcome column ', html('select', { id: 'campaigns-label' })),
    html('label', {}, 'Campaign columns ', html('select', { id: 'campaigns-by', multiple: '', size: '4' })),
    html('label', {}, 'Visitor state column ', html('select', { id: 'campaigns-touches' }))),
  html('button', { id: 'campaigns-run', type: 'button' }, 'Credit campaigns'));

document.body.append(compareView, campaignView);

const LABEL_GUESS = /^(converted|conversion|won|closed ?won|label|outcome)$/i;
async function columnsOf(input) {
  const [file] = input.files;
  return file ? headerOf(await file.slice(0, CHUNK).text()) : [];
}
$('compare-leads').addEventListener('change', async () => {
  const names = await columnsOf($('compare-leads'));
  fill($('compare-label'), names, names.find((n) => LABEL_GUESS.test(n)) ?? names.at(-1));
  fill($('compare-id'), ['', ...names], names.find((n) => /(^id$| id$|_id$)/i.test(n)) ?? '');
});
$('campaigns-leads').addEventListener('change', async () => {
  const names = await columnsOf($('campaigns-leads'));
  fill($('campaigns-label'), names, names.find((n) => LABEL_GUESS.test(n)) ?? names.at(-1));
  fill($('campaigns-by'), names);
  fill($('campaigns-touches'), ['', ...names], names.find((n) => /leadscore_state|visitor state/i.test(n)) ?? '');
  for (const o of $('campaigns-by').options) o.selected = /campaign/i.test(o.value);
});
for (const [view, action] of [['compare', compare], ['campaigns', campaigns]]) {
  $(`${view}-run`).addEventListener('click', () => action().catch((error) => report(view, error.message)));
}
