// Pooling by hand: floor and ceil rounding (PyTorch's rule that drops a window starting in the right
// padding), avg with and without counting padding, max ignoring padding, L2, asymmetric padding, global.
import { describe, expect, it } from "vitest";
import type { OpAttrs, Shape } from "../../src/ir/graph.js";
import { runReference } from "../../src/reference/interpret.js";
import type { Tensor } from "../../src/tensor.js";
import { outputShape, pool1d, pool2d, singleOpGraph, tensorOf } from "./graphBuilders.js";

function runOp(attrs: OpAttrs, inputShape: Shape, input: Tensor): Tensor {
  return runReference(singleOpGraph(attrs, inputShape), new Map([["x", input]]), new Map()).outputs.get("layer")!;
}

function expectClose(actual: Float32Array, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((value, i) => expect(actual[i]).toBeCloseTo(value, 5));
}

describe("rounding", () => {
  const six = tensorOf([1, 1, 6], [1, 2, 3, 4, 5, 6]);

  it("floor drops the partial last window; ceil keeps it, clipped to the input", () => {
    expectClose(runOp(pool1d({ kind: "max", window: 3, stride: 2 }), [1, 6], six).data, [3, 5]);
    expectClose(runOp(pool1d({ kind: "max", window: 3, stride: 2, rounding: "ceil" }), [1, 6], six).data, [3, 5, 6]);
    // The overhanging cell lies past the (unpadded) input, so even count_pad=true does not count it.
    expectClose(runOp(pool1d({ kind: "avg", window: 3, stride: 2, rounding: "ceil" }), [1, 6], six).data, [2, 4, 5.5]);
  });

  it("ceil with padding: the last window counts its padded cell but not the cell beyond the padding", () => {
    const windows = { window: 3, stride: 2, padding: 1, rounding: "ceil" as const };
    // windows start at -1, 1, 3, 5: {pad,1,2} {2,3,4} {4,5,6} {6,pad,beyond}
    expectClose(runOp(pool1d({ kind: "avg", ...windows }), [1, 6], six).data, [1, 3, 5, 3]);
    expectClose(runOp(pool1d({ kind: "avg", ...windows, countPadding: false }), [1, 6], six).data, [1.5, 3, 5, 6]);
    expectClose(runOp(pool1d({ kind: "max", ...windows }), [1, 6], six).data, [2, 4, 6, 6]);
  });

  it("ceil drops a last window that would start in the right padding", () => {
    // L=5, window 2, stride 2, pad 1: ceil((5+2-2)/2)+1 = 4, but window 4 starts at cell 5 (padding).
    const attrs = pool1d({ kind: "max", window: 2, stride: 2, padding: 1, rounding: "ceil" });
    expect(outputShape(attrs, [[1, 5]])).toEqual([1, 3]);
    const output = runOp(attrs, [1, 5], tensorOf([1, 1, 5], [1, 2, 3, 4, 5]));
    expectClose(output.data, [1, 3, 5]);
  });

  it("1-D ceil over [1..5], window 2, stride 2 (PyTorch: [1.5, 3.5, 5])", () => {
    const input = tensorOf([1, 1, 5], [1, 2, 3, 4, 5]);
    expectClose(runOp(pool1d({ kind: "avg", window: 2, rounding: "ceil" }), [1, 5], input).data, [1.5, 3.5, 5]);
  });

  it("2-D ceil on a 3x3 image with 2x2 windows", () => {
    const input = tensorOf([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const output = runOp(pool2d({ kind: "avg", window: 2, rounding: "ceil" }), [1, 3, 3], input);
    expect(output.shape).toEqual([1, 1, 2, 2]);
    expectClose(output.data, [3, 4.5, 7.5, 9]);
  });
});

describe("padding", () => {
  const square = tensorOf([1, 1, 2, 2], [1, 2, 3, 4]);

  it("avg pool counting padded zeros (count_pad=true, the default)", () => {
    const output = runOp(pool2d({ kind: "avg", window: 2, stride: 1, padding: 1 }), [1, 2, 2], square);
    expectClose(output.data, [0.25, 0.75, 0.5, 1, 2.5, 1.5, 0.75, 1.75, 1]);
  });

  it("avg pool dividing by the in-bounds cells only (count_pad=false)", () => {
    const output = runOp(pool2d({ kind: "avg", window: 2, stride: 1, padding: 1, countPadding: false }), [1, 2, 2], square);
    expectClose(output.data, [1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4]);
  });

  it("max pool never picks a padded cell, even over negative values", () => {
    const negative = tensorOf([1, 1, 2, 2], [-1, -2, -3, -4]);
    const output = runOp(pool2d({ kind: "max", window: 2, stride: 1, padding: 1 }), [1, 2, 2], negative);
    expectClose(output.data, [-1, -1, -2, -1, -1, -2, -3, -3, -4]);
  });

  it("asymmetric padding: top 1, bottom 0, left 0, right 1", () => {
    const input = tensorOf([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const attrs = pool2d({ kind: "avg", window: 2, stride: 2, padding: [1, 0, 0, 1] });
    // rows {pad, 0} and {1, 2}; columns {0, 1} and {2, pad}
    const output = runOp(attrs, [1, 3, 3], input);
    expect(output.shape).toEqual([1, 1, 2, 2]);
    expectClose(output.data, [3 / 4, 3 / 4, 24 / 4, 15 / 4]);
  });

  it("L2 pool: sqrt of the sum of squares; padded cells add nothing", () => {
    const input = tensorOf([1, 1, 2], [3, 4]);
    expectClose(runOp(pool1d({ kind: "l2", window: 2 }), [1, 2], input).data, [5]);
    expectClose(runOp(pool1d({ kind: "l2", window: 2, stride: 1, padding: 1 }), [1, 2], input).data, [3, 5, 4]);
    const image = tensorOf([1, 1, 2, 2], [1, -2, 2, -4]);
    expectClose(runOp(pool2d({ kind: "l2", window: 2 }), [1, 2, 2], image).data, [5]);
  });

  it("pools every channel and every sample separately", () => {
    const input = tensorOf([2, 2, 1, 2], [1, 2, 30, 40, -5, -6, 7, 0]);
    const output = runOp(pool2d({ kind: "max", window: [1, 2] }), [2, 1, 2], input);
    expect(output.shape).toEqual([2, 2, 1, 1]);
    expectClose(output.data, [2, 40, -5, 7]);
  });
});

describe("global pooling", () => {
  it("global avg and max over H x W keep [C, 1, 1]", () => {
    const input = tensorOf([1, 2, 2, 2], [1, 2, 3, 6, -1, -2, -3, -4]);
    const avg = runOp({ op: "global_pool", kind: "avg" }, [2, 2, 2], input);
    expect(avg.shape).toEqual([1, 2, 1, 1]);
    expectClose(avg.data, [3, -2.5]);
    expectClose(runOp({ op: "global_pool", kind: "max" }, [2, 2, 2], input).data, [6, -1]);
  });

  it("global max over time on a 1-D [C, L] value gives [C, 1] (text CNN 1-max pooling)", () => {
    const input = tensorOf([2, 2, 3], [1, 5, 2, 0, -1, -7, 4, 4, 4, 9, 8, 9.5]);
    const output = runOp({ op: "global_pool", kind: "max" }, [2, 3], input);
    expect(output.shape).toEqual([2, 2, 1]);
    expectClose(output.data, [5, 0, 4, 9.5]);
  });
});
