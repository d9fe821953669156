// Direct convolution: no column buffer. Each invocation owns a register block of output channels (all
// in one group, so they share every input load) x consecutive flattened output pixels. The window's
// padded coordinates are resolved once per kernel tap, outside the channel loop, so the innermost loop
// is only loads and fused multiply-adds.
import type { Node } from "../../ir/graph.js";
import { epilogueKernelStorage, type EpilogueStage } from "../epilogue.js";
import { emitKernel, type KernelContext } from "../plan.js";
import { describeSchedule, type DirectConvSchedule } from "../schedule.js";
import { foldedDispatch, headerComment, kernelSource, u32Constants, u32Literal } from "../wgsl.js";
import { outputPixels, paddingFunctions, windowConstants, type ConvGeometry } from "./geometry.js";
import { shapeSummary } from "./common.js";

export function emitDirectConv(
  node: Node,
  context: KernelContext,
  geometry: ConvGeometry,
  schedule: DirectConvSchedule,
  stages: readonly EpilogueStage[],
): void {
  const g = geometry;
  // A channel block must not straddle two groups: take the largest block size dividing the group's filters.
  const channelsPerInvocation = greatestCommonDivisor(schedule.outputChannelsPerInvocation, g.filtersPerGroup);
  const pixelsPerInvocation = schedule.pixelsPerInvocation;
  const pixels = outputPixels(g);
  const pixelBlocks = Math.ceil(pixels / pixelsPerInvocation);
  const channelBlocks = g.K / channelsPerInvocation;
  const dispatch = foldedDispatch(g.batch * channelBlocks * pixelBlocks, schedule.workgroupSize);
  const { epilogue, bindingSpecs, kernelBindings } = epilogueKernelStorage(
    `${node.name}: direct conv kernel`,
    [
      { name: "input", access: "read", buffer: context.inputBuffers[0]! },
      { name: "weight", access: "read", buffer: context.paramBuffer("weight") },
      { name: "output", access: "read_write", buffer: context.outputBuffer },
    ],
    stages,
  );

  const channelIndices = range(channelsPerInvocation);
  const pixelIndices = range(pixelsPerInvocation);
  const body: string[] = [
    `  let pixel_block = index % PIXEL_BLOCKS;`,
    `  let channel_block = (index / PIXEL_BLOCKS) % CHANNEL_BLOCKS;`,
    `  let n = index / (PIXEL_BLOCKS * CHANNEL_BLOCKS);`,
    `  let k0 = channel_block * CHANNELS_PER_INVOCATION;`,
    `  let group = k0 / FILTERS_PER_GROUP;`,
    `  let input_base = (n * C + group * CHANNELS_PER_GROUP) * H * W;`,
    `  let p0 = pixel_block * PIXELS_PER_INVOCATION;`,
    `  // Pixels past the end (last block only) are computed on a clamped copy and never stored.`,
  ];
  for (const j of pixelIndices) {
    body.push(
      `  let pixel${j} = min(p0 + ${u32Literal(j)}, OH * OW - 1u);`,
      `  let top${j} = i32(pixel${j} / OW) * STRIDE_H - PAD_TOP;`,
      `  let left${j} = i32(pixel${j} % OW) * STRIDE_W - PAD_LEFT;`,
    );
  }
  for (const i of channelIndices) {
    body.push(`  var ${pixelIndices.map((j) => `acc${i}_${j}`).join(" = 0.0f;\n  var ")} = 0.0f;`);
  }
  body.push(`  for (var kh = 0u; kh < KH; kh++) {`);
  for (const j of pixelIndices) body.push(`    let row${j} = source_row(top${j} + i32(kh) * DILATION_H);`);
  body.push(`    for (var kw = 0u; kw < KW; kw++) {`);
  for (const j of pixelIndices) {
    body.push(`      let col${j} = source_col(left${j} + i32(kw) * DILATION_W);`);
    if (g.readsZeros) {
      body.push(
        `      let valid${j} = row${j} >= 0i && col${j} >= 0i;`,
        `      let offset${j} = u32(select(0i, row${j} * i32(W) + col${j}, valid${j}));`,
      );
    } else {
      body.push(`      let offset${j} = u32(row${j} * i32(W) + col${j});`);
    }
  }
  body.push(
    `      var input_index = input_base;`,
    `      var weight_index = k0 * WEIGHTS_PER_FILTER + kh * KW + kw;`,
    `      for (var c = 0u; c < CHANNELS_PER_GROUP; c++) {`,
  );
  for (const j of pixelIndices) {
    const load = `input[input_index + offset${j}]`;
    body.push(`        let x${j} = ${g.readsZeros ? `select(0.0f, ${load}, valid${j})` : load};`);
  }
  for (const i of channelIndices) {
    const offset = i === 0 ? "" : ` + ${u32Literal(i)} * WEIGHTS_PER_FILTER`;
    body.push(`        let w${i} = weight[weight_index${offset}];`);
  }
  for (const i of channelIndices) {
    for (const j of pixelIndices) body.push(`        acc${i}_${j} = fma(w${i}, x${j}, acc${i}_${j});`);
  }
  body.push(
    `        input_index += H * W;`,
    `        weight_index += KH * KW;`,
    `      }`,
    `    }`,
    `  }`,
    `  let output_base = (n * K + k0) * OH * OW + p0;`,
  );
  // Stores: the accumulators are packed 4 pixels to a vec4, then a loop over the pixels that exist
  // stores each. Its trip count is only known at run time, so the loop stays rolled: unrolled, the
  // channels x pixels epilogues and stores were most of this shader's compile time.
  for (let first = 0; first < pixelsPerInvocation; first += 4) {
    const count = Math.min(4, pixelsPerInvocation - first);
    for (const i of channelIndices) {
      const values = [0, 1, 2, 3].map((lane) => (lane < count ? `acc${i}_${first + lane}` : "0.0f"));
      body.push(`  let packed${i}_${first} = vec4<f32>(${values.join(", ")});`);
    }
    const start = `p0 + ${u32Literal(first)}`;
    body.push(`  for (var lane = 0u; lane < min(${u32Literal(count)}, OH * OW - min(${start}, OH * OW)); lane++) {`);
    for (const i of channelIndices) {
      body.push(
        `    let at${i} = output_base + ${u32Literal(i)} * OH * OW + ${u32Literal(first)} + lane;`,
        `    output[at${i}] = apply_epilogue(packed${i}_${first}[lane], k0 + ${u32Literal(i)}, at${i});`,
      );
    }
    body.push(`  }`);
  }

  const constants = u32Constants({
    C: g.C,
    H: g.H,
    W: g.W,
    K: g.K,
    OH: g.OH,
    OW: g.OW,
    KH: g.KH,
    KW: g.KW,
    CHANNELS_PER_GROUP: g.channelsPerGroup,
    FILTERS_PER_GROUP: g.filtersPerGroup,
    WEIGHTS_PER_FILTER: g.channelsPerGroup * g.KH * g.KW,
    CHANNELS_PER_INVOCATION: channelsPerInvocation,
    PIXELS_PER_INVOCATION: pixelsPerInvocation,
    CHANNEL_BLOCKS: channelBlocks,
    PIXEL_BLOCKS: pixelBlocks,
  });
  const wgsl = kernelSource({
    header: headerComment(`conv${node.attrs.op === "conv" && node.attrs.spatialRank === 1 ? "1d" : "2d"} direct: layer ${node.name}`, {
      ...shapeSummary(g),
      schedule: describeSchedule(schedule),
      "register block": `${channelsPerInvocation} channels x ${pixelsPerInvocation} pixels`,
      epilogue: epilogue.description,
    }),
    bindings: bindingSpecs,
    declarations: [`${constants}\n${windowConstants(g)}`, paddingFunctions(g), epilogue.functionWgsl],
    dispatch,
    body,
  });
  emitKernel(context, node, "conv_direct", wgsl, dispatch.workgroups, kernelBindings);
}

function greatestCommonDivisor(a: number, b: number): number {
  return b === 0 ? a : greatestCommonDivisor(b, a % b);
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}
