/*
 * blocked.c - a hand-tuned C99 trainer of the same math as plain.c, with the
 * module's 4x4 register-blocked loops (assembly/dense.ts) written directly
 * over f32 arrays through restrict pointers: the next limit below the
 * module's wasm2c build, which runs the same loops through a sandboxed
 * memory.
 *
 * The math is plain.c's (dense y = x W^T + b, W [out][in]; ReLU or identity
 * hidden layers, identity last; softmax cross-entropy or MSE, mean over the
 * batch; torch.optim SGD / Adam as plain.c implements them; the same data and
 * init from mulberry32). The loops are dense.ts's:
 *   forward        4 outputs x 4 inputs per block, each input loaded once for
 *                  four multiply-adds, bias added after the dot product;
 *   dW             a 4x4 block accumulated over the batch's rows in
 *                  registers, started from the first row's products; stored
 *                  (one batch is one chunk, so nothing to add it to);
 *   input deltas   two rows x four inputs per block over every output, times
 *                  f'(a) as a select (ReLU: a > 0);
 *   softmax        the exps computed once.
 * Every layer size must be a multiple of 4 (P2, 16-32-32-4, is); other sizes
 * are refused, since the tails would be plain.c's loops again.
 *
 * Build: gcc -O2 -std=c99 -o blocked-c blocked.c -lm
 * Usage: same arguments as plain.c; prints the same JSON line with
 *   "tool":"blocked-c".
 */
#define _POSIX_C_SOURCE 199309L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAXL 16

/* ---- mulberry32, identical to bench/workloads.mjs and plain.c ---- */
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

static int nl;
static int sz[MAXL + 1];
static int relu_hidden, loss_ce, opt_adam;
static double lr;
static float *W[MAXL], *B[MAXL], *gW[MAXL], *gB[MAXL];
static float *mW[MAXL], *mB[MAXL], *vW[MAXL], *vB[MAXL];
static float *act[MAXL + 1], *dlt[MAXL + 1];
static long adam_t;

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
        for (i = 0; i < out * in; i++) W[l][i] = (float)((2.0 * rng_u01() - 1.0) * k);
        for (i = 0; i < out; i++) B[l][i] = (float)((2.0 * rng_u01() - 1.0) * k);
        memset(mW[l], 0, sizeof(float) * out * in);
        memset(vW[l], 0, sizeof(float) * out * in);
        memset(mB[l], 0, sizeof(float) * out);
        memset(vB[l], 0, sizeof(float) * out);
    }
    adam_t = 0;
}

/* y[r][j] = b[j] + sum_i W[j][i] x[r][i], ReLU'd if relu; nIn, nOut multiples of 4. */
static void dense_forward(const float *restrict w, const float *restrict b, int nIn, int nOut,
                          const float *restrict x, float *restrict y, int rows, int relu) {
    int r, j, i;
    for (r = 0; r < rows; r++, x += nIn, y += nOut) {
        const float *w0 = w;
        for (j = 0; j < nOut; j += 4, w0 += 4 * nIn) {
            const float *restrict w1 = w0 + nIn, *restrict w2 = w1 + nIn, *restrict w3 = w2 + nIn;
            float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
            for (i = 0; i < nIn; i += 4) {
                float a = x[i], c = x[i + 1], e = x[i + 2], g = x[i + 3];
                s0 += w0[i] * a + w0[i + 1] * c + w0[i + 2] * e + w0[i + 3] * g;
                s1 += w1[i] * a + w1[i + 1] * c + w1[i + 2] * e + w1[i + 3] * g;
                s2 += w2[i] * a + w2[i + 1] * c + w2[i + 2] * e + w2[i + 3] * g;
                s3 += w3[i] * a + w3[i + 1] * c + w3[i + 2] * e + w3[i + 3] * g;
            }
            s0 += b[j]; s1 += b[j + 1]; s2 += b[j + 2]; s3 += b[j + 3];
            if (relu) {
                s0 = s0 < 0.0f ? 0.0f : s0; s1 = s1 < 0.0f ? 0.0f : s1;
                s2 = s2 < 0.0f ? 0.0f : s2; s3 = s3 < 0.0f ? 0.0f : s3;
            }
            y[j] = s0; y[j + 1] = s1; y[j + 2] = s2; y[j + 3] = s3;
        }
    }
}

/* gW = sum_r d[r]^T x[r] in 4x4 register blocks; gB = column sums of d. */
static void dense_gradients(float *restrict gw, float *restrict gb, int nIn, int nOut,
                            const float *restrict x, const float *restrict d, int rows) {
    int r, j, i;
    for (j = 0; j < nOut; j++) {
        float s = d[j];
        for (r = 1; r < rows; r++) s += d[r * nOut + j];
        gb[j] = s;
    }
    for (j = 0; j < nOut; j += 4) {
        float *restrict g0 = gw + j * nIn, *restrict g1 = g0 + nIn, *restrict g2 = g1 + nIn, *restrict g3 = g2 + nIn;
        for (i = 0; i < nIn; i += 4) {
            const float *px = x + i, *pd = d + j;
            const float *pdEnd = pd + rows * nOut;
            float x0 = px[0], x1 = px[1], x2 = px[2], x3 = px[3], e;
            float a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23, a30, a31, a32, a33;
            e = pd[0]; a00 = e * x0; a01 = e * x1; a02 = e * x2; a03 = e * x3;
            e = pd[1]; a10 = e * x0; a11 = e * x1; a12 = e * x2; a13 = e * x3;
            e = pd[2]; a20 = e * x0; a21 = e * x1; a22 = e * x2; a23 = e * x3;
            e = pd[3]; a30 = e * x0; a31 = e * x1; a32 = e * x2; a33 = e * x3;
            for (pd += nOut, px += nIn; pd < pdEnd; pd += nOut, px += nIn) {
                x0 = px[0]; x1 = px[1]; x2 = px[2]; x3 = px[3];
                e = pd[0]; a00 += e * x0; a01 += e * x1; a02 += e * x2; a03 += e * x3;
                e = pd[1]; a10 += e * x0; a11 += e * x1; a12 += e * x2; a13 += e * x3;
                e = pd[2]; a20 += e * x0; a21 += e * x1; a22 += e * x2; a23 += e * x3;
                e = pd[3]; a30 += e * x0; a31 += e * x1; a32 += e * x2; a33 += e * x3;
            }
            g0[i] = a00; g0[i + 1] = a01; g0[i + 2] = a02; g0[i + 3] = a03;
            g1[i] = a10; g1[i + 1] = a11; g1[i + 2] = a12; g1[i + 3] = a13;
            g2[i] = a20; g2[i + 1] = a21; g2[i + 2] = a22; g2[i + 3] = a23;
            g3[i] = a30; g3[i + 1] = a31; g3[i + 2] = a32; g3[i + 3] = a33;
        }
    }
}

#define CHAIN(a, s) ((!relu || (a) > 0.0f) ? (s) : 0.0f)

/* dx[r][i] = f'(a[r][i]) sum_j d[r][j] W[j][i]: two rows x four inputs per block. */
static void dense_input_deltas(const float *restrict w, int nIn, int nOut, const float *restrict a,
                               const float *restrict d, float *restrict dx, int rows, int relu) {
    const float *wEnd = w + nOut * nIn;
    int r = 0, i;
    for (; r + 1 < rows; r += 2, a += 2 * nIn, d += 2 * nOut, dx += 2 * nIn) {
        const float *restrict d1 = d + nOut;
        for (i = 0; i < nIn; i += 4) {
            float a0 = 0.0f, a1 = 0.0f, a2 = 0.0f, a3 = 0.0f, b0 = 0.0f, b1 = 0.0f, b2 = 0.0f, b3 = 0.0f;
            const float *pw = w + i;
            int j = 0;
            for (; pw < wEnd; pw += nIn, j++) {
                float e = d[j], f = d1[j];
                float w0 = pw[0], w1 = pw[1], w2 = pw[2], w3 = pw[3];
                a0 += e * w0; a1 += e * w1; a2 += e * w2; a3 += e * w3;
                b0 += f * w0; b1 += f * w1; b2 += f * w2; b3 += f * w3;
            }
            dx[i] = CHAIN(a[i], a0); dx[i + 1] = CHAIN(a[i + 1], a1);
            dx[i + 2] = CHAIN(a[i + 2], a2); dx[i + 3] = CHAIN(a[i + 3], a3);
            dx[nIn + i] = CHAIN(a[nIn + i], b0); dx[nIn + i + 1] = CHAIN(a[nIn + i + 1], b1);
            dx[nIn + i + 2] = CHAIN(a[nIn + i + 2], b2); dx[nIn + i + 3] = CHAIN(a[nIn + i + 3], b3);
        }
    }
    for (; r < rows; r++, a += nIn, d += nOut, dx += nIn) {
        for (i = 0; i < nIn; i++) {
            float s = 0.0f;
            const float *pw = w + i;
            int j = 0;
            for (; pw < wEnd; pw += nIn, j++) s += d[j] * pw[0];
            dx[i] = CHAIN(a[i], s);
        }
    }
}

/* plain.c's Adam step over one parameter array. */
static void adam(float *restrict p, const float *restrict g, float *restrict m, float *restrict v,
                 int len, float step, float sbc2, float eps) {
    int i;
    for (i = 0; i < len; i++) {
        float gi = g[i];
        float mi = 0.9f * m[i] + 0.1f * gi;
        float vi = 0.999f * v[i] + 0.001f * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] -= step * mi / (sqrtf(vi) / sbc2 + eps);
    }
}

static float train_batch(const float *x, const float *y, int n) {
    int l, s, o, i;
    int nOut = sz[nl];
    float loss = 0.0f;

    act[0] = (float *)x;
    for (l = 0; l < nl; l++)
        dense_forward(W[l], B[l], sz[l], sz[l + 1], act[l], act[l + 1], n, l < nl - 1 && relu_hidden);

    {
        const float *restrict z = act[nl];
        float *restrict d = dlt[nl];
        if (loss_ce) {
            for (s = 0; s < n; s++) {
                const float *zs = z + s * nOut;
                float *ds = d + s * nOut;
                int label = (int)y[s];
                float mx = zs[0], sum = 0.0f;
                for (o = 1; o < nOut; o++) if (zs[o] > mx) mx = zs[o];
                for (o = 0; o < nOut; o++) { ds[o] = expf(zs[o] - mx); sum += ds[o]; }
                loss += logf(sum) - (zs[label] - mx);
                for (o = 0; o < nOut; o++) ds[o] = (ds[o] / sum - (o == label ? 1.0f : 0.0f)) / (float)n;
            }
            loss /= (float)n;
        } else {
            float scale = 2.0f / (float)(n * nOut);
            for (i = 0; i < n * nOut; i++) {
                float e = z[i] - y[i];
                loss += e * e;
                d[i] = scale * e;
            }
            loss /= (float)(n * nOut);
        }
    }

    for (l = nl - 1; l >= 0; l--) {
        dense_gradients(gW[l], gB[l], sz[l], sz[l + 1], act[l], dlt[l + 1], n);
        if (l > 0) dense_input_deltas(W[l], sz[l], sz[l + 1], act[l], dlt[l + 1], dlt[l], n, relu_hidden);
    }

    if (opt_adam) {
        const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
        double bc1, bc2;
        float step, sbc2;
        adam_t++;
        bc1 = 1.0 - pow(b1, (double)adam_t);
        bc2 = 1.0 - pow(b2, (double)adam_t);
        step = (float)(lr / bc1);
        sbc2 = (float)sqrt(bc2);
        for (l = 0; l < nl; l++) {
            adam(W[l], gW[l], mW[l], vW[l], sz[l] * sz[l + 1], step, sbc2, (float)eps);
            adam(B[l], gB[l], mB[l], vB[l], sz[l + 1], step, sbc2, (float)eps);
        }
    } else {
        float flr = (float)lr;
        for (l = 0; l < nl; l++) {
            int cnt = sz[l] * sz[l + 1];
            for (i = 0; i < cnt; i++) W[l][i] -= flr * gW[l][i];
            for (i = 0; i < sz[l + 1]; i++) B[l][i] -= flr * gB[l][i];
        }
    }
    return loss;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    const char *name;
    int batch, rows, epochs, runs, warmup, r, e, i, l;
    uint32_t seed;
    float *x, *y;
    double *sps;
    float first_loss = 0.0f, final_loss = 0.0f;
    int yw;

    if (argc != 13) {
        fprintf(stderr, "usage: %s NAME LAYERS ACT LOSS OPT LR BATCH ROWS EPOCHS RUNS WARMUP SEED\n", argv[0]);
        return 2;
    }
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
        for (l = 0; l <= nl; l++)
            if (sz[l] <= 0 || sz[l] % 4) { fprintf(stderr, "layer size %d is not a positive multiple of 4\n", sz[l]); return 2; }
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

    yw = loss_ce ? 1 : sz[nl];
    x = xcalloc((size_t)rows * sz[0], sizeof(float));
    y = xcalloc((size_t)rows * yw, sizeof(float));
    rng_state = seed;
    for (i = 0; i < rows * sz[0]; i++) x[i] = (float)(2.0 * rng_u01() - 1.0);
    if (loss_ce) for (i = 0; i < rows; i++) y[i] = (float)floor(rng_u01() * sz[nl]);
    else for (i = 0; i < rows * yw; i++) y[i] = (float)(2.0 * rng_u01() - 1.0);

    for (l = 0; l < nl; l++) {
        size_t n = (size_t)sz[l] * sz[l + 1];
        W[l] = xcalloc(n, sizeof(float)); gW[l] = xcalloc(n, sizeof(float));
        mW[l] = xcalloc(n, sizeof(float)); vW[l] = xcalloc(n, sizeof(float));
        B[l] = xcalloc(sz[l + 1], sizeof(float)); gB[l] = xcalloc(sz[l + 1], sizeof(float));
        mB[l] = xcalloc(sz[l + 1], sizeof(float)); vB[l] = xcalloc(sz[l + 1], sizeof(float));
    }
    for (l = 1; l <= nl; l++) act[l] = xcalloc((size_t)batch * sz[l], sizeof(float));
    for (l = 0; l <= nl; l++) dlt[l] = xcalloc((size_t)batch * sz[l], sizeof(float));

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
                float bl = train_batch(x + (size_t)start * sz[0], y + (size_t)start * yw, n);
                sum += (double)bl * n;
            }
            if (e == 0) first_loss = (float)(sum / rows);
            final_loss = (float)(sum / rows);
        }
        t1 = now_s();
        if (r >= warmup) sps[r - warmup] = (double)rows * epochs / (t1 - t0);
    }

    printf("{\"tool\":\"blocked-c\",\"workload\":\"%s\",\"epochs\":%d,\"rows\":%d,\"batch\":%d,\"warmup\":%d,\"runs\":[",
           name, epochs, rows, batch, warmup);
    for (r = 0; r < runs; r++) printf("%s%.0f", r ? "," : "", sps[r]);
    {
        double med;
        qsort(sps, runs, sizeof(double), cmp_double);
        med = runs % 2 ? sps[runs / 2] : 0.5 * (sps[runs / 2 - 1] + sps[runs / 2]);
        printf("],\"samples_per_s\":%.0f,\"first_loss\":%.9g,\"final_loss\":%.9g}\n", med, first_loss, final_loss);
    }
    return 0;
}
