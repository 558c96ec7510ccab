// A worker thread of `leadscore score` on a large input (js/cli-score-parts.mjs): it scores the parts of the
// file it is sent, each in a fresh ScoreStream told the file line the part starts on (`read.part`), after the
// file's header, and sends back the part's output rows, its counts, where its reading stopped and its chunks.
import { parentPort, workerData } from 'node:worker_threads';

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
    const output = outputs.length === 1 ? outputs[0] : Buffer.concat(outputs);
    result = { index, output, summary: stream.summary(), pieces };
  } catch (error) {
    result = { index, error: error.message, pieces };
  } finally {
    stream?.free();
  }
  // The chunks go back with the result: the part after this one may need their end.
  const moved = pieces.map((piece) => piece.buffer);
  if (result.output) moved.push(owned(result).buffer);
  parentPort.postMessage(result, moved);
});

/** The result's output as an array that owns its memory (so it can be moved). */
function owned(result) {
  const { output } = result;
  if (output.byteOffset !== 0 || output.buffer.byteLength !== output.length) result.output = new Uint8Array(output);
  return result.output;
}
