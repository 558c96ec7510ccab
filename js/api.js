// The public API, shared by every entry. Entries initialise the wasm before anything here is called.
export { validateModel, Model, Scorer, scoreLead, engineVersion } from './core/leadscore.js';
export { FlatScorer } from './flat.js';
