// The conv's weight gradient as an implicit GEMM, per group:
//   dweight[g*M + m, col] = sum over (n, oh, ow) of dy[n, g*M + m, oh, ow] * padded_x[n, (g, col), oh, ow]
// with M = K/groups filters, col = (c, kh, kw) over C/groups * KH * KW and padded_x the input cell tap
// (kh, kw) of output pixel (oh, ow) reads (im2col(x), never stored). Each invocation holds a
// tileM x tileN register tile (filters x columns): per reduction position it loads tileM dy values and
// tileN x values, each serving a whole row or column of the tile. The reduction (N * OH * OW, 50,176
// for a 28x28 conv at batch 64) is split into chunks computed in parallel (reductionChunks.ts) and
// walked one output row at a time, so a column's input row is resolved once per row.
import type { ConvGeometry } from "../conv/geometry.js";
import { paddingFunctions, windowConstants } from "../conv/geometry.js";
import { shapeSummary } from "../conv/common.js";
import { foldedDispatch, i32Literal, kernelSource, u32Constants, u32Literal } from "../wgsl.js";
import { convShapeOfGeometry } from "../../schedule/workloadOf.js";
import { filterGemmTiling, type FilterGemmSchedule } from "../../schedule/kinds/filterGemm.js";
import { chunkedRowLoop, partialSumKernel, registerBlockStores } from "./reductionChunks.js";
import type { TrainingKernels } from "./trainingKernel.js";

/** The input value at padded column `padded_col` of a row starting at `x_row` (source row `source_row`; -1: zeros). */
const TAP_WGSL = [
  `fn tap(x_row: u32, source_row: i32, padded_col: i32) -> f32 {`,
  `  let source = source_col(padded_col);`,
  `  let inside = source_row >= 0i && source >= 0i;`,
  `  return select(0.0f, x[select(0u, x_row + u32(source), inside)], inside);`,
  `}`,
].join("\n");

/** The kernels of the filter_gemm schedule (src/schedule/kinds/filterGemm.ts) on conv `g`. */
export function convBackwardFilterKernels(g: ConvGeometry, knobs: FilterGemmSchedule): TrainingKernels {
  const M = g.filtersPerGroup;
  const columnCount = g.channelsPerGroup * g.KH * g.KW;
  // With stride 1 and dilation 1 along W, the tile takes whole rows of KW taps (c, kh, 0..KW-1): along
  // an output row, tap kw + 1 of pixel ow reads what tap kw of pixel ow + 1 does, so each step loads
  // one new input value per (c, kh) and shifts the others down a register window.
  const { filters: tileM, columns: tileN, span, tiles, chunks } = filterGemmTiling(knobs, convShapeOfGeometry(g));
  const windowed = g.strideW === 1 && g.dilationW === 1;
  const rowTiles = Math.ceil(M / tileM);
  const columnTiles = Math.ceil(columnCount / tileN);
  const split = chunks.count > 1;
  const target = split ? "dweight_partial" : "dweight";
  const weightSize = g.K * columnCount;
  const bindings = [
    { name: "dy", access: "read" as const },
    { name: "x", access: "read" as const },
    { name: target, access: "read_write" as const },
  ];
  const dispatch = foldedDispatch(chunks.count * tiles, knobs.workgroupSize);
  const filters = Array.from({ length: tileM }, (_, i) => i);
  const columns = Array.from({ length: tileN }, (_, j) => j);
  const inputRows = Array.from({ length: tileN / span }, (_, r) => r);
  const taps = Array.from({ length: span }, (_, kw) => kw);

  const body = [
    `  let column_tile = index % COLUMN_TILES;`,
    `  let row_tile = (index / COLUMN_TILES) % ROW_TILES;`,
    `  let group = (index / (COLUMN_TILES * ROW_TILES)) % GROUPS;`,
    `  let chunk = index / (COLUMN_TILES * ROW_TILES * GROUPS);`,
    `  let m0 = row_tile * TILE_M;`,
    `  let col0 = column_tile * TILE_N;`,
    `  // Filters and columns past the edge are computed on clamped copies and never stored.`,
  ];
  for (const i of filters) body.push(`  let filter${i} = group * M + min(m0 + ${u32Literal(i)}, M - 1u);`);
  // Input row r of the tile: its first column (c, kh, kw) and what it reads.
  for (const r of inputRows) {
    body.push(
      `  let column${r} = min(col0 + ${u32Literal(r * span)}, COLUMNS - ${u32Literal(span)});`,
      `  let plane${r} = (group * CHANNELS_PER_GROUP + column${r} / (KH * KW)) * H * W;`,
      `  let row_offset${r} = i32((column${r} / KW) % KH) * DILATION_H - PAD_TOP;`,
      ...(windowed ? [] : [`  let col_offset${r} = i32(column${r} % KW) * DILATION_W - PAD_LEFT;`]),
    );
  }
  for (const i of filters) body.push(`  var ${columns.map((j) => `acc${i}_${j}`).join(" = 0.0f;\n  var ")} = 0.0f;`);
  // Per output row (n, oh): each input row's source row (or -1: a zero), each filter's dy row, and
  // (windowed) the first KW - 1 taps of the run's first pixel.
  const perRow = [`let n = row / OH;`, `let oh = i32(row % OH);`, `let sample = n * C * H * W;`];
  for (const r of inputRows) {
    perRow.push(`let source_row${r} = source_row(oh * STRIDE_H + row_offset${r});`, `let x_row${r} = sample + plane${r} + u32(max(source_row${r}, 0i)) * W;`);
    if (windowed) for (const kw of taps.slice(0, -1)) perRow.push(`var window${r}_${kw} = tap(x_row${r}, source_row${r}, i32(first) + ${i32Literal(kw)} - PAD_LEFT);`);
  }
  for (const i of filters) perRow.push(`let dy_row${i} = (n * K + filter${i}) * OH * OW + u32(oh) * OW;`);
  const perElement: string[] = [];
  const value = (j: number): string => (windowed ? `window${Math.floor(j / span)}_${j % span}` : `x${j}`);
  for (const r of inputRows) {
    perElement.push(
      windowed
        ? `let window${r}_${span - 1} = tap(x_row${r}, source_row${r}, i32(column) + ${i32Literal(span - 1)} - PAD_LEFT);`
        : `let x${r} = tap(x_row${r}, source_row${r}, i32(column) * STRIDE_W + col_offset${r});`,
    );
  }
  for (const i of filters) perElement.push(`let dy${i} = dy[dy_row${i} + column];`);
  for (const i of filters) for (const j of columns) perElement.push(`acc${i}_${j} = fma(dy${i}, ${value(j)}, acc${i}_${j});`);
  if (windowed) for (const r of inputRows) for (const kw of taps.slice(0, -1)) perElement.push(`window${r}_${kw} = window${r}_${kw + 1};`);
  const walk = chunkedRowLoop({ rowLength: "OW", chunkStart: "chunk * CHUNK_LENGTH", total: "BATCH * OH * OW" }, perRow, perElement);
  body.push(...walk.lines.map((line) => `  ${line}`));
  body.push(`  let out_base = chunk * WEIGHT_SIZE + (group * M + m0) * COLUMNS + col0;`);
  body.push(...registerBlockStores(target, filters, columns, { rowStride: "COLUMNS", rowFirst: "m0", rowBound: "M", columnFirst: "col0", columnBound: "COLUMNS" }));

  const constants = u32Constants({
    BATCH: g.batch,
    C: g.C,
    H: g.H,
    W: g.W,
    K: g.K,
    OH: g.OH,
    OW: g.OW,
    KH: g.KH,
    KW: g.KW,
    GROUPS: g.groups,
    CHANNELS_PER_GROUP: g.channelsPerGroup,
    M,
    COLUMNS: columnCount,
    WEIGHT_SIZE: weightSize,
    TILE_M: tileM,
    TILE_N: tileN,
    ROW_TILES: rowTiles,
    COLUMN_TILES: columnTiles,
    CHUNK_LENGTH: chunks.length,
  });
  const wgsl = kernelSource({
    title: split ? "conv backward filter (implicit GEMM), partial sums over chunks of (n, oh, ow)" : "conv backward filter (implicit GEMM)",
    details: {
      ...shapeSummary(g),
      computes: `${target}[${split ? "chunk, " : ""}k, c, kh, kw] = sum over ${split ? "the chunk's " : ""}(n, oh, ow) of dy[n, k, oh, ow] * padded x[n, c, oh*sh + kh*dh, ow*sw + kw*dw]`,
      gemm: `per group: [${M} x ${g.batch * g.OH * g.OW}] dy x [${g.batch * g.OH * g.OW} x ${columnCount}] im2col(x) (implicit)`,
      "register tile": `${tileM} filters x ${tileN} columns${windowed ? ` (rows of ${span} taps through a register window)` : ""}`,
      chunks: `${chunks.count} of ${chunks.length} (n, oh, ow) positions`,
    },
    bindings,
    declarations: [`${constants}\n${windowConstants(g)}`, paddingFunctions(g), TAP_WGSL],
    dispatch,
    body,
  });
  const kernels = [{ kernel: split ? "conv_backward_filter_partial" : "conv_backward_filter", wgsl, workgroups: dispatch.workgroups, bindings, loopIterations: walk.loopPasses(chunks.length, g.OW) }];
  if (!split) return { kernels, scratch: [] };
  return {
    kernels: [...kernels, partialSumKernel({ title: "conv backward filter", partial: "dweight_partial", target: "dweight", count: weightSize, chunks: chunks.count })],
    scratch: [{ name: "dweight_partial", bytes: chunks.count * weightSize * 4 }],
  };
}
