// The schedule options' check (error values, never thrown): unknown layers, layers without a schedule
// choice and unknown kinds, with suggestions; kinds are the registry's.
import { describe, expect, it } from "vitest";
import { checkScheduleOptions } from "../../src/passes/scheduleOptions.js";
import { SCHEDULE_KINDS } from "../../src/schedule/registry.js";
import { scheduleTestNetwork } from "./scheduleNetwork.js";

describe("checkScheduleOptions", () => {
  it("accepts valid options, fc layers and every registered kind included", () => {
    expect(checkScheduleOptions(scheduleTestNetwork(), { all: "direct", layers: { l3: "im2col", l5: "gemm" } })).toEqual([]);
  });

  it("returns an error with a suggestion for an unknown layer", () => {
    const errors = checkScheduleOptions(scheduleTestNetwork(), { layers: { l00: "direct" } });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toBe("the network has no layer `l00`");
    expect(errors[0]!.hint).toContain("did you mean `l0`?");
    expect(errors[0]!.hint).toContain("conv and fc layers: l0, l2, l3, l5");
  });

  it("returns an error for a layer without a schedule choice", () => {
    const errors = checkScheduleOptions(scheduleTestNetwork(), { layers: { l1: "im2col" } });
    expect(errors.map((error) => error.message)).toEqual(["layer `l1` is a relu layer; only conv and fc layers have a schedule choice"]);
  });

  it("returns errors for unknown schedule kinds, globally and per layer, listing the registry's kinds", () => {
    const errors = checkScheduleOptions(scheduleTestNetwork(), { all: "imcol", layers: { l0: "drect" } });
    expect(errors.map((error) => error.message)).toEqual(["unknown schedule `imcol` for all layers", "unknown schedule `drect` for layer `l0`"]);
    expect(errors[0]!.hint).toContain("did you mean `im2col`?");
    expect(errors[0]!.hint).toContain("`auto`, " + SCHEDULE_KINDS.map((definition) => `\`${definition.kind}\``).join(", "));
    expect(errors[1]!.hint).toContain("did you mean `direct`?");
  });
});
