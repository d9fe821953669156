// im2col + GEMM: one kernel writes the column matrix [groups][C/groups*KH*KW][N*OH*OW] to a scratch
// buffer (in chunks of columns when it would be large), then the GEMM core multiplies the weights by
// it (src/codegen/conv/im2col.ts).
import { defaultWorkgroupSize } from "../knobs.js";
import type { Schedule } from "../../ir/graph.js";
import type { ConvShape, ScheduleKindDefinition, Target, Workload } from "../types.js";
import { GEMM_KNOB_SPACE, gemmKnobsIllegal, gemmKnobsOf, POOLED_ILLEGAL, type GemmKnobs, defaultTileM } from "./gemmKnobs.js";

export type Im2colConvSchedule = GemmKnobs & {
  kind: "im2col";
  /** Columns per im2col + GEMM chunk, a multiple of 4; 0: as many as fit the column-buffer memory cap. */
  maxChunkColumns: number;
};

/**
 * Default knobs for a conv with `filtersPerGroup` filters per group. Measured on llvmpipe (each
 * invocation a SIMD lane; a larger register block means more work per loaded value): an 8 x 16 tile
 * of vec4 columns beats 4 x 8 by 1.3-2x; workgroup memory loses there (barriers are costly).
 */
export function im2colDefaultKnobs(filtersPerGroup: number): Im2colConvSchedule {
  return { kind: "im2col", tileM: defaultTileM(filtersPerGroup), tileN: 16, vectorWidth: 4, workgroupSize: 64, splitK: 1, workgroupMemory: false, maxChunkColumns: 0 };
}

/** A node's im2col schedule, validated (internal error on a malformed one; no defaults applied). */
export function im2colScheduleOf(schedule: Schedule, what: string): Im2colConvSchedule {
  if (schedule.kind !== "im2col") throw new Error(`internal: ${what}: expected an im2col schedule, got "${schedule.kind}"`);
  const knobs = gemmKnobsOf(schedule, what);
  if (knobs.vectorWidth !== 4) throw new Error(`internal: ${what}: im2col reads its column buffer as vec4s and needs vectorWidth 4`);
  const chunk = schedule["maxChunkColumns"];
  if (typeof chunk !== "number" || !Number.isInteger(chunk) || chunk < 0 || chunk % 4 !== 0) {
    throw new Error(`internal: ${what}: im2col maxChunkColumns must be 0 or a positive multiple of 4, got ${String(chunk)}`);
  }
  return { kind: "im2col", ...knobs, maxChunkColumns: chunk };
}

function filtersPerGroup(conv: ConvShape): number {
  return conv.K / conv.groups;
}

export const im2colKind: ScheduleKindDefinition = {
  kind: "im2col",
  ops: ["conv"],
  summary: "im2col writes the column matrix to a scratch buffer, then the GEMM core multiplies the weights by it",
  knobs: { ...GEMM_KNOB_SPACE, vectorWidth: [4], maxChunkColumns: [0] },
  illegal(workload: Workload): string | undefined {
    if (workload.op !== "conv") return `im2col computes convs, not ${workload.op}`;
    if (workload.pooled !== "") return POOLED_ILLEGAL;
    return undefined;
  },
  illegalKnobs(_workload: Workload, target: Target, schedule: Schedule): string | undefined {
    return gemmKnobsIllegal(im2colScheduleOf(schedule, "im2col"), 1, target);
  },
  defaultSchedule(workload: Workload, target: Target): Schedule {
    if (workload.op !== "conv") throw new Error(`internal: im2col has no schedule for ${workload.op}`);
    return { ...im2colDefaultKnobs(filtersPerGroup(workload.conv)), workgroupSize: defaultWorkgroupSize(target) };
  },
};
