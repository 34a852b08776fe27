import { describe, expect, it } from "vitest";
import { DATA_OPTIONS } from "./datasets/index";
import { MODEL_OPTIONS, OPTIMIZER_OPTIONS, OUTPUT_OPTIONS, TRAINING_OPTIONS } from "./run-options";

describe("what --resume may change, declared beside each flag", () => {
  it("every data, model and optimizer flag says whether a resume may change it (a new one must decide)", () => {
    const undecided = [...DATA_OPTIONS, ...MODEL_OPTIONS, ...OPTIMIZER_OPTIONS].filter((o) => o.persist && !o.onResume).map((o) => o.name);
    expect(undecided).toEqual([]);
  });

  it("of the training flags only --epochs, --batch, --chunk and --shuffle change freely; --load is fixed", () => {
    expect(TRAINING_OPTIONS.filter((o) => o.persist && !o.onResume).map((o) => o.name).sort()).toEqual(["batch", "chunk", "epochs", "shuffle"]);
    expect(OUTPUT_OPTIONS.find((o) => o.name === "load")?.onResume).toBe("fixed");
    expect(OPTIMIZER_OPTIONS.find((o) => o.name === "opt")?.onResume).toBe("fixed");
    expect(OPTIMIZER_OPTIONS.find((o) => o.name === "lr")?.onResume).toBe("retune");
  });
});
