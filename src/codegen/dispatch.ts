// Shared pieces of the one-invocation-per-element kernels (pooling, elementwise, lrn, softmax, concat):
// their workgroup size, shape layouts and the one-input kernels' bindings.
import { describeShape } from "../tensor.js";
import { shapeSize } from "../ir/graph.js";
import type { KernelBinding, KernelContext } from "./plan.js";
import type { StorageBindingSpec } from "./wgsl.js";

/** 64 fits every device (compatibility mode guarantees 128 invocations per workgroup, core 256). */
export const ELEMENTWISE_WORKGROUP_SIZE = 64;

/** Channels and elements per channel (H*W, L, or 1) of a per-sample shape `[C, ...]`. */
export function channelLayout(shape: readonly number[]): { C: number; inner: number } {
  return { C: shape[0]!, inner: shapeSize(shape.slice(1)) };
}

/** [C, H, W] of a per-sample image or sequence shape (a sequence [C, L] is [C, 1, L]). */
export function imageDims(shape: readonly number[]): { C: number; H: number; W: number } {
  if (shape.length === 3) return { C: shape[0]!, H: shape[1]!, W: shape[2]! };
  if (shape.length === 2) return { C: shape[0]!, H: 1, W: shape[1]! };
  throw new Error(`internal: expected a [C, H, W] or [C, L] shape, got ${describeShape(shape)}`);
}

/** The one-input kernels' buffers: `x` (read) and `y` (read_write). */
export const INPUT_OUTPUT_BINDINGS: readonly StorageBindingSpec[] = [
  { name: "x", access: "read" },
  { name: "y", access: "read_write" },
];

/** The KernelStep bindings matching `INPUT_OUTPUT_BINDINGS`: the node's input `input`, its output. */
export function inputOutputBindings(context: KernelContext, input = 0): KernelBinding[] {
  return [
    { buffer: context.inputBuffers[input]!, access: "read" },
    { buffer: context.outputBuffer, access: "read_write" },
  ];
}
