// The full model validator (pkg/browser/leadscore-validate.js, with leadscore-validate.wasm beside it): what the
// loader imports only when the engine's own reader rejects a model (see `loadEngine` in ./start.js), to name the field
// and say why. Its wasm is this crate's `validator` build (src/ffi/validate.rs), with every message.
import init, { validate } from './validate-glue.js';
import { get } from './get.js';

let ready;

/**
 * The engine's `error` for a model its reader rejected ("model <url>: rejected (…" or "shadow model <url>: …"),
 * with every wrong field's path and reason in place of "rejected"; unchanged when the validator cannot load.
 * `doc`, `shadow`: the documents the engine was given; `settings.modelName`: the model it selects in `doc`.
 */
export default async (error, doc, shadow, settings) => {
  try {
    ready ||= get(new URL('leadscore-validate.wasm', import.meta.url).href, 'arraybuffer').then((bytes) => init({ module_or_path: bytes }));
    await ready;
    const why = error[0] === 's' ? validate(shadow, '') : validate(doc, settings.modelName);
    return error.replace(': rejected', () => `: ${why}`); // a function: the text may hold `$&` and the like
  } catch {
    return error;
  }
};
