// fc_data_gemm: the fc layer's input gradient dx[n, i] = sum_o dy[n, o] * weight[o, i] as the shared
// register-tiled column GEMM (columnGemm.ts): rows are samples, the reduction runs over output features.
import type { Schedule } from "../../ir/graph.js";
import type { ScheduleKindDefinition } from "../types.js";
import { columnGemmKind, columnGemmScheduleOf, type ColumnGemmSchedule } from "./columnGemm.js";

export type FcDataGemmSchedule = ColumnGemmSchedule<"fc_data_gemm">;

export const fcDataGemmKind: ScheduleKindDefinition = columnGemmKind(
  "fc_data_gemm",
  "fc_backward_data",
  "fc input gradient dx = dy · weight: a register-tiled GEMM (samples x vec4s of input features per invocation)",
  (workload) => ({ rows: workload.batch, columns: workload.inFeatures, depth: workload.outFeatures }),
);

/** The node's fc_data_gemm schedule, validated (an internal error on a malformed one; no defaults applied). */
export function fcDataGemmScheduleOf(schedule: Schedule, what: string): FcDataGemmSchedule {
  return columnGemmScheduleOf("fc_data_gemm", schedule, what);
}
