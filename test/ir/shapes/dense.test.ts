import { describe, expect, it } from "vitest";
import { inferFcShape, inferFlattenShape } from "../../../src/ir/shapes/dense.js";
import { inferAddShape, inferConcatShape } from "../../../src/ir/shapes/merge.js";
import { inferBatchNormShape, inferLrnShape } from "../../../src/ir/shapes/normalization.js";
import { inferActivationShape, inferDropoutShape } from "../../../src/ir/shapes/elementwise.js";
import { inferInputShape } from "../../../src/ir/shapes/input.js";

describe("fc and flatten", () => {
  it("flattens a 7x7x512 volume into VGG's first FC: 7*7*512*4096 + 4096", () => {
    const result = inferFcShape({ op: "fc", outFeatures: 4096, bias: true }, [512, 7, 7]);
    expect(result).toMatchObject({ ok: true, facts: { shape: [4096], paramCount: 102_760_448 + 4096, macs: 102_760_448 } });
    if (result.ok) expect(result.facts.params.map((p) => p.shape)).toEqual([[4096, 25088], [4096]]);
  });

  it("drops the bias on request", () => {
    expect(inferFcShape({ op: "fc", outFeatures: 10, bias: false }, [84])).toMatchObject({ ok: true, facts: { paramCount: 840 } });
  });

  it("flattens to one feature axis", () => {
    expect(inferFlattenShape([16, 5, 5])).toMatchObject({ ok: true, facts: { shape: [400], paramCount: 0 } });
  });
});

describe("normalization", () => {
  it("batchnorm has weight and bias per channel plus running statistics that are not parameters", () => {
    const result = inferBatchNormShape({ op: "batchnorm", eps: 1e-5, momentum: 0.1 }, [64, 56, 56]);
    expect(result).toMatchObject({ ok: true, facts: { shape: [64, 56, 56], paramCount: 128 } });
    if (result.ok) {
      expect(result.facts.params.map((p) => [p.name, p.shape, p.trainable])).toEqual([
        ["weight", [64], true],
        ["bias", [64], true],
        ["running_mean", [64], false],
        ["running_var", [64], false],
      ]);
    }
  });

  it("batchnorm after fc is per feature", () => {
    expect(inferBatchNormShape({ op: "batchnorm", eps: 1e-5, momentum: 0.1 }, [120])).toMatchObject({ ok: true, facts: { paramCount: 240 } });
  });

  it("lrn keeps the volume and needs channels", () => {
    expect(inferLrnShape({ op: "lrn", size: 5, alpha: 1e-4, beta: 0.75, k: 2 }, [96, 55, 55])).toMatchObject({ ok: true, facts: { shape: [96, 55, 55] } });
    expect(inferLrnShape({ op: "lrn", size: 5, alpha: 1e-4, beta: 0.75, k: 2 }, [96])).toMatchObject({ ok: false, problem: { code: "wrong-rank" } });
  });
});

describe("add and concat", () => {
  it("adds identical shapes", () => {
    expect(inferAddShape([[64, 8, 8], [64, 8, 8]])).toMatchObject({ ok: true, facts: { shape: [64, 8, 8] } });
  });

  it("explains an add of different shapes", () => {
    expect(inferAddShape([[128, 4, 4], [64, 8, 8]], ["b", "in"])).toEqual({
      ok: false,
      problem: {
        code: "add-shape-mismatch",
        message: "add inputs have different shapes",
        notes: ["b is 128x4x4 (CxHxW)", "in is 64x8x8 (CxHxW)"],
        hint: "add needs identical shapes: use a 1x1 conv (with a stride) on the shortcut to match channels and size",
      },
    });
  });

  it("concatenates along channels", () => {
    expect(inferConcatShape([[64, 28, 28], [128, 28, 28], [32, 28, 28], [32, 28, 28]])).toMatchObject({
      ok: true,
      facts: { shape: [256, 28, 28] },
    });
    expect(inferConcatShape([[100, 1], [100, 1], [100, 1]])).toMatchObject({ ok: true, facts: { shape: [300, 1] } });
  });

  it("explains a concat of different heights/widths", () => {
    expect(inferConcatShape([[64, 28, 28], [32, 14, 14]], ["a", "b"])).toEqual({
      ok: false,
      problem: {
        code: "concat-shape-mismatch",
        message: "concat inputs have different heights/widths",
        notes: ["a is 64x28x28 (CxHxW)", "b is 32x14x14 (CxHxW)"],
        hint: "concat joins along channels, so every other size must match: pad or stride the branches to the same size",
      },
    });
    expect(inferConcatShape([[64, 28, 28], [10]])).toMatchObject({ ok: false, problem: { message: "concat inputs have different ranks" } });
  });
});

describe("elementwise and inputs", () => {
  it("keeps shapes", () => {
    expect(inferActivationShape({ op: "leaky_relu", alpha: 0.01 }, [3, 2, 2])).toMatchObject({ ok: true, facts: { shape: [3, 2, 2], activations: 12 } });
  });

  it("checks dropout's probability", () => {
    expect(inferDropoutShape(1, [10])).toMatchObject({ ok: false, problem: { message: "dropout p must be at least 0 and below 1, got 1" } });
  });

  it("accepts CxHxW, CxL and F inputs with positive sizes only", () => {
    expect(inferInputShape([3, 224, 224])).toMatchObject({ ok: true });
    expect(inferInputShape([5, 7])).toMatchObject({ ok: true });
    expect(inferInputShape([3, 0, 4])).toMatchObject({ ok: false, problem: { message: "input sizes must be whole numbers >= 1, got 3x0x4" } });
    expect(inferInputShape([1, 2, 3, 4])).toMatchObject({ ok: false, problem: { code: "bad-input-shape" } });
  });
});
