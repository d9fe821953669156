// Gradients of the activations, softmax, add, concat, flatten and dropout against finite differences.
import { describe, expect, it } from "vitest";
import type { ActivationAttrs, Shape } from "../../../src/ir/graph.js";
import { activationDefinition } from "../../../src/ops/activations.js";
import { seededRandom } from "../graphBuilders.js";
import { checkOpGradient } from "./opCheck.js";

const ACTIVATIONS: ActivationAttrs[] = [
  { op: "relu" },
  { op: "leaky_relu", alpha: 0.1 },
  { op: "elu", alpha: 0.7 },
  { op: "tanh" },
  { op: "sigmoid" },
  { op: "relu6" },
  { op: "hardsigmoid" },
  { op: "hardswish" },
  { op: "silu" },
];

describe("activation gradients", () => {
  for (const attrs of ACTIVATIONS) {
    it(attrs.op, () => checkOpGradient(attrs, [[3, 3, 5]], 2, seededRandom(300), attrs.op));
  }
});

describe("activation derivatives over a wide range, and at the kinks", () => {
  // checkOpGradient's inputs lie in [-1, 1]; the hard activations change branch at -3, 0, 3 and 6.
  // Central differences (step 1e-6) on a grid over [-8, 8] that stays 1e-3 away from every kink.
  const kinks = [-3, 0, 3, 6];
  const grid = Array.from({ length: 1601 }, (_, i) => -8 + i * 0.01 + 0.0013).filter((x) => kinks.every((kink) => Math.abs(x - kink) > 1e-3));
  for (const attrs of ACTIVATIONS) {
    it(attrs.op, () => {
      const activation = activationDefinition(attrs.op);
      const step = 1e-6;
      for (const x of grid) {
        const numeric = (activation.reference(attrs, x + step) - activation.reference(attrs, x - step)) / (2 * step);
        const derivative = activation.referenceDerivative(attrs, x, activation.reference(attrs, x));
        expect(Math.abs(derivative - numeric), `${attrs.op}'(${x}) = ${derivative}, numerically ${numeric}`).toBeLessThan(1e-6);
      }
    });
  }

  it("follow PyTorch's backward kernels at the kinks", () => {
    const at = (attrs: ActivationAttrs, x: number): number => activationDefinition(attrs.op).referenceDerivative(attrs, x, activationDefinition(attrs.op).reference(attrs, x));
    expect([0, 6].map((x) => at({ op: "relu6" }, x))).toEqual([0, 0]);
    expect([-3, 3].map((x) => at({ op: "hardsigmoid" }, x))).toEqual([0, 0]);
    expect([-3, 3].map((x) => at({ op: "hardswish" }, x))).toEqual([-0.5, 1.5]);
    expect(at({ op: "silu" }, 0)).toBe(0.5);
  });
});

describe("softmax gradient", () => {
  for (const shape of [[7], [4, 3, 5]] as Shape[]) {
    const label = `softmax on [${shape.join(", ")}]`;
    it(label, () => checkOpGradient({ op: "softmax" }, [shape], 3, seededRandom(301), label));
  }
});

describe("structural gradients", () => {
  it("mul of same shapes", () => checkOpGradient({ op: "mul" }, [[2, 3, 3], [2, 3, 3]], 2, seededRandom(308), "mul"));
  it("mul by a per-channel gate [C, 1, 1], [C] and [C, 1]", () => {
    checkOpGradient({ op: "mul" }, [[3, 4, 5], [3, 1, 1]], 2, seededRandom(309), "mul by [C, 1, 1]");
    checkOpGradient({ op: "mul" }, [[3, 4, 5], [3]], 3, seededRandom(310), "mul by [C]");
    checkOpGradient({ op: "mul" }, [[2, 7], [2, 1]], 2, seededRandom(311), "mul by [C, 1]");
  });
  it("add of three values", () => checkOpGradient({ op: "add" }, [[2, 3, 3], [2, 3, 3], [2, 3, 3]], 2, seededRandom(302), "add"));
  it("concat of values with different channel counts", () =>
    checkOpGradient({ op: "concat" }, [[1, 3, 5], [3, 3, 5], [2, 3, 5]], 3, seededRandom(303), "concat"));
  it("concat of 1-D values", () => checkOpGradient({ op: "concat" }, [[2, 7], [1, 7]], 2, seededRandom(304), "concat1d"));
  it("flatten", () => checkOpGradient({ op: "flatten" }, [[2, 3, 5]], 2, seededRandom(305), "flatten"));
  it("dropout (the identity at inference)", () => checkOpGradient({ op: "dropout", p: 0.5 }, [[3, 4]], 2, seededRandom(306), "dropout"));
});

describe("fc gradient", () => {
  for (const [shape, bias] of [[[3, 3, 5], true], [[7], false], [[2, 9], true]] as [Shape, boolean][]) {
    const label = `fc from [${shape.join(", ")}]${bias ? "" : " without bias"}`;
    it(label, () => checkOpGradient({ op: "fc", outFeatures: 4, bias }, [shape], 3, seededRandom(307), label));
  }
});
