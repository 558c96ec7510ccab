// The calibration page: reads a CSV chosen or dropped by the user (it never leaves the page), lets
// them pick the outcome column and targets, learns the model in a worker, and draws the ROC curve,
// the score bands and the points table as plain SVG.
const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
/** The page reads only this much of a file itself (for the header); the worker streams the rest. */
const HEAD_BYTES = 1024 * 1024;
const LABEL_GUESS = /^(converted|conversion|won|closed ?won|label|outcome|customer|is_customer)$/i;
const ID_GUESS = /(^id$| id$|_id$|^lead ?(id|number)$)/i;

/** The leads as a Blob (the chosen File, or the generated sample): handed to the worker, read there in chunks. */
let csvFile = null;
let columns = [];
let model = null;

/** The header's names, read like the engine's reader (quotes, and , ; or tab, whichever is most used). */
export function headerOf(text) {
  const body = text.replace(/^\uFEFF/, '');
  let line = '';
  let quoted = false;
  for (const c of body) {
    if (c === '"') quoted = !quoted;
    if (!quoted && (c === '\n' || c === '\r')) break;
    line += c;
  }
  const counts = [',', ';', '\t'].map((d) => [d, line.replace(/"[^"]*"/g, '').split(d).length - 1]);
  const delimiter = counts.reduce((best, c) => (c[1] > best[1] ? c : best), [',', 0])[0];
  const names = [];
  let field = '';
  quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"' && quoted && line[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = !quoted;
    else if (c === delimiter && !quoted) { names.push(field.trim()); field = ''; } else field += c;
  }
  names.push(field.trim());
  return names.map((n, i) => n || `column ${i + 1}`);
}

function option(select, value, text = value) {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = text;
  select.append(o);
}

function showError(message) {
  $('error').textContent = message;
  $('error').hidden = !message;
}

function load(text, name, file = new Blob([text])) {
  showError('');
  csvFile = file;
  columns = headerOf(text);
  if (columns.length < 2) return showError('This file has a single column: expected a CSV with a header row and several columns.');
  $('file-name').textContent = `${name}: ${columns.length} columns`;
  const label = $('label');
  const id = $('id');
  label.replaceChildren();
  id.replaceChildren();
  option(id, '', '(none)');
  for (const c of columns) { option(label, c); option(id, c); }
  label.value = columns.find((c) => LABEL_GUESS.test(c)) ?? columns[columns.length - 1];
  id.value = columns.find((c) => ID_GUESS.test(c)) ?? '';
  const body = $('columns').tBodies[0];
  body.replaceChildren();
  for (const c of columns) {
    const row = body.insertRow();
    row.insertCell().textContent = c;
    const select = document.createElement('select');
    select.dataset.column = c;
    for (const [value, text] of [['auto', 'inferred'], ['behaviour', 'behaviour (engagement)'], ['fit', 'trait (fit)'], ['exclude', 'leave out']]) option(select, value, text);
    row.insertCell().append(select);
  }
  $('setup').hidden = false;
  $('results').hidden = true;
}

async function readFile(file) {
  // Files of any size: the page reads the head for the column names, the worker streams the whole file.
  load(await file.slice(0, HEAD_BYTES).text(), `${file.name} (${(file.size / 1e6).toFixed(1)} MB)`, file);
}

/** Generated leads with a known signal, for trying the page without data of one's own. */
function sampleLeads(rows = 3000) {
  let state = 7;
  const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  const lines = ['Lead ID,Total Visits,Time on Site (s),Industry,Company Size,Job Level,Webinar,Converted'];
  for (let i = 0; i < rows; i++) {
    const visits = Math.floor(random() * 15);
    const seconds = Math.floor(random() * 1800);
    const industry = ['Software', 'Retail', 'Banking', 'Health', 'Select'][Math.floor(random() * 5)];
    const size = Math.floor(10 ** (1 + random() * 3));
    const level = ['Director', 'Manager', 'Individual', ''][Math.floor(random() * 4)];
    const webinar = random() < 0.3 ? 'Yes' : 'No';
    const logit = -3 + 0.12 * visits + seconds / 900 + ({ Software: 1, Banking: 0.4, Health: -0.5 }[industry] ?? 0)
      + (size >= 50 && size <= 1000 ? 0.8 : 0) + ({ Director: 1, Manager: 0.5 }[level] ?? 0) + (webinar === 'Yes' ? 0.7 : 0);
    lines.push(`L${i},${visits},${seconds},${industry},${size},${level},${webinar},${random() < 1 / (1 + Math.exp(-logit)) ? 1 : 0}`);
  }
  return `${lines.join('\n')}\n`;
}

function options() {
  const result = { label: $('label').value, folds: Number($('folds').value) || 5 };
  if ($('id').value) result.id = $('id').value;
  const top = Number($('mql-top').value);
  if (top > 0 && top < 100) result.mqlTop = top / 100;
  const precision = Number($('min-precision').value);
  if (precision > 0 && precision <= 100) result.minPrecision = precision / 100;
  for (const role of ['behaviour', 'fit', 'exclude']) {
    const chosen = [...document.querySelectorAll('#columns select')].filter((s) => s.value === role).map((s) => s.dataset.column);
    if (chosen.length) result[role] = chosen;
  }
  return result;
}

function run(event) {
  event.preventDefault();
  showError('');
  $('results').hidden = true;
  $('progress').hidden = false;
  $('run').disabled = true;
  $('bar').value = 0;
  $('step').textContent = 'starting…';
  const worker = new Worker('calibrate/worker.js', { type: 'module' });
  const done = () => { worker.terminate(); $('run').disabled = false; $('progress').hidden = true; };
  worker.onerror = (error) => { done(); showError(`The calibration worker failed to start: ${error.message ?? 'is the package built (npm run build)?'}`); };
  worker.onmessage = ({ data }) => {
    if (data.ready) worker.postMessage({ file: csvFile, options: options() });
    if (data.progress) {
      $('bar').max = data.progress.steps;
      $('bar').value = data.progress.step;
      $('step').textContent = data.progress.message;
    }
    if (data.error) { done(); showError(data.error); }
    if (data.result) { done(); show(data.result); }
  };
}

function el(name, attributes = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function rocChart(points, auc) {
  const size = 300;
  const pad = 36;
  const inner = size - 2 * pad;
  const svg = el('svg', { width: size, height: size, viewBox: `0 0 ${size} ${size}`, role: 'img', 'aria-label': `ROC curve, AUC ${auc.toFixed(3)}` });
  const x = (v) => pad + v * inner;
  const y = (v) => size - pad - v * inner;
  svg.append(el('rect', { x: pad, y: pad, width: inner, height: inner, fill: '#fafafa', stroke: '#ccc' }));
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    svg.append(el('text', { x: x(t), y: size - pad + 14, 'text-anchor': 'middle' }, t));
    svg.append(el('text', { x: pad - 6, y: y(t) + 4, 'text-anchor': 'end' }, t));
  }
  svg.append(el('line', { x1: x(0), y1: y(0), x2: x(1), y2: y(1), stroke: '#bbb', 'stroke-dasharray': '4 4' }));
  const path = points.map(([fpr, tpr]) => `${x(fpr).toFixed(1)},${y(tpr).toFixed(1)}`).join(' ');
  svg.append(el('polygon', { points: `${path} ${x(1)},${y(0)}`, fill: '#2a6fdb22' }));
  svg.append(el('polyline', { id: 'roc-curve', points: path, fill: 'none', stroke: '#2a6fdb', 'stroke-width': 2 }));
  svg.append(el('text', { x: x(0.55), y: y(0.15) }, `AUC ${auc.toFixed(3)}`));
  svg.append(el('text', { x: size / 2, y: size - 4, 'text-anchor': 'middle' }, 'false positive rate'));
  svg.append(el('text', { x: 10, y: size / 2, transform: `rotate(-90 10 ${size / 2})`, 'text-anchor': 'middle' }, 'true positive rate'));
  return svg;
}

function bandsChart(bands) {
  const width = 360;
  const height = 300;
  const pad = 30;
  const most = Math.max(1, ...bands.map((b) => b.leads));
  const barWidth = (width - 2 * pad) / bands.length;
  const svg = el('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'held-out leads per score band' });
  bands.forEach((band, i) => {
    const h = ((height - 2 * pad) * band.leads) / most;
    const hc = ((height - 2 * pad) * band.converted) / most;
    const left = pad + i * barWidth + 2;
    svg.append(el('rect', { x: left, y: height - pad - h, width: barWidth - 4, height: h, fill: '#ddd' }));
    svg.append(el('rect', { x: left, y: height - pad - hc, width: barWidth - 4, height: hc, fill: '#3a8a3a' }));
    if (band.leads) svg.append(el('text', { x: left + barWidth / 2 - 2, y: height - pad - h - 3, 'text-anchor': 'middle' }, `${Math.round((100 * band.converted) / band.leads)}%`));
    svg.append(el('text', { x: left + barWidth / 2 - 2, y: height - pad + 13, 'text-anchor': 'middle' }, band.from));
  });
  svg.append(el('text', { x: width / 2, y: height - 3, 'text-anchor': 'middle' }, 'score'));
  return svg;
}

function pointsChart(points) {
  const row = 18;
  const labelWidth = 330;
  const barMax = 260;
  const most = Math.max(1, ...points.map((p) => p.points));
  const groups = [];
  for (const p of points) {
    if (groups.at(-1)?.column !== p.column) groups.push({ column: p.column, score: p.score, rules: [] });
    groups.at(-1).rules.push(p);
  }
  const height = (points.length + groups.length) * row + 10;
  const svg = el('svg', { width: labelWidth + barMax + 40, height, role: 'img', 'aria-label': 'points per answer' });
  let y = 14;
  for (const group of groups) {
    svg.append(el('text', { x: 0, y, 'font-weight': 'bold' }, `${group.column} (${group.score})`));
    y += row;
    for (const rule of group.rules) {
      const answer = rule.label.startsWith(`${group.column}: `) ? rule.label.slice(group.column.length + 2) : rule.label;
      svg.append(el('text', { x: 12, y }, answer.length > 48 ? `${answer.slice(0, 47)}…` : answer));
      const w = (barMax * rule.points) / most;
      svg.append(el('rect', { class: 'points-bar', x: labelWidth, y: y - 11, width: Math.max(w, 1), height: 13,
        fill: rule.score === 'fit' ? '#7a5cc4' : '#2a6fdb' }));
      svg.append(el('text', { x: labelWidth + w + 4, y }, `+${rule.points}`));
      y += row;
    }
  }
  return svg;
}

function show({ model: learned, report }) {
  model = learned;
  const cv = report.cross_validation;
  const pct = (x) => `${(x * 100).toFixed(1)} %`;
  const lift = cv.lift[0];
  $('summary').innerHTML = '';
  $('summary').append(
    'Cross-validated ROC AUC ', Object.assign(document.createElement('strong'), { id: 'auc', textContent: cv.auc.toFixed(3) }),
    ` (${report.folds} folds; each lead scored by the engine with a model that never saw it). `,
    `The top 10 % of leads convert at ${pct(lift.conversion_rate)}, ${lift.lift.toFixed(1)}× the average of ${pct(report.conversion_rate)}. `,
    `${report.model.rules} rules on ${report.model.columns_used} columns; ${cv.ties.distinct_scores} distinct scores.`,
  );
  const sample = report.sample;
  if (sample?.evaluation) {
    const all = sample.evaluation;
    $('summary').append(' ', Object.assign(document.createElement('span'), { id: 'sample-note', textContent:
      `Learned from a uniform sample of ${sample.learned_from.toLocaleString('en-US')} of the file's ${sample.rows.toLocaleString('en-US')} leads; `
      + `scored on all ${sample.evaluated_on.toLocaleString('en-US')}, ROC AUC ${all.auc.toFixed(3)} [${all.auc_ci95.map((x) => x.toFixed(3)).join(', ')}], `
      + `top 10 % lift ${all.top_decile.lift.toFixed(2)}×.` }));
  }
  $('roc').replaceChildren(rocChart(cv.roc, cv.auc));
  $('bands').replaceChildren(bandsChart(cv.score_bands));
  const thresholds = Object.fromEntries(learned.stages.map((s) => [s.name, s.min ?? 0]));
  const stages = $('stages');
  stages.innerHTML = '<thead><tr><th>stage</th><th>from score</th><th>held-out leads</th><th>converted</th></tr></thead>';
  const body = stages.createTBody();
  for (const s of cv.stages) {
    const tr = body.insertRow();
    for (const [text, num] of [[s.stage], [thresholds[s.stage], true], [s.leads, true], [pct(s.conversion_rate), true]]) {
      const td = tr.insertCell();
      td.textContent = text;
      if (num) td.className = 'num';
    }
  }
  $('points').replaceChildren(pointsChart(report.points));
  $('notes').replaceChildren(...report.notes.map((n) => Object.assign(document.createElement('li'), { textContent: n })),
    ...report.columns.filter((c) => c.left_out).map((c) => Object.assign(document.createElement('li'), { textContent: `${c.name}: left out (${c.left_out})` })));
  const download = (id, value, type) => {
    const link = $(id);
    if (link.href) URL.revokeObjectURL(link.href);
    link.href = URL.createObjectURL(new Blob([`${JSON.stringify(value, null, 2)}\n`], { type }));
  };
  download('download', model, 'application/json');
  // The model studio (studio.html#calibrated) opens the last model learned here.
  try { localStorage.setItem('leadscore:calibrated-model', JSON.stringify(model)); } catch {} // storage may be off
  download('download-report', report, 'application/json');
  $('results').hidden = false;
}

const drop = $('drop');
drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const [file] = e.dataTransfer.files;
  if (file) readFile(file);
});
$('file').addEventListener('change', (e) => { const [file] = e.target.files; if (file) readFile(file); });
$('sample').addEventListener('click', () => load(sampleLeads(), 'generated sample leads (3,000 rows with a known signal)'));
$('setup').addEventListener('submit', run);
