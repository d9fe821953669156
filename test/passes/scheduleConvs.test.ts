// The scheduling pass: default rule, a global choice, per-layer overrides, and error values (never
// throws) for unknown layers, non-conv layers and unknown schedule kinds.
import { describe, expect, it } from "vitest";
import { defaultConvSchedule, defaultSchedule } from "../../src/codegen/schedule.js";
import type { ConvAttrs, Graph } from "../../src/ir/graph.js";
import { scheduleConvs, scheduleConvsPass } from "../../src/passes/scheduleConvs.js";
import { runPass } from "../../src/passes/pass.js";
import { residualGraph } from "../ir/graphs.js";
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

function scheduled(result: ReturnType<typeof scheduleConvs>): Graph {
  if (!result.ok) throw new Error(result.errors.map((error) => error.message).join("; "));
  return result.graph;
}

describe("scheduleConvs", () => {
  it("attaches the default rule's schedule to conv nodes and the GEMM schedule to fc nodes", () => {
    const graph = scheduled(scheduleConvs(network()));
    const kinds = graph.nodes.map((node) => node.schedule?.kind ?? null);
    expect(kinds).toEqual([null, "im2col", null, "direct", "im2col", null, "gemm"]);
    for (const node of graph.nodes) {
      if (node.attrs.op === "conv" || node.attrs.op === "fc") expect(node.schedule).toEqual(defaultSchedule(node));
    }
  });

  it("is pure: the input graph is not modified", () => {
    const input = network();
    const before = JSON.stringify(input);
    scheduleConvs(input, { all: "direct", layers: { l0: "im2col" } });
    expect(JSON.stringify(input)).toBe(before);
  });

  it("applies one kind to every conv layer, with per-layer overrides winning", () => {
    const graph = scheduled(scheduleConvs(network(), { all: "direct", layers: { l3: "im2col" } }));
    expect(graph.nodes.map((node) => node.schedule?.kind ?? null)).toEqual([null, "direct", null, "direct", "im2col", null, "gemm"]);
    const overridden = scheduled(scheduleConvs(network(), { layers: { l2: "im2col" } }));
    expect(overridden.nodes[3]!.schedule).toEqual({ kind: "im2col", tileM: 4, tileN: 16, workgroupSize: 64, maxChunkColumns: 0 });
    expect(overridden.nodes[1]!.schedule?.kind).toBe("im2col");
  });

  it("returns an error with a suggestion for an unknown layer", () => {
    const result = scheduleConvs(network(), { layers: { l00: "direct" } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.message).toBe("the network has no layer `l00`");
    expect(result.errors[0]!.hint).toContain("did you mean `l0`?");
    expect(result.errors[0]!.hint).toContain("conv layers: l0, l2, l3");
  });

  it("returns an error for a layer that is not a conv", () => {
    const result = scheduleConvs(network(), { layers: { l5: "direct", l1: "im2col" } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((error) => error.message)).toEqual([
      "layer `l5` is a fc layer; only conv layers have a schedule choice",
      "layer `l1` is a relu layer; only conv layers have a schedule choice",
    ]);
  });

  it("returns errors for unknown schedule kinds, globally and per layer", () => {
    const result = scheduleConvs(network(), { all: "imcol", layers: { l0: "drect" } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((error) => error.message)).toEqual([
      "unknown conv schedule `imcol` for all conv layers",
      "unknown conv schedule `drect` for layer `l0`",
    ]);
    expect(result.errors[0]!.hint).toContain("did you mean `im2col`?");
    expect(result.errors[1]!.hint).toContain("did you mean `direct`?");
  });

  it("runs as a pass whose output still verifies (a shape-inferred graph with a residual branch)", () => {
    const graph = runPass(scheduleConvsPass, residualGraph(), { verify: true });
    const scheduledNodes = graph.nodes.filter((node) => node.schedule !== undefined).map((node) => node.name);
    expect(scheduledNodes).toEqual(["conv1", "conv2", "shortcut", "fc"]);
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
