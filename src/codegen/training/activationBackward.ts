// An activation's backward pass, dx = dy * f'(x), elementwise, with f' written from the saved value the
// forward kept: its input x, or its output y where f' is a function of y (the activation table's
// derivativeFromOutput; src/ops/activations.ts). A NaN in dy or in the saved value gives a NaN dx
// (as PyTorch's backward does: NaN * 0 is NaN), tested on the bits so no float folding can lose it.
import type { ActivationAttrs } from "../../ir/graph.js";
import { activationDefinition } from "../../ops/activations.js";
import { keepNanWgsl } from "../nanWgsl.js";
import { f32Literal, kernelSource, type StorageBindingSpec } from "../wgsl.js";
import { lanewise } from "./lanewise.js";
import type { TrainingKernels } from "./trainingKernel.js";

/**
 * Whether the backward pass may keep the activation's output instead of its input: true for relu,
 * leaky_relu and elu with alpha > 0 (y > 0 exactly when x > 0, and below it elu' = y + alpha), tanh
 * (1 - y^2) and sigmoid (y (1 - y)). Saving y lets the activation run in place.
 */
export function derivativeFromOutput(attrs: ActivationAttrs): boolean {
  return activationDefinition(attrs.op).derivativeFromOutput(attrs);
}

/** dx = dy * f'(saved): bindings `dy`, `saved` (x, or y when `from` is "output"), `dx` (overwritten). */
export function activationBackward(spec: { elements: number; attrs: ActivationAttrs; from: "input" | "output" }): TrainingKernels {
  const { elements, attrs, from } = spec;
  if (from === "output" && !derivativeFromOutput(attrs)) {
    throw new Error(`internal: the derivative of ${activationDefinition(attrs.op).label(attrs)} is not a function of its output`);
  }
  const definition = activationDefinition(attrs.op);
  const label = definition.label(attrs);
  const derivative = definition.derivativeWgsl(attrs, from, "saved_value", f32Literal);
  const layout = lanewise(elements);
  const bindings: StorageBindingSpec[] = [layout.binding("dy", "read"), layout.binding("saved", "read"), layout.binding("dx", "read_write")];
  const wgsl = kernelSource({
    title: `${label} backward: dx = dy * ${label}'(${from === "input" ? "x" : "y"})`,
    details: {
      elements,
      saved: from === "input" ? "the activation's input x" : "the activation's output y",
      schedule: `${layout.width === 4 ? "4 elements (a vec4)" : "one element"} per invocation`,
    },
    bindings,
    declarations: [],
    dispatch: layout.dispatch,
    body: layout.body(["dy", "saved"], "dx", [`let product = dy_value * ${derivative};`], keepNanWgsl("saved_value", keepNanWgsl("dy_value", "product"))),
  });
  return { kernels: [{ kernel: `${attrs.op}_backward`, wgsl, workgroups: layout.dispatch.workgroups, bindings, loopIterations: 0 }], scratch: [] };
}
