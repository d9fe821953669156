// The kinds of this registry: their knob spaces are legal where the kind is, their defaults are
// legal, their validators reject malformed schedules as internal errors, and a pooled output is
// direct's alone.
import { describe, expect, it } from "vitest";
import { directKind, directScheduleOf } from "../../src/schedule/kinds/direct.js";
import { gemmKind, gemmScheduleOf } from "../../src/schedule/kinds/gemm.js";
import { im2colKind, im2colScheduleOf } from "../../src/schedule/kinds/im2col.js";
import { kindsForWorkload, SCHEDULE_KINDS, scheduleKind } from "../../src/schedule/registry.js";
import { PORTABLE_TARGET, type ConvShape, type Workload } from "../../src/schedule/types.js";

const conv = (overrides: Partial<ConvShape> = {}): ConvShape => ({
  batch: 1,
  C: 16,
  H: 8,
  W: 8,
  K: 12,
  OH: 8,
  OW: 8,
  KH: 3,
  KW: 3,
  groups: 1,
  stride: [1, 1],
  dilation: [1, 1],
  padding: { top: 1, bottom: 1, left: 1, right: 1 },
  paddingMode: "zeros",
  ...overrides,
});
const convWorkload = (pooled = "", shape: Partial<ConvShape> = {}): Workload => ({ op: "conv", conv: conv(shape), epilogue: "bias", pooled, store: "plain", constantWeights: true });
const fcWorkload: Workload = { op: "fc", batch: 2, inFeatures: 30, outFeatures: 10, epilogue: "bias", constantWeights: true };

describe("schedule kinds", () => {
  it("registers the forward kinds, then the training backward kinds", () => {
    expect(SCHEDULE_KINDS.map((definition) => definition.kind)).toEqual([
      "direct",
      "im2col",
      "implicit_gemm",
      "winograd",
      "gemm",
      "data_gemm",
      "filter_gemm",
      "fc_data_gemm",
      "fc_weight_gemm",
    ]);
    expect(scheduleKind("im2col")).toBe(im2colKind);
  });

  it("makes only direct legal for a pooled conv, conv kinds for a conv, gemm for fc", () => {
    const legal = (workload: Workload) => kindsForWorkload(workload, PORTABLE_TARGET).filter((entry) => entry.illegal === undefined).map((entry) => entry.definition.kind);
    // A 3x3 stride-1 conv with constant weights: every forward conv kind but the 1x1 GEMM.
    expect(legal(convWorkload())).toEqual(["direct", "im2col", "implicit_gemm", "winograd"]);
    expect(legal(convWorkload("max 2x2/2x2"))).toEqual(["direct"]);
    expect(im2colKind.illegal(convWorkload("max 2x2/2x2"), PORTABLE_TARGET)).toBe("computes a pooled output, which only direct does");
    expect(legal(fcWorkload)).toEqual(["gemm"]);
  });

  it("checks every point of the direct knob space: channel blocks must divide the filters per group", () => {
    const workload = convWorkload("", { K: 12, groups: 1 });
    for (const channels of directKind.knobs["outputChannelsPerInvocation"]!) {
      const schedule = { kind: "direct", outputChannelsPerInvocation: channels as number, pixelsPerInvocation: 4, workgroupSize: 64 };
      const problem = directKind.illegalKnobs(workload, PORTABLE_TARGET, schedule);
      if (12 % (channels as number) === 0) expect(problem).toBeUndefined();
      else expect(problem).toBe(`${String(channels)} channels per invocation do not divide the 12 filters per group`);
    }
  });

  it("has legal defaults, pooled ones holding whole windows", () => {
    for (const workload of [convWorkload(), convWorkload("max 2x2/2x2"), convWorkload("avg 3x3/2x2 pad 1,1,1,1"), convWorkload("", { K: 12, groups: 12, C: 12 })]) {
      for (const definition of [directKind, im2colKind]) {
        if (definition.illegal(workload, PORTABLE_TARGET) !== undefined) continue;
        expect(definition.illegalKnobs(workload, PORTABLE_TARGET, definition.defaultSchedule(workload, PORTABLE_TARGET))).toBeUndefined();
      }
    }
    expect(directKind.defaultSchedule(convWorkload("avg 3x3/2x2 pad 1,1,1,1"), PORTABLE_TARGET)).toEqual({
      kind: "direct",
      // 12 filters: a 4-channel block; one pooled pixel of 9 conv pixels keeps 36 accumulators (<= 1.5 x 4 x 8).
      outputChannelsPerInvocation: 4,
      pixelsPerInvocation: 1,
      workgroupSize: 64,
    });
    expect(gemmKind.illegalKnobs(fcWorkload, PORTABLE_TARGET, gemmKind.defaultSchedule(fcWorkload, PORTABLE_TARGET))).toBeUndefined();
  });

  it("validates a node's schedule without defaults: a missing or malformed knob is an internal error", () => {
    expect(() => directScheduleOf({ kind: "direct", outputChannelsPerInvocation: 4, pixelsPerInvocation: 4 }, "conv c")).toThrow(
      "internal: conv c: schedule direct needs workgroupSize to be an integer in 1..1024, got undefined",
    );
    const im2col = { kind: "im2col", tileM: 4, tileN: 16, vectorWidth: 4, workgroupSize: 64, splitK: 1, workgroupMemory: false, maxChunkColumns: 0 };
    expect(() => im2colScheduleOf({ ...im2col, tileN: 6 }, "conv c")).toThrow('internal: conv c: schedule "im2col" tileN 6 is not a multiple of vectorWidth 4');
    expect(() => im2colScheduleOf({ kind: "im2col", tileM: 4, tileN: 16, workgroupSize: 64, splitK: 1, workgroupMemory: false, maxChunkColumns: 0 }, "conv c")).toThrow('internal: conv c: schedule "im2col" needs vectorWidth 1 or 4, got undefined');
    expect(() => im2colScheduleOf({ ...im2col, maxChunkColumns: 6 }, "conv c")).toThrow("im2col maxChunkColumns must be 0 or a positive multiple of 4, got 6");
    expect(im2colScheduleOf(im2col, "conv c")).toEqual(im2col);
    expect(() => gemmScheduleOf({ kind: "direct" }, "fc f")).toThrow('internal: fc f: expected a gemm schedule, got "direct"');
    const gemm = { kind: "gemm", tileM: 2, tileN: 4, vectorWidth: 1, workgroupSize: 8, splitK: 1, workgroupMemory: false };
    expect(gemmScheduleOf(gemm, "fc f")).toEqual(gemm);
    expect(() => gemmScheduleOf({ kind: "gemm", tileM: 2, tileN: 4, vectorWidth: 1, workgroupSize: 8, splitK: 1 }, "fc f")).toThrow('internal: fc f: schedule "gemm" needs workgroupMemory true or false, got undefined');
  });
});
