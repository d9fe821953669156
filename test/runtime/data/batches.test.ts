import { describe, expect, it } from "vitest";

import { augmentImage } from "../../../runtime/data/augment.js";
import { assembleBatch, batchCount, epochOrder } from "../../../runtime/data/batches.js";
import type { Dataset } from "../../../runtime/data/dataset.js";
import { BatchLoader } from "../../../runtime/data/loader.js";
import { SeededRandom } from "../../../runtime/init.js";
import { userError } from "../../support/userError.js";

/** `count` images of 2×3×3; image n's pixels are n*100 + their position, its label n % 4. */
function makeDataset(count: number): Dataset {
  const size = 2 * 3 * 3;
  return {
    images: Float32Array.from({ length: count * size }, (_, i) => Math.floor(i / size) * 100 + (i % size)),
    shape: [count, 2, 3, 3],
    labels: Int32Array.from({ length: count }, (_, n) => n % 4),
    classCount: 4,
  };
}

async function drain(loader: BatchLoader): Promise<Int32Array[]> {
  const seen: Int32Array[] = [];
  for await (const batch of loader) seen.push(batch.indices);
  return seen;
}

describe("epochOrder", () => {
  it("is a permutation, the same for the same seed and epoch, different otherwise", () => {
    const order = epochOrder(50, 7, 0);
    expect(Array.from(order).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(Array.from(epochOrder(50, 7, 0))).toEqual(Array.from(order));
    expect(Array.from(epochOrder(50, 8, 0))).not.toEqual(Array.from(order));
    expect(Array.from(epochOrder(50, 7, 1))).not.toEqual(Array.from(order));
    expect(Array.from(epochOrder(5, 7, 0, false))).toEqual([0, 1, 2, 3, 4]);
  });
});

describe("batches", () => {
  it("cover every image once per epoch, keeping or dropping the partial batch", async () => {
    const dataset = makeDataset(10);
    const kept = await drain(new BatchLoader(dataset, { batchSize: 4, seed: 1 }, 0));
    expect(kept.map((indices) => indices.length)).toEqual([4, 4, 2]);
    expect(kept.flatMap((indices) => Array.from(indices)).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const dropped = await drain(new BatchLoader(dataset, { batchSize: 4, seed: 1, dropLast: true }, 0));
    expect(dropped.map((indices) => indices.length)).toEqual([4, 4]);
    expect(batchCount(10, { batchSize: 4, dropLast: true })).toBe(2);
    expect(batchCount(8, { batchSize: 4 })).toBe(2);
  });

  it("copies each image and its label, and normalizes when asked", () => {
    const dataset = makeDataset(3);
    const order = Int32Array.from([2, 0, 1]);
    const batch = assembleBatch(dataset, order, 0, 0, { batchSize: 2, seed: 0, normalization: { mean: [0, 100], std: [1, 2] } });
    expect(batch.shape).toEqual([2, 2, 3, 3]);
    expect(Array.from(batch.labels)).toEqual([2, 0]);
    expect(batch.images[0]).toBe(200); // image 2, channel 0, first pixel: (200 - 0) / 1
    expect(batch.images[9]).toBe((209 - 100) / 2); // image 2, channel 1, first pixel
    expect(batch.images[18]).toBe(0); // image 0
  });

  it("hands out the same batches for the same seed, prepared ahead", async () => {
    const dataset = makeDataset(9);
    const options = { batchSize: 3, seed: 5, flip: true, cropPadding: 1 };
    const first = new BatchLoader(dataset, options, 2);
    const second = new BatchLoader(dataset, options, 2);
    for (let i = 0; i < 3; i++) {
      const [a, b] = await Promise.all([first.next(), second.next()]);
      expect(a?.images).toEqual(b?.images);
      expect(a?.shape).toEqual([3, 2, 3, 3]);
    }
    expect(await first.next()).toBeUndefined();
  });

  it("refuses a bad batch size or crop padding", () => {
    const dataset = makeDataset(2);
    expect(userError(() => new BatchLoader(dataset, { batchSize: 0, seed: 0 }, 0)).message).toBe(
      "the batch size must be a positive integer, got 0",
    );
    expect(userError(() => new BatchLoader(dataset, { batchSize: 1, seed: 0, cropPadding: -1 }, 0)).message).toBe(
      "the crop padding must be a non-negative integer, got -1",
    );
  });
});

describe("augmentImage", () => {
  const image = Float32Array.from({ length: 9 }, (_, i) => i + 1); // 1×3×3: 1 2 3 / 4 5 6 / 7 8 9

  function augmented(seed: number, flip: boolean, cropPadding: number): number[] {
    const target = new Float32Array(9);
    augmentImage(image, 0, target, 0, [1, 3, 3], { flip, cropPadding }, new SeededRandom(seed, "test"));
    return Array.from(target);
  }

  it("flips some images left-right, the same ones per seed", () => {
    const results = Array.from({ length: 20 }, (_, seed) => augmented(seed, true, 0));
    const mirrored = [3, 2, 1, 6, 5, 4, 9, 8, 7];
    expect(results.every((r) => r.join() === Array.from(image).join() || r.join() === mirrored.join())).toBe(true);
    expect(results.some((r) => r.join() === mirrored.join())).toBe(true);
    expect(results.some((r) => r.join() === Array.from(image).join())).toBe(true);
    expect(Array.from({ length: 20 }, (_, seed) => augmented(seed, true, 0))).toEqual(results);
  });

  it("crops a shifted window of the zero-padded image, the same per seed", () => {
    const results = Array.from({ length: 30 }, (_, seed) => augmented(seed, false, 1));
    for (const result of results) {
      expect(result).toHaveLength(9);
      // Some shift in [-1, 1]² reproduces it.
      const matches = [-1, 0, 1].some((dy) =>
        [-1, 0, 1].some((dx) =>
          result.every((value, i) => {
            const y = Math.floor(i / 3) + dy;
            const x = (i % 3) + dx;
            return value === (y >= 0 && y < 3 && x >= 0 && x < 3 ? y * 3 + x + 1 : 0);
          }),
        ),
      );
      expect(matches).toBe(true);
    }
    expect(new Set(results.map((r) => r.join())).size).toBeGreaterThan(3);
    expect(Array.from({ length: 30 }, (_, seed) => augmented(seed, false, 1))).toEqual(results);
  });
});
