import { describe, expect, it } from "vitest";
import type { Graph } from "../../src/ir/graph.js";
import { verifyGraph } from "../../src/ir/verify.js";
import { conv } from "./build.js";
import { residualGraph } from "./graphs.js";

function broken(edit: (graph: Graph) => void): string[] {
  const graph = residualGraph();
  edit(graph);
  return verifyGraph(graph);
}

describe("verifyGraph", () => {
  it("accepts a consistent graph", () => {
    expect(verifyGraph(residualGraph())).toEqual([]);
  });

  it("catches ids that are not indices", () => {
    expect(broken((g) => (g.nodes[2]!.id = 7))).toEqual(['node 7 "bn1" (batchnorm): id 7 but stored at index 2']);
  });

  it("catches nodes out of topological order", () => {
    expect(broken((g) => (g.nodes[1]!.inputs = [3]))).toEqual([
      'node 1 "conv1" (conv): input 3 is not an earlier node (nodes must be in topological order)',
    ]);
  });

  it("catches duplicate names", () => {
    expect(broken((g) => (g.nodes[3]!.name = "bn1"))).toEqual(['node 3 "bn1" (relu): name also used by node 2']);
  });

  it("catches a wrong number of inputs", () => {
    expect(broken((g) => (g.nodes[6]!.inputs = [4]))).toEqual(['node 6 "add1" (add) with inputs [4, 8, 8]: add needs at least two inputs, got 1']);
    expect(broken((g) => (g.nodes[3]!.inputs = [1, 2]))[0]).toBe(
      'node 3 "relu1" (relu) with inputs [4, 8, 8], [4, 8, 8]: relu reads exactly one value, got 2',
    );
  });

  it("catches a stale shape, naming the node, op and shapes", () => {
    expect(broken((g) => (g.nodes[4]!.shape = [4, 6, 6]))).toEqual([
      'node 4 "conv2" (conv) with inputs [4, 8, 8]: shape [4, 6, 6] but its inputs give [4, 8, 8]',
      'node 6 "add1" (add) with inputs [4, 6, 6], [4, 8, 8]: add inputs have different shapes',
    ]);
  });

  it("catches attrs changed without re-deriving facts", () => {
    const problems = broken((g) => (g.nodes[4]!.attrs = conv(8, 3, { padding: { top: 1, bottom: 1, left: 1, right: 1 } })));
    expect(problems[0]).toBe('node 4 "conv2" (conv) with inputs [4, 8, 8]: shape [4, 8, 8] but its inputs give [8, 8, 8]');
    expect(problems[1]).toBe(
      'node 4 "conv2" (conv) with inputs [4, 8, 8]: params weight[4, 4, 3, 3]:kaiming bias[4]:uniform_fan_in but expected weight[8, 4, 3, 3]:kaiming bias[8]:uniform_fan_in',
    );
    expect(problems).toContain('node 4 "conv2" (conv) with inputs [4, 8, 8]: paramCount 148 but expected 296');
  });

  it("catches input nodes missing from graph.inputs and bad outputs", () => {
    expect(broken((g) => (g.inputs = []))).toEqual(['node 0 "image" (input): op is input but graph.inputs omits it']);
    expect(broken((g) => (g.outputs = [42]))).toEqual(["graph input/output 42 is not a node"]);
  });

  it("catches an in-place mark over a value that others read", () => {
    expect(broken((g) => (g.nodes[2]!.inPlace = true))).toEqual(['node 2 "bn1" (batchnorm): marked in-place but batchnorm is not elementwise']);
    // conv1's output is read only by bn1, but the input image is also read by the shortcut.
    expect(
      broken((g) => {
        g.nodes[1]!.attrs = { op: "relu" };
        g.nodes[1]!.params = [];
        g.nodes[1]!.paramCount = 0;
        g.nodes[1]!.macs = 0;
        g.nodes[1]!.shape = [3, 8, 8];
        g.nodes[1]!.activations = 192;
        g.nodes[1]!.inPlace = true;
      }).filter((p) => p.includes("in-place")),
    ).toEqual([
      'node 1 "conv1" (relu): marked in-place but node 0 is also read by nodes 5',
      'node 1 "conv1" (relu): marked in-place over node 0, a graph input or output',
    ]);
  });

  it("catches a 1-D conv stored with a real height", () => {
    expect(broken((g) => (g.nodes[5]!.attrs = conv(4, 3, { spatialRank: 1 }))).slice(0, 1)).toEqual([
      'node 5 "shortcut" (conv): 1-D conv must have height 1 in kernel/stride/dilation and no top/bottom padding',
    ]);
  });
});
