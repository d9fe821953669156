import { describe, expect, it } from "vitest";

import type { Dataset } from "../../../runtime/data/dataset.js";
import { channelStatistics, checkNormalization, normalizeImages } from "../../../runtime/data/normalize.js";
import { userError } from "../../support/userError.js";

/** Two 2-channel 1×2 images: channel 0 holds 1, 2 | 3, 6; channel 1 holds 0, 0 | 0, 4. */
const dataset: Dataset = {
  images: Float32Array.from([1, 2, 0, 0, 3, 6, 0, 4]),
  shape: [2, 2, 1, 2],
  labels: Int32Array.from([0, 1]),
  classCount: 2,
};

describe("channelStatistics", () => {
  it("matches the hand-computed per-channel mean and population std", () => {
    const stats = channelStatistics(dataset);
    // Channel 0: mean 12/4 = 3, squared deviations 4 + 1 + 0 + 9 = 14 → std sqrt(3.5).
    // Channel 1: mean 4/4 = 1, squared deviations 1 + 1 + 1 + 9 = 12 → std sqrt(3).
    expect(stats.mean).toEqual([3, 1]);
    expect(stats.std[0]).toBeCloseTo(Math.sqrt(3.5), 14);
    expect(stats.std[1]).toBeCloseTo(Math.sqrt(3), 14);
  });

  it("applies (x - mean) / std per channel", () => {
    const images = Float32Array.from(dataset.images);
    normalizeImages(images, dataset.shape, { mean: [3, 1], std: [2, 4] });
    expect(Array.from(images)).toEqual([-1, -0.5, -0.25, -0.25, 0, 1.5, -0.25, 0.75]);
  });

  it("refuses a constant channel and statistics of the wrong length", () => {
    const constant: Dataset = { ...dataset, images: Float32Array.from([1, 2, 5, 5, 3, 6, 5, 5]) };
    const error = userError(() => channelStatistics(constant));
    expect(error.message).toBe("normalization standard deviation of channel 1 is 0; it must be positive and finite");
    expect(error.hint).toContain("constant");
    expect(userError(() => checkNormalization({ mean: [0.5], std: [0.25] }, 3)).message).toBe(
      "normalization gives 1 means and 1 standard deviations; the images have 3 channels",
    );
  });
});
