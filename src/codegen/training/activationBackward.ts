// An activation's backward pass, dx = dy * f'(x), elementwise, with f' written from the saved value the
// forward kept: its input x, or its output y where f' is a function of y (the activation table's
// derivativeFromOutput; src/ops/activations.ts). A NaN in dy or in the saved value gives a NaN dx
// (as PyTorch's backward does: NaN * 0 is NaN), tested on the bits so no float folding can lose it.
import type { ActivationAttrs } from "../../ir/graph.js";
import { activationDefinition } from "../../ops/activations.js";
import { ELEMENTWISE_WORKGROUP_SIZE } from "../dispatch.js";
import { keepNanWgsl } from "../nanWgsl.js";
import { f32Literal, foldedDispatch, kernelSource, type StorageBindingSpec } from "../wgsl.js";
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
  if (!Number.isSafeInteger(elements) || elements < 1) throw new Error(`internal: activation backward over ${elements} elements`);
  if (from === "output" && !derivativeFromOutput(attrs)) {
    throw new Error(`internal: the derivative of ${activationDefinition(attrs.op).label(attrs)} is not a function of its output`);
  }
  const definition = activationDefinition(attrs.op);
  const label = definition.label(attrs);
  const derivative = definition.derivativeWgsl(attrs, from, "saved_value", f32Literal);
  const dispatch = foldedDispatch(elements, ELEMENTWISE_WORKGROUP_SIZE);
  const bindings: StorageBindingSpec[] = [
    { name: "dy", access: "read" },
    { name: "saved", access: "read" },
    { name: "dx", access: "read_write" },
  ];
  const wgsl = kernelSource({
    title: `${label} backward: dx = dy * ${label}'(${from === "input" ? "x" : "y"})`,
    details: {
      elements,
      saved: from === "input" ? "the activation's input x" : "the activation's output y",
      schedule: "one invocation per element",
    },
    bindings,
    declarations: [],
    dispatch,
    body: [
      `  let gradient = dy[index];`,
      `  let saved_value = saved[index];`,
      `  let product = gradient * ${derivative};`,
      `  dx[index] = ${keepNanWgsl("saved_value", keepNanWgsl("gradient", "product"))};`,
    ],
  });
  return { kernels: [{ kernel: `${attrs.op}_backward`, wgsl, workgroups: dispatch.workgroups, bindings, loopIterations: 0 }], scratch: [] };
}
