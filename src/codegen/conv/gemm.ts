// The GEMM half of im2col convolution: per group g,
//   out[n, g*M + m, p] = epilogue(sum_r weight[g*M + m, r] * columns[g][r][j]),   j -> (n, p)
// with M = K/groups filters and r over C/groups*KH*KW. Register-tiled, no workgroup memory (barriers
// are expensive on software rasterizers such as llvmpipe): each invocation keeps a tileM x tileN block
// of accumulators as vec4s along the pixel axis, loading tileN/4 vec4s of columns and tileM weights per
// step of the reduction. Neighbouring invocations take neighbouring pixel tiles, so their weight loads
// coincide and their column loads are contiguous.
import type { Node } from "../../ir/graph.js";
import { epilogueKernelStorage, type EpilogueStage } from "../epilogue.js";
import { loopPasses } from "../loopLimit.js";
import { emitKernel, type KernelContext } from "../plan.js";
import type { Im2colConvSchedule } from "../../schedule/kinds/im2col.js";
import { describeSchedule } from "../schedule.js";
import { foldedDispatch, kernelSource, RUN_TIME_ZERO, u32Constants, u32Literal } from "../wgsl.js";
import { outputStoreCode, outputStoreOf } from "../store.js";
import { shapeSummary } from "./common.js";
import { chunkCounterStorage, chunkDescription, chunkWgsl, type ColumnChunking } from "./chunking.js";
import { reductionLength, type ConvGeometry } from "./geometry.js";

const LANES = ["x", "y", "z", "w"] as const;

export function emitConvGemm(
  node: Node,
  context: KernelContext,
  g: ConvGeometry,
  schedule: Im2colConvSchedule,
  stages: readonly EpilogueStage[],
  chunking: ColumnChunking,
  columnsBuffer: number,
  counterBuffer: number | undefined,
  kernel: string,
): void {
  const chunk = chunkWgsl(chunking);
  const tileM = Math.min(schedule.tileM, g.filtersPerGroup);
  const vectorsPerTile = schedule.tileN / 4;
  const vectorColumns = chunking.columns / 4;
  const rowTiles = Math.ceil(g.filtersPerGroup / tileM);
  const columnTiles = Math.ceil(vectorColumns / vectorsPerTile);
  const dispatch = foldedDispatch(g.groups * rowTiles * columnTiles, schedule.workgroupSize);
  const alignedRows = reductionLength(g) % 4 === 0;
  const { epilogue, bindingSpecs, kernelBindings } = epilogueKernelStorage(
    `${node.name}: conv GEMM kernel`,
    [
      { name: "columns", access: "read", element: "vec4<f32>", buffer: columnsBuffer },
      { name: "weight", access: "read", element: alignedRows ? "vec4<f32>" : "f32", buffer: context.paramBuffer("weight") },
      { name: "output", access: "read_write", buffer: context.outputBuffer },
      ...chunkCounterStorage(counterBuffer),
    ],
    stages,
    context.maxStorageBindings,
  );

  const storeCode = outputStoreCode(outputStoreOf(context), node.shape, g.batch);
  const rowIndices = Array.from({ length: tileM }, (_, i) => i);
  const vectorIndices = Array.from({ length: vectorsPerTile }, (_, q) => q);
  const body: string[] = [
    ...chunk.prologue,
    `  let column_tile = index % COLUMN_TILES;`,
    `  let row_tile = (index / COLUMN_TILES) % ROW_TILES;`,
    `  let group = index / (COLUMN_TILES * ROW_TILES);`,
    `  let m0 = row_tile * TILE_M;`,
    `  let v0 = column_tile * VECTORS_PER_TILE;`,
    `  // Rows / vec4 columns past the edge are computed on clamped copies and never stored.`,
  ];
  for (const i of rowIndices) {
    body.push(`  let weight_row${i} = (group * M + min(m0 + ${u32Literal(i)}, M - 1u)) * R;`);
  }
  for (const q of vectorIndices) {
    body.push(`  let column${q} = min(v0 + ${u32Literal(q)}, VECTOR_COLUMNS - 1u);`);
  }
  for (const i of rowIndices) {
    body.push(`  var ${vectorIndices.map((q) => `acc${i}_${q}`).join(" = vec4<f32>(0.0f);\n  var ")} = vec4<f32>(0.0f);`);
  }
  // The reduction is unrolled by 4: one vec4 of weights per row (a true vec4 load when rows are
  // 16-byte aligned, R % 4 == 0) against 4 rows of columns, then a scalar tail for R % 4.
  body.push(`  var columns_row = group * R * VECTOR_COLUMNS;`, `  for (var r = 0u; r < R / 4u * 4u; r += 4u) {`);
  for (const step of [0, 1, 2, 3]) {
    const row = step === 0 ? "columns_row" : `columns_row + ${u32Literal(step)} * VECTOR_COLUMNS`;
    for (const q of vectorIndices) body.push(`    let b${q}_${step} = columns[${row} + column${q}];`);
  }
  for (const i of rowIndices) {
    const load = alignedRows
      ? `weight[(weight_row${i} + r) / 4u]`
      : `vec4<f32>(${[0, 1, 2, 3].map((step) => `weight[weight_row${i} + r${step === 0 ? "" : ` + ${u32Literal(step)}`}]`).join(", ")})`;
    body.push(`    let a${i} = ${load};`);
  }
  for (const i of rowIndices) {
    for (const q of vectorIndices) {
      for (const step of [0, 1, 2, 3]) {
        body.push(`    acc${i}_${q} = fma(vec4<f32>(a${i}.${LANES[step]!}), b${q}_${step}, acc${i}_${q});`);
      }
    }
  }
  body.push(`    columns_row += 4u * VECTOR_COLUMNS;`, `  }`);
  if (!alignedRows) {
    body.push(`  for (var r = R / 4u * 4u; r < R; r++) {`);
    for (const q of vectorIndices) body.push(`    let b${q} = columns[columns_row + column${q}];`);
    for (const i of rowIndices) body.push(`    let a${i} = vec4<f32>(weight[weight_row${i} + r]);`);
    for (const i of rowIndices) {
      for (const q of vectorIndices) body.push(`    acc${i}_${q} = fma(a${i}, b${q}, acc${i}_${q});`);
    }
    body.push(`    columns_row += VECTOR_COLUMNS;`, `  }`);
  }
  // Stores: a loop over the lanes of each vec4 that hold real columns, storing the raw sums, then (when
  // there is an epilogue) a rolled loop over the tile's rows and columns that reads each back, applies
  // the epilogue and stores it: the epilogue is compiled once, not once per row and vec4 of the tile
  // (its buffers never alias the output: WebGPU refuses one buffer bound read-only and read_write).
  // Inlined tileM x tileN times, the epilogue made a fused kernel's cold compile on llvmpipe several
  // times an unfused one's. The trip counts add RUN_TIME_ZERO: with one column or row tile (a small
  // output) they would be constants, and Mesa would unroll the loops.
  body.push(`  let tile_columns = min(VECTORS_PER_TILE * 4u, column_count - min(v0 * 4u, column_count)) + ${RUN_TIME_ZERO};`);
  for (const q of vectorIndices) {
    const first = `(v0 + ${u32Literal(q)}) * 4u`;
    body.push(
      `  for (var lane = 0u; lane < min(4u, tile_columns - min(${u32Literal(q * 4)}, tile_columns)); lane++) {`,
      `    let column = first_column + ${first} + lane;`,
      `    let base = ((column / (OH * OW)) * K + group * M + m0) * OH * OW + column % (OH * OW);`,
    );
    for (const i of rowIndices) {
      const at = i === 0 ? "base" : `base + ${u32Literal(i)} * OH * OW`;
      const store = `output[${storeCode.index(at)}] = acc${i}_${q}[lane];`;
      body.push(i === 0 ? `    ${store}` : `    if (m0 + ${u32Literal(i)} < M) {\n      ${store}\n    }`);
    }
    body.push(`  }`);
  }
  if (stages.length > 0) {
    body.push(
      `  let tile_rows = min(TILE_M, M - m0) + ${RUN_TIME_ZERO};`,
      `  for (var i = 0u; i < tile_rows; i++) {`,
      `    let channel = group * M + m0 + i;`,
      `    for (var c = 0u; c < tile_columns; c++) {`,
      `      let column = first_column + v0 * 4u + c;`,
      `      let at = ((column / (OH * OW)) * K + channel) * OH * OW + column % (OH * OW);`,
      `      output[${storeCode.index("at")}] = apply_epilogue(output[${storeCode.index("at")}], channel, at);`,
      `    }`,
      `  }`,
    );
  }

  const wgsl = kernelSource({
    title: "conv GEMM (after im2col)",
    details: {
      ...shapeSummary(g),
      schedule: describeSchedule(schedule),
      gemm: `per group: [${g.filtersPerGroup} x ${reductionLength(g)}] weights x [${reductionLength(g)} x ${chunking.columns}] columns`,
      "register tile": `${tileM} filters x ${schedule.tileN} columns`,
      chunks: chunkDescription(chunking),
      epilogue: epilogue.description,
      "output store": storeCode.description,
    },
    bindings: bindingSpecs,
    declarations: [
      u32Constants({
        K: g.K,
        OH: g.OH,
        OW: g.OW,
        M: g.filtersPerGroup,
        R: reductionLength(g),
        VECTOR_COLUMNS: vectorColumns,
        ...chunk.constants,
        TILE_M: tileM,
        VECTORS_PER_TILE: vectorsPerTile,
        ROW_TILES: rowTiles,
        COLUMN_TILES: columnTiles,
      }),
      ...storeCode.declarations,
      epilogue.functionWgsl,
    ],
    dispatch,
    body,
  });
  // The reduction's loop (and its scalar tail), then a loop of up to 4 lanes per stored vec4, then
  // the epilogue's loop over the tile's rows and columns.
  const R = reductionLength(g);
  const loopIterations = loopPasses(Math.floor(R / 4)) + (alignedRows ? 0 : loopPasses(R % 4)) + vectorsPerTile * loopPasses(4) + (stages.length > 0 ? loopPasses(tileM, loopPasses(schedule.tileN)) : 0);
  emitKernel(context, node, kernel, wgsl, dispatch.workgroups, kernelBindings, loopIterations);
}
