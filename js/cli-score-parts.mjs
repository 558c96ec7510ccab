// `leadscore score` on every core (issue 19): a large input is cut into parts of about 1 MB, scored by worker
// threads (js/cli-score-worker.mjs) and by this thread, and their output is written in the input's order, so the
// output, the bad-row lines and the summary are those of one ScoreStream reading the whole input.
//
// This thread scores the start of the input itself, in one stream told it reads a part (`read.part`, no line:
// the file's own numbering), so that it says where its reading stopped: the parts start there, once the input
// is known to be large (a file of more than ALONE_BYTES, after its first chunk; other input after ALONE_BYTES).
// Each part goes to a worker that has fewer than AHEAD parts (a worker starts in about 0.1 s: its first parts
// wait for it), else this thread scores it at once; each thread scores its parts on one ScoreStream, restarted
// for each. The input's chunks are handed to the workers as they came (moved, not copied, where a chunk owns its
// memory) and come back with the part's result. A part is cut after its last line feed, which is a record's
// end unless it lies inside a quoted field; the file line it starts on is counted here (line feeds, and
// carriage returns not followed by one, as the CSV reader counts them). Both are guesses, checked when the part
// before it is done: that part says where its reading stopped (`line`, and `pending`: the bytes of a record its
// end cut). A part that did not start there is scored again from there, so a quoted line break at a cut, or
// lines counted differently, cost time and never change the output.
//
// One ScoreStream on this thread alone (`single`) when parts cannot help or cannot be exact: an input of at most
// ALONE_BYTES, one thread (`--workers 1`), JSON Lines output, Windows-1252 input (the reader holds re-encoded
// bytes, so `pending` would not count the input's), an input without an id column (a row's id is then its
// ordinal in the file, which a part does not know), or a header the reader does not take alone (or not in the
// first chunk).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** Bytes per part (LEADSCORE_PART_BYTES: smaller parts in tests, to cut files of a few hundred rows). */
const PART_BYTES = Number(process.env.LEADSCORE_PART_BYTES) || 1 << 20;
/**
 * Input scored on this thread alone, without workers: starting one costs about 0.1 s of CPU, more than it saves
 * on less than about 150,000 rows (BENCHMARKS.md, "Batch scoring").
 */
const ALONE_BYTES = 16 * PART_BYTES;
/** Parts sent to a worker and not yet back, at most: one being scored and one waiting, so it never idles. */
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

/** How many threads score `score`'s input (this one included): --workers, else two when the machine has two cores or more. */
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
 * Scores one part (on a worker or on this thread) on `stream`, the thread's ScoreStream for parts: restarted, told
 * the file line the part starts on, pushed the file's header, then the part's chunks. Returns the part's output
 * and summary; throws the stream's error.
 */
export function scorePart(stream, { read, header }, { pieces, line, last }) {
  stream.restart({ ...read, part: { line } });
  stream.push(header);
  const outputs = pieces.map((piece) => stream.push(piece));
  if (last) outputs.push(stream.finish());
  return { outputs, summary: stream.summary() };
}

/**
 * A ScoreStream's push / finish / summary over worker threads: push and finish return the output to write, in
 * input order (a list of byte arrays), and throw the first error, as the single ScoreStream does.
 */
export class PartedScore {
  /**
   * `workers`: the threads that score, this one included; `single`: the ScoreStream of the whole input; `input`:
   * its path, or - for standard input.
   */
  constructor({ leadscore, wasm, doc, options, read, workers, single, input }) {
    Object.assign(this, { leadscore, wasm, doc, options, read, workers, single });
    const utf8 = read.encoding === undefined || /^utf-?8$/i.test(read.encoding);
    this.mode = workers > 1 && read.format !== 'jsonl' && utf8 ? 'start' : 'single';
    // The input's size on disk, when it has one: at least the bytes it gives (a gzip file gives more).
    this.size = input !== '-' && existsSync(input) ? statSync(input).size : 0;
    this.pushed = 0;
    this.pool = [];
    this.counts = { rows: 0, bad: 0, errors: [], fast: 0, general: 0 };
  }

  async push(bytes) {
    if (this.mode === 'single') return this.single.push(bytes);
    if (this.mode === 'start') {
      const out = this.started(bytes);
      this.pushed += bytes.length;
      // Parts once the input is known to be large.
      if (this.mode === 'start' && Math.max(this.size, this.pushed) > ALONE_BYTES) this.toParts(bytes);
      return out;
    }
    this.held.push(bytes);
    this.heldBytes += bytes.length;
    this.cut();
    // Outputs held behind a part a worker still has: a few parts' worth, then wait for it (unless it is still
    // starting: this thread goes on meanwhile).
    const held = this.sent.length - this.next > AHEAD * (this.pool.length + 1) + 2;
    return this.written(held && this.pool.every((worker) => worker.ready || worker.stopped));
  }

  /**
   * The start of the input, scored here by `this.single` (in place of the stream the caller made, a stream that
   * says where it stopped); the first chunk is read for the header first: one thread alone when parts will not do.
   */
  started(bytes) {
    if (this.header === undefined) {
      this.header = fileHeader(this.leadscore.ScoreStream, this, bytes);
      if (!this.header) {
        this.mode = 'single';
        return this.single.push(bytes);
      }
      this.single.free();
      this.single = new this.leadscore.ScoreStream(this.doc, this.options, { ...this.read, part: {} });
    }
    return this.single.push(bytes);
  }

  /** Goes on in parts from where `this.single` stopped reading, if that is in `last` (the chunk pushed last). */
  toParts(last) {
    const seen = this.single.summary();
    if (seen.pending > last.length) return;
    this.mode = 'parts';
    this.add(seen);
    this.single.free();
    this.line = seen.line;
    this.offset = this.pushed - seen.pending;
    this.expected = { offset: this.offset, line: this.line };
    this.held = seen.pending > 0 ? [new Uint8Array(last.subarray(last.length - seen.pending))] : [];
    this.heldBytes = seen.pending;
    this.sent = [];
    this.next = 0;
    const workerData = { ...this.wasm, doc: this.doc, options: this.options, read: this.read, header: this.header };
    this.pool = Array.from({ length: this.workers - 1 }, () => this.spawn(workerData));
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
    try {
      if (this.mode !== 'parts') return this.single.finish();
      this.send(this.held, true);
      this.held = [];
      return await this.written(true, true);
    } finally {
      this.partStream?.free();
      for (const worker of this.pool) await worker.terminate();
    }
  }

  summary() {
    return this.mode === 'parts' ? this.counts : this.single.summary();
  }

  spawn(workerData) {
    const worker = new Worker(new URL('./cli-score-worker.mjs', import.meta.url), { workerData });
    worker.waiting = new Map();
    // It says when it is ready (it starts in about 0.1 s; the first parts it is sent wait for it).
    worker.on('message', (result) => {
      if (result.ready) worker.ready = true;
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
   * Scores a part on the least busy worker that has room for it, else here at once; `part.done` is its result.
   * Chunks sent to a worker are moved there and come back with the result (the part after may need their end).
   */
  score(part) {
    const worker = this.pool.filter((w) => !w.stopped && w.waiting.size < AHEAD).reduce((a, b) => (!a || b.waiting.size < a.waiting.size ? b : a), undefined);
    if (!worker) {
      this.partStream ??= new this.leadscore.ScoreStream(this.doc, this.options, { ...this.read, part: {} });
      try {
        part.done = scorePart(this.partStream, this, part);
      } catch (error) {
        part.done = { error: error.message };
      }
      return;
    }
    part.result = new Promise((settle) => worker.waiting.set(part.index, settle));
    part.result.then((done) => {
      part.done = done;
      if (done.pieces) part.pieces = done.pieces;
    });
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

/**
 * The bytes of the file's header at the start of `first` (the first chunk), read line by line by a stream of its
 * own (a quoted name may hold a line break); undefined when parts cannot score the file: the header is not in
 * `first`, the reader does not take it alone, or the file has no id column.
 */
function fileHeader(ScoreStream, { doc, options, read }, first) {
  const probe = new ScoreStream(doc, options, { ...read, part: {} });
  try {
    for (let end = 0, at = first.indexOf(10); at !== -1; at = first.indexOf(10, end)) {
      const out = probe.push(first.subarray(end, at + 1));
      end = at + 1;
      if (!out.length) continue;
      const seen = probe.summary();
      return seen.rows === 0 && seen.pending === 0 && !seen.ordinalIds ? new Uint8Array(first.subarray(0, end)) : undefined;
    }
    return undefined;
  } finally {
    probe.free();
  }
}
