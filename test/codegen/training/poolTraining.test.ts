// Pooling in training against the reference: the max pool forward with switches (its output against the
// forward reference), then each kind's gathered backward pass against poolGradient, over seeded random
// 2-D and 1-D configurations (stride > 1, overlapping windows, asymmetric padding, ceil rounding,
// count_pad, odd sizes, batch > 1). Inputs are drawn from a few levels, so windows hold ties (the first
// maximum must win) and all-zero l2 windows; two cases hold NaNs (the last NaN of a window wins).
// Windows that tile the input (2x2 stride 2) take the kernels' one-invocation-per-window path.
import { describe, expect, it } from "vitest";
import { maxPoolForwardWithSwitches, poolBackward, type PoolTrainingShape } from "../../../src/codegen/training/poolTraining.js";
import type { PoolAttrs, Shape } from "../../../src/ir/graph.js";
import type { GpuContext } from "../../../runtime/device.js";
import { pool1d, pool2d, randomPool2dCase, seededRandom } from "../../reference/graphBuilders.js";
import { testGpu } from "../gpuHarness.js";
import { expectClose, toleranceFor } from "../kernelHarness.js";
import { flat, referenceBackward } from "./referenceBackward.js";
import { runTrainingKernels } from "./trainingHarness.js";

const LEVELS = [-1, -0.5, 0, 0.5, 1];

function levels(length: number, random: () => number): Float32Array {
  return Float32Array.from({ length }, () => LEVELS[Math.floor(random() * LEVELS.length)]!);
}

/** Runs the training kernels of a pool and checks y (max) and dx against the reference. */
async function checkPool(gpu: GpuContext, attrs: PoolAttrs, inputShape: Shape, batch: number, x: Float32Array, random: () => number, what: string): Promise<void> {
  const reference = referenceBackward(attrs, [inputShape], batch, random, [x]);
  const shape: PoolTrainingShape = { batch, attrs, inputShape, outputShape: reference.node.shape };
  const dy = reference.outputGradient;
  const expected = flat(reference.gradients.inputs[0]!.data);
  const windowCells = attrs.window[0] * attrs.window[1];
  const poisoned = new Float32Array(x.length).fill(1e6);
  let operands: Record<string, Float32Array>;
  if (attrs.kind === "max") {
    const forward = await runTrainingKernels(gpu, maxPoolForwardWithSwitches(shape), { x }, { y: dy.length, switches: dy.length });
    const y = forward.get("y")!;
    expect([...y].map(Number.isNaN), `${what}: NaN outputs`).toEqual([...reference.output].map(Number.isNaN));
    const finite = (values: Float32Array): Float32Array => values.map((value) => (Number.isNaN(value) ? 0 : value));
    expectClose(flat(finite(y)), flat(finite(reference.output)), toleranceFor(1), `${what}: y`);
    operands = { dy, switches: forward.get("switches")!, dx: poisoned };
  } else {
    operands = attrs.kind === "avg" ? { dy, dx: poisoned } : { dy, x, y: reference.output, dx: poisoned };
  }
  const backward = await runTrainingKernels(gpu, poolBackward(shape), operands);
  expectClose(flat(backward.get("dx")!), expected, toleranceFor(windowCells), `${what}: dx`);
}

describe("pool training kernels", () => {
  it("match the reference over random 2-D configurations", async () => {
    const gpu = await testGpu();
    const random = seededRandom(85);
    for (let trial = 0; trial < 24; trial++) {
      const { attrs, C, H, W, batch } = randomPool2dCase(random, (["max", "avg", "l2"] as const)[trial % 3]!);
      const x = levels(batch * C * H * W, random);
      await checkPool(gpu, attrs, [C, H, W], batch, x, random, `trial ${trial}: ${JSON.stringify(attrs)} on ${batch}x${C}x${H}x${W}`);
    }
  });

  it("match the reference on overlapping 3x3 stride 2 windows, in 1-D, and with NaNs", async () => {
    const gpu = await testGpu();
    const random = seededRandom(86);
    for (const kind of ["max", "avg", "l2"] as const) {
      const overlapping = pool2d({ kind, window: 3, stride: 2, padding: [1, 0, 0, 1], rounding: "ceil", countPadding: true });
      await checkPool(gpu, overlapping, [2, 9, 8], 2, levels(2 * 2 * 72, random), random, `${kind} 3x3 stride 2`);
      const sequence = pool1d({ kind, window: 3, stride: 2, padding: [1, 0], rounding: "ceil", countPadding: false });
      await checkPool(gpu, sequence, [3, 10], 2, levels(2 * 3 * 10, random), random, `1-D ${kind}`);
    }
    for (const window of [3, 2]) {
      const withNans = levels(2 * 36, random);
      for (const at of [0, 1, 7, 8, 20, 40, 41]) withNans[at] = NaN;
      const attrs = pool2d({ kind: "max", window, stride: 2, padding: window === 3 ? 1 : 0 });
      await checkPool(gpu, attrs, [2, 6, 6], 1, withNans, random, `max ${window}x${window} stride 2 with NaNs`);
    }
  });

  it("match the reference where the windows tile the input (one invocation per window)", async () => {
    const gpu = await testGpu();
    const random = seededRandom(88);
    for (const kind of ["max", "avg", "l2"] as const) {
      const cases: [PoolAttrs, Shape][] = [
        [pool2d({ kind, window: 2 }), [3, 8, 6]],
        [pool2d({ kind, window: [3, 2], countPadding: false }), [2, 9, 4]],
        [pool2d({ kind, window: 2, rounding: "ceil" }), [1, 4, 4]],
        [pool1d({ kind, window: 2 }), [3, 10]],
      ];
      for (const [attrs, inputShape] of cases) {
        const elements = 2 * inputShape.reduce((a, b) => a * b, 1);
        await checkPool(gpu, attrs, inputShape, 2, levels(elements, random), random, `tiled ${JSON.stringify(attrs)} on ${inputShape.join("x")}`);
      }
    }
  });
});
