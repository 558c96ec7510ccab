// What the visitor does, observed where every analytics tag observes it: page views (single-page-app navigation
// and the back/forward cache too), named and CTA clicks, links, forms, engaged time and scroll depth. Each
// observation goes to the engine (`collect(kind, data)`, src/browser/agent/observe.rs), which applies the tag's policies
// (which form fields may be read, which links are downloads, which parts of a URL are kept), keeps the visitor
// state and qualifies. Every listener, the timer and the history hook run inside `guard` (a try/catch), so
// nothing reaches the page as an uncaught exception.
//
// Engaged time counts while the page is visible, focused and the visitor not idle (no key, pointer, scroll or
// focus for IDLE_MS); it is recorded in chunks of ENGAGED_CHUNK_MS, and what is left when the page is hidden or
// left. Its event carries the time the engaged stretch ended, so an idle tab does not look active to the
// 30-minute visit rule.

const TICK_MS = 5e3;
const ENGAGED_CHUNK_MS = 10e3;
const IDLE_MS = 300e3;
const SCROLL_MARKS = [100, 75, 50, 25];
const SCROLL_EVERY_MS = 250;
// How long after a form submission or a link click this page may still be on its way out (see `departures`).
const DEPARTURE_MS = 5e3;
// The hidden inputs added to submitted forms (the names the edge function reads).
const STATE_INPUT = 'leadscore_state';
const EVENT_ID_INPUT = 'leadscore_event_id';
const MAX_CONTROLS = 200;

const now = () => Date.now();
const clip = (text, max) => String(text || '').trim().slice(0, max);
// The event's target when it is an element (nodeType 1; never `instanceof`, which pages break).
const element = (event) => (event.target && event.target.nodeType === 1 ? event.target : null);
const sameTab = (target) => !target || /^_(self|top|parent)$/i.test(target);

/**
 * Engaged time of document `d`; `record(seconds, endedAt)` receives it. Returns [update, flush, input, lastInput]:
 * `update()` closes the current stretch and opens a new one if the page is still visible, focused and not idle;
 * `flush(atLeast)` records whole seconds once at least `atLeast` ms are pending; `input()` notes a key, pointer,
 * scroll or focus; `lastInput()` its time. (Arrays, not objects: the minifier shortens the names.)
 */
function engagedTime(d, record) {
  let since; // start of the current engaged stretch
  let engaged = 0; // engaged ms not yet recorded
  let engagedAt = now();
  let last = now();
  const update = () => {
    const t = now();
    if (since !== undefined) {
      const until = Math.min(t, last + IDLE_MS);
      if (until > since) { engaged += until - since; engagedAt = until; }
      since = undefined;
    }
    if (d.visibilityState === 'visible' && d.hasFocus() && t - last < IDLE_MS) since = t;
  };
  const flush = (atLeast) => {
    update();
    if (engaged >= atLeast) {
      const seconds = Math.floor(engaged / 1e3);
      engaged -= seconds * 1e3;
      record(seconds, engagedAt);
    }
  };
  // Input after an idle pause restarts engaged time.
  const input = () => {
    const t = now();
    if (since === undefined && t - last >= IDLE_MS) { last = t; update(); }
    last = t;
  };
  return [update, flush, input, () => last];
}

/**
 * The deepest scroll mark of this page view reached so far; `record(mark)` receives each new one. Returns
 * [check, reset]: `check()` looks at the scroll position, `reset()` starts a new page view.
 */
function scrollDepth(w, record) {
  let reached = 0;
  return [
    () => {
      const root = w.document.documentElement;
      const total = root ? root.scrollHeight : 0;
      if (!(total > 0)) return;
      const depth = ((w.scrollY || 0) + (w.innerHeight || 0)) / total * 100;
      const mark = SCROLL_MARKS.find((m) => depth + 0.5 >= m) || 0;
      if (mark > reached) { reached = mark; record(mark); }
    },
    () => { reached = 0; },
  ];
}

/**
 * The last form submission or link click that loads a new document in this tab, and when. Whether the page let it
 * happen is read later, once every handler has run (`defaultPrevented`): a single-page app prevents it and stays.
 * Returns [note(event), clear(), departing()]: `departing()` is true while such a departure is under DEPARTURE_MS old.
 */
function departures() {
  let last;
  return [
    (event) => { last = { event, at: now() }; },
    () => { last = undefined; },
    () => !!last && now() - last.at < DEPARTURE_MS && !last.event.defaultPrevented,
  ];
}

/** True for an http(s) link to another document of this tab (not only another fragment of `location`'s). */
function leavesDocument(link, event, location) {
  const href = String(link.href);
  return event.type === 'click' && event.button === 0 && !(event.ctrlKey || event.metaKey || event.shiftKey || event.altKey)
    && !link.hasAttribute('download') && sameTab(link.getAttribute('target')) && /^https?:/i.test(href)
    && !(href.includes('#') && href.split('#')[0] === String(location.href).split('#')[0]);
}

/** A click's name: its `data-leadscore-event`, else the CTA's (selector `cta`) id or text. */
function clickName(target, cta) {
  const named = target.closest('[data-leadscore-event]');
  if (named) return named.getAttribute('data-leadscore-event') || '';
  let button = null;
  try { button = cta ? target.closest(cta) : null; } catch {} // a CTA selector the browser rejects
  return button ? button.id || clip(button.textContent, 64) : '';
}

/**
 * What the engine needs of a submitted form: `[name, controls]`, each control (not those marked to be ignored)
 * as `[tag, type, name, autocomplete, trait, value, checked]`.
 */
function formDetail(form) {
  const name = ['data-leadscore-form', 'name', 'id'].map((a) => clip(form.getAttribute(a), 128)).find(Boolean) || 'form';
  const controls = [];
  const found = form.querySelectorAll('input,select,textarea');
  for (let i = 0; i < found.length && i < MAX_CONTROLS; i++) {
    const c = found[i];
    if (c.hasAttribute('data-leadscore-ignore')) continue;
    const attribute = (a) => c.getAttribute(a) || '';
    // By position (what the engine's `submit` reads): property names would survive minification.
    controls.push([c.tagName.toLowerCase(), attribute('type'), attribute('name'), attribute('autocomplete'),
      c.getAttribute('data-leadscore-trait'), typeof c.value === 'string' ? c.value : '', c.checked === true]);
  }
  return [name, controls];
}

/** Sets the hidden input `name` of the form (added if missing). */
function setHidden(d, form, name, value) {
  let field = form.querySelector(`input[name=${name}]`);
  if (!field) {
    field = d.createElement('input');
    field.setAttribute('type', 'hidden');
    field.setAttribute('name', name);
    form.appendChild(field);
  }
  field.value = value;
}

/**
 * history.pushState / replaceState wrapped in a Proxy: the original runs first, unchanged (its errors reach the
 * page as before), then `after()` looks at the new location.
 */
function hookHistory(history, after) {
  for (const method of ['pushState', 'replaceState']) {
    const original = history[method];
    if (typeof original !== 'function') continue;
    const handler = Object.create(null);
    handler.apply = (target, self, args) => {
      const result = Reflect.apply(target, self, args);
      after();
      return result;
    };
    history[method] = new Proxy(original, handler);
  }
}

/**
 * Starts observing the page for the engine's `collect`; `cta` is the CSS selector of call-to-action elements
 * (or ''), `guard(fn)` wraps a callback. Records the first page view and asks the engine for `ready`. Returns
 * `departing()`: true while a form submission or a link click of the last DEPARTURE_MS is taking this page away.
 */
export function listen(w, collect, cta, guard) {
  const d = w.document;
  const l = w.location;
  let page = '';
  const record = (type, key, value, ts) => collect('event', { type, path: page, [key]: value, ts });
  // The observations below go to the engine as arrays, by position (see `collect` in src/browser/agent/observe.rs).
  const [update, flush, input, lastInput] = engagedTime(d, (seconds, at) => record('engaged', 'seconds', seconds, at));
  // Scrolling is input: it happened at the last input, not when the check noticed it.
  const [checkScroll, resetScroll] = scrollDepth(w, (mark) => record('scroll', 'depth', mark, lastInput()));
  const [noteDeparture, clearDeparture, departing] = departures();

  const view = (first) => {
    resetScroll();
    page = collect('view', [l.href, l.pathname, l.hash, l.search, l.host, String(d.title || ''), first ? d.referrer : '']);
  };
  const endPage = () => { checkScroll(); flush(1e3); };
  // A single-page-app navigation (history API, popstate, hashchange): a page view when the path changed.
  const navigate = () => {
    if (collect('path', [l.pathname, l.hash]) === page) return;
    endPage();
    input();
    view(false);
  };
  const onClick = (event) => {
    const target = element(event);
    if (!target) return;
    const link = target.closest('a[href]');
    if (link && leavesDocument(link, event, l)) noteDeparture(event);
    collect('click', [clickName(target, cta), link ? String(link.href) : '', !!link && link.hasAttribute('download'), l.host]);
  };
  const onSubmit = (event) => {
    const form = element(event);
    if (form && sameTab(form.getAttribute('target'))) noteDeparture(event);
    if (!form || form.hasAttribute('data-leadscore-ignore')) return;
    const attach = collect('submit', formDetail(form));
    if (attach) { setHidden(d, form, STATE_INPUT, attach[0]); setHidden(d, form, EVENT_ID_INPUT, attach[1]); }
  };
  const attention = () => {
    input();
    update();
    if (d.visibilityState === 'hidden') { flush(1e3); collect('leave'); }
  };

  const on = (target, kind, fn, capture) => target.addEventListener(kind, guard(fn), capture);
  on(d, 'click', onClick, true);
  on(d, 'auxclick', onClick, true);
  on(d, 'submit', onSubmit, true);
  for (const kind of ['keydown', 'pointerdown']) on(d, kind, input, true);
  on(d, 'visibilitychange', attention, false);
  on(w, 'focus', attention, false);
  on(w, 'blur', attention, false);
  let scrollAt = 0;
  on(w, 'scroll', () => {
    input();
    if (now() - scrollAt >= SCROLL_EVERY_MS) { scrollAt = now(); checkScroll(); }
  }, false);
  on(w, 'pagehide', () => { endPage(); collect('leave'); }, false);
  // Restored from the back/forward cache: a new page view.
  on(w, 'pageshow', (event) => { if (event.persisted) { clearDeparture(); input(); update(); view(false); } }, false);
  on(w, 'popstate', navigate, false);
  on(w, 'hashchange', navigate, false);
  // Another tab wrote: the wasm knows which keys are the tag's (src/browser/store.rs) and applies them at once.
  on(w, 'storage', (event) => collect('sync', [event.key]), false);
  w.setInterval(guard(() => { collect('tick'); checkScroll(); flush(ENGAGED_CHUNK_MS); }), TICK_MS);
  hookHistory(w.history, guard(navigate));

  update();
  view(true);
  collect('ready');
  return departing;
}
