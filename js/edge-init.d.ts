// Types of `leadscore/edge/init`: the core and edge APIs with the wasm supplied by the caller,
// for runtimes that load it themselves (e.g. a Netlify edge function; the API throws before init()).
export * from './index.js';
export * from './edge.js';

type Global = typeof globalThis;
export type WasmModule = Global extends { WebAssembly: { Module: { prototype: infer M } } } ? M : object;
/** Instantiates the core once, synchronously, from a compiled module (from any JS realm) or the .wasm bytes. */
export function init(module: WasmModule | ArrayBuffer | ArrayBufferView): void;
