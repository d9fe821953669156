// LRN's backward kernel against the reference lrnGradient: randomized odd and even window sizes (also
// wider than the channels), [C, H, W] and [C, L] inputs, batch > 1; NaNs in x and dy reaching exactly
// the elements the reference makes NaN, also with alpha = 0 (where a product may fold the NaN away).
import { describe, expect, it } from "vitest";
import { lrnBackward } from "../../../src/codegen/training/lrnBackward.js";
import type { LrnAttrs, Shape } from "../../../src/ir/graph.js";
import { lrnGradient } from "../../../src/reference/gradients/normalization.js";
import { channelsAndInner, type RefValue } from "../../../src/reference/value.js";
import { seededRandom } from "../../reference/graphBuilders.js";
import { testGpu } from "../gpuHarness.js";
import { expectClose, toleranceFor } from "../kernelHarness.js";
import { flat, referenceBackward } from "./referenceBackward.js";
import { runTrainingKernels } from "./trainingHarness.js";

type Gpu = Awaited<ReturnType<typeof testGpu>>;

interface LrnCase {
  attrs: LrnAttrs;
  inputShape: Shape;
  batch: number;
}

async function runKernel(gpu: Gpu, { attrs, inputShape, batch }: LrnCase, x: Float32Array, dy: Float32Array): Promise<Float32Array> {
  const { channels, inner } = channelsAndInner(inputShape);
  const generated = lrnBackward({ batch, channels, inner, size: attrs.size, alpha: attrs.alpha, beta: attrs.beta, k: attrs.k });
  const result = await runTrainingKernels(gpu, generated, { dy, x, dx: new Float32Array(x.length).fill(1e6) });
  return result.get("dx")!;
}

describe("lrn backward kernel", () => {
  it("matches the reference on random shapes and window sizes", async () => {
    const gpu = await testGpu();
    const random = seededRandom(311);
    const between = (low: number, high: number): number => low + Math.floor(random() * (high - low + 1));
    const cases: LrnCase[] = [
      // AlexNet's NORM layers' settings.
      { attrs: { op: "lrn", size: 5, alpha: 1e-4, beta: 0.75, k: 2 }, inputShape: [7, 3, 4], batch: 2 },
      // A window wider than the channels on both sides.
      { attrs: { op: "lrn", size: 9, alpha: 2, beta: 0.6, k: 1.5 }, inputShape: [3, 5], batch: 2 },
      { attrs: { op: "lrn", size: 1, alpha: 1, beta: 1, k: 1 }, inputShape: [2, 2, 3], batch: 1 },
    ];
    for (let i = 0; i < 6; i++) {
      const channels = between(1, 9);
      const shape: Shape = i % 2 === 0 ? [channels, between(1, 4), between(1, 5)] : [channels, between(1, 7)];
      // Alpha large enough that the through-the-divisors term counts.
      cases.push({ attrs: { op: "lrn", size: between(2, 6), alpha: 0.5 + 2 * random(), beta: 0.5 + random(), k: 1 + random() }, inputShape: shape, batch: between(1, 3) });
    }
    expect(cases.some((each) => each.attrs.size % 2 === 0) && cases.some((each) => each.attrs.size % 2 === 1)).toBe(true);
    for (const each of cases) {
      const reference = referenceBackward(each.attrs, [each.inputShape], each.batch, random);
      const got = await runKernel(gpu, each, reference.inputs[0]!, reference.outputGradient);
      const want = reference.gradients.inputs[0]!.data;
      const what = `lrn size=${each.attrs.size} alpha=${each.attrs.alpha} over ${each.batch}x${each.inputShape.join("x")}`;
      expectClose(flat(got), flat(want), toleranceFor(each.attrs.size * each.attrs.size), what);
    }
  });

  it("makes NaN exactly the elements the reference does", async () => {
    const gpu = await testGpu();
    const random = seededRandom(312);
    for (const alpha of [1.5, 0]) {
      const lrnCase: LrnCase = { attrs: { op: "lrn", size: 3, alpha, beta: 0.75, k: 1 }, inputShape: [8, 2, 1], batch: 2 };
      const elements = 2 * 8 * 2;
      const x = Float32Array.from({ length: elements }, () => random() * 2 - 1);
      x[2 * 2] = NaN; // sample 0, channel 2, position 0
      const dy = Float32Array.from({ length: elements }, () => random() * 2 - 1);
      dy[16 + 5 * 2 + 1] = NaN; // sample 1, channel 5, position 1
      const got = await runKernel(gpu, lrnCase, x, dy);
      const value = (data: Float32Array): RefValue => ({ batch: lrnCase.batch, shape: lrnCase.inputShape, data: Float64Array.from(data) });
      const want = lrnGradient(lrnCase.attrs, value(x), value(dy)).inputs[0]!.data;
      const nans = [...want].map(Number.isNaN);
      expect(nans.filter(Boolean).length, "the reference makes some elements NaN").toBeGreaterThan(2);
      expect(nans.some((nan) => !nan), "and leaves some finite").toBe(true);
      expect([...got].map(Number.isNaN), `NaN elements, alpha=${alpha}`).toEqual(nans);
      const finite = (values: Float32Array | Float64Array): Float32Array => Float32Array.from(values.filter((_, i) => !nans[i]));
      expectClose(flat(finite(got)), flat(finite(want)), toleranceFor(9), `finite elements, alpha=${alpha}`);
    }
  });
});
