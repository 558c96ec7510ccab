// What the visitor does, observed where every analytics tag observes it: page views (single-page-app navigation
// and the back/forward cache too), named and CTA clicks, links, forms, engaged time and scroll depth. Each
// observation goes to the engine (`collect(kind, data)`, src/browser/agent.rs), which applies the tag's policies
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
// How long after a form submission or a link click this page may still be on its way out (see `departing`).
const DEPARTURE_MS = 5e3;
// The hidden inputs added to submitted forms (the names the edge function reads).
const STATE_INPUT = 'leadscore_state';
const EVENT_ID_INPUT = 'leadscore_event_id';

/**
 * Starts observing the page for the engine's `collect`; `cta` is the CSS selector of call-to-action elements
 * (or ''), `guard(fn)` wraps a callback. Records the first page view and asks the engine for `ready`. Returns
 * `departing()`: true while a form submission or a link click of the last DEPARTURE_MS is taking this page away.
 */
export function listen(w, collect, cta, guard) {
  const d = w.document;
  const l = w.location;
  const now = () => Date.now();
  let page = '';
  let since; // start of the current engaged stretch
  let engaged = 0; // engaged ms not yet recorded
  let engagedAt = now();
  let lastInput = now();
  let scrollMark = 0;
  let scrollAt = 0;
  // The last submission or click that loads a new document in this tab, and when. Whether the page let it happen
  // is read later, once every handler has run (`defaultPrevented`): a single-page app prevents it and stays.
  let departure;
  const sameTab = (target) => !target || /^_(self|top|parent)$/i.test(target);
  const departing = () => !!departure && now() - departure.at < DEPARTURE_MS && !departure.event.defaultPrevented;

  const where = () => ({ pathname: l.pathname, hash: l.hash });
  const view = (first) => {
    scrollMark = 0;
    page = collect('view', { href: l.href, pathname: l.pathname, hash: l.hash, search: l.search, host: l.host,
      title: String(d.title || ''), referrer: first ? d.referrer : '' });
  };
  const record = (type, key, value, ts) => collect('event', { type, path: page, [key]: value, ts });

  // Adds the time since the last update to engaged time if the page was visible, focused and not idle, and starts
  // a new stretch if it still is.
  const engagement = () => {
    const t = now();
    if (since !== undefined) {
      const until = Math.min(t, lastInput + IDLE_MS);
      if (until > since) { engaged += until - since; engagedAt = until; }
      since = undefined;
    }
    if (d.visibilityState === 'visible' && d.hasFocus() && t - lastInput < IDLE_MS) since = t;
  };
  const recordEngaged = (atLeast) => {
    engagement();
    if (engaged >= atLeast) {
      const seconds = Math.floor(engaged / 1e3);
      engaged -= seconds * 1e3;
      record('engaged', 'seconds', seconds, engagedAt);
    }
  };
  // Input after an idle pause restarts engaged time.
  const input = () => {
    const t = now();
    if (since === undefined && t - lastInput >= IDLE_MS) { lastInput = t; engagement(); }
    lastInput = t;
  };
  const checkScroll = () => {
    const total = d.documentElement ? d.documentElement.scrollHeight : 0;
    if (!(total > 0)) return;
    const depth = ((w.scrollY || 0) + (w.innerHeight || 0)) / total * 100;
    const mark = SCROLL_MARKS.find((m) => depth + 0.5 >= m) || 0;
    // Scrolling is input: it happened at the last input, not when this check noticed it.
    if (mark > scrollMark) { scrollMark = mark; record('scroll', 'depth', mark, lastInput); }
  };
  const endPage = () => { checkScroll(); recordEngaged(1e3); };
  // A single-page-app navigation (history API, popstate, hashchange): a page view when the path changed.
  const navigate = () => {
    if (collect('path', where()) === page) return;
    endPage();
    input();
    view(false);
  };

  // An http(s) link to another document (not only another fragment of this one).
  const leavesDocument = (href) => /^https?:/i.test(href) && !(href.includes('#') && href.split('#')[0] === String(l.href).split('#')[0]);
  // The event's target when it is an element (nodeType 1; never `instanceof`, which pages break).
  const element = (event) => (event.target && event.target.nodeType === 1 ? event.target : null);
  const clip = (text, max) => String(text || '').trim().slice(0, max);
  const onClick = (event) => {
    const target = element(event);
    if (!target) return;
    const named = target.closest('[data-leadscore-event]');
    let name = named ? named.getAttribute('data-leadscore-event') : '';
    let button = null;
    try { button = !named && cta ? target.closest(cta) : null; } catch {} // a CTA selector the browser rejects
    if (button) name = button.id || clip(button.textContent, 64);
    const link = target.closest('a[href]');
    if (link && event.type === 'click' && event.button === 0 && !(event.ctrlKey || event.metaKey || event.shiftKey || event.altKey)
      && !link.hasAttribute('download') && sameTab(link.getAttribute('target')) && leavesDocument(String(link.href))) {
      departure = { event, at: now() };
    }
    collect('click', { name: name || '', href: link ? String(link.href) : '', download: !!link && link.hasAttribute('download'), host: l.host });
  };
  const onSubmit = (event) => {
    const form = element(event);
    if (form && sameTab(form.getAttribute('target'))) departure = { event, at: now() };
    if (!form || form.hasAttribute('data-leadscore-ignore')) return;
    const name = ['data-leadscore-form', 'name', 'id'].map((a) => clip(form.getAttribute(a), 128)).find(Boolean) || 'form';
    const controls = [];
    const found = form.querySelectorAll('input,select,textarea');
    for (let i = 0; i < found.length && i < 200; i++) {
      const c = found[i];
      if (c.hasAttribute('data-leadscore-ignore')) continue;
      const attribute = (a) => c.getAttribute(a) || '';
      controls.push({ tag: c.tagName.toLowerCase(), type: attribute('type'), name: attribute('name'), autocomplete: attribute('autocomplete'),
        trait: c.getAttribute('data-leadscore-trait'), value: typeof c.value === 'string' ? c.value : '', checked: c.checked === true });
    }
    const attach = collect('submit', { name, controls });
    if (attach) { hidden(form, STATE_INPUT, attach[0]); hidden(form, EVENT_ID_INPUT, attach[1]); }
  };
  // Sets the hidden input `name` of the form (added if missing).
  const hidden = (form, name, value) => {
    let field = form.querySelector(`input[name=${name}]`);
    if (!field) {
      field = d.createElement('input');
      field.setAttribute('type', 'hidden');
      field.setAttribute('name', name);
      form.appendChild(field);
    }
    field.value = value;
  };

  const on = (target, kind, fn, capture) => target.addEventListener(kind, guard(fn), capture);
  on(d, 'click', onClick, true);
  on(d, 'auxclick', onClick, true);
  on(d, 'submit', onSubmit, true);
  for (const kind of ['keydown', 'pointerdown']) on(d, kind, input, true);
  const attention = () => {
    input();
    engagement();
    if (d.visibilityState === 'hidden') { recordEngaged(1e3); collect('leave'); }
  };
  on(d, 'visibilitychange', attention, false);
  on(w, 'focus', attention, false);
  on(w, 'blur', attention, false);
  on(w, 'scroll', () => {
    input();
    if (now() - scrollAt >= SCROLL_EVERY_MS) { scrollAt = now(); checkScroll(); }
  }, false);
  on(w, 'pagehide', () => { endPage(); collect('leave'); }, false);
  // Restored from the back/forward cache: a new page view.
  on(w, 'pageshow', (event) => { if (event.persisted) { departure = undefined; input(); engagement(); view(false); } }, false);
  on(w, 'popstate', navigate, false);
  on(w, 'hashchange', navigate, false);
  // Another tab wrote: the wasm knows which keys are the tag's (src/browser/store.rs) and applies them at once.
  on(w, 'storage', (event) => collect('sync', { key: event.key }), false);
  w.setInterval(guard(() => { collect('tick'); checkScroll(); recordEngaged(ENGAGED_CHUNK_MS); }), TICK_MS);
  // history.pushState / replaceState wrapped in a Proxy: the original runs first, unchanged (its errors reach the
  // page as before), then the tag looks at the new location.
  const afterNavigation = guard(navigate);
  for (const method of ['pushState', 'replaceState']) {
    const original = w.history[method];
    if (typeof original !== 'function') continue;
    const handler = Object.create(null);
    handler.apply = (target, self, args) => {
      const result = Reflect.apply(target, self, args);
      afterNavigation();
      return result;
    };
    w.history[method] = new Proxy(original, handler);
  }

  engagement();
  view(true);
  collect('ready');
  return departing;
}
