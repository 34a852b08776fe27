// docs/int16.md written again in TypeScript, independently of assembly/int16/:
// the tests hold the module to the document bit for bit. Integers are BigInt
// (the i64 bias and sums), f32 values are handled by their bit patterns.

const dv = new DataView(new ArrayBuffer(4));
export const bitsOf = (x: number): number => { dv.setFloat32(0, x, true); return dv.getUint32(0, true); };
export const fromBits = (b: number): number => { dv.setUint32(0, b >>> 0, true); return dv.getFloat32(0, true); };

export const ROW_GROUP = 32;

/** §2: operand bits of a layer. */
export function layerBits(nIn: number, nOut: number): number {
  const k = Math.max(nIn, nOut, ROW_GROUP);
  const c = Math.ceil(Math.log2(k));
  return Math.min(15, Math.floor((31 - c) / 2));
}

const exponentOf = (a: number) => (a >= 0x800000 ? (a >>> 23) - 127 : (31 - Math.clz32(a)) - 149);

export function roundHalfEven(v: bigint, t: number): bigint {
  if (t <= 0) return v << BigInt(-t);
  const q = v >> BigInt(t);
  const rem = v & ((1n << BigInt(t)) - 1n);
  const half = 1n << BigInt(t - 1);
  return rem > half || (rem === half && (q & 1n) === 1n) ? q + 1n : q;
}

/** §3 step 4 (and §5 step 2 with another limit): |x| 2^s rounded, saturated to `limit`. */
function magnitude(a: number, s: number, limit: bigint): bigint {
  const e = a >>> 23;
  const m = BigInt(e > 0 ? (a & 0x7fffff) | 0x800000 : a & 0x7fffff);
  const t = 150 - (e > 0 ? e : 1) - s;
  const q = t >= 32 ? 0n : roundHalfEven(m, t);
  return q > limit ? limit : q;
}

/** §3: an f32 tensor to int16 values and their scale. */
export function quantize(x: ArrayLike<number>, b: number): { q: number[]; s: number } {
  let M = 0;
  for (let k = 0; k < x.length; k++) M = Math.max(M, bitsOf(x[k]) & 0x7fffffff);
  if (M >= 0x7f800000) throw new Error("non-finite");
  if (M === 0) return { q: Array.from(x, () => 0), s: 0 };
  const s = b - 1 - exponentOf(M);
  const limit = (1n << BigInt(b)) - 1n;
  const q = Array.from(x, (v) => {
    const bits = bitsOf(v);
    const m = Number(magnitude(bits & 0x7fffffff, s, limit));
    return bits >>> 31 ? -m : m;
  });
  return { q, s };
}

/** §5 step 2: the bias at the product's scale, i64. */
export function quantizeBias(b: number, S: number): bigint {
  const bits = bitsOf(b);
  const m = magnitude(bits & 0x7fffffff, S, (1n << 62n) - 1n);
  return bits >>> 31 ? -m : m;
}

/** §4: the f32 nearest v 2^-S, saturated or flushed. */
export function toF32(v: bigint, S: number): number {
  const f = Math.fround(Number(v)); // |v| < 2^53 in these tests: Number is exact
  const bits = bitsOf(f);
  if ((bits & 0x7fffffff) === 0) return 0;
  const e = ((bits >>> 23) & 0xff) - S;
  if (e >= 255) return fromBits((bits & 0x80000000) | 0x7f7fffff);
  if (e <= 0) return fromBits(bits & 0x80000000);
  return fromBits((bits & 0x807fffff) | (e << 23));
}

/** §5 step 4 / §6 step 2: integers requantized to b bits; returns the values and the shift t. */
export function requantize(z: bigint[], b: number): { q: number[]; t: number | null } {
  let M = 0n;
  for (const v of z) M = (v < 0n ? -v : v) > M ? (v < 0n ? -v : v) : M;
  if (M === 0n) return { q: z.map(() => 0), t: null };
  const t = M.toString(2).length - 1 - (b - 1);
  const limit = (1n << BigInt(b)) - 1n;
  return {
    q: z.map((v) => {
      let m = roundHalfEven(v < 0n ? -v : v, t);
      if (m > limit) m = limit;
      return Number(v < 0n ? -m : m);
    }),
    t,
  };
}

export interface Layer { nIn: number; nOut: number; W: number[]; b: number[]; relu: boolean }

/** §5: the forward pass; returns the outputs (before the output activation) and each level's int16 values and scale. */
export function forward(layers: Layer[], x: number[], rows: number) {
  const levels: { q: number[]; s: number }[] = [quantize(x, layerBits(layers[0].nIn, layers[0].nOut))];
  const wq: { q: number[]; s: number }[] = [];
  let y: number[] = [];
  layers.forEach((L, l) => {
    const w = quantize(L.W, layerBits(L.nIn, L.nOut));
    wq.push(w);
    const X = levels[l];
    const S = w.s + X.s;
    const B = L.b.map((v) => quantizeBias(v, S));
    const z: bigint[] = [];
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < L.nOut; j++) {
        let acc = 0;
        for (let i = 0; i < L.nIn; i++) acc += w.q[j * L.nIn + i] * X.q[r * L.nIn + i];
        if (acc > 2 ** 31 - 1 || acc < -(2 ** 31)) throw new Error("i32 overflow");
        let v = BigInt(acc) + B[j];
        if (L.relu && v < 0n) v = 0n;
        z.push(v);
      }
    }
    if (l < layers.length - 1) {
      const next = layers[l + 1];
      const r = requantize(z, layerBits(next.nIn, next.nOut));
      levels.push({ q: r.q, s: r.t === null ? S : S - r.t });
    } else {
      y = z.map((v) => toF32(v, S));
    }
  });
  return { y, levels, wq };
}

/** §6: the f32 weight gradients (weights then bias, per layer) of one chunk, given dL/dz of the last layer. */
export function gradients(layers: Layer[], fw: ReturnType<typeof forward>, dLdz: number[], rows: number): number[][] {
  const n = layers.length;
  let dz = quantize(dLdz, layerBits(layers[n - 1].nIn, layers[n - 1].nOut));
  const out: number[][] = [];
  for (let l = n - 1; l >= 0; l--) {
    const L = layers[l], X = fw.levels[l];
    const g = new Array<number>(L.nOut * L.nIn + L.nOut).fill(0);
    for (let first = 0; first < rows; first += ROW_GROUP) {
      const last = Math.min(rows, first + ROW_GROUP);
      for (let j = 0; j < L.nOut; j++) {
        for (let i = 0; i < L.nIn; i++) {
          let a = 0;
          for (let r = first; r < last; r++) a += dz.q[r * L.nOut + j] * X.q[r * L.nIn + i];
          g[j * L.nIn + i] = Math.fround(g[j * L.nIn + i] + toF32(BigInt(a), dz.s + X.s));
        }
        let a = 0;
        for (let r = first; r < last; r++) a += dz.q[r * L.nOut + j];
        g[L.nOut * L.nIn + j] = Math.fround(g[L.nOut * L.nIn + j] + toF32(BigInt(a), dz.s));
      }
    }
    out.unshift(g);
    if (l === 0) break;
    const W = fw.wq[l];
    const below = layers[l - 1];
    const sums: bigint[] = [];
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < L.nIn; i++) {
        let a = 0;
        for (let j = 0; j < L.nOut; j++) a += dz.q[r * L.nOut + j] * W.q[j * L.nIn + i];
        if (below.relu && X.q[r * L.nIn + i] <= 0) a = 0;
        sums.push(BigInt(a));
      }
    }
    const S = dz.s + W.s;
    const r = requantize(sums, layerBits(below.nIn, below.nOut));
    dz = { q: r.q, s: r.t === null ? S : S - r.t };
  }
  return out;
}
