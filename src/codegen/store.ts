// Where a kernel stores its output value: densely (`plain`), or into a channel slice of a larger value
// (a concat written in place by its producers). Kernels compute each output's dense flat index (batch
// included, over their own output shape) and pass it through `output_index` before storing; the
// epilogue still sees the dense index, so a residual of the kernel's own shape is read correctly.
import { describeShape } from "../tensor.js";
import { channelLayout } from "./dispatch.js";
import type { KernelContext } from "./plan.js";
import { u32Constants } from "./wgsl.js";

export type OutputStore =
  | { kind: "plain" }
  /** Channels [channelOffset, channelOffset + C) of a value with `totalChannels` channels and the same H x W. */
  | { kind: "channel_slice"; channelOffset: number; totalChannels: number };

export const PLAIN_STORE: OutputStore = { kind: "plain" };

/** How a kernel writes its output, as WGSL. */
export interface OutputStoreCode {
  /** Module-scope declarations the store needs (none for a dense store). */
  declarations: string[];
  /** The buffer index receiving the output at WGSL u32 expression `dense` (its dense flat index). */
  index(dense: string): string;
  /** For the header: `dense`, or which channels of which shape. */
  description: string;
}

/**
 * The store code of a kernel whose own output has per-sample shape `shape` ([C, ...]) at `batch`: a
 * dense store indexes as is; a channel-slice store maps the dense index through `output_index`.
 */
export function outputStoreCode(store: OutputStore, shape: readonly number[], batch: number): OutputStoreCode {
  if (store.kind === "plain") return { declarations: [], index: (dense) => dense, description: "dense" };
  const { C, inner } = channelLayout(shape);
  const { channelOffset, totalChannels } = store;
  if (!Number.isInteger(channelOffset) || channelOffset < 0 || channelOffset + C > totalChannels) {
    throw new Error(`internal: a channel slice [${channelOffset}, ${channelOffset + C}) does not fit ${totalChannels} channels`);
  }
  const declaration = [
    u32Constants({ SLICE_SAMPLE: C * inner, STORE_SAMPLE: totalChannels * inner, SLICE_OFFSET: channelOffset * inner }),
    "",
    "// Channel-slice store: sample n's SLICE_SAMPLE dense values land at n * STORE_SAMPLE + SLICE_OFFSET.",
    "fn output_index(dense_index: u32) -> u32 {",
    "  return (dense_index / SLICE_SAMPLE) * STORE_SAMPLE + SLICE_OFFSET + dense_index % SLICE_SAMPLE;",
    "}",
  ].join("\n");
  const whole = describeShape([batch, totalChannels, ...shape.slice(1)]);
  return {
    declarations: [declaration],
    index: (dense) => `output_index(${dense})`,
    description: `channels ${channelOffset}..${channelOffset + C - 1} of ${whole}`,
  };
}

/** The context's output store (dense when it names none). */
export function outputStoreOf(context: KernelContext): OutputStore {
  return context.outputStore ?? PLAIN_STORE;
}

/**
 * For generators that only write densely into a buffer of their own: an internal error when the
 * context asks for a channel-slice store or an in-place run (`kernel` names the kernel, e.g. `l3: softmax`).
 */
export function requireDenseSeparateOutput(context: KernelContext, kernel: string): void {
  if (outputStoreOf(context).kind !== "plain") throw new Error(`internal: ${kernel} cannot store into a channel slice`);
  if (context.inPlace === true) throw new Error(`internal: ${kernel} has no in-place variant`);
}
