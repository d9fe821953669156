// Global pooling's backward kernels against the reference globalPoolGradient: avg and max, planes with
// tied maxima (the first wins), with NaNs (the last NaN wins) and of -Inf only.
import { describe, it } from "vitest";
import { globalPoolBackward } from "../../../src/codegen/training/globalPoolBackward.js";
import type { Shape } from "../../../src/ir/graph.js";
import { seededRandom } from "../../reference/graphBuilders.js";
import { testGpu } from "../gpuHarness.js";
import { expectClose, toleranceFor } from "../kernelHarness.js";
import { flat, referenceBackward } from "./referenceBackward.js";
import { runTrainingKernels } from "./trainingHarness.js";

describe("global pool backward kernels", () => {
  it("match the reference for avg and max", async () => {
    const gpu = await testGpu();
    const random = seededRandom(87);
    const cases: { inputShape: Shape; batch: number }[] = [
      { inputShape: [3, 5, 7], batch: 2 },
      { inputShape: [4, 9], batch: 3 },
      { inputShape: [2, 1, 1], batch: 1 },
    ];
    for (const kind of ["avg", "max"] as const) {
      for (const { inputShape, batch } of cases) {
        const elements = batch * inputShape.reduce((a, b) => a * b, 1);
        // Few levels, so planes hold tied maxima.
        const x = Float32Array.from({ length: elements }, () => Math.floor(random() * 4) - 2);
        if (kind === "max" && elements > 12) {
          x[3] = NaN;
          x[5] = NaN;
          const positions = elements / (batch * inputShape[0]!);
          for (let p = 0; p < positions; p++) x[positions + p] = -Infinity;
        }
        const reference = referenceBackward({ op: "global_pool", kind }, [inputShape], batch, random, [x]);
        const dy = reference.outputGradient;
        const operands: Record<string, Float32Array> = kind === "avg" ? { dy } : { dy, x, y: reference.output };
        const result = await runTrainingKernels(gpu, globalPoolBackward({ batch, kind, inputShape }), { ...operands, dx: new Float32Array(elements).fill(1e6) });
        expectClose(flat(result.get("dx")!), flat(reference.gradients.inputs[0]!.data), toleranceFor(1), `global ${kind} over ${batch}x${inputShape.join("x")}`);
      }
    }
  });
});
