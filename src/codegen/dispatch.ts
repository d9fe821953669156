// Launch geometry of the one-invocation-per-element kernels (pooling, activations, batchnorm, lrn,
// softmax, add, concat), on top of wgsl.ts's folded dispatch: a flat `index` over `total` elements.
import { flatInvocationPrologue, foldedDispatch } from "./wgsl.js";

/** 64 fits every device (compatibility mode guarantees 128 invocations per workgroup, core 256). */
export const ELEMENTWISE_WORKGROUP_SIZE = 64;

export interface LinearDispatch {
  workgroups: [number, number, number];
  /** The entry point `main`'s signature and prologue: `index` (u32) is this invocation's element. */
  entryPoint: string;
}

export function linearDispatch(total: number): LinearDispatch {
  const dispatch = foldedDispatch(total, ELEMENTWISE_WORKGROUP_SIZE);
  return { workgroups: dispatch.workgroups, entryPoint: flatInvocationPrologue("main", dispatch) };
}

/** `[N, C, H, W]` style text for kernel headers. */
export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}
