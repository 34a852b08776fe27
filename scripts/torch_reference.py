#!/usr/bin/python3
"""The randomized cross-check's oracle (tests/torch/crosscheck.test.ts): trains
every run of a batch in real PyTorch, in float64 (the reference) and in
float32 (to tell a chaotic run, whose float32 result already drifts from
float64, from an engine error), in one process.

  /usr/bin/python3 scripts/torch_reference.py RUNS.json > RESULTS.json

RUNS.json: a list of {"id", "spec", "x", "y", "init"}: spec as a golden case's
case.json (docs/model-format.md), x the input rows, y the targets (a list per
row for mse/bce, an int class for ce), init an edgeprop-model document.
Writes a list of {"id", "f64": {"weights", "epoch_loss"}, "f32": {...}} (flat
weights in the module's order) or {"id", "error"} for a run torch refused.
"""
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_training as tt  # noqa: E402


def finite_or_none(values):
    """JSON has no NaN/Inf: a non-finite number becomes null."""
    return [v if math.isfinite(v) else None for v in values]


def run_one(r):
    out = {"id": r["id"]}
    try:
        for name, dtype in (("f64", torch.float64), ("f32", torch.float32)):
            model, losses = tt.train(r["spec"], r["x"], r["y"], r["init"]["layers"], dtype)
            out[name] = {"weights": finite_or_none(tt.flat_params(model)), "epoch_loss": finite_or_none(losses)}
    except (ValueError, RuntimeError) as e:
        return {"id": r["id"], "error": str(e)}
    return out


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    torch.set_num_threads(1)
    with open(sys.argv[1]) as f:
        runs = json.load(f)
    json.dump([run_one(r) for r in runs], sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
