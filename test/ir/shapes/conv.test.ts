import { describe, expect, it } from "vitest";
import { inferConvShape } from "../../../src/ir/shapes/conv.js";
import type { ShapeResult } from "../../../src/ir/shapes/result.js";
import { conv, conv1d, pad } from "../build.js";

function facts(result: ShapeResult) {
  if (!result.ok) throw new Error(`expected a shape, got ${result.problem.message}`);
  return result.facts;
}

function problem(result: ShapeResult) {
  if (result.ok) throw new Error(`expected a problem, got shape ${result.facts.shape.join("x")}`);
  return result.problem;
}

describe("conv shapes", () => {
  it("reproduces the notes' 32x32x3 input with ten 5x5 filters, stride 1, pad 2: 32x32x10 and 760 params", () => {
    const result = facts(inferConvShape(conv(10, 5, { padding: pad(2) }), [3, 32, 32]));
    expect(result.shape).toEqual([10, 32, 32]);
    expect(result.paramCount).toBe(760);
    expect(result.params).toEqual([
      { name: "weight", shape: [10, 3, 5, 5], trainable: true, init: "kaiming" },
      { name: "bias", shape: [10], trainable: true, init: "uniform_fan_in" },
    ]);
    expect(result.macs).toBe(32 * 32 * 10 * 5 * 5 * 3);
    expect(result.activations).toBe(10240);
  });

  it("reproduces AlexNet's CONV1: (227 - 11)/4 + 1 = 55", () => {
    const result = facts(inferConvShape(conv(96, 11, { stride: [4, 4] }), [3, 227, 227]));
    expect(result.shape).toEqual([96, 55, 55]);
    expect(result.paramCount).toBe(11 * 11 * 3 * 96 + 96);
  });

  it("explains a fractional output size with the notes' arithmetic and what would fit", () => {
    expect(problem(inferConvShape(conv(6, 3, { stride: [3, 3] }), [1, 7, 7]))).toEqual({
      code: "shape-not-integer",
      message: "conv output size is not a whole number",
      notes: ["(7 - 3 + 2*0)/3 + 1 = 2.33 is not a whole number", "the input is 1x7x7 (CxHxW)"],
      hint: "strides that fit: 1, 2; paddings that fit with stride 3: 1; or add rounding=floor to drop the incomplete last window (what PyTorch does)",
    });
  });

  it("names the one axis that does not fit", () => {
    const result = problem(inferConvShape(conv(4, 3, { stride: [2, 2] }), [1, 7, 8]));
    expect(result.message).toBe("conv output width is not a whole number");
    expect(result.notes).toEqual(["width: (8 - 3 + 2*0)/2 + 1 = 3.5 is not a whole number", "the input is 1x7x8 (CxHxW)"]);
    expect(result.hint).toBe(
      "for the width, strides that fit: 1; or add rounding=floor to drop the incomplete last window (what PyTorch does)",
    );
  });

  it("shows the dilated kernel in the arithmetic", () => {
    const result = problem(inferConvShape(conv(4, 3, { dilation: [2, 2], stride: [2, 2] }), [1, 8, 8]));
    expect(result.notes).toEqual([
      "(8 - 5 + 2*0)/2 + 1 = 2.5 is not a whole number",
      "dilated kernel: 2*(3 - 1) + 1 = 5",
      "the input is 1x8x8 (CxHxW)",
    ]);
  });

  it("floors or ceils when asked", () => {
    expect(facts(inferConvShape(conv(6, 3, { stride: [3, 3], rounding: "floor" }), [1, 7, 7])).shape).toEqual([6, 2, 2]);
    expect(facts(inferConvShape(conv(6, 3, { stride: [3, 3], rounding: "ceil" }), [1, 7, 7])).shape).toEqual([6, 3, 3]);
  });

  it("uses asymmetric padding [top, bottom, left, right] per side", () => {
    const result = facts(inferConvShape(conv(2, 3, { padding: pad(1, 0, 0, 2) }), [1, 5, 5]));
    expect(result.shape).toEqual([2, 4, 5]);
  });

  it("applies dilation: a 3x3 kernel at dilation 2 spans 5 pixels", () => {
    expect(facts(inferConvShape(conv(2, 3, { dilation: [2, 2] }), [1, 7, 7])).shape).toEqual([2, 3, 3]);
  });

  it("rejects a kernel larger than the padded input", () => {
    expect(problem(inferConvShape(conv(8, 5), [16, 3, 3]))).toEqual({
      code: "kernel-too-large",
      message: "conv kernel is larger than its padded input",
      notes: ["height and width: kernel 5 > input 3", "the input is 16x3x3 (CxHxW)"],
      hint: "use a smaller kernel or more padding, or downsample less before this layer",
    });
    // Padding the width to 5 makes it fit; only the height is reported.
    expect(problem(inferConvShape(conv(8, 5, { padding: pad(0, 0, 1, 1) }), [16, 3, 3])).notes).toEqual([
      "height: kernel 5 > input 3",
      "the input is 16x3x3 (CxHxW)",
    ]);
    expect(problem(inferConvShape(conv(8, 5, { padding: pad(0, 0, 0, 1) }), [16, 5, 3])).notes).toEqual([
      "width: kernel 5 > padded input 3 + 1 = 4",
      "the input is 16x5x3 (CxHxW)",
    ]);
  });

  it("counts grouped and depthwise convolutions per group", () => {
    const depthwise = facts(inferConvShape(conv(32, 3, { groups: 32, padding: pad(1), bias: false }), [32, 10, 10]));
    expect(depthwise.params[0]!.shape).toEqual([32, 1, 3, 3]);
    expect(depthwise.paramCount).toBe(32 * 9);
    expect(depthwise.macs).toBe(32 * 10 * 10 * 9);
  });

  it("rejects groups that do not divide the channels", () => {
    expect(problem(inferConvShape(conv(64, 3, { groups: 3 }), [64, 8, 8]))).toEqual({
      code: "groups-not-dividing",
      message: "conv groups=3 does not divide the 64 input channels",
      notes: ["groups must divide both the input channels (64) and the filters (64)"],
      hint: "use groups=1, 2, 4, 8, 16, 32 or 64",
    });
  });

  it("is a 1-D conv over CxL with PyTorch's Conv1d weight [K, C, F]", () => {
    const result = facts(inferConvShape(conv1d(100, 3), [5, 7]));
    expect(result.shape).toEqual([100, 5]);
    expect(result.params[0]!.shape).toEqual([100, 5, 3]);
    expect(result.paramCount).toBe(100 * 5 * 3 + 100);
    expect(result.macs).toBe(100 * 5 * 5 * 3);
    // The notes' 1x2 filter over 5 values with padLeft=0, padRight=1 keeps 5 outputs.
    expect(facts(inferConvShape(conv1d(1, 2, { padding: pad(0, 0, 0, 1) }), [1, 5])).shape).toEqual([1, 5]);
  });

  it("rejects conv on a flat vector", () => {
    expect(problem(inferConvShape(conv(8, 3), [120]))).toEqual({
      code: "wrong-rank",
      message: "conv needs a CxHxW input (or CxL for a 1-D conv), but its input is a vector of 120 features",
      hint: "convolutions must come before fc/flatten; a flat vector has no spatial layout left",
    });
  });

  it("rejects reflect padding as large as the input", () => {
    expect(problem(inferConvShape(conv(1, 3, { padding: pad(3), paddingMode: "reflect" }), [1, 3, 3]))).toEqual({
      code: "padding-too-large",
      message: "conv reflect padding of 3 is too large for an input height of 3",
      notes: ["reflect padding can add at most 2 on each side of an axis of size 3"],
      hint: "use pad <= 2, or padding_mode=zeros or replicate",
    });
  });

  it("rejects zero sizes in attributes", () => {
    expect(problem(inferConvShape(conv(0, 3), [1, 8, 8])).message).toBe("conv filters must be a whole number >= 1, got 0");
    expect(problem(inferConvShape(conv(1, 3, { stride: [0, 1] }), [1, 8, 8])).message).toBe("conv stride must be a whole number >= 1, got 0");
  });
});
