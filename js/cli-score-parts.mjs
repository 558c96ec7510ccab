// `leadscore score` on every core (issue 19): a large input is cut into parts of about 1 MB, the parts are
// scored by worker threads (js/cli-score-worker.mjs) and their output is written in the input's order, so the
// output, the bad-row lines and the summary are those of one ScoreStream reading the whole input.
//
// The input's chunks are handed to the workers as they came (moved, not copied, where a chunk owns its
// memory) and come back with the part's result. A part is cut after its last line feed, which is a record's
// end unless it lies inside a quoted field; the file line it starts on is counted here (line feeds, and
// carriage returns not followed by one, as the CSV reader counts them). Both are guesses, checked when the
// part before it is done: that part says where its reading stopped (`line`, and `pending`: the bytes of a
// record its end cut). A part that did not start there is scored again from there, so a quoted line break at
// a cut, or lines counted differently, cost time and never change the output.
//
// One ScoreStream on this thread instead (`single`) when parts cannot help or cannot be exact: an input of at
// most 16 parts (ALONE_BYTES), one worker, JSON Lines output, Windows-1252 input (the reader holds re-encoded bytes, so
// `pending` would not count the input's), an input without an id column (a row's id is then its ordinal in
// the file, which a part does not know), or a header the reader does not take alone.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** Bytes per part (LEADSCORE_PART_BYTES: smaller parts in tests, to cut files of a few hundred rows). */
const PART_BYTES = Number(process.env.LEADSCORE_PART_BYTES) || 1 << 20;
/**
 * Input scored on this thread alone: starting two workers costs about 0.2 s of wall clock and 0.4 s of CPU,
 * more than they save on less than about 150,000 rows (BENCHMARKS.md, "Two worker threads").
 */
const ALONE_BYTES = 16 * PART_BYTES;
/** Parts sent and not yet written, per worker: one being scored and one waiting, so a worker never idles. */
const AHEAD = 2;

/** Line breaks in `pieces` (one text cut in pieces) as the CSV reader counts them: LF, CRLF and a lone CR are one each. */
function lineBreaks(pieces) {
  let count = 0;
  for (const [i, bytes] of pieces.entries()) {
    for (let at = bytes.indexOf(10); at !== -1; at = bytes.indexOf(10, at + 1)) count++;
    for (let at = bytes.indexOf(13); at !== -1; at = bytes.indexOf(13, at + 1)) {
      const after = at + 1 < bytes.length ? bytes[at + 1] : pieces[i + 1]?.[0];
      if (after !== 10) count++;
    }
  }
  return count;
}

/** The last `n` bytes of `pieces`, as one array. */
function tail(pieces, n) {
  const out = new Uint8Array(n);
  let end = n;
  for (let i = pieces.length - 1; i >= 0 && end > 0; i--) {
    const piece = pieces[i].subarray(Math.max(0, pieces[i].length - end));
    out.set(piece, end - piece.length);
    end -= piece.length;
  }
  return out;
}

/** Whether `bytes` is all of its memory (a view of part of a buffer shares it, e.g. zlib's and the pool's). */
const owns = (bytes) => bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length;

/** `bytes` such that its memory can be moved to another thread: itself when it owns it (or `movable`), else a copy. */
export const owned = (bytes) => (owns(bytes) || bytes.movable ? bytes : new Uint8Array(bytes));

/** How many workers score `score`'s input: --workers, else two when the machine has two cores or more. */
export function workerCount(flag) {
  if (flag === undefined) return Math.min(2, availableParallelism());
  const n = Number(flag);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`--workers expects 1 to 64, got "${flag}"`);
  return n;
}

/**
 * The calibration wasm compiled once, for this thread and the workers (a compiled module is shared between
 * threads with its code, so each worker only instantiates it): call before the package is imported.
 * `entry`: the URL of the package's calibrate-node.js, beside which its wasm glue lies.
 */
export async function sharedWasm(entry) {
  const glue = new URL('calibrate/leadscore.js', entry).href;
  const module = new WebAssembly.Module(readFileSync(new URL('calibrate/leadscore_bg.wasm', entry)));
  (await import(glue)).initSync({ module });
  return { glue, module };
}

/**
 * A ScoreStream's push / finish / summary over worker threads: push and finish return the output to write, in
 * input order (a list of byte arrays), and throw the first error, as the single ScoreStream does.
 */
export class PartedScore {
  constructor({ leadscore, wasm, doc, options, read, workers, single }) {
    Object.assign(this, { leadscore, wasm, doc, options, read, workers, single });
    const utf8 = read.encoding === undefined || /^utf-?8$/i.test(read.encoding);
    this.mode = workers > 1 && read.format !== 'jsonl' && utf8 ? 'undecided' : 'single';
    this.held = [];
    this.heldBytes = 0;
    this.counts = { rows: 0, bad: 0, errors: [], fast: 0, general: 0 };
  }

  async push(bytes) {
    if (this.mode === 'single') return this.single.push(bytes);
    this.held.push(bytes);
    this.heldBytes += bytes.length;
    if (this.mode === 'undecided') {
      // Less than ALONE_BYTES of input is scored here.
      if (this.heldBytes < ALONE_BYTES) return [];
      const header = this.start();
      if (this.mode === 'single') return header;
      this.cut();
      return [header, ...(await this.written(false))];
    }
    this.cut();
    return this.written(this.sent.length - this.next > AHEAD * this.pool.length);
  }

  /** Sends the held chunks as a part once they make PART_BYTES, up to the last line feed of the last chunk. */
  cut() {
    if (this.heldBytes < PART_BYTES) return;
    const pieces = this.held;
    const last = pieces.pop();
    const cut = last.lastIndexOf(10) + 1;
    // No line feed in the last chunk: the part ends with it (its end is a guess like any other).
    const end = cut > 0 ? cut : last.length;
    if (end > 0) {
      // The chunk's memory can go with its head when the chunk owns it: its tail (part of a line) is copied out.
      const head = last.subarray(0, end);
      head.movable = owns(last);
      pieces.push(head);
    }
    this.held = end < last.length ? [new Uint8Array(last.subarray(end))] : [];
    this.heldBytes = last.length - end;
    this.send(pieces, false);
  }

  async finish() {
    if (this.mode === 'undecided') {
      this.mode = 'single';
      return [this.single.push(Buffer.concat(this.held)), this.single.finish()];
    }
    if (this.mode === 'single') return this.single.finish();
    this.send(this.held, true);
    this.held = [];
    try {
      return await this.written(true, true);
    } finally {
      for (const worker of this.pool) await worker.terminate();
    }
  }

  summary() {
    return this.mode === 'parts' ? this.counts : this.single.summary();
  }

  /** Reads the header on this thread; starts the workers, or goes on with `single` when parts will not do. */
  start() {
    const first = Buffer.concat(this.held);
    const probe = new this.leadscore.ScoreStream(this.doc, this.options, { ...this.read, part: {} });
    let header;
    let headerEnd = 0;
    try {
      // Line by line until the reader has the header (a quoted name may hold a line break).
      while (!header) {
        const at = first.indexOf(10, headerEnd);
        if (at === -1) break;
        const out = probe.push(first.subarray(headerEnd, at + 1));
        headerEnd = at + 1;
        if (out.length) header = out;
      }
      const seen = probe.summary();
      if (!header || seen.rows !== 0 || seen.pending !== 0 || seen.ordinalIds) return this.fallBack();
      this.line = seen.line;
    } finally {
      probe.free();
    }
    this.mode = 'parts';
    const workerData = { ...this.wasm, doc: this.doc, options: this.options, read: this.read, header: new Uint8Array(first.subarray(0, headerEnd)) };
    this.pool = Array.from({ length: this.workers }, () => this.spawn(workerData));
    this.sent = [];
    this.next = 0;
    this.offset = headerEnd;
    this.expected = { offset: headerEnd, line: this.line };
    // The input held so far, in parts of PART_BYTES cut after a line feed (copies: they share its memory).
    let at = headerEnd;
    while (first.length - at >= PART_BYTES) {
      const cut = first.lastIndexOf(10, at + PART_BYTES - 1) + 1;
      const end = cut > at ? cut : at + PART_BYTES;
      this.send([first.subarray(at, end)], false);
      at = end;
    }
    this.held = at < first.length ? [first.subarray(at)] : [];
    this.heldBytes = first.length - at;
    return header;
  }

  fallBack() {
    this.mode = 'single';
    const out = this.single.push(Buffer.concat(this.held));
    this.held = [];
    return out;
  }

  spawn(workerData) {
    const worker = new Worker(new URL('./cli-score-worker.mjs', import.meta.url), { workerData });
    worker.waiting = new Map();
    worker.on('message', (result) => {
      worker.waiting.get(result.index)?.(result);
      worker.waiting.delete(result.index);
    });
    // A worker that stops (out of memory, say) fails the parts it holds, and gets no more.
    const stopped = (why) => {
      worker.stopped = `a scoring worker stopped: ${why}`;
      for (const settle of worker.waiting.values()) settle({ error: worker.stopped });
      worker.waiting.clear();
    };
    worker.on('error', (error) => stopped(error.message));
    worker.on('exit', (code) => stopped(`exit code ${code}`));
    return worker;
  }

  /** Sends the chunks at the input's current offset as the next part; it starts on the line counted so far. */
  send(pieces, last) {
    const size = pieces.reduce((n, piece) => n + piece.length, 0);
    const part = { index: this.sent.length, offset: this.offset, line: this.line, pieces, size, last };
    this.offset += size;
    this.line += lineBreaks(pieces);
    this.sent.push(part);
    this.score(part);
  }

  /**
   * Scores a part on the least busy worker; `part.done` is its result, `part.result` settles with it. Its
   * chunks are moved to the worker and come back with the result (the part after it may need their end).
   */
  score(part) {
    const worker = this.pool.filter((w) => !w.stopped).reduce((a, b) => (!a || b.waiting.size < a.waiting.size ? b : a), undefined);
    part.result = new Promise((settle) => (worker ? worker.waiting.set(part.index, settle) : settle({ error: this.pool[0].stopped })));
    part.result.then((done) => {
      part.done = done;
      if (done.pieces) part.pieces = done.pieces;
    });
    if (!worker) return;
    const pieces = part.pieces.map(owned);
    part.pieces = undefined;
    worker.postMessage({ index: part.index, pieces, line: part.line, last: part.last }, pieces.map((piece) => piece.buffer));
  }

  /**
   * The output of the parts done, in order: all of them when `all`, else those already done and, when
   * `wait`, at least the oldest. A part that did not start where the one before it stopped is scored again.
   */
  async written(wait, all = false) {
    const outputs = [];
    while (this.next < this.sent.length) {
      const part = this.sent[this.next];
      if (!part.done) {
        if (!wait && !all) break;
        await part.result;
      }
      wait = false;
      const { offset, line } = this.expected;
      if (part.offset !== offset || part.line !== line) {
        const before = this.sent[this.next - 1];
        const missing = part.offset - offset;
        const pieces = missing > 0 ? [tail(before.pieces, missing), ...(part.pieces ?? [])] : part.pieces ?? [];
        Object.assign(part, { offset, line, pieces, size: part.size + missing, done: undefined });
        this.score(part);
        wait = true;
        continue;
      }
      const { summary, error } = part.done;
      if (error !== undefined) throw new Error(error);
      outputs.push(...part.done.outputs);
      this.add(summary);
      this.expected = { offset: part.offset + part.size - summary.pending, line: summary.line };
      if (this.next > 0) this.sent[this.next - 1] = undefined;
      this.next++;
    }
    return outputs;
  }

  add(summary) {
    const counts = this.counts;
    counts.rows += summary.rows;
    counts.bad += summary.bad;
    counts.fast += summary.fast;
    counts.general += summary.general;
    if (counts.errors.length < 20) counts.errors.push(...summary.errors.slice(0, 20 - counts.errors.length));
  }
}
