// im2col + GEMM convolution. The im2col kernel writes the column matrix of a chunk of output pixels:
//   columns[g][r][j] = padded_input[n, g*C/groups + c, oh*SH - top + kh*DH, ow*SW - left + kw*DW]
// with r = (c, kh, kw) flattened (the weight's OIHW order) and j = the chunk's j-th global column
// (n, oh, ow). Rows are padded to a multiple of 4 columns so the GEMM reads them as vec4. The GEMM
// (gemm.ts) then computes out[n, g*K/groups + m, p] = sum_r weight[g*K/groups + m, r] * columns[g][r][j].
import type { Node } from "../../ir/graph.js";
import { emitKernel, kernelBindingsOf, type KernelContext, type KernelStorage } from "../plan.js";
import type { Im2colConvSchedule } from "../../schedule/kinds/im2col.js";
import { gemmPartialBytes } from "../gemm/core.js";
import { describeSchedule } from "../schedule.js";
import { foldedDispatch, kernelHeader, kernelSource, u32Constants, u32Literal } from "../wgsl.js";
import { shapeSummary } from "./common.js";
import type { EpilogueStage } from "../epilogue.js";
import { emitConvGemm } from "./gemm.js";
import { chunkCounterStorage, chunkDescription, chunkWgsl, columnChunking, type ColumnChunking } from "./chunking.js";
import { paddingFunctions, reductionLength, windowConstants, type ConvGeometry } from "./geometry.js";

const LANES = ["x", "y", "z", "w"] as const;

export function emitIm2colConv(
  node: Node,
  context: KernelContext,
  geometry: ConvGeometry,
  schedule: Im2colConvSchedule,
  stages: readonly EpilogueStage[],
): void {
  const chunking = columnChunking(geometry, schedule.maxChunkColumns);
  const columnsBuffer = context.scratchBuffer("columns", geometry.groups * reductionLength(geometry) * chunking.columns * 4);
  // One partial-sums buffer for every chunk's split-K GEMM (the chunks run one after another).
  const partialBytes = gemmPartialBytes({ batches: geometry.groups, planes: 1, M: geometry.filtersPerGroup, N: chunking.columns, R: reductionLength(geometry) }, schedule);
  const partials = partialBytes > 0 ? context.scratchBuffer("partials", partialBytes) : undefined;
  if (chunking.count === 1) {
    emitIm2col(node, context, geometry, schedule, chunking, columnsBuffer, undefined, "im2col");
    emitConvGemm(node, context, geometry, schedule, stages, chunking, { columns: columnsBuffer, counter: undefined, partials }, "gemm");
    return;
  }
  const counterBuffer = context.scratchBuffer("chunk", 4);
  emitCounterStep(node, context, counterBuffer, "reset", "chunk_reset");
  for (let position = 0; position < chunking.count; position++) {
    emitIm2col(node, context, geometry, schedule, chunking, columnsBuffer, counterBuffer, `im2col_${position}`);
    emitConvGemm(node, context, geometry, schedule, stages, chunking, { columns: columnsBuffer, counter: counterBuffer, partials }, `gemm_${position}`);
    if (position + 1 < chunking.count) {
      emitCounterStep(node, context, counterBuffer, "advance", `chunk_advance_${position}`);
    }
  }
}

/** Sets the chunk counter to 0 (before the first chunk) or adds 1 (between chunks). */
function emitCounterStep(node: Node, context: KernelContext, counterBuffer: number, action: "reset" | "advance", kernel: string): void {
  const wgsl = [
    kernelHeader(
      `im2col chunk counter ${action}`,
      { why: "the chunked im2col and GEMM kernels read which chunk they compute from this counter" },
      1,
      [{ name: "chunk", access: "read_write", element: "u32" }],
    ),
    "",
    `@group(0) @binding(0) var<storage, read_write> chunk: array<u32>;`,
    "",
    `@compute @workgroup_size(1)`,
    `fn main() {`,
    action === "reset" ? `  chunk[0] = 0u;` : `  chunk[0] = chunk[0] + 1u;`,
    `}`,
    "",
  ].join("\n");
  emitKernel(context, node, kernel, wgsl, [1, 1, 1], [{ buffer: counterBuffer, access: "read_write" }], 0);
}

function emitIm2col(
  node: Node,
  context: KernelContext,
  g: ConvGeometry,
  schedule: Im2colConvSchedule,
  chunking: ColumnChunking,
  columnsBuffer: number,
  counterBuffer: number | undefined,
  kernel: string,
): void {
  const rows = reductionLength(g);
  const vectorColumns = chunking.columns / 4;
  const chunk = chunkWgsl(chunking);
  const dispatch = foldedDispatch(g.groups * rows * vectorColumns, schedule.workgroupSize);
  const body = [
    ...chunk.prologue,
    `  let vector_column = index % VECTOR_COLUMNS;`,
    `  let row = (index / VECTOR_COLUMNS) % ROWS;`,
    `  let group = index / (VECTOR_COLUMNS * ROWS);`,
    `  let channel = group * CHANNELS_PER_GROUP + row / (KH * KW);`,
    `  let kh = (row / KW) % KH;`,
    `  let kw = row % KW;`,
    `  let first = vector_column * 4u;`,
    `  // Columns past the chunk's end (row padding to a multiple of 4) hold zeros.`,
    `  var values = vec4<f32>(0.0f);`,
    ...LANES.flatMap((lane, position) => [
      `  if (first + ${u32Literal(position)} < column_count) {`,
      `    values.${lane} = column_value(first_column + first + ${u32Literal(position)}, channel, kh, kw);`,
      `  }`,
    ]),
    `  columns[index] = values;`,
  ];
  const storage: KernelStorage[] = [
    { name: "input", access: "read", buffer: context.inputBuffers[0]! },
    { name: "columns", access: "read_write", element: "vec4<f32>", buffer: columnsBuffer },
    ...chunkCounterStorage(counterBuffer),
  ];
  const constants = u32Constants({
    C: g.C,
    H: g.H,
    W: g.W,
    OH: g.OH,
    OW: g.OW,
    KH: g.KH,
    KW: g.KW,
    CHANNELS_PER_GROUP: g.channelsPerGroup,
    ROWS: rows,
    VECTOR_COLUMNS: vectorColumns,
    ...chunk.constants,
  });
  const wgsl = kernelSource({
    title: "im2col",
    details: {
      ...shapeSummary(g),
      schedule: describeSchedule(schedule),
      columns: `[${g.groups}][${rows}][${chunking.columns}] (groups, C/groups*KH*KW, columns of one chunk)`,
      chunks: chunkDescription(chunking),
    },
    bindings: storage,
    declarations: [`${constants}\n${windowConstants(g)}`, paddingFunctions(g), COLUMN_VALUE_FUNCTION],
    dispatch,
    body,
  });
  emitKernel(context, node, kernel, wgsl, dispatch.workgroups, kernelBindingsOf(storage), 0); // no loops
}

const COLUMN_VALUE_FUNCTION = [
  `// The input value multiplying tap (channel, kh, kw) at global column n * OH * OW + pixel.`,
  `fn column_value(column: u32, channel: u32, kh: u32, kw: u32) -> f32 {`,
  `  let n = column / (OH * OW);`,
  `  let pixel = column % (OH * OW);`,
  `  let row = source_row(i32(pixel / OW) * STRIDE_H - PAD_TOP + i32(kh) * DILATION_H);`,
  `  let col = source_col(i32(pixel % OW) * STRIDE_W - PAD_LEFT + i32(kw) * DILATION_W);`,
  `  if (row < 0i || col < 0i) {`,
  `    return 0.0f;`,
  `  }`,
  `  return input[((n * C + channel) * H + u32(row)) * W + u32(col)];`,
  `}`,
].join("\n");
