// Gradients of the activations, softmax, add, concat, flatten and dropout against finite differences.
import { describe, it } from "vitest";
import type { ActivationAttrs, Shape } from "../../../src/ir/graph.js";
import { seededRandom } from "../graphBuilders.js";
import { checkOpGradient } from "./opCheck.js";

const ACTIVATIONS: ActivationAttrs[] = [
  { op: "relu" },
  { op: "leaky_relu", alpha: 0.1 },
  { op: "elu", alpha: 0.7 },
  { op: "tanh" },
  { op: "sigmoid" },
];

describe("activation gradients", () => {
  for (const attrs of ACTIVATIONS) {
    it(attrs.op, () => checkOpGradient(attrs, [[3, 3, 5]], 2, seededRandom(300), attrs.op));
  }
});

describe("softmax gradient", () => {
  for (const shape of [[7], [4, 3, 5]] as Shape[]) {
    const label = `softmax on [${shape.join(", ")}]`;
    it(label, () => checkOpGradient({ op: "softmax" }, [shape], 3, seededRandom(301), label));
  }
});

describe("structural gradients", () => {
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
