// The Python variable holding each value in forward(): a chain of layers reuses `x` (each value read
// only by the next layer), while a value read elsewhere too (a residual branch, a concat operand, a
// network output, a softmax output's logits) or a graph input keeps a variable named after its layer.
import type { Graph } from "../../ir/graph.js";
import { pythonVariable } from "./pythonText.js";

/** Names the generated file uses besides value variables. */
const FILE_NAMES = [
  "self", "x", "torch", "nn", "F", "gzip", "json", "math", "numpy", "os", "struct", "sys", "return_logits",
  // Builtins the generated code calls (`-float("inf")` in a padded max pool, getattr for dotted names).
  "float", "getattr", "int", "len", "list", "map", "open", "print", "range", "slice", "super", "RuntimeError", "ValueError",
];

/** `named`: values that keep their own variable though only the next layer reads them. */
export function valueVariables(graph: Graph, named: ReadonlySet<number>): string[] {
  const readers = graph.nodes.map(() => [] as number[]);
  for (const node of graph.nodes) for (const input of node.inputs) readers[input]!.push(node.id);
  const outputs = new Set(graph.outputs);
  const inputs = new Set(graph.inputs);
  const taken = new Set(FILE_NAMES);
  return graph.nodes.map((node) => {
    const read = readers[node.id]!;
    const chained = !inputs.has(node.id) && !outputs.has(node.id) && !named.has(node.id) && read.length === 1 && read[0] === node.id + 1;
    return chained ? "x" : pythonVariable(node.name, taken);
  });
}
