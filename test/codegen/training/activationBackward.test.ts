// Activation backward kernels against the reference activationGradient, every activation, from its input
// and (where the derivative is a function of the output) from its output; NaN propagation.
import { describe, expect, it } from "vitest";
import { activationBackward, derivativeFromOutput } from "../../../src/codegen/training/activationBackward.js";
import { seededRandom } from "../../reference/graphBuilders.js";
import { testGpu } from "../gpuHarness.js";
import { EVERY_ACTIVATION, expectClose, toleranceFor } from "../kernelHarness.js";
import { flat, referenceBackward } from "./referenceBackward.js";
import { runTrainingKernels } from "./trainingHarness.js";

describe("activation backward kernels", () => {
  it("say which derivatives are functions of the output", () => {
    expect(EVERY_ACTIVATION.map((attrs) => [attrs.op, derivativeFromOutput(attrs)])).toEqual([
      ["relu", true],
      ["leaky_relu", true],
      ["elu", true],
      ["tanh", true],
      ["sigmoid", true],
      ["relu6", true],
      ["hardsigmoid", true],
      ["hardswish", false],
      ["silu", false],
    ]);
    expect(derivativeFromOutput({ op: "leaky_relu", alpha: -0.5 })).toBe(false);
    expect(derivativeFromOutput({ op: "leaky_relu", alpha: 0 })).toBe(false);
    expect(derivativeFromOutput({ op: "elu", alpha: 0 })).toBe(false);
    expect(() => activationBackward({ elements: 4, attrs: { op: "elu", alpha: -1 }, from: "output" })).toThrow(/not a function of its output/);
  });

  it("match the reference from the input and from the output", async () => {
    const gpu = await testGpu();
    const random = seededRandom(83);
    const attrsList = [...EVERY_ACTIVATION, { op: "leaky_relu" as const, alpha: -0.5 }];
    // 210 elements run one to an invocation, 192 four (vec4s).
    for (const [attrs, shape, batch] of attrsList.flatMap((attrs) => [[attrs, [3, 5, 7], 2], [attrs, [4, 6, 4], 2]] as const)) {
      const elements = batch * shape.reduce((a, b) => a * b, 1);
      // Wide inputs (saturating tanh and sigmoid), with exact zeros and large magnitudes.
      const x = Float32Array.from({ length: elements }, (_, i) => (i % 17 === 0 ? 0 : i % 23 === 0 ? (i % 2 === 0 ? 40 : -40) : random() * 12 - 6));
      const reference = referenceBackward(attrs, [[...shape]], batch, random, [x]);
      const expected = flat(reference.gradients.inputs[0]!.data);
      const froms = derivativeFromOutput(attrs) ? (["input", "output"] as const) : (["input"] as const);
      for (const from of froms) {
        const saved = from === "input" ? x : reference.output;
        const result = await runTrainingKernels(gpu, activationBackward({ elements, attrs, from }), { dy: reference.outputGradient, saved, dx: new Float32Array(elements).fill(1e6) });
        expectClose(flat(result.get("dx")!), expected, toleranceFor(1), `${JSON.stringify(attrs)} over ${elements} from ${from}`);
      }
    }
  });

  it("propagate a NaN in dy or in the saved value", async () => {
    const gpu = await testGpu();
    for (const attrs of EVERY_ACTIVATION) {
      for (const from of derivativeFromOutput(attrs) ? (["input", "output"] as const) : (["input"] as const)) {
        for (const elements of [4, 5]) {
          const saved = new Float32Array([NaN, -3, 0, 2, NaN]).subarray(0, elements);
          const dy = new Float32Array([1, NaN, NaN, NaN, 1]).subarray(0, elements);
          const result = await runTrainingKernels(gpu, activationBackward({ elements, attrs, from }), { dy, saved, dx: new Float32Array(elements) });
          expect([...result.get("dx")!].map(Number.isNaN), `${attrs.op} from ${from}`).toEqual(new Array(elements).fill(true));
        }
      }
    }
  });

  it("take PyTorch's one-sided derivatives at the kinks", async () => {
    const gpu = await testGpu();
    const x = new Float32Array([-3, 0, 3, 6]);
    const dy = new Float32Array([1, 1, 1, 1]);
    // hardtanh_backward (relu6), hardsigmoid_backward and hardswish_backward in PyTorch's kernels.
    const expected = { relu6: [0, 0, 1, 0], hardsigmoid: [0, 1 / 6, 0, 0], hardswish: [-0.5, 0.5, 1.5, 1] };
    for (const [op, values] of Object.entries(expected) as [keyof typeof expected, number[]][]) {
      const attrs = { op };
      const froms = derivativeFromOutput(attrs) ? (["input", "output"] as const) : (["input"] as const);
      for (const from of froms) {
        const saved = from === "input" ? x : referenceBackward(attrs, [[4]], 1, seededRandom(1), [x]).output;
        const result = await runTrainingKernels(gpu, activationBackward({ elements: 4, attrs, from }), { dy, saved, dx: new Float32Array(4) });
        expectClose(flat(result.get("dx")!), flat(Float64Array.from(values)), toleranceFor(1), `${op} at -3, 0, 3, 6 from ${from}`);
      }
    }
  });
});
