// Elementwise activations as a standalone kernel: the elementwise kernel with one activation stage, so
// a fused and an unfused activation compute exactly the same thing.
import type { ActivationAttrs, Node } from "../ir/graph.js";
import { isActivationAttrs } from "../ops/activations.js";
import { activationStage } from "./epilogue.js";
import { emitElementwise } from "./elementwise.js";
import type { KernelContext } from "./plan.js";

export function isActivation(attrs: Node["attrs"]): attrs is ActivationAttrs {
  return isActivationAttrs(attrs);
}

export function generateActivation(node: Node, context: KernelContext): void {
  const attrs = node.attrs;
  if (!isActivation(attrs)) throw new Error(`internal: generateActivation called on ${attrs.op}`);
  emitElementwise(node, context, [activationStage(attrs)], { kernel: attrs.op });
}
