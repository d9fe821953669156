// The schedule of per-element kernels whose arithmetic depends on the element's channel (batchnorm's
// normalize and dx): with many values per (sample, channel) row, one workgroup per row, its lanes
// striding through the row, so that the channel's constants are read once per invocation, no element
// index is divided, and neighbouring lanes touch neighbouring addresses (llvmpipe runs lanes as SIMD,
// loading each value with a gather); with few, one invocation per element.
import { loopPasses } from "../loopLimit.js";
import { foldedDispatch, type Dispatch } from "../wgsl.js";
import { ELEMENTWISE_WORKGROUP_SIZE } from "../dispatch.js";

/** Values per row from which a workgroup per row keeps its lanes busy enough. */
const ROW_LANES = 64;

export interface ChannelElementSchedule {
  dispatch: Dispatch;
  /** The body: `perChannel` after `channel` is defined, then `perElement` for each `element` of the invocation. */
  lines: string[];
  passes: number;
  description: string;
}

/**
 * `perChannel` lines may define lets from `channel` (u32); `perElement` lines use `element` (the flat
 * index in [N, C, inner]) and those lets. Needs the `C` and `INNER` constants.
 */
export function channelElementSchedule(batch: number, channels: number, inner: number, perChannel: string[], perElement: string[]): ChannelElementSchedule {
  const indent = (lines: string[], by: string): string[] => lines.map((line) => `${by}${line}`);
  if (inner < ROW_LANES) {
    return {
      dispatch: foldedDispatch(batch * channels * inner, ELEMENTWISE_WORKGROUP_SIZE),
      lines: ["  let channel = (index / INNER) % C;", ...indent(perChannel, "  "), "  let element = index;", ...indent(perElement, "  ")],
      passes: 0,
      description: "one invocation per element",
    };
  }
  return {
    dispatch: foldedDispatch(batch * channels * ROW_LANES, ROW_LANES),
    lines: [
      `  let row = index / ${ROW_LANES}u;`,
      "  let channel = row % C;",
      ...indent(perChannel, "  "),
      "  let row_base = row * INNER;",
      `  for (var position = index % ${ROW_LANES}u; position < INNER; position += ${ROW_LANES}u) {`,
      "    let element = row_base + position;",
      ...indent(perElement, "    "),
      "  }",
    ],
    passes: loopPasses(Math.ceil(inner / ROW_LANES)),
    description: `one workgroup of ${ROW_LANES} per (sample, channel) row, its lanes ${ROW_LANES} elements apart`,
  };
}
