// The model form: every field of a model (docs/api.md, "Model document") as form controls, section by
// section. The form is rebuilt only on structural changes (a rule added, a condition type chosen); typing
// in a field updates the document in place, so focus and scroll stay where they are.
import { conditionEditor, conditionType, CONDITIONS } from './conditions.js';
import { button, checkbox, h, list, number, select, text } from './fields.js';

const DEFAULT_STAGES = [{ name: 'new' }, { name: 'warm', min: 20 }, { name: 'mql', min: 50 }, { name: 'sql', above: 80 }];
const DEFAULT_GRADES = {
  fit: [{ grade: 'A', min: 40 }, { grade: 'B', min: 25 }, { grade: 'C', min: 10 }, { grade: 'D', min: -1000 }],
  engagement: [{ grade: '1', min: 40 }, { grade: '2', min: 25 }, { grade: '3', min: 10 }, { grade: '4', min: -1000 }],
};
const DURATION_HINT = 'e.g. 1d, 12h, 2w';

/** Rules whose details are open, by index, so that a rebuild keeps them open. */
const openRules = new Set();

const section = (title, id, ...content) => h('section', { class: 'panel', 'aria-labelledby': `${id}-title`, id },
  h('h2', { id: `${id}-title` }, title), ...content);

/** Moves item `i` of the array at `path` by `delta`. */
function move(store, path, i, delta) {
  const items = store.get(path);
  const j = i + delta;
  if (!Array.isArray(items) || j < 0 || j >= items.length) return;
  [items[i], items[j]] = [items[j], items[i]];
  store.changed('form', true);
}

/** Up / down / remove buttons of item `i` of a list, named for screen readers. */
function itemTools(store, path, i, name, after) {
  return h('div', { class: 'tools' },
    button('↑', () => move(store, path, i, -1), { label: `Move ${name} up` }),
    button('↓', () => move(store, path, i, 1), { label: `Move ${name} down` }),
    button('Remove', () => { store.set(`${path}[${i}]`, undefined, { structural: true }); after?.(); }, { label: `Remove ${name}` }));
}

/** `decay`: none, a half-life, or a percent every period. */
function decayEditor(store, path) {
  const decay = store.get(path);
  const kind = decay && typeof decay === 'object' ? ('percent' in decay || 'every' in decay ? 'percent' : 'half_life') : '';
  const box = h('div', { class: 'fields' }, select(store, 'Decay', path, [['', 'none'], ['half_life', 'half-life'], ['percent', 'percent every period']],
    { structural: true, current: kind, parse: (v) => (v === 'half_life' ? { half_life: '30d' } : { percent: 25, every: '30d' }) }));
  if (kind === 'half_life') box.append(text(store, 'Half-life', `${path}.half_life`, { hint: DURATION_HINT }));
  if (kind === 'percent') box.append(number(store, 'Percent', `${path}.percent`), text(store, 'Every', `${path}.every`, { hint: DURATION_HINT }));
  return box;
}

function ruleSummary(rule, i) {
  const points = typeof rule?.points === 'number' ? (rule.points > 0 ? `+${rule.points}` : String(rule.points)) : '?';
  const type = CONDITIONS[conditionType(rule?.when)]?.text ?? 'no condition';
  return `${i + 1}. ${rule?.label || rule?.id || '(no id)'} · ${points} · ${type}${rule?.disqualify ? ' · veto' : ''}`;
}

function ruleEditor(store, rule, i, groups) {
  const path = `rules[${i}]`;
  const details = h('details', { class: 'rule', open: openRules.has(i), 'data-rule': i });
  details.addEventListener('toggle', () => (details.open ? openRules.add(i) : openRules.delete(i)));
  details.append(h('summary', {}, h('span', { 'data-summary': i }, ruleSummary(rule, i))),
    h('div', { class: 'fields' },
      text(store, 'Id', `${path}.id`, { required: true, hint: 'unique in the model' }),
      text(store, 'Label', `${path}.label`, { hint: 'shown on the score card' }),
      number(store, 'Points', `${path}.points`, { hint: '-1000..1000' }),
      select(store, 'Counts towards', `${path}.score`, [['', 'default (fit for traits)'], ['fit', 'fit'], ['engagement', 'engagement']]),
      text(store, 'Group', `${path}.group`, { list: 'group-ids', hint: groups.length ? `one of: ${groups.join(', ')}` : 'add groups below' }),
      checkbox(store, 'Veto: a lead with this rule cannot qualify', `${path}.disqualify`)),
    h('div', { class: 'fields' }, text(store, 'Description', `${path}.description`, { wide: true })),
    conditionEditor(store, `${path}.when`),
    h('div', { class: 'fields' },
      number(store, 'Count at most', `${path}.max`, { hint: 'occurrences (the latest)' }),
      text(store, 'At most once per', `${path}.per`, { hint: DURATION_HINT }),
      text(store, 'Only within the last', `${path}.window`, { hint: DURATION_HINT })),
    decayEditor(store, `${path}.decay`),
    itemTools(store, 'rules', i, `rule ${rule?.id ?? i + 1}`, () => openRules.clear()));
  return details;
}

function rulesSection(store, model) {
  const rules = Array.isArray(model.rules) ? model.rules : [];
  const groups = (Array.isArray(model.groups) ? model.groups : []).map((g) => g?.id).filter((id) => typeof id === 'string');
  const add = () => {
    const ids = new Set(rules.map((r) => r?.id));
    let n = rules.length + 1;
    while (ids.has(`rule-${n}`)) n++;
    openRules.add(rules.length);
    store.set(`rules[${rules.length}]`, { id: `rule-${n}`, label: 'New rule', points: 10, when: { page_view: { path: '/*' } } }, { structural: true });
  };
  return section('Rules', 'sec-rules', h('p', { class: 'hint' }, 'Behaviour rules count what a visitor does; fit rules test traits. Open a rule to edit it.'),
    h('div', { 'data-path': `${store.base}rules` }, rules.map((rule, i) => ruleEditor(store, rule, i, groups))),
    h('span', { class: 'field-error', 'data-error-for': `${store.base}rules`, hidden: true }),
    button('Add a rule', add, { kind: 'primary', id: 'add-rule' }));
}

function groupsSection(store, model) {
  const groups = Array.isArray(model.groups) ? model.groups : [];
  return section('Groups', 'sec-groups', h('p', { class: 'hint' }, 'A group caps the points of its rules together.'),
    groups.map((group, i) => h('div', { class: 'item' }, h('div', { class: 'fields' },
      text(store, 'Id', `groups[${i}].id`, { required: true }), text(store, 'Label', `groups[${i}].label`),
      number(store, 'At most', `groups[${i}].max`), number(store, 'At least', `groups[${i}].min`)),
    decayEditor(store, `groups[${i}].decay`), itemTools(store, 'groups', i, `group ${group?.id ?? i + 1}`))),
    button('Add a group', () => store.set(`groups[${groups.length}]`, { id: `group-${groups.length + 1}`, max: 30 }, { structural: true })));
}

function limitsSection(store) {
  return section('Caps and scale', 'sec-caps', h('div', { class: 'fields' },
    number(store, 'Fit at most', 'caps.fit'), number(store, 'Engagement at most', 'caps.engagement'),
    number(store, 'Scale minimum', 'scale.min', { placeholder: '0' }), number(store, 'Scale maximum', 'scale.max', { placeholder: '100' })));
}

function stagesSection(store, model) {
  const custom = Array.isArray(model.stages);
  const stages = custom ? model.stages : [];
  const content = [customToggle(store, 'stages', 'Custom stages (default: new, warm ≥ 20, mql ≥ 50, sql > 80)', DEFAULT_STAGES, custom)];
  stages.forEach((stage, i) => {
    const kind = stage && 'above' in stage ? 'above' : stage && 'min' in stage ? 'min' : '';
    const id = `stage-kind-${i}`;
    const kindSelect = h('select', { id }, [['', 'any score (the first stage)'], ['min', 'a total of at least'], ['above', 'a total above']]
      .map(([v, t]) => h('option', { value: v, selected: v === kind }, t)));
    kindSelect.addEventListener('change', () => {
      const value = stage?.min ?? stage?.above ?? 0;
      store.set(`stages[${i}]`, kindSelect.value ? { name: stage?.name ?? '', [kindSelect.value]: value } : { name: stage?.name ?? '' }, { structural: true });
    });
    const threshold = h('div', { class: 'fields' }, text(store, 'Name', `stages[${i}].name`, { required: true }),
      h('div', { class: 'field' }, h('label', { for: id }, 'Reached at'), kindSelect));
    if (kind) threshold.append(number(store, kind === 'min' ? 'At least' : 'Above', `stages[${i}].${kind}`));
    content.push(h('div', { class: 'item' }, threshold, itemTools(store, 'stages', i, `stage ${stage?.name ?? i + 1}`)));
  });
  if (custom) content.push(button('Add a stage', () => store.set(`stages[${stages.length}]`, { name: `stage-${stages.length + 1}`, min: 90 }, { structural: true })));
  return section('Stages', 'sec-stages', ...content);
}

/** A checkbox that adds a section's key with its defaults, or removes it (the engine's defaults apply). */
function customToggle(store, key, label, defaults, on) {
  const id = `custom-${key}`;
  const box = h('input', { type: 'checkbox', id, checked: on, 'data-path': store.base + key });
  box.addEventListener('change', () => store.set(key, box.checked ? structuredClone(defaults) : undefined, { structural: true }));
  return h('div', { class: 'field check' }, box, h('label', { for: id }, label),
    h('span', { class: 'field-error', 'data-error-for': store.base + key, hidden: true }));
}

function gradesSection(store, model) {
  const custom = model.grades && typeof model.grades === 'object';
  const content = [customToggle(store, 'grades', 'Custom grades (default: A–D for fit, 1–4 for engagement)', DEFAULT_GRADES, custom)];
  if (custom) {
    for (const kind of ['fit', 'engagement']) {
      const bands = Array.isArray(model.grades[kind]) ? model.grades[kind] : [];
      content.push(h('h3', {}, `${kind} grades`), ...bands.map((_, i) => h('div', { class: 'item' }, h('div', { class: 'fields' },
        text(store, 'Grade', `grades.${kind}[${i}].grade`, { required: true }), number(store, `${kind} at least`, `grades.${kind}[${i}].min`)),
      itemTools(store, `grades.${kind}`, i, `${kind} grade ${i + 1}`))),
      button(`Add a ${kind} grade`, () => store.set(`grades.${kind}[${bands.length}]`, { grade: '?', min: 0 }, { structural: true })));
    }
  }
  return section('Grades', 'sec-grades', ...content);
}

function qualifySection(store, model) {
  const custom = model.qualify && typeof model.qualify === 'object';
  const stageNames = (Array.isArray(model.stages) ? model.stages : DEFAULT_STAGES).map((s) => s?.name).filter(Boolean);
  const content = [customToggle(store, 'qualify', 'Custom gate (default: qualifies at the stage mql, or the top stage)', { stage: 'mql' }, custom)];
  if (custom) {
    content.push(h('div', { class: 'fields' },
      select(store, 'Stage reached', 'qualify.stage', [['', '(any)'], ...stageNames.map((n) => [n, n])]),
      number(store, 'Total at least', 'qualify.min_total'), number(store, 'Fit at least', 'qualify.min_fit'),
      number(store, 'Engagement at least', 'qualify.min_engagement')),
    h('div', { class: 'fields' }, list(store, 'Rules that must have fired', 'qualify.rules', { wide: true,
      hint: `rule ids, separated by commas: ${(model.rules ?? []).map((r) => r?.id).filter(Boolean).join(', ')}` })));
  }
  return section('Qualify gate', 'sec-qualify', ...content);
}

function nextStepsSection(store, model) {
  const stageNames = (Array.isArray(model.stages) ? model.stages : DEFAULT_STAGES).map((s) => s?.name).filter((n) => typeof n === 'string' && n);
  const steps = model.next_steps && typeof model.next_steps === 'object' ? model.next_steps : {};
  const names = [...new Set([...stageNames, ...Object.keys(steps)])];
  return section('Next steps', 'sec-next', h('p', { class: 'hint' }, 'What sales does at each stage (shown on the card).'),
    h('div', { class: 'fields' }, names.map((name) => text(store, `At ${name}`, `next_steps.${name}`, { wide: true }))),
    h('span', { class: 'field-error', 'data-error-for': `${store.base}next_steps`, hidden: true }));
}

function modelSection(store) {
  return section('Model', 'sec-model', h('div', { class: 'fields' },
    text(store, 'Name', 'name', { required: true, hint: 'unique in the document' }), text(store, 'Version', 'version'),
    text(store, 'JSON Schema URL', '$schema', { hint: 'for editors; ignored by the engine' })),
  h('div', { class: 'fields' }, text(store, 'Description', 'description', { wide: true })));
}

/** The whole form of the edited model. */
export function renderEditor(store, container) {
  const model = store.model && typeof store.model === 'object' ? store.model : {};
  container.replaceChildren(h('datalist', { id: 'group-ids' }), modelSection(store), rulesSection(store, model), groupsSection(store, model), limitsSection(store),
    stagesSection(store, model), gradesSection(store, model), qualifySection(store, model), nextStepsSection(store, model));
  refreshSummaries(store, container);
}

/** Refreshes the rules' one-line summaries after an edit that did not rebuild the form. */
export function refreshSummaries(store, container) {
  const ids = (Array.isArray(store.model.groups) ? store.model.groups : []).map((g) => g?.id).filter((id) => typeof id === 'string');
  container.querySelector('#group-ids')?.replaceChildren(...ids.map((id) => h('option', { value: id })));
  for (const span of container.querySelectorAll('[data-summary]')) {
    const i = Number(span.dataset.summary);
    span.textContent = ruleSummary(store.model.rules?.[i], i);
  }
}

export function forgetOpenRules() {
  openRules.clear();
}
