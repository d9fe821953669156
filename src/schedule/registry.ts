// Every schedule kind, in one list: choose-schedules, the cost model, the tuner and `cnnc explain`
// read the kinds from here. A new kind is a file under kinds/ and one line below.
import { dataGemmKind } from "./kinds/dataGemm.js";
import { directKind } from "./kinds/direct.js";
import { fcDataGemmKind } from "./kinds/fcDataGemm.js";
import { fcWeightGemmKind } from "./kinds/fcWeightGemm.js";
import { filterGemmKind } from "./kinds/filterGemm.js";
import { gemmKind } from "./kinds/gemm.js";
import { im2colKind } from "./kinds/im2col.js";
import { implicitGemmKind } from "./kinds/implicitGemm.js";
import { winogradKind } from "./kinds/winograd.js";
import type { ScheduleKindDefinition, Target, Workload } from "./types.js";

export const SCHEDULE_KINDS: readonly ScheduleKindDefinition[] = [
  directKind,
  im2colKind,
  implicitGemmKind,
  winogradKind,
  gemmKind,
  dataGemmKind,
  filterGemmKind,
  fcDataGemmKind,
  fcWeightGemmKind,
];

/** The definition of `kind`, or undefined for an unknown kind. */
export function scheduleKind(kind: string): ScheduleKindDefinition | undefined {
  return SCHEDULE_KINDS.find((definition) => definition.kind === kind);
}

/** The kinds that compute `workload`'s op, each with why it cannot run this workload on `target` (undefined: legal). */
export function kindsForWorkload(workload: Workload, target: Target): { definition: ScheduleKindDefinition; illegal: string | undefined }[] {
  return SCHEDULE_KINDS.filter((definition) => definition.ops.includes(workload.op)).map((definition) => ({
    definition,
    illegal: definition.illegal(workload, target),
  }));
}
