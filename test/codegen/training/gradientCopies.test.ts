// Concat backward against the reference concatGradient (every input's slice, 1-D and 2-D values,
// batch > 1), and the gradient sum.
import { describe, it } from "vitest";
import { concatBackward } from "../../../src/codegen/training/gradientCopies.js";
import type { Shape } from "../../../src/ir/graph.js";
import { seededRandom } from "../../reference/graphBuilders.js";
import { testGpu } from "../gpuHarness.js";
import { expectClose, toleranceFor } from "../kernelHarness.js";
import { flat, referenceBackward } from "./referenceBackward.js";
import { runTrainingKernels } from "./trainingHarness.js";

describe("gradient copy kernels", () => {
  it("slice a concat's output gradient as the reference does", async () => {
    const gpu = await testGpu();
    const random = seededRandom(91);
    const cases: { inputShapes: Shape[]; batch: number }[] = [
      { inputShapes: [[2, 3, 5], [1, 3, 5], [4, 3, 5]], batch: 3 },
      { inputShapes: [[3, 7], [5, 7]], batch: 2 },
      { inputShapes: [[1, 1, 1], [2, 1, 1]], batch: 1 },
      { inputShapes: [[2, 2, 2], [3, 2, 2]], batch: 2 }, // inner 4: vec4 copies
    ];
    for (const { inputShapes, batch } of cases) {
      const reference = referenceBackward({ op: "concat" }, inputShapes, batch, random);
      const totalChannels = inputShapes.reduce((sum, shape) => sum + shape[0]!, 0);
      const inner = inputShapes[0]!.slice(1).reduce((a, b) => a * b, 1);
      let channelOffset = 0;
      for (const [i, shape] of inputShapes.entries()) {
        const channels = shape[0]!;
        const generated = concatBackward({ batch, inner, channels, channelOffset, totalChannels });
        const result = await runTrainingKernels(gpu, generated, { dy: reference.outputGradient }, { dx: batch * channels * inner });
        expectClose(flat(result.get("dx")!), flat(reference.gradients.inputs[i]!.data), toleranceFor(1), `concat of ${JSON.stringify(inputShapes)}: input ${i}`);
        channelOffset += channels;
      }
    }
  });
});
