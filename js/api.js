// The public API, shared by every entry. Entries initialise the wasm before anything here is called.
export { validateModel, Model, scoreLead, engineVersion } from './core/leadscore.js';
export { Scorer } from './scorer.js';
export { FlatScorer } from './flat.js';
