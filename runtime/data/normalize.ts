// Per-channel normalization, x' = (x - mean[c]) / std[c]: statistics computed from the training set
// (float64 sums, two passes so the variance does not cancel) or given, then applied to each batch.
import { CnncUserError } from "../../src/errors.js";
import type { Dataset } from "./dataset.js";

export interface Normalization {
  mean: number[];
  std: number[];
}

/** The mean and (population) standard deviation of each channel over all of `dataset`'s images. */
export function channelStatistics(dataset: Dataset): Normalization {
  const [N, C, H, W] = dataset.shape;
  const plane = H * W;
  const count = N * plane;
  if (count === 0) throw new CnncUserError("cannot compute normalization statistics of an empty dataset");
  const sums = new Float64Array(C);
  const squares = new Float64Array(C);
  for (const pass of ["mean", "variance"] as const) {
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        const start = (n * C + c) * plane;
        const mean = pass === "variance" ? (sums[c] ?? 0) / count : 0;
        let total = 0;
        for (let i = start; i < start + plane; i++) {
          const value = dataset.images[i] ?? 0;
          total += pass === "mean" ? value : (value - mean) * (value - mean);
        }
        if (pass === "mean") sums[c] = (sums[c] ?? 0) + total;
        else squares[c] = (squares[c] ?? 0) + total;
      }
    }
  }
  const mean = Array.from(sums, (sum) => sum / count);
  const std = Array.from(squares, (square) => Math.sqrt(square / count));
  return checkNormalization({ mean, std }, C);
}

/** Checks given statistics fit `channels` and divide safely. */
export function checkNormalization(normalization: Normalization, channels: number): Normalization {
  const { mean, std } = normalization;
  if (mean.length !== channels || std.length !== channels) {
    throw new CnncUserError(
      `normalization gives ${mean.length} means and ${std.length} standard deviations; the images have ${channels} channels`,
      { hint: `give one mean and one standard deviation per channel (${channels} each)` },
    );
  }
  mean.forEach((value, c) => {
    if (!Number.isFinite(value)) throw new CnncUserError(`normalization mean of channel ${c} is ${value}; it must be finite`);
  });
  std.forEach((value, c) => {
    if (!(Number.isFinite(value) && value > 0)) {
      throw new CnncUserError(`normalization standard deviation of channel ${c} is ${value}; it must be positive and finite`, {
        hint: value === 0 ? "the channel is constant over the dataset: normalization cannot scale it; give the statistics explicitly" : undefined,
      });
    }
  });
  return normalization;
}

/** Normalizes N×C×H×W `images` in place. */
export function normalizeImages(images: Float32Array, shape: readonly number[], normalization: Normalization): void {
  const [N = 0, C = 0, H = 0, W = 0] = shape;
  const plane = H * W;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const mean = normalization.mean[c] ?? 0;
      const scale = 1 / (normalization.std[c] ?? 1);
      const start = (n * C + c) * plane;
      for (let i = start; i < start + plane; i++) images[i] = ((images[i] ?? 0) - mean) * scale;
    }
  }
}
