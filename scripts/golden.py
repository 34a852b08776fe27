#!/usr/bin/python3
"""The golden cases in tests/golden: reference training runs computed by real
PyTorch (torch.nn.Linear, torch.optim, torch.optim.lr_scheduler) in float64.
Each case folder holds case.json, data.csv, init.json and expected.json; the
format is docs/model-format.md.

  /usr/bin/python3 scripts/golden.py                 # (re)write every case
  /usr/bin/python3 scripts/golden.py --only NAME ... # some cases
  /usr/bin/python3 scripts/golden.py --compare DIR   # also: max difference of
                                                     # each expected.json vs DIR/<case>/expected.json
  /usr/bin/python3 scripts/golden.py --keep-inputs   # expected.json only, from the inputs in place

Data and initial weights are drawn here from each case's seed (a
torch.Generator; nn.Linear's own initialisation, in float32 as on the board),
so the same script writes the same bytes. The first seven cases ("fixed
inputs") predate this script: their data.csv and init.json are kept as they
are in the repository and only expected.json is recomputed from them.
"""
import argparse
import csv
import json
import math
import os
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_training as tt  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN = os.path.join(ROOT, "tests", "golden")


def case(name, data, layers, act, loss, optimizer, batch, epochs, description, fixed_inputs=False, **extra):
    spec = {"description": description, "data": data, "layers": layers, "act": act, "loss": loss,
            "optimizer": optimizer, "batch": batch, "epochs": epochs}
    spec.update(extra)
    return name, spec, fixed_inputs


CASES = [
    # The original seven: inputs kept, expectations recomputed with PyTorch.
    case("adagrad-linear", {"kind": "linear", "n": 256, "d": 8}, [8, 16, 1], "tanh", "mse",
         {"name": "adagrad", "lr": 0.05}, 32, 40, "Adagrad on a linear target through a tanh layer", True),
    case("adam-xor-bce", {"kind": "xor", "n": 256}, [2, 16, 1], "sigmoid", "bce",
         {"name": "adam", "lr": 0.02}, 32, 80, "Adam learns XOR with sigmoid BCE", True),
    case("momentum-spiral-ce", {"kind": "spiral", "n": 300, "classes": 3}, [2, 32, 3], "relu", "ce",
         {"name": "sgd", "lr": 0.1, "momentum": 0.9}, 16, 30, "SGD with momentum on a 3-arm spiral, cross-entropy", True),
    case("rmsprop-sine", {"kind": "sine", "n": 200}, [1, 24, 24, 1], "tanh", "mse",
         {"name": "rmsprop", "lr": 0.003}, 20, 60, "RMSprop fits a sine", True),
    case("seed-batch-gd", {"kind": "randn", "n": 1000, "d": 10}, [10, 1], "identity", "mse",
         {"name": "sgd", "lr": 0.01}, 1000, 100, "linear regression, batch gradient descent", True),
    case("seed-minibatch", {"kind": "randn", "n": 1000, "d": 10}, [10, 1], "identity", "mse",
         {"name": "sgd", "lr": 0.01}, 100, 100, "linear regression, mini-batch gradient descent", True),
    case("seed-sgd", {"kind": "randn", "n": 1000, "d": 10}, [10, 1], "identity", "mse",
         {"name": "sgd", "lr": 0.01}, 1, 5, "linear regression, stochastic gradient descent", True),
    # What those lacked; inputs drawn here from the seed.
    case("adagrad-initial-accumulator", {"kind": "linear", "n": 96, "d": 4, "seed": 11}, [4, 8, 1], "tanh", "mse",
         {"name": "adagrad", "lr": 0.05, "lr_decay": 0.01, "initial_accumulator_value": 0.1}, 16, 12,
         "Adagrad whose accumulator starts at 0.1, with lr_decay"),
    case("sgd-nesterov-weight-decay", {"kind": "spiral", "n": 90, "classes": 3, "seed": 12}, [2, 16, 3], "relu", "ce",
         {"name": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.001}, 16, 12,
         "SGD with Nesterov momentum and weight decay"),
    case("rmsprop-centered-momentum", {"kind": "sine", "n": 80, "seed": 13}, [1, 12, 12, 1], "tanh", "mse",
         {"name": "rmsprop", "lr": 0.002, "alpha": 0.9, "centered": True, "momentum": 0.5, "weight_decay": 0.0005}, 10, 12,
         "centered RMSprop with momentum and weight decay"),
    case("adam-cosine-eta-min", {"kind": "xor", "n": 64, "seed": 14}, [2, 8, 1], "sigmoid", "bce",
         {"name": "adam", "lr": 0.05}, 16, 30,
         "Adam under CosineAnnealingLR with eta_min, run past T_max (the lr climbs again)",
         schedule={"name": "cosine", "t_max": 10, "eta_min": 0.002}),
    case("partial-last-batch", {"kind": "randn", "n": 70, "d": 5, "outputs": 2, "seed": 15}, [5, 6, 2], "leaky_relu", "mse",
         {"name": "sgd", "lr": 0.05, "momentum": 0.8, "dampening": 0.3}, 32, 10,
         "70 rows in batches of 32: the last batch has 6 rows; two outputs; momentum with dampening; clip_grad_norm_",
         clip_norm=0.5),
    case("single-row-full-batch", {"kind": "randn", "n": 1, "d": 3, "outputs": 2, "seed": 16}, [3, 5, 2], "sigmoid", "mse",
         {"name": "adamw", "lr": 0.01, "weight_decay": 0.05}, 32, 10,
         "one row, --batch 32 larger than the data: one full batch of one row; AdamW"),
    case("eight-layers", {"kind": "randn", "n": 48, "d": 4, "seed": 17}, [4, 8, 8, 8, 8, 8, 8, 8, 1], "tanh", "mse",
         {"name": "adam", "lr": 0.005, "beta1": 0.8, "beta2": 0.99}, 16, 8,
         "the deepest model the engine takes (8 dense layers); Adam with its own betas; exponential schedule",
         schedule={"name": "exponential", "gamma": 0.9}),
    case("ten-classes", {"kind": "blobs", "n": 120, "d": 6, "classes": 10, "seed": 18}, [6, 24, 10], "relu", "ce",
         {"name": "sgd", "lr": 0.05, "momentum": 0.9}, 24, 12,
         "10-class softmax cross-entropy; step schedule",
         schedule={"name": "step", "step_size": 4, "gamma": 0.5}),
    # torch.optim coverage: amsgrad, NAdam, RAdam, the schedules users ask for, clip_grad_value_.
    case("adam-amsgrad", {"kind": "xor", "n": 64, "seed": 21}, [2, 8, 1], "tanh", "bce",
         {"name": "adam", "lr": 0.03, "amsgrad": True}, 16, 15,
         "Adam with amsgrad=True (the running max of the second moment in the denominator)"),
    case("adamw-amsgrad-weight-decay", {"kind": "randn", "n": 60, "d": 4, "outputs": 2, "seed": 22}, [4, 10, 2], "relu", "mse",
         {"name": "adamw", "lr": 0.01, "weight_decay": 0.05, "beta2": 0.99, "amsgrad": True}, 12, 10,
         "AdamW with amsgrad=True and decoupled weight decay"),
    case("nadam-defaults", {"kind": "spiral", "n": 90, "classes": 3, "seed": 23}, [2, 16, 3], "tanh", "ce",
         {"name": "nadam", "lr": 0.002}, 10, 12,
         "NAdam with torch's defaults (momentum_decay 4e-3): the mu_t schedule and its float32 mu_product over 108 steps"),
    case("nadam-momentum-decay-weight-decay", {"kind": "sine", "n": 64, "seed": 24}, [1, 12, 1], "tanh", "mse",
         {"name": "nadam", "lr": 0.01, "momentum_decay": 0.02, "weight_decay": 0.001, "beta1": 0.85}, 8, 10,
         "NAdam with its own momentum_decay, beta1 and L2 weight decay"),
    case("radam-rectification", {"kind": "sine", "n": 80, "seed": 25}, [1, 16, 1], "tanh", "mse",
         {"name": "radam", "lr": 0.01}, 10, 10,
         "RAdam: the first steps unrectified (rho_t <= 5, momentum SGD), then rectified"),
    case("radam-weight-decay-beta2", {"kind": "blobs", "n": 72, "d": 3, "classes": 4, "seed": 26}, [3, 12, 4], "relu", "ce",
         {"name": "radam", "lr": 0.02, "beta2": 0.95, "weight_decay": 0.01, "eps": 1e-6}, 12, 8,
         "RAdam with beta2 0.95 (rho_inf 39), weight decay and eps"),
    case("multistep-lr", {"kind": "randn", "n": 64, "d": 4, "seed": 27}, [4, 8, 1], "tanh", "mse",
         {"name": "sgd", "lr": 0.05, "momentum": 0.9}, 16, 12,
         "MultiStepLR: milestones 3, 6 and 6 again (gamma applied twice there), gamma 0.5",
         schedule={"name": "multistep", "milestones": [3, 6, 6, 9], "gamma": 0.5}),
    case("warmup-cosine", {"kind": "xor", "n": 64, "seed": 28}, [2, 8, 1], "sigmoid", "bce",
         {"name": "adam", "lr": 0.05}, 16, 16,
         "the warm-up + cosine recipe: SequentialLR(LinearLR(start_factor 0.1, 4 epochs), CosineAnnealingLR(T_max 10, eta_min 0.001), milestones [4]), run past the cosine's T_max",
         schedule={"name": "warmup_cosine", "warmup": 4, "start_factor": 0.1, "t_max": 10, "eta_min": 0.001}),
    case("onecycle-per-batch", {"kind": "spiral", "n": 70, "classes": 3, "seed": 29}, [2, 16, 3], "relu", "ce",
         {"name": "sgd", "lr": 0.01, "momentum": 0.9}, 16, 8,
         "OneCycleLR stepped after every batch (5 batches an epoch, the last partial), max_lr 0.2, pct_start 0.25, cycle_momentum=False",
         schedule={"name": "onecycle", "max_lr": 0.2, "pct_start": 0.25, "div_factor": 25.0, "final_div_factor": 10000.0,
                   "cycle_momentum": False}),
    case("plateau-training-loss", {"kind": "randn", "n": 40, "d": 3, "seed": 30}, [3, 6, 1], "tanh", "mse",
         {"name": "sgd", "lr": 0.6}, 40, 20,
         "ReduceLROnPlateau(factor 0.5, patience 1) on the epoch's training loss (no validation data): the lr halves when it stops improving",
         schedule={"name": "plateau", "factor": 0.5, "patience": 1}),
    case("clip-value", {"kind": "linear", "n": 48, "d": 4, "seed": 31}, [4, 8, 1], "relu", "mse",
         {"name": "sgd", "lr": 0.1, "momentum": 0.5}, 8, 8,
         "clip_grad_value_(0.05): every gradient element clamped to [-0.05, 0.05] before the step",
         clip_value=0.05),
    # Fine-tuning: the first K layers frozen (requires_grad_(False), the optimizer over the rest).
    case("freeze-adam-weight-decay-clip", {"kind": "blobs", "n": 72, "d": 4, "classes": 3, "seed": 41}, [4, 10, 8, 3], "relu", "ce",
         {"name": "adam", "lr": 0.02, "weight_decay": 0.01}, 12, 8,
         "layer 1 of 3 frozen; Adam with L2 weight decay and clip_grad_norm_(0.5), both over the trained layers only",
         freeze=1, clip_norm=0.5),
    case("freeze-sgd-momentum-two", {"kind": "sine", "n": 64, "seed": 42}, [1, 12, 12, 1], "tanh", "mse",
         {"name": "sgd", "lr": 0.05, "momentum": 0.9}, 8, 8,
         "layers 1 and 2 of 3 frozen: SGD with momentum trains the last layer only",
         freeze=2),
    case("freeze-rmsprop-clip-value", {"kind": "randn", "n": 60, "d": 5, "outputs": 2, "seed": 43}, [5, 8, 2], "leaky_relu", "mse",
         {"name": "rmsprop", "lr": 0.005, "centered": True, "weight_decay": 0.001}, 10, 8,
         "layer 1 of 2 frozen; centered RMSprop with weight decay, clip_grad_value_(0.05) over the last layer",
         freeze=1, clip_value=0.05),
    # Input normalisation on the board: raw features far apart in scale, z-scored
    # in float32 ((x - mean) / std) with the statistics torch_training.input_stats computes.
    case("normalize-raw-features", {"kind": "blobs", "n": 90, "d": 3, "classes": 3, "seed": 44,
                                    "scale": [100.0, 0.01, 5.0], "shift": [1000.0, -0.5, 20.0]}, [3, 12, 3], "tanh", "ce",
         {"name": "adam", "lr": 0.02}, 15, 10,
         "features of scale 100, 0.01 and 5 around 1000, -0.5 and 20, z-scored by the module (normalize); expected.json carries the statistics",
         normalize=True),
    # A table as it comes (issue 23): a text column one-hot encoded (sorted categories), missing values
    # (NA, empty, null) filled with the training rows' means, the inputs z-scored and an unscaled target
    # z-scored for training; epoch losses in the target's units. The preprocessing is done here, in
    # float64 rounded to float32 as edgeprop stores it (preprocess_table), then trained as any case.
    case("table-onehot-mean-target", {"kind": "table", "n": 60, "seed": 45}, [5, 8, 1], "tanh", "mse",
         {"name": "adam", "lr": 0.02}, 16, 12,
         "a text column one-hot encoded, NA/empty/null filled with the training means, z-scored inputs, a target around 100 z-scored (--categorical color --missing mean --normalize --normalize-target)",
         preprocess={"categorical": ["color"], "missing": "mean", "normalize": True, "normalize_target": True}),
    # The same with two targets of scales 30 and 0.05 (y0 around 100, y1 around 0.5), each z-scored with
    # its own statistics (StandardScaler per column). edgeprop's epoch loss is then the epoch's model's
    # mse on the training rows in the targets' units (host/run/epoch-metrics.ts), so expected.json's is too.
    case("table-two-targets", {"kind": "table", "n": 60, "seed": 46, "outputs": 2}, [5, 8, 2], "tanh", "mse",
         {"name": "adam", "lr": 0.02}, 16, 12,
         "the table case with two targets of scales 30 and 0.05, each z-scored with its own training statistics; epoch losses: the epoch's model's mse in the targets' units",
         preprocess={"categorical": ["color"], "missing": "mean", "normalize": True, "normalize_target": True}),
]

# pandas.read_csv's default missing-value spellings (the ones a table case writes are among them).
MISSING = {"", "NA", "NaN", "null", "nan", "None", "N/A", "NULL", "n/a", "<NA>"}
COLORS = ["red", "green", "blue"]


def draw_table(d, seed):
    """A raw table: color (text), x0 (around 10), x1, and y around 100; some fields missing.
    With "outputs": 2, targets y0 (that y) and y1 (around 0.5, spread 0.05) instead of y."""
    g = torch.Generator().manual_seed(seed)
    n = d["n"]
    color = torch.randint(0, len(COLORS), (n,), generator=g).tolist()
    x0 = (torch.randn(n, generator=g) * 3 + 10).tolist()
    x1 = torch.randn(n, generator=g).tolist()
    noise = torch.randn(n, generator=g).tolist()
    offset = {"red": 10.0, "green": -15.0, "blue": 0.0}
    two = d.get("outputs", 1) == 2
    noise1 = torch.randn(n, generator=g).tolist() if two else []
    rows = []
    for i in range(n):
        c = COLORS[color[i]]
        y = f32(100 + 10 * (x0[i] - 10) + 20 * x1[i] + offset[c] + 2 * noise[i])
        row = {"color": "NA" if i % 11 == 5 else c, "x0": "" if i % 7 == 3 else num(f32(x0[i])),
               "x1": "null" if i % 13 == 8 else num(f32(x1[i]))}
        if two:
            row["y0"] = num(y)
            row["y1"] = num(f32(0.5 + 0.03 * x1[i] - 0.01 * (x0[i] - 10) + 0.005 * noise1[i]))
        else:
            row["y"] = num(y)
        rows.append(row)
    return rows


def preprocess_table(spec, rows):
    """The rows as edgeprop's --categorical/--missing mean/--normalize-target give them to the board:
    per row [one-hot of color (sorted categories), x0, x1], a missing value the column's mean over the
    non-missing rows (float64, rounded to float32; a one-hot column's mean is its category's share), and
    y z-scored in float32 with torch_training.input_stats. Returns x, y (z-scored), the statistics."""
    p = spec["preprocess"]
    targets = [k for k in rows[0] if k == "y" or (k[0] == "y" and k[1:].isdigit())]
    inputs = [k for k in rows[0] if k not in targets]
    cats = {c: sorted({r[c] for r in rows if r[c] not in MISSING}) for c in p["categorical"]}
    nan = float("nan")
    x = []
    for r in rows:
        v = []
        for k in inputs:
            if k in cats:
                v += [nan] * len(cats[k]) if r[k] in MISSING else [1.0 if r[k] == c else 0.0 for c in cats[k]]
            else:
                v.append(nan if r[k] in MISSING else float(r[k]))
        x.append(v)
    X = torch.tensor(x, dtype=torch.float64)
    known = ~torch.isnan(X)
    mean = torch.where(known, X, torch.zeros_like(X)).sum(dim=0) / known.sum(dim=0)
    mean = mean.to(torch.float32).to(torch.float64)
    X = torch.where(known, X, mean.expand_as(X))
    y = [[float(r[k]) for k in targets] for r in rows]
    ym, ys = tt.input_stats(y)
    Y = tt.normalize_rows(y, ym, ys)
    extras = {
        "inputs": inputs, "categorical": cats, "missing": {"policy": "mean", "mean": [float(v) for v in mean]},
        "target_normalization": {"kind": "zscore", "mean": [float(v) for v in ym], "std": [float(v) for v in ys]},
    }
    return X.tolist(), Y.tolist(), extras


# ---- inputs: data and initial weights, drawn from the case's seed ----------

def f32(v):
    """The float32 value nearest v, as a Python float (what the board holds)."""
    return float(torch.tensor(v, dtype=torch.float32))


def draw_data(d, seed):
    """Rows (inputs) and targets for a data spec; every value float32-exact."""
    g = torch.Generator().manual_seed(seed)
    n, kind = d["n"], d["kind"]
    if kind in ("randn", "linear"):
        k = d.get("outputs", 1)
        x = torch.randn(n, d["d"], generator=g)
        w = torch.randn(d["d"], k, generator=g)
        y = x @ w / math.sqrt(d["d"]) + 0.1 * torch.randn(n, k, generator=g)
        if kind == "linear":
            y = y + 0.5
        return x.tolist(), y.tolist()
    if kind == "sine":
        x = (torch.rand(n, 1, generator=g) * 2 - 1) * math.pi
        return x.tolist(), (torch.sin(x) + 0.05 * torch.randn(n, 1, generator=g)).tolist()
    if kind == "xor":
        x = torch.rand(n, 2, generator=g) * 2 - 1
        return x.tolist(), [[1.0 if (a > 0) != (b > 0) else 0.0] for a, b in x.tolist()]
    if kind == "spiral":
        c = d["classes"]
        labels = torch.randint(0, c, (n,), generator=g)
        r = torch.rand(n, generator=g)
        t = r * 4 + labels.to(torch.float32) * (2 * math.pi / c) + 0.2 * torch.randn(n, generator=g)
        x = torch.stack([r * torch.cos(t), r * torch.sin(t)], dim=1)
        return x.tolist(), labels.tolist()
    if kind == "blobs":
        c = d["classes"]
        centers = torch.randn(c, d["d"], generator=g) * 2
        labels = torch.randint(0, c, (n,), generator=g)
        x = centers[labels] + torch.randn(n, d["d"], generator=g)
        if "scale" in d:  # raw sensor-like columns: each its own scale and offset
            x = x * torch.tensor(d["scale"]) + torch.tensor(d["shift"])
        return x.tolist(), labels.tolist()
    raise ValueError(f"unknown data kind {kind!r}")


def draw_init(spec, seed):
    """nn.Linear's default initialisation (kaiming_uniform a=sqrt(5)), in float32."""
    torch.manual_seed(seed)
    linears = tt.build_model(spec["layers"], torch.float32)
    return tt.model_json(spec, linears)


# ---- files -------------------------------------------------------------------

def target_header(spec):
    if spec["loss"] == "ce":
        return ["label"]
    k = spec["layers"][-1]
    return ["y"] if k == 1 else [f"y{j}" for j in range(k)]


def num(v):
    return repr(float(v))


def write_atomic(path, text):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
    with os.fdopen(fd, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def data_csv(spec, x, y):
    lines = [",".join([f"x{i}" for i in range(len(x[0]))] + target_header(spec))]
    for row, t in zip(x, y):
        tail = [str(int(t))] if spec["loss"] == "ce" else [num(v) for v in t]
        lines.append(",".join([num(v) for v in row] + tail))
    return "\n".join(lines) + "\n"


def read_csv(spec, path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], [r for r in rows[1:] if r]
    n_in = sum(1 for h in header if h.startswith("x"))
    x = [[float(v) for v in r[:n_in]] for r in body]
    if spec["loss"] == "ce":
        y = [int(r[n_in]) for r in body]
    else:
        y = [[float(v) for v in r[n_in:]] for r in body]
    return x, y


def dumps(obj):
    return json.dumps(obj) + "\n"


def build(name, spec, fixed_inputs, out_dir):
    folder = os.path.join(out_dir, name)
    os.makedirs(folder, exist_ok=True)
    data_path, init_path = os.path.join(folder, "data.csv"), os.path.join(folder, "init.json")
    if spec.get("data", {}).get("kind") == "table":
        # A raw table (text, missing fields): kept as it is, or drawn from the seed.
        if fixed_inputs:
            if not (os.path.exists(data_path) and os.path.exists(init_path)):
                raise SystemExit(f"{name}: fixed-input case without {data_path} and {init_path}")
            with open(data_path, newline="") as f:
                rows = list(csv.DictReader(f))
            with open(init_path) as f:
                init = json.load(f)
        else:
            seed = spec["data"]["seed"]
            rows = draw_table(spec["data"], seed)
            init = draw_init(spec, seed)
            header = list(rows[0])
            write_atomic(data_path, ",".join(header) + "\n" + "".join(",".join(r[k] for k in header) + "\n" for r in rows))
            write_atomic(init_path, dumps(init))
        x, y, extras = preprocess_table(spec, rows)
        tt.check_spec(spec)
        epoch_lr = []
        std = extras["target_normalization"]["std"]
        end_loss = []  # several targets: each epoch's model's mse on the training rows, in the targets' units

        def on_epoch(net, X, Y):
            with torch.no_grad():
                d = (net(X) - Y) * torch.tensor(std, dtype=X.dtype)
                end_loss.append(float((d * d).mean()))
        final, epoch_loss = tt.train({**spec, "normalize": spec["preprocess"]["normalize"]}, x, y, init["layers"], torch.float64, epoch_lr,
                                     on_epoch if len(std) > 1 else None)
        final.update(extras)
        # One target: the running loss of the z-scored target, in its units (std^2 times it).
        final["epoch_loss"] = end_loss if len(std) > 1 else [v * std[0] ** 2 for v in epoch_loss]
        final["epoch_lr"] = epoch_lr
        write_atomic(os.path.join(folder, "case.json"), json.dumps(spec, indent=1) + "\n")
        write_atomic(os.path.join(folder, "expected.json"), dumps(final))
        return final
    if fixed_inputs:
        if not (os.path.exists(data_path) and os.path.exists(init_path)):
            raise SystemExit(f"{name}: fixed-input case without {data_path} and {init_path}")
        x, y = read_csv(spec, data_path)
        with open(init_path) as f:
            init = json.load(f)
    else:
        seed = spec["data"]["seed"]
        x, y = draw_data(spec["data"], seed)
        x = [[f32(v) for v in row] for row in x]
        y = y if spec["loss"] == "ce" else [[f32(v) for v in t] for t in y]
        init = draw_init(spec, seed)
        write_atomic(data_path, data_csv(spec, x, y))
        write_atomic(init_path, dumps(init))
    tt.check_spec(spec)
    epoch_lr = []
    final, epoch_loss = tt.train(spec, x, y, init["layers"], torch.float64, epoch_lr)
    final["epoch_loss"] = epoch_loss
    final["epoch_lr"] = epoch_lr
    write_atomic(os.path.join(folder, "case.json"), json.dumps(spec, indent=1) + "\n")
    write_atomic(os.path.join(folder, "expected.json"), dumps(final))
    return final


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=GOLDEN, help="folder of the case folders (default tests/golden)")
    ap.add_argument("--only", nargs="*", help="case names")
    ap.add_argument("--compare", help="a folder of older case folders: report max |new - old| per case")
    ap.add_argument("--keep-inputs", action="store_true",
                    help="train every case from the data.csv and init.json already in its folder (draw nothing)")
    a = ap.parse_args()
    torch.set_num_threads(1)
    names = {c[0] for c in CASES}
    for n in a.only or []:
        if n not in names:
            raise SystemExit(f"unknown case {n!r}; cases: {', '.join(sorted(names))}")
    worst = 0.0
    for name, spec, fixed in CASES:
        if a.only and name not in a.only:
            continue
        final = build(name, spec, fixed or a.keep_inputs, a.out)
        line = f"{name}: {len(final['epoch_loss'])} epochs, final loss {final['epoch_loss'][-1]:.6g}"
        old_path = os.path.join(a.compare, name, "expected.json") if a.compare else None
        if old_path and os.path.exists(old_path):
            with open(old_path) as f:
                old = json.load(f)
            dw = max(abs(p - q) for p, q in zip(tt.flat_params(final), tt.flat_params(old)))
            dl = max(abs(p - q) for p, q in zip(final["epoch_loss"], old["epoch_loss"]))
            worst = max(worst, dw, dl)
            line += f"; vs {old_path}: max |dw| {dw:.3g}, max |dloss| {dl:.3g}"
        print(line)
    if a.compare:
        print(f"largest difference from {a.compare}: {worst:.3g}")


if __name__ == "__main__":
    main()
