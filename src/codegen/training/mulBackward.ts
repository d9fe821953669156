// mul's backward pass (the reference's mulGradient, src/reference/gradients/elementwise.ts), for
// y = value * gate[index / PER] with PER elements per gate value (1: the same shape). The value's
// gradient, and a same-shape gate's, is dy times the other operand; a per-channel gate's is a sum over
// its channel of dy * value (PyTorch's broadcast backward), one invocation per (sample, channel).
import { ELEMENTWISE_WORKGROUP_SIZE } from "../dispatch.js";
import { loopPasses } from "../loopLimit.js";
import { foldedDispatch, kernelSource, u32Constants, type StorageBindingSpec } from "../wgsl.js";
import type { TrainingKernels } from "./trainingKernel.js";

function requireCount(what: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`internal: mul backward ${what} is ${value}`);
}

/**
 * dx[index] = dy[index] * other[index / PER] over `elements` (batch included). Bindings `dy`, `other`
 * (the gate, PER elements to a value; or, for a same-shape gate's gradient, the value, PER = 1), `dx`.
 */
export function mulBackwardOperand(spec: { elements: number; elementsPerGate: number }): TrainingKernels {
  const { elements, elementsPerGate } = spec;
  requireCount("elements", elements);
  requireCount("elements per gate value", elementsPerGate);
  const dispatch = foldedDispatch(elements, ELEMENTWISE_WORKGROUP_SIZE);
  const bindings: StorageBindingSpec[] = [
    { name: "dy", access: "read" },
    { name: "other", access: "read" },
    { name: "dx", access: "read_write" },
  ];
  const wgsl = kernelSource({
    title: elementsPerGate === 1 ? "mul backward: dy times the other operand" : "mul backward: dy times the per-channel gate",
    details: { elements, "elements per gate value": elementsPerGate, schedule: "one invocation per element" },
    bindings,
    declarations: [u32Constants({ PER: elementsPerGate })],
    dispatch,
    body: [`  dx[index] = dy[index] * other[index / PER];`],
  });
  return { kernels: [{ kernel: "mul_backward", wgsl, workgroups: dispatch.workgroups, bindings, loopIterations: 0 }], scratch: [] };
}

/**
 * A per-channel gate's gradient: dx[g] = sum over p < PER of dy[g * PER + p] * x[g * PER + p], for the
 * `gates` gate values (batch included). Bindings `dy`, `x` (the value the gate multiplied), `dx`.
 */
export function mulBackwardGate(spec: { gates: number; elementsPerGate: number }): TrainingKernels {
  const { gates, elementsPerGate } = spec;
  requireCount("gates", gates);
  requireCount("elements per gate value", elementsPerGate);
  const dispatch = foldedDispatch(gates, ELEMENTWISE_WORKGROUP_SIZE);
  const bindings: StorageBindingSpec[] = [
    { name: "dy", access: "read" },
    { name: "x", access: "read" },
    { name: "dx", access: "read_write" },
  ];
  const wgsl = kernelSource({
    title: "mul backward: a per-channel gate's gradient, sum over its channel of dy * value",
    details: { gates, "elements per gate value": elementsPerGate, schedule: "one invocation per gate value, its channel in order" },
    bindings,
    declarations: [u32Constants({ PER: elementsPerGate })],
    dispatch,
    body: [
      `  let base = index * PER;`,
      `  var sum = 0.0f;`,
      `  for (var p = 0u; p < PER; p++) {`,
      `    sum += dy[base + p] * x[base + p];`,
      `  }`,
      `  dx[index] = sum;`,
    ],
  });
  return { kernels: [{ kernel: "mul_backward_gate", wgsl, workgroups: dispatch.workgroups, bindings, loopIterations: loopPasses(elementsPerGate) }], scratch: [] };
}
