// The suite's layer cases and its schedule adapter, on the CPU: every case compiles to the conv it
// names, the candidates are the legal kinds' defaults plus the picks, labelled uniquely, and the
// model's pick is one of them; the bench's tuning store keeps what the tuner records.
import { describe, expect, it } from "vitest";

import { LAYER_CASES, layerGraph } from "../../../bench/suite/layers.js";
import { benchTuningStore, candidateSchedulesFor, modelPick } from "../../../bench/suite/schedules.js";
import { PORTABLE_TARGET } from "../../../src/schedule/types.js";

describe("bench suite layer cases", () => {
  it.each(LAYER_CASES.map((layer) => [layer.name, layer] as const))("%s compiles, with candidates and a model pick among them", (_, layer) => {
    const graph = layerGraph(layer);
    const conv = graph.nodes.find((node) => node.name === "conv")!;
    expect(conv.attrs.op).toBe("conv");
    const model = modelPick(graph, "conv", 16, PORTABLE_TARGET);
    const candidates = candidateSchedulesFor(graph, "conv", 16, PORTABLE_TARGET, [model.schedule]);
    expect(candidates.length).toBeGreaterThanOrEqual(2);
    expect(new Set(candidates.map((candidate) => candidate.label)).size).toBe(candidates.length);
    expect(candidates.map((candidate) => candidate.label)).toContain(model.label);
  });

  it("keeps the tuner's records for the bench run only, by adapter and workload key", () => {
    const store = benchTuningStore();
    expect(store.lookup("a", "k")).toBeUndefined();
    store.record("a", "k", { schedule: { kind: "direct" }, medianMs: 2, candidates: [{ scheduleText: "direct", medianMs: 2 }] });
    expect(store.lookup("a", "k")?.schedule).toEqual({ kind: "direct" });
    expect(store.lookup("b", "k")).toBeUndefined();
  });
});
