// Runs a training generator's kernels (src/codegen/training/trainingKernel.ts) on the GPU with tensors
// bound by operand name: every binding gets a buffer, uploaded from `operands` when given (zeros
// otherwise), and every read_write binding is read back after the run. Scratch buffers are zeroed.
// u32 operands (labels, switches) travel as their bit patterns in a Float32Array (`u32Bits`).
import { trainingKernelStep, type TrainingKernels } from "../../../src/codegen/training/trainingKernel.js";
import type { Graph } from "../../../src/ir/graph.js";
import type { Tensor } from "../../../src/tensor.js";
import type { GpuContext } from "../../../runtime/device.js";
import { TestPlan } from "../kernelHarness.js";

const EMPTY_GRAPH: Graph = { name: "training_kernels", nodes: [], inputs: [], outputs: [] };

/** A Float32Array holding `values` as u32 bit patterns (how u32 operands are uploaded here). */
export function u32Bits(values: readonly number[] | Uint32Array): Float32Array {
  const bits = new Uint32Array(values.length);
  bits.set(values);
  return new Float32Array(bits.buffer);
}

/** The u32 values whose bits a Float32Array read back from a u32 binding holds. */
export function fromU32Bits(data: Float32Array): Uint32Array {
  return new Uint32Array(data.buffer, data.byteOffset, data.length);
}

/**
 * Runs `generated`'s kernels in order once. `operands` gives each bound name's initial contents
 * (flat; shape [length]); `sizes` gives the element count of bindings without initial contents.
 * Returns every read_write binding's final contents by name.
 */
export async function runTrainingKernels(
  gpu: GpuContext,
  generated: TrainingKernels,
  operands: Record<string, Float32Array>,
  sizes: Record<string, number> = {},
): Promise<Map<string, Float32Array>> {
  const test = new TestPlan(EMPTY_GRAPH, 1);
  const bufferOf = new Map<string, number>();
  const writable = new Set<string>();
  const scratch = new Map(generated.scratch.map(({ name, bytes }) => [name, bytes / 4]));
  for (const kernel of generated.kernels) {
    for (const binding of kernel.bindings) {
      if (binding.access === "read_write" && !scratch.has(binding.name)) writable.add(binding.name);
      if (bufferOf.has(binding.name)) continue;
      const given = operands[binding.name];
      const length = given?.length ?? scratch.get(binding.name) ?? sizes[binding.name];
      if (length === undefined) throw new Error(`test: no contents or size for operand ${binding.name}`);
      const tensor: Tensor = { shape: [length], data: given ?? new Float32Array(length) };
      bufferOf.set(binding.name, test.input(binding.name, tensor));
    }
  }
  for (const name of writable) test.output(name, [test.plan().buffers[bufferOf.get(name)!]!.bytes / 4], 0, bufferOf.get(name));
  for (const kernel of generated.kernels) {
    const step = trainingKernelStep(kernel, { name: `test.${kernel.kernel}`, node: 0, layer: "test" }, (name) => bufferOf.get(name)!);
    test.step(step);
  }
  const outputs = await test.run(gpu);
  return new Map([...outputs].map(([name, tensor]) => [name, tensor.data]));
}
