// Splitting the im2col column matrix into chunks of columns so its buffer stays bounded: every chunk
// is an im2col + GEMM pair over the same scratch buffer.
import type { KernelStorage } from "../plan.js";
import { outputPixels, reductionLength, type ConvGeometry } from "./geometry.js";

/**
 * Cap on the column buffer: beyond it the N*OH*OW columns are processed in chunks that reuse one
 * buffer (an im2col + GEMM pair per chunk), keeping memory bounded for big inputs and batches.
 */
export const COLUMN_BUFFER_LIMIT_BYTES = 32 * 1024 * 1024;

/** How the global columns (n * OH * OW + p) are split into equal chunks. */
export interface ColumnChunking {
  /** N * OH * OW. */
  total: number;
  /** Columns per chunk, a multiple of 4: the row stride of the column buffer, in floats. */
  columns: number;
  /** Number of chunks; the last may be partial. */
  count: number;
}

/** Equal chunks of at most `maxChunkColumns` (0: no cap) columns, within the column-buffer memory cap. */
export function columnChunking(geometry: ConvGeometry, maxChunkColumns: number, limitBytes = COLUMN_BUFFER_LIMIT_BYTES): ColumnChunking {
  const total = geometry.batch * outputPixels(geometry);
  const bytesPerColumn = geometry.groups * reductionLength(geometry) * 4;
  const fitting = Math.floor(limitBytes / bytesPerColumn / 4) * 4;
  if (fitting < 4) throw new Error(`internal: conv reduction of ${bytesPerColumn / 4} rows is too long for im2col`);
  const maxColumns = maxChunkColumns === 0 ? fitting : Math.min(fitting, maxChunkColumns);
  const balanced = Math.ceil(total / Math.ceil(total / maxColumns));
  const columns = Math.ceil(balanced / 4) * 4;
  return { total, columns, count: Math.ceil(total / columns) };
}

/**
 * WGSL constants and prologue lines defining `first_column` and `column_count` (u32) for the chunk
 * being computed. With several chunks the index comes from a one-u32 counter buffer advanced between
 * chunks by a tiny kernel, so every chunk runs the same shader (compiled once) rather than one shader
 * per chunk with its offset baked in.
 */
export function chunkWgsl(chunking: ColumnChunking): { constants: Record<string, number>; prologue: string[] } {
  const constants = { TOTAL_COLUMNS: chunking.total, CHUNK_COLUMNS: chunking.columns };
  if (chunking.count === 1) {
    return { constants, prologue: [`  let first_column = 0u;`, `  let column_count = TOTAL_COLUMNS;`] };
  }
  return {
    constants,
    prologue: [
      `  let first_column = chunk[0] * CHUNK_COLUMNS;`,
      `  let column_count = min(CHUNK_COLUMNS, TOTAL_COLUMNS - first_column);`,
    ],
  };
}

/** For header comments. */
export function chunkDescription(chunking: ColumnChunking): string {
  return chunking.count === 1
    ? `all ${chunking.total} columns (N*OH*OW) at once`
    : `${chunking.count} chunks of ${chunking.columns} of the ${chunking.total} columns (N*OH*OW); the chunk index is read from a counter buffer`;
}

/** The `chunk` counter binding of a chunked kernel (none when all columns are computed at once). */
export function chunkCounterStorage(counterBuffer: number | undefined): KernelStorage[] {
  return counterBuffer === undefined ? [] : [{ name: "chunk", access: "read", element: "u32", buffer: counterBuffer }];
}
