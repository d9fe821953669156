// im2col + GEMM convolution. The im2col kernel writes the column matrix of a chunk of output pixels:
//   columns[g][r][j] = padded_input[n, g*C/groups + c, oh*SH - top + kh*DH, ow*SW - left + kw*DW]
// with r = (c, kh, kw) flattened (the weight's OIHW order) and j = the chunk's j-th global column
// (n, oh, ow). Rows are padded to a multiple of 4 columns so the GEMM reads them as vec4. The GEMM
// (gemm.ts) then computes out[n, g*K/groups + m, p] = sum_r weight[g*K/groups + m, r] * columns[g][r][j].
import type { Node } from "../../ir/graph.js";
import type { KernelContext } from "../plan.js";
import { describeSchedule, type Im2colConvSchedule } from "../schedule.js";
import {
  flatInvocationPrologue,
  foldedDispatch,
  headerComment,
  i32Literal,
  storageBindings,
  u32Constants,
  u32Literal,
} from "../wgsl.js";
import { shapeSummary } from "./common.js";
import type { EpilogueStage } from "../epilogue.js";
import { emitConvGemm } from "./gemm.js";
import { outputPixels, paddingFunctions, reductionLength, type ConvGeometry } from "./geometry.js";

/**
 * Cap on the column buffer: beyond it the batch x pixels columns are processed in chunks that reuse
 * one buffer (each chunk is an im2col + GEMM pair), keeping memory bounded for big inputs and batches.
 */
export const COLUMN_BUFFER_LIMIT_BYTES = 32 * 1024 * 1024;

/** A range of global columns (n * OH * OW + p) handled by one im2col + GEMM pair. */
export interface ColumnChunk {
  first: number;
  count: number;
  /** `count` rounded up to a multiple of 4: the row stride of the column buffer, in floats. */
  stride: number;
}

/** Equal chunks of at most `maxChunkColumns` (0: no cap) columns, within the column-buffer memory cap. */
export function columnChunks(geometry: ConvGeometry, maxChunkColumns: number, limitBytes = COLUMN_BUFFER_LIMIT_BYTES): ColumnChunk[] {
  const total = geometry.batch * outputPixels(geometry);
  const bytesPerColumn = geometry.groups * reductionLength(geometry) * 4;
  const fitting = Math.floor(limitBytes / bytesPerColumn / 4) * 4;
  if (fitting < 4) throw new Error(`internal: conv reduction of ${bytesPerColumn / 4} rows is too long for im2col`);
  const maxColumns = maxChunkColumns === 0 ? fitting : Math.min(fitting, maxChunkColumns);
  const chunkCount = Math.ceil(total / maxColumns);
  const stride = Math.ceil(Math.ceil(total / chunkCount) / 4) * 4;
  const chunks: ColumnChunk[] = [];
  for (let first = 0; first < total; first += stride) {
    chunks.push({ first, count: Math.min(stride, total - first), stride });
  }
  return chunks;
}

export function emitIm2colConv(
  node: Node,
  context: KernelContext,
  geometry: ConvGeometry,
  schedule: Im2colConvSchedule,
  stages: readonly EpilogueStage[],
): void {
  const chunks = columnChunks(geometry, schedule.maxChunkColumns);
  const stride = chunks[0]!.stride;
  const columnsBuffer = context.scratchBuffer("columns", geometry.groups * reductionLength(geometry) * stride * 4);
  chunks.forEach((chunk, position) => {
    const suffix = chunks.length === 1 ? "" : `_${position}`;
    emitIm2col(node, context, geometry, schedule, chunk, columnsBuffer, `${node.name}.im2col${suffix}`);
    emitConvGemm(node, context, geometry, schedule, stages, chunk, columnsBuffer, `${node.name}.gemm${suffix}`);
  });
}

function emitIm2col(
  node: Node,
  context: KernelContext,
  g: ConvGeometry,
  schedule: Im2colConvSchedule,
  chunk: ColumnChunk,
  columnsBuffer: number,
  stepName: string,
): void {
  const rows = reductionLength(g);
  const vectorColumns = chunk.stride / 4;
  const dispatch = foldedDispatch(g.groups * rows * vectorColumns, schedule.workgroupSize);
  const body = [
    `  let vector_column = index % VECTOR_COLUMNS;`,
    `  let row = (index / VECTOR_COLUMNS) % ROWS;`,
    `  let group = index / (VECTOR_COLUMNS * ROWS);`,
    `  let channel = group * CHANNELS_PER_GROUP + row / (KH * KW);`,
    `  let kh = (row / KW) % KH;`,
    `  let kw = row % KW;`,
    `  let first = vector_column * 4u;`,
    `  columns[index] = vec4<f32>(`,
    ...[0, 1, 2, 3].map(
      (lane) => `    column_value(first + ${u32Literal(lane)}, channel, kh, kw)${lane === 3 ? "" : ","}`,
    ),
    `  );`,
  ];
  const wgsl = [
    headerComment(`im2col: layer ${node.name}`, {
      ...shapeSummary(g),
      schedule: describeSchedule(schedule),
      columns: `[${g.groups}][${rows}][${chunk.stride}] (groups, C/groups*KH*KW, chunk columns padded to 4)`,
      chunk: `global columns ${chunk.first}..${chunk.first + chunk.count - 1} of ${g.batch * outputPixels(g)} (n*OH*OW + p)`,
    }),
    "",
    storageBindings([
      { name: "input", access: "read" },
      { name: "columns", access: "read_write", element: "vec4<f32>" },
    ]),
    "",
    u32Constants({
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
      FIRST_COLUMN: chunk.first,
      COLUMN_COUNT: chunk.count,
    }),
    `const STRIDE_H: i32 = ${i32Literal(g.strideH)};`,
    `const STRIDE_W: i32 = ${i32Literal(g.strideW)};`,
    `const DILATION_H: i32 = ${i32Literal(g.dilationH)};`,
    `const DILATION_W: i32 = ${i32Literal(g.dilationW)};`,
    `const PAD_TOP: i32 = ${i32Literal(g.padTop)};`,
    `const PAD_LEFT: i32 = ${i32Literal(g.padLeft)};`,
    "",
    paddingFunctions(g),
    "",
    `// The input value multiplying tap (channel, kh, kw) for the chunk's j-th column; 0 past the chunk.`,
    `fn column_value(j: u32, channel: u32, kh: u32, kw: u32) -> f32 {`,
    `  if (j >= COLUMN_COUNT) {`,
    `    return 0.0f;`,
    `  }`,
    `  let column = FIRST_COLUMN + j;`,
    `  let n = column / (OH * OW);`,
    `  let pixel = column % (OH * OW);`,
    `  let row = source_row(i32(pixel / OW) * STRIDE_H - PAD_TOP + i32(kh) * DILATION_H);`,
    `  let col = source_col(i32(pixel % OW) * STRIDE_W - PAD_LEFT + i32(kw) * DILATION_W);`,
    `  if (row < 0i || col < 0i) {`,
    `    return 0.0f;`,
    `  }`,
    `  return input[((n * C + channel) * H + u32(row)) * W + u32(col)];`,
    `}`,
    "",
    flatInvocationPrologue("main", dispatch),
    ...body,
    "}",
    "",
  ].join("\n");
  context.emit({
    name: stepName,
    node: node.id,
    layer: node.name,
    wgsl,
    entryPoint: "main",
    workgroups: dispatch.workgroups,
    bindings: [
      { buffer: context.inputBuffers[0]!, access: "read" },
      { buffer: columnsBuffer, access: "read_write" },
    ],
  });
}
