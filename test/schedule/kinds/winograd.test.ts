// The winograd kind: legality (3x3, stride 1, dilation 1, no pooled output, constant weights), knobs,
// registration, the transform matrices (the F(2x2, 3x3) identity in float64) and the tolerance's growth.
import { describe, expect, it } from "vitest";
import { kindsForWorkload, scheduleKind } from "../../../src/schedule/registry.js";
import { winogradKind, winogradScheduleOf, winogradTolerance } from "../../../src/schedule/kinds/winograd.js";
import { F2X2_3X3, transformFilter, winogradMagnitudeGrowth } from "../../../src/schedule/kinds/winogradTransforms.js";
import { PORTABLE_TARGET, type ConvShape, type Workload } from "../../../src/schedule/types.js";
import { seededRandom } from "../../reference/graphBuilders.js";

const VGG: ConvShape = {
  batch: 1,
  C: 64,
  H: 56,
  W: 56,
  K: 64,
  OH: 56,
  OW: 56,
  KH: 3,
  KW: 3,
  groups: 1,
  stride: [1, 1],
  dilation: [1, 1],
  padding: { top: 1, bottom: 1, left: 1, right: 1 },
  paddingMode: "zeros",
};

function conv(change: Partial<ConvShape> = {}, rest: Partial<Extract<Workload, { op: "conv" }>> = {}): Workload {
  return { op: "conv", conv: { ...VGG, ...change }, epilogue: "bias+relu", pooled: "", store: "plain", constantWeights: true, ...rest };
}

describe("winograd legality", () => {
  it("computes a 3x3 stride-1 conv with constant weights, grouped or not", () => {
    expect(winogradKind.illegal(conv(), PORTABLE_TARGET)).toBeUndefined();
    expect(winogradKind.illegal(conv({ groups: 4 }), PORTABLE_TARGET)).toBeUndefined();
  });

  it("says why not for 5x5, stride 2, dilation 2, a pooled output, training and fc", () => {
    expect(winogradKind.illegal(conv({ KH: 5, KW: 5 }), PORTABLE_TARGET)).toBe("winograd needs a 3x3 kernel (this conv's is 5x5)");
    expect(winogradKind.illegal(conv({ stride: [2, 2] }), PORTABLE_TARGET)).toBe("winograd needs stride 1 (this conv's is 2x2)");
    expect(winogradKind.illegal(conv({ dilation: [2, 2] }), PORTABLE_TARGET)).toBe("winograd needs dilation 1 (this conv's is 2x2)");
    expect(winogradKind.illegal(conv({}, { pooled: "max 2x2/2" }), PORTABLE_TARGET)).toMatch(/pooled output/);
    expect(winogradKind.illegal(conv({}, { constantWeights: false }), PORTABLE_TARGET)).toMatch(/training step changes the weights on the device/);
    const fc: Workload = { op: "fc", batch: 1, inFeatures: 8, outFeatures: 4, epilogue: "", constantWeights: true };
    expect(winogradKind.illegal(fc, PORTABLE_TARGET)).toBe("winograd computes convs, not fc");
  });

  it("is registered for conv workloads", () => {
    expect(scheduleKind("winograd")).toBe(winogradKind);
    expect(kindsForWorkload(conv({ KH: 1, KW: 1 }), PORTABLE_TARGET).find((each) => each.definition === winogradKind)?.illegal).toMatch(/3x3/);
  });
});

describe("winograd knobs", () => {
  const gemm = { vectorWidth: 1, splitK: 1, workgroupMemory: false };

  it("defaults to legal knobs, the first of each knob's candidates", () => {
    const schedule = winogradKind.defaultSchedule(conv(), PORTABLE_TARGET);
    expect(schedule).toEqual({ kind: "winograd", variant: "f2x2_3x3", tileM: 4, tileN: 2, workgroupSize: 64, ...gemm });
    for (const [knob, values] of Object.entries(winogradKind.knobs)) expect(values[0]).toBe(schedule[knob]);
    expect(winogradKind.illegalKnobs(conv(), PORTABLE_TARGET, schedule)).toBeUndefined();
    // Fewer filters than the default tile: the default shrinks.
    expect(winogradKind.defaultSchedule(conv({ K: 6, groups: 1 }), PORTABLE_TARGET)["tileM"]).toBe(4);
    expect(winogradKind.defaultSchedule(conv({ K: 3, groups: 1 }), PORTABLE_TARGET)["tileM"]).toBe(2);
  });

  it("has the GEMM core's knobs, every candidate the space allows either legal or refused with a reason", () => {
    expect(Object.keys(winogradKind.knobs).sort()).toEqual(["splitK", "tileM", "tileN", "variant", "vectorWidth", "workgroupMemory", "workgroupSize"]);
    const base = winogradKind.defaultSchedule(conv(), PORTABLE_TARGET);
    expect(winogradKind.illegalKnobs(conv(), PORTABLE_TARGET, { ...base, tileM: 4, tileN: 4, vectorWidth: 4, splitK: 4 })).toBeUndefined();
    expect(winogradKind.illegalKnobs(conv(), PORTABLE_TARGET, { ...base, tileN: 2, vectorWidth: 4 })).toBe("tileN 2 is not a multiple of vectorWidth 4");
  });

  it("refuses knobs past the target's workgroup size, workgroup memory or the filters per group", () => {
    const schedule = { kind: "winograd", variant: "f2x2_3x3", tileM: 8, tileN: 1, workgroupSize: 128, ...gemm };
    const small = { ...PORTABLE_TARGET, limits: { ...PORTABLE_TARGET.limits, maxComputeInvocationsPerWorkgroup: 64 } };
    expect(winogradKind.illegalKnobs(conv(), small, schedule)).toMatch(/a workgroup of 128 invocations is more than the 64 the target allows/);
    expect(winogradKind.illegalKnobs(conv({ K: 8, groups: 2 }), PORTABLE_TARGET, { ...schedule, workgroupSize: 64 })).toMatch(/tileM 8 is more than the 4 filters per group/);
    // 16 planes of staged A and B tiles: 16 * 8 * (8 * 8 + 8 * 1) * 4 bytes = 36864 > 16384.
    expect(winogradKind.illegalKnobs(conv(), PORTABLE_TARGET, { ...schedule, workgroupSize: 64, workgroupMemory: true })).toMatch(/36864 bytes of workgroup memory is more than the 16384/);
    expect(winogradKind.illegalKnobs(conv(), PORTABLE_TARGET, { ...schedule, tileM: 1, tileN: 1, workgroupSize: 32, workgroupMemory: true })).toBeUndefined();
    expect(winogradKind.illegalKnobs(conv(), PORTABLE_TARGET, { ...schedule, tileN: 4 })).toBe("tileM x tileN = 32 is more than 16 (16 accumulators each)");
  });

  it("validates a plain schedule without applying defaults", () => {
    expect(() => winogradScheduleOf({ kind: "winograd", variant: "f2x2_3x3", tileM: 4, tileN: 2, ...gemm }, "c1")).toThrow(/c1: schedule "winograd" needs workgroupSize/);
    expect(() => winogradScheduleOf({ kind: "winograd", variant: "f2x2_3x3", tileM: 4, tileN: 2, workgroupSize: 64, vectorWidth: 1, splitK: 1 }, "c1")).toThrow(/workgroupMemory/);
    expect(() => winogradScheduleOf({ kind: "winograd", variant: "f6x6_3x3", tileM: 4, tileN: 2, workgroupSize: 64, ...gemm }, "c1")).toThrow(/variant/);
    expect(() => winogradScheduleOf({ kind: "winograd", variant: "f2x2_3x3", tileM: 8, tileN: 4, workgroupSize: 64, ...gemm }, "c1")).toThrow(/tileM x tileN = 32/);
    expect(() => winogradScheduleOf({ kind: "direct" }, "c1")).toThrow(/not winograd/);
  });
});

describe("the F(2x2, 3x3) transforms", () => {
  it("give the direct 3x3 correlation of a 4x4 patch in float64", () => {
    const random = seededRandom(5);
    const { AT, BT } = F2X2_3X3;
    for (let trial = 0; trial < 20; trial++) {
      const g = Array.from({ length: 9 }, () => random() * 2 - 1);
      const d = Array.from({ length: 16 }, () => random() * 2 - 1);
      const U = transformFilter(F2X2_3X3, g);
      // V = Bᵀ d B, M = U ⊙ V, Y = Aᵀ M A, written out from the definitions.
      const V = (r: number, c: number): number => {
        let sum = 0;
        for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) sum += BT[r]![a]! * d[a * 4 + b]! * BT[c]![b]!;
        return sum;
      };
      for (let y = 0; y < 2; y++) {
        for (let x = 0; x < 2; x++) {
          let winograd = 0;
          for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) winograd += AT[y]![r]! * U[r * 4 + c]! * V(r, c) * AT[x]![c]!;
          let direct = 0;
          for (let kh = 0; kh < 3; kh++) for (let kw = 0; kw < 3; kw++) direct += g[kh * 3 + kw]! * d[(y + kh) * 4 + x + kw]!;
          expect(Math.abs(winograd - direct)).toBeLessThan(1e-12);
        }
      }
    }
  });

  it("grow the summed magnitudes 9-fold (|Aᵀ| 3 x 3, |G| 1.5^2, |Bᵀ| 2^2, over 9 taps)", () => {
    expect(winogradMagnitudeGrowth(F2X2_3X3)).toBe(9);
    // atol = 4e-5 * 9 * sqrt(16 * C + 8): C = 64 gives 4e-5 * 9 * sqrt(1032).
    expect(winogradTolerance(64).atol).toBeCloseTo(4e-5 * 9 * Math.sqrt(1032), 12);
    expect(winogradTolerance(64, 2, 3).atol).toBeCloseTo(6 * 4e-5 * 9 * Math.sqrt(1032), 12);
  });
});
