// Elementwise activations and softmax by their definitions.
import { describe, expect, it } from "vitest";
import type { OpAttrs, Shape } from "../../src/ir/graph.js";
import { runReference } from "../../src/reference/interpret.js";
import type { Tensor } from "../../src/tensor.js";
import { singleOpGraph, tensorOf } from "./graphBuilders.js";

function runOp(attrs: OpAttrs, inputShape: Shape, input: Tensor): Tensor {
  return runReference(singleOpGraph(attrs, inputShape), new Map([["x", input]]), new Map()).outputs.get("layer")!;
}

function expectClose(actual: Float32Array, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((value, i) => expect(actual[i]).toBeCloseTo(value, 6));
}

const values = [-800, -2, -0.5, 0, 0.5, 3, 800];
const input = tensorOf([1, 7], values);

describe("activations", () => {
  it("relu", () => expectClose(runOp({ op: "relu" }, [7], input).data, [0, 0, 0, 0, 0.5, 3, 800]));

  it("leaky_relu scales negatives by alpha", () =>
    expectClose(runOp({ op: "leaky_relu", alpha: 0.1 }, [7], input).data, [-80, -0.2, -0.05, 0, 0.5, 3, 800]));

  it("elu: alpha * (exp(x) - 1) below zero", () =>
    expectClose(runOp({ op: "elu", alpha: 2 }, [7], input).data, [-2, 2 * (Math.exp(-2) - 1), 2 * (Math.exp(-0.5) - 1), 0, 0.5, 3, 800]));

  it("tanh saturates to +-1 for large |x|", () =>
    expectClose(runOp({ op: "tanh" }, [7], input).data, [-1, Math.tanh(-2), Math.tanh(-0.5), 0, Math.tanh(0.5), Math.tanh(3), 1]));

  it("sigmoid saturates to 0 and 1 without NaN", () => {
    const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
    expectClose(runOp({ op: "sigmoid" }, [7], input).data, [0, sigmoid(-2), sigmoid(-0.5), 0.5, sigmoid(0.5), sigmoid(3), 1]);
  });

  // values: -800, -2, -0.5, 0, 0.5, 3, 800, worked by hand from PyTorch's formulas.
  it("relu6 clamps to [0, 6]", () => expectClose(runOp({ op: "relu6" }, [7], input).data, [0, 0, 0, 0, 0.5, 3, 6]));

  it("hardsigmoid is relu6(x + 3) / 6", () =>
    expectClose(runOp({ op: "hardsigmoid" }, [7], input).data, [0, 1 / 6, 2.5 / 6, 0.5, 3.5 / 6, 1, 1]));

  it("hardswish is x * relu6(x + 3) / 6", () =>
    expectClose(runOp({ op: "hardswish" }, [7], input).data, [-0, -2 / 6, (-0.5 * 2.5) / 6, 0, (0.5 * 3.5) / 6, 3, 800]));

  it("silu is x * sigmoid(x), -0 far below zero", () => {
    const silu = (x: number): number => x / (1 + Math.exp(-x));
    expectClose(runOp({ op: "silu" }, [7], input).data, [0, silu(-2), silu(-0.5), 0, silu(0.5), silu(3), 800]);
  });

  it("keeps the shape of a [C, H, W] value", () => {
    const image = tensorOf([1, 2, 1, 2], [-1, 1, -2, 2]);
    const output = runOp({ op: "relu" }, [2, 1, 2], image);
    expect(output.shape).toEqual([1, 2, 1, 2]);
    expectClose(output.data, [0, 1, 0, 2]);
  });
});

describe("softmax", () => {
  it("over features: exp(x) / sum exp(x), summing to 1", () => {
    const output = runOp({ op: "softmax" }, [3], tensorOf([1, 3], [1, 2, 3]));
    const total = Math.exp(1) + Math.exp(2) + Math.exp(3);
    expectClose(output.data, [Math.exp(1) / total, Math.exp(2) / total, Math.exp(3) / total]);
    expect(output.data.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });

  it("is stable for large inputs (max subtracted): no NaN or Infinity", () => {
    const output = runOp({ op: "softmax" }, [3], tensorOf([2, 3], [1000, 1001, 1002, -1000, -1000, -5000]));
    expectClose(output.data.subarray(0, 3), Array.from(runOp({ op: "softmax" }, [3], tensorOf([1, 3], [1, 2, 3])).data));
    expectClose(output.data.subarray(3, 6), [0.5, 0.5, 0]);
    expect(output.data.every(Number.isFinite)).toBe(true);
  });

  it("over channels at each pixel of a [C, H, W] value", () => {
    // two channels, two pixels: pixel 0 has (0, 0), pixel 1 has (ln 3, 0)
    const output = runOp({ op: "softmax" }, [2, 1, 2], tensorOf([1, 2, 1, 2], [0, Math.log(3), 0, 0]));
    expectClose(output.data, [0.5, 0.75, 0.5, 0.25]);
  });
});
