// Types of adapt-wasm2c.mjs, for the TypeScript host.
/** wasm2c's C with its load/store helpers replaced by edgeprop's (ep-wasm-memory.h); throws when the layout is not WABT 1.0.32's. */
export declare function adaptWasm2c(source: string): string;
