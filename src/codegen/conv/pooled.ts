// Conv + pool in one kernel: the direct conv kernel computing a pool layer's output straight from the
// conv's input. For each pooled output it evaluates the conv (and its epilogue) at every cell of the
// window and folds the values as the pool kernel does, so the conv's own output is never stored.
// Overlapping windows evaluate a conv output once per window holding it: `poolRecomputeFactor`.
import type { PoolAttrs, Shape } from "../../ir/graph.js";
import { imageDims } from "../dispatch.js";
import type { ConvScheduleKind } from "../schedule.js";
import { f32Literal } from "../wgsl.js";

/** The pool layer a conv kernel computes directly: its attributes and its per-sample output shape. */
export interface PooledOutput {
  attrs: PoolAttrs;
  shape: Shape;
}

export type PooledConvSupport = { ok: true } | { ok: false; reason: string };

/**
 * The most cells a pool window computed inside the conv kernel may have: the kernel holds one
 * accumulator per cell of the window (per output channel), and a register block of more than about
 * 64 accumulators spills on llvmpipe.
 */
export const MAX_POOLED_WINDOW_CELLS = 64;

/**
 * Whether a conv whose per-sample output shape is `convShape`, run with schedule `schedule`, can
 * compute `pool` itself. The reason is shown by `cnnc explain` after "not fused: ".
 */
export function pooledConvSupport(convShape: Shape, pool: PooledOutput, schedule: ConvScheduleKind): PooledConvSupport {
  if (schedule !== "direct") {
    return {
      ok: false,
      reason: "the conv runs as im2col + GEMM, which computes its whole output as one matrix product and cannot pool inside the kernel (the direct schedule can)",
    };
  }
  const { top, bottom, left, right } = pool.attrs.padding;
  if (top + bottom + left + right > 0) {
    return {
      ok: false,
      reason: `the pool pads the conv output (padding top ${top} bottom ${bottom} left ${left} right ${right}); only unpadded pools are computed inside the conv kernel`,
    };
  }
  const [KH, KW] = pool.attrs.window;
  if (KH * KW > MAX_POOLED_WINDOW_CELLS) {
    return {
      ok: false,
      reason: `the pool window has ${KH * KW} cells; the conv kernel keeps one accumulator per cell of the window, and only windows of up to ${MAX_POOLED_WINDOW_CELLS} cells fit its registers`,
    };
  }
  const conv = imageDims(convShape);
  const pooled = imageDims(pool.shape);
  if (conv.C !== pooled.C) throw new Error(`internal: a pool of ${conv.C} channels outputs ${pooled.C}`);
  const [SH, SW] = pool.attrs.stride;
  if ((pooled.H - 1) * SH + KH > conv.H || (pooled.W - 1) * SW + KW > conv.W) {
    return {
      ok: false,
      reason: "the last pooling window hangs past the edge of the conv output (rounding=ceil); only windows inside the conv output are computed inside the conv kernel",
    };
  }
  return { ok: true };
}

/**
 * Conv evaluations per conv output when the pool is fused: each pooled output evaluates its KH x KW
 * window, so (pooled outputs * KH * KW) / conv outputs. 1 for windows that tile the conv output,
 * ~2.25 for 3x3 windows at stride 2, below 1 when floor rounding leaves rows or columns unused.
 */
export function poolRecomputeFactor(convShape: Shape, pool: PooledOutput): number {
  const conv = imageDims(convShape);
  const pooled = imageDims(pool.shape);
  const [KH, KW] = pool.attrs.window;
  return (pooled.H * pooled.W * KH * KW) / (conv.H * conv.W);
}

/** The fold of one pooling kind over the epilogue's values, as WGSL of the generated kernel. */
export interface PoolFold {
  /**
   * Statements declaring `pool` (a var) as the fold of `values` (WGSL expressions, the window's
   * cells in row-major order): the window's first value starts it, as the pool kernel does.
   */
  declare(pool: string, values: readonly string[]): string[];
  /** The pooled result from the accumulator. */
  finish(pool: string): string;
  /** For the header: `max 2x2 stride 2`. */
  description: string;
}

export function poolFold(attrs: PoolAttrs): PoolFold {
  const [KH, KW] = attrs.window;
  const description = `${attrs.kind} ${KH}x${KW} stride ${attrs.stride[0]}x${attrs.stride[1]}`;
  const folding =
    (first: (value: string) => string, combine: (pool: string, value: string) => string) =>
    (pool: string, values: readonly string[]): string[] => {
      if (values.length === 0) throw new Error("internal: a pool window without cells");
      return [`var ${pool} = ${first(values[0]!)};`, ...values.slice(1).map((value) => combine(pool, value))];
    };
  switch (attrs.kind) {
    case "max":
      // Starting from the first value, a window of -Inf gives -Inf; max_keeping_nan keeps a NaN.
      return { declare: folding((value) => value, (pool, value) => `${pool} = max_keeping_nan(${pool}, ${value});`), finish: (pool) => pool, description };
    case "avg":
      // Every window lies inside the conv output (pooledConvSupport), so it always holds KH * KW values.
      return { declare: folding((value) => value, (pool, value) => `${pool} += ${value};`), finish: (pool) => `${pool} / ${f32Literal(KH * KW)}`, description };
    case "l2":
      return { declare: folding((value) => `${value} * ${value}`, (pool, value) => `${pool} += ${value} * ${value};`), finish: (pool) => `sqrt(${pool})`, description };
  }
}
