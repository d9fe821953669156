// Fully connected layer as a GEMM: out[n, o] = epilogue(sum_i weight[o, i] * input[n, i]), the input
// flattened in C, H, W order (PyTorch Linear after torch.flatten(x, 1); flatten is a free view, so the
// buffer is already in that order). Both operands are contiguous along i, so each invocation walks i
// with vec4 loads (scalar loads, 4 per loop pass, when the length is not a multiple of 4) and holds a register tile of
// `outputsPerInvocation` features x `rowsPerInvocation` samples; each weight load serves every sample of
// the tile. A weight larger than one portable GPU binding is bound in slices of output features.
import { shapeSize, type FcAttrs, type Node } from "../ir/graph.js";
import { biasStage, epilogueKernelStorage, type EpilogueStage } from "./epilogue.js";
import { loopPasses } from "./loopLimit.js";
import { emitKernel, type KernelBinding, type KernelContext, type KernelGenerator } from "./plan.js";
import { requireDenseSeparateOutput } from "./store.js";
import type { FcSchedule } from "../schedule/kinds/gemm.js";
import { describeSchedule, fcScheduleOf } from "./schedule.js";
import { foldedDispatch, kernelSource, u32Constants, u32Literal } from "./wgsl.js";

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
  const outputsPerInvocation = Math.min(schedule.outputsPerInvocation, attrs.outFeatures);
  const maxBytes = schedule.maxWeightBindingBytes ?? PORTABLE_MAX_BINDING_BYTES;
  const slices = fcRowSlices(attrs.outFeatures, inFeatures, maxBytes, outputsPerInvocation);
  slices.forEach((slice, index) => {
    const whole = slices.length === 1;
    const weight = whole ? context.paramBuffer("weight") : context.paramSliceBuffer("weight", slice.start * inFeatures, slice.count * inFeatures);
    const wgsl = fcKernel(node, context, { schedule, inputShape: inputNode.shape, inFeatures, slice, weight, stages });
    emitKernel(context, node, whole ? "fc" : `gemm_${index}`, wgsl.source, wgsl.workgroups, wgsl.bindings, wgsl.loopIterations);
  });
}

interface FcKernelSpec {
  schedule: FcSchedule;
  inputShape: readonly number[];
  inFeatures: number;
  slice: FcRowSlice;
  /** The buffer holding the slice's weight rows (all of them when the slice is the whole layer). */
  weight: number;
  stages: readonly EpilogueStage[];
}

/** The kernel computing output features [slice.start, slice.start + slice.count) of every sample. */
function fcKernel(
  node: Node,
  context: KernelContext,
  spec: FcKernelSpec,
): { source: string; workgroups: [number, number, number]; bindings: KernelBinding[]; loopIterations: number } {
  const { schedule, inFeatures, slice } = spec;
  const outFeatures = fcAttrs(node).outFeatures;
  const batch = context.batch;
  const vectorized = inFeatures % 4 === 0;
  const step = vectorized ? 4 : 1;
  const outputsPerInvocation = Math.min(schedule.outputsPerInvocation, slice.count);
  const rowsPerInvocation = Math.min(schedule.rowsPerInvocation, batch);
  const outputTiles = Math.ceil(slice.count / outputsPerInvocation);
  const rowTiles = Math.ceil(batch / rowsPerInvocation);
  const dispatch = foldedDispatch(outputTiles * rowTiles, schedule.workgroupSize);
  const element = vectorized ? "vec4<f32>" : "f32";
  const { epilogue, bindingSpecs, kernelBindings } = epilogueKernelStorage(
    `${node.name}: fc kernel`,
    [
      { name: "input", access: "read", element, buffer: context.inputBuffers[0]! },
      { name: "weight", access: "read", element, buffer: spec.weight },
      { name: "output", access: "read_write", buffer: context.outputBuffer },
    ],
    spec.stages,
    context.maxStorageBindings,
  );

  const outputs = Array.from({ length: outputsPerInvocation }, (_, i) => i);
  const rows = Array.from({ length: rowsPerInvocation }, (_, b) => b);
  // o0 counts features within the slice (weight rows of the bound buffer); the feature's index in the
  // layer, for the output and the epilogue (bias), is FIRST_FEATURE + o0 + i. Accumulators are vec4s
  // of partial sums, added up at the end.
  const body: string[] = [
    `  let output_tile = index % OUTPUT_TILES;`,
    `  let row_tile = index / OUTPUT_TILES;`,
    `  let o0 = output_tile * OUTPUTS_PER_INVOCATION;`,
    `  let n0 = row_tile * ROWS_PER_INVOCATION;`,
    `  // Features / samples past the edge are computed on clamped copies and never stored.`,
  ];
  for (const i of outputs) body.push(`  let weight_row${i} = min(o0 + ${u32Literal(i)}, SLICE_FEATURES - 1u) * STEPS;`);
  for (const b of rows) body.push(`  let input_row${b} = min(n0 + ${u32Literal(b)}, BATCH - 1u) * STEPS;`);
  for (const i of outputs) body.push(`  var ${rows.map((b) => `acc${i}_${b}`).join(` = vec4<f32>(0.0f);\n  var `)} = vec4<f32>(0.0f);`);
  const multiplyAdds = (indent: string, lane = ""): string[] => outputs.flatMap((i) => rows.map((b) => `${indent}acc${i}_${b}${lane} = fma(w${i}, x${b}, acc${i}_${b}${lane});`));
  if (vectorized) {
    body.push(`  for (var k = 0u; k < STEPS; k++) {`);
    for (const b of rows) body.push(`    let x${b} = input[input_row${b} + k];`);
    for (const i of outputs) body.push(`    let w${i} = weight[weight_row${i} + k];`);
    body.push(...multiplyAdds("    "), `  }`);
  } else {
    // Rows are not 16-byte aligned: scalar loads, 4 to a vec4, so the loop runs a quarter as many
    // passes (llvmpipe limits them, loopLimit.ts); then a scalar loop over the IN_FEATURES % 4 left.
    const quad = (array: string, row: string): string => `vec4<f32>(${[0, 1, 2, 3].map((lane) => `${array}[${row} + k${lane === 0 ? "" : ` + ${u32Literal(lane)}`}]`).join(", ")})`;
    body.push(`  for (var k = 0u; k < STEPS / 4u * 4u; k += 4u) {`);
    for (const b of rows) body.push(`    let x${b} = ${quad("input", `input_row${b}`)};`);
    for (const i of outputs) body.push(`    let w${i} = ${quad("weight", `weight_row${i}`)};`);
    body.push(...multiplyAdds("    "), `  }`);
    body.push(`  for (var k = STEPS / 4u * 4u; k < STEPS; k++) {`);
    for (const b of rows) body.push(`    let x${b} = input[input_row${b} + k];`);
    for (const i of outputs) body.push(`    let w${i} = weight[weight_row${i} + k];`);
    body.push(...multiplyAdds("    ", ".x"), `  }`);
  }
  body.push(`  let feature0 = FIRST_FEATURE + o0;`);
  for (const b of rows) {
    body.push(`  if (n0 + ${u32Literal(b)} < BATCH) {`);
    body.push(`    let row_start${b} = (n0 + ${u32Literal(b)}) * OUT_FEATURES + feature0;`);
    for (const i of outputs) {
      const sum = `dot(acc${i}_${b}, vec4<f32>(1.0f))`;
      const at = `row_start${b} + ${u32Literal(i)}`;
      const store = `output[${at}] = apply_epilogue(${sum}, feature0 + ${u32Literal(i)}, ${at});`;
      body.push(i === 0 ? `    ${store}` : `    if (o0 + ${u32Literal(i)} < SLICE_FEATURES) {\n      ${store}\n    }`);
    }
    body.push(`  }`);
  }

  const whole = slice.count === outFeatures;
  const sliceEnd = slice.start + slice.count;
  const source = kernelSource({
    title: "fc (GEMM)",
    details: {
      input: `[${batch}, ${inFeatures}] (N, C*H*W flattened from [${spec.inputShape.join(", ")}])`,
      weight: whole
        ? `[${outFeatures}, ${inFeatures}] (out, in)`
        : `rows [${slice.start}, ${sliceEnd}) of [${outFeatures}, ${inFeatures}] (out, in), bound as [${slice.count}, ${inFeatures}]`,
      output: `[${batch}, ${outFeatures}]`,
      computes: whole ? "every output feature" : `output features [${slice.start}, ${sliceEnd}) of every sample (the weight is split across bindings)`,
      schedule: describeSchedule(schedule),
      "register tile": `${outputsPerInvocation} features x ${rowsPerInvocation} samples, ${vectorized ? "vec4 loads" : "scalar loads, 4 per loop pass"}`,
      epilogue: epilogue.description,
    },
    bindings: bindingSpecs,
    declarations: [
      u32Constants({
        BATCH: batch,
        IN_FEATURES: inFeatures,
        OUT_FEATURES: outFeatures,
        FIRST_FEATURE: slice.start,
        SLICE_FEATURES: slice.count,
        STEPS: inFeatures / step, // loads per row: vec4s, or floats when IN_FEATURES % 4 != 0
        OUTPUTS_PER_INVOCATION: outputsPerInvocation,
        ROWS_PER_INVOCATION: rowsPerInvocation,
        OUTPUT_TILES: outputTiles,
      }),
      epilogue.functionWgsl,
    ],
    dispatch,
    body,
  });
  const loopIterations = vectorized ? loopPasses(inFeatures / 4) : loopPasses(Math.floor(inFeatures / 4)) + loopPasses(inFeatures % 4);
  return { source, workgroups: dispatch.workgroups, bindings: kernelBindings, loopIterations };
}

function fcAttrs(node: Node): FcAttrs {
  if (node.attrs.op !== "fc") throw new Error(`internal: fc generator called on ${node.name} (${node.attrs.op})`);
  return node.attrs;
}
