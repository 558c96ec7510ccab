// `leadscore/calibrate` in Node (the CLI uses it too): the calibration wasm, read from disk synchronously.
// A separate, larger build of the engine, so the scoring entries stay small for browsers and edge workers.
import { readFileSync } from 'node:fs';
import { initSync } from './calibrate/leadscore.js';

initSync({ module: readFileSync(new URL('./calibrate/leadscore_bg.wasm', import.meta.url)) });
export { calibrate, scoreCsv, funnel, ScoreStream, CompareStream, SampleStream, validateModel, engineVersion } from './calibrate/leadscore.js';
