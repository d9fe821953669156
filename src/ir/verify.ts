// The IR verifier: checks the invariants every pass must preserve and returns what is broken (empty =
// valid). Run after elaboration and after every pass in tests, so a pass that corrupts the graph fails
// at the pass that did it, naming the node, op and shapes.
import type { Graph, Node, OpKind, ParamSpec } from "./graph.js";
import { inferNodeFacts } from "./shapes/infer.js";
import { OP_KINDS, opDefinition } from "../ops/registry.js";
import { describeShape } from "../tensor.js";

/** The ops that may be marked in place (registry trait `inPlace`); the mark-in-place pass picks from these. */
export const IN_PLACE_OPS: ReadonlySet<OpKind> = new Set(OP_KINDS.filter((op) => opDefinition(op).traits.inPlace));

export function verifyGraph(graph: Graph): string[] {
  const problems: string[] = [];
  if (graph.name.length === 0) problems.push("graph has no name");
  if (graph.nodes.length === 0) problems.push("graph has no nodes");
  const names = new Map<string, number>();
  const consumers = graph.nodes.map(() => [] as number[]);
  const inputIds = new Set(graph.inputs); // a Set: a network may have many inputs, and every node asks

  graph.nodes.forEach((node, index) => {
    const where = describeNode(node);
    if (node.id !== index) problems.push(`${where}: id ${node.id} but stored at index ${index}`);
    if (node.name.length === 0) problems.push(`${where}: empty name`);
    const previous = names.get(node.name);
    if (previous !== undefined) problems.push(`${where}: name also used by node ${previous}`);
    names.set(node.name, index);
    for (const input of node.inputs) {
      if (!Number.isInteger(input) || input < 0 || input >= index) {
        problems.push(`${where}: input ${input} is not an earlier node (nodes must be in topological order)`);
      } else {
        consumers[input]!.push(index);
      }
    }
    if ((node.attrs.op === "input") !== inputIds.has(index)) {
      problems.push(`${where}: op is ${node.attrs.op} but graph.inputs ${inputIds.has(index) ? "lists" : "omits"} it`);
    }
    checkSpatialRankOne(node, where, problems);
  });
  if (problems.length > 0) return problems;

  for (const id of [...graph.inputs, ...graph.outputs]) {
    if (!Number.isInteger(id) || id < 0 || id >= graph.nodes.length) problems.push(`graph input/output ${id} is not a node`);
  }
  if (graph.outputs.length === 0) problems.push("graph has no outputs");
  if (problems.length > 0) return problems;
  const boundary = new Set([...inputIds, ...graph.outputs]);

  for (const node of graph.nodes) {
    const inputShapes = node.inputs.map((input) => graph.nodes[input]!.shape);
    const result = inferNodeFacts(node.attrs, inputShapes, { declaredShape: node.shape });
    const where = `${describeNode(node)} with inputs ${inputShapes.map(describeShape).join(", ") || "none"}`;
    if (!result.ok) {
      problems.push(`${where}: ${result.problem.message}`);
      continue;
    }
    const facts = result.facts;
    if (describeShape(facts.shape) !== describeShape(node.shape)) {
      problems.push(`${where}: shape ${describeShape(node.shape)} but its inputs give ${describeShape(facts.shape)}`);
    }
    if (formatParams(facts.params) !== formatParams(node.params)) {
      problems.push(`${where}: params ${formatParams(node.params)} but expected ${formatParams(facts.params)}`);
    }
    for (const field of ["paramCount", "macs", "activations"] as const) {
      if (facts[field] !== node[field]) problems.push(`${where}: ${field} ${node[field]} but expected ${facts[field]}`);
    }
    if (node.inPlace === true) checkInPlace(node, consumers, boundary, problems);
  }
  return problems;
}

/** `boundary`: the graph's inputs and outputs, which an in-place node may not overwrite. */
function checkInPlace(node: Node, consumers: number[][], boundary: ReadonlySet<number>, problems: string[]): void {
  const where = describeNode(node);
  if (!IN_PLACE_OPS.has(node.attrs.op)) problems.push(`${where}: marked in-place but ${node.attrs.op} is not elementwise`);
  const source = node.inputs[0];
  if (node.inputs.length !== 1 || source === undefined) {
    problems.push(`${where}: marked in-place but reads ${node.inputs.length} values`);
    return;
  }
  const readers = consumers[source]!;
  if (readers.length !== 1) problems.push(`${where}: marked in-place but node ${source} is also read by nodes ${readers.filter((r) => r !== node.id).join(", ")}`);
  if (boundary.has(source)) {
    problems.push(`${where}: marked in-place over node ${source}, a graph input or output`);
  }
}

/** A 1-D conv/pool is stored with height 1: the height axis must be the identity. */
function checkSpatialRankOne(node: Node, where: string, problems: string[]): void {
  const attrs = node.attrs;
  if ((attrs.op !== "conv" && attrs.op !== "pool") || attrs.spatialRank !== 1) return;
  const kernel = attrs.op === "conv" ? attrs.kernel : attrs.window;
  const dilation = attrs.op === "conv" ? attrs.dilation[0] : 1;
  if (kernel[0] !== 1 || attrs.stride[0] !== 1 || dilation !== 1 || attrs.padding.top !== 0 || attrs.padding.bottom !== 0) {
    problems.push(`${where}: 1-D ${attrs.op} must have height 1 in kernel/stride/dilation and no top/bottom padding`);
  }
}

function describeNode(node: Node): string {
  return `node ${node.id} "${node.name}" (${node.attrs.op})`;
}


function formatParams(params: readonly ParamSpec[]): string {
  return params.map((p) => `${p.name}${describeShape(p.shape)}${p.trainable ? "" : "(buffer)"}:${p.init}`).join(" ") || "none";
}
