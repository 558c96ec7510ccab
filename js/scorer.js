// Scorer: the WASM class plus `track(event, now)` and `summary(now)`, the lean visitor path: the
// score card's numbers, stage and qualification without its breakdown, for callers that rescore after
// every event. Both cross the boundary as numbers and strings only:
// - the event's fields are read here, in JS, and passed to WASM as arguments (`trackFields`). Each
//   property WASM read from a JS object itself would be a call into JS and a copy, several times the
//   cost of scoring. Events that are not plain objects of strings and numbers with known fields only
//   (a `utm` or `traits` object, an unknown field, a wrong type, an invalid value) go through
//   `trackEvent`, which reads them as `ingest` does and throws the errors `ingest` would report, so
//   both paths accept and reject exactly the same events;
// - WASM leaves the summary as five numbers in its memory (`summaryAddress`), and the object is built
//   here: nothing is returned through the boundary but a flag.
import { Scorer as WasmScorer, eventFields, eventTypes, wasmMemory } from './core/leadscore.js';

const SLOTS = 6; // fields after `type` that `trackFields` takes
const NONE = Symbol('no field'); // pads a type's field list to SLOTS: no event has this property

/** type -> { kind, fields after `type` }, read from WASM on first use (the module is initialised by then). */
let layout;
function shapeOf(type) {
  if (layout === undefined) {
    layout = new Map(eventTypes().map((type, kind) => {
      const fields = eventFields(kind).slice(1, 1 + SLOTS);
      while (fields.length < SLOTS) fields.push(NONE);
      return [type, { kind, fields }];
    }));
  }
  return layout.get(type);
}

const text = (v) => (typeof v === 'string' ? v : undefined);
const number = (v) => (typeof v === 'number' ? v : undefined);

export class Scorer extends WasmScorer {
  #view = null; // Float64Array over the summary in WASM memory; replaced when the memory grows
  #stages = null;

  /**
   * Ingests one event, then returns `{ total, fit, engagement, stage, qualified }` at `now` (default:
   * the current time). Throws an Error naming the bad field, keeping the state, for an invalid event.
   */
  track(event, now) {
    if (!this.#trackFields(event, now)) this.trackEvent(event, now);
    return this.#read();
  }

  /** `{ total, fit, engagement, stage, qualified }` at `now`: what `score(now)` says, without the breakdown. */
  summary(now) {
    this.summarize(now);
    return this.#read();
  }

  /** The fast path; false when the event needs `trackEvent` (which then accepts it or throws). */
  #trackFields(event, now) {
    const shape = typeof event === 'object' && event !== null && shapeOf(event.type);
    if (!shape || Object.getPrototypeOf(event) !== Object.prototype) return false;
    const f = shape.fields;
    const v1 = event[f[0]], v2 = event[f[1]], v3 = event[f[2]], v4 = event[f[3]], v5 = event[f[4]], v6 = event[f[5]];
    // Every own field must be one of those read (`type` included), each a string or a number.
    let seen = 1;
    for (const v of [v1, v2, v3, v4, v5, v6]) {
      if (v === undefined) continue;
      if (typeof v !== 'string' && typeof v !== 'number') return false;
      seen++;
    }
    if (Object.keys(event).length !== seen) return false;
    return this.trackFields(shape.kind, now, text(v1), number(v1), text(v2), number(v2), text(v3), number(v3),
      text(v4), number(v4), text(v5), number(v5), text(v6), number(v6));
  }

  #read() {
    let m = this.#view;
    if (m === null || m.byteLength === 0) {
      m = this.#view = new Float64Array(wasmMemory().buffer, this.summaryAddress(), 5);
      this.#stages ??= this.stageNames();
    }
    return { total: m[0], fit: m[1], engagement: m[2], stage: this.#stages[m[3]], qualified: m[4] === 1 };
  }
}
