// Direct convolution: no column buffer. Each invocation owns a register block of output channels (all
// in one group, so they share every input load) x consecutive flattened output pixels. The window's
// padded coordinates are resolved once per kernel tap, outside the channel loop, so the innermost loop
// is only loads and fused multiply-adds. With a pooled output (pooled.ts) the block holds pooled
// pixels, and its conv pixels are every cell of their pool windows: the tap and channel loops run once
// for all of them (each weight load serves the whole window), then the epilogue applies to each conv
// value and each window's values fold into its pooled value; only pooled values are stored.
// One pass over the taps, with the channel loop unrolled by 4, also keeps an invocation's loop passes
// near KH * KW * C/groups / 4: llvmpipe silently ends every loop of an invocation after 65535 passes in
// all (loopLimit.ts), which a loop over the window's cells around the taps passed.
import type { Node } from "../../ir/graph.js";
import { epilogueKernelStorage, type EpilogueStage } from "../epilogue.js";
import { MAX_KEEPING_NAN_WGSL } from "../nanWgsl.js";
import { loopPasses } from "../loopLimit.js";
import { emitKernel, type KernelContext } from "../plan.js";
import type { DirectConvSchedule } from "../../schedule/kinds/direct.js";
import { describeSchedule } from "../schedule.js";
import { outputStoreCode, outputStoreOf, type OutputStoreCode } from "../store.js";
import { foldedDispatch, kernelSource, RUN_TIME_ZERO, u32Constants, u32Literal, type HeaderDetails } from "../wgsl.js";
import { imageDims } from "../dispatch.js";
import { describeShape } from "../../tensor.js";
import { paddingFunctions, windowConstants, type ConvGeometry } from "./geometry.js";
import { shapeSummary } from "./common.js";
import { poolFold, pooledConvSupport, type PooledOutput } from "./pooled.js";

export function emitDirectConv(
  node: Node,
  context: KernelContext,
  geometry: ConvGeometry,
  schedule: DirectConvSchedule,
  stages: readonly EpilogueStage[],
  pool?: PooledOutput,
): void {
  const g = geometry;
  if (pool !== undefined) {
    const support = pooledConvSupport(node.shape, pool, "direct");
    if (!support.ok) throw new Error(`internal: ${node.name}: the conv kernel cannot pool: ${support.reason}`);
  }
  // A channel block must not straddle two groups: take the largest block size dividing the group's filters.
  const channelsPerInvocation = greatestCommonDivisor(schedule.outputChannelsPerInvocation, g.filtersPerGroup);
  const pixelsPerInvocation = schedule.pixelsPerInvocation;
  const outputShape = pool?.shape ?? node.shape;
  const { H: PH, W: PW } = imageDims(outputShape);
  const pixels = PH * PW;
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
    context.maxStorageBindings,
  );
  const storeCode = outputStoreCode(outputStoreOf(context), outputShape, g.batch);
  const block: RegisterBlock = { channels: range(channelsPerInvocation), pixels: range(pixelsPerInvocation) };

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
  if (pool === undefined) {
    for (const j of block.pixels) {
      body.push(
        `  let pixel${j} = min(p0 + ${u32Literal(j)}, OH * OW - 1u);`,
        `  let top${j} = i32(pixel${j} / OW) * STRIDE_H - PAD_TOP;`,
        `  let left${j} = i32(pixel${j} % OW) * STRIDE_W - PAD_LEFT;`,
      );
    }
    body.push(...accumulate(g, block, "  "));
    body.push(...storeBlock(block, storeCode, { plane: "OH * OW", packed: (i, j) => `acc${i}_${j}` }));
    if (stages.length > 0) body.push(...epilogueLoop(storeCode));
  } else {
    const fold = poolFold(pool.attrs);
    body.push(...pooledAccumulate(g, block, pool));
    body.push(
      ...storeBlock(block, storeCode, {
        plane: "POH * POW",
        packed: (i, j) => fold.finish(`pool${i}_${j}`),
      }),
    );
  }

  const fold = pool === undefined ? undefined : poolFold(pool.attrs);
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
    ...(pool === undefined
      ? {}
      : { POH: PH, POW: PW, POOL_KH: pool.attrs.window[0], POOL_KW: pool.attrs.window[1], POOL_SH: pool.attrs.stride[0], POOL_SW: pool.attrs.stride[1] }),
  });
  const rank = node.attrs.op === "conv" && node.attrs.spatialRank === 1 ? "1d" : "2d";
  const poolDetails: HeaderDetails =
    pool === undefined || fold === undefined
      ? {}
      : {
          pool: `${fold.description} over the conv output, which is never stored (the epilogue applies to each conv value before pooling)`,
          "pooled output": describeShape([g.batch, ...pool.shape]),
        };
  const wgsl = kernelSource({
    title: pool === undefined ? `conv${rank} direct` : `conv${rank} direct + ${pool.attrs.kind} pool`,
    details: {
      ...shapeSummary(g),
      ...poolDetails,
      schedule: describeSchedule(schedule),
      "register block":
        pool === undefined
          ? `${channelsPerInvocation} channels x ${pixelsPerInvocation} pixels`
          : `${channelsPerInvocation} channels x ${pixelsPerInvocation} pooled pixels x ${windowCells(pool).length} window cells`,
      epilogue: epilogue.description,
      "output store": storeCode.description,
    },
    bindings: bindingSpecs,
    declarations: [
      `${constants}\n${windowConstants(g)}`,
      paddingFunctions(g),
      ...(pool?.attrs.kind === "max" ? [MAX_KEEPING_NAN_WGSL] : []),
      ...storeCode.declarations,
      epilogue.functionWgsl,
    ],
    dispatch,
    body,
  });
  emitKernel(context, node, "conv_direct", wgsl, dispatch.workgroups, kernelBindings, directConvLoopIterations(g, block.pixels.length, pool === undefined && stages.length > 0 ? channelsPerInvocation : 0));
}

/** The channel and pixel indices of one invocation's register block. */
interface RegisterBlock {
  channels: number[];
  pixels: number[];
}

/**
 * Declares the accumulators `acc{i}_{j}` and sums the conv's taps into them, for pixels whose window
 * corner `top{j}`, `left{j}` (i32, padded input coordinates) is defined before.
 */
function accumulate(g: ConvGeometry, block: RegisterBlock, indent: string): string[] {
  const lines: string[] = [];
  for (const i of block.channels) {
    lines.push(`var ${block.pixels.map((j) => `acc${i}_${j}`).join(" = 0.0f;\nvar ")} = 0.0f;`);
  }
  lines.push(`for (var kh = 0u; kh < KH; kh++) {`);
  for (const j of block.pixels) lines.push(`  let row${j} = source_row(top${j} + i32(kh) * DILATION_H);`);
  lines.push(`  for (var kw = 0u; kw < KW; kw++) {`);
  for (const j of block.pixels) {
    lines.push(`    let col${j} = source_col(left${j} + i32(kw) * DILATION_W);`);
    if (g.readsZeros) {
      lines.push(
        `    let valid${j} = row${j} >= 0i && col${j} >= 0i;`,
        `    let offset${j} = u32(select(0i, row${j} * i32(W) + col${j}, valid${j}));`,
      );
    } else {
      lines.push(`    let offset${j} = u32(row${j} * i32(W) + col${j});`);
    }
  }
  lines.push(`    var input_index = input_base;`, `    var weight_index = k0 * WEIGHTS_PER_FILTER + kh * KW + kw;`);
  // The channel loop is unrolled by 4 (then a loop over the C/groups % 4 left): a quarter of the
  // loop passes, which llvmpipe limits per invocation (loopLimit.ts). Channels are summed in order.
  const unrolled = Math.floor(g.channelsPerGroup / 4) > 0;
  if (unrolled) {
    lines.push(`    for (var c = 0u; c < CHANNELS_PER_GROUP / 4u * 4u; c += 4u) {`);
    for (const step of [0, 1, 2, 3]) lines.push(...channelStep(g, block, step));
    lines.push(`      input_index += 4u * H * W;`, `      weight_index += 4u * KH * KW;`, `    }`);
  }
  if (g.channelsPerGroup % 4 !== 0) {
    lines.push(`    for (var c = ${unrolled ? "CHANNELS_PER_GROUP / 4u * 4u" : "0u"}; c < CHANNELS_PER_GROUP; c++) {`);
    lines.push(...channelStep(g, block, 0));
    lines.push(`      input_index += H * W;`, `      weight_index += KH * KW;`, `    }`);
  }
  lines.push(`  }`, `}`);
  return lines.flatMap((line) => line.split("\n")).map((line) => `${indent}${line}`);
}

/** The loads and fused multiply-adds of channel `input_index / (H * W) + step` of the block's taps. */
function channelStep(g: ConvGeometry, block: RegisterBlock, step: number): string[] {
  const lines: string[] = [];
  const plane = step === 0 ? "" : ` + ${u32Literal(step)} * H * W`;
  const taps = step === 0 ? "" : ` + ${u32Literal(step)} * KH * KW`;
  for (const j of block.pixels) {
    const load = `input[input_index${plane} + offset${j}]`;
    lines.push(`      let x${j}_${step} = ${g.readsZeros ? `select(0.0f, ${load}, valid${j})` : load};`);
  }
  for (const i of block.channels) {
    const filter = i === 0 ? "" : ` + ${u32Literal(i)} * WEIGHTS_PER_FILTER`;
    lines.push(`      let w${i}_${step} = weight[weight_index${taps}${filter}];`);
  }
  for (const i of block.channels) {
    for (const j of block.pixels) lines.push(`      acc${i}_${j} = fma(w${i}_${step}, x${j}_${step}, acc${i}_${j});`);
  }
  return lines;
}

/**
 * The loop passes of `accumulate` (its kh, kw and channel loops), of `storeBlock` (a loop of up to
 * 4 lanes per 4 pixels of the block) and of `epilogueLoop` over `epilogueChannels` channels (0: none):
 * KernelStep.loopIterations of the direct conv.
 */
export function directConvLoopIterations(g: ConvGeometry, storedPixels: number, epilogueChannels: number): number {
  const quads = Math.floor(g.channelsPerGroup / 4);
  const left = g.channelsPerGroup % 4;
  const channelPasses = (quads > 0 ? loopPasses(quads) : 0) + (left > 0 ? loopPasses(left) : 0);
  const taps = loopPasses(g.KH, loopPasses(g.KW, channelPasses));
  let stores = 0;
  for (let first = 0; first < storedPixels; first += 4) stores += loopPasses(Math.min(4, storedPixels - first));
  const epilogue = epilogueChannels > 0 ? loopPasses(epilogueChannels, loopPasses(storedPixels)) : 0;
  return taps + stores + epilogue;
}

/** The (row, column) offsets of a pool window's cells, row-major. */
function windowCells(pool: PooledOutput): { row: number; col: number }[] {
  const [KH, KW] = pool.attrs.window;
  return range(KH * KW).map((cell) => ({ row: Math.floor(cell / KW), col: cell % KW }));
}

/**
 * The pooled variant's accumulation: the conv pixels of every window cell of the block's pooled
 * pixels form one register block (conv pixel `p * cells + cell`), accumulated in one pass over the
 * taps and channels; then each conv value's epilogue, folded per pooled pixel into `pool{i}_{p}`.
 */
function pooledAccumulate(g: ConvGeometry, block: RegisterBlock, pool: PooledOutput): string[] {
  const fold = poolFold(pool.attrs);
  const cells = windowCells(pool);
  const convPixel = (pooledPixel: number, cell: number): number => pooledPixel * cells.length + cell;
  const lines: string[] = [];
  for (const p of block.pixels) {
    lines.push(
      `  let pooled${p} = min(p0 + ${u32Literal(p)}, POH * POW - 1u);`,
      `  let window_row${p} = (pooled${p} / POW) * POOL_SH;`,
      `  let window_col${p} = (pooled${p} % POW) * POOL_SW;`,
    );
    cells.forEach(({ row, col }, cell) => {
      const j = convPixel(p, cell);
      lines.push(
        `  let conv_row${j} = window_row${p} + ${u32Literal(row)};`,
        `  let conv_col${j} = window_col${p} + ${u32Literal(col)};`,
        `  let top${j} = i32(conv_row${j}) * STRIDE_H - PAD_TOP;`,
        `  let left${j} = i32(conv_col${j}) * STRIDE_W - PAD_LEFT;`,
      );
    });
  }
  const convBlock: RegisterBlock = { channels: block.channels, pixels: range(block.pixels.length * cells.length) };
  lines.push(...accumulate(g, convBlock, "  "));
  lines.push(`  let conv_base = (n * K + k0) * OH * OW;`);
  for (const i of block.channels) {
    for (const p of block.pixels) {
      const values = cells.map((_, cell) => {
        const j = convPixel(p, cell);
        const at = `conv_base + ${i === 0 ? "" : `${u32Literal(i)} * OH * OW + `}conv_row${j} * OW + conv_col${j}`;
        lines.push(`  let value${i}_${j} = apply_epilogue(acc${i}_${j}, k0 + ${u32Literal(i)}, ${at});`);
        return `value${i}_${j}`;
      });
      lines.push(...fold.declare(`pool${i}_${p}`, values).map((line) => `  ${line}`));
    }
  }
  return lines;
}

/**
 * Stores a register block: the values are packed 4 pixels to a vec4, then a loop over the pixels that
 * exist stores each. Its trip count stays a run-time value (RUN_TIME_ZERO; with one pixel block it
 * would fold to a constant), so the loop stays rolled: unrolled, the stores were most of this
 * shader's compile time.
 */
function storeBlock(block: RegisterBlock, storeCode: OutputStoreCode, values: { plane: string; packed: (channel: number, pixel: number) => string }): string[] {
  const lines = [`  let output_base = (n * K + k0) * ${values.plane} + p0;`];
  const pixels = block.pixels.length;
  for (let first = 0; first < pixels; first += 4) {
    const count = Math.min(4, pixels - first);
    for (const i of block.channels) {
      const lanes = [0, 1, 2, 3].map((lane) => (lane < count ? values.packed(i, first + lane) : "0.0f"));
      lines.push(`  let packed${i}_${first} = vec4<f32>(${lanes.join(", ")});`);
    }
    const start = `p0 + ${u32Literal(first)}`;
    lines.push(`  for (var lane = 0u; lane < min(${u32Literal(count)}, ${values.plane} - min(${start}, ${values.plane})) + ${RUN_TIME_ZERO}; lane++) {`);
    for (const i of block.channels) {
      lines.push(
        `    let at${i} = output_base + ${u32Literal(i)} * ${values.plane} + ${u32Literal(first)} + lane;`,
        `    output[${storeCode.index(`at${i}`)}] = packed${i}_${first}[lane];`,
      );
    }
    lines.push(`  }`);
  }
  return lines;
}

/**
 * After `storeBlock` stored the raw sums: a rolled loop over the block's channels and the pixels that
 * exist, reading each back and storing its epilogue, so the epilogue is compiled once rather than once
 * per channel and group of 4 pixels (which made a fused kernel compile several times slower on llvmpipe).
 */
function epilogueLoop(storeCode: OutputStoreCode): string[] {
  return [
    `  let block_pixels = min(PIXELS_PER_INVOCATION, OH * OW - min(p0, OH * OW)) + ${RUN_TIME_ZERO};`,
    `  for (var i = 0u; i < CHANNELS_PER_INVOCATION + ${RUN_TIME_ZERO}; i++) {`,
    `    for (var j = 0u; j < block_pixels; j++) {`,
    `      let at = output_base + i * OH * OW + j;`,
    `      output[${storeCode.index("at")}] = apply_epilogue(output[${storeCode.index("at")}], k0 + i, at);`,
    `    }`,
    `  }`,
  ];
}

function greatestCommonDivisor(a: number, b: number): number {
  return b === 0 ? a : greatestCommonDivisor(b, a % b);
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}
