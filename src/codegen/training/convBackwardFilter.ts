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
import { foldedDispatch, kernelSource, u32Constants, u32Literal } from "../wgsl.js";
import { chunkedRowLoop, MIN_CHUNK_LENGTH, partialSumKernel, reductionChunks } from "./reductionChunks.js";
import type { TrainingKernels } from "./trainingKernel.js";

export interface FilterTile {
  /** Filters per invocation. */
  filters: number;
  /** Weight columns (c, kh, kw) per invocation. */
  columns: number;
  workgroupSize: number;
  /** The shortest chunk the reduction is split into (tests lower it to split small reductions). */
  minChunkLength: number;
}

// The fastest of those bench/convBackward.ts tried at the FashionCNN shapes on llvmpipe (4x4 to 16x16):
// llvmpipe gathers each lane's load separately, so the more multiply-adds per load the better.
const DEFAULT_TILE: FilterTile = { filters: 16, columns: 16, workgroupSize: 64, minChunkLength: MIN_CHUNK_LENGTH };

export function convBackwardFilterKernels(g: ConvGeometry, tileKnobs: Partial<FilterTile> = {}): TrainingKernels {
  const knobs = { ...DEFAULT_TILE, ...tileKnobs };
  const M = g.filtersPerGroup;
  const columnCount = g.channelsPerGroup * g.KH * g.KW;
  const tileM = Math.min(knobs.filters, M);
  const tileN = Math.min(knobs.columns, columnCount);
  const rowTiles = Math.ceil(M / tileM);
  const columnTiles = Math.ceil(columnCount / tileN);
  const tiles = g.groups * rowTiles * columnTiles;
  const chunks = reductionChunks(g.batch * g.OH * g.OW, tiles, knobs.minChunkLength);
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
  for (const j of columns) {
    body.push(
      `  let column${j} = min(col0 + ${u32Literal(j)}, COLUMNS - 1u);`,
      `  let plane${j} = (group * CHANNELS_PER_GROUP + column${j} / (KH * KW)) * H * W;`,
      `  let row_offset${j} = i32((column${j} / KW) % KH) * DILATION_H - PAD_TOP;`,
      `  let col_offset${j} = i32(column${j} % KW) * DILATION_W - PAD_LEFT;`,
    );
  }
  for (const i of filters) body.push(`  var ${columns.map((j) => `acc${i}_${j}`).join(" = 0.0f;\n  var ")} = 0.0f;`);
  // Per output row (n, oh): each column's input row (or -1: a zero) and each filter's dy row.
  const perRow = [`let n = row / OH;`, `let oh = i32(row % OH);`, `let sample = n * C * H * W;`];
  for (const j of columns) {
    perRow.push(`let source_row${j} = source_row(oh * STRIDE_H + row_offset${j});`, `let x_row${j} = sample + plane${j} + u32(max(source_row${j}, 0i)) * W;`);
  }
  for (const i of filters) perRow.push(`let dy_row${i} = (n * K + filter${i}) * OH * OW + u32(oh) * OW;`);
  const perElement: string[] = [];
  for (const j of columns) {
    perElement.push(
      `let source_col${j} = source_col(i32(column) * STRIDE_W + col_offset${j});`,
      `let inside${j} = source_row${j} >= 0i && source_col${j} >= 0i;`,
      `let x${j} = select(0.0f, x[select(0u, x_row${j} + u32(source_col${j}), inside${j})], inside${j});`,
    );
  }
  for (const i of filters) perElement.push(`let dy${i} = dy[dy_row${i} + column];`);
  for (const i of filters) for (const j of columns) perElement.push(`acc${i}_${j} = fma(dy${i}, x${j}, acc${i}_${j});`);
  const walk = chunkedRowLoop({ rowLength: "OW", chunkStart: "chunk * CHUNK_LENGTH", total: "BATCH * OH * OW" }, perRow, perElement);
  body.push(...walk.lines.map((line) => `  ${line}`));
  body.push(`  let out_base = chunk * WEIGHT_SIZE + (group * M + m0) * COLUMNS + col0;`);
  for (const i of filters) {
    for (const j of columns) {
      const store = `${target}[out_base + ${u32Literal(i)} * COLUMNS + ${u32Literal(j)}] = acc${i}_${j};`;
      const conditions = [...(i > 0 ? [`m0 + ${u32Literal(i)} < M`] : []), ...(j > 0 ? [`col0 + ${u32Literal(j)} < COLUMNS`] : [])];
      body.push(conditions.length === 0 ? `  ${store}` : `  if (${conditions.join(" && ")}) {\n    ${store}\n  }`);
    }
  }

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
      "register tile": `${tileM} filters x ${tileN} columns`,
      chunks: `${chunks.count} of ${chunks.length} (n, oh, ow) positions`,
    },
    bindings,
    declarations: [`${constants}\n${windowConstants(g)}`, paddingFunctions(g)],
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
