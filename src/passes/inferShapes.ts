// Recomputes every node's shape, params, MACs and activation count from its attrs and its inputs.
// Elaboration already fills these in, so compileSource does not run it; it is for passes that rewrite
// attrs or rewire inputs, to re-derive the facts after them. It throws if the graph no longer
// type-checks (a compiler bug: user errors were all reported during elaboration).
import type { Graph, Node } from "../ir/graph.js";
import { inferNodeFacts } from "../ir/shapes/infer.js";
import type { Pass } from "./pass.js";

export function inferShapes(graph: Graph): Graph {
  const nodes: Node[] = [];
  for (const node of graph.nodes) {
    const inputs = node.inputs.map((input) => {
      const source = nodes[input];
      if (source === undefined) throw new Error(`infer-shapes: node ${node.id} "${node.name}" reads node ${input}, which is not earlier`);
      return source.shape;
    });
    const result = inferNodeFacts(node.attrs, inputs, { declaredShape: node.shape });
    if (!result.ok) throw new Error(`infer-shapes: node ${node.id} "${node.name}" (${node.attrs.op}): ${result.problem.message}`);
    const { shape, params, paramCount, macs, activations } = result.facts;
    nodes.push({ ...node, inputs: node.inputs.slice(), shape, params, paramCount, macs, activations });
  }
  return { ...graph, nodes, inputs: graph.inputs.slice(), outputs: graph.outputs.slice() };
}

export const inferShapesPass: Pass = { name: "infer-shapes", run: inferShapes };
