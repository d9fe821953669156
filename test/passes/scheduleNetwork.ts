// The small network the schedule tests choose schedules for: a conv of each default kind, a depthwise
// conv, a 1x1 conv and an fc.
import type { Graph } from "../../src/ir/graph.js";
import { chainGraph, conv2d } from "../reference/graphBuilders.js";

/** x -> l0 conv 3x3 16->32 -> l1 relu -> l2 depthwise 3x3 -> l3 conv 1x1 32->8 -> l4 flatten -> l5 fc. */
export function scheduleTestNetwork(): Graph {
  return chainGraph(
    [16, 12, 12],
    [
      conv2d({ out: 32, kernel: 3, padding: 1 }),
      { op: "relu" },
      conv2d({ out: 32, kernel: 3, padding: 1, groups: 32 }),
      conv2d({ out: 8, kernel: 1 }),
      { op: "flatten" },
      { op: "fc", outFeatures: 10, bias: true },
    ],
  );
}
