// edgeprop-model v1 JSON helpers and the comparisons the golden cases use.
import { readFileSync } from "node:fs";

export interface ModelJson {
  format: string;
  version: number;
  loss: string;
  layers: { type: string; in: number; out: number; activation: string; weight: number[][]; bias: number[] }[];
  [k: string]: unknown;
}

export function readJson(file: string): any {
  return JSON.parse(readFileSync(file, "utf8"));
}

/** Parameters in the module's order: per layer, weight rows then bias. */
export function flatParams(m: ModelJson): number[] {
  const out: number[] = [];
  for (const l of m.layers) {
    for (const row of l.weight) out.push(...row);
    out.push(...l.bias);
  }
  return out;
}

/** max |a - b| / max |b|  (b is the reference). */
export function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != reference length ${b.length}`);
  let d = 0, s = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return s === 0 ? d : d / s;
}

/** Largest elementwise relative difference |a - b| / |b|. */
export function eachRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != reference length ${b.length}`);
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    const r = Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-300);
    worst = Math.max(worst, Number.isNaN(r) ? Infinity : r);
  }
  return worst;
}

/** Checks the edgeprop-model v1 shape; returns a list of problems (empty if fine). */
export function modelProblems(m: any): string[] {
  const p: string[] = [];
  if (m?.format !== "edgeprop-model") p.push(`format ${JSON.stringify(m?.format)}`);
  if (m?.version !== 1) p.push(`version ${JSON.stringify(m?.version)}`);
  if (!["mse", "ce", "bce"].includes(m?.loss)) p.push(`loss ${JSON.stringify(m?.loss)}`);
  if (!Array.isArray(m?.layers) || m.layers.length === 0) { p.push("no layers"); return p; }
  m.layers.forEach((l: any, i: number) => {
    if (l.type !== "dense") p.push(`layers[${i}].type`);
    if (i > 0 && l.in !== m.layers[i - 1].out) p.push(`layers[${i}].in`);
    if (!Array.isArray(l.weight) || l.weight.length !== l.out || l.weight.some((r: any) => !Array.isArray(r) || r.length !== l.in)) p.push(`layers[${i}].weight shape`);
    if (!Array.isArray(l.bias) || l.bias.length !== l.out) p.push(`layers[${i}].bias shape`);
    if (typeof l.activation !== "string") p.push(`layers[${i}].activation`);
  });
  return p;
}

export function modelJson(sizes: number[], activations: string[], loss: string, flat: ArrayLike<number>): ModelJson {
  let p = 0;
  const layers = [];
  for (let l = 1; l < sizes.length; l++) {
    const nIn = sizes[l - 1], nOut = sizes[l];
    const weight: number[][] = [];
    for (let j = 0; j < nOut; j++) { weight.push(Array.from({ length: nIn }, (_, i) => flat[p + j * nIn + i])); }
    p += nIn * nOut;
    const bias = Array.from({ length: nOut }, (_, j) => flat[p + j]);
    p += nOut;
    layers.push({ type: "dense", in: nIn, out: nOut, activation: activations[l - 1], weight, bias });
  }
  return { format: "edgeprop-model", version: 1, loss, layers };
}
