// The website tag: what `<script async src="/leadscore.js" data-model="…" data-endpoint="…">` runs (bundled with
// ./start.js, ./outbox.js and the wasm glue into pkg/browser/leadscore.js by scripts/build-browser.mjs).
//
// Serves `window.leadscore` at once, replaying the calls the inline stub queued, and starts the collector from
// the script's data-* attributes — or, where a tag manager strips those, from `leadscore.init({ … })` (the same
// configuration object as `start` of `leadscore/browser`; it wins over attributes when both are given).
import { createCollector, mark, report, setIntegrations } from './start.js';

(() => {
  mark('leadscore:start');
  const w = window;
  const d = document;
  const stub = w.leadscore && typeof w.leadscore === 'object' ? w.leadscore : {};
  if (stub.version) return; // the tag is on the page twice
  const script = d.currentScript || d.querySelector('script[src*="leadscore.js"]');
  const wasm = script && script.src ? new URL('leadscore-core.wasm', script.src).href : '';
  // Consent managers, the dataLayer, embedded forms: a file of their own next to this one, loaded when configured.
  if (script && script.src) setIntegrations(() => import(new URL('leadscore-integrations.js', script.src).href));
  const queued = Array.isArray(stub.q) ? stub.q : [];
  const collector = createCollector();
  const init = (config) => collector.begin(config && typeof config === 'object' && !config.wasm && wasm ? { ...config, wasm } : config);
  const api = Object.assign(stub, collector.api, { init });
  delete api.q;
  w.leadscore = api;
  for (const [name, args, resolve] of queued) {
    try { resolve(name === 'on' ? api.on(...args) : api[name] ? api[name](...args) : null); } catch (error) { report(error); }
  }

  // data-* attributes → the configuration. A present flag is on unless it says false/no/0/off.
  const data = (script && script.dataset) || {};
  const flag = (value, otherwise) => (value == null ? otherwise : !/^\s*(false|no|0|off)\s*$/i.test(value));
  if (!collector.begun && data.model) {
    init({
      model: data.model,
      modelName: data.modelName,
      shadow: data.shadow,
      endpoint: data.endpoint,
      requireConsent: flag(data.requireConsent, false),
      gpc: /^\s*ignore\s*$/i.test(data.gpc || '') ? 'ignore' : undefined,
      downloads: data.downloads,
      cta: data.cta,
      fields: data.fields,
      attachState: flag(data.attachState, true),
      consent: data.consent,
      forms: data.forms,
      gtm: data.gtm == null || !flag(data.gtm, true) ? false : /^[A-Za-z_$][\w$]*$/.test(data.gtm) && !/^true$/i.test(data.gtm) ? data.gtm : true,
    });
  }
  // Neither attributes nor init() by the time the page has loaded: say what is missing.
  const check = () => collector.begun || report('not started: add data-model to the script tag, or call leadscore.init({ model, … })');
  if (d.readyState === 'complete') setTimeout(check, 0);
  else w.addEventListener('load', () => setTimeout(check, 0));
  mark('leadscore:script', 'leadscore:start');
})();
