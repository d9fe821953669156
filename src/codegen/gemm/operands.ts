// The contract between the GEMM core (core.ts) and what it multiplies: operand loaders that produce
// A[plane][batch][m][r] (rows, the weights) and B[plane][batch][r][n] (columns) at a reduction index,
// and the store hook that writes the finished C[plane][batch][m][n] of an (m, n). The loaders are
// WGSL generators, so one core computes fc (rows of weights x rows of the input), im2col (a column
// buffer), implicit GEMM (the im2col addressing of the input inside the load) and, with 16 planes,
// Winograd (a B loader producing a (channel, tile)'s 16 transformed values at once, a store hook
// applying the output transform to an (m, n)'s 16 sums).
import type { EpilogueStage } from "../epilogue.js";
import type { KernelStorage } from "../plan.js";

/**
 * The sizes of a batched, planed GEMM: `batches` independent products (a conv's groups) dispatched
 * side by side, each of `planes` products sharing one reduction loop (1, or Winograd's 16):
 *   C[plane][batch][m][n] = sum_{r < R} A[plane][batch][m][r] * B[plane][batch][r][n].
 */
export interface GemmProblem {
  batches: number;
  planes: number;
  M: number;
  N: number;
  R: number;
}

/**
 * One operand. Every name a generator writes is built from the `id` / `out` names it is given (the
 * core makes them unique), so statements of several rows, columns and reduction steps can share a scope.
 */
export interface GemmOperand {
  /** The buffers it reads (binding names unique in the kernel). */
  storage: readonly KernelStorage[];
  /** Module-scope WGSL (constants, helper functions) its statements use; identical text is declared once. */
  declarations: readonly string[];
  /**
   * Statements run once per row (A) or column (B) an invocation touches, before the reduction:
   * derive what the loads need from `at` (a u32 WGSL expression, already clamped below M or N) of
   * GEMM `batch`, as `let`s named `${id}...`.
   */
  setup(batch: string, at: string, id: string): string[];
  /**
   * Statements defining `let ${out[plane]}: f32` for every plane: the operand of the row / column
   * set up as `id` at reduction index `r` (an atomic u32 expression: an identifier or parenthesized; r < R). Temporaries are named `${out[0]}_...`.
   */
  load(id: string, r: string, out: readonly string[]): string[];
  /**
   * Optional: statements defining `let ${out[plane]}: vec4<f32>` holding reduction indices r..r+3 (r a
   * multiple of 4 with r + 3 < R), for operands whose reduction axis is contiguous and 16-byte aligned.
   */
  quad?: (id: string, r: string, out: readonly string[]) => string[];
}

/** The B operand, optionally with loads of 4 consecutive columns at once (vectorWidth 4). */
export interface GemmColumnOperand extends GemmOperand {
  /**
   * Optional: vec4 loads along n. `setup` gets the first column of a vector (a multiple of 4, at most
   * the last vector's first column); `load` defines `let ${out[plane]}: vec4<f32>` of columns
   * first..first+3 at reduction index r. Lanes at or past N must hold finite values (they are never stored).
   */
  vector?: {
    setup(batch: string, first: string, id: string): string[];
    load(id: string, r: string, out: readonly string[]): string[];
  };
}

/**
 * Where finished outputs go. The core stores from a rolled loop over its tile, so `store`'s statements
 * (and the epilogue function they call) are compiled once per kernel, not once per tile element: on
 * llvmpipe, inlining a fused epilogue tileM x tileN times multiplied cold-compile time several times.
 */
export interface GemmStore {
  /** Its own buffers (the output, ...); the epilogue stages' bindings are appended after them. */
  storage: readonly KernelStorage[];
  /** The epilogue whose `apply_epilogue(value, channel, index)` the statements may call. */
  stages: readonly EpilogueStage[];
  declarations: readonly string[];
  /**
   * Statements writing output (m, n) of GEMM `batch` (u32 expressions; m < M and n < N are
   * guaranteed), given `values[plane]`, the f32 sums of every plane.
   */
  store(batch: string, m: string, n: string, values: readonly string[]): string[];
  /** For the header: where and how it stores. */
  description: string;
}

export type { GemmKnobs } from "../../schedule/kinds/gemmKnobs.js";
