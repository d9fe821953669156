// Schedules: choose-schedules' default rule, a global choice and per-layer overrides on the kernel
// graph, and the options' check (error values, never thrown) for unknown layers, non-conv layers and kinds.
import { describe, expect, it } from "vitest";
import { defaultConvSchedule, defaultSchedule } from "../../src/codegen/schedule.js";
import { CnncUserError } from "../../src/errors.js";
import type { ConvAttrs, Graph } from "../../src/ir/graph.js";
import { lowerToKernels } from "../../src/kernels/lower.js";
import { chooseSchedules } from "../../src/passes/chooseSchedules.js";
import { checkScheduleOptions, type ScheduleConvsOptions } from "../../src/passes/scheduleOptions.js";
import { chainGraph, conv2d } from "../reference/graphBuilders.js";

/** x -> l0 conv 3x3 16->32 -> l1 relu -> l2 depthwise 3x3 -> l3 conv 1x1 32->8 -> l4 flatten -> l5 fc. */
function network(): Graph {
  return chainGraph(
    [16, 12, 12],
    [
      conv2d({ out: 32, kernel: 3, padding: 1 }),
      { op: "relu" },
      conv2d({ out: 32, kernel: 3, padding: 1, groups: 32 }),
      conv2d({ out: 8, kernel: 1 }),
      { op: "flatten" },
      { op: "fc", outFeatures: 10, bias: true },
    ],
  );
}

describe("choose-schedules", () => {
  const schedulesOf = (options: ScheduleConvsOptions = {}): (string | null)[] => {
    const graph = chooseSchedules(lowerToKernels(network()), options);
    return graph.kernels.map((kernel) => kernel.schedule?.kind ?? null);
  };

  it("attaches the default rule's schedule to conv kernels and the GEMM schedule to fc kernels", () => {
    const kernels = chooseSchedules(lowerToKernels(network()), {});
    expect(kernels.kernels.map((kernel) => kernel.schedule?.kind ?? null)).toEqual(["im2col", null, "direct", "im2col", "gemm"]);
    for (const kernel of kernels.kernels) {
      const node = kernels.source.nodes[kernel.anchorLayer]!;
      if (node.attrs.op === "conv" || node.attrs.op === "fc") expect(kernel.schedule).toEqual(defaultSchedule(node));
    }
    expect(kernels.kernels[0]!.scheduleReason).toMatch(/default rule/);
  });

  it("is pure: the input kernel graph is not modified", () => {
    const input = lowerToKernels(network());
    const before = JSON.stringify(input.kernels);
    chooseSchedules(input, { all: "direct", layers: { l0: "im2col" } });
    expect(JSON.stringify(input.kernels)).toBe(before);
  });

  it("applies one kind to every conv layer, with per-layer overrides winning", () => {
    expect(schedulesOf({ all: "direct", layers: { l3: "im2col" } })).toEqual(["direct", null, "direct", "im2col", "gemm"]);
    const overridden = chooseSchedules(lowerToKernels(network()), { layers: { l2: "im2col" } });
    expect(overridden.kernels[2]!.schedule).toEqual({ kind: "im2col", tileM: 4, tileN: 16, vectorWidth: 4, workgroupSize: 64, splitK: 1, workgroupMemory: false, maxChunkColumns: 0 });
    expect(overridden.kernels[2]!.scheduleReason).toMatch(/--schedule/);
    expect(schedulesOf({ all: "implicit_gemm" })).toEqual(["implicit_gemm", null, "implicit_gemm", "implicit_gemm", "gemm"]);
    expect(schedulesOf({ layers: { l3: "gemm" } })).toEqual(["im2col", null, "direct", "gemm", "gemm"]);
  });

  it("refuses gemm for a conv that is not 1x1 stride-1 unpadded ungrouped, naming the layer and the kinds that fit", () => {
    const error = (() => {
      try {
        chooseSchedules(lowerToKernels(network()), { layers: { l0: "gemm" } });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(CnncUserError);
    expect((error as CnncUserError).message).toMatch(/^--schedule l0=gemm: gemm computes 1x1 convs as a plain GEMM; this kernel is \dx\d$/);
    expect((error as CnncUserError).hint).toBe("for l0 use one of direct, im2col, implicit_gemm");
  });
});

describe("checkScheduleOptions", () => {
  it("accepts valid options", () => {
    expect(checkScheduleOptions(network(), { all: "direct", layers: { l3: "im2col" } })).toEqual([]);
  });

  it("returns an error with a suggestion for an unknown layer", () => {
    const errors = checkScheduleOptions(network(), { layers: { l00: "direct" } });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toBe("the network has no layer `l00`");
    expect(errors[0]!.hint).toContain("did you mean `l0`?");
    expect(errors[0]!.hint).toContain("conv layers: l0, l2, l3");
  });

  it("returns an error for a layer that is not a conv", () => {
    const errors = checkScheduleOptions(network(), { layers: { l5: "direct", l1: "im2col" } });
    expect(errors.map((error) => error.message)).toEqual([
      "layer `l5` is a fc layer; only conv layers have a schedule choice",
      "layer `l1` is a relu layer; only conv layers have a schedule choice",
    ]);
  });

  it("returns errors for unknown schedule kinds, globally and per layer", () => {
    const errors = checkScheduleOptions(network(), { all: "imcol", layers: { l0: "drect" } });
    expect(errors.map((error) => error.message)).toEqual([
      "unknown conv schedule `imcol` for all conv layers",
      "unknown conv schedule `drect` for layer `l0`",
    ]);
    expect(errors[0]!.hint).toContain("did you mean `im2col`?");
    expect(errors[1]!.hint).toContain("did you mean `direct`?");
  });

});

describe("default conv rule", () => {
  const kindOf = (attrs: ConvAttrs, channels: number): string => {
    const graph = chainGraph([channels, 10, 10], [attrs]);
    return defaultConvSchedule(graph.nodes[1]!, attrs).kind;
  };
  it("runs depthwise and short reductions direct, long reductions with enough filters as im2col", () => {
    expect(kindOf(conv2d({ out: 24, kernel: 3, groups: 24 }), 24)).toBe("direct");
    expect(kindOf(conv2d({ out: 16, kernel: 1 }), 3)).toBe("direct");
    expect(kindOf(conv2d({ out: 4, kernel: 3 }), 32)).toBe("direct");
    expect(kindOf(conv2d({ out: 64, kernel: 3 }), 32)).toBe("im2col");
  });
  it("keeps a direct channel block inside one group", () => {
    const attrs = conv2d({ out: 12, kernel: 3, groups: 6 });
    const graph = chainGraph([6, 8, 8], [attrs]);
    expect(defaultConvSchedule(graph.nodes[1]!, attrs)).toEqual({
      kind: "direct",
      outputChannelsPerInvocation: 2,
      pixelsPerInvocation: 8,
      workgroupSize: 64,
    });
  });
});
