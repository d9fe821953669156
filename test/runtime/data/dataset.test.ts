import { describe, expect, it } from "vitest";

import { datasetFromIdx, datasetFromNpy } from "../../../runtime/data/dataset.js";
import { userError } from "../../support/userError.js";
import { idxBytes, npyBytes, tempDir, writeFile } from "./files.js";

describe("datasetFromIdx", () => {
  it("scales uint8 pixels to [0, 1] as N×1×H×W and keeps the labels, raw or gzip", () => {
    const dir = tempDir();
    const images = writeFile(dir, "i.gz", idxBytes([3, 2, 2], [0, 255, 51, 102, 1, 2, 3, 4, 5, 6, 7, 8]), true);
    const labels = writeFile(dir, "l", idxBytes([3], [9, 0, 4]));
    const dataset = datasetFromIdx(images, labels, { classCount: 10 });
    expect(dataset.shape).toEqual([3, 1, 2, 2]);
    expect(Array.from(dataset.images.subarray(0, 4))).toEqual([0, 1, 0.2, 0.4].map(Math.fround));
    expect(Array.from(dataset.labels)).toEqual([9, 0, 4]);
    const limited = datasetFromIdx(images, labels, { classCount: 10, limit: 2 });
    expect(limited.shape).toEqual([2, 1, 2, 2]);
    expect(limited.images.length).toBe(8);
    expect(Array.from(limited.labels)).toEqual([9, 0]);
  });

  it("refuses mismatched counts and labels outside the classes", () => {
    const dir = tempDir();
    const images = writeFile(dir, "i", idxBytes([3, 1, 1], [0, 1, 2]));
    const twoLabels = writeFile(dir, "l2", idxBytes([2], [0, 1]));
    expect(userError(() => datasetFromIdx(images, twoLabels, { classCount: 10 })).message).toBe(
      `\`${images}\` holds 3 images but \`${twoLabels}\` holds 2 labels; they must match one to one`,
    );
    const badLabel = writeFile(dir, "l3", idxBytes([3], [0, 10, 1]));
    expect(userError(() => datasetFromIdx(images, badLabel, { classCount: 10 })).message).toBe(
      `\`${badLabel}\` label 1 is 10, outside the 10 classes (labels must be 0 to 9)`,
    );
    expect(userError(() => datasetFromIdx(images, badLabel, { classCount: 10, limit: 0 })).message).toBe(
      "the image limit must be a positive integer, got 0",
    );
  });
});

describe("datasetFromNpy", () => {
  it("reads uint8 and float32 images with int64, int32 or uint8 labels", () => {
    const dir = tempDir();
    const labels64 = writeFile(dir, "l64.npy", npyBytes("<i8", [2], BigInt64Array.from([3n, 1n])));
    const labels32 = writeFile(dir, "l32.npy", npyBytes("<i4", [2], Int32Array.from([3, 1])));
    const labels8 = writeFile(dir, "l8.npy", npyBytes("|u1", [2], Uint8Array.from([3, 1])));
    const bytes = writeFile(dir, "u8.npy", npyBytes("|u1", [2, 1, 1, 2], Uint8Array.from([0, 255, 51, 102])));
    const floats = writeFile(dir, "f4.npy", npyBytes("<f4", [2, 1, 1, 2], Float32Array.from([0.5, -1, 2, 3])));
    for (const labels of [labels64, labels32, labels8]) {
      const fromBytes = datasetFromNpy(bytes, labels, { classCount: 4 });
      expect(fromBytes.shape).toEqual([2, 1, 1, 2]);
      expect(Array.from(fromBytes.images)).toEqual([0, 1, 0.2, 0.4].map(Math.fround));
      expect(Array.from(fromBytes.labels)).toEqual([3, 1]);
    }
    const fromFloats = datasetFromNpy(floats, labels64, { classCount: 4, limit: 1 });
    expect(fromFloats.shape).toEqual([1, 1, 1, 2]);
    expect(Array.from(fromFloats.images)).toEqual([0.5, -1]);
  });

  it("refuses wrong ranks, dtypes, counts and non-finite images", () => {
    const dir = tempDir();
    const labels = writeFile(dir, "l.npy", npyBytes("<i8", [2], BigInt64Array.from([0n, 1n])));
    const flat = writeFile(dir, "flat.npy", npyBytes("|u1", [2, 2], Uint8Array.from([0, 1, 2, 3])));
    expect(userError(() => datasetFromNpy(flat, labels, { classCount: 2 })).message).toBe(
      `\`${flat}\` has shape [2, 2]; dataset images must be [N, C, H, W]`,
    );
    const images = writeFile(dir, "i.npy", npyBytes("<f4", [3, 1, 1, 1], Float32Array.from([0, 1, 2])));
    expect(userError(() => datasetFromNpy(images, labels, { classCount: 2 })).message).toBe(
      `\`${images}\` holds 3 images but \`${labels}\` holds 2 labels; they must match one to one`,
    );
    const floatLabels = writeFile(dir, "fl.npy", npyBytes("<f4", [3], Float32Array.from([0, 1, 0])));
    expect(userError(() => datasetFromNpy(images, floatLabels, { classCount: 2 })).message).toBe(
      `\`${floatLabels}\` holds float32 ('<f4'); cnnc reads int64 ('<i8') or int32 ('<i4') or uint8 ('|u1'): save with x.astype(np.int64)`,
    );
    const nan = writeFile(dir, "nan.npy", npyBytes("<f4", [2, 1, 1, 1], Float32Array.from([0, Number.NaN])));
    expect(userError(() => datasetFromNpy(nan, labels, { classCount: 2 })).message).toBe(
      `\`${nan}\` holds NaN at element 1; dataset images must be finite`,
    );
    const negative = writeFile(dir, "neg.npy", npyBytes("<i8", [2], BigInt64Array.from([0n, -1n])));
    const two = writeFile(dir, "two.npy", npyBytes("<f4", [2, 1, 1, 1], Float32Array.from([0, 1])));
    expect(userError(() => datasetFromNpy(two, negative, { classCount: 2 })).message).toBe(
      `\`${negative}\` label 1 is -1, outside the 2 classes (labels must be 0 to 1)`,
    );
  });
});
