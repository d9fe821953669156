// Which pools the direct conv kernel can compute directly (conv + pool fusion), and at what recompute.
// PLACEHOLDER until the pooled kernel lands: windows inside the conv output, no pool padding.
import type { PoolAttrs, Shape } from "../../ir/graph.js";

export function pooledConvSupport(pool: PoolAttrs, convShape: Shape, pooledShape: Shape): { ok: true } | { ok: false; reason: string } {
  const { top, bottom, left, right } = pool.padding;
  if (top + bottom + left + right > 0) return { ok: false, reason: "the pool pads its input; the fused kernel pools only windows inside the conv output" };
  const convHeight = convShape.length === 3 ? convShape[1]! : 1;
  const convWidth = convShape[convShape.length - 1]!;
  const pooledHeight = pooledShape.length === 3 ? pooledShape[1]! : 1;
  const pooledWidth = pooledShape[pooledShape.length - 1]!;
  const inside = (pooledHeight - 1) * pool.stride[0] + pool.window[0] <= convHeight && (pooledWidth - 1) * pool.stride[1] + pool.window[1] <= convWidth;
  if (!inside) return { ok: false, reason: "its last windows hang over the conv output (ceil rounding); the fused kernel pools only whole windows" };
  return { ok: true };
}

export function poolRecomputeFactor(pool: PoolAttrs, convShape: Shape, pooledShape: Shape): number {
  const convPixels = (convShape.length === 3 ? convShape[1]! : 1) * convShape[convShape.length - 1]!;
  const pooledPixels = (pooledShape.length === 3 ? pooledShape[1]! : 1) * pooledShape[pooledShape.length - 1]!;
  return (pooledPixels * pool.window[0] * pool.window[1]) / convPixels;
}
