// Folded batchnorm's parameters against values worked out by hand.
import { describe, expect, it } from "vitest";

import { deriveParams } from "../../runtime/derivedParams.js";
import { DeviceWeights } from "../../runtime/deviceWeights.js";
import type { DerivedParam } from "../../src/kernels/kernelGraph.js";
import { makeTensor, type WeightMap } from "../../src/tensor.js";
import { userError } from "../support/userError.js";

const from = { weight: "bn.weight", bias: "bn.bias", runningMean: "bn.running_mean", runningVar: "bn.running_var" };
const scale: DerivedParam = { name: "bn:scale", transform: "batchnorm_scale", layer: 1, from, eps: 0.25, elements: 2 };
const shift: DerivedParam = { ...scale, name: "bn:shift", transform: "batchnorm_shift" };

function weights(entries: Record<string, number[]>): WeightMap {
  return new Map(Object.entries(entries).map(([name, values]) => [name, makeTensor([values.length], Float32Array.from(values))]));
}

const BN = { "bn.weight": [2, -3], "bn.bias": [0.5, 1], "bn.running_mean": [1, -2], "bn.running_var": [3.75, 0] };

describe("deriveParams", () => {
  it("computes scale = weight / sqrt(var + eps) and shift = bias - mean * scale", () => {
    // channel 0: scale 2 / sqrt(4) = 1, shift 0.5 - 1 * 1 = -0.5; channel 1: scale -3 / sqrt(0.25) = -6, shift 1 - (-2)(-6) = -11.
    const derived = deriveParams([scale, shift], weights(BN));
    expect([...derived.keys()]).toEqual(["bn:scale", "bn:shift"]);
    expect(derived.get("bn:scale")!.shape).toEqual([2]);
    expect([...derived.get("bn:scale")!.data]).toEqual([1, -6]);
    expect([...derived.get("bn:shift")!.data]).toEqual([-0.5, -11]);
  });

  it("computes in float64 and rounds once to float32", () => {
    // 1 / sqrt(3): float64 then rounded, not a product of float32 roundings.
    const derived = deriveParams([{ ...scale, eps: 0, elements: 1 }], weights({ "bn.weight": [1], "bn.running_var": [3] }));
    expect(derived.get("bn:scale")!.data[0]).toBe(Math.fround(1 / Math.sqrt(3)));
  });

  it("keeps NaN visible", () => {
    const derived = deriveParams([scale], weights({ ...BN, "bn.running_var": [Number.NaN, 0] }));
    expect(Number.isNaN(derived.get("bn:scale")!.data[0])).toBe(true);
  });

  it("names a missing or mis-sized source tensor", () => {
    const missing = userError(() => deriveParams([shift], weights({ "bn.weight": [2, -3], "bn.running_var": [1, 1] })));
    expect(missing.message).toBe("the weights have no tensor `bn.bias`, which bn:shift (folded batchnorm) is computed from");
    const wrong = userError(() => deriveParams([scale], weights({ "bn.weight": [2, -3, 4], "bn.running_var": [1, 1] })));
    expect(wrong.message).toBe("weight `bn.weight` has shape [3] but bn:scale (folded batchnorm) needs 2 values");
  });
});

describe("DeviceWeights.addDerived", () => {
  it("serves a derived parameter by name, like a state_dict tensor, once computed", () => {
    // requireAll checks names and sizes only: no GPU work, so no device is needed.
    const deviceWeights = new DeviceWeights({} as GPUDevice, weights(BN));
    const wanted = [{ paramName: "bn:scale", tensorBytes: 8 }];
    expect(userError(() => deviceWeights.requireAll(wanted)).message).toBe("the weights have no tensor `bn:scale`");
    deviceWeights.addDerived([scale, shift]);
    deviceWeights.addDerived([scale]);
    expect(() => deviceWeights.requireAll([...wanted, { paramName: "bn:shift", tensorBytes: 8 }])).not.toThrow();
    expect(deviceWeights.weights.has("bn:scale")).toBe(false);
  });
});
