// Types of `leadscore/edge/init`: the core and edge APIs with the wasm supplied by the caller,
// for runtimes that import it themselves (Vercel and Netlify edge: `leadscore/wasm?module`).
export * from './index.js';
export * from './edge.js';

type Global = typeof globalThis;
export type WasmModule = Global extends { WebAssembly: { Module: { prototype: infer M } } } ? M : object;
/** Instantiates the core once, synchronously, from a compiled module or the .wasm bytes. */
export function init(module: WasmModule | ArrayBuffer | ArrayBufferView): void;
