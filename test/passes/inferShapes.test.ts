import { describe, expect, it } from "vitest";
import { inferShapes, inferShapesPass } from "../../src/passes/inferShapes.js";
import { runPass } from "../../src/passes/pass.js";
import { verifyGraph } from "../../src/ir/verify.js";
import { conv } from "../ir/build.js";
import { residualGraph } from "../ir/graphs.js";

describe("infer-shapes pass", () => {
  it("leaves a consistent graph equal and does not mutate its input", () => {
    const graph = residualGraph();
    const snapshot = JSON.stringify(graph);
    const result = runPass(inferShapesPass, graph, { verify: true });
    expect(JSON.stringify(graph)).toBe(snapshot);
    expect(result).toEqual(graph);
    expect(result.nodes[0]).not.toBe(graph.nodes[0]);
  });

  it("re-derives facts after attrs change, so the graph verifies again", () => {
    const graph = residualGraph();
    graph.nodes[4]!.attrs = conv(4, 3, { padding: { top: 1, bottom: 1, left: 1, right: 1 }, bias: false });
    expect(verifyGraph(graph)).not.toEqual([]);
    const result = inferShapes(graph);
    expect(verifyGraph(result)).toEqual([]);
    expect(result.nodes[4]!.paramCount).toBe(4 * 4 * 9);
  });

  it("throws (an internal error) when the graph no longer type-checks", () => {
    const graph = residualGraph();
    graph.nodes[5]!.attrs = conv(8, 1);
    expect(() => inferShapes(graph)).toThrow('infer-shapes: node 6 "add1" (add): add inputs have different shapes');
  });
});
