import { describe, expect, it } from "vitest";
import type { LrScheduleConfig } from "../../src/ir/graph.js";
import { learningRateAt } from "../../src/training/learningRate.js";

const rates = (schedule: LrScheduleConfig, steps: number[], options: { warmupEpochs?: number; stepsPerEpoch?: number; totalSteps?: number } = {}) =>
  steps.map((step) => learningRateAt({ learningRate: 0.1, schedule, warmupEpochs: options.warmupEpochs ?? 0 }, step, options.stepsPerEpoch ?? 10, options.totalSteps ?? 100));

describe("learningRateAt", () => {
  it("keeps a constant rate", () => {
    expect(rates({ kind: "constant" }, [0, 50, 99])).toEqual([0.1, 0.1, 0.1]);
  });

  it("steps down by gamma every `every` epochs (StepLR per batch, step_size in steps)", () => {
    const [first, lastOfPeriod, second, third] = rates({ kind: "step", everyEpochs: 2, gamma: 0.5 }, [0, 19, 20, 40]);
    expect([first, lastOfPeriod, second, third]).toEqual([0.1, 0.1, 0.05, 0.025]);
  });

  it("anneals along a cosine over the whole run (CosineAnnealingLR, T_max = total steps)", () => {
    const [start, quarter, middle] = rates({ kind: "cosine", minLr: 0 }, [0, 25, 50]);
    expect(start).toBeCloseTo(0.1, 15);
    expect(quarter).toBeCloseTo(0.05 * (1 + Math.SQRT1_2), 15); // 0.0853553...
    expect(middle).toBeCloseTo(0.05, 15);
    expect(rates({ kind: "cosine", minLr: 0.01 }, [50])[0]).toBeCloseTo(0.055, 15);
  });

  it("follows OneCycleLR: base/div_factor first, the base at step pct_start·total − 1, base/div/final_div last", () => {
    const schedule: LrScheduleConfig = { kind: "one_cycle", pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4 };
    const [first, peak, descentMiddle, last] = rates(schedule, [0, 29, 64, 99]);
    expect(first).toBeCloseTo(0.004, 15);
    expect(peak).toBeCloseTo(0.1, 15);
    expect(descentMiddle).toBeCloseTo((0.1 + 4e-7) / 2, 15); // halfway from step 29 to step 99
    expect(last).toBeCloseTo(4e-7, 18);
    // Rising before the peak, falling after it.
    const all = rates(schedule, Array.from({ length: 100 }, (_, i) => i));
    for (let i = 1; i <= 29; i++) expect(all[i]!).toBeGreaterThan(all[i - 1]!);
    for (let i = 30; i < 100; i++) expect(all[i]!).toBeLessThan(all[i - 1]!);
  });

  it("a one-step run of OneCycle ends at the final rate (no 0/0)", () => {
    expect(rates({ kind: "one_cycle", pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4 }, [0], { totalSteps: 1 })[0]).toBeCloseTo(4e-7, 18);
  });

  it("warms up linearly over round(warmup · steps per epoch) steps, multiplying the schedule", () => {
    const warm = rates({ kind: "constant" }, [0, 1, 4, 5, 6], { warmupEpochs: 0.5 });
    [0.02, 0.04, 0.1, 0.1, 0.1].forEach((expected, i) => expect(warm[i]).toBeCloseTo(expected, 15));
    const [cosineWarm] = rates({ kind: "cosine", minLr: 0 }, [1], { warmupEpochs: 0.5 });
    expect(cosineWarm).toBeCloseTo(((0.05 * (1 + Math.cos(Math.PI / 100))) * 2) / 5, 15);
    expect(rates({ kind: "constant" }, [0, 1], { warmupEpochs: 0.04 })).toEqual([0.1, 0.1]); // rounds to 0 steps
  });

  it("refuses steps outside the run", () => {
    expect(() => rates({ kind: "constant" }, [100])).toThrow(/step 100 of a run of 100/);
    expect(() => rates({ kind: "constant" }, [-1])).toThrow(/step -1/);
    expect(() => rates({ kind: "constant" }, [0], { stepsPerEpoch: 0 })).toThrow(/0 steps per epoch/);
  });
});
