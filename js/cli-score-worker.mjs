// A worker thread of `leadscore score` on a large input (js/cli-score-parts.mjs): it scores the parts of the
// file it is sent (`scorePart`: its ScoreStream restarted for each, told the file line the part starts on and
// pushed the file's header) and sends back the part's output rows, its counts, where its reading stopped and its
// chunks.
import { parentPort, workerData } from 'node:worker_threads';
import { owned, scorePart } from './cli-score-parts.mjs';

// The wasm compiled once on the main thread: each worker instantiates it, sharing its compiled code.
const { initSync, ScoreStream } = await import(workerData.glue);
initSync({ module: workerData.module });
// One stream for every part this thread scores: the model is compiled once.
const { doc, options, read } = workerData;
const stream = new ScoreStream(doc, options, { ...read, part: {} });

parentPort.on('message', ({ index, pieces, line, last }) => {
  let result;
  try {
    const { outputs, summary } = scorePart(stream, workerData, { pieces, line, last });
    result = { index, outputs: outputs.map(owned), summary, pieces };
  } catch (error) {
    result = { index, error: error.message, pieces };
  }
  // The chunks go back with the result (the part after this one may need their end), the output is moved.
  parentPort.postMessage(result, [...pieces, ...(result.outputs ?? [])].map((bytes) => bytes.buffer));
});
parentPort.postMessage({ ready: true });
