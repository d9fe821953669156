// Where a kernel stores its output value: densely (`plain`), or into a channel slice of a larger value
// (a concat written in place by its producers). Kernels compute each output's dense flat index (batch
// included, over their own output shape) and pass it through `output_index` before storing; the
// epilogue still sees the dense index, so a residual of the kernel's own shape is read correctly.
export type OutputStore =
  | { kind: "plain" }
  /** Channels [channelOffset, channelOffset + C) of a value with `totalChannels` channels and the same H x W. */
  | { kind: "channel_slice"; channelOffset: number; totalChannels: number };

export const PLAIN_STORE: OutputStore = { kind: "plain" };
