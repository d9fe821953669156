// Implicit GEMM: the GEMM core with the im2col addressing inside its column loads, so no column
// matrix is written (src/codegen/conv/implicitGemm.ts). Any conv: groups, stride, dilation,
// asymmetric padding, every padding mode, 1-D; not one computing a pooled output.
import { defaultWorkgroupSize } from "../knobs.js";
import type { Schedule } from "../../ir/graph.js";
import type { ScheduleKindDefinition, Target, Workload } from "../types.js";
import { GEMM_KNOB_SPACE, gemmKnobsIllegal, gemmKnobsOf, POOLED_ILLEGAL, type GemmKnobs, defaultTileM } from "./gemmKnobs.js";

export type ImplicitGemmSchedule = GemmKnobs & {
  kind: "implicit_gemm";
};

/**
 * Default knobs for a conv with `filtersPerGroup` filters per group, measured on llvmpipe
 * (bench/gemmCore.ts, bench/results/gemm-core.json): register tiles straight from storage, no
 * workgroup memory (its barriers cost more than the loads they save there).
 */
export function implicitGemmDefaultKnobs(filtersPerGroup: number): ImplicitGemmSchedule {
  return { kind: "implicit_gemm", tileM: defaultTileM(filtersPerGroup), tileN: 8, vectorWidth: 4, workgroupSize: 64, splitK: 1, workgroupMemory: false };
}

/** A node's implicit GEMM schedule, validated (internal error on a malformed one; no defaults applied). */
export function implicitGemmScheduleOf(schedule: Schedule, what: string): ImplicitGemmSchedule {
  if (schedule.kind !== "implicit_gemm") throw new Error(`internal: ${what}: expected an implicit_gemm schedule, got "${schedule.kind}"`);
  return { kind: "implicit_gemm", ...gemmKnobsOf(schedule, what) };
}

export const implicitGemmKind: ScheduleKindDefinition = {
  kind: "implicit_gemm",
  ops: ["conv"],
  summary: "the GEMM core reading the input through im2col addressing in its loads (no column buffer)",
  knobs: GEMM_KNOB_SPACE,
  illegal(workload: Workload): string | undefined {
    if (workload.op !== "conv") return `implicit_gemm computes convs, not ${workload.op}`;
    if (workload.pooled !== "") return POOLED_ILLEGAL;
    return undefined;
  },
  illegalKnobs(_workload: Workload, target: Target, schedule: Schedule): string | undefined {
    return gemmKnobsIllegal(implicitGemmScheduleOf(schedule, "implicit_gemm"), 1, target);
  },
  defaultSchedule(workload: Workload, target: Target): Schedule {
    if (workload.op !== "conv") throw new Error(`internal: implicit_gemm has no schedule for ${workload.op}`);
    return { ...implicitGemmDefaultKnobs(workload.conv.K / workload.conv.groups), workgroupSize: defaultWorkgroupSize(target) };
  },
};
