// Marks nodes that can overwrite their input, as PyTorch's `inplace=True` ReLU does: the op has the
// registry trait `inPlace`, and the input is read by no other node and is neither a graph input nor a
// graph output. The summary counts their outputs as no new memory (which is how the course notes' VGG
// table counts: no ReLU rows); a runtime may reuse the buffer.
import type { Graph, Node } from "../ir/graph.js";
import { opTraits } from "../ops/registry.js";
import type { Pass } from "./pass.js";

export function markInPlace(graph: Graph): Graph {
  const readers = graph.nodes.map(() => 0);
  for (const node of graph.nodes) for (const input of node.inputs) readers[input]! += 1;
  const pinned = new Set([...graph.inputs, ...graph.outputs]);
  const nodes = graph.nodes.map((node): Node => {
    const source = node.inputs[0];
    const inPlace =
      opTraits(node.attrs).inPlace && node.inputs.length === 1 && source !== undefined && readers[source] === 1 && !pinned.has(source);
    const copy: Node = { ...node, inputs: node.inputs.slice() };
    if (inPlace) copy.inPlace = true;
    else delete copy.inPlace;
    return copy;
  });
  return { ...graph, nodes, inputs: graph.inputs.slice(), outputs: graph.outputs.slice() };
}

export const markInPlacePass: Pass = { name: "mark-in-place", run: markInPlace };
