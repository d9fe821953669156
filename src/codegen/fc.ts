// Fully connected layer as a GEMM: out[n, o] = epilogue(sum_i weight[o, i] * input[n, i]), the input
// flattened in C, H, W order (PyTorch Linear after torch.flatten(x, 1); flatten is a free view, so the
// buffer is already in that order). Both operands are contiguous along i, so each invocation walks i
// with vec4 loads (scalar loads when the length is not a multiple of 4) and holds a register tile of
// `outputsPerInvocation` features x `rowsPerInvocation` samples; each weight load serves every sample of
// the tile.
import { shapeSize, type FcAttrs, type Node } from "../ir/graph.js";
import { biasStage, epilogueKernelStorage, type EpilogueStage } from "./epilogue.js";
import { emitKernel, type KernelContext, type KernelGenerator } from "./plan.js";
import { describeSchedule, fcScheduleOf } from "./schedule.js";
import { foldedDispatch, headerComment, kernelSource, u32Constants, u32Literal } from "./wgsl.js";

export const generateFc: KernelGenerator = (node, context) => {
  const attrs = fcAttrs(node);
  emitFc(node, context, fcEpilogue(attrs, context));
};

/** The stages an fc applies by itself: its bias, when it has one. */
export function fcEpilogue(attrs: FcAttrs, context: KernelContext): EpilogueStage[] {
  return attrs.bias ? [biasStage(context.paramBuffer("bias"))] : [];
}

/** Emits the fc kernel with the given epilogue (which replaces, not extends, `fcEpilogue`). */
export function emitFc(node: Node, context: KernelContext, stages: readonly EpilogueStage[]): void {
  const attrs = fcAttrs(node);
  const schedule = fcScheduleOf(node, attrs);
  const inputNode = context.graph.nodes[node.inputs[0] ?? -1];
  if (inputNode === undefined || node.inputs.length !== 1) throw new Error(`internal: fc ${node.name} must read one value`);
  const inFeatures = shapeSize(inputNode.shape);
  const outFeatures = attrs.outFeatures;
  const batch = context.batch;
  const vectorized = inFeatures % 4 === 0;
  const step = vectorized ? 4 : 1;
  const outputsPerInvocation = Math.min(schedule.outputsPerInvocation, outFeatures);
  const rowsPerInvocation = Math.min(schedule.rowsPerInvocation, batch);
  const outputTiles = Math.ceil(outFeatures / outputsPerInvocation);
  const rowTiles = Math.ceil(batch / rowsPerInvocation);
  const dispatch = foldedDispatch(outputTiles * rowTiles, schedule.workgroupSize);
  const element = vectorized ? "vec4<f32>" : "f32";
  const { epilogue, bindingSpecs, kernelBindings } = epilogueKernelStorage(
    `${node.name}: fc kernel`,
    [
      { name: "input", access: "read", element, buffer: context.inputBuffers[0]! },
      { name: "weight", access: "read", element, buffer: context.paramBuffer("weight") },
      { name: "output", access: "read_write", buffer: context.outputBuffer },
    ],
    stages,
  );

  const outputs = Array.from({ length: outputsPerInvocation }, (_, i) => i);
  const rows = Array.from({ length: rowsPerInvocation }, (_, b) => b);
  const zero = vectorized ? "vec4<f32>(0.0f)" : "0.0f";
  const body: string[] = [
    `  let output_tile = index % OUTPUT_TILES;`,
    `  let row_tile = index / OUTPUT_TILES;`,
    `  let o0 = output_tile * OUTPUTS_PER_INVOCATION;`,
    `  let n0 = row_tile * ROWS_PER_INVOCATION;`,
    `  // Features / samples past the edge are computed on clamped copies and never stored.`,
  ];
  for (const i of outputs) body.push(`  let weight_row${i} = min(o0 + ${u32Literal(i)}, OUT_FEATURES - 1u) * STEPS;`);
  for (const b of rows) body.push(`  let input_row${b} = min(n0 + ${u32Literal(b)}, BATCH - 1u) * STEPS;`);
  for (const i of outputs) body.push(`  var ${rows.map((b) => `acc${i}_${b}`).join(` = ${zero};\n  var `)} = ${zero};`);
  body.push(`  for (var k = 0u; k < STEPS; k++) {`);
  for (const b of rows) body.push(`    let x${b} = input[input_row${b} + k];`);
  for (const i of outputs) body.push(`    let w${i} = weight[weight_row${i} + k];`);
  for (const i of outputs) for (const b of rows) body.push(`    acc${i}_${b} = fma(w${i}, x${b}, acc${i}_${b});`);
  body.push(`  }`);
  for (const b of rows) {
    body.push(`  if (n0 + ${u32Literal(b)} < BATCH) {`);
    body.push(`    let row_start${b} = (n0 + ${u32Literal(b)}) * OUT_FEATURES + o0;`);
    for (const i of outputs) {
      const sum = vectorized ? `dot(acc${i}_${b}, vec4<f32>(1.0f))` : `acc${i}_${b}`;
      const at = `row_start${b} + ${u32Literal(i)}`;
      const store = `output[${at}] = apply_epilogue(${sum}, o0 + ${u32Literal(i)}, ${at});`;
      body.push(i === 0 ? `    ${store}` : `    if (o0 + ${u32Literal(i)} < OUT_FEATURES) {\n      ${store}\n    }`);
    }
    body.push(`  }`);
  }

  const wgsl = kernelSource({
    header: headerComment(`fc (GEMM): layer ${node.name}`, {
      input: `[${batch}, ${inFeatures}] (N, C*H*W flattened from [${inputNode.shape.join(", ")}])`,
      weight: `[${outFeatures}, ${inFeatures}] (out, in)`,
      output: `[${batch}, ${outFeatures}]`,
      schedule: describeSchedule(schedule),
      "register tile": `${outputsPerInvocation} features x ${rowsPerInvocation} samples, ${vectorized ? "vec4" : "scalar"} loads`,
      epilogue: epilogue.description,
    }),
    bindings: bindingSpecs,
    declarations: [
      u32Constants({
        BATCH: batch,
        IN_FEATURES: inFeatures,
        OUT_FEATURES: outFeatures,
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
  emitKernel(context, node, "fc", wgsl, dispatch.workgroups, kernelBindings);
}

function fcAttrs(node: Node): FcAttrs {
  if (node.attrs.op !== "fc") throw new Error(`internal: fc generator called on ${node.name} (${node.attrs.op})`);
  return node.attrs;
}
