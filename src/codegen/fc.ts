// Fully connected layer as a GEMM on the GEMM core: out[n, o] = epilogue(sum_i weight[o, i] * input[n, i]),
// the input flattened in C, H, W order (PyTorch Linear after torch.flatten(x, 1); flatten is a free
// view, so the buffer is already in that order). A = the weight's rows (features), B = the input's rows
// (samples); both are contiguous along i, so with aligned rows they load as vec4s along i (the core's
// quad loads). A weight larger than one portable GPU binding is bound in slices of output features.
import { shapeSize, type FcAttrs, type Node } from "../ir/graph.js";
import type { GemmSchedule } from "../schedule/kinds/gemm.js";
import { biasStage, type EpilogueStage } from "./epilogue.js";
import { emitGemm, gemmPartialBytes } from "./gemm/core.js";
import type { GemmProblem, GemmStore } from "./gemm/operands.js";
import { rowMajorOperand } from "./gemm/rowMajor.js";
import type { KernelContext, KernelGenerator } from "./plan.js";
import { requireDenseSeparateOutput } from "./store.js";
import { describeSchedule, fcScheduleOf } from "./schedule.js";

export const generateFc: KernelGenerator = (node, context) => {
  const attrs = fcAttrs(node);
  emitFc(node, context, fcEpilogue(attrs, context));
};

/** The stages an fc applies by itself: its bias, when it has one. */
export function fcEpilogue(attrs: FcAttrs, context: KernelContext): EpilogueStage[] {
  return attrs.bias ? [biasStage(context.paramBuffer("bias"))] : [];
}

/**
 * The largest storage binding every WebGPU adapter allows: the spec's default (and guaranteed minimum)
 * maxStorageBufferBindingSize, 128 MiB. An fc weight larger than this is bound in slices of output
 * features that each fit, so a plan runs on any adapter (VGG-16's fc6 weight is 392 MiB).
 */
export const PORTABLE_MAX_BINDING_BYTES = 128 * 1024 * 1024;

/** Output features [start, start + count) of an fc, computed by one dispatch. */
export interface FcRowSlice {
  start: number;
  count: number;
}

/**
 * Splits `outFeatures` rows of `inFeatures` floats into as few slices of at most `maxBytes` as
 * possible, of (nearly) equal size, each a multiple of `rowAlignment` rows (the register tile) except
 * the last. One slice when the whole weight fits, or when not even `rowAlignment` rows fit (the runtime
 * then reports the weight as too large).
 */
export function fcRowSlices(outFeatures: number, inFeatures: number, maxBytes: number, rowAlignment: number): FcRowSlice[] {
  const rowBytes = inFeatures * 4;
  const maxRows = Math.floor(Math.floor(maxBytes / rowBytes) / rowAlignment) * rowAlignment;
  if (outFeatures * rowBytes <= maxBytes || maxRows < 1) return [{ start: 0, count: outFeatures }];
  const sliceCount = Math.ceil(outFeatures / maxRows);
  const rowsPerSlice = Math.ceil(Math.ceil(outFeatures / sliceCount) / rowAlignment) * rowAlignment;
  const slices: FcRowSlice[] = [];
  for (let start = 0; start < outFeatures; start += rowsPerSlice) {
    slices.push({ start, count: Math.min(rowsPerSlice, outFeatures - start) });
  }
  return slices;
}

/**
 * Emits the fc kernel with the given epilogue (which replaces, not extends, `fcEpilogue`): one step
 * `<layer>.fc`, or, when the weight is larger than one binding may be, one step `<layer>.gemm_<i>` per
 * slice of output features, each binding only its rows of the weight.
 */
export function emitFc(node: Node, context: KernelContext, stages: readonly EpilogueStage[]): void {
  const attrs = fcAttrs(node);
  requireDenseSeparateOutput(context, `${node.name}: fc kernel`);
  const schedule = fcScheduleOf(node);
  const inputNode = context.graph.nodes[node.inputs[0] ?? -1];
  if (inputNode === undefined || node.inputs.length !== 1) throw new Error(`internal: fc ${node.name} must read one value`);
  const inFeatures = shapeSize(inputNode.shape);
  const rowsPerTile = Math.min(schedule.tileM, attrs.outFeatures);
  const maxBytes = schedule.maxWeightBindingBytes ?? PORTABLE_MAX_BINDING_BYTES;
  const slices = fcRowSlices(attrs.outFeatures, inFeatures, maxBytes, rowsPerTile);
  slices.forEach((slice, index) => {
    const whole = slices.length === 1;
    const weight = whole ? context.paramBuffer("weight") : context.paramSliceBuffer("weight", slice.start * inFeatures, slice.count * inFeatures);
    emitFcSlice(node, context, schedule, inputNode.shape, slice, weight, stages, whole ? "fc" : `gemm_${index}`);
  });
}

/** The GEMM computing output features [slice.start, slice.start + slice.count) of every sample. */
function emitFcSlice(node: Node, context: KernelContext, schedule: GemmSchedule, inputShape: readonly number[], slice: FcRowSlice, weight: number, stages: readonly EpilogueStage[], kernel: string): void {
  const outFeatures = fcAttrs(node).outFeatures;
  const inFeatures = shapeSize(inputShape);
  const batch = context.batch;
  const aligned = inFeatures % 4 === 0;
  const whole = slice.count === outFeatures;
  const sliceEnd = slice.start + slice.count;
  const problem: GemmProblem = { batches: 1, planes: 1, M: slice.count, N: batch, R: inFeatures };
  const partialBytes = gemmPartialBytes(problem, schedule);
  // m counts features within the slice (rows of the bound weight); the feature's index in the layer,
  // for the output and the epilogue (bias), is FIRST_FEATURE + m.
  const store: GemmStore = {
    storage: [{ name: "output", access: "read_write", buffer: context.outputBuffer }],
    stages,
    declarations: [],
    store: (_batch, m, n, values) => [`output[${n} * OUT_FEATURES + FIRST_FEATURE + ${m}] = apply_epilogue(${values[0]!}, FIRST_FEATURE + ${m}, ${n} * OUT_FEATURES + FIRST_FEATURE + ${m});`],
    description: "dense",
  };
  emitGemm({
    node,
    context,
    kernel,
    title: "fc (GEMM)",
    details: {
      input: `[${batch}, ${inFeatures}] (N, C*H*W flattened from [${inputShape.join(", ")}])`,
      weight: whole
        ? `[${outFeatures}, ${inFeatures}] (out, in)`
        : `rows [${slice.start}, ${sliceEnd}) of [${outFeatures}, ${inFeatures}] (out, in), bound as [${slice.count}, ${inFeatures}]`,
      output: `[${batch}, ${outFeatures}]`,
      computes: whole ? "every output feature" : `output features [${slice.start}, ${sliceEnd}) of every sample (the weight is split across bindings)`,
      schedule: describeSchedule(schedule),
      loads: aligned ? "vec4 along the input features" : "scalar (rows not 16-byte aligned)",
    },
    problem,
    rows: rowMajorOperand({ name: "weight", buffer: weight, rowStart: (_batch, at) => `${at} * IN_FEATURES`, aligned }),
    columns: rowMajorOperand({ name: "input", buffer: context.inputBuffers[0]!, rowStart: (_batch, at) => `${at} * IN_FEATURES`, aligned }),
    store,
    knobs: schedule,
    constants: { IN_FEATURES: inFeatures, OUT_FEATURES: outFeatures, FIRST_FEATURE: slice.start },
    ...(partialBytes > 0 ? { partials: context.scratchBuffer(`partials_${kernel}`, partialBytes) } : {}),
  });
}

function fcAttrs(node: Node): FcAttrs {
  if (node.attrs.op !== "fc") throw new Error(`internal: fc generator called on ${node.name} (${node.attrs.op})`);
  return node.attrs;
}
