// Winograd F(2x2, 3x3) convolution (src/schedule/kinds/winograd.ts): per group g, 16 GEMMs sharing one
// reduction over the group's input channels c,
//   M[p][k][t] = sum_c U[k][c][p] * V[c][t][p],   then   out[tile t of filter k] = Aᵀ M A,
// with U = G g Gᵀ the derived parameter `<layer>:winograd_u` ([K][C/groups][16], transformed at weight
// upload) and V = Bᵀ d B transformed from each 4x4 input patch d as it is loaded. Each invocation
// holds tileM filters x tileN output tiles x 16 planes of accumulators (4 vec4 rows each).
//
// The kernel is written in four parts, the pieces of a GEMM with pluggable operands: the A loader
// (transformed filters), the B loader (an input patch, padded, transformed), the accumulate step, and
// the store hook (output transform, bounds, epilogue, store mode).
import type { Node } from "../../ir/graph.js";
import { WINOGRAD_VARIANTS, winogradFilterName, type WinogradSchedule } from "../../schedule/kinds/winograd.js";
import type { WinogradTransform } from "../../schedule/kinds/winogradTransforms.js";
import { epilogueKernelStorage, type EpilogueStage } from "../epilogue.js";
import { loopPasses } from "../loopLimit.js";
import { emitKernel, type KernelContext } from "../plan.js";
import { describeSchedule } from "../schedule.js";
import { outputStoreCode, outputStoreOf, type OutputStoreCode } from "../store.js";
import { foldedDispatch, i32Literal, kernelSource, RUN_TIME_ZERO, u32Constants, u32Literal } from "../wgsl.js";
import { shapeSummary } from "./common.js";
import { paddingFunctions, windowConstants, type ConvGeometry } from "./geometry.js";
import { inputTransformWgsl, outputTransformWgsl } from "./winogradWgsl.js";

const LANES = ["x", "y", "z", "w"] as const;

interface Block {
  /** Filter slots of the invocation's tile (i) and output-tile slots (j). */
  filters: number[];
  tiles: number[];
  transform: WinogradTransform;
}

export function emitWinogradConv(node: Node, context: KernelContext, g: ConvGeometry, schedule: WinogradSchedule, stages: readonly EpilogueStage[]): void {
  const transform = WINOGRAD_VARIANTS[schedule.variant];
  if (g.KH !== 3 || g.KW !== 3 || g.strideH !== 1 || g.strideW !== 1 || g.dilationH !== 1 || g.dilationW !== 1) {
    throw new Error(`internal: conv ${node.name} got the winograd schedule, which needs a 3x3 stride-1 undilated conv`);
  }
  const tileM = Math.min(schedule.tileM, g.filtersPerGroup);
  const tileRows = Math.ceil(g.OH / transform.tile);
  const tileCols = Math.ceil(g.OW / transform.tile);
  const tiles = g.batch * tileRows * tileCols;
  const filterTiles = Math.ceil(g.filtersPerGroup / tileM);
  const tileBlocks = Math.ceil(tiles / schedule.tileN);
  const dispatch = foldedDispatch(g.groups * filterTiles * tileBlocks, schedule.workgroupSize);
  const { epilogue, bindingSpecs, kernelBindings } = epilogueKernelStorage(
    `${node.name}: winograd conv kernel`,
    [
      { name: "input", access: "read", buffer: context.inputBuffers[0]! },
      { name: "filter_u", access: "read", element: "vec4<f32>", buffer: context.derivedBuffer(winogradFilterName(node.name)) },
      { name: "output", access: "read_write", buffer: context.outputBuffer },
    ],
    stages,
    context.maxStorageBindings,
  );
  const storeCode = outputStoreCode(outputStoreOf(context), node.shape, g.batch);
  const block: Block = { filters: range(tileM), tiles: range(schedule.tileN), transform };
  const body = [
    `  let tile_block = index % TILE_BLOCKS;`,
    `  let filter_tile = (index / TILE_BLOCKS) % FILTER_TILES;`,
    `  let group = index / (TILE_BLOCKS * FILTER_TILES);`,
    `  let m0 = filter_tile * TILE_M;`,
    `  let t0 = tile_block * TILE_N;`,
    `  // Filters / tiles past the edge are computed on clamped copies and never stored.`,
    ...block.filters.map((i) => `  let filter_row${i} = (group * M + min(m0 + ${u32Literal(i)}, M - 1u)) * CHANNELS_PER_GROUP;`),
    ...block.tiles.flatMap((j) => patchCoordinates(j)),
    ...block.filters.flatMap((i) => block.tiles.map((j) => `  var ${range(4).map((r) => `acc${i}_${j}_${r}`).join(" = vec4<f32>(0.0f);\n  var ")} = vec4<f32>(0.0f);`)),
    `  for (var c = 0u; c < CHANNELS_PER_GROUP; c++) {`,
    `    let channel_plane = (group * CHANNELS_PER_GROUP + c) * H * W;`,
    ...block.filters.flatMap((i) => filterLoads(i)),
    ...block.tiles.flatMap((j) => patchLoads(block, j)),
    ...block.filters.flatMap((i) => block.tiles.flatMap((j) => accumulate(i, j))),
    `  }`,
    ...block.filters.flatMap((i) => block.tiles.flatMap((j) => storeTile(block, storeCode, i, j))),
    ...(stages.length > 0 ? epilogueLoop(storeCode) : []),
  ];
  const wgsl = kernelSource({
    title: "conv, Winograd F(2x2, 3x3)",
    details: {
      ...shapeSummary(g),
      schedule: describeSchedule(schedule),
      transform: "Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A: 4x4 input patches d, 2x2 output tiles Y",
      tiles: `${tileRows}x${tileCols} output tiles of 2x2 per image, ${tiles} in all`,
      gemm: `per group, for each of 16 planes: [${g.filtersPerGroup} x ${g.channelsPerGroup}] U x [${g.channelsPerGroup} x ${tiles}] V`,
      "register tile": `${tileM} filters x ${schedule.tileN} output tiles x 16 planes`,
      filters: "filter_u: U = G g Gᵀ, [K][C/groups][16], transformed when the weights are uploaded",
      epilogue: epilogue.description,
      "output store": storeCode.description,
    },
    bindings: bindingSpecs,
    declarations: [
      u32Constants({
        C: g.C,
        H: g.H,
        W: g.W,
        K: g.K,
        OH: g.OH,
        OW: g.OW,
        M: g.filtersPerGroup,
        CHANNELS_PER_GROUP: g.channelsPerGroup,
        TILE_ROWS: tileRows,
        TILE_COLS: tileCols,
        TILES: tiles,
        TILE_M: tileM,
        TILE_N: schedule.tileN,
        FILTER_TILES: filterTiles,
        TILE_BLOCKS: tileBlocks,
      }),
      windowConstants(g),
      paddingFunctions(g),
      ...storeCode.declarations,
      epilogue.functionWgsl,
    ],
    dispatch,
    body,
  });
  // The channel loop, then the epilogue's loops over the block's filters, tiles and 4 outputs each.
  const loopIterations = loopPasses(g.channelsPerGroup) + (stages.length > 0 ? loopPasses(tileM, loopPasses(schedule.tileN, loopPasses(4))) : 0);
  emitKernel(context, node, "winograd", wgsl, dispatch.workgroups, kernelBindings, loopIterations);
}

/**
 * Output tile j's image, 2x2 tile position and the 4 input rows / columns of its patch (padding
 * applied): each row's offset in a channel plane and whether it exists (-1 from source_row: a zero of
 * the padding, or a row past an edge tile's outputs), likewise each column, computed once for all
 * channels.
 */
function patchCoordinates(j: number): string[] {
  const lines = [
    `  let tile${j} = min(t0 + ${u32Literal(j)}, TILES - 1u);`,
    `  let image${j} = tile${j} / (TILE_ROWS * TILE_COLS);`,
    `  let tile_row${j} = (tile${j} / TILE_COLS) % TILE_ROWS;`,
    `  let tile_col${j} = tile${j} % TILE_COLS;`,
    `  let image_plane${j} = image${j} * C * H * W;`,
  ];
  for (const r of range(4)) {
    lines.push(
      `  let row${j}_${r} = source_row(i32(tile_row${j} * 2u) - PAD_TOP + ${i32Literal(r)});`,
      `  let row_at${j}_${r} = u32(max(row${j}_${r}, 0i)) * W;`,
      `  let row_ok${j}_${r} = row${j}_${r} >= 0i;`,
    );
  }
  for (const s of range(4)) {
    lines.push(
      `  let col${j}_${s} = source_col(i32(tile_col${j} * 2u) - PAD_LEFT + ${i32Literal(s)});`,
      `  let col_at${j}_${s} = u32(max(col${j}_${s}, 0i));`,
      `  let col_ok${j}_${s} = col${j}_${s} >= 0i;`,
    );
  }
  return lines;
}

/** (a) The A loader: filter slot i's 16 transformed values of channel c, as 4 vec4 rows. */
function filterLoads(i: number): string[] {
  return range(4).map((r) => `    let u${i}_${r} = filter_u[(filter_row${i} + c) * 4u + ${u32Literal(r)}];`);
}

/** (b) The B loader: tile slot j's 4x4 patch of channel c, then V = Bᵀ d B as vec4 rows v{j}_0..3. */
function patchLoads(block: Block, j: number): string[] {
  const rows = range(4).map((r) => `d${j}_${r}`);
  const lines = [`    let plane${j} = image_plane${j} + channel_plane;`];
  rows.forEach((name, r) => {
    const values = range(4).map((s) => `select(0.0f, input[plane${j} + row_at${j}_${r} + col_at${j}_${s}], row_ok${j}_${r} && col_ok${j}_${s})`);
    lines.push(`    let ${name} = vec4<f32>(\n      ${values.join(",\n      ")},\n    );`);
  });
  return [...lines, ...inputTransformWgsl(block.transform, rows, `v${j}`, "    ").lines];
}

/** (c) The accumulate step: acc[i][j][p] += U[i][p] * V[j][p] for the 16 planes p (4 vec4 rows). */
function accumulate(i: number, j: number): string[] {
  return range(4).map((r) => `    acc${i}_${j}_${r} = fma(u${i}_${r}, v${j}_${r}, acc${i}_${j}_${r});`);
}

/**
 * (d) The store hook: Y = Aᵀ M A of filter slot i and tile slot j, each of its 2x2 outputs inside the
 * output (edge tiles are partial) stored raw; the epilogue loop then finishes them.
 */
function storeTile(block: Block, storeCode: OutputStoreCode, i: number, j: number): string[] {
  const accumulators = range(4).map((r) => `acc${i}_${j}_${r}`);
  const { lines, rows } = outputTransformWgsl(block.transform, accumulators, `y${i}_${j}`, "  ");
  lines.push(
    `  if (m0 + ${u32Literal(i)} < M && t0 + ${u32Literal(j)} < TILES) {`,
    `    let channel${i}_${j} = group * M + m0 + ${u32Literal(i)};`,
  );
  rows.forEach((row, a) => {
    for (const b of range(block.transform.tile)) {
      lines.push(
        `    if (tile_row${j} * 2u + ${u32Literal(a)} < OH && tile_col${j} * 2u + ${u32Literal(b)} < OW) {`,
        `      let at = ((image${j} * K + channel${i}_${j}) * OH + tile_row${j} * 2u + ${u32Literal(a)}) * OW + tile_col${j} * 2u + ${u32Literal(b)};`,
        `      output[${storeCode.index("at")}] = ${row}.${LANES[b]!};`,
        `    }`,
      );
    }
  });
  lines.push(`  }`);
  return lines;
}

/**
 * After the raw stores: a rolled loop over the block's filters, tiles and 2x2 outputs that exist,
 * reading each back and storing its epilogue, so the epilogue is compiled once (as the direct and GEMM
 * kernels do; inlined per output it multiplies the compile time on llvmpipe).
 */
function epilogueLoop(storeCode: OutputStoreCode): string[] {
  return [
    `  let block_filters = min(TILE_M, M - m0) + ${RUN_TIME_ZERO};`,
    `  let block_tiles = min(TILE_N, TILES - t0) + ${RUN_TIME_ZERO};`,
    `  for (var i = 0u; i < block_filters; i++) {`,
    `    let channel = group * M + m0 + i;`,
    `    for (var j = 0u; j < block_tiles; j++) {`,
    `      let tile = t0 + j;`,
    `      let image = tile / (TILE_ROWS * TILE_COLS);`,
    `      let oh0 = ((tile / TILE_COLS) % TILE_ROWS) * 2u;`,
    `      let ow0 = (tile % TILE_COLS) * 2u;`,
    `      for (var q = 0u; q < 4u + ${RUN_TIME_ZERO}; q++) {`,
    `        let oh = oh0 + q / 2u;`,
    `        let ow = ow0 + q % 2u;`,
    `        if (oh < OH && ow < OW) {`,
    `          let at = ((image * K + channel) * OH + oh) * OW + ow;`,
    `          output[${storeCode.index("at")}] = apply_epilogue(output[${storeCode.index("at")}], channel, at);`,
    `        }`,
    `      }`,
    `    }`,
    `  }`,
  ];
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}
