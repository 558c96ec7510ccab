// leadscore website tag: the loader (bundled and minified into pkg/browser/leadscore.js by
// scripts/build-browser.mjs).
//
//   <script async src="/leadscore.js" data-model="/leadscore-model.json" data-endpoint="https://…/leads"></script>
//
// Reads the data-* attributes, skips bots, fetches the model and the wasm in parallel (XMLHttpRequest: a
// page that replaced fetch cannot stop the tag from loading), starts the collector (leadscore-core.js +
// leadscore-core.wasm, next to this file: web-sys listeners, visitor state, consent, qualification), serves
// the page API, replaying the calls the inline stub queued, and delivers qualified leads (./outbox.js).
// Every way into the tag is wrapped so that nothing it does throws into the page.
import { createOutbox } from './outbox.js';

const DOWNLOADS = 'pdf,doc,docx,xls,xlsx,ppt,pptx,csv,zip,epub,key,odt,pages';

(() => {
  const w = window;
  const d = document;
  const n = navigator;
  const measure = (name, start) => {
    try {
      if (start) performance.measure(name, start);
      else performance.mark(name);
    } catch {}
  };
  measure('leadscore:start');
  const api = w.leadscore && typeof w.leadscore === 'object' ? w.leadscore : {};
  if (api.version) return; // the tag is on the page twice
  const script = d.currentScript || d.querySelector('script[data-model][src*="leadscore"]');
  const queued = Array.isArray(api.q) ? api.q : [];
  const listeners = {};
  const last = {}; // latest detail of sticky events, for listeners that come late
  const waiting = [];
  let core; // the started wasm module
  let dead = false; // a bot, or loading failed: calls resolve to null
  let outbox;

  const report = (error) => {
    try { console.error('leadscore:', error && error.message ? error.message : error); } catch {}
  };
  const emit = (name, detail) => {
    if (name === '_send') return outbox && outbox.add(...detail);
    if (name === '_consent') return outbox && (detail ? outbox.start() : outbox.stop());
    if (name === 'error') report(detail);
    if (name === 'ready' || name === 'score' || name === 'qualified') last[name] = detail;
    for (const fn of (listeners[name] || []).slice()) {
      try { fn(detail); } catch (error) { report(error); }
    }
  };
  // Wraps every function the wasm hands to the browser (listeners, the timer, history hooks).
  const guard = (fn) => function (a) {
    try { fn(a); } catch (error) { report(error); }
  };
  const run = (name, args) => {
    try { return core ? core[name](...args) : null; } catch (error) { report(error); return null; }
  };
  const call = (name) => (...args) => new Promise((resolve) => {
    if (core || dead) resolve(run(name, args));
    else waiting.push([name, args, resolve]);
  });
  const on = (name, fn) => {
    if (typeof fn !== 'function') return () => {};
    (listeners[name] = listeners[name] || []).push(fn);
    if (name in last) Promise.resolve(last[name]).then((detail) => { try { fn(detail); } catch (error) { report(error); } });
    return () => { listeners[name] = (listeners[name] || []).filter((f) => f !== fn); };
  };
  const settle = () => { for (const [name, args, resolve] of waiting.splice(0)) resolve(run(name, args)); };

  Object.assign(api, {
    version: '__VERSION__',
    track: call('track'),
    identify: call('identify'),
    score: call('score'),
    consent: call('consent'),
    exportState: call('exportState'),
    on,
  });
  delete api.q;
  w.leadscore = api;
  for (const [name, args, resolve] of queued) {
    try { resolve(name === 'on' ? on(...args) : api[name] ? api[name](...args) : null); } catch (error) { report(error); }
  }

  // Bots are neither scored nor sent: nothing else is even loaded for them.
  const bot = n.webdriver || w._phantom || w.callPhantom || w.Cypress || w.__nightmare
    || /bot\b|bot\/|crawl|spider|slurp|externalhit|headless|lighthouse|phantomjs|prerender/i.test(n.userAgent);
  if (bot || !script) {
    dead = true;
    if (!script) report('cannot find its script tag');
    settle();
    return;
  }

  // data-* attributes → the collector's config. A present flag is on unless it says false/no/0/off.
  const data = script.dataset;
  const flag = (value, otherwise) => (value == null ? otherwise : !/^\s*(false|no|0|off)\s*$/i.test(value));
  const list = (value) => (value || '').toLowerCase().split(/[\s,]+/).map((s) => s.replace(/^\./, '')).filter(Boolean).join();
  const gpc = n.globalPrivacyControl === true && !/^\s*ignore\s*$/i.test(data.gpc || '');
  const config = {
    model: data.model || '',
    modelName: data.modelName || '',
    deliver: !!data.endpoint,
    consent: !flag(data.requireConsent, false) && !gpc,
    downloads: data.downloads == null ? DOWNLOADS : list(data.downloads),
    cta: data.cta || '',
    fields: list(data.fields),
    attachState: flag(data.attachState, true),
  };
  if (data.endpoint) {
    outbox = createOutbox({ endpoint: data.endpoint, emit });
    w.addEventListener('pagehide', guard(() => outbox.pagehide()));
    w.addEventListener('pageshow', guard((event) => event.persisted && outbox.pageshow()));
  }

  // Opt-in (data-gtm[="variableName"]): events pushed to Google Tag Manager's dataLayer are signals.
  if (data.gtm != null && flag(data.gtm, true)) {
    const name = /^[A-Za-z_$][\w$]*$/.test(data.gtm) && !/^true$/i.test(data.gtm) ? data.gtm : 'dataLayer';
    const layer = (w[name] = w[name] || []);
    const seen = (item) => {
      if (item && typeof item.event === 'string' && item.event && !/^gtm\./.test(item.event)) api.track('event', { name: item.event.slice(0, 128) });
    };
    if (Array.isArray(layer)) {
      layer.forEach(seen);
      const push = layer.push;
      layer.push = function (...items) {
        const result = push.apply(this, items);
        try { items.forEach(seen); } catch (error) { report(error); }
        return result;
      };
    }
  }

  const get = (url, type) => new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('GET', url);
    x.responseType = type;
    x.timeout = 30000;
    x.onload = () => {
      if (x.status < 200 || x.status > 299) reject(Error(`HTTP ${x.status}`));
      else if (x.response == null) reject(Error('not valid JSON'));
      else resolve(x.response);
    };
    x.onerror = x.ontimeout = () => reject(Error('network error'));
    x.send();
  });
  const base = script.src || d.baseURI;
  const model = config.model
    ? get(config.model, 'json').catch((error) => { config.modelError = error.message; })
    : Promise.resolve(void (config.modelError = 'data-model is missing on the script tag'));
  Promise.all([import(new URL('leadscore-core.js', base).href), get(new URL('leadscore-core.wasm', base).href, 'arraybuffer'), model])
    .then(([glue, bytes, doc]) => glue.default({ module_or_path: bytes }).then(() => {
      measure('leadscore:init');
      glue.start(config, doc, { guard, emit });
      core = glue;
      measure('leadscore:first-score', 'leadscore:init');
      measure('leadscore:start-to-score', 'leadscore:start');
    }))
    .catch((error) => {
      dead = true;
      report(`could not start: ${error && error.message}`);
    })
    .then(settle);
  measure('leadscore:script', 'leadscore:start');
})();
