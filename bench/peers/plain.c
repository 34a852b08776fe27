/*
 * plain.c - a plain C99 trainer of the edgeprop benchmark workloads.
 *
 * Same math as the reference (see docs/model-format.md, "Semantics"):
 *   dense y = x W^T + b, W stored [out][in]; ReLU (or identity) hidden layers,
 *   identity last layer; softmax cross-entropy (mean over batch) or MSE (mean
 *   over batch x outputs); backprop by the chain rule; torch.optim SGD / Adam;
 *   batches of consecutive rows, last partial batch kept; float32 storage;
 *   init uniform(-1/sqrt(fan_in), +1/sqrt(fan_in)) for weights and biases.
 * Data comes from the mulberry32 generator of bench/workloads.mjs (same draws),
 * so the data is bit-identical to the JavaScript peers.
 *
 * Build: gcc -O2 -std=c99 -o plain-c plain.c -lm
 * Usage: plain-c NAME LAYERS ACT LOSS OPT LR BATCH ROWS EPOCHS RUNS WARMUP SEED
 *   e.g. plain-c P2-mlp-small 16,32,32,4 relu ce adam 0.001 32 2048 20 5 1 1
 * Prints one JSON line.
 */
#define _POSIX_C_SOURCE 199309L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAXL 16

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

/* ---- network ---- */
static int nl;              /* number of dense layers */
static int sz[MAXL + 1];    /* sizes, input first */
static int relu_hidden;
static int loss_ce;
static int opt_adam;
static double lr;
static float *W[MAXL], *B[MAXL];          /* parameters */
static float *gW[MAXL], *gB[MAXL];        /* gradients */
static float *mW[MAXL], *mB[MAXL], *vW[MAXL], *vB[MAXL]; /* Adam state */
static float *act[MAXL + 1];              /* activations per layer, [batch][size] */
static float *dlt[MAXL + 1];              /* dLoss/d(pre-activation or output), [batch][size] */
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

/* forward + backward + update on one batch of n rows; returns the batch loss */
static float train_batch(const float *x, const float *y, int n) {
    int l, s, o, i;
    int nOut = sz[nl];
    float loss = 0.0f;

    act[0] = (float *)x; /* input rows are consecutive */

    /* forward */
    for (l = 0; l < nl; l++) {
        int in = sz[l], out = sz[l + 1];
        int hidden = l < nl - 1;
        for (s = 0; s < n; s++) {
            const float *xs = act[l] + s * in;
            float *ys = act[l + 1] + s * out;
            for (o = 0; o < out; o++) {
                const float *w = W[l] + o * in;
                float sum = B[l][o];
                for (i = 0; i < in; i++) sum += w[i] * xs[i];
                if (hidden && relu_hidden && sum < 0.0f) sum = 0.0f;
                ys[o] = sum;
            }
        }
    }

    /* loss and its gradient w.r.t. the logits / outputs */
    {
        float *z = act[nl], *d = dlt[nl];
        if (loss_ce) {
            for (s = 0; s < n; s++) {
                float *zs = z + s * nOut, *ds = d + s * nOut;
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

    /* backward */
    for (l = nl - 1; l >= 0; l--) {
        int in = sz[l], out = sz[l + 1];
        float *gw = gW[l], *gb = gB[l];
        memset(gw, 0, sizeof(float) * out * in);
        memset(gb, 0, sizeof(float) * out);
        for (s = 0; s < n; s++) {
            const float *xs = act[l] + s * in;
            const float *ds = dlt[l + 1] + s * out;
            for (o = 0; o < out; o++) {
                float g = ds[o];
                float *gwo = gw + o * in;
                gb[o] += g;
                for (i = 0; i < in; i++) gwo[i] += g * xs[i];
            }
        }
        if (l > 0) { /* delta for the previous (hidden) layer */
            for (s = 0; s < n; s++) {
                const float *ds = dlt[l + 1] + s * out;
                const float *as = act[l] + s * in;
                float *dp = dlt[l] + s * in;
                for (i = 0; i < in; i++) dp[i] = 0.0f;
                for (o = 0; o < out; o++) {
                    const float *w = W[l] + o * in;
                    float g = ds[o];
                    for (i = 0; i < in; i++) dp[i] += g * w[i];
                }
                if (relu_hidden)
                    for (i = 0; i < in; i++) if (as[i] <= 0.0f) dp[i] = 0.0f;
            }
        }
    }

    /* update */
    if (opt_adam) {
        const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
        double bc1, bc2;
        float step, sbc2, feps = (float)eps;
        adam_t++;
        bc1 = 1.0 - pow(b1, (double)adam_t);
        bc2 = 1.0 - pow(b2, (double)adam_t);
        step = (float)(lr / bc1);
        sbc2 = (float)sqrt(bc2);
        for (l = 0; l < nl; l++) {
            int cnt = sz[l] * sz[l + 1], k;
            for (k = 0; k < 2; k++) {
                float *p = k ? B[l] : W[l], *g = k ? gB[l] : gW[l];
                float *m = k ? mB[l] : mW[l], *v = k ? vB[l] : vW[l];
                int len = k ? sz[l + 1] : cnt;
                for (i = 0; i < len; i++) {
                    m[i] = 0.9f * m[i] + 0.1f * g[i];
                    v[i] = 0.999f * v[i] + 0.001f * g[i] * g[i];
                    p[i] -= step * m[i] / (sqrtf(v[i]) / sbc2 + feps);
                }
            }
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

    printf("{\"tool\":\"plain-c\",\"workload\":\"%s\",\"epochs\":%d,\"rows\":%d,\"batch\":%d,\"warmup\":%d,\"runs\":[",
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
