// Elementwise activations as a standalone kernel. The expressions are the conv/fc epilogue's
// (epilogue.ts), so a fused and an unfused activation compute exactly the same thing.
import type { ActivationAttrs, Node } from "../ir/graph.js";
import { shapeSize } from "../ir/graph.js";
import { isActivationAttrs } from "../ops/activations.js";
import { INPUT_OUTPUT_BINDINGS_WGSL, inputOutputBindings, linearDispatch } from "./dispatch.js";
import { describeShape } from "../tensor.js";
import { activationExpression, activationLabel } from "./epilogue.js";
import { emitKernel, type KernelContext } from "./plan.js";
import { headerComment } from "./wgsl.js";

export function isActivation(attrs: Node["attrs"]): attrs is ActivationAttrs {
  return isActivationAttrs(attrs);
}

export function generateActivation(node: Node, context: KernelContext): void {
  const attrs = node.attrs;
  if (!isActivation(attrs)) throw new Error(`internal: generateActivation called on ${attrs.op}`);
  const dispatch = linearDispatch(context.batch * shapeSize(node.shape));
  const wgsl = `${headerComment(activationLabel(attrs), {
    layer: node.name,
    "input and output": describeShape([context.batch, ...node.shape]),
    schedule: "one invocation per element",
  })}

${INPUT_OUTPUT_BINDINGS_WGSL}

${dispatch.entryPoint}
  let v = x[index];
  y[index] = ${activationExpression(attrs, "v")};
}
`;
  emitKernel(context, node, attrs.op, wgsl, dispatch.workgroups, inputOutputBindings(context));
}
