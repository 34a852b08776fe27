// The activations as the module computes them (assembly/activation.ts): one
// table, from which the host's forward pass (float64) and the exported C
// header's expressions (float32) are both derived.
import type { Activation } from "./config.js";

interface ActivationForms {
  /** In float64 on the host. */
  host: (z: number) => number;
  /** The same as a C99 float expression of `s` (a variable name). */
  c: (s: string) => string;
}

/** leaky_relu's slope below 0 (torch's default negative_slope). */
const LEAKY_SLOPE = 0.01;

export const ACTIVATION_FORMS: Record<Activation, ActivationForms> = {
  identity: { host: (z) => z, c: (s) => s },
  relu: { host: (z) => (z > 0 ? z : 0), c: (s) => `(${s} > 0.0f ? ${s} : 0.0f)` },
  leaky_relu: { host: (z) => (z > 0 ? z : LEAKY_SLOPE * z), c: (s) => `(${s} > 0.0f ? ${s} : ${LEAKY_SLOPE}f * ${s})` },
  // Split at 0 so that neither branch overflows exp.
  sigmoid: {
    host: (z) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z))),
    c: (s) => `(${s} >= 0.0f ? 1.0f / (1.0f + expf(-${s})) : expf(${s}) / (1.0f + expf(${s})))`,
  },
  tanh: { host: (z) => Math.tanh(z), c: (s) => `tanhf(${s})` },
};

export function activate(act: Activation, z: number): number {
  return ACTIVATION_FORMS[act].host(z);
}
