// Long reductions of the backward pass (dweight and dbias sum over every sample and output pixel) split
// into chunks: each invocation sums one chunk of one output tile into a scratch partial, then a second
// kernel sums each output's partials in chunk order. The split keeps every invocation's loops far
// under llvmpipe's limit (loopLimit.ts) and gives the GPU enough invocations to run in parallel.
import { loopPasses } from "../loopLimit.js";
import { foldedDispatch, kernelSource, u32Constants, u32Literal } from "../wgsl.js";
import type { TrainingKernel } from "./trainingKernel.js";

/** Invocations a split reduction aims for (llvmpipe runs workgroups of 64 on each core, 8 lanes wide). */
const TARGET_INVOCATIONS = 8192;
/** The shortest chunk worth a partial: shorter ones make the partial sums cost more than they save. */
export const MIN_CHUNK_LENGTH = 256;
/** The longest chunk: one invocation's loop passes stay near this, well under 65535. */
const MAX_CHUNK_LENGTH = 16384;

export interface ReductionChunks {
  /** Chunks the reduction is split into (1: not split). */
  count: number;
  /** Reduction positions per chunk (the last chunk may hold fewer). */
  length: number;
}

/** How to split a reduction of `total` positions computed for `tiles` output tiles. */
export function reductionChunks(total: number, tiles: number, minChunkLength = MIN_CHUNK_LENGTH): ReductionChunks {
  if (!Number.isSafeInteger(total) || total < 1 || !Number.isSafeInteger(tiles) || tiles < 1) {
    throw new Error(`internal: a reduction of ${total} positions over ${tiles} tiles`);
  }
  let count = Math.ceil(TARGET_INVOCATIONS / tiles);
  count = Math.min(count, Math.ceil(total / minChunkLength));
  count = Math.max(count, Math.ceil(total / MAX_CHUNK_LENGTH), 1);
  const length = Math.ceil(total / count);
  return { count: Math.ceil(total / length), length };
}

/** WGSL statements walking one chunk of a reduction laid out as rows, and their loop passes. */
export interface ChunkedRowLoop {
  lines: string[];
  /** Loop passes of one run over a chunk of `chunkLength` positions in rows of `rowLength`. */
  loopPasses(chunkLength: number, rowLength: number): number;
}

/**
 * Walks positions `chunkStart` .. + CHUNK_LENGTH (clipped to `total`) of a reduction stored as rows of
 * `rowLength` positions, one run per row so that the per-row work (`perRow`, which sees `row`) is done
 * once per row and the inner loop (`perElement`, which sees `column`) is only loads and sums. Needs a
 * u32 constant CHUNK_LENGTH.
 */
export function chunkedRowLoop(names: { rowLength: string; chunkStart: string; total: string }, perRow: readonly string[], perElement: readonly string[]): ChunkedRowLoop {
  const lines = [
    `let chunk_start = ${names.chunkStart};`,
    `let chunk_end = min(chunk_start + CHUNK_LENGTH, ${names.total});`,
    `var position = chunk_start;`,
    `while (position < chunk_end) {`,
    `  let row = position / ${names.rowLength};`,
    `  let first = position % ${names.rowLength};`,
    `  let last = min(${names.rowLength}, first + (chunk_end - position));`,
    ...perRow.map((line) => `  ${line}`),
    `  for (var column = first; column < last; column++) {`,
    ...perElement.map((line) => `    ${line}`),
    `  }`,
    `  position += last - first;`,
    `}`,
  ];
  return {
    lines,
    loopPasses: (chunkLength, rowLength) => {
      // A chunk starting mid-row touches at most one row more than its length fills.
      const rows = Math.min(chunkLength, Math.floor((chunkLength - 1) / rowLength) + 2);
      return loopPasses(rows) + chunkLength + rows;
    },
  };
}

/**
 * target[e] = sum over chunks c (in order) of partial[c * count + e], for e < count: the second half
 * of a split reduction. Bindings `partial` (read) and `target` (read_write), named by the caller.
 */
export function partialSumKernel(options: { title: string; partial: string; target: string; count: number; chunks: number }): TrainingKernel {
  const { partial, target, count, chunks } = options;
  const bindings = [
    { name: partial, access: "read" as const },
    { name: target, access: "read_write" as const },
  ];
  const dispatch = foldedDispatch(count, 64);
  const wgsl = kernelSource({
    title: `${options.title}, sum of the chunks' partial sums`,
    details: { computes: `${target}[e] = sum over ${chunks} chunks c of ${partial}[c * ${count} + e]` },
    bindings,
    declarations: [u32Constants({ COUNT: count, CHUNKS: chunks })],
    dispatch,
    body: [
      `  var sum = 0.0f;`,
      `  for (var chunk = 0u; chunk < CHUNKS; chunk++) {`,
      `    sum += ${partial}[chunk * COUNT + index];`,
      `  }`,
      `  ${target}[index] = sum;`,
    ],
  });
  return { kernel: `${target}_sum`, wgsl, workgroups: dispatch.workgroups, bindings, loopIterations: loopPasses(chunks) };
}

/**
 * The stores of a register block `acc{i}_{j}` (rows i, columns j) to `target[out_base + i * rowStride +
 * j]`, each element beyond the block's first row or column guarded by its bound (`rowFirst + i <
 * rowBound`, `columnFirst + j < columnBound`), for blocks that overhang the edge of the output.
 * `finish` gives the stored expression of each accumulator (a forward kernel's epilogue call).
 */
export function registerBlockStores(
  target: string,
  rows: readonly number[],
  columns: readonly number[],
  layout: { rowStride: string; rowFirst: string; rowBound: string; columnFirst: string; columnBound: string },
  finish: (accumulator: string, row: number, column: number) => string = (accumulator) => accumulator,
): string[] {
  const lines: string[] = [];
  for (const i of rows) {
    for (const j of columns) {
      const store = `${target}[out_base + ${u32Literal(i)} * ${layout.rowStride} + ${u32Literal(j)}] = ${finish(`acc${i}_${j}`, i, j)};`;
      const conditions = [...(i > 0 ? [`${layout.rowFirst} + ${u32Literal(i)} < ${layout.rowBound}`] : []), ...(j > 0 ? [`${layout.columnFirst} + ${u32Literal(j)} < ${layout.columnBound}`] : [])];
      lines.push(conditions.length === 0 ? `  ${store}` : `  if (${conditions.join(" && ")}) {\n    ${store}\n  }`);
    }
  }
  return lines;
}
