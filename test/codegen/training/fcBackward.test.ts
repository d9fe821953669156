// The fc backward kernels against the reference fcGradient on seeded random shapes: in-feature counts
// that are and are not multiples of 4 (vec4 and scalar loads), tiles cut by the edges, batch > 1, each
// case under the fc_data_gemm / fc_weight_gemm defaults and under another knob setting.
import { describe, it } from "vitest";
import { fcBackwardBias, fcBackwardData, fcBackwardWeight } from "../../../src/codegen/training/fcBackward.js";
import type { Shape } from "../../../src/ir/graph.js";
import { seededRandom } from "../../reference/graphBuilders.js";
import { testGpu } from "../gpuHarness.js";
import { expectClose, toleranceFor } from "../kernelHarness.js";
import { flat, referenceBackward } from "./referenceBackward.js";
import { defaultFcDataSchedule, defaultFcWeightSchedule, FC_KNOBS } from "./backwardSchedules.js";
import { runTrainingKernels } from "./trainingHarness.js";

const CASES: { batch: number; inputShape: Shape; outFeatures: number }[] = [
  { batch: 5, inputShape: [2, 3, 4], outFeatures: 10 }, // 24 features: vec4 loads
  { batch: 3, inputShape: [1, 3, 3], outFeatures: 7 }, // 9 features: scalar loads
  { batch: 9, inputShape: [37], outFeatures: 13 },
  { batch: 1, inputShape: [3], outFeatures: 1 },
  { batch: 64, inputShape: [32, 7, 7], outFeatures: 64 }, // the training net's fc1
];

describe("fc backward kernels", () => {
  it("match the reference gradients of input, weight and bias", async () => {
    const gpu = await testGpu();
    const random = seededRandom(81);
    for (const [index, { batch, inputShape, outFeatures }] of CASES.entries()) {
      const what = `fc ${inputShape.join("x")} -> ${outFeatures} at batch ${batch}`;
      const inFeatures = inputShape.reduce((a, b) => a * b, 1);
      const shape = { batch, inFeatures, outFeatures };
      const reference = referenceBackward({ op: "fc", outFeatures, bias: true }, [inputShape], batch, random);
      const weight = reference.weights.get("layer.weight")!.data;
      const dy = reference.outputGradient;
      const x = reference.inputs[0]!;
      // Poisoned outputs: each kernel must overwrite its output, not add to it.
      const poison = (length: number): Float32Array => new Float32Array(length).fill(1e6);
      const knobs = FC_KNOBS[index % FC_KNOBS.length]!;
      const dataSchedules = [defaultFcDataSchedule(shape), { kind: "fc_data_gemm" as const, ...knobs }];
      const weightSchedules = [defaultFcWeightSchedule(shape), { kind: "fc_weight_gemm" as const, ...knobs }];
      for (const schedule of dataSchedules) {
        const data = await runTrainingKernels(gpu, fcBackwardData(shape, schedule), { dy, weight, dx: poison(batch * inFeatures) });
        expectClose(flat(data.get("dx")!), flat(reference.gradients.inputs[0]!.data), toleranceFor(outFeatures), `${what}: dx (${JSON.stringify(schedule)})`);
      }
      for (const schedule of weightSchedules) {
        const weightGradient = await runTrainingKernels(gpu, fcBackwardWeight(shape, schedule), { dy, x, dweight: poison(outFeatures * inFeatures) });
        expectClose(flat(weightGradient.get("dweight")!), flat(reference.gradients.params.get("layer.weight")!), toleranceFor(batch), `${what}: dweight (${JSON.stringify(schedule)})`);
      }
      const bias = await runTrainingKernels(gpu, fcBackwardBias({ batch, outFeatures }), { dy, dbias: poison(outFeatures) });
      expectClose(flat(bias.get("dbias")!), flat(reference.gradients.params.get("layer.bias")!), toleranceFor(batch), `${what}: dbias`);
    }
  });
});
