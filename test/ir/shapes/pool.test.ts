import { describe, expect, it } from "vitest";
import { inferGlobalPoolShape, inferPoolShape } from "../../../src/ir/shapes/pool.js";
import type { ShapeResult } from "../../../src/ir/shapes/result.js";
import { pad, pool } from "../build.js";

function shapeOf(result: ShapeResult): number[] {
  if (!result.ok) throw new Error(result.problem.message);
  return result.facts.shape;
}

describe("pooling shapes", () => {
  it("halves the VGG volumes with 2x2 max pooling", () => {
    expect(shapeOf(inferPoolShape(pool("max", 2), [64, 224, 224]))).toEqual([64, 112, 112]);
    expect(shapeOf(inferPoolShape(pool("max", 2), [512, 14, 14]))).toEqual([512, 7, 7]);
  });

  it("overlapping pooling of AlexNet: 55 -> 3x3 stride 2 -> 27", () => {
    expect(shapeOf(inferPoolShape(pool("max", 3, { stride: [2, 2] }), [96, 55, 55]))).toEqual([96, 27, 27]);
  });

  it("floors by default and ceils on request", () => {
    expect(shapeOf(inferPoolShape(pool("avg", 2), [1, 7, 7]))).toEqual([1, 3, 3]);
    expect(shapeOf(inferPoolShape(pool("avg", 2, { rounding: "ceil" }), [1, 7, 7]))).toEqual([1, 4, 4]);
    expect(shapeOf(inferPoolShape(pool("max", 2, { rounding: "ceil", padding: pad(1) }), [1, 5, 5]))).toEqual([1, 3, 3]);
  });

  it("pools 1-D sequences, with max_over_time as the global version", () => {
    expect(shapeOf(inferPoolShape(pool("max", 2, { spatialRank: 1, window: [1, 2], stride: [1, 2] }), [8, 10]))).toEqual([8, 5]);
    expect(shapeOf(inferGlobalPoolShape({ op: "global_pool", kind: "max" }, [100, 5]))).toEqual([100, 1]);
  });

  it("keeps [C, 1, 1] after global pooling like AdaptiveAvgPool2d(1)", () => {
    expect(shapeOf(inferGlobalPoolShape({ op: "global_pool", kind: "avg" }, [1024, 7, 7]))).toEqual([1024, 1, 1]);
  });

  it("has no parameters or MACs", () => {
    const result = inferPoolShape(pool("l2", 2), [3, 4, 4]);
    expect(result).toMatchObject({ ok: true, facts: { params: [], paramCount: 0, macs: 0, activations: 12 } });
  });

  it("rejects padding over half the window, as PyTorch does", () => {
    expect(inferPoolShape(pool("max", 2, { padding: pad(2) }), [1, 8, 8])).toEqual({
      ok: false,
      problem: {
        code: "padding-too-large",
        message: "maxpool padding 2 is more than half its window",
        notes: ["a 2-wide window allows a padding of at most 1 per side"],
        hint: "use pad <= 1 or a larger window",
      },
    });
  });

  it("rejects a window larger than the input", () => {
    expect(inferPoolShape(pool("max", 3), [8, 2, 2])).toMatchObject({
      ok: false,
      problem: { code: "kernel-too-large", message: "maxpool window is larger than its padded input" },
    });
  });

  it("rejects pooling of a flat vector", () => {
    expect(inferPoolShape(pool("max", 2), [84])).toMatchObject({ ok: false, problem: { code: "wrong-rank" } });
    expect(inferGlobalPoolShape({ op: "global_pool", kind: "avg" }, [84])).toMatchObject({ ok: false, problem: { code: "wrong-rank" } });
  });
});
