/*
 * int16.c - a plain C99 int16 trainer of the edgeprop benchmark workloads:
 * the algorithm of docs/int16.md (issue 22) written out in plain loops, the
 * peer the module's int16 mode is measured against in bench/board.mjs.
 *
 * The same model, data and initial weights as plain.c (mulberry32 draws of
 * bench/workloads.mjs, nn.Linear's uniform init), the same command line, and
 * the module's arithmetic bit for bit (scripts/int16_reference.py --bench
 * replays it: tests/bench/int16-c.test.ts):
 *   - forward and backward on integers: every operand (weights, activations,
 *     deltas) int16 with one power-of-two scale per tensor per batch
 *     (docs/int16.md §3: the largest magnitude maps into [2^(b-1), 2^b),
 *     rounding half to even on the f32 bits, saturation to 2^b - 1), with
 *     b = min(15, floor((31 - ceil(log2 max(in, out, 32))) / 2)) bits so
 *     that no i32 sum can overflow (§2); products int16 x int16 -> int32;
 *     the bias added in i64 at the product's scale; ReLU on the integers;
 *     hidden outputs requantized by a rounded shift (§5);
 *   - the last layer's outputs and the weight gradients converted to f32 by
 *     their scale (§4: an IEEE conversion, then the exponent adjusted;
 *     saturated at FLT_MAX, flushed below the normal range); dW summed in
 *     groups of 32 rows (§6);
 *   - softmax cross-entropy or MSE in f32 as the module computes them (its
 *     expf32/logf32 from assembly/mathf32.ts, ported here);
 *   - the optimizer in f32 as the module's (assembly/optim/: SGD, Adam
 *     without weight decay), after dividing the gradients by the batch's rows.
 * A batch is one chunk (the module's chunk = the batch). What it leaves out
 * of the module's work: the gradient norms (they only matter for clipping,
 * which the workloads do not use), the non-finite checks and the
 * RANGE_COLLAPSED check (docs/int16.md §5, §6); plain.c has none of these
 * either.
 *
 * Build: gcc -O2 -std=c99 -ffp-contract=off -o int16-c int16.c -lm
 * Usage: int16-c NAME LAYERS ACT LOSS OPT LR BATCH ROWS EPOCHS RUNS WARMUP SEED [weights]
 *   (plain.c's arguments; ACT relu or identity) e.g.
 *   int16-c P2-mlp-small 16,32,32,4 relu ce adam 0.001 32 2048 20 5 1 1
 * Prints one JSON line (with "weights": the final parameters' f32 bits, in
 * the module's order, when the 13th argument is "weights").
 */
#define _POSIX_C_SOURCE 199309L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAXL 16
#define GROUP 32 /* rows per dW group (docs/int16.md §2, §6) */

/* ---- mulberry32, identical to bench/workloads.mjs ---- */
static uint32_t rng_state;
static uint32_t rng_next(void) {
    uint32_t t;
    rng_state += 0x6d2b79f5u;
    t = rng_state;
    t = (t ^ (t >> 15)) * (t | 1u);
    t ^= t + (t ^ (t >> 7)) * (t | 61u);
    return t ^ (t >> 14);
}
static double rng_u01(void) { return rng_next() / 4294967296.0; }

/* ---- f32 bits ---- */
static uint32_t bits_of(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static float float_of(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

/* ---- assembly/mathf32.ts: exp and log in f32 ---- */
static const float LOG2E = 1.44269504f, LN2_HI = 0.693145751953125f, LN2_LO = 1.42860677e-6f;
static const float EXP_OVER = 88.7228394f, EXP_UNDER = -103.972084f, SQRT2 = 1.41421356f;

static float expf32(float x) {
    int k, k1, k2;
    float kf, r, p;
    if (x != x) return x;
    if (x > EXP_OVER) return INFINITY;
    if (x < EXP_UNDER) return 0.0f;
    k = (int)floorf(x * LOG2E + 0.5f);
    kf = (float)k;
    r = (x - kf * LN2_HI) - kf * LN2_LO;
    p = 1.0f + r * (1.0f / 7.0f);
    p = 1.0f + r * (1.0f / 6.0f) * p;
    p = 1.0f + r * (1.0f / 5.0f) * p;
    p = 1.0f + r * 0.25f * p;
    p = 1.0f + r * (1.0f / 3.0f) * p;
    p = 1.0f + r * 0.5f * p;
    p = 1.0f + r * p;
    k1 = k >> 1;
    k2 = k - k1;
    return p * float_of((uint32_t)(k1 + 127) << 23) * float_of((uint32_t)(k2 + 127) << 23);
}

static float logf32(float x) {
    int e = 0;
    uint32_t b;
    float m, s, s2, q, lnm, ef;
    if (x != x || x == INFINITY) return x;
    if (x < 0) return NAN;
    if (x == 0) return -INFINITY;
    b = bits_of(x);
    if (b < 0x00800000u) { x *= 33554432.0f; e = -25; b = bits_of(x); }
    e += (int)(b >> 23) - 127;
    m = float_of((b & 0x007fffffu) | 0x3f800000u);
    if (m > SQRT2) { m *= 0.5f; e++; }
    s = (m - 1.0f) / (m + 1.0f);
    s2 = s * s;
    q = 1.0f / 9.0f;
    q = 1.0f / 7.0f + s2 * q;
    q = 1.0f / 5.0f + s2 * q;
    q = 1.0f / 3.0f + s2 * q;
    lnm = 2.0f * s + 2.0f * s * s2 * q;
    ef = (float)e;
    return ef * LN2_HI + (ef * LN2_LO + lnm);
}

/* ---- docs/int16.md §2-§4 ---- */
static int clz32(uint32_t v) { int n = 0; if (!v) return 32; while (!(v & 0x80000000u)) { v <<= 1; n++; } return n; }
static int clz64(uint64_t v) { int n = 0; if (!v) return 64; while (!(v & 0x8000000000000000ull)) { v <<= 1; n++; } return n; }

static int layer_bits(int in, int out) {
    int k = in > out ? in : out, c;
    if (k < GROUP) k = GROUP;
    c = 32 - clz32((uint32_t)(k - 1)); /* ceil(log2 k) */
    return (31 - c) / 2 < 15 ? (31 - c) / 2 : 15;
}

static uint32_t round_shift32(uint32_t v, int t) {
    uint32_t q = v >> t, rem = v & ((1u << t) - 1), half = 1u << (t - 1);
    return rem > half || (rem == half && (q & 1)) ? q + 1 : q;
}
static uint64_t round_shift64(uint64_t v, int t) {
    uint64_t q = v >> t, rem = v & ((1ull << t) - 1), half = 1ull << (t - 1);
    return rem > half || (rem == half && (q & 1)) ? q + 1 : q;
}

/* |x| 2^s rounded half to even, from |x|'s bits a; saturated to `limit`. */
static uint64_t magnitude_at(uint32_t a, int s, uint64_t limit) {
    uint32_t e = a >> 23;
    uint64_t m = e ? (a & 0x7fffffu) | 0x800000u : a & 0x7fffffu, q;
    int t = 150 - (e ? (int)e : 1) - s;
    if (t <= 0) q = -t > 38 ? limit : m << -t;
    else if (t >= 32) q = 0;
    else q = round_shift32((uint32_t)m, t);
    return q < limit ? q : limit;
}

/* §3: n f32 values to int16 with b bits; returns the scale s (values are q 2^-s). */
static int quantize(const float *x, int16_t *q, int n, int b) {
    uint32_t M = 0;
    int k, s, E;
    for (k = 0; k < n; k++) { uint32_t a = bits_of(x[k]) & 0x7fffffffu; if (a > M) M = a; }
    if (M >= 0x7f800000u) { fprintf(stderr, "a non-finite value\n"); exit(3); }
    if (M == 0) { memset(q, 0, sizeof(int16_t) * n); return 0; }
    E = M >= 0x00800000u ? (int)(M >> 23) - 127 : (31 - clz32(M)) - 149;
    s = (b - 1) - E;
    for (k = 0; k < n; k++) {
        uint32_t u = bits_of(x[k]);
        int v = (int)magnitude_at(u & 0x7fffffffu, s, (1u << b) - 1);
        q[k] = (int16_t)(u >> 31 ? -v : v);
    }
    return s;
}

/* §4: the f32 nearest v 2^-S (saturated at FLT_MAX, flushed to 0 below the normal range). */
static float to_f32(int64_t v, int S) {
    float f = (float)v;
    uint32_t u = bits_of(f);
    int e;
    if ((u & 0x7fffffffu) == 0) return 0.0f;
    e = (int)((u >> 23) & 0xff) - S;
    if (e >= 255) return float_of((u & 0x80000000u) | 0x7f7fffffu);
    if (e <= 0) return float_of(u & 0x80000000u);
    return float_of((u & 0x807fffffu) | ((uint32_t)e << 23));
}

/* §5 step 4: integers to b bits by a rounded shift of max |z|; returns the shift t. */
static int requant_shift(uint64_t M, int b) { return (63 - clz64(M)) - (b - 1); }
static int16_t requant(int64_t z, int t, uint32_t limit) {
    uint64_t a = (uint64_t)(z < 0 ? -z : z), m = t > 0 ? round_shift64(a, t) : a << -t;
    if (m > limit) m = limit;
    return (int16_t)(z < 0 ? -(int)m : (int)m);
}

/* ---- network ---- */
static int nl, sz[MAXL + 1], bits[MAXL + 1];
static int relu_hidden, loss_ce, opt_adam;
static double lr;
static float *P[MAXL];           /* f32 master weights: W [out][in], then the bias [out] */
static float *G[MAXL];           /* f32 gradients, the same layout */
static float *Am[MAXL], *Av[MAXL]; /* Adam's m and v */
static int16_t *Wq[MAXL];        /* int16 weights of the batch */
static int16_t *X[MAXL + 1];     /* int16 activations [rows][size] (X[0]: the input) */
static int scaleW[MAXL], scaleX[MAXL + 1];
static int32_t *acc;             /* i32 sums [rows][widest] */
static int64_t *bias64;          /* i64 bias of one layer */
static int16_t *dZ, *dZnext;     /* int16 deltas [rows][widest] */
static float *y;                 /* f32 outputs / dL/dz [rows][nOut] */
static long step_count;

static void *xcalloc(size_t n, size_t s) {
    void *p = calloc(n, s);
    if (!p) { fprintf(stderr, "out of memory\n"); exit(1); }
    return p;
}

static void init_params(uint32_t seed) {
    int l, i;
    rng_state = seed;
    for (l = 0; l < nl; l++) {
        int in = sz[l], out = sz[l + 1];
        double k = 1.0 / sqrt((double)in);
        for (i = 0; i < out * in; i++) P[l][i] = (float)((2.0 * rng_u01() - 1.0) * k);
        for (i = 0; i < out; i++) P[l][out * in + i] = (float)((2.0 * rng_u01() - 1.0) * k);
        memset(G[l], 0, sizeof(float) * out * (in + 1));
        memset(Am[l], 0, sizeof(float) * out * (in + 1));
        memset(Av[l], 0, sizeof(float) * out * (in + 1));
    }
    step_count = 0;
}

static void forward(const float *x, int n) {
    int l, r, j, i;
    for (l = 0; l < nl; l++) scaleW[l] = quantize(P[l], Wq[l], sz[l] * sz[l + 1], bits[l]);
    scaleX[0] = quantize(x, X[0], n * sz[0], bits[0]);
    for (l = 0; l < nl; l++) {
        int in = sz[l], out = sz[l + 1], S = scaleW[l] + scaleX[l];
        const float *b = P[l] + out * in;
        for (j = 0; j < out; j++) {
            uint32_t u = bits_of(b[j]);
            int64_t m = (int64_t)magnitude_at(u & 0x7fffffffu, S, 0x3fffffffffffffffull);
            bias64[j] = u >> 31 ? -m : m;
        }
        for (r = 0; r < n; r++) {
            const int16_t *xr = X[l] + r * in;
            for (j = 0; j < out; j++) {
                const int16_t *w = Wq[l] + j * in;
                int32_t s = 0;
                for (i = 0; i < in; i++) s += (int32_t)w[i] * xr[i];
                acc[r * out + j] = s;
            }
        }
        if (l < nl - 1) {
            uint64_t M = 0;
            int t, k;
            uint32_t limit = (1u << bits[l + 1]) - 1;
            for (k = 0; k < n * out; k++) {
                int64_t z = (int64_t)acc[k] + bias64[k % out];
                uint64_t a;
                if (relu_hidden && z < 0) z = 0;
                a = (uint64_t)(z < 0 ? -z : z);
                if (a > M) M = a;
            }
            if (M == 0) { memset(X[l + 1], 0, sizeof(int16_t) * n * out); scaleX[l + 1] = S; continue; }
            t = requant_shift(M, bits[l + 1]);
            for (k = 0; k < n * out; k++) {
                int64_t z = (int64_t)acc[k] + bias64[k % out];
                if (relu_hidden && z < 0) z = 0;
                X[l + 1][k] = requant(z, t, limit);
            }
            scaleX[l + 1] = S - t;
        } else {
            int k;
            for (k = 0; k < n * out; k++) y[k] = to_f32((int64_t)acc[k] + bias64[k % out], S);
        }
    }
}

/* The loss (assembly/loss/: summed per sample, f64) and dL/dz in y (f32). */
static double loss_and_grad(const float *t, int n) {
    int k = sz[nl], r, q;
    double sum = 0.0;
    if (loss_ce) {
        for (r = 0; r < n; r++) {
            float *yr = y + r * k, m = yr[0], z = 0.0f, inv;
            int label = (int)t[r];
            float ylabel = yr[label];
            for (q = 1; q < k; q++) m = yr[q] > m ? yr[q] : m;
            for (q = 0; q < k; q++) { float e = expf32(yr[q] - m); z += e; yr[q] = e; }
            sum += (double)(logf32(z) + m - ylabel);
            inv = 1.0f / z;
            for (q = 0; q < k; q++) yr[q] = yr[q] * inv - (q == label ? 1.0f : 0.0f);
        }
        return sum;
    }
    {
        float scale = 2.0f / (float)k;
        for (r = 0; r < n * k; r++) {
            float e = y[r] - t[r];
            sum += (double)e * (double)e;
            y[r] = scale * e * 1.0f;
        }
        return sum / (double)k;
    }
}

static void backward(int n) {
    int l, r, j, i, first;
    int d = quantize(y, dZ, n * sz[nl], bits[nl - 1]);
    for (l = nl - 1; l >= 0; l--) {
        int in = sz[l], out = sz[l + 1], S = d + scaleX[l];
        float *gw = G[l], *gb = G[l] + out * in;
        const int16_t *x = X[l];
        for (first = 0; first < n; first += GROUP) {
            int end = first + GROUP < n ? first + GROUP : n;
            for (j = 0; j < out; j++) {
                int32_t a = 0;
                for (r = first; r < end; r++) a += dZ[r * out + j];
                gb[j] += to_f32(a, d);
            }
            for (j = 0; j < out; j++) {
                for (i = 0; i < in; i++) {
                    int32_t a = 0;
                    for (r = first; r < end; r++) a += (int32_t)dZ[r * out + j] * x[r * in + i];
                    gw[j * in + i] += to_f32(a, S);
                }
            }
        }
        if (l == 0) break;
        {
            uint64_t M = 0;
            int t, S2 = d + scaleW[l], k;
            uint32_t limit = (1u << bits[l - 1]) - 1;
            for (r = 0; r < n; r++) {
                for (i = 0; i < in; i++) {
                    int32_t a = 0;
                    for (j = 0; j < out; j++) a += (int32_t)dZ[r * out + j] * Wq[l][j * in + i];
                    if (relu_hidden && x[r * in + i] <= 0) a = 0;
                    acc[r * in + i] = a;
                    if ((uint64_t)(a < 0 ? -(int64_t)a : a) > M) M = (uint64_t)(a < 0 ? -(int64_t)a : a);
                }
            }
            if (M == 0) { memset(dZnext, 0, sizeof(int16_t) * n * in); d = S2; }
            else {
                t = requant_shift(M, bits[l - 1]);
                for (k = 0; k < n * in; k++) dZnext[k] = requant(acc[k], t, limit);
                d = S2 - t;
            }
            { int16_t *swap = dZ; dZ = dZnext; dZnext = swap; }
        }
    }
}

/* assembly/optim/optimizer.ts and adam.ts / sgd.ts (no weight decay, no clipping). */
static void step(int rows) {
    float scale = (float)(1.0 / (double)rows);
    int l, k;
    step_count++;
    if (opt_adam) {
        double bc1 = 1.0 - pow(0.9, (double)step_count), bc2 = 1.0 - pow(0.999, (double)step_count);
        float step_size = (float)(lr / bc1), inv_bc2_sqrt = (float)(1.0 / sqrt(bc2));
        float b1 = (float)(1.0 - 0.9), b2 = (float)0.999, one_minus_b2 = (float)(1.0 - 0.999), eps = (float)1e-8;
        for (l = 0; l < nl; l++) {
            int cnt = sz[l + 1] * (sz[l] + 1);
            float *p = P[l], *g = G[l], *m = Am[l], *v = Av[l];
            for (k = 0; k < cnt; k++) {
                float dg = g[k] * scale, mo = m[k];
                float m_new = mo + b1 * (dg - mo);
                float v_new = b2 * v[k] + one_minus_b2 * dg * dg;
                m[k] = m_new;
                v[k] = v_new;
                p[k] = p[k] - step_size * m_new / (sqrtf(v_new) * inv_bc2_sqrt + eps);
                g[k] = 0.0f;
            }
        }
    } else {
        float flr = (float)lr;
        for (l = 0; l < nl; l++) {
            int cnt = sz[l + 1] * (sz[l] + 1);
            float *p = P[l], *g = G[l];
            for (k = 0; k < cnt; k++) {
                float w = p[k], dg = g[k] * scale + 0.0f * w;
                p[k] = w - flr * dg;
                g[k] = 0.0f;
            }
        }
    }
}

static double train_batch(const float *x, const float *t, int n) {
    double loss;
    forward(x, n);
    loss = loss_and_grad(t, n);
    backward(n);
    step(n);
    return loss;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y2 = *(const double *)b;
    return (x > y2) - (x < y2);
}

int main(int argc, char **argv) {
    const char *name;
    int batch, rows, epochs, runs, warmup, r, e, i, l, widest = 0, print_weights;
    uint32_t seed;
    float *x, *t;
    double *sps, first_loss = 0.0, final_loss = 0.0;
    int tw;

    if (argc != 13 && !(argc == 14 && strcmp(argv[13], "weights") == 0)) {
        fprintf(stderr, "usage: %s NAME LAYERS ACT LOSS OPT LR BATCH ROWS EPOCHS RUNS WARMUP SEED [weights]\n", argv[0]);
        return 2;
    }
    print_weights = argc == 14;
    name = argv[1];
    {
        char *p = argv[2];
        nl = -1;
        while (*p) {
            if (nl + 1 > MAXL) { fprintf(stderr, "too many layers\n"); return 2; }
            sz[++nl] = (int)strtol(p, &p, 10);
            if (*p == ',') p++;
        }
        if (nl < 1) { fprintf(stderr, "need at least two sizes\n"); return 2; }
    }
    if (strcmp(argv[3], "relu") != 0 && strcmp(argv[3], "identity") != 0) {
        fprintf(stderr, "int16 hidden layers are relu or identity (docs/int16.md §1), not %s\n", argv[3]);
        return 2;
    }
    relu_hidden = strcmp(argv[3], "relu") == 0;
    loss_ce = strcmp(argv[4], "ce") == 0;
    opt_adam = strcmp(argv[5], "adam") == 0;
    lr = atof(argv[6]);
    batch = atoi(argv[7]);
    rows = atoi(argv[8]);
    epochs = atoi(argv[9]);
    runs = atoi(argv[10]);
    warmup = atoi(argv[11]);
    seed = (uint32_t)strtoul(argv[12], NULL, 10);

    /* data: same draws, same order as makeData() in bench/workloads.mjs */
    tw = loss_ce ? 1 : sz[nl];
    x = xcalloc((size_t)rows * sz[0], sizeof(float));
    t = xcalloc((size_t)rows * tw, sizeof(float));
    rng_state = seed;
    for (i = 0; i < rows * sz[0]; i++) x[i] = (float)(2.0 * rng_u01() - 1.0);
    if (loss_ce) for (i = 0; i < rows; i++) t[i] = (float)floor(rng_u01() * sz[nl]);
    else for (i = 0; i < rows * tw; i++) t[i] = (float)(2.0 * rng_u01() - 1.0);

    for (l = 0; l <= nl; l++) if (sz[l] > widest) widest = sz[l];
    for (l = 0; l < nl; l++) {
        size_t n = (size_t)sz[l + 1] * (sz[l] + 1);
        P[l] = xcalloc(n, sizeof(float)); G[l] = xcalloc(n, sizeof(float));
        Am[l] = xcalloc(n, sizeof(float)); Av[l] = xcalloc(n, sizeof(float));
        Wq[l] = xcalloc((size_t)sz[l] * sz[l + 1], sizeof(int16_t));
        bits[l] = layer_bits(sz[l], sz[l + 1]);
    }
    for (l = 0; l <= nl; l++) X[l] = xcalloc((size_t)batch * sz[l], sizeof(int16_t));
    acc = xcalloc((size_t)batch * widest, sizeof(int32_t));
    bias64 = xcalloc((size_t)widest, sizeof(int64_t));
    dZ = xcalloc((size_t)batch * widest, sizeof(int16_t));
    dZnext = xcalloc((size_t)batch * widest, sizeof(int16_t));
    y = xcalloc((size_t)batch * sz[nl], sizeof(float));

    sps = xcalloc(runs > 0 ? runs : 1, sizeof(double));
    for (r = 0; r < warmup + runs; r++) {
        double t0, t1;
        init_params(12345u + (uint32_t)r);
        t0 = now_s();
        for (e = 0; e < epochs; e++) {
            double sum = 0.0;
            int start;
            for (start = 0; start < rows; start += batch) {
                int n = rows - start < batch ? rows - start : batch;
                sum += train_batch(x + (size_t)start * sz[0], t + (size_t)start * tw, n);
            }
            if (e == 0) first_loss = sum / rows;
            final_loss = sum / rows;
        }
        t1 = now_s();
        if (r >= warmup) sps[r - warmup] = (double)rows * epochs / (t1 - t0);
    }

    printf("{\"tool\":\"int16-c\",\"workload\":\"%s\",\"epochs\":%d,\"rows\":%d,\"batch\":%d,\"warmup\":%d,\"runs\":[",
           name, epochs, rows, batch, warmup);
    for (r = 0; r < runs; r++) printf("%s%.0f", r ? "," : "", sps[r]);
    {
        double med;
        qsort(sps, runs, sizeof(double), cmp_double);
        med = runs % 2 ? sps[runs / 2] : 0.5 * (sps[runs / 2 - 1] + sps[runs / 2]);
        printf("],\"samples_per_s\":%.0f,\"first_loss\":%.17g,\"final_loss\":%.17g", med, first_loss, final_loss);
    }
    if (print_weights) {
        int k, any = 0;
        printf(",\"weights\":[");
        for (l = 0; l < nl; l++)
            for (k = 0; k < sz[l + 1] * (sz[l] + 1); k++) printf("%s%lu", any++ ? "," : "", (unsigned long)bits_of(P[l][k]));
        printf("]");
    }
    printf("}\n");
    return 0;
}
