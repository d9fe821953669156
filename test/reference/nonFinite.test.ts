// The reference's NaN and +-Inf semantics against PyTorch's rules, by hand: NaN is never dropped
// (torch.relu(nan) = nan, max_pool2d propagates NaN), infinities give the functions' limits, and
// inf - inf style cancellations give NaN (softmax of a +Inf logit, avg of +Inf and -Inf).
import { describe, expect, it } from "vitest";
import type { OpAttrs, Shape } from "../../src/ir/graph.js";
import { runReference } from "../../src/reference/interpret.js";
import type { WeightMap } from "../../src/tensor.js";
import { pool1d, singleOpGraph, tensorOf } from "./graphBuilders.js";

const NaN = Number.NaN;

/** The op on one sample of the given values, as a plain array (toEqual treats NaN as equal to NaN). */
function runOp(attrs: OpAttrs, shape: Shape, values: number[], weights: WeightMap = new Map()): number[] {
  const graph = singleOpGraph(attrs, shape);
  const output = runReference(graph, new Map([["x", tensorOf([1, ...shape], values)]]), weights).outputs.get("layer")!;
  return Array.from(output.data);
}

const SPECIAL = [NaN, Infinity, -Infinity, -2, 3];

describe("activations map NaN to NaN and +-Inf to their limits", () => {
  it("relu: relu(NaN) = NaN, relu(-Inf) = 0, relu(+Inf) = +Inf", () => {
    expect(runOp({ op: "relu" }, [5], SPECIAL)).toEqual([NaN, Infinity, 0, 0, 3]);
  });
  it("leaky_relu", () => {
    expect(runOp({ op: "leaky_relu", alpha: 0.5 }, [5], SPECIAL)).toEqual([NaN, Infinity, -Infinity, -1, 3]);
  });
  it("elu: elu(-Inf) = -alpha", () => {
    expect(runOp({ op: "elu", alpha: 2 }, [5], SPECIAL)).toEqual([NaN, Infinity, -2, Math.fround(2 * (Math.exp(-2) - 1)), 3]);
  });
  it("tanh: +-1 at +-Inf", () => {
    expect(runOp({ op: "tanh" }, [5], SPECIAL)).toEqual([NaN, 1, -1, Math.fround(Math.tanh(-2)), Math.fround(Math.tanh(3))]);
  });
  it("sigmoid: 1 at +Inf, 0 at -Inf", () => {
    const sigmoid = (x: number): number => Math.fround(1 / (1 + Math.exp(-x)));
    expect(runOp({ op: "sigmoid" }, [5], SPECIAL)).toEqual([NaN, 1, 0, sigmoid(-2), sigmoid(3)]);
  });
  it("relu6 and hardsigmoid: their bounds at +-Inf", () => {
    expect(runOp({ op: "relu6" }, [5], SPECIAL)).toEqual([NaN, 6, 0, 0, 3]);
    expect(runOp({ op: "hardsigmoid" }, [5], SPECIAL)).toEqual([NaN, 1, 0, Math.fround(1 / 6), 1]);
  });
  it("hardswish and silu: +Inf at +Inf, and NaN at -Inf (-Inf * 0 in PyTorch's formulas)", () => {
    expect(runOp({ op: "hardswish" }, [5], SPECIAL)).toEqual([NaN, Infinity, NaN, Math.fround(-2 / 6), 3]);
    const silu = (x: number): number => Math.fround(x / (1 + Math.exp(-x)));
    expect(runOp({ op: "silu" }, [5], SPECIAL)).toEqual([NaN, Infinity, NaN, silu(-2), silu(3)]);
  });
});

describe("pooling", () => {
  it("a max-pool window holding a NaN gives NaN, wherever the NaN is in it", () => {
    const attrs = pool1d({ kind: "max", window: 2 });
    expect(runOp(attrs, [1, 6], [NaN, 5, 5, NaN, 1, 2])).toEqual([NaN, NaN, 2]);
  });
  it("max pooling: +Inf wins, an all -Inf window gives -Inf", () => {
    expect(runOp(pool1d({ kind: "max", window: 2 }), [1, 4], [Infinity, 1, -Infinity, -Infinity])).toEqual([Infinity, -Infinity]);
  });
  it("avg and l2 pooling: NaN stays NaN, +Inf and -Inf in one window give NaN", () => {
    const values = [NaN, 1, Infinity, -Infinity, Infinity, 2];
    expect(runOp(pool1d({ kind: "avg", window: 2 }), [1, 6], values)).toEqual([NaN, NaN, Infinity]);
    expect(runOp(pool1d({ kind: "l2", window: 2 }), [1, 6], values)).toEqual([NaN, Infinity, Infinity]);
  });
  it("global max and avg pooling keep NaN; global max of -Inf is -Inf", () => {
    const values = [1, NaN, 3, -Infinity, -Infinity, -Infinity];
    expect(runOp({ op: "global_pool", kind: "max" }, [2, 3], values)).toEqual([NaN, -Infinity]);
    expect(runOp({ op: "global_pool", kind: "avg" }, [2, 3], values)).toEqual([NaN, -Infinity]);
  });
});

describe("softmax and normalization", () => {
  it("softmax: NaN or +Inf among the logits, or all -Inf, makes every output NaN; a -Inf logit gives 0", () => {
    expect(runOp({ op: "softmax" }, [3], [1, NaN, 2])).toEqual([NaN, NaN, NaN]);
    expect(runOp({ op: "softmax" }, [3], [1, Infinity, 2])).toEqual([NaN, NaN, NaN]);
    expect(runOp({ op: "softmax" }, [3], [-Infinity, -Infinity, -Infinity])).toEqual([NaN, NaN, NaN]);
    expect(runOp({ op: "softmax" }, [3], [-Infinity, 0, 0])).toEqual([0, 0.5, 0.5]);
  });
  it("lrn: a NaN neighbour makes the channels whose window holds it NaN", () => {
    // size 3: channel c sums squares of c-1..c+1; channel 3 does not see channel 1.
    const output = runOp({ op: "lrn", size: 3, alpha: 1, beta: 1, k: 1 }, [4], [1, NaN, 1, 1]);
    expect(output.slice(0, 3)).toEqual([NaN, NaN, NaN]);
    expect(output[3]).toBeCloseTo(1 / (1 + 2 / 3), 6);
  });
  it("batchnorm: NaN stays NaN, a negative running_var gives NaN (sqrt of a negative)", () => {
    const weights: WeightMap = new Map([
      ["layer.weight", tensorOf([2], [1, 1])],
      ["layer.bias", tensorOf([2], [0, 0])],
      ["layer.running_mean", tensorOf([2], [0, 0])],
      ["layer.running_var", tensorOf([2], [1, -1])],
    ]);
    const output = runOp({ op: "batchnorm", eps: 0, momentum: 0.1 }, [2, 2], [NaN, 2, 1, 1], weights);
    expect(output).toEqual([NaN, 2, NaN, NaN]);
  });
});
