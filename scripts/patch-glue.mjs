// Patches the glue wasm-bindgen generates (`--target web`) so that loading is robust in bundled apps:
// - a WebAssembly.Module from another JS realm (Next.js's edge sandbox, `vm` contexts) is recognised by its
//   brand, not by `instanceof`, which is false across realms;
// - before the wasm is instantiated, any use of the API throws "leadscore is not initialised: …" (with
//   `code` NOT_INITIALISED) instead of a TypeError from reading a property of `undefined`;
// - no default `new URL('leadscore_bg.wasm', import.meta.url)`: the entries always pass the wasm, and a
//   bundler that sees that expression emits the file a second time (and rewrites it on server builds).
// Every replacement must match exactly as many times as expected, so a new wasm-bindgen fails the build
// here instead of shipping unpatched glue.

export const NOT_INITIALISED = 'LEADSCORE_NOT_INITIALISED';

const NOT_READY = `const __leadscore_not_ready = new Proxy({}, { get() {
    const error = new Error('leadscore is not initialised: the WebAssembly module is not loaded yet (with leadscore/edge/init, call init(wasm) before using the API)');
    error.code = '${NOT_INITIALISED}';
    throw error;
} });
let wasmModule, wasmInstance, wasm = __leadscore_not_ready;`;

const PATCHES = [
  ['let wasmModule, wasmInstance, wasm;', NOT_READY, 1],
  ['if (wasm !== undefined) return wasm;', 'if (wasm !== __leadscore_not_ready) return wasm;', 2],
  ['if (!(module instanceof WebAssembly.Module)) {',
    "if (Object.prototype.toString.call(module) !== '[object WebAssembly.Module]') {", 1],
  ["module_or_path = new URL('leadscore_bg.wasm', import.meta.url);",
    "throw new Error('leadscore: no wasm given to init()');", 1],
];

/** The glue's text with every patch applied; throws naming the patch that did not match. */
export function patchGlue(text) {
  let out = text;
  for (const [from, to, count] of PATCHES) {
    const found = out.split(from).length - 1;
    if (found !== count) throw new Error(`patch-glue: expected ${count} × ${JSON.stringify(from)} in the wasm-bindgen glue, found ${found}`);
    out = out.replaceAll(from, to);
  }
  return out;
}
