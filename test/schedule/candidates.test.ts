import { describe, expect, it } from "vitest";
import { BASIC_KINDS } from "./basicKinds.js";
import { directKind } from "../../src/schedule/kinds/direct.js";
import { im2colKind } from "../../src/schedule/kinds/im2col.js";
import { candidateSchedules, scheduleText } from "../../src/schedule/candidates.js";
import { PORTABLE_TARGET, type Target } from "../../src/schedule/types.js";
import { convWorkload, fcWorkload } from "./workloads.js";

const conv = convWorkload({ C: 16, H: 12, K: 6, kernel: 3 });

describe("candidateSchedules", () => {
  it("is deterministic and at most the limit", () => {
    const first = candidateSchedules(conv, PORTABLE_TARGET, BASIC_KINDS);
    expect(candidateSchedules(conv, PORTABLE_TARGET, BASIC_KINDS)).toEqual(first);
    expect(first).toHaveLength(24);
    expect(candidateSchedules(conv, PORTABLE_TARGET, BASIC_KINDS, 7)).toHaveLength(7);
  });

  it("puts each legal kind's default first, in the kinds' order", () => {
    const candidates = candidateSchedules(conv, PORTABLE_TARGET, BASIC_KINDS);
    expect(candidates.slice(0, 2)).toEqual([directKind.defaultSchedule(conv, PORTABLE_TARGET), im2colKind.defaultSchedule(conv, PORTABLE_TARGET)]);
  });

  it("keeps every legal kind even under a tight limit, and no kind of another op", () => {
    const kinds = candidateSchedules(conv, PORTABLE_TARGET, BASIC_KINDS, 2).map((schedule) => schedule.kind);
    expect(kinds).toEqual(["direct", "im2col"]);
    expect(new Set(candidateSchedules(fcWorkload(4, 100, 10), PORTABLE_TARGET, BASIC_KINDS).map((schedule) => schedule.kind))).toEqual(new Set(["gemm"]));
  });

  it("lists only legal schedules, without duplicates", () => {
    // 6 filters: 4, 8 or 16 channels per invocation do not divide them; a 64-invocation target refuses larger workgroups.
    const small: Target = { ...PORTABLE_TARGET, limits: { ...PORTABLE_TARGET.limits, maxComputeInvocationsPerWorkgroup: 64 } };
    const candidates = candidateSchedules(conv, small, BASIC_KINDS, 100);
    for (const schedule of candidates) {
      const definition = BASIC_KINDS.find((kind) => kind.kind === schedule.kind)!;
      expect(definition.illegalKnobs(conv, small, schedule)).toBeUndefined();
      expect(schedule["workgroupSize"]).toBeLessThanOrEqual(64);
      if (schedule.kind === "direct") expect([1, 2]).toContain(schedule["outputChannelsPerInvocation"]);
    }
    const texts = candidates.map(scheduleText);
    expect(new Set(texts).size).toBe(texts.length);
    expect(candidates.length).toBeGreaterThan(10);
  });

  it("leaves out an illegal kind", () => {
    const pooled = convWorkload({ C: 16, H: 12, K: 8, kernel: 3, pooled: "max 2x2/2" });
    expect(new Set(candidateSchedules(pooled, PORTABLE_TARGET, BASIC_KINDS).map((schedule) => schedule.kind))).toEqual(new Set(["direct"]));
  });

  it("refuses a limit smaller than the legal kinds", () => {
    expect(() => candidateSchedules(conv, PORTABLE_TARGET, BASIC_KINDS, 1)).toThrow(/2 legal kinds do not fit a candidate limit of 1/);
  });
});

describe("scheduleText", () => {
  it("names the kind and its knobs sorted by knob name, whatever their order", () => {
    expect(scheduleText({ kind: "implicit_gemm", workgroupSize: 64, tileN: 16, tileM: 8 })).toBe("implicit_gemm tileM=8 tileN=16 wg=64");
    expect(scheduleText({ tileM: 8, kind: "implicit_gemm", tileN: 16, workgroupSize: 64 })).toBe("implicit_gemm tileM=8 tileN=16 wg=64");
    expect(scheduleText({ kind: "implicit_gemm", tileM: 8, tileN: 16, workgroupSize: 64, workgroupMemory: true })).toBe(
      "implicit_gemm tileM=8 tileN=16 workgroupMemory=true wg=64",
    );
  });
});
