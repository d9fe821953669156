import { describe, expect, it } from "vitest";
import { BASIC_KINDS } from "./basicKinds.js";
import { directKind } from "../../src/schedule/kinds/direct.js";
import { estimateCost, modelChoice } from "../../src/schedule/costModel.js";
import { PORTABLE_TARGET, type ScheduleKindDefinition } from "../../src/schedule/types.js";
import { handCalibration } from "./handCalibration.js";
import { convWorkload, fcWorkload } from "./workloads.js";

const big = convWorkload({ batch: 16, C: 64, H: 34, K: 64, kernel: 3 });
const tiny = convWorkload({ C: 2, H: 4, K: 8, kernel: 3 });

describe("estimateCost", () => {
  it("counts the FLOPs, launches, invocations, occupancy and tile padding", () => {
    const conv = convWorkload({ C: 3, H: 6, K: 6, kernel: 3 });
    const calibration = handCalibration({ secondsPerFlop: { direct: 1e-9, im2col: 1e-9 } });
    const estimate = estimateCost(conv, PORTABLE_TARGET, { kind: "direct", outputChannelsPerInvocation: 2, pixelsPerInvocation: 8, workgroupSize: 64 }, calibration, BASIC_KINDS);
    // 6 filters x 16 pixels x 27 multiply-adds; blocks of 2 channels x 8 pixels: 3 x 2 invocations, no padding.
    expect(estimate.flops).toBe(2 * 6 * 16 * 27);
    expect(estimate).toMatchObject({ launches: 1, invocations: 6, wasteFraction: 0 });
    expect(estimate.occupancy).toBeCloseTo(6 / 16);
    // Under-occupied: the compute term counts as if the target were full.
    expect(estimate.seconds).toBeCloseTo((2 * 6 * 16 * 27 * 1e-9) / (6 / 16), 15);
    const im2col = estimateCost(conv, PORTABLE_TARGET, { kind: "im2col", tileM: 4, tileN: 16, vectorWidth: 4, workgroupSize: 64, splitK: 1, workgroupMemory: false, maxChunkColumns: 0 }, calibration, BASIC_KINDS);
    // 6 filters in tiles of 4: 8 rows computed for 6.
    expect(im2col.wasteFraction).toBeCloseTo(1 - 6 / 8);
    expect(im2col.launches).toBe(2);
    expect(im2col.bytes).toBeGreaterThan(estimate.bytes);
  });

  it("counts the re-reads a smaller register tile implies", () => {
    const calibration = handCalibration({ secondsPerFlop: { direct: 0 } });
    const bytes = (channels: number): number =>
      estimateCost(big, PORTABLE_TARGET, { kind: "direct", outputChannelsPerInvocation: channels, pixelsPerInvocation: 8, workgroupSize: 64 }, calibration, BASIC_KINDS).bytes;
    expect(bytes(1)).toBeGreaterThan(bytes(8));
  });

  it("is an internal error for a kind without a cost formula or a calibration without the kind's rate", () => {
    // Legal everywhere (direct's own knob check would refuse a schedule of another kind), without a formula.
    const mystery: ScheduleKindDefinition = { ...directKind, kind: "mystery", illegalKnobs: () => undefined, defaultSchedule: () => ({ kind: "mystery", outputChannelsPerInvocation: 1, pixelsPerInvocation: 1, workgroupSize: 64 }) };
    const calibration = handCalibration({ secondsPerFlop: { mystery: 1e-9 } });
    expect(() => estimateCost(tiny, PORTABLE_TARGET, mystery.defaultSchedule(tiny, PORTABLE_TARGET), calibration, [mystery])).toThrow(
      /internal: the cost model has no formula for schedule kind "mystery"/,
    );
    expect(() => modelChoice(tiny, PORTABLE_TARGET, BASIC_KINDS, handCalibration({ secondsPerFlop: { direct: 1e-9 } }))).toThrow(/no secondsPerFlop for schedule kind "im2col"/);
  });
});

describe("modelChoice", () => {
  it("picks the kind with the higher rate", () => {
    const fastIm2col = modelChoice(big, PORTABLE_TARGET, BASIC_KINDS, handCalibration({ secondsPerFlop: { direct: 1e-9, im2col: 1e-10 } }));
    expect(fastIm2col.schedule.kind).toBe("im2col");
    const fastDirect = modelChoice(big, PORTABLE_TARGET, BASIC_KINDS, handCalibration({ secondsPerFlop: { direct: 1e-10, im2col: 1e-9 } }));
    expect(fastDirect.schedule.kind).toBe("direct");
    expect(fastDirect.candidates.map(({ schedule }) => schedule.kind)).toContain("im2col");
    expect(Math.min(...fastDirect.candidates.map(({ estimate }) => estimate.seconds))).toBe(fastDirect.estimate.seconds);
  });

  it("weighs launches: a tiny conv runs in one kernel even where the two-kernel im2col computes faster", () => {
    const calibration = handCalibration({ launchSeconds: 20e-6, secondsPerFlop: { direct: 1e-9, im2col: 0.25e-9 } });
    expect(modelChoice(tiny, PORTABLE_TARGET, BASIC_KINDS, calibration, "knobs").schedule.kind).toBe("direct");
    expect(modelChoice(big, PORTABLE_TARGET, BASIC_KINDS, calibration, "knobs").schedule.kind).toBe("im2col");
  });

  it("weighs, by default, each legal kind at its default knobs (knobs are the tuner's)", () => {
    const calibration = handCalibration({ secondsPerFlop: { direct: 1e-9, im2col: 1e-9 } });
    const choice = modelChoice(big, PORTABLE_TARGET, BASIC_KINDS, calibration);
    const defaults = BASIC_KINDS.filter((kind) => kind.ops.includes("conv") && kind.illegal(big, PORTABLE_TARGET) === undefined).map((kind) => kind.defaultSchedule(big, PORTABLE_TARGET));
    expect(choice.candidates.map(({ schedule }) => schedule)).toEqual(defaults);
    expect(modelChoice(big, PORTABLE_TARGET, BASIC_KINDS, calibration, "knobs").candidates.length).toBeGreaterThan(defaults.length);
  });

  it("never chooses an illegal kind, however fast it would be", () => {
    const pooled = convWorkload({ batch: 16, C: 64, H: 34, K: 64, kernel: 3, pooled: "max 2x2/2" });
    const choice = modelChoice(pooled, PORTABLE_TARGET, BASIC_KINDS, handCalibration({ secondsPerFlop: { direct: 1e-9, im2col: 1e-15 } }));
    expect(choice.schedule.kind).toBe("direct");
    expect(choice.candidates.every(({ schedule }) => schedule.kind === "direct")).toBe(true);
  });

  it("costs an fc with the fc GEMM's knobs", () => {
    const choice = modelChoice(fcWorkload(16, 400, 120), PORTABLE_TARGET, BASIC_KINDS, handCalibration({ secondsPerByte: 1e-10, secondsPerFlop: { gemm: 1e-10 } }));
    expect(choice.schedule.kind).toBe("gemm");
    expect(choice.estimate.flops).toBe(2 * 16 * 400 * 120);
  });
});
