// An epoch's metrics line: the means over all its steps of the read intervals' training loss and
// accuracy, and its images over the time its steps took, whether the intervals came from this process
// or, after --resume, from metrics.jsonl.
import { describe, expect, it } from "vitest";
import { epochMeans } from "../../../runtime/training/trainingRun.js";
import type { MetricsRecord } from "../../../src/training/report/metricsLog.js";

function record(step: number, loss: number, accuracy: number | null, imagesPerSecond: number): MetricsRecord {
  return { epoch: 2, step, train_loss: loss, train_acc: accuracy, test_loss: null, test_acc: null, images_per_s: imagesPerSecond, lr: 0.1 };
}

describe("epochMeans", () => {
  it("weights each interval by its steps", () => {
    // Epoch 2 of 10 steps per epoch: intervals of 4, 4 and 2 steps at batch 8.
    const means = epochMeans([record(14, 1, 0.5, 100), record(18, 2, 0.75, 200), record(20, 4, 1, 50)], 10, 8);
    expect(means.train_loss).toBeCloseTo((4 * 1 + 4 * 2 + 2 * 4) / 10, 12);
    expect(means.train_acc).toBeCloseTo((4 * 0.5 + 4 * 0.75 + 2 * 1) / 10, 12);
    // 32 images in 0.32 s, 32 in 0.16 s, 16 in 0.32 s: 80 images in 0.8 s.
    expect(means.images_per_s).toBeCloseTo(100, 9);
  });

  it("has no accuracy when an interval has none (mse)", () => {
    expect(epochMeans([record(5, 1, null, 10), record(10, 3, null, 10)], 0, 1).train_acc).toBeNull();
  });
});
