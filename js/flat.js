// FlatScorer: scores flat lead records ({ company_size: 120, job_title: 'VP', ... }) at full speed.
// The model compiles to slot programs in WASM (src/flat/); this encoder writes each lead's fields
// straight into a buffer in WASM memory as (code, number) pairs, so a lead crosses the boundary as
// numbers instead of a serialised object. Leads the fast path cannot judge exactly (an unexpected
// text where a numeric test applies, non-ASCII text, objects) go through the general engine, so the
// result always equals `new Model(doc).scoreLead({ traits })`.
import { Model, wasmMemory } from './core/leadscore.js';

const MISSING = -1, NUMBER = -2, BOOLEAN = -3, UNKNOWN_TEXT = -4;
const MAX_TEXT = 512; // the general engine rejects longer trait texts
const ASCII = /^[\x00-\x7f]*$/;
const RAW_CACHE_LIMIT = 4096; // distinct raw texts remembered with their code
const BATCH_CHUNK = 1024; // leads encoded and scored per call into WASM

// Reads the model's fields of a lead into `values`. Generated with named property reads where the
// platform allows it (each read site then sees one object shape and stays fast); workerd and
// strict-CSP pages forbid `new Function`, so there the generic loop is used.
function fieldReader(fields) {
  const generic = (lead, values) => {
    for (let i = 0; i < fields.length; i++) values[i] = lead[fields[i]];
  };
  try {
    const body = fields.map((f, i) => `values[${i}] = lead[${JSON.stringify(f)}];`).join('\n');
    const generated = new Function('lead', 'values', body);
    generated({}, new Array(fields.length));
    return generated;
  } catch {
    return generic;
  }
}

export class FlatScorer {
  /** @throws {Error} when the model is invalid or has rules that are not trait rules. */
  constructor(doc, options) {
    this.model = new Model(doc, options);
    this.core = this.model.flatScorer();
    const { fields, texts, unknownOk } = this.core.layout();
    this.fields = fields;
    this.width = fields.length;
    this.unknownOk = unknownOk;
    this.codes = new Map(texts.map((text, code) => [text, code]));
    this.rawCodes = new Map(); // raw text -> code (or false: general path), skipping trim/fold
    this.values = new Array(fields.length);
    this.read = fieldReader(fields);
    this.memory = wasmMemory();
    this.capacity = 0;
    this.reserve(1);
  }

  /** Total (0..100) of one lead. */
  score(lead) {
    if (this.input.byteLength === 0) this.remap(); // WASM memory grew: views detach
    return this.encode(lead, 0) ? this.core.score() : this.general(lead);
  }

  /** Totals of many leads, as a Float64Array in the order given. */
  scoreBatch(leads) {
    const n = leads.length;
    const totals = new Float64Array(n);
    if (this.capacity < BATCH_CHUNK) this.reserve(BATCH_CHUNK);
    const stride = 2 * this.width;
    // Chunks small enough that the encoded leads stay in the CPU cache between encoding and scoring.
    for (let start = 0; start < n; start += BATCH_CHUNK) {
      const count = Math.min(BATCH_CHUNK, n - start);
      if (this.input.byteLength === 0) this.remap();
      const slow = [];
      for (let i = 0; i < count; i++) if (!this.encode(leads[start + i], i * stride)) slow.push(i);
      this.core.scoreBatch(count);
      if (this.output.byteLength === 0) this.remap();
      totals.set(this.output.subarray(0, count), start);
      for (const i of slow) totals[start + i] = this.general(leads[start + i]);
    }
    return totals;
  }

  /** Frees the WASM side now rather than at garbage collection. */
  free() {
    this.core.free();
    this.model.free();
  }

  reserve(n) {
    this.core.reserve(n);
    this.capacity = n;
    this.remap();
  }

  remap() {
    const buffer = this.memory.buffer;
    this.input = new Float64Array(buffer, this.core.reserve(this.capacity), this.capacity * 2 * this.width);
    this.output = new Float64Array(buffer, this.core.outputAddress(), this.capacity);
  }

  /** Writes one lead at `base`; false when only the general engine can score it exactly. */
  encode(lead, base) {
    const input = this.input, width = this.width, values = this.values;
    this.read(lead, values);
    for (let i = 0; i < width; i++) {
      const value = values[i];
      let code, number = 0;
      if (value === undefined || value === null) {
        code = MISSING;
      } else if (typeof value === 'number') {
        if (!Number.isFinite(value)) return false;
        code = NUMBER;
        number = value;
      } else if (typeof value === 'boolean') {
        code = BOOLEAN;
        number = value ? 1 : 0;
      } else if (typeof value === 'string') {
        code = this.rawCodes.get(value);
        if (code === undefined) code = this.textCode(value);
        if (code === false || (code === UNKNOWN_TEXT && !this.unknownOk[i])) return false;
      } else {
        return false;
      }
      input[base + i] = code;
      input[base + width + i] = number;
    }
    return true;
  }

  /** The code of a text as the engine would fold it; false when only the general engine can tell. */
  textCode(value) {
    let code;
    if (value.length > MAX_TEXT) {
      code = false;
    } else {
      const key = value.trim().toLowerCase();
      if (key === '') code = MISSING;
      else {
        code = this.codes.get(key);
        // The engine folds ASCII letters only; JS folds all of Unicode, so a hit must be ASCII.
        if (code !== undefined && !ASCII.test(value)) code = false;
        if (code === undefined) code = UNKNOWN_TEXT;
      }
    }
    if (this.rawCodes.size < RAW_CACHE_LIMIT) this.rawCodes.set(value, code);
    return code;
  }

  general(lead) {
    const traits = {};
    for (const field of this.fields) if (lead[field] !== undefined) traits[field] = lead[field];
    return this.model.scoreLead({ traits }).total;
  }
}
