import { describe, expect, it } from "vitest";
import { markInPlacePass } from "../../src/passes/markInPlace.js";
import { runPass } from "../../src/passes/pass.js";
import { makeGraph, residualGraph } from "../ir/graphs.js";
import { conv } from "../ir/build.js";

describe("mark-in-place pass", () => {
  it("marks elementwise nodes whose input nobody else reads, never over the output", () => {
    const result = runPass(markInPlacePass, residualGraph(), { verify: true });
    const marked = result.nodes.filter((n) => n.inPlace === true).map((n) => n.name);
    // relu1 overwrites bn1, relu2 overwrites add1, softmax1 overwrites fc.
    expect(marked).toEqual(["relu1", "relu2", "softmax1"]);
  });

  it("does not overwrite a value read by a second branch, a graph input or a graph output", () => {
    const graph = makeGraph(
      "Branches",
      [
        { name: "x", attrs: { op: "input" }, shape: [2, 4, 4] },
        { name: "r", attrs: { op: "relu" } },
        { name: "c", attrs: conv(2, 1) },
        { name: "t", attrs: { op: "tanh" }, inputs: [2] },
        { name: "s", attrs: { op: "sigmoid" }, inputs: [2] },
        { name: "a", attrs: { op: "add" }, inputs: [3, 4] },
      ],
      [5, 1],
    );
    const result = runPass(markInPlacePass, graph, { verify: true });
    expect(result.nodes.filter((n) => n.inPlace === true)).toEqual([]);
  });

  it("drops stale marks", () => {
    const graph = residualGraph();
    graph.nodes[10]!.inPlace = true;
    graph.nodes[9]!.inPlace = true;
    const result = runPass(markInPlacePass, graph, { verify: true });
    expect(result.nodes[9]!.inPlace).toBeUndefined();
  });
});
