// Attr builders for IR tests: defaults as the language has them, overridden per case.
import type { ConvAttrs, Padding2d, PoolAttrs } from "../../src/ir/graph.js";

export function pad(top: number, bottom = top, left = top, right = left): Padding2d {
  return { top, bottom, left, right };
}

export function conv(outChannels: number, kernel: number | [number, number], extra: Partial<ConvAttrs> = {}): ConvAttrs {
  return {
    op: "conv",
    spatialRank: 2,
    outChannels,
    kernel: typeof kernel === "number" ? [kernel, kernel] : kernel,
    stride: [1, 1],
    dilation: [1, 1],
    padding: pad(0),
    paddingMode: "zeros",
    groups: 1,
    bias: true,
    ...extra,
  };
}

export function conv1d(outChannels: number, kernel: number, extra: Partial<ConvAttrs> = {}): ConvAttrs {
  return conv(outChannels, [1, kernel], { spatialRank: 1, ...extra });
}

export function pool(kind: PoolAttrs["kind"], window: number, extra: Partial<PoolAttrs> = {}): PoolAttrs {
  return {
    op: "pool",
    kind,
    spatialRank: 2,
    window: [window, window],
    stride: [window, window],
    padding: pad(0),
    rounding: "floor",
    countPadding: true,
    ...extra,
  };
}
