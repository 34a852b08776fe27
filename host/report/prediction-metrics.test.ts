// The prediction metrics against scikit-learn's on the same predictions
// (Debian's python3-sklearn for /usr/bin/python3, installed by scripts/deps.sh;
// without it the sklearn cases skip with a message, except under CI=true),
// and the cases sklearn's conventions decide (a class never predicted, a
// constant target).
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mulberry32 } from "../data/rng.js";
import { classificationMetrics, predictionMetrics, probabilities, regressionMetrics } from "./prediction-metrics.js";

const PYTHON = "/usr/bin/python3";
const inCi = Boolean(process.env.CI) && process.env.CI !== "false" && process.env.CI !== "0";

function sklearnMissing(): string | null {
  const r = spawnSync(PYTHON, ["-c", "import sklearn.metrics"], { encoding: "utf8" });
  if (r.error) return `${PYTHON} not found (${r.error.message})`;
  return r.status === 0 ? null : `${PYTHON} cannot import sklearn: ${r.stderr.trim().split("\n").pop()}`;
}
const missing = sklearnMissing();
const skip = missing !== null && !inCi;
if (skip) console.warn(`sklearn comparison skipped: ${missing}. Install Debian's python3-sklearn (scripts/deps.sh) to run it.`);

/** The project's seeded generator: the cases are the same on every run. */
const rng = mulberry32;

const SKLEARN = String.raw`
import json, sys, warnings
import numpy as np
from sklearn import metrics as M
warnings.simplefilter("ignore")
out = []
for case in json.load(sys.stdin):
    if case["kind"] == "classification":
        y, p, labels = case["truth"], case["predicted"], list(range(case["classes"]))
        pr, rc, f1, sup = M.precision_recall_fscore_support(y, p, labels=labels, average=None, zero_division=0)
        avg = {a: M.precision_recall_fscore_support(y, p, labels=labels, average=a, zero_division=0)[:3] for a in ("macro", "weighted")}
        out.append({"accuracy": M.accuracy_score(y, p), "confusion": M.confusion_matrix(y, p, labels=labels).tolist(),
                    "precision": pr.tolist(), "recall": rc.tolist(), "f1": f1.tolist(), "support": sup.tolist(),
                    "macro": list(avg["macro"]), "weighted": list(avg["weighted"])})
    else:
        n = case["outputs"]
        y = np.array(case["targets"], dtype=np.float64).reshape(-1, n)
        p = np.array(case["predicted"], dtype=np.float64).reshape(-1, n)
        out.append({"mae": M.mean_absolute_error(y, p, multioutput="raw_values").tolist(),
                    "rmse": np.sqrt(M.mean_squared_error(y, p, multioutput="raw_values")).tolist(),
                    "r2": M.r2_score(y, p, multioutput="raw_values").tolist()})
print(json.dumps(out))
`;

interface ClassCase { kind: "classification"; truth: number[]; predicted: number[]; classes: number }
interface RegressionCase { kind: "regression"; targets: number[]; predicted: number[]; outputs: number }

function sklearn(cases: (ClassCase | RegressionCase)[]): any[] {
  const r = spawnSync(PYTHON, ["-c", SKLEARN], { input: JSON.stringify(cases), encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`sklearn failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function classCases(): ClassCase[] {
  const next = rng(23);
  const cases: ClassCase[] = [];
  for (const [rows, classes, skill] of [[200, 3, 0.8], [57, 5, 0.4], [300, 2, 0.9], [40, 6, 0.2], [1, 3, 1]] as const) {
    const truth: number[] = [], predicted: number[] = [];
    for (let i = 0; i < rows; i++) {
      // Class 0 is never true in the 6-class case, and the last class never predicted in every case but the last.
      const t = classes === 6 ? 1 + Math.floor(next() * (classes - 1)) : Math.floor(next() * classes);
      let p = next() < skill ? t : Math.floor(next() * classes);
      if (p === classes - 1 && rows > 1) p = 0;
      truth.push(t); predicted.push(p);
    }
    cases.push({ kind: "classification", truth, predicted, classes });
  }
  return cases;
}

function regressionCases(): RegressionCase[] {
  const next = rng(7);
  const cases: RegressionCase[] = [];
  for (const [rows, outputs] of [[100, 1], [33, 3]] as const) {
    const targets: number[] = [], predicted: number[] = [];
    for (let i = 0; i < rows * outputs; i++) {
      const y = (next() - 0.5) * 40 + (i % outputs) * 100;
      targets.push(y); predicted.push(y + (next() - 0.5) * 8 * ((i % outputs) + 1));
    }
    cases.push({ kind: "regression", targets, predicted, outputs });
  }
  // A constant target: sklearn's R2 is 1 if predicted exactly, else 0.
  cases.push({ kind: "regression", targets: [2, 2, 2, 5, 5, 5], predicted: [2, 2.5, 2, 5, 5, 5], outputs: 2 });
  return cases;
}

const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b)));

describe.skipIf(skip)("prediction metrics equal scikit-learn's", () => {
  it("classification: accuracy, confusion matrix, precision/recall/F1/support per class, macro and weighted means", () => {
    const cases = classCases();
    const want = sklearn(cases);
    cases.forEach((c, i) => {
      const got = classificationMetrics(c.truth, c.predicted, Array.from({ length: c.classes }, (_, k) => `c${k}`));
      const w = want[i];
      close(got.accuracy, w.accuracy);
      expect(got.confusion).toEqual(w.confusion);
      got.per_class.forEach((s, k) => {
        expect(s.class).toBe(`c${k}`);
        close(s.precision, w.precision[k]); close(s.recall, w.recall[k]); close(s.f1, w.f1[k]);
        expect(s.support).toBe(w.support[k]);
      });
      for (const avg of ["macro", "weighted"] as const) {
        close(got[avg].precision, w[avg][0]); close(got[avg].recall, w[avg][1]); close(got[avg].f1, w[avg][2]);
      }
    });
  });

  it("regression: MAE, RMSE and R2 per output (a constant target included)", () => {
    const cases = regressionCases();
    const want = sklearn(cases);
    cases.forEach((c, i) => {
      const rows = c.targets.length / c.outputs;
      const got = regressionMetrics(c.predicted, c.targets, rows, c.outputs, []);
      expect(got).toHaveLength(c.outputs);
      got.forEach((e, k) => {
        close(e.mae, want[i].mae[k]); close(e.rmse, want[i].rmse[k]); close(e.r2, want[i].r2[k]);
      });
    });
  });

  it("bce: each output's 0/1 labels (logit > 0) as sklearn's per-label binary metrics", () => {
    const next = rng(5);
    const rows = 80, nOut = 2;
    const logits: number[] = [], targets: number[] = [];
    for (let i = 0; i < rows * nOut; i++) { targets.push(next() < 0.4 ? 1 : 0); logits.push((next() - 0.45) * 6); }
    const got = predictionMetrics("bce", logits, targets, rows, nOut, ["spam", "urgent"]);
    if (got.kind !== "labels") throw new Error(`expected labels, got ${got.kind}`);
    const cases: ClassCase[] = [0, 1].map((k) => ({
      kind: "classification", classes: 2,
      truth: Array.from({ length: rows }, (_, r) => targets[r * nOut + k] ?? 0),
      predicted: Array.from({ length: rows }, (_, r) => ((logits[r * nOut + k] ?? 0) > 0 ? 1 : 0)),
    }));
    const want = sklearn(cases);
    got.labels.forEach((l, k) => {
      expect(l.output).toBe(["spam", "urgent"][k]);
      expect(l.confusion).toEqual(want[k].confusion);
      close(l.per_class[1]?.precision ?? NaN, want[k].precision[1]);
      close(l.per_class[1]?.recall ?? NaN, want[k].recall[1]);
      close(l.per_class[1]?.f1 ?? NaN, want[k].f1[1]);
    });
  });
});

describe("prediction metrics (conventions)", () => {
  it("a class never predicted has precision 0, recall 0, F1 0, and still its support", () => {
    const m = classificationMetrics([0, 1, 2, 2], [0, 1, 1, 1], ["sun", "rain", "snow"]);
    expect(m.confusion).toEqual([[1, 0, 0], [0, 1, 0], [0, 2, 0]]);
    expect(m.per_class[2]).toEqual({ class: "snow", precision: 0, recall: 0, f1: 0, support: 2 });
    expect(m.per_class[1]?.precision).toBeCloseTo(1 / 3, 15);
    expect(m.accuracy).toBe(0.5);
  });

  it("ce: argmax of each row against the class index, with the class names", () => {
    const m = predictionMetrics("ce", [2, 1, 0, 0, 0.5, 3], [0, 1], 2, 3, ["a", "b", "c"]);
    if (m.kind !== "classification") throw new Error(m.kind);
    expect(m.classification.confusion).toEqual([[1, 0, 0], [0, 0, 1], [0, 0, 0]]);
    expect(m.classification.classes).toEqual(["a", "b", "c"]);
  });

  it("probabilities: softmax rows sum to 1 and keep the order; sigmoid of large logits stays finite", () => {
    const p = probabilities("ce", [1000, 999, -1000, 0, 0, 0], 2, 3);
    expect(p[0]! + p[1]! + p[2]!).toBeCloseTo(1, 15);
    expect(p[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 15);
    expect(p[3]).toBeCloseTo(1 / 3, 15);
    const s = probabilities("bce", [-800, 0, 800, 2], 1, 4);
    expect(Array.from(s)).toEqual([0, 0.5, 1, 1 / (1 + Math.exp(-2))]);
  });
});
