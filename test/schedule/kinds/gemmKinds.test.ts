// The GEMM-core schedule kinds (im2col, implicit_gemm, gemm) as data: which workloads each computes
// and why not, knob legality against a target's limits, defaults that are legal, and the validators
// that turn a node's plain schedule into the typed one (refusing malformed ones, applying no defaults).
import { describe, expect, it } from "vitest";
import { gemmKind, gemmScheduleOf } from "../../../src/schedule/kinds/gemm.js";
import { POOLED_ILLEGAL, workgroupMemoryBytes } from "../../../src/schedule/kinds/gemmKnobs.js";
import { im2colKind, im2colScheduleOf } from "../../../src/schedule/kinds/im2col.js";
import { implicitGemmKind, implicitGemmScheduleOf } from "../../../src/schedule/kinds/implicitGemm.js";
import { kindsForWorkload, scheduleKind } from "../../../src/schedule/registry.js";
import { PORTABLE_TARGET, type ConvShape, type Target, type Workload } from "../../../src/schedule/types.js";

function conv(overrides: Partial<ConvShape> = {}, pooled = ""): Workload {
  const shape: ConvShape = {
    batch: 2, C: 16, H: 8, W: 8, K: 32, OH: 8, OW: 8, KH: 3, KW: 3, groups: 1,
    stride: [1, 1], dilation: [1, 1], padding: { top: 1, bottom: 1, left: 1, right: 1 }, paddingMode: "zeros",
    ...overrides,
  };
  return { op: "conv", conv: shape, epilogue: "bias", pooled, store: "plain", constantWeights: true };
}

const pointwise = conv({ KH: 1, KW: 1, padding: { top: 0, bottom: 0, left: 0, right: 0 } });
const fc: Workload = { op: "fc", batch: 4, inFeatures: 100, outFeatures: 10, epilogue: "bias", constantWeights: true };
const KINDS = [im2colKind, implicitGemmKind, gemmKind];

describe("GEMM-core kinds: legality", () => {
  it("are registered", () => {
    for (const kind of KINDS) expect(scheduleKind(kind.kind)).toBe(kind);
    expect(kindsForWorkload(fc, PORTABLE_TARGET).map((entry) => entry.definition.kind)).toContain("gemm");
  });

  it("refuse a conv computing a pooled output", () => {
    for (const kind of KINDS) expect(kind.illegal(conv({}, "max 2x2/2"), PORTABLE_TARGET)).toBe(POOLED_ILLEGAL);
  });

  it("im2col and implicit_gemm compute any conv; gemm only 1x1 stride-1 unpadded ungrouped convs, and fc", () => {
    const convs = [conv(), conv({ groups: 4, K: 8 }), conv({ stride: [2, 2], OH: 4, OW: 4 }), conv({ dilation: [2, 1], paddingMode: "reflect" }), pointwise];
    for (const workload of convs) {
      expect(im2colKind.illegal(workload, PORTABLE_TARGET)).toBeUndefined();
      expect(implicitGemmKind.illegal(workload, PORTABLE_TARGET)).toBeUndefined();
    }
    expect(im2colKind.illegal(fc, PORTABLE_TARGET)).toMatch(/not fc/);
    expect(gemmKind.illegal(fc, PORTABLE_TARGET)).toBeUndefined();
    expect(gemmKind.illegal(pointwise, PORTABLE_TARGET)).toBeUndefined();
    expect(gemmKind.illegal(conv(), PORTABLE_TARGET)).toMatch(/1x1 convs .* 3x3/);
    expect(gemmKind.illegal(conv({ KH: 1, KW: 1 }), PORTABLE_TARGET)).toMatch(/unpadded/);
    const unpadded = { KH: 1, KW: 1, padding: { top: 0, bottom: 0, left: 0, right: 0 } };
    expect(gemmKind.illegal(conv({ ...unpadded, stride: [2, 1] }), PORTABLE_TARGET)).toMatch(/stride-1/);
    expect(gemmKind.illegal(conv({ ...unpadded, groups: 2 }), PORTABLE_TARGET)).toMatch(/ungrouped/);
    expect(gemmKind.illegal(conv({ ...unpadded, dilation: [3, 3] }), PORTABLE_TARGET)).toBeUndefined();
  });

  it("default schedules are legal and validate", () => {
    for (const [kind, workload, validate] of [
      [im2colKind, conv(), im2colScheduleOf],
      [implicitGemmKind, conv(), implicitGemmScheduleOf],
      [gemmKind, pointwise, gemmScheduleOf],
      [gemmKind, fc, gemmScheduleOf],
    ] as const) {
      const schedule = kind.defaultSchedule(workload, PORTABLE_TARGET);
      expect(kind.illegalKnobs(workload, PORTABLE_TARGET, schedule)).toBeUndefined();
      expect(validate(schedule, "l1")).toEqual(schedule);
      expect(schedule["workgroupMemory"]).toBe(false);
    }
  });

  it("knobs past the target's workgroup size or workgroup memory are illegal", () => {
    const base = implicitGemmKind.defaultSchedule(conv(), PORTABLE_TARGET);
    const small: Target = { ...PORTABLE_TARGET, limits: { ...PORTABLE_TARGET.limits, maxComputeInvocationsPerWorkgroup: 128 } };
    expect(implicitGemmKind.illegalKnobs(conv(), small, { ...base, workgroupSize: 256 })).toMatch(/256 invocations .* 128/);
    expect(implicitGemmKind.illegalKnobs(conv(), PORTABLE_TARGET, { ...base, workgroupSize: 256 })).toBeUndefined();
    const big = { ...base, tileM: 16, tileN: 32, workgroupSize: 256, workgroupMemory: true };
    expect(workgroupMemoryBytes(1, { tileM: 16, tileN: 32, workgroupSize: 256, workgroupMemory: true })).toBe(8 * (16 * 16 + 16 * 32) * 4);
    expect(implicitGemmKind.illegalKnobs(conv(), PORTABLE_TARGET, big)).toMatch(/24576 bytes of workgroup memory .* 16384/);
    const roomy: Target = { ...PORTABLE_TARGET, limits: { ...PORTABLE_TARGET.limits, maxComputeWorkgroupStorageSize: 32768 } };
    expect(implicitGemmKind.illegalKnobs(conv(), roomy, big)).toBeUndefined();
    expect(implicitGemmKind.illegalKnobs(conv(), roomy, { ...big, workgroupMemory: false })).toBeUndefined();
  });
});

describe("GEMM-core kinds: typed schedules", () => {
  const good = { kind: "implicit_gemm", tileM: 4, tileN: 8, vectorWidth: 4, workgroupSize: 64, splitK: 2, workgroupMemory: true };

  it("validate without applying defaults", () => {
    expect(implicitGemmScheduleOf(good, "c1")).toEqual(good);
    const { splitK: _dropped, ...missing } = good;
    expect(() => implicitGemmScheduleOf(missing, "c1")).toThrow(/internal: c1: .* splitK to be an integer/);
    expect(() => implicitGemmScheduleOf({ ...good, vectorWidth: 2 }, "c1")).toThrow(/vectorWidth 1 or 4/);
    expect(() => implicitGemmScheduleOf({ ...good, tileN: 6 }, "c1")).toThrow(/tileN 6 is not a multiple of vectorWidth 4/);
    expect(() => implicitGemmScheduleOf({ ...good, workgroupMemory: 1 }, "c1")).toThrow(/workgroupMemory true or false/);
    expect(() => implicitGemmScheduleOf({ ...good, kind: "im2col" }, "c1")).toThrow(/expected an implicit_gemm schedule/);
  });

  it("im2col needs vec4 columns and a chunk size; gemm takes an optional weight binding cap", () => {
    const im2col = { ...good, kind: "im2col", maxChunkColumns: 64 };
    expect(im2colScheduleOf(im2col, "c1")).toEqual(im2col);
    expect(() => im2colScheduleOf({ ...im2col, vectorWidth: 1, tileN: 8 }, "c1")).toThrow(/needs vectorWidth 4/);
    expect(() => im2colScheduleOf({ ...im2col, maxChunkColumns: 6 }, "c1")).toThrow(/multiple of 4/);
    const gemm = { ...good, kind: "gemm", maxWeightBindingBytes: 4096 };
    expect(gemmScheduleOf(gemm, "f1")).toEqual(gemm);
    expect(() => gemmScheduleOf({ ...gemm, maxWeightBindingBytes: 0 }, "f1")).toThrow(/positive integer/);
  });
});
