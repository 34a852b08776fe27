"""One training run in real PyTorch, described the way a golden case's
case.json describes it (docs/model-format.md): torch.nn.Linear layers,
torch.optim, torch.optim.lr_scheduler stepped once per epoch (OneCycleLR once
per batch, as torch users step it; ReduceLROnPlateau on the epoch's training
loss), torch.nn.utils.clip_grad_norm_ then clip_grad_value_, consecutive batches with the last partial
batch kept (DataLoader(drop_last=False) without shuffling). "freeze": K fixes
the first K layers (requires_grad_(False) on their weight and bias; the
optimizer and the clipping see the trained parameters only). "normalize": true
z-scores the inputs first, in float32 exactly as the board does:
(x - mean) / std, one float32 subtraction and one float32 division, with the
statistics of input_stats().

Shared by scripts/golden.py (the reference runs in tests/golden) and
scripts/torch_reference.py (the randomized cross-check's oracle), so both
describe a run with the same dictionary and train it the same way.
"""
import math

import torch

ACTIVATIONS = {
    "identity": lambda: torch.nn.Identity(),
    "relu": lambda: torch.nn.ReLU(),
    "leaky_relu": lambda: torch.nn.LeakyReLU(0.01),
    "sigmoid": lambda: torch.nn.Sigmoid(),
    "tanh": lambda: torch.nn.Tanh(),
}

LOSSES = {
    # mean over batch x outputs
    "mse": lambda: torch.nn.MSELoss(),
    # softmax cross-entropy on logits, integer labels, mean over the batch
    "ce": lambda: torch.nn.CrossEntropyLoss(),
    # sigmoid binary cross-entropy on logits, mean
    "bce": lambda: torch.nn.BCEWithLogitsLoss(),
}


def _betas(o):
    return (o.get("beta1", 0.9), o.get("beta2", 0.999))


# case.json's optimizer object -> a torch.optim optimizer. Each entry takes
# only the keys torch's constructor has; a key it does not know is an error
# (see OPTIMIZER_KEYS), so a case can never silently mean something else.
OPTIMIZERS = {
    "sgd": lambda p, o: torch.optim.SGD(
        p, lr=o["lr"], momentum=o.get("momentum", 0.0), dampening=o.get("dampening", 0.0),
        nesterov=bool(o.get("nesterov", False)), weight_decay=o.get("weight_decay", 0.0)),
    "adagrad": lambda p, o: torch.optim.Adagrad(
        p, lr=o["lr"], lr_decay=o.get("lr_decay", 0.0), weight_decay=o.get("weight_decay", 0.0),
        initial_accumulator_value=o.get("initial_accumulator_value", 0.0), eps=o.get("eps", 1e-10)),
    "rmsprop": lambda p, o: torch.optim.RMSprop(
        p, lr=o["lr"], alpha=o.get("alpha", 0.99), eps=o.get("eps", 1e-8),
        weight_decay=o.get("weight_decay", 0.0), momentum=o.get("momentum", 0.0),
        centered=bool(o.get("centered", False))),
    "adam": lambda p, o: torch.optim.Adam(
        p, lr=o["lr"], betas=_betas(o), eps=o.get("eps", 1e-8), weight_decay=o.get("weight_decay", 0.0),
        amsgrad=bool(o.get("amsgrad", False))),
    "adamw": lambda p, o: torch.optim.AdamW(
        p, lr=o["lr"], betas=_betas(o), eps=o.get("eps", 1e-8), weight_decay=o.get("weight_decay", 0.01),
        amsgrad=bool(o.get("amsgrad", False))),
    "nadam": lambda p, o: torch.optim.NAdam(
        p, lr=o["lr"], betas=_betas(o), eps=o.get("eps", 1e-8), weight_decay=o.get("weight_decay", 0.0),
        momentum_decay=o.get("momentum_decay", 4e-3)),
    "radam": lambda p, o: torch.optim.RAdam(
        p, lr=o["lr"], betas=_betas(o), eps=o.get("eps", 1e-8), weight_decay=o.get("weight_decay", 0.0)),
}

OPTIMIZER_KEYS = {
    "sgd": {"lr", "momentum", "dampening", "nesterov", "weight_decay"},
    "adagrad": {"lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"},
    "rmsprop": {"lr", "alpha", "eps", "weight_decay", "momentum", "centered"},
    "adam": {"lr", "beta1", "beta2", "eps", "weight_decay", "amsgrad"},
    "adamw": {"lr", "beta1", "beta2", "eps", "weight_decay", "amsgrad"},
    "nadam": {"lr", "beta1", "beta2", "eps", "weight_decay", "momentum_decay"},
    "radam": {"lr", "beta1", "beta2", "eps", "weight_decay"},
}


def _warmup_cosine(opt, s):
    """The warm-up + cosine recipe: LinearLR for `warmup` epochs, then CosineAnnealingLR."""
    warm = torch.optim.lr_scheduler.LinearLR(
        opt, start_factor=s.get("start_factor", 1.0 / 3), end_factor=1.0, total_iters=s["warmup"])
    cos = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=s["t_max"], eta_min=s.get("eta_min", 0.0))
    return torch.optim.lr_scheduler.SequentialLR(opt, schedulers=[warm, cos], milestones=[s["warmup"]])


def _onecycle(opt, s, steps_per_epoch, epochs):
    if s.get("cycle_momentum", True):
        raise ValueError("onecycle: only cycle_momentum=False is reproduced (write \"cycle_momentum\": false)")
    if float(s.get("pct_start", 0.3)) * steps_per_epoch * epochs == 1:
        raise ValueError("onecycle: pct_start x total steps = 1 divides by zero in torch's first phase")
    return torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=s["max_lr"], epochs=epochs, steps_per_epoch=steps_per_epoch,
        pct_start=float(s.get("pct_start", 0.3)), anneal_strategy="cos", cycle_momentum=False,
        div_factor=float(s.get("div_factor", 25.0)), final_div_factor=float(s.get("final_div_factor", 1e4)))


def _plateau(opt, s):
    return torch.optim.lr_scheduler.ReduceLROnPlateau(
        opt, mode="min", factor=s.get("factor", 0.1), patience=s.get("patience", 10),
        threshold=s.get("threshold", 1e-4), threshold_mode="rel", cooldown=s.get("cooldown", 0),
        min_lr=s.get("min_lr", 0.0), eps=s.get("eps", 1e-8))

SCHEDULES = {
    "step": lambda opt, s: torch.optim.lr_scheduler.StepLR(opt, step_size=s["step_size"], gamma=s.get("gamma", 0.1)),
    "exponential": lambda opt, s: torch.optim.lr_scheduler.ExponentialLR(opt, gamma=s["gamma"]),
    "cosine": lambda opt, s: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=s["t_max"], eta_min=s.get("eta_min", 0.0)),
    "multistep": lambda opt, s: torch.optim.lr_scheduler.MultiStepLR(opt, milestones=s["milestones"], gamma=s.get("gamma", 0.1)),
    "warmup_cosine": _warmup_cosine,
    "plateau": _plateau,
}
# Stepped after every optimizer step (the others after every epoch).
PER_BATCH_SCHEDULES = {"onecycle": _onecycle}


def check_spec(spec):
    """Raises ValueError for anything this trainer would not honour exactly."""
    o = spec["optimizer"]
    name = o["name"]
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}")
    unknown = set(o) - {"name"} - OPTIMIZER_KEYS[name]
    if unknown:
        raise ValueError(f"{name}: keys torch.optim does not take: {sorted(unknown)}")
    if spec["act"] not in ACTIVATIONS or spec["loss"] not in LOSSES:
        raise ValueError(f"unknown activation or loss: {spec['act']!r}, {spec['loss']!r}")
    s = spec.get("schedule")
    if s is not None and s["name"] not in SCHEDULES and s["name"] not in PER_BATCH_SCHEDULES:
        raise ValueError(f"unknown schedule {s!r}")
    k = spec.get("freeze", 0)
    if not isinstance(k, int) or k < 0 or k >= len(spec["layers"]) - 1:
        raise ValueError(f"freeze {k!r}: 0 up to one less than the {len(spec['layers']) - 1} dense layers")
    if spec.get("normalize", False) not in (True, False):
        raise ValueError(f"normalize {spec['normalize']!r}: true or false")


def input_stats(x):
    """The z-score statistics of rows x (float32 values): per column the mean
    and the population standard deviation (ddof 0, as sklearn's StandardScaler
    and Keras' Normalization), computed in float64 and rounded to float32; a
    std of 0 becomes 1 (a constant column passes through centred)."""
    X = torch.tensor(x, dtype=torch.float64)
    mean = X.mean(dim=0)
    std = X.std(dim=0, unbiased=False)
    std = torch.where(std == 0, torch.ones_like(std), std)
    return mean.to(torch.float32), std.to(torch.float32)


def normalize_rows(x, mean, std):
    """(x - mean) / std in float32, element by element (what the module computes on the board)."""
    return (torch.tensor(x, dtype=torch.float32) - mean) / std


def build_model(layers, dtype):
    """[nn.Linear, activation, ...]: every hidden layer has `act`, the last none."""
    return [torch.nn.Linear(layers[k], layers[k + 1]).to(dtype) for k in range(len(layers) - 1)]


def set_params(linears, model_layers):
    """Copies an edgeprop-model's layers (weight [out][in], bias [out]) in."""
    with torch.no_grad():
        for lin, l in zip(linears, model_layers):
            lin.weight.copy_(torch.tensor(l["weight"], dtype=lin.weight.dtype))
            lin.bias.copy_(torch.tensor(l["bias"], dtype=lin.bias.dtype))


def model_json(spec, linears):
    """The edgeprop-model v1 document for the current parameters (float64 values)."""
    L = len(linears)
    layers = []
    for k, lin in enumerate(linears):
        layers.append({
            "type": "dense", "in": lin.in_features, "out": lin.out_features,
            "activation": "identity" if k == L - 1 else spec["act"],
            "weight": [[float(v) for v in row] for row in lin.weight.detach().to(torch.float64).tolist()],
            "bias": [float(v) for v in lin.bias.detach().to(torch.float64).tolist()],
        })
    return {"format": "edgeprop-model", "version": 1, "loss": spec["loss"], "layers": layers}


def train(spec, x, y, init_layers, dtype=torch.float64, epoch_lr=None, on_epoch=None):
    """Trains the run from init_layers on rows x (list of lists) and targets y
    (per row: a list of floats for mse/bce, an int class for ce).

    Returns (final edgeprop-model dict, epoch_loss list): epoch_loss[k] is the
    mean per-sample loss of epoch k+1, each batch's loss taken before its own
    update (sum of batch-mean loss x batch rows, over the rows). `epoch_lr`, a
    list, gets the lr each epoch starts with (its first batch's lr). `on_epoch`,
    if given, is called after each epoch with (net, X, Y): the network and the
    (normalised) rows and targets it trains on."""
    check_spec(spec)
    torch.manual_seed(0)  # nothing below draws; set anyway so a run is reproducible
    linears = build_model(spec["layers"], dtype)
    set_params(linears, init_layers)
    L = len(linears)
    modules = []
    for k, lin in enumerate(linears):
        modules.append(lin)
        if k < L - 1:
            modules.append(ACTIVATIONS[spec["act"]]())
    net = torch.nn.Sequential(*modules)
    for lin in linears[:spec.get("freeze", 0)]:
        lin.weight.requires_grad_(False)
        lin.bias.requires_grad_(False)
    trained = [p for p in net.parameters() if p.requires_grad]
    loss_fn = LOSSES[spec["loss"]]()
    opt = OPTIMIZERS[spec["optimizer"]["name"]](trained, spec["optimizer"])
    stats = input_stats(x) if spec.get("normalize", False) else None
    if stats is not None:
        X = normalize_rows(x, *stats).to(dtype)
    else:
        X = torch.tensor(x, dtype=dtype)
    Y = torch.tensor(y, dtype=torch.long) if spec["loss"] == "ce" else torch.tensor(y, dtype=dtype)
    n = X.shape[0]
    batch = n if spec["batch"] == "full" else min(int(spec["batch"]), n)
    s = spec.get("schedule")
    sched = batch_sched = None
    if s and s["name"] in PER_BATCH_SCHEDULES:
        batch_sched = PER_BATCH_SCHEDULES[s["name"]](opt, s, (n + batch - 1) // batch, spec["epochs"])
    elif s:
        sched = SCHEDULES[s["name"]](opt, s)
    clip = spec.get("clip_norm")
    clip_value = spec.get("clip_value")
    epoch_loss = []
    for _ in range(spec["epochs"]):
        if epoch_lr is not None:
            epoch_lr.append(float(opt.param_groups[0]["lr"]))
        total = 0.0
        for start in range(0, n, batch):
            xb, yb = X[start:start + batch], Y[start:start + batch]
            opt.zero_grad()
            loss = loss_fn(net(xb), yb)
            loss.backward()
            if clip:
                torch.nn.utils.clip_grad_norm_(trained, clip)
            if clip_value:
                torch.nn.utils.clip_grad_value_(trained, clip_value)
            opt.step()
            if batch_sched is not None:
                batch_sched.step()
            total += float(loss) * xb.shape[0]
        epoch_loss.append(total / n)
        if on_epoch is not None:
            on_epoch(net, X, Y)
        if isinstance(sched, torch.optim.lr_scheduler.ReduceLROnPlateau):
            sched.step(epoch_loss[-1])  # no validation split here: the training loss
        elif sched is not None:
            sched.step()
    model = model_json(spec, linears)
    if stats is not None:  # the model carries its normalisation (docs/model-format.md)
        model["normalization"] = {"kind": "zscore", "mean": [float(v) for v in stats[0]], "std": [float(v) for v in stats[1]]}
    return model, epoch_loss


def max_rel(a, b):
    """max |a - b| / max |b| over two flat lists (b the reference)."""
    d = max((abs(p - q) for p, q in zip(a, b)), default=0.0)
    s = max((abs(q) for q in b), default=0.0)
    return d / s if s > 0 else d


def each_rel(a, b):
    """Largest elementwise |a - b| / |b|."""
    worst = 0.0
    for p, q in zip(a, b):
        r = abs(p - q) / max(abs(q), 1e-300)
        worst = max(worst, r if not math.isnan(r) else math.inf)
    return worst


def flat_params(model):
    out = []
    for l in model["layers"]:
        for row in l["weight"]:
            out.extend(row)
        out.extend(l["bias"])
    return out
