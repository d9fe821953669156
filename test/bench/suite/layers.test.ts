// The suite's layer cases and its schedule adapter, on the CPU: every case compiles to the conv it
// names, the candidates are the legal schedules, and the model's pick is one of them.
import { describe, expect, it } from "vitest";

import { LAYER_CASES, layerGraph } from "../../../bench/suite/layers.js";
import { candidateSchedulesFor, modelPick, tunerPick, TUNER_SOURCE } from "../../../bench/suite/schedules.js";

describe("bench suite layer cases", () => {
  it.each(LAYER_CASES.map((layer) => [layer.name, layer] as const))("%s compiles, with candidates and a model pick among them", (_, layer) => {
    const graph = layerGraph(layer);
    const conv = graph.nodes.find((node) => node.name === "conv")!;
    expect(conv.attrs.op).toBe("conv");
    const candidates = candidateSchedulesFor(graph, "conv", 16);
    expect(candidates.length).toBeGreaterThanOrEqual(2);
    expect(new Set(candidates.map((candidate) => candidate.label)).size).toBe(candidates.length);
    expect(candidates.map((candidate) => candidate.label)).toContain(modelPick(graph, "conv", 16).label);
  });

  it("the tuner stand-in picks the fastest measured schedule and says it is a stand-in", () => {
    expect(tunerPick(new Map([["direct", 3], ["im2col", 2], ["gemm", 2.5]]))).toEqual({ label: "im2col", reason: TUNER_SOURCE });
    expect(() => tunerPick(new Map())).toThrow(/no measured schedules/);
  });
});
