// `--schedule`: every schedule kind name is accepted, for all layers (or `auto`) and per layer; an
// unknown kind is a user error with the closest kind and the list.
import { describe, expect, it } from "vitest";
import { parseScheduleOption } from "../../src/cli/scheduleOption.js";
import { SCHEDULE_KIND_NAMES } from "../../src/schedule/kindNames.js";
import { userError } from "../support/userError.js";

describe("parseScheduleOption", () => {
  it("accepts every kind name for all layers and per layer", () => {
    for (const kind of SCHEDULE_KIND_NAMES) {
      expect(parseScheduleOption(kind)).toEqual({ all: kind, layers: {} });
      expect(parseScheduleOption(`auto, c1=${kind}`)).toEqual({ all: "auto", layers: { c1: kind } });
    }
    expect(parseScheduleOption("implicit_gemm,stem=direct,fc1=gemm")).toEqual({ all: "implicit_gemm", layers: { stem: "direct", fc1: "gemm" } });
  });

  it("refuses an unknown kind with the closest one, and `auto` for one layer", () => {
    const misspelled = userError(() => parseScheduleOption("winogrd"));
    expect(misspelled.message).toBe("--schedule `winogrd`: unknown schedule `winogrd` for all layers");
    expect(misspelled.hint).toBe("did you mean `winograd`? schedules are auto, direct, im2col, implicit_gemm, winograd, gemm");
    const perLayer = userError(() => parseScheduleOption("c1=auto"));
    expect(perLayer.message).toBe("--schedule `c1=auto`: unknown schedule `auto` for layer `c1`");
    expect(perLayer.hint).toBe("schedules are direct, im2col, implicit_gemm, winograd, gemm");
  });
});
