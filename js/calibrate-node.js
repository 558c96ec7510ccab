// `leadscore/calibrate` in Node (the CLI uses it too): the calibration wasm, read from disk synchronously.
// (A path, not `new URL(…, import.meta.url)`: see node.js.)
// A separate, larger build of the engine, so the scoring entries stay small for browsers and edge workers.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initSync } from './calibrate/leadscore.js';

initSync({ module: readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'calibrate', 'leadscore_bg.wasm')) });
export { calibrate, scoreCsv, funnel, ScoreStream, CompareStream, FunnelStream, SampleStream, validateModel, engineVersion } from './calibrate/leadscore.js';
