// The im2col + GEMM conv schedule kind: one kernel writes the column matrix to a scratch buffer, a
// second multiplies the weights by it. Generator: src/codegen/conv/im2col.ts and gemm.ts.
import type { Schedule } from "../../ir/graph.js";
import { defaultWorkgroupSize, firstProblem, integerKnob, integerKnobProblem, requireKind, workgroupSizeProblem } from "../knobs.js";
import type { ScheduleKindDefinition, Target, Workload } from "../types.js";

/**
 * The column matrix is [groups][C/groups*KH*KW][N*OH*OW]; each GEMM invocation holds a `tileM`
 * (output channels) x `tileN` (output pixels, a multiple of 4: vec4 columns) register tile. The
 * N*OH*OW columns are processed in chunks (an im2col + GEMM pair each, sharing one column buffer) of
 * at most `maxChunkColumns` columns, 0 meaning as many as fit the column-buffer memory cap.
 */
export type Im2colConvSchedule = {
  kind: "im2col";
  tileM: number;
  tileN: number;
  workgroupSize: number;
  maxChunkColumns: number;
};

const MAX_TILE = 16;
const MAX_WORKGROUP_SIZE = 1024;

/** Why `maxChunkColumns` is malformed (undefined: 0 or a positive multiple of 4). */
function chunkProblem(schedule: Schedule): string | undefined {
  const value = schedule["maxChunkColumns"];
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value % 4 === 0) return undefined;
  return `im2col needs maxChunkColumns to be 0 or a positive multiple of 4, got ${String(value)}`;
}

function tileNProblem(schedule: Schedule): string | undefined {
  const value = schedule["tileN"];
  return typeof value === "number" && value % 4 === 0 ? undefined : `im2col needs tileN to be a multiple of 4 (vec4 columns), got ${String(value)}`;
}

/** A node's im2col schedule, validated (internal error on a malformed one; no defaults applied). */
export function im2colScheduleOf(schedule: Schedule, what: string): Im2colConvSchedule {
  requireKind(schedule, "im2col", what);
  const tileN = integerKnob(schedule, "tileN", 1, MAX_TILE, what);
  const malformed = tileNProblem(schedule) ?? chunkProblem(schedule);
  if (malformed !== undefined) throw new Error(`internal: ${what}: schedule ${malformed}`);
  return {
    kind: "im2col",
    tileM: integerKnob(schedule, "tileM", 1, MAX_TILE, what),
    tileN,
    workgroupSize: integerKnob(schedule, "workgroupSize", 1, MAX_WORKGROUP_SIZE, what),
    maxChunkColumns: schedule["maxChunkColumns"] as number,
  };
}

export const im2colKind: ScheduleKindDefinition = {
  kind: "im2col",
  ops: ["conv"],
  summary: "im2col + GEMM: one kernel writes the column matrix, a second multiplies the weights by it with a register tile",
  knobs: {
    tileM: [1, 2, 4, 8, 16],
    tileN: [4, 8, 16],
    workgroupSize: [32, 64, 128, 256],
    maxChunkColumns: [0],
  },
  illegal: (workload) => {
    if (workload.op !== "conv") return `im2col computes a conv, not ${workload.op}`;
    if (workload.pooled !== "") return "the kernel computes a pooled output, which only direct does";
    return undefined;
  },
  illegalKnobs: (_workload: Workload, target: Target, schedule: Schedule) =>
    firstProblem(
      () => (schedule.kind === "im2col" ? undefined : `expected an im2col schedule, got ${schedule.kind}`),
      () => integerKnobProblem(schedule, "tileM", 1, MAX_TILE),
      () => integerKnobProblem(schedule, "tileN", 1, MAX_TILE),
      () => tileNProblem(schedule),
      () => integerKnobProblem(schedule, "workgroupSize", 1, MAX_WORKGROUP_SIZE),
      () => chunkProblem(schedule),
      () => workgroupSizeProblem(schedule["workgroupSize"] as number, target),
    ),
  /**
   * Measured on llvmpipe: an 8 x 16 register tile beats 4 x 8 by 1.3-2x; a group with fewer than 8
   * filters takes a 4-row tile.
   */
  defaultSchedule: (workload, target) => {
    if (workload.op !== "conv") throw new Error(`internal: the im2col kind computes conv workloads, not ${workload.op}`);
    const filtersPerGroup = workload.conv.K / workload.conv.groups;
    return { kind: "im2col", tileM: filtersPerGroup >= 8 ? 8 : 4, tileN: 16, workgroupSize: defaultWorkgroupSize(target), maxChunkColumns: 0 };
  },
};
