// An epoch's mini-batches: a seeded shuffle of the image indices (a fresh permutation per epoch),
// cut into batches; the last partial batch kept or dropped. Each batch's images are copied out,
// augmented (seeded per epoch and batch, so any batch can be rebuilt alone) and normalized.
import { CnncUserError } from "../../src/errors.js";
import { SeededRandom } from "../init.js";
import { augmentImage, type Augmentation } from "./augment.js";
import type { Dataset } from "./dataset.js";
import { normalizeImages, type Normalization } from "./normalize.js";

export interface BatchOptions extends Augmentation {
  batchSize: number;
  seed: number;
  /** Shuffle the order each epoch (default true); false keeps the dataset order. */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than batchSize (default false: keep it). */
  dropLast?: boolean;
  normalization?: Normalization;
}

export interface Batch {
  /** B×C×H×W. */
  images: Float32Array;
  shape: [B: number, C: number, H: number, W: number];
  labels: Int32Array;
  /** The dataset index of each image in the batch. */
  indices: Int32Array;
}

export function checkBatchOptions(options: BatchOptions): void {
  if (!Number.isSafeInteger(options.batchSize) || options.batchSize < 1) {
    throw new CnncUserError(`the batch size must be a positive integer, got ${options.batchSize}`, { hint: "use e.g. --batch 64" });
  }
  const padding = options.cropPadding ?? 0;
  if (!Number.isSafeInteger(padding) || padding < 0) {
    throw new CnncUserError(`the crop padding must be a non-negative integer, got ${padding}`, { hint: "use e.g. 4 (0: no crop)" });
  }
}

/** The order of the dataset's images in `epoch`: a seeded Fisher-Yates permutation of 0..count-1. */
export function epochOrder(count: number, seed: number, epoch: number, shuffle = true): Int32Array {
  const order = Int32Array.from({ length: count }, (_, i) => i);
  if (!shuffle) return order;
  const random = new SeededRandom(seed, `data.shuffle.${epoch}`);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random.uniform() * (i + 1));
    const swap = order[i] ?? 0;
    order[i] = order[j] ?? 0;
    order[j] = swap;
  }
  return order;
}

/** How many batches an epoch of `count` images has. */
export function batchCount(count: number, options: Pick<BatchOptions, "batchSize" | "dropLast">): number {
  return options.dropLast === true ? Math.floor(count / options.batchSize) : Math.ceil(count / options.batchSize);
}

/** Batch `batchIndex` of `epoch`, taking its images from `order` (see epochOrder). */
export function assembleBatch(dataset: Dataset, order: Int32Array, epoch: number, batchIndex: number, options: BatchOptions): Batch {
  const [, C, H, W] = dataset.shape;
  const imageSize = C * H * W;
  const start = batchIndex * options.batchSize;
  const indices = order.slice(start, Math.min(start + options.batchSize, order.length));
  const B = indices.length;
  const images = new Float32Array(B * imageSize);
  const labels = new Int32Array(B);
  const augmented = options.flip === true || (options.cropPadding ?? 0) > 0;
  const random = new SeededRandom(options.seed, `data.augment.${epoch}.${batchIndex}`);
  for (let b = 0; b < B; b++) {
    const index = indices[b] ?? 0;
    labels[b] = dataset.labels[index] ?? 0;
    if (augmented) {
      augmentImage(dataset.images, index * imageSize, images, b * imageSize, [C, H, W], options, random);
    } else {
      images.set(dataset.images.subarray(index * imageSize, (index + 1) * imageSize), b * imageSize);
    }
  }
  const shape: Batch["shape"] = [B, C, H, W];
  if (options.normalization !== undefined) normalizeImages(images, shape, options.normalization);
  return { images, shape, labels, indices };
}
