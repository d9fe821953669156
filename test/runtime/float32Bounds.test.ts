// Bounds on the float32 intermediates of a layer (sums, squares), from the reference's values of its
// inputs and the weights: what tells float32 overflow inside a layer from a kernel bug.
import { describe, expect, it } from "vitest";

import { intermediateBound } from "../../runtime/float32Bounds.js";
import { judgeReferenceValue } from "../../runtime/nonFinite.js";
import type { OpAttrs, Shape } from "../../src/ir/graph.js";
import { runReference } from "../../src/reference/interpret.js";
import type { WeightMap } from "../../src/tensor.js";
import { conv2d, pool2d, singleOpGraph, tensorOf } from "../reference/graphBuilders.js";

/** The bound of the single op `attrs` on an input filled with `value`, and the reference's values. */
function boundOf(attrs: OpAttrs, shape: Shape, value: number, weights: WeightMap = new Map()) {
  const graph = singleOpGraph(attrs, shape);
  const size = shape.reduce((a, b) => a * b, 1);
  const input = tensorOf([1, ...shape], Array.from({ length: size }, (_, i) => (i % 2 === 0 ? value : -value)));
  const values = runReference(graph, new Map([["x", input]]), weights, { keep: "all" }).values!;
  return { bound: intermediateBound(graph, graph.nodes[1]!, values, weights), output: values.get(1)! };
}

describe("intermediateBound", () => {
  it("global average pooling: the sum of the plane, which overflows before the mean does", () => {
    const { bound, output } = boundOf({ op: "global_pool", kind: "avg" }, [1, 7, 7], 1e37);
    expect(bound?.bound).toBeCloseTo(49e37, -33);
    expect(bound?.description).toBe("its sums of 49 inputs of |value| up to 1.0e+37");
    const verdict = judgeReferenceValue(output, bound);
    expect(verdict.kind).toBe("intermediate-overflow");
    // Small values: everything fits, so NaN there would be a kernel bug.
    const small = boundOf({ op: "global_pool", kind: "avg" }, [1, 7, 7], 2);
    expect(judgeReferenceValue(small.output, small.bound)).toEqual({ kind: "finite", largest: 2 / 49 });
  });

  it("l2 pooling and lrn: squares overflow from |x| above about 1.8e19", () => {
    expect(boundOf(pool2d({ kind: "l2", window: 2 }), [1, 2, 2], 1e19).bound?.bound).toBeCloseTo(4e38, -34);
    expect(boundOf({ op: "lrn", size: 3, alpha: 1, beta: 0.75, k: 1 }, [3, 2], 1e20).bound?.bound).toBeCloseTo(3e40, -36);
  });

  it("conv and fc: reduction length x largest input x largest weight, plus the bias", () => {
    const weights: WeightMap = new Map([
      ["layer.weight", tensorOf([2, 3, 2, 2], Array.from({ length: 24 }, (_, i) => (i === 5 ? -4 : 1)))],
      ["layer.bias", tensorOf([2], [0.5, -7])],
    ]);
    const { bound } = boundOf(conv2d({ out: 2, kernel: 2 }), [3, 3, 3], 10, weights);
    expect(bound?.bound).toBe(12 * 10 * 4 + 7);
    expect(bound?.description).toBe("its sums of 12 products of inputs of |value| up to 1.0e+1 and weights up to 4.0e+0");
    const fcWeights: WeightMap = new Map([["layer.weight", tensorOf([1, 6], [1, 1, 1, 1, 1, 3])]]);
    expect(boundOf({ op: "fc", outFeatures: 1, bias: false }, [6], 2, fcWeights).bound?.bound).toBe(6 * 2 * 3);
  });

  it("batchnorm: (|x| + |mean|) x the largest weight / sqrt(var + eps), plus the bias", () => {
    const weights: WeightMap = new Map([
      ["layer.weight", tensorOf([2], [2, 1])],
      ["layer.bias", tensorOf([2], [0, 3])],
      ["layer.running_mean", tensorOf([2], [1, -5])],
      ["layer.running_var", tensorOf([2], [4, 0.25])],
    ]);
    const { bound } = boundOf({ op: "batchnorm", eps: 0, momentum: 0.1 }, [2], 10, weights);
    expect(bound?.bound).toBe((10 + 5) * 2 + 3);
  });

  it("layers computing nothing larger than their inputs have no bound", () => {
    expect(boundOf({ op: "relu" }, [4], 3e38).bound).toBeUndefined();
    expect(boundOf(pool2d({ kind: "max", window: 2 }), [1, 2, 2], 3e38).bound).toBeUndefined();
    expect(boundOf({ op: "softmax" }, [4], 3e38).bound).toBeUndefined();
  });
});
