// The demo's debug panel: the live score and its breakdown while you browse (toggle with the button at the
// bottom right; the choice is remembered). It only listens to the tag's page API, like any site could.
const KEY = 'leadscore-demo:debug';
const el = (tag, attributes = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  node.append(...children);
  return node;
};
const remembered = () => { try { return localStorage.getItem(KEY) === 'open'; } catch { return false; } };
const toggle = el('button', { class: 'debug-toggle', type: 'button', 'aria-expanded': 'false', id: 'debug-toggle' }, 'leadscore');
const panel = el('aside', { class: 'debug', id: 'debug', hidden: '' });
const log = [];
let card = null;

function render() {
  const open = !panel.hidden;
  toggle.setAttribute('aria-expanded', String(open));
  toggle.textContent = card ? `leadscore · ${card.total} · ${card.stage}${card.qualified ? ' ✓' : ''}` : 'leadscore';
  if (!open) return;
  const rows = (card?.breakdown ?? []).map((line) => el('tr', {},
    el('td', {}, line.label ?? line.rule), el('td', {}, line.score),
    el('td', { class: `num${line.points < 0 ? ' negative' : ''}` }, String(line.points))));
  panel.replaceChildren(
    el('h2', {}, 'Live score'),
    card
      ? el('p', { id: 'debug-summary', 'data-total': String(card.total), 'data-stage': card.stage },
        el('strong', {}, String(card.total)), ` · fit ${card.fit} · engagement ${card.engagement} · ${card.stage}`,
        card.qualified ? ' · qualified' : '')
      : el('p', {}, 'No score (not loaded, a bot, opted out, or no model).'),
    el('table', {}, el('tbody', {}, ...rows)),
    card?.reasons?.length ? el('p', { class: 'who' }, card.reasons.join('; ')) : '',
    el('p', { class: 'buttons' },
      el('button', { type: 'button', 'data-action': 'consent' }, 'Give consent'),
      el('button', { type: 'button', 'data-action': 'opt-out' }, 'Opt out'),
      el('button', { type: 'button', 'data-action': 'reset' }, 'Forget me')),
    el('ul', { class: 'log' }, ...log.slice(-6).map((line) => el('li', {}, line))));
}

toggle.addEventListener('click', () => {
  panel.hidden = !panel.hidden;
  try { localStorage.setItem(KEY, panel.hidden ? 'closed' : 'open'); } catch {}
  render();
});
panel.addEventListener('click', async (event) => {
  const action = event.target.closest('[data-action]')?.dataset.action;
  if (action === 'consent') await window.leadscore.consent(true);
  if (action === 'opt-out') await window.leadscore.consent(false);
  if (action === 'reset') {
    try { for (const key of ['leadscore', 'leadscore:outbox', 'leadscore:opt-out']) localStorage.removeItem(key); } catch {}
    location.reload();
  }
});

panel.hidden = !remembered();
document.body.append(toggle, panel);
const leadscore = window.leadscore;
if (leadscore?.on) {
  leadscore.on('score', (next) => { card = next; render(); });
  leadscore.on('qualified', (c) => { log.push(`qualified: ${c.stage}`); render(); });
  leadscore.on('delivered', (d) => { log.push(`delivered: ${d.stage} (attempt ${d.attempts})`); render(); });
  leadscore.on('give-up', (d) => { log.push(`gave up: ${d.stage} (${d.reason})`); render(); });
}
render();
