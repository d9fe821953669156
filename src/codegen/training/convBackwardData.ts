// The conv's input gradient: the transposed conv (flipped filters) as an implicit GEMM, per group:
//   dx[n, g*Cg + c, ih, iw] = sum over (m, kh, kw) of weight[g*M + m, c, kh, kw] * dy[n, g*M + m, oh, ow]
// over the taps whose (ih + pad_top - kh*dh) / sh = oh and (iw + pad_left - kw*dw) / sw = ow are whole
// output positions (with stride > 1 the others contribute nothing). Rows are input pixels, columns
// input channels, the reduction runs over (output channel, kh, kw): each invocation holds a register
// block of consecutive pixels x channels of one group, so each dy value loaded serves all its channels
// and each weight all its pixels. A tap no pixel of the block reaches is skipped; the pixels of a block
// a tap misses multiply its weight by a zero dy, so a non-finite weight (whose loss is non-finite
// already) spreads NaN a little further than the reference does; NaN in dy goes exactly where it does.
// Zero padding computes dx directly. Other modes compute the gradient of the padded input (the same
// GEMM over the padded grid, with no padding) into the scratch `dx_padded`, then a fold kernel adds each
// padded cell onto the input cell it copies, as the reference routes it.
import type { ConvGeometry } from "../conv/geometry.js";
import { paddingFunctions, windowConstants } from "../conv/geometry.js";
import { shapeSummary } from "../conv/common.js";
import { loopPasses } from "../loopLimit.js";
import { foldedDispatch, kernelSource, u32Constants, u32Literal } from "../wgsl.js";
import { dataGemmBlock, type DataGemmSchedule } from "../../schedule/kinds/dataGemm.js";
import { registerBlockStores } from "./reductionChunks.js";
import type { TrainingKernel, TrainingKernels } from "./trainingKernel.js";
import type { EpilogueCode } from "../epilogue.js";

/** The kernels of the data_gemm schedule (src/schedule/kinds/dataGemm.ts) on conv `g`. */
export function convBackwardDataKernels(g: ConvGeometry, knobs: DataGemmSchedule): TrainingKernels {
  const padded = g.padTop + g.padBottom + g.padLeft + g.padRight > 0;
  // Without padding the mode changes nothing: every tap reads the input itself.
  if (g.mode === "zeros" || !padded) return { kernels: [transposedConvGemm(g, g, { input: "dy", target: "dx" }, knobs)], scratch: [] };
  const paddedH = g.H + g.padTop + g.padBottom;
  const paddedW = g.W + g.padLeft + g.padRight;
  // The padded input as a zero-padding-free conv input: every tap lands inside it.
  const grid: ConvGeometry = { ...g, H: paddedH, W: paddedW, padTop: 0, padBottom: 0, padLeft: 0, padRight: 0, mode: "zeros" };
  return {
    kernels: [transposedConvGemm(g, grid, { input: "dy", target: "dx_padded" }, knobs), foldPadding(g, paddedH, paddedW)],
    scratch: [{ name: "dx_padded", bytes: g.batch * g.C * paddedH * paddedW * 4 }],
  };
}

/**
 * The buffers of a transposed-conv kernel: it reads `input` (the conv's output gradient, or a
 * conv_transpose layer's input) and `weight`, and stores into `target`, through `epilogue` when given
 * (a conv_transpose layer's bias and fused stages, whose bindings follow the kernel's own).
 */
export interface TransposedConvIo {
  input: string;
  target: string;
  epilogue?: EpilogueCode;
  /** The header's title, shape lines and the step-name suffix, when the kernel is not a conv's backward. */
  title?: string;
  details?: Record<string, string>;
  kernel?: string;
}

/**
 * The transposed conv onto `grid` (the input, or the padded input with no padding), stored into
 * `io.target`. A conv_transpose layer runs this kernel as its forward (src/codegen/convTranspose.ts).
 */
export function transposedConvGemm(g: ConvGeometry, grid: ConvGeometry, io: TransposedConvIo, knobs: DataGemmSchedule): TrainingKernel {
  const target = io.target;
  const { channels: tileC, pixels: tileP } = dataGemmBlock(knobs, g.channelsPerGroup, grid.H * grid.W);
  const blocksPerGroup = Math.ceil(g.channelsPerGroup / tileC);
  const pixelBlocks = Math.ceil((grid.H * grid.W) / tileP);
  const dispatch = foldedDispatch(g.batch * g.groups * blocksPerGroup * pixelBlocks, knobs.workgroupSize);
  const bindings = [
    { name: io.input, access: "read" as const },
    { name: "weight", access: "read" as const },
    { name: target, access: "read_write" as const },
    ...(io.epilogue?.bindingSpecs ?? []),
  ];
  const channels = Array.from({ length: tileC }, (_, i) => i);
  const pixels = Array.from({ length: tileP }, (_, j) => j);
  const anyPixel = (condition: string): string => pixels.map((j) => `${condition}${j}`).join(" || ");
  const strided = (axis: "H" | "W"): boolean => (axis === "H" ? g.strideH : g.strideW) > 1;

  const body = [
    `  let pixel_block = index % PIXEL_BLOCKS;`,
    `  let channel_block = (index / PIXEL_BLOCKS) % (GROUPS * BLOCKS_PER_GROUP);`,
    `  let n = index / (PIXEL_BLOCKS * GROUPS * BLOCKS_PER_GROUP);`,
    `  let group = channel_block / BLOCKS_PER_GROUP;`,
    `  let c0 = (channel_block % BLOCKS_PER_GROUP) * TILE_C;`,
    `  let p0 = pixel_block * TILE_P;`,
    `  // Channels and pixels past the edge are computed on clamped copies and never stored.`,
  ];
  for (const i of channels) body.push(`  let channel_taps${i} = min(c0 + ${u32Literal(i)}, CHANNELS_PER_GROUP - 1u) * KH * KW;`);
  for (const j of pixels) {
    body.push(
      `  let pixel${j} = min(p0 + ${u32Literal(j)}, H * W - 1u);`,
      `  let row${j} = i32(pixel${j} / W) + PAD_TOP;`,
      `  let col${j} = i32(pixel${j} % W) + PAD_LEFT;`,
    );
  }
  for (const i of channels) body.push(`  var ${pixels.map((j) => `acc${i}_${j}`).join(" = 0.0f;\n  var ")} = 0.0f;`);
  body.push(`  let dy_group = (n * K + group * M) * OH * OW;`, `  let weight_group = group * M * WEIGHTS_PER_FILTER;`, `  for (var kh = 0u; kh < KH; kh++) {`);
  for (const j of pixels) {
    body.push(
      `    let th${j} = row${j} - i32(kh) * DILATION_H;`,
      `    let oh${j} = th${j} / STRIDE_H;`,
      `    let row_hit${j} = th${j} >= 0i && oh${j} < i32(OH)${strided("H") ? ` && th${j} % STRIDE_H == 0i` : ""};`,
    );
  }
  body.push(`    if (!(${anyPixel("row_hit")})) {`, `      continue;`, `    }`, `    for (var kw = 0u; kw < KW; kw++) {`);
  for (const j of pixels) {
    body.push(
      `      let tw${j} = col${j} - i32(kw) * DILATION_W;`,
      `      let ow${j} = tw${j} / STRIDE_W;`,
      `      let hit${j} = row_hit${j} && tw${j} >= 0i && ow${j} < i32(OW)${strided("W") ? ` && tw${j} % STRIDE_W == 0i` : ""};`,
      `      let offset${j} = select(0u, u32(oh${j}) * OW + u32(ow${j}), hit${j});`,
    );
  }
  body.push(`      if (!(${anyPixel("hit")})) {`, `        continue;`, `      }`);
  body.push(`      var dy_index = dy_group;`, `      var weight_index = weight_group + kh * KW + kw;`);
  // The reduction over the group's filters is unrolled by 4 (a quarter of the loop passes), then a
  // loop over the M % 4 left. Filters are summed in order.
  const step = (s: number): string[] => {
    const lines: string[] = [];
    const plane = s === 0 ? "" : ` + ${u32Literal(s)} * OH * OW`;
    const filter = s === 0 ? "" : ` + ${u32Literal(s)} * WEIGHTS_PER_FILTER`;
    for (const j of pixels) lines.push(`        let dy${j}_${s} = select(0.0f, ${io.input}[dy_index${plane} + offset${j}], hit${j});`);
    for (const i of channels) lines.push(`        let w${i}_${s} = weight[weight_index${filter} + channel_taps${i}];`);
    for (const i of channels) for (const j of pixels) lines.push(`        acc${i}_${j} = fma(w${i}_${s}, dy${j}_${s}, acc${i}_${j});`);
    return lines;
  };
  const quads = Math.floor(g.filtersPerGroup / 4);
  if (quads > 0) {
    body.push(`      for (var m = 0u; m < M / 4u * 4u; m += 4u) {`, ...[0, 1, 2, 3].flatMap(step));
    body.push(`        dy_index += 4u * OH * OW;`, `        weight_index += 4u * WEIGHTS_PER_FILTER;`, `      }`);
  }
  if (g.filtersPerGroup % 4 !== 0) {
    body.push(`      for (var m = M / 4u * 4u; m < M; m++) {`, ...step(0));
    body.push(`        dy_index += OH * OW;`, `        weight_index += WEIGHTS_PER_FILTER;`, `      }`);
  }
  body.push(`    }`, `  }`);
  body.push(`  let out_base = (n * C + group * CHANNELS_PER_GROUP + c0) * H * W + p0;`);
  // Through the epilogue, value (i, j) is channel group * CHANNELS_PER_GROUP + c0 + i at out_base + i * H * W + j.
  const finish =
    io.epilogue === undefined
      ? undefined
      : (accumulator: string, i: number, j: number): string => `apply_epilogue(${accumulator}, group * CHANNELS_PER_GROUP + c0 + ${u32Literal(i)}, out_base + ${u32Literal(i)} * H * W + ${u32Literal(j)})`;
  body.push(...registerBlockStores(target, channels, pixels, { rowStride: "H * W", rowFirst: "c0", rowBound: "CHANNELS_PER_GROUP", columnFirst: "p0", columnBound: "H * W" }, finish));

  const constants = u32Constants({
    C: g.C,
    H: grid.H,
    W: grid.W,
    K: g.K,
    OH: g.OH,
    OW: g.OW,
    KH: g.KH,
    KW: g.KW,
    GROUPS: g.groups,
    CHANNELS_PER_GROUP: g.channelsPerGroup,
    M: g.filtersPerGroup,
    WEIGHTS_PER_FILTER: g.channelsPerGroup * g.KH * g.KW,
    TILE_C: tileC,
    TILE_P: tileP,
    BLOCKS_PER_GROUP: blocksPerGroup,
    PIXEL_BLOCKS: pixelBlocks,
  });
  const padded = grid !== g;
  const wgsl = kernelSource({
    title: io.title ?? (padded ? "conv backward data onto the padded input (transposed conv, implicit GEMM)" : "conv backward data (transposed conv, implicit GEMM)"),
    details: {
      ...(io.details ?? {
        ...shapeSummary(g),
        computes: padded
          ? `dx_padded[n, c, r, q] (padded grid ${grid.H}x${grid.W}) = sum over the filters and taps reaching it of weight * dy`
          : "dx[n, c, ih, iw] = sum over the filters and taps reaching it of weight * dy",
      }),
      gemm: `per group: [${g.batch * grid.H * grid.W} pixels x ${g.filtersPerGroup * g.KH * g.KW}] dy taps x [${g.filtersPerGroup * g.KH * g.KW} x ${g.channelsPerGroup}] flipped weights`,
      "register block": `${tileP} pixels x ${tileC} channels`,
      ...(io.epilogue === undefined ? {} : { epilogue: io.epilogue.description }),
    },
    bindings,
    declarations: [`${constants}\n${windowConstants(grid)}`, ...(io.epilogue === undefined ? [] : [io.epilogue.functionWgsl])],
    dispatch,
    body,
  });
  const filterPasses = (quads > 0 ? loopPasses(quads) : 0) + (g.filtersPerGroup % 4 !== 0 ? loopPasses(g.filtersPerGroup % 4) : 0);
  return { kernel: io.kernel ?? (padded ? "conv_backward_data_padded" : "conv_backward_data"), wgsl, workgroups: dispatch.workgroups, bindings, loopIterations: loopPasses(g.KH, loopPasses(g.KW, filterPasses)) };
}

/**
 * dx[n, c, ih, iw] = sum of dx_padded over the padded cells copying (ih, iw): its own cell, plus the
 * padding rows / columns that reflect, replicate or wrap onto it (source_row / source_col say which).
 */
function foldPadding(g: ConvGeometry, paddedH: number, paddedW: number): TrainingKernel {
  const bindings = [
    { name: "dx_padded", access: "read" as const },
    { name: "dx", access: "read_write" as const },
  ];
  const dispatch = foldedDispatch(g.batch * g.C * g.H * g.W, 64);
  // Candidate 0 is the cell itself; candidates 1.. are the padding rows (columns) before, then after.
  const candidate = (a: string, own: string, before: string, size: string): string =>
    `select(select(${a} - 1u, ${size} + ${a} - 1u, ${a} > ${before}), ${own} + ${before}, ${a} == 0u)`;
  const body = [
    `  let iw = index % W;`,
    `  let ih = (index / W) % H;`,
    `  let plane = index / (H * W);`,
    `  var sum = 0.0f;`,
    `  for (var a = 0u; a < 1u + PAD_TOP + PAD_BOTTOM; a++) {`,
    `    let r = ${candidate("a", "ih", "PAD_TOP", "H")};`,
    `    if (a > 0u && source_row(i32(r) - i32(PAD_TOP)) != i32(ih)) {`,
    `      continue;`,
    `    }`,
    `    for (var b = 0u; b < 1u + PAD_LEFT + PAD_RIGHT; b++) {`,
    `      let q = ${candidate("b", "iw", "PAD_LEFT", "W")};`,
    `      if (b > 0u && source_col(i32(q) - i32(PAD_LEFT)) != i32(iw)) {`,
    `        continue;`,
    `      }`,
    `      sum += dx_padded[(plane * PH + r) * PW + q];`,
    `    }`,
    `  }`,
    `  dx[index] = sum;`,
  ];
  const wgsl = kernelSource({
    title: `conv backward data, ${g.mode} padding fold`,
    details: {
      input: `[${g.batch}, ${g.C}, ${g.H}, ${g.W}] (N, C, H, W)`,
      padded: `[${g.batch}, ${g.C}, ${paddedH}, ${paddedW}]`,
      padding: `top ${g.padTop} bottom ${g.padBottom} left ${g.padLeft} right ${g.padRight}, ${g.mode}`,
      computes: "dx[n, c, ih, iw] = sum of dx_padded over the padded cells that copy input cell (ih, iw)",
    },
    bindings,
    declarations: [u32Constants({ H: g.H, W: g.W, PH: paddedH, PW: paddedW, PAD_TOP: g.padTop, PAD_BOTTOM: g.padBottom, PAD_LEFT: g.padLeft, PAD_RIGHT: g.padRight }), paddingFunctions(g)],
    dispatch,
    body,
  });
  const loopIterations = loopPasses(1 + g.padTop + g.padBottom, loopPasses(1 + g.padLeft + g.padRight));
  return { kernel: "conv_backward_data_fold", wgsl, workgroups: dispatch.workgroups, bindings, loopIterations };
}
