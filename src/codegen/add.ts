// Elementwise sum of n same-shaped values: the elementwise kernel with no stage. Its n inputs and its
// output must fit one kernel's storage bindings (MAX_STORAGE_BINDINGS); lowering splits larger adds.
import type { Node } from "../ir/graph.js";
import { emitElementwise } from "./elementwise.js";
import type { KernelContext } from "./plan.js";

export function generateAdd(node: Node, context: KernelContext): void {
  if (node.attrs.op !== "add") throw new Error(`internal: generateAdd called on ${node.attrs.op}`);
  emitElementwise(node, context, [], { kernel: "add" });
}
