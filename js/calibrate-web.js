// `leadscore/calibrate` in browsers, bundlers and Deno: the calibration wasm, fetched and compiled once.
import init from './calibrate/leadscore.js';

await init({ module_or_path: new URL('./calibrate/leadscore_bg.wasm', import.meta.url) });
export { calibrate, scoreCsv, funnel, ScoreStream, CompareStream, FunnelStream, SampleStream, validateModel, engineVersion } from './calibrate/leadscore.js';
