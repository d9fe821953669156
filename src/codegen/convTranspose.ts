// A conv_transpose layer's forward: the transposed conv is exactly the input gradient of the conv it
// transposes (src/ir/shapes/convTranspose.ts transposedConvAsConv), so it runs that gradient's kernel,
// the data_gemm implicit GEMM (src/codegen/training/convBackwardData.ts): each invocation gathers, for
// a block of output pixels x output channels of one group, the input pixels and taps that reach them.
// The layer's bias and the stages fused after it (relu, a residual add...) are its epilogue, as a conv's.
// The knobs are data_gemm's default block (no schedule pass chooses them for this layer yet).
import type { Node } from "../ir/graph.js";
import { transposedConvAsConv } from "../ir/shapes/convTranspose.js";
import { DATA_GEMM_FORWARD_SCHEDULE } from "../schedule/kinds/dataGemm.js";
import { describeShape } from "../tensor.js";
import { convGeometryOfShapes } from "./conv/geometry.js";
import { epilogueKernelStorage, type EpilogueStage } from "./epilogue.js";
import { emitKernel, type KernelContext } from "./plan.js";
import { requireDenseSeparateOutput } from "./store.js";
import { transposedConvGemm } from "./training/convBackwardData.js";

export function emitConvTranspose(node: Node, context: KernelContext, stages: readonly EpilogueStage[]): void {
  const attrs = node.attrs;
  if (attrs.op !== "conv_transpose") throw new Error(`internal: emitConvTranspose called on ${node.name} (${attrs.op})`);
  requireDenseSeparateOutput(context, `${node.name}: conv_transpose kernel`);
  const input = context.graph.nodes[node.inputs[0]!]!;
  // The transposed conv's output is that conv's input, and its input that conv's output.
  const geometry = convGeometryOfShapes(`conv_transpose ${node.name}`, node.shape, input.shape, transposedConvAsConv(attrs, input.shape[0]!), context.batch);
  const storage = epilogueKernelStorage(
    `${node.name}: conv_transpose kernel`,
    [
      { name: "x", access: "read", buffer: context.inputBuffers[0]! },
      { name: "weight", access: "read", buffer: context.paramBuffer("weight") },
      { name: "y", access: "read_write", buffer: context.outputBuffer },
    ],
    stages,
    context.maxStorageBindings,
  );
  const title = `transposed conv ${attrs.kernel[0]}x${attrs.kernel[1]}, stride ${attrs.stride[0]}x${attrs.stride[1]}, output_padding ${attrs.outputPadding[0]}x${attrs.outputPadding[1]} (a conv's data gradient, implicit GEMM)`;
  const g = geometry;
  const details = {
    input: describeShape([context.batch, ...input.shape]),
    weight: `[${g.K}, ${g.channelsPerGroup}, ${g.KH}, ${g.KW}] (C_in, K/groups, KH, KW)`,
    output: describeShape([context.batch, ...node.shape]),
    window: `stride ${g.strideH}x${g.strideW}, dilation ${g.dilationH}x${g.dilationW}, groups ${g.groups}, pad ${attrs.padding[0]}x${attrs.padding[1]}`,
    computes: "y[n, k, oh, ow] = sum over the input pixels and taps reaching (oh, ow) of x * weight",
  };
  const kernel = transposedConvGemm(geometry, geometry, { input: "x", target: "y", epilogue: storage.epilogue, title, details, kernel: "conv_transpose" }, DATA_GEMM_FORWARD_SCHEDULE);
  emitKernel(context, node, kernel.kernel, kernel.wgsl, kernel.workgroups, storage.kernelBindings, kernel.loopIterations);
}
