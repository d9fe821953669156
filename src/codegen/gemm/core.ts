// The one register-tiled GEMM of cnnc: fc, 1x1 convs, im2col's second kernel and implicit GEMM are
// this core with different operand loaders and store hooks (operands.ts). Each invocation holds a
// tileM x tileN block of accumulators per plane (vec4s along n when vectorWidth is 4). Without
// workgroup memory it reads its operands straight from storage (barriers are expensive on software
// rasterizers such as llvmpipe; neighbouring invocations take neighbouring column tiles, so their row
// loads coincide); with it (workgroupTiles.ts) a workgroup stages A and B tiles in `var<workgroup>`
// arrays, the way GPUs with real shared memory win. splitK > 1 sums slices of the reduction in
// separate invocations and adds the partial sums in a second kernel, in a fixed order (splitK.ts).
import type { Node } from "../../ir/graph.js";
import { epilogueKernelStorage } from "../epilogue.js";
import { loopPasses } from "../loopLimit.js";
import { emitKernel, type KernelContext, type KernelStorage } from "../plan.js";
import { foldedDispatch, kernelSource, RUN_TIME_ZERO, u32Constants, u32Literal, type HeaderDetails } from "../wgsl.js";
import type { GemmColumnOperand, GemmKnobs, GemmOperand, GemmProblem, GemmStore } from "./operands.js";
import { emitSplitKReduction, partialIndex, partialStorage } from "./splitK.js";
import { accumulatorLines, reductionStep, tileCopy, type TileShape } from "./tileCode.js";
import { workgroupGemmSource } from "./workgroupTiles.js";

export interface GemmKernelSpec {
  node: Node;
  context: KernelContext;
  /** The step's kernel name (`gemm`, `gemm_2`); the split-K reduction is `<kernel>_sum`. */
  kernel: string;
  /** Header title and lines (shapes, schedule) of the kernel. */
  title: string;
  details: HeaderDetails;
  problem: GemmProblem;
  rows: GemmOperand;
  columns: GemmColumnOperand;
  store: GemmStore;
  knobs: GemmKnobs;
  /** u32 constants the loaders and the store use (M, N, R, the tile sizes... are the core's). */
  constants: Record<string, number>;
  /** Module-scope WGSL shared by the loaders and the store. */
  declarations?: readonly string[];
  /** Statements at the top of `main` every loader and the store may rely on (the chunk of an im2col). */
  prologue?: readonly string[];
  /** Buffers the prologue reads (bound in every kernel of the GEMM). */
  prologueStorage?: readonly KernelStorage[];
  /** Scratch buffer of `gemmPartialBytes` bytes for splitK > 1 (one per node, shared by its chunks). */
  partials?: number;
}

/** Bytes of the split-K partial sums buffer (0 when splitK is 1). */
export function gemmPartialBytes(problem: GemmProblem, knobs: GemmKnobs): number {
  return knobs.splitK > 1 ? knobs.splitK * problem.batches * problem.planes * problem.M * problem.N * 4 : 0;
}

/** Reduction indices per split, a multiple of 4 so quad loads stay aligned in every slice. */
export function splitLength(R: number, splitK: number): number {
  return Math.ceil(Math.ceil(R / splitK) / 4) * 4;
}

/** The tile actually used: a tile larger than the problem shrinks to it (tileN stays a multiple of vectorWidth). */
export function effectiveTile(problem: GemmProblem, knobs: GemmKnobs): TileShape {
  const tileM = Math.min(knobs.tileM, problem.M);
  const width = knobs.vectorWidth;
  const tileN = Math.min(knobs.tileN, Math.ceil(problem.N / width) * width);
  return { tileM, tileN, width, planes: problem.planes };
}

/** Emits the GEMM kernel (and, for splitK > 1, the kernel adding its partial sums). */
export function emitGemm(spec: GemmKernelSpec): void {
  const { problem, knobs } = spec;
  checkKnobs(problem, knobs);
  const split = knobs.splitK > 1;
  if (split && spec.partials === undefined) throw new Error(`internal: ${spec.node.name}: split-K GEMM without a partial-sums buffer`);
  const ownStorage: KernelStorage[] = dedupeStorage([...(spec.prologueStorage ?? []), ...spec.rows.storage, ...spec.columns.storage]);
  const finalStorage: readonly KernelStorage[] = split ? [...ownStorage, partialStorage(spec.partials!, "read_write")] : [...ownStorage, ...spec.store.storage];
  const { epilogue, bindingSpecs, kernelBindings } = epilogueKernelStorage(`${spec.node.name}: GEMM kernel`, finalStorage, split ? [] : spec.store.stages, spec.context.maxStorageBindings);
  const tile = effectiveTile(problem, knobs);
  const length = splitLength(problem.R, knobs.splitK);
  const constants = gemmConstants(spec, tile, length);
  const declarations = unique([constants, ...(spec.declarations ?? []), ...spec.rows.declarations, ...spec.columns.declarations, ...(split ? [] : [...spec.store.declarations, epilogue.functionWgsl])]);
  const storeLines = split
    ? problemPlanes(problem).map((plane) => `partials[${partialIndex("split", "batch", plane, "m", "n")}] = ${tileValue(plane)};`)
    : spec.store.store("batch", "m", "n", problemPlanes(problem).map(tileValue));
  const store = [
    `  let tile_rows = min(TILE_M, M - min(m0, M)) + ${RUN_TIME_ZERO};`,
    `  let tile_columns = min(TILE_N, N - min(n0, N)) + ${RUN_TIME_ZERO};`,
    `  for (var i = 0u; i < tile_rows; i++) {`,
    `    for (var j = 0u; j < tile_columns; j++) {`,
    `      let m = m0 + i;`,
    `      let n = n0 + j;`,
    ...storeLines.map((line) => `      ${line}`),
    `    }`,
    `  }`,
  ];
  const details: HeaderDetails = {
    ...spec.details,
    gemm: `${problem.batches} x [${problem.M} x ${problem.R}] x [${problem.R} x ${problem.N}]${problem.planes > 1 ? `, ${problem.planes} planes` : ""}`,
    "register tile": `${tile.tileM} rows x ${tile.tileN} columns${tile.width === 4 ? " (vec4 along columns)" : ""}`,
    reduction: split ? `split in ${knobs.splitK} slices of ${length}, partial sums added by a second kernel` : "whole",
    epilogue: split ? "in the split-K sum kernel" : epilogue.description,
    "output store": split ? "partial sums" : spec.store.description,
  };
  const storePasses = loopPasses(tile.tileM, loopPasses(tile.tileN));
  let source: { wgsl: string; workgroups: [number, number, number]; loopIterations: number };
  if (knobs.workgroupMemory) {
    source = workgroupGemmSource({ spec, tile, bindings: bindingSpecs, declarations, details, store, storePasses });
  } else {
    const invocations = problem.batches * knobs.splitK * Math.ceil(problem.M / tile.tileM) * Math.ceil(problem.N / tile.tileN);
    const dispatch = foldedDispatch(invocations, knobs.workgroupSize);
    const body = [
      ...(spec.prologue ?? []),
      `  let column_tile = index % COLUMN_TILES;`,
      `  let row_tile = (index / COLUMN_TILES) % ROW_TILES;`,
      `  let batch = (index / (COLUMN_TILES * ROW_TILES)) % BATCHES;`,
      `  let split = index / (COLUMN_TILES * ROW_TILES * BATCHES);`,
      `  let m0 = row_tile * TILE_M;`,
      `  let n0 = column_tile * TILE_N;`,
      `  let r_begin = split * SPLIT_LENGTH;`,
      `  let r_end = min(R, r_begin + SPLIT_LENGTH);`,
      `  // Rows / columns past the edge are computed on clamped copies and never stored.`,
      ...registerSetup(spec.rows, spec.columns, tile),
      ...accumulatorLines(tile, quadMode(spec, tile)),
      ...registerReduction(spec.rows, spec.columns, tile, quadMode(spec, tile)),
      ...tileCopy(tile, quadMode(spec, tile)),
      ...store,
    ];
    const wgsl = kernelSource({ title: spec.title, details, bindings: bindingSpecs, declarations, dispatch, body });
    const loopIterations = mostSlicePasses(problem.R, knobs.splitK, (slice) => loopPasses(Math.floor(slice / 4)) + loopPasses(slice % 4)) + storePasses;
    source = { wgsl, workgroups: dispatch.workgroups, loopIterations };
  }
  emitKernel(spec.context, spec.node, spec.kernel, source.wgsl, source.workgroups, kernelBindings, source.loopIterations);
  if (split) emitSplitKReduction(spec, tile);
}

/** The u32 constants of the GEMM kernels: the caller's, then the core's sizes and tiles. */
export function gemmConstants(spec: GemmKernelSpec, tile: TileShape, length: number): string {
  const { problem } = spec;
  return u32Constants({
    ...spec.constants,
    BATCHES: problem.batches,
    M: problem.M,
    N: problem.N,
    R: problem.R,
    PLANES: problem.planes,
    LAST_VECTOR: (Math.ceil(problem.N / 4) - 1) * 4,
    SPLIT_K: spec.knobs.splitK,
    SPLIT_LENGTH: length,
    TILE_M: tile.tileM,
    TILE_N: tile.tileN,
    ROW_TILES: Math.ceil(problem.M / tile.tileM),
    COLUMN_TILES: Math.ceil(problem.N / tile.tileN),
  });
}

/**
 * The most loop passes (loopLimit.ts) the reduction of one invocation runs, over the splitK slices of
 * R (`passes` of a slice's length): exact, since llvmpipe's limit is checked against it.
 */
export function mostSlicePasses(R: number, splitK: number, passes: (sliceLength: number) => number): number {
  const length = splitLength(R, splitK);
  let most = 0;
  for (let split = 0; split < splitK; split++) most = Math.max(most, passes(Math.max(0, Math.min(R, (split + 1) * length) - split * length)));
  return most;
}

function checkKnobs(problem: GemmProblem, knobs: GemmKnobs): void {
  const positive = [problem.batches, problem.planes, problem.M, problem.N, problem.R, knobs.tileM, knobs.tileN, knobs.workgroupSize, knobs.splitK];
  if (!positive.every((value) => Number.isInteger(value) && value >= 1)) throw new Error(`internal: GEMM sizes/knobs must be positive integers: ${JSON.stringify({ problem, knobs })}`);
  if (knobs.tileN % knobs.vectorWidth !== 0) throw new Error(`internal: GEMM tileN ${knobs.tileN} is not a multiple of vectorWidth ${knobs.vectorWidth}`);
}

/** Both operands have aligned vec4 loads along r and the accumulators are scalar: fc's vec4 partial-sum mode. */
function quadMode(spec: GemmKernelSpec, tile: TileShape): boolean {
  return tile.width === 1 && spec.rows.quad !== undefined && spec.columns.quad !== undefined;
}

function problemPlanes(problem: GemmProblem): number[] {
  return Array.from({ length: problem.planes }, (_, plane) => plane);
}

function tileValue(plane: number): string {
  return `tile[(${u32Literal(plane)} * TILE_M + i) * TILE_N + j]`;
}

function registerSetup(rows: GemmOperand, columns: GemmColumnOperand, tile: TileShape): string[] {
  const lines: string[] = [];
  for (let i = 0; i < tile.tileM; i++) lines.push(...rows.setup("batch", `min(m0 + ${u32Literal(i)}, M - 1u)`, `row${i}`));
  for (let q = 0; q < tile.tileN / tile.width; q++) {
    if (tile.width === 1) {
      lines.push(...columns.setup("batch", `min(n0 + ${u32Literal(q)}, N - 1u)`, `column${q}`));
    } else if (columns.vector !== undefined) {
      lines.push(...columns.vector.setup("batch", `min(n0 + ${u32Literal(q * 4)}, LAST_VECTOR)`, `column${q}`));
    } else {
      for (let lane = 0; lane < 4; lane++) lines.push(...columns.setup("batch", `min(n0 + ${u32Literal(q * 4 + lane)}, N - 1u)`, `column${q}_${lane}`));
    }
  }
  return lines.map((line) => `  ${line}`);
}

/** The reduction from storage: unrolled by 4 (quad loads where the operands have them), then a tail of up to 3. */
function registerReduction(rows: GemmOperand, columns: GemmColumnOperand, tile: TileShape, quad: boolean): string[] {
  const lines = [`  var r = r_begin;`, `  for (; r + 4u <= r_end; r += 4u) {`];
  lines.push(...reductionStep({ rows, columns, tile, quad, steps: 4, rowId: (i) => `row${i}`, columnId: (q) => `column${q}` }).map((line) => `    ${line}`));
  lines.push(`  }`, `  for (; r < r_end; r++) {`);
  lines.push(...reductionStep({ rows, columns, tile, quad, steps: 1, rowId: (i) => `row${i}`, columnId: (q) => `column${q}` }).map((line) => `    ${line}`));
  lines.push(`  }`);
  return lines;
}

function dedupeStorage(storage: readonly KernelStorage[]): KernelStorage[] {
  const seen = new Map<string, KernelStorage>();
  for (const each of storage) {
    const found = seen.get(each.name);
    if (found === undefined) seen.set(each.name, each);
    else if (found.buffer !== each.buffer) throw new Error(`internal: GEMM operands bind "${each.name}" to two buffers`);
  }
  return [...seen.values()];
}

function unique(texts: readonly string[]): string[] {
  return [...new Set(texts.filter((text) => text.length > 0))];
}
