// A worker thread of `leadscore score` on a large input (js/cli-score-parts.mjs): it scores the parts of the
// file it is sent, each in a fresh ScoreStream told the file line the part starts on (`read.part`), after the
// file's header, and sends back the part's output rows, its counts, where its reading stopped and its chunks.
import { parentPort, workerData } from 'node:worker_threads';
import { owned } from './cli-score-parts.mjs';

// The wasm compiled once on the main thread: each worker instantiates it, sharing its compiled code.
const { initSync, ScoreStream } = await import(workerData.glue);
initSync({ module: workerData.module });
const { doc, options, read, header } = workerData;

parentPort.on('message', ({ index, pieces, line, last }) => {
  let stream;
  let result;
  try {
    stream = new ScoreStream(doc, options, { ...read, part: { line } });
    stream.push(header);
    const outputs = pieces.map((piece) => stream.push(piece));
    if (last) outputs.push(stream.finish());
    result = { index, outputs: outputs.map(owned), summary: stream.summary(), pieces };
  } catch (error) {
    result = { index, error: error.message, pieces };
  } finally {
    stream?.free();
  }
  // The chunks go back with the result (the part after this one may need their end), the output is moved.
  parentPort.postMessage(result, [...pieces, ...(result.outputs ?? [])].map((bytes) => bytes.buffer));
});

