// Placeholder: the WASI command entry lands with the protocol.
export * from "./index";
