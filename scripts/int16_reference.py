#!/usr/bin/python3
"""An exact NumPy reference of edgeprop's training arithmetic (issue 22).

It replays what a board was asked to do (a trace: the CONFIGURE block, the
weights set, every lr, the input statistics, every training job with its rows
in the order they were sent, as tests/int16/ records them from a DirectBoard)
and computes the weights the module must end with, bit for bit: every f32
operation of assembly/ in the module's order (np.float32 arrays and scalars,
one rounding per operation, no fused multiply-add, no pairwise sums: every
reduction is a sequential loop as the module's), f64 where the module uses
f64 (Python floats: the optimizers' bias corrections, the lr, the loss sums).

    /usr/bin/python3 scripts/int16_reference.py TRACE.json > RESULT.json

RESULT.json: {"weights": [u32 bits of each f32 parameter, in the module's
order], "batch_loss": [summed loss of each batch], "status": [each batch's
status, 0 OK], "job_loss": [the loss summed over each training job: an
epoch of sim's, whose loss is this over the rows]}. Only Debian's
python3-numpy is needed.

    /usr/bin/python3 scripts/int16_reference.py --bench LAYERS ACT LOSS OPT LR BATCH ROWS EPOCHS SEED

runs bench/peers/int16.c's training (its data and initial weights drawn as it
draws them, int16, one chunk per batch) and prints {"weights", "epoch_loss",
"status"}: int16.c must print the same bits (tests/bench/int16-c.test.ts).

Exactness notes:
  - f64 Math.pow (Adam's and RAdam's bias corrections, NAdam's momentum
    schedule) is AssemblyScript's port of musl's pow, the same algorithm as
    glibc's since 2.28 (Python's math.pow here); both are correctly rounded
    in all but extremely rare cases, and each result is then rounded to f32.
  - The BCE loss sum uses f64 Math.log1p/Math.exp (AssemblyScript's ports of
    musl); this affects the reported loss only, never the gradients (those
    use the module's own f32 expf32, ported here operation for operation).
"""
import json
import math
import struct
import sys

import numpy as np

F32 = np.float32
ONE = F32(1)

# ---- the configuration block (assembly/config.ts) ------------------------
C_VERSION, C_LAYERS, C_LOSS, C_OPT, C_FLAGS, C_INIT, C_CHUNK, C_SEED = 0, 1, 2, 3, 4, 5, 6, 8
C_SIZES, C_ACTS = 12, 30
F64_FIELDS = {"lr": 40, "momentum": 48, "dampening": 56, "weight_decay": 64, "alpha": 72, "eps": 80,
              "beta1": 88, "beta2": 96, "lr_decay": 104, "initial_acc": 112, "clip_norm": 120,
              "momentum_decay": 128, "clip_value": 136}
C_FROZEN, C_INPUT_FLAGS = 144, 145
C_PRECISION = 152  # docs/int16.md §1: 0 f32, 1 int16
PRECISION_F32, PRECISION_INT16 = 0, 1

LOSS_MSE, LOSS_CE, LOSS_BCE = 0, 1, 2
OPT_SGD, OPT_ADAGRAD, OPT_RMSPROP, OPT_ADAM, OPT_ADAMW, OPT_NADAM, OPT_RADAM = range(7)
FLAG_NESTEROV, FLAG_CENTERED, FLAG_AMSGRAD = 1, 2, 4
ACT_IDENTITY, ACT_RELU, ACT_LEAKY_RELU, ACT_SIGMOID, ACT_TANH = range(5)
INPUT_NORMALIZE = 1


class Config:
    def __init__(self, block):
        b = bytes(block)
        self.block = b
        self.version = b[C_VERSION]
        self.L = b[C_LAYERS]
        self.loss = b[C_LOSS]
        self.opt = b[C_OPT]
        self.flags = b[C_FLAGS]
        self.chunk = struct.unpack_from("<H", b, C_CHUNK)[0]
        self.sizes = [struct.unpack_from("<H", b, C_SIZES + 2 * k)[0] for k in range(self.L + 1)]
        self.acts = [b[C_ACTS + l] for l in range(self.L)]  # acts[l - 1]: layer l's activation
        if self.version == 1:  # the appended fields read as zero
            b = b[:128] + bytes(32)
        self.f = {k: struct.unpack_from("<d", b, off)[0] for k, off in F64_FIELDS.items()}
        self.frozen = b[C_FROZEN]
        self.input_flags = b[C_INPUT_FLAGS]
        self.precision = b[C_PRECISION]

    def act(self, l):
        return self.acts[l - 1]


# ---- mathf32.ts: exp and log in f32 ------------------------------------------
LOG2E = F32(1.44269504)
LN2_HI = F32(0.693145751953125)
LN2_LO = F32(1.42860677e-6)
EXP_OVER = F32(88.7228394)
EXP_UNDER = F32(-103.972084)
HALF = F32(0.5)
TWO = F32(2)
INV3 = F32(1) / F32(3)
INV4 = F32(0.25)
INV5 = F32(1) / F32(5)
INV6 = F32(1) / F32(6)
INV7 = F32(1) / F32(7)
INV9 = F32(1) / F32(9)
SQRT2 = F32(1.41421356)


def pow2f(k):
    """2^k as f32 from its bits, k an int32 array with -126 < k < 128."""
    return ((k + 127).astype(np.int32) << 23).view(np.float32)


def expf32(x):
    x = np.asarray(x, dtype=np.float32)
    nan = x != x
    over = x > EXP_OVER
    under = x < EXP_UNDER
    xs = np.where(nan | over | under, F32(0), x).astype(np.float32)
    k = np.floor(xs * LOG2E + HALF).astype(np.int32)
    kf = k.astype(np.float32)
    r = (xs - kf * LN2_HI) - kf * LN2_LO
    p = ONE + r * INV7
    p = ONE + r * INV6 * p
    p = ONE + r * INV5 * p
    p = ONE + r * INV4 * p
    p = ONE + r * INV3 * p
    p = ONE + r * HALF * p
    p = ONE + r * p
    k1 = k >> 1
    k2 = k - k1
    out = p * pow2f(k1) * pow2f(k2)
    out = np.where(under, F32(0), out)
    out = np.where(over, F32(np.inf), out)
    return np.where(nan, x, out).astype(np.float32)


def logf32(x):
    x = np.asarray(x, dtype=np.float32)
    with np.errstate(all="ignore"):
        bits = x.view(np.uint32).astype(np.int64)
        sub = bits < 0x00800000
        xs = np.where(sub, x * F32(33554432), x).astype(np.float32)
        e = np.where(sub, -25, 0).astype(np.int64)
        bits = xs.view(np.uint32).astype(np.int64)
        e = e + (bits >> 23) - 127
        m = ((bits & 0x007FFFFF) | 0x3F800000).astype(np.uint32).view(np.float32)
        big = m > SQRT2
        m = np.where(big, m * HALF, m).astype(np.float32)
        e = e + big
        s = (m - ONE) / (m + ONE)
        s2 = s * s
        q = np.full_like(s, INV9)
        q = INV7 + s2 * q
        q = INV5 + s2 * q
        q = INV3 + s2 * q
        lnm = TWO * s + TWO * s * s2 * q
        ef = e.astype(np.float32)
        out = ef * LN2_HI + (ef * LN2_LO + lnm)
        out = np.where(x == 0, F32(-np.inf), out)
        out = np.where(x < 0, F32(np.nan), out)
        out = np.where((x != x) | (x == F32(np.inf)), x, out)
    return out.astype(np.float32)


# ---- activation.ts ------------------------------------------------------------
def sigmoid(z):
    with np.errstate(all="ignore"):
        pos = ONE / (ONE + expf32(-z))
        e = expf32(z)
        neg = e / (ONE + e)
    return np.where(z >= 0, pos, neg).astype(np.float32)


def tanhf(z):
    e = expf32(F32(-2) * np.abs(z))
    t = (ONE - e) / (ONE + e)
    return np.where(z < 0, -t, t).astype(np.float32)


def activate(act, z):
    if act == ACT_RELU:
        return np.where(z < 0, F32(0), z).astype(np.float32)
    if act == ACT_LEAKY_RELU:
        return np.where(z < 0, z * F32(0.01), z).astype(np.float32)
    if act == ACT_SIGMOID:
        return sigmoid(z)
    if act == ACT_TANH:
        return tanhf(z)
    return z


def derivative_at(act, a):
    """f'(z) in terms of a = f(z), f32."""
    if act == ACT_RELU:
        return np.where(a > 0, ONE, F32(0)).astype(np.float32)
    if act == ACT_LEAKY_RELU:
        return np.where(a > 0, ONE, F32(0.01)).astype(np.float32)
    if act == ACT_SIGMOID:
        return a * (ONE - a)
    if act == ACT_TANH:
        return ONE - a * a
    return np.ones_like(a)


def derivative_is_one(act):
    return act not in (ACT_RELU, ACT_LEAKY_RELU, ACT_SIGMOID, ACT_TANH)


# ---- dense.ts in f32 --------------------------------------------------------------
def dense_forward(W, b, x):
    """y = x W^T + b with the module's order of additions: for outputs in the
    4-wide blocks, each 4 inputs' products summed ((p0 + p1) + p2) + p3 and
    added to the running sum, the inputs past the last multiple of 4 added one
    by one; outputs past the last multiple of 4 sum every input one by one."""
    rows = x.shape[0]
    n_out, n_in = W.shape
    in4, out4 = n_in & ~3, n_out & ~3
    y = np.empty((rows, n_out), dtype=np.float32)
    if out4:
        Wb = W[:out4]
        s = np.zeros((rows, out4), dtype=np.float32)
        for i in range(0, in4, 4):
            t = (x[:, i, None] * Wb[None, :, i] + x[:, i + 1, None] * Wb[None, :, i + 1]) \
                + x[:, i + 2, None] * Wb[None, :, i + 2]
            t = t + x[:, i + 3, None] * Wb[None, :, i + 3]
            s = s + t
        for i in range(in4, n_in):
            s = s + Wb[None, :, i] * x[:, i, None]
        y[:, :out4] = s + b[None, :out4]
    if out4 < n_out:
        Wt = W[out4:]
        s = np.zeros((rows, n_out - out4), dtype=np.float32)
        for i in range(n_in):
            s = s + Wt[None, :, i] * x[:, i, None]
        y[:, out4:] = s + b[None, out4:]
    return y


def accumulate_gradients(G, Gb, x, d):
    """G[j][i] += sum_r d[r][j] x[r][i] (rows in order), Gb[j] += sum_r d[r][j]."""
    rows = x.shape[0]
    s = np.zeros(Gb.shape, dtype=np.float32)
    for r in range(rows):
        s = s + d[r]
    Gb[:] = Gb + s
    # The 4x4 blocks start from the first row's products, the edges from 0 +
    # them: the same bits, as the sums land on a gradient that is never -0.
    a = d[0][:, None] * x[0][None, :]
    for r in range(1, rows):
        a = a + d[r][:, None] * x[r][None, :]
    G[:] = G + a


def input_deltas(W, x, d, act):
    """dx[r][i] = (sum_j d[r][j] W[j][i], from 0 in j's order) * f'(x[r][i])."""
    s = np.zeros(x.shape, dtype=np.float32)
    for j in range(W.shape[0]):
        s = s + d[:, j, None] * W[None, j, :]
    return s * derivative_at(act, x)


# ---- loss/ ---------------------------------------------------------------------------
def loss_and_grad(kind, act, y, t, keep=False):
    """Returns (summed per-sample loss, f64; dL/dz as f32 or None; ok)."""
    rows, k = y.shape
    if kind == LOSS_CE:
        labels_f = t[:, 0]
        labels = np.where(np.isfinite(labels_f), labels_f, -1).astype(np.int64)
        if not np.all((labels_f >= 0) & (labels.astype(np.float32) == labels_f) & (labels < k)):
            return -1.0, None
        # per row, vectorized over the rows: max, then exp and their sum in column order
        m = y[:, 0].copy()
        for q in range(1, k):
            m = np.maximum(m, y[:, q])
        e = expf32(y - m[:, None])
        z = np.zeros(rows, dtype=np.float32)
        for q in range(k):
            z = z + e[:, q]
        y_label = y[np.arange(rows), labels]
        per_row = (logf32(z) + m) - y_label
        total = 0.0
        for v in per_row:
            total += float(v)
        if keep:
            return total, None
        inv = ONE / z
        onehot = np.zeros((rows, k), dtype=np.float32)
        onehot[np.arange(rows), labels] = 1
        if derivative_is_one(act):
            g = e * inv[:, None] - onehot
        else:
            p = expf32(y - m[:, None]) * inv[:, None] - onehot
            g = p * derivative_at(act, y)
        return total, g
    if kind == LOSS_BCE:
        scale = ONE / F32(k)
        total = 0.0
        for z, tv in zip(y.reshape(-1), t.reshape(-1)):
            zd = float(z)
            total += (zd if zd > 0 else 0.0) - zd * float(tv) + math.log1p(math.exp(-abs(zd)))
        g = ((sigmoid(y) - t) * scale) * derivative_at(act, y)
        return total / k, g
    # MSE
    scale = F32(2) / F32(k)
    e = y - t
    total = 0.0
    for v in e.reshape(-1):
        vd = float(v)
        total += vd * vd  # exact: a 24-bit square fits f64
    g = (scale * e) * derivative_at(act, y)
    return total / k, g



# ---- int16 mode (docs/int16.md) ----------------------------------------------------------
# Integers are numpy int64 arrays throughout (every i32 sum of the module is
# exact in them; the reference asserts it stays in i32's range, which the
# doc's bits per layer guarantee); f32 tensors are np.float32 as above.
STATUS_OK, STATUS_BAD_LABEL, STATUS_NON_FINITE, STATUS_RANGE_COLLAPSED = 0, 6, 9, 13
ROW_GROUP = 32  # §2, §6
BIAS_LIMIT = (1 << 62) - 1


class ChunkFailed(Exception):
    def __init__(self, status, layer=0):
        super().__init__(f"status {status} (layer {layer})")
        self.status, self.layer = status, layer


def bits_of(sizes, l):
    """§2: b_l = min(15, floor((31 - ceil(log2(max(nIn, nOut, G)))) / 2))."""
    k = max(sizes[l - 1], sizes[l], ROW_GROUP)
    c = (k - 1).bit_length()  # ceil(log2 k) for k >= 2
    return min(15, (31 - c) // 2)


def round_half_even(v, t):
    """v / 2^t rounded to nearest, ties to even, for v >= 0 (int64) and t >= 1 (int64 array or int)."""
    v = np.asarray(v, dtype=np.int64)
    t = np.asarray(t, dtype=np.int64)
    q = v >> t
    rem = v & ((np.int64(1) << t) - 1)
    half = np.int64(1) << (t - 1)
    return q + ((rem > half) | ((rem == half) & ((q & 1) == 1)))


def f32_fields(x):
    """|x|'s bits a, its 24-bit significand m and biased exponent e (1 for subnormals): |x| = m 2^(e - 150)."""
    a = x.view(np.uint32).astype(np.int64) & 0x7FFFFFFF
    e = a >> 23
    m = np.where(e > 0, (a & 0x7FFFFF) | 0x800000, a & 0x7FFFFF)
    return a, m, np.where(e > 0, e, 1)


def magnitude_at(m, e, s, limit):
    """§3 step 4: |q| = m 2^(e - 150 + s) rounded half to even, saturated to limit."""
    t = 150 - e - s
    left = np.minimum(np.maximum(-t, 0), 40)
    mag = np.where(t <= 0, m << left, 0)
    mid = (t > 0) & (t < 32)
    mag = np.where(mid, round_half_even(m, np.where(mid, t, 1)), mag)
    return np.minimum(mag, limit)


def quantize_f32(x, b):
    """§3: (q as int64, the scale s); ChunkFailed(NON_FINITE) on an infinity or NaN."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    a, m, e = f32_fields(x)
    M = int(a.max()) if a.size else 0
    if M >= 0x7F800000:
        raise ChunkFailed(STATUS_NON_FINITE)
    if M == 0:
        return np.zeros(x.shape, dtype=np.int64), 0
    E = (M >> 23) - 127 if M >= 0x00800000 else (M.bit_length() - 1) - 149
    s = (b - 1) - E
    mag = magnitude_at(m, e, s, (1 << b) - 1)
    sign = (x.view(np.uint32) >> 31) != 0
    return np.where(sign, -mag, mag), s


def quantize_bias(bias, S):
    """§5 step 2: B = b 2^S rounded half to even, |B| saturated to 2^62 - 1 (i64)."""
    bias = np.ascontiguousarray(bias, dtype=np.float32)
    a, m, e = f32_fields(bias)
    if np.any(a >= 0x7F800000):
        raise ChunkFailed(STATUS_NON_FINITE)
    mag = magnitude_at(m, e, S, BIAS_LIMIT)
    sign = (bias.view(np.uint32) >> 31) != 0
    return np.where(sign, -mag, mag)


def int_to_f32(v):
    """IEEE conversion of integers (|v| < 2^63) to f32, round to nearest even: one rounding.
    Below 2^53 through f64, where the integer is exact (so one rounding, to f32);
    above, by an explicit rounded shift."""
    v = np.asarray(v, dtype=np.int64)
    out = v.astype(np.float64).astype(np.float32)
    big = np.abs(v) > (1 << 53)
    if np.any(big):
        a = np.abs(v[big])
        n = np.zeros(a.shape, dtype=np.int64)  # bit length
        for k in range(63):
            n += (a >> k) != 0
        shift = n - 24
        q = round_half_even(a, shift)
        f = np.ldexp(q.astype(np.float32), shift.astype(np.int32)).astype(np.float32)  # exact: q <= 2^24
        out[big] = np.where(v[big] < 0, -f, f)
    return out


def to_f32(v, S):
    """§4: the f32 nearest v 2^-S; past FLT_MAX saturated, below the normal range flushed to +-0.
    Returns (values, flushed: a non-zero v that came out 0)."""
    f = int_to_f32(v)
    bits = f.view(np.uint32).astype(np.int64)
    sign = bits & 0x80000000
    e = ((bits >> 23) & 0xFF) - S
    out = np.where(e >= 255, sign | 0x7F7FFFFF, (bits & 0x807FFFFF) | (np.clip(e, 0, 255) << 23))
    out = np.where(e <= 0, sign, out)
    out = np.where((bits & 0x7FFFFFFF) == 0, 0, out)
    y = out.astype(np.uint32).view(np.float32)
    return y, (np.asarray(v) != 0) & (y == 0)


def requantize(z, b, S):
    """§5 step 4 / §6 step 2: integers to b-bit ones by a rounded shift; returns (q, scale)."""
    mag = np.abs(z)
    M = int(mag.max()) if mag.size else 0
    if M == 0:
        return np.zeros(z.shape, dtype=np.int64), S
    t = (M.bit_length() - 1) - (b - 1)
    if t > 0:
        q = round_half_even(mag, t)
    else:
        q = mag << (-t)
    q = np.minimum(q, (1 << b) - 1)
    return np.where(z < 0, -q, q), S - t


def check_i32(a, what):
    if a.size and (int(a.max()) >= 2 ** 31 or int(a.min()) < -2 ** 31):
        raise AssertionError(f"{what}: an i32 sum overflowed; docs/int16.md §2 says it cannot")


class Int16Pass:
    """One chunk's integer forward (§5) and backward (§6) for a Module."""

    def __init__(self, mod):
        self.mod = mod
        c = mod.cfg
        self.bits = [0] + [bits_of(c.sizes, l) for l in range(1, c.L + 1)]

    def forward(self, x):
        mod, c = self.mod, self.mod.cfg
        self.Wq, self.w = [None], [0]
        for l in range(1, c.L + 1):
            W, _ = mod.layer(mod.params, l)
            q, s = quantize_f32(W, self.bits[l])
            self.Wq.append(q)
            self.w.append(s)
        X, s0 = quantize_f32(x, self.bits[1])
        self.X, self.s = [X], [s0]
        for l in range(1, c.L + 1):
            _, bias = mod.layer(mod.params, l)
            S = self.w[l] + self.s[l - 1]
            B = quantize_bias(bias, S)
            acc = self.X[l - 1] @ self.Wq[l].T
            check_i32(acc, f"layer {l} forward")
            z = acc + B[None, :]
            if l < c.L:
                if c.act(l) == ACT_RELU:
                    z = np.maximum(z, 0)
                q, s = requantize(z, self.bits[l + 1], S)
                self.X.append(q)
                self.s.append(s)
            else:
                y, flushed = to_f32(z, S)
                nonzero = int(np.count_nonzero(z))
                if nonzero > 0 and int(np.count_nonzero(flushed)) == nonzero:
                    raise ChunkFailed(STATUS_RANGE_COLLAPSED, c.L)
                return activate(c.act(c.L), y)

    def backward(self, dz_f32):
        mod, c = self.mod, self.mod.cfg
        L, K = c.L, c.frozen
        dZ, d = quantize_f32(dz_f32, self.bits[L])
        for l in range(L, K, -1):
            X = self.X[l - 1]
            G, Gb = mod.layer(mod.grads, l, mod.trained_offset)
            S = d + self.s[l - 1]
            rows = dZ.shape[0]
            nonzero = flushed = 0
            for first in range(0, rows, ROW_GROUP):
                dg, xg = dZ[first:first + ROW_GROUP], X[first:first + ROW_GROUP]
                ab = dg.sum(axis=0)
                Gb[:] = Gb + to_f32(ab, d)[0]
                a = dg.T @ xg
                check_i32(a, f"layer {l} dW")
                v, fl = to_f32(a, S)
                nonzero += int(np.count_nonzero(a))
                flushed += int(np.count_nonzero(fl))
                G[:] = G + v
            if nonzero > 0 and flushed == nonzero:
                raise ChunkFailed(STATUS_RANGE_COLLAPSED, l)
            if l - 1 <= K:
                break
            a = dZ @ self.Wq[l]
            check_i32(a, f"layer {l} dX")
            if c.act(l - 1) == ACT_RELU:
                a = np.where(X <= 0, 0, a)
            dZ, d = requantize(a, self.bits[l - 1], d + self.w[l])

# ---- optim/ ----------------------------------------------------------------------------
class Module:
    def __init__(self, block):
        self.cfg = c = Config(block)
        self.params = np.zeros(sum(c.sizes[l] * (c.sizes[l - 1] + 1) for l in range(1, c.L + 1)), dtype=np.float32)
        self.offsets = [0]
        for l in range(1, c.L + 1):
            self.offsets.append(self.offsets[-1] + c.sizes[l] * (c.sizes[l - 1] + 1))
        self.trained_offset = self.offsets[c.frozen]
        n = len(self.params) - self.trained_offset
        self.grads = np.zeros(n, dtype=np.float32)
        self.state = [np.zeros(n, dtype=np.float32) for _ in range(3)]
        if c.opt == OPT_ADAGRAD:
            self.state[0][:] = F32(c.f["initial_acc"])
        self.step = 0
        self.lr = c.f["lr"]
        self.batch_rows = 0
        self.mu_product = F32(1)
        self.mu_product_step = 0
        n_in = c.sizes[0]
        self.mean = np.zeros(n_in, dtype=np.float32)
        self.std = np.ones(n_in, dtype=np.float32)

    # views into the flat arrays: layer l's weight [out][in] and bias [out]
    def layer(self, flat, l, base=0):
        c = self.cfg
        o = self.offsets[l - 1] - base
        n_in, n_out = c.sizes[l - 1], c.sizes[l]
        W = flat[o:o + n_in * n_out].reshape(n_out, n_in)
        b = flat[o + n_in * n_out:o + n_in * n_out + n_out]
        return W, b

    def forward(self, x):
        c = self.cfg
        levels = [x]
        for l in range(1, c.L + 1):
            W, b = self.layer(self.params, l)
            levels.append(activate(c.act(l), dense_forward(W, b, levels[-1])))
        return levels

    def normalize(self, x):
        if self.cfg.input_flags & INPUT_NORMALIZE:
            return ((x - self.mean[None, :]) / self.std[None, :]).astype(np.float32)
        return x

    def fail_batch(self, status):
        """network.ts failBatch: the batch this chunk belonged to is dropped."""
        self.batch_rows = 0
        self.grads[:] = 0
        return status, 0.0

    def train_chunk(self, x, t, ends_batch):
        """One chunk as network.ts trainChunk: returns (status, the chunk's loss sum)."""
        if self.cfg.precision == PRECISION_INT16:
            return self.train_chunk16(x, t, ends_batch)
        return STATUS_OK, self.train_chunk32(x, t, ends_batch)

    def train_chunk16(self, x, t, ends_batch):
        c = self.cfg
        x = self.normalize(x)
        p = Int16Pass(self)
        try:
            y = p.forward(x)
        except ChunkFailed as f:
            return self.fail_batch(f.status)
        loss, d = loss_and_grad(c.loss, c.act(c.L), y, t)
        if d is None:
            return STATUS_BAD_LABEL, 0.0
        if not math.isfinite(loss):
            return self.fail_batch(STATUS_NON_FINITE)
        try:
            p.backward(d)
        except ChunkFailed as f:
            return self.fail_batch(f.status)
        self.batch_rows += x.shape[0]
        if ends_batch:
            total = self.batch_rows
            self.batch_rows = 0
            self.optimizer_step(total)
        return STATUS_OK, loss

    def train_chunk32(self, x, t, ends_batch):
        c = self.cfg
        x = self.normalize(x)
        levels = self.forward(x)
        loss, d = loss_and_grad(c.loss, c.act(c.L), levels[c.L], t)
        if d is None:
            raise ValueError("bad label")
        K = c.frozen
        for l in range(c.L, K, -1):
            W, _ = self.layer(self.params, l)
            G, Gb = self.layer(self.grads, l, self.trained_offset)
            below = levels[l - 1]
            accumulate_gradients(G, Gb, below, d)
            if l - 1 > K:
                d = input_deltas(W, below, d, c.act(l - 1))
        self.batch_rows += x.shape[0]
        if not math.isfinite(loss):
            return loss
        if ends_batch:
            total = self.batch_rows
            self.batch_rows = 0
            self.optimizer_step(total)
        return loss

    def scale_and_measure(self, scale):
        c = self.cfg
        total = F32(0)
        self.grads[:] = self.grads * scale
        for l in range(c.frozen + 1, c.L + 1):
            o0 = self.offsets[l - 1] - self.trained_offset
            o1 = self.offsets[l] - self.trained_offset
            g = self.grads[o0:o1]
            # a sequential f32 sum from 0 (ufunc accumulate is not pairwise)
            sq = np.add.accumulate(np.concatenate([[F32(0)], g * g]).astype(np.float32), dtype=np.float32)[-1]
            total = F32(total + sq)
        norm = np.sqrt(total)
        if np.isfinite(norm):
            return float(norm)
        tot = 0.0
        for l in range(c.frozen + 1, c.L + 1):
            o0 = self.offsets[l - 1] - self.trained_offset
            o1 = self.offsets[l] - self.trained_offset
            sq = 0.0
            for v in self.grads[o0:o1]:
                sq += float(v) * float(v)
            tot += sq
        return math.sqrt(tot)

    def optimizer_step(self, batch_rows):
        c, f = self.cfg, self.cfg.f
        norm = self.scale_and_measure(F32(1.0 / float(batch_rows)))
        if not math.isfinite(norm):
            self.grads[:] = 0
            return False
        if f["clip_norm"] > 0:
            coef = f["clip_norm"] / (norm + 1e-6)
            if coef < 1:
                self.grads[:] = self.grads * F32(coef)
        if f["clip_value"] > 0:
            lim = F32(f["clip_value"])
            self.grads[:] = np.minimum(np.maximum(self.grads, -lim), lim)
        self.step += 1
        p = self.params[self.trained_offset:]
        g = self.grads
        s0, s1, s2 = self.state
        step, lr = self.step, self.lr
        wd, eps = f["weight_decay"], f["eps"]
        opt, flags = c.opt, c.flags
        with np.errstate(all="ignore"):
            if opt == OPT_SGD:
                self.sgd(p, g, s0, step, lr, f["momentum"], f["dampening"], wd, bool(flags & FLAG_NESTEROV))
            elif opt == OPT_ADAGRAD:
                clr = F32(lr / (1 + float(step - 1) * f["lr_decay"]))
                w = p.copy()
                d = g + F32(wd) * w
                s = s0 + d * d
                s0[:] = s
                p[:] = w - clr * d / (np.sqrt(s) + F32(eps))
            elif opt == OPT_RMSPROP:
                self.rmsprop(p, g, lr, f["alpha"], eps, wd, f["momentum"], bool(flags & FLAG_CENTERED))
            elif opt == OPT_NADAM:
                self.nadam(p, g, s0, s1, step, lr, f["beta1"], f["beta2"], eps, wd, f["momentum_decay"])
            elif opt == OPT_RADAM:
                self.radam(p, g, s0, s1, step, lr, f["beta1"], f["beta2"], eps, wd)
            else:
                self.adam(p, g, s0, s1, s2, step, lr, f["beta1"], f["beta2"], eps, wd,
                          opt == OPT_ADAMW, bool(flags & FLAG_AMSGRAD))
        g[:] = 0
        return bool(np.all(np.isfinite(p)))

    @staticmethod
    def sgd(p, g, buf, step, lr, momentum, dampening, wd, nesterov):
        lrF, wdF, mF, keep = F32(lr), F32(wd), F32(momentum), F32(1 - dampening)
        w = p.copy()
        d = g + wdF * w
        if momentum == 0:
            p[:] = w - lrF * d
            return
        b = d.copy() if step == 1 else mF * buf + keep * d
        buf[:] = b
        d = d + mF * b if nesterov else b
        p[:] = w - lrF * d

    def rmsprop(self, p, g, lr, alpha, eps, wd, momentum, centered):
        a, one_minus_a, lrF, epsF = F32(alpha), F32(1 - alpha), F32(lr), F32(eps)
        wdF, mF = F32(wd), F32(momentum)
        sq = self.state[0]
        ga = self.state[1] if centered else None
        buf = self.state[2 if centered else 1] if momentum > 0 else None
        w = p.copy()
        d = g + wdF * w
        s = a * sq + one_minus_a * d * d
        sq[:] = s
        if centered:
            m = ga
            m_new = m + one_minus_a * (d - m)
            ga[:] = m_new
            avg = np.sqrt(s - m_new * m_new) + epsF
        else:
            avg = np.sqrt(s) + epsF
        if buf is not None:
            b = mF * buf + d / avg
            buf[:] = b
            p[:] = w - lrF * b
        else:
            p[:] = w - lrF * d / avg

    @staticmethod
    def adam(p, g, m, v, vmax, step, lr, beta1, beta2, eps, wd, decoupled, amsgrad):
        bc1 = 1 - math.pow(beta1, float(step))
        bc2 = 1 - math.pow(beta2, float(step))
        step_size = F32(lr / bc1)
        inv_bc2_sqrt = F32(1 / math.sqrt(bc2))
        b1, b2, one_minus_b2, epsF = F32(1 - beta1), F32(beta2), F32(1 - beta2), F32(eps)
        if wd == 0 and not amsgrad:
            d = g
            mo = m.copy()
            m_new = mo + b1 * (d - mo)
            v_new = b2 * v + one_minus_b2 * d * d
            m[:] = m_new
            v[:] = v_new
            p[:] = p - step_size * m_new / (np.sqrt(v_new) * inv_bc2_sqrt + epsF)
            return
        l2 = F32(0) if decoupled else F32(wd)
        shrink = F32(1 - lr * wd) if decoupled else F32(1)
        w = p * shrink
        d = g + l2 * w
        mo = m.copy()
        m_new = mo + b1 * (d - mo)
        v_new = b2 * v + one_minus_b2 * d * d
        m[:] = m_new
        v[:] = v_new
        if amsgrad:
            vm = np.maximum(vmax, v_new)
            vmax[:] = vm
            p[:] = w - step_size * m_new / (np.sqrt(vm) * inv_bc2_sqrt + epsF)
        else:
            p[:] = w - step_size * m_new / (np.sqrt(v_new) * inv_bc2_sqrt + epsF)

    def mu_product_at(self, step, beta1, psi):
        if step < self.mu_product_step:
            self.mu_product, self.mu_product_step = F32(1), 0
        while self.mu_product_step < step:
            if self.mu_product == 0:
                self.mu_product_step = step
                break
            self.mu_product_step += 1
            self.mu_product = F32(self.mu_product * F32(momentum_at(self.mu_product_step, beta1, psi)))
        return self.mu_product

    def nadam(self, p, g, m, v, step, lr, beta1, beta2, eps, wd, psi):
        mu = momentum_at(step, beta1, psi)
        mu_next = momentum_at(step + 1, beta1, psi)
        product = self.mu_product_at(step, beta1, psi)
        product_next = F32(F32(product * F32(mu)) * F32(mu_next))
        grad_coef = F32(lr * (1 - mu) / (1 - float(product)))
        moment_coef = F32(lr * mu_next / (1 - float(product_next)))
        bc2 = F32(1 - math.pow(beta2, float(step)))
        b1, one_minus_b1 = F32(beta1), F32(1 - beta1)
        b2, one_minus_b2, epsF, wdF = F32(beta2), F32(1 - beta2), F32(eps), F32(wd)
        w = p.copy()
        d = g + wdF * w
        m_new = b1 * m + one_minus_b1 * d
        v_new = b2 * v + one_minus_b2 * d * d
        m[:] = m_new
        v[:] = v_new
        denom = np.sqrt(v_new / bc2) + epsF
        w1 = w - grad_coef * d / denom
        p[:] = w1 - moment_coef * m_new / denom

    @staticmethod
    def radam(p, g, m, v, step, lr, beta1, beta2, eps, wd):
        t = float(step)
        bc1 = 1 - math.pow(beta1, t)
        bc2 = 1 - math.pow(beta2, t)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * math.pow(beta2, t) / bc2
        rectified = rho_t > 5
        rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) if rectified else 1.0
        step_size = F32(lr * rect / bc1)
        sqrt_bc2 = F32(math.sqrt(bc2))
        b1, one_minus_b1 = F32(beta1), F32(1 - beta1)
        b2, one_minus_b2, epsF, wdF = F32(beta2), F32(1 - beta2), F32(eps), F32(wd)
        w = p.copy()
        d = g + wdF * w
        m_new = b1 * m + one_minus_b1 * d
        v_new = b2 * v + one_minus_b2 * d * d
        m[:] = m_new
        v[:] = v_new
        if rectified:
            update = step_size * m_new * sqrt_bc2 / (np.sqrt(v_new) + epsF)
        else:
            update = step_size * m_new
        p[:] = w - update


def momentum_at(step, beta1, psi):
    return beta1 * (1 - 0.5 * math.pow(0.96, float(step) * psi))


# ---- the trace ------------------------------------------------------------------------------
def f32_array(values):
    return np.array(values, dtype=np.float64).astype(np.float32)


def replay(trace):
    """Replays a recorded trace; returns (module, per-batch loss sums, per-batch status, per-job loss sums)."""
    mod = None
    batch_loss, statuses, job_loss = [], [], []
    for ev in trace["events"]:
        op = ev["op"]
        if op == "configure":
            mod = Module(bytes.fromhex(ev["block"]))
        elif op == "weights":
            mod.params[:] = f32_array(ev["w"])
        elif op == "lr":
            mod.lr = float(ev["lr"])
        elif op == "stats":
            mod.mean[:] = f32_array(ev["mean"])
            mod.std[:] = f32_array(ev["std"])
        elif op == "train":
            x = f32_array(ev["x"]).reshape(ev["rows"], ev["nIn"])
            t = f32_array(ev["t"]).reshape(ev["rows"], ev["nT"])
            batch, chunk, lrs = ev["batch"], ev["chunk"], ev.get("lrs")
            job_sum = 0.0
            for index, start in enumerate(range(0, ev["rows"], batch)):
                if index >= ev["batches"]:
                    break
                end = min(start + batch, ev["rows"])
                if lrs is not None:
                    mod.lr = float(lrs[index])
                loss = 0.0
                status = STATUS_OK
                for r in range(start, end, chunk):
                    n = min(chunk, end - r)
                    status, chunk_loss = mod.train_chunk(x[r:r + n], t[r:r + n], r + n == end)
                    loss += chunk_loss
                    if status != STATUS_OK:
                        break
                batch_loss.append(loss)
                statuses.append(status)
                job_sum += loss
            job_loss.append(job_sum)
        else:
            raise ValueError(f"unknown trace event {op!r}")
    return mod, batch_loss, statuses, job_loss


# ---- bench/peers/int16.c's runs ------------------------------------------------------------
class Mulberry32:
    """bench/workloads.mjs's generator (as plain.c and int16.c draw)."""

    def __init__(self, seed):
        self.state = seed & 0xFFFFFFFF

    def u01(self):
        self.state = (self.state + 0x6D2B79F5) & 0xFFFFFFFF
        t = self.state
        t = ((t ^ (t >> 15)) * (t | 1)) & 0xFFFFFFFF
        t ^= (t + (((t ^ (t >> 7)) * (t | 61)) & 0xFFFFFFFF)) & 0xFFFFFFFF
        return (t ^ (t >> 14)) / 4294967296.0


def config_block(sizes, hidden_act, loss, opt, lr, chunk, precision):
    """A version-2 CONFIGURE block (assembly/config.ts) with torch's defaults for Adam."""
    b = bytearray(160)
    L = len(sizes) - 1
    b[C_VERSION], b[C_LAYERS] = 2, L
    b[C_LOSS] = {"mse": LOSS_MSE, "ce": LOSS_CE, "bce": LOSS_BCE}[loss]
    b[C_OPT] = {"sgd": OPT_SGD, "adam": OPT_ADAM}[opt]
    struct.pack_into("<H", b, C_CHUNK, chunk)
    for k, n in enumerate(sizes):
        struct.pack_into("<H", b, C_SIZES + 2 * k, n)
    act = {"relu": ACT_RELU, "identity": ACT_IDENTITY}[hidden_act]
    for l in range(L):
        b[C_ACTS + l] = act if l < L - 1 else ACT_IDENTITY
    for name, v in (("lr", lr), ("eps", 1e-8), ("beta1", 0.9), ("beta2", 0.999), ("alpha", 0.99)):
        struct.pack_into("<d", b, F64_FIELDS[name], v)
    b[C_PRECISION] = precision
    return bytes(b)


def bench_trace(layers, act, loss, opt, lr, batch, rows, epochs, seed, precision=PRECISION_INT16):
    """The trace of int16.c's (and plain.c's) run: its data and initial weights drawn as they draw them."""
    sizes = [int(v) for v in layers.split(",")]
    r = Mulberry32(seed)
    x = [F32(2.0 * r.u01() - 1.0) for _ in range(rows * sizes[0])]
    if loss == "ce":
        t = [F32(math.floor(r.u01() * sizes[-1])) for _ in range(rows)]
    else:
        t = [F32(2.0 * r.u01() - 1.0) for _ in range(rows * sizes[-1])]
    r = Mulberry32(12345)  # init_params(12345u + run 0)
    w = []
    for l in range(1, len(sizes)):
        n_in, n_out = sizes[l - 1], sizes[l]
        k = 1.0 / math.sqrt(n_in)
        w += [float(F32((2.0 * r.u01() - 1.0) * k)) for _ in range(n_in * n_out + n_out)]
    events = [{"op": "configure", "block": config_block(sizes, act, loss, opt, lr, batch, precision).hex()},
              {"op": "weights", "w": w}]
    job = {"op": "train", "x": [float(v) for v in x], "t": [float(v) for v in t], "rows": rows, "nIn": sizes[0],
           "nT": 1 if loss == "ce" else sizes[-1], "batch": batch, "chunk": batch, "batches": -(-rows // batch)}
    events += [job] * epochs
    return {"events": events}


def main(argv):
    if len(argv) >= 2 and argv[1] == "--bench":
        # --bench LAYERS ACT LOSS OPT LR BATCH ROWS EPOCHS SEED: int16.c's run (its arguments, less
        # NAME RUNS WARMUP); prints its final weights' bits and its first and final epoch losses.
        if len(argv) != 11:
            print(__doc__, file=sys.stderr)
            return 2
        layers, act, loss, opt, lr, batch, rows, epochs, seed = argv[2:]
        rows, batch, epochs = int(rows), int(batch), int(epochs)
        trace = bench_trace(layers, act, loss, opt, float(lr), batch, rows, epochs, int(seed))
        mod, batch_loss, statuses, _ = replay(trace)
        per_epoch = len(batch_loss) // epochs
        epoch_loss = [sum(batch_loss[e * per_epoch:(e + 1) * per_epoch]) / rows for e in range(epochs)]
        json.dump({"weights": [int(v) for v in mod.params.view(np.uint32)], "epoch_loss": epoch_loss,
                   "status": statuses}, sys.stdout)
        return 0
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1]) as fh:
        trace = json.load(fh)
    mod, batch_loss, statuses, job_loss = replay(trace)
    out = {"weights": [int(v) for v in mod.params.view(np.uint32)], "batch_loss": batch_loss, "status": statuses,
           "job_loss": job_loss}
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
