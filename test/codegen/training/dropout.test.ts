// Dropout in training: the GPU mask equals dropoutKeeps bit for bit, forward and backward draw the same
// mask, kept values are scaled by 1 / (1 - p), about 1 - p of the elements are kept, seeds and salts
// change the mask, and a dropped NaN or infinity gives NaN.
import { describe, expect, it } from "vitest";
import { dropoutBackward, dropoutForward, dropoutKeeps } from "../../../src/codegen/training/dropout.js";
import { HYPER_LENGTH, HYPER_SLOTS } from "../../../src/codegen/training/trainingKernel.js";
import { randomTensor, seededRandom } from "../../reference/graphBuilders.js";
import { testGpu } from "../gpuHarness.js";
import { runTrainingKernels } from "./trainingHarness.js";

/** A hyper buffer holding `seed` (u32 bits) in its dropout slot. */
function hyperWithSeed(seed: number): Float32Array {
  const hyper = new Float32Array(HYPER_LENGTH);
  new Uint32Array(hyper.buffer)[HYPER_SLOTS.dropoutSeed] = seed;
  return hyper;
}

describe("dropout kernels", () => {
  it("draw dropoutKeeps' mask, forward and backward, and scale kept values", async () => {
    const gpu = await testGpu();
    const random = seededRandom(89);
    // 2^14 elements run four to an invocation (vec4s), 2^14 - 1 one.
    for (const [p, seed, salt, elements] of [
      [0.5, 12345, 1, 1 << 14],
      [0.1, 0x9e3779b9, 2, (1 << 14) - 1],
      [0.8, 7, 3, 1 << 14],
      [0, 99, 4, (1 << 14) - 1],
    ] as const) {
      // Non-zero values, so a dropped element (0) is told from a kept one.
      const values = randomTensor([elements], random, 0.5, 2).data;
      const spec = { elements, p, salt };
      const hyper = hyperWithSeed(seed);
      const forward = (await runTrainingKernels(gpu, dropoutForward(spec), { x: values, hyper }, { y: elements })).get("y")!;
      const backward = (await runTrainingKernels(gpu, dropoutBackward(spec), { dy: values, hyper }, { dx: elements })).get("dx")!;
      const scale = Math.fround(1 / (1 - p));
      let kept = 0;
      for (let i = 0; i < elements; i++) {
        const keeps = dropoutKeeps(seed, salt, i, p);
        const expected = keeps ? Math.fround(values[i]! * scale) : 0;
        if (forward[i] !== expected || backward[i] !== expected) {
          expect.fail(`p ${p} seed ${seed} salt ${salt}: element ${i} is ${forward[i]} forward, ${backward[i]} backward, expected ${expected}`);
        }
        if (keeps) kept++;
      }
      // Binomial: 4 standard deviations of the kept fraction.
      const deviation = 4 * Math.sqrt((p * (1 - p)) / elements);
      expect(Math.abs(kept / elements - (1 - p)), `p ${p}: kept ${kept} of ${elements}`).toBeLessThanOrEqual(deviation + 1e-9);
    }
  });

  it("draws different masks for different seeds and salts", () => {
    const mask = (seed: number, salt: number): string => Array.from({ length: 256 }, (_, i) => (dropoutKeeps(seed, salt, i, 0.5) ? "1" : "0")).join("");
    expect(mask(1, 1)).not.toEqual(mask(2, 1));
    expect(mask(1, 1)).not.toEqual(mask(1, 2));
    // A salt is not a shift of the index: layer masks do not repeat each other offset by one.
    expect(mask(1, 1).slice(1)).not.toEqual(mask(1, 2).slice(0, 255));
  });

  it("gives NaN for a dropped NaN or infinity, and keeps NaN where kept", async () => {
    const gpu = await testGpu();
    const seed = 5;
    for (const elements of [64, 63]) {
      const x = new Float32Array(elements);
      for (let i = 0; i < elements; i++) x[i] = i % 2 === 0 ? NaN : Infinity;
      const result = (await runTrainingKernels(gpu, dropoutForward({ elements, p: 0.5, salt: 9 }), { x, hyper: hyperWithSeed(seed) }, { y: elements })).get("y")!;
      for (let i = 0; i < elements; i++) {
        const keeps = dropoutKeeps(seed, 9, i, 0.5);
        const expected = keeps && i % 2 === 1 ? Infinity : NaN;
        expect(result[i], `element ${i} of ${elements} (${keeps ? "kept" : "dropped"})`).toBe(expected);
      }
    }
  });
});
