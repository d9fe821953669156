// The GEMM half of im2col convolution: the GEMM core (src/codegen/gemm/core.ts) with the weight rows
// as A and the column buffer of one chunk of columns as B (vec4 loads along the columns; rows are
// padded to a multiple of 4 columns), storing out[n, g*M + m, p] through the epilogue.
import type { Node } from "../../ir/graph.js";
import type { Im2colConvSchedule } from "../../schedule/kinds/im2col.js";
import type { EpilogueStage } from "../epilogue.js";
import { emitGemm } from "../gemm/core.js";
import type { KernelContext } from "../plan.js";
import { describeSchedule } from "../schedule.js";
import { shapeSummary } from "./common.js";
import { chunkCounterStorage, chunkDescription, chunkWgsl, type ColumnChunking } from "./chunking.js";
import { columnBufferColumns, convGemmConstants, convOutputStore, convWeightRows } from "./gemmOperands.js";
import { reductionLength, type ConvGeometry } from "./geometry.js";

export interface ConvGemmBuffers {
  columns: number;
  /** The chunk counter (chunked runs only). */
  counter: number | undefined;
  /** Split-K partial sums (splitK > 1 only). */
  partials: number | undefined;
}

export function emitConvGemm(
  node: Node,
  context: KernelContext,
  g: ConvGeometry,
  schedule: Im2colConvSchedule,
  stages: readonly EpilogueStage[],
  chunking: ColumnChunking,
  buffers: ConvGemmBuffers,
  kernel: string,
): void {
  const chunk = chunkWgsl(chunking);
  emitGemm({
    node,
    context,
    kernel,
    title: "conv GEMM (after im2col)",
    details: {
      ...shapeSummary(g),
      schedule: describeSchedule(schedule),
      chunks: chunkDescription(chunking),
    },
    problem: { batches: g.groups, planes: 1, M: g.filtersPerGroup, N: chunking.columns, R: reductionLength(g) },
    rows: convWeightRows(context, g),
    columns: columnBufferColumns(buffers.columns),
    store: convOutputStore(node, context, g, stages, true),
    knobs: schedule,
    constants: { ...convGemmConstants(g), ...chunk.constants, VECTOR_COLUMNS: chunking.columns / 4 },
    prologue: chunk.prologue,
    prologueStorage: chunkCounterStorage(buffers.counter),
    ...(buffers.partials === undefined ? {} : { partials: buffers.partials }),
  });
}
