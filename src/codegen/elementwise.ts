// The one elementwise kernel: output[index] = epilogue(sum of the inputs at index), one invocation per
// element. Activations, batchnorm and add are this kernel with one stage (or none), and a fused chain
// (add -> batchnorm -> relu) is this kernel with several. With `context.inPlace` the first input is
// also the output, bound once read_write (Dawn refuses one buffer bound read-only and read_write in
// one dispatch); each invocation reads its element before writing it, so overwriting is safe.
import type { Node } from "../ir/graph.js";
import { describeShape } from "../tensor.js";
import { channelLayout, ELEMENTWISE_WORKGROUP_SIZE } from "./dispatch.js";
import { epilogueKernelStorage, type EpilogueStage } from "./epilogue.js";
import { emitKernel, type KernelContext, type KernelStorage } from "./plan.js";
import { outputStoreCode, outputStoreOf } from "./store.js";
import { foldedDispatch, kernelSource, u32Constants } from "./wgsl.js";

export interface ElementwiseOptions {
  /** The step's kernel name (`<layer>.<kernel>`); default `elementwise`. */
  kernel?: string;
}

export function emitElementwise(node: Node, context: KernelContext, stages: readonly EpilogueStage[], options: ElementwiseOptions = {}): void {
  const inputs = context.inputBuffers;
  const kernelName = `${node.name}: elementwise kernel`;
  if (inputs.length < 1) throw new Error(`internal: ${kernelName} has no inputs`);
  const store = outputStoreOf(context);
  const inPlace = context.inPlace === true;
  if (inPlace) {
    if (store.kind !== "plain") throw new Error(`internal: ${kernelName} cannot run in place and store into a channel slice`);
    if (context.outputBuffer !== inputs[0]) throw new Error(`internal: ${kernelName} runs in place but its output is not its first input's buffer`);
    if (inputs.indexOf(inputs[0]!, 1) > 0) throw new Error(`internal: ${kernelName} runs in place over a buffer it also reads as another input`);
  }
  const { C, inner } = channelLayout(node.shape);
  const dispatch = foldedDispatch(context.batch * C * inner, ELEMENTWISE_WORKGROUP_SIZE);
  const own: KernelStorage[] = inputs.map((buffer, i) => ({ name: `x${i}`, access: inPlace && i === 0 ? "read_write" : "read", buffer }));
  if (!inPlace) own.push({ name: "y", access: "read_write", buffer: context.outputBuffer });
  const { epilogue, bindingSpecs, kernelBindings } = epilogueKernelStorage(kernelName, own, stages, context.maxStorageBindings);
  const storeCode = outputStoreCode(store, node.shape, context.batch);
  const sum = inputs.map((_, i) => `x${i}[index]`).join(" + ");
  const wgsl = kernelSource({
    title: inputs.length === 1 ? "elementwise" : `elementwise sum of ${inputs.length} values`,
    details: {
      epilogue: epilogue.description,
      "inputs and output": `${describeShape([context.batch, ...node.shape])}, ${C} channels of ${inner} elements`,
      "output store": inPlace ? "in place, over input 0" : storeCode.description,
      schedule: "one invocation per element",
    },
    bindings: bindingSpecs,
    declarations: [u32Constants({ C, INNER: inner }), ...storeCode.declarations, epilogue.functionWgsl],
    dispatch,
    body: [
      `  let channel = (index / INNER) % C;`,
      `  ${inPlace ? "x0" : "y"}[${storeCode.index("index")}] = apply_epilogue(${sum}, channel, index);`,
    ],
  });
  emitKernel(context, node, options.kernel ?? "elementwise", wgsl, dispatch.workgroups, kernelBindings, 0); // no loops
}
