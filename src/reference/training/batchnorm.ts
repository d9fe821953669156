// Batch normalization in training mode, in float64, from PyTorch's definition (BatchNorm1d/2d with
// track_running_stats): each channel (feature, for a [C] value) is normalized by the statistics of the
// batch itself, taken over every sample and position (N * H * W, N * L or N values), with the biased
// variance; the running statistics move towards the batch's by `momentum`, running_var towards the
// *unbiased* variance. The oracle of the GPU training kernels (src/codegen/training/batchnormTraining.ts).
import { CnncUserError } from "../../errors.js";
import { channelsAndInner, makeValue, type RefValue } from "../value.js";

export interface BatchNormTrainForward {
  y: RefValue;
  /** The batch mean per channel. */
  mean: Float64Array;
  /** 1 / sqrt(biased batch variance + eps) per channel: what the backward pass needs with `mean`. */
  invstd: Float64Array;
  /** The updated running statistics (new arrays; the arguments are left as they were). */
  runningMean: Float64Array;
  runningVar: Float64Array;
}

export interface BatchNormTrainBackward {
  dx: RefValue;
  dweight: Float64Array;
  dbias: Float64Array;
}

/** Values per channel of `x`, refusing one: PyTorch cannot normalize a channel by a single value either. */
export function valuesPerChannel(batch: number, inner: number): number {
  const count = batch * inner;
  if (count < 2) {
    throw new CnncUserError(`batchnorm in training needs more than 1 value per channel, but this batch gives it ${count}`, {
      hint: "train with a batch of at least 2 samples",
    });
  }
  return count;
}

/** Calls `visit(channel, index)` for every element of `value` ([N, C, inner] row-major). */
function forEachElement(value: RefValue, visit: (channel: number, index: number) => void): void {
  const { channels, inner } = channelsAndInner(value.shape);
  for (let n = 0; n < value.batch; n++) {
    for (let c = 0; c < channels; c++) {
      const base = (n * channels + c) * inner;
      for (let p = 0; p < inner; p++) visit(c, base + p);
    }
  }
}

export function batchnormTrainForward(
  x: RefValue,
  weight: Float64Array,
  bias: Float64Array,
  runningMean: Float64Array,
  runningVar: Float64Array,
  eps: number,
  momentum: number,
): BatchNormTrainForward {
  const { channels, inner } = channelsAndInner(x.shape);
  const count = valuesPerChannel(x.batch, inner);
  const mean = new Float64Array(channels);
  forEachElement(x, (c, i) => (mean[c] = mean[c]! + x.data[i]!));
  for (let c = 0; c < channels; c++) mean[c] = mean[c]! / count;
  // Two passes: the centered sum of squares, not sum(x^2) - sum(x)^2 / n.
  const squares = new Float64Array(channels);
  forEachElement(x, (c, i) => (squares[c] = squares[c]! + (x.data[i]! - mean[c]!) ** 2));
  const invstd = Float64Array.from(squares, (sum) => 1 / Math.sqrt(sum / count + eps));
  const y = makeValue(x.batch, x.shape);
  forEachElement(x, (c, i) => (y.data[i] = (x.data[i]! - mean[c]!) * invstd[c]! * weight[c]! + bias[c]!));
  return {
    y,
    mean,
    invstd,
    runningMean: Float64Array.from(runningMean, (running, c) => (1 - momentum) * running + momentum * mean[c]!),
    runningVar: Float64Array.from(runningVar, (running, c) => (1 - momentum) * running + momentum * (squares[c]! / (count - 1))),
  };
}

/**
 * The gradient through the batch statistics too (mean and variance depend on every x of the channel):
 * with x^ = (x - mean) * invstd and M values per channel,
 * dx = weight * invstd / M * (M * dy - sum(dy) - x^ * sum(dy * x^)), dweight = sum(dy * x^), dbias = sum(dy).
 */
export function batchnormTrainBackward(
  x: RefValue,
  weight: Float64Array,
  mean: Float64Array,
  invstd: Float64Array,
  dy: RefValue,
): BatchNormTrainBackward {
  const { channels, inner } = channelsAndInner(x.shape);
  const count = valuesPerChannel(x.batch, inner);
  const normalized = (c: number, i: number): number => (x.data[i]! - mean[c]!) * invstd[c]!;
  const dweight = new Float64Array(channels);
  const dbias = new Float64Array(channels);
  forEachElement(x, (c, i) => {
    dbias[c] = dbias[c]! + dy.data[i]!;
    dweight[c] = dweight[c]! + dy.data[i]! * normalized(c, i);
  });
  const dx = makeValue(x.batch, x.shape);
  forEachElement(x, (c, i) => {
    dx.data[i] = ((weight[c]! * invstd[c]!) / count) * (count * dy.data[i]! - dbias[c]! - normalized(c, i) * dweight[c]!);
  });
  return { dx, dweight, dbias };
}
