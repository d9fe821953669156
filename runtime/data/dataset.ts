// A labelled image dataset in memory: images as float32 N×C×H×W in [0, 1] (uint8 sources are scaled
// by 1/255), labels as class indices. Built from an IDX pair (MNIST format) or from .npy files.
import { CnncUserError } from "../../src/errors.js";
import { checkHostArray } from "../../src/hostLimits.js";
import { readNpyArray } from "../npy.js";
import { readIdx } from "./idx.js";

export interface Dataset {
  /** N×C×H×W, C-order. */
  images: Float32Array;
  shape: [N: number, C: number, H: number, W: number];
  /** One class index per image, in [0, classCount). */
  labels: Int32Array;
  classCount: number;
}

export interface DatasetOptions {
  /** Labels must lie in [0, classCount). */
  classCount: number;
  /** Keep only the first `limit` images (and labels). */
  limit?: number;
}

function checkOptions(options: DatasetOptions): void {
  if (!Number.isSafeInteger(options.classCount) || options.classCount < 1) {
    throw new CnncUserError(`the class count must be a positive integer, got ${options.classCount}`);
  }
  const limit = options.limit;
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1)) {
    throw new CnncUserError(`the image limit must be a positive integer, got ${limit}`, { hint: "use e.g. --limit 1000" });
  }
}

function keptCount(total: number, limit: number | undefined): number {
  return limit === undefined ? total : Math.min(total, limit);
}

function checkCounts(imageCount: number, labelCount: number, imagesFile: string, labelsFile: string): void {
  if (imageCount !== labelCount) {
    throw new CnncUserError(
      `\`${imagesFile}\` holds ${imageCount} images but \`${labelsFile}\` holds ${labelCount} labels; they must match one to one`,
      { hint: "give the labels file that belongs to the images file (e.g. train-images with train-labels)" },
    );
  }
}

/** Checks every label lies in [0, classCount) and returns them as int32. */
function checkedLabels(values: ArrayLike<number | bigint>, count: number, classCount: number, labelsFile: string): Int32Array {
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const value = Number(values[i]);
    if (!(value >= 0 && value < classCount)) {
      throw new CnncUserError(
        `\`${labelsFile}\` label ${i} is ${value}, outside the ${classCount} classes (labels must be 0 to ${classCount - 1})`,
        { hint: "give the class count the labels use (the network's output size)" },
      );
    }
    labels[i] = value;
  }
  return labels;
}

function scaledImages(pixels: Uint8Array, count: number): Float32Array {
  checkHostArray("the dataset's images", count, "float32", "use a smaller limit");
  const images = new Float32Array(count);
  for (let i = 0; i < count; i++) images[i] = (pixels[i] ?? 0) / 255;
  return images;
}

/** A dataset from MNIST-format IDX files (raw or .gz): uint8 images [N, rows, cols] and labels [N]. */
export function datasetFromIdx(imagesFile: string, labelsFile: string, options: DatasetOptions): Dataset {
  checkOptions(options);
  const images = readIdx(imagesFile, "images");
  const labels = readIdx(labelsFile, "labels");
  const [imageCount, H, W] = images.dims as [number, number, number];
  checkCounts(imageCount, labels.dims[0] ?? 0, imagesFile, labelsFile);
  const N = keptCount(imageCount, options.limit);
  return {
    images: scaledImages(images.data, N * H * W),
    shape: [N, 1, H, W],
    labels: checkedLabels(labels.data, N, options.classCount, labelsFile),
    classCount: options.classCount,
  };
}

/**
 * A dataset from .npy files: images N×C×H×W float32 (used as they are) or uint8 (scaled to [0, 1]),
 * labels [N] int32, int64 or uint8.
 */
export function datasetFromNpy(imagesFile: string, labelsFile: string, options: DatasetOptions): Dataset {
  checkOptions(options);
  const images = readNpyArray(imagesFile, undefined, ["float32", "uint8"]);
  if (images.shape.length !== 4) {
    throw new CnncUserError(`\`${imagesFile}\` has shape [${images.shape.join(", ")}]; dataset images must be [N, C, H, W]`, {
      hint: "add the channel axis for grayscale images: x[:, np.newaxis]",
    });
  }
  const labels = readNpyArray(labelsFile, undefined, ["int64", "int32", "uint8"]);
  if (labels.shape.length !== 1) {
    throw new CnncUserError(`\`${labelsFile}\` has shape [${labels.shape.join(", ")}]; dataset labels must be [N] class indices`, {
      hint: "save the class indices, not one-hot vectors: y.argmax(axis=1)",
    });
  }
  const [imageCount, C, H, W] = images.shape as [number, number, number, number];
  checkCounts(imageCount, labels.shape[0] ?? 0, imagesFile, labelsFile);
  const N = keptCount(imageCount, options.limit);
  const size = N * C * H * W;
  let data: Float32Array;
  if (images.dtype === "uint8") {
    data = scaledImages(images.data, size);
  } else if (images.dtype === "float32") {
    data = images.data.slice(0, size);
    const bad = data.findIndex((value) => !Number.isFinite(value));
    if (bad >= 0) {
      throw new CnncUserError(`\`${imagesFile}\` holds ${data[bad]} at element ${bad}; dataset images must be finite`);
    }
  } else {
    throw new Error(`readNpyArray returned ${images.dtype} images where float32 or uint8 was asked`);
  }
  return {
    images: data,
    shape: [N, C, H, W],
    labels: checkedLabels(labels.data, N, options.classCount, labelsFile),
    classCount: options.classCount,
  };
}
