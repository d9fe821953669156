// fc_weight_gemm: the fc layer's weight gradient dweight[o, i] = sum_n dy[n, o] * x[n, i] as the shared
// register-tiled column GEMM (columnGemm.ts): rows are output features, the reduction runs over the batch.
import type { Schedule } from "../../ir/graph.js";
import type { ScheduleKindDefinition } from "../types.js";
import { columnGemmKind, columnGemmScheduleOf, type ColumnGemmSchedule } from "./columnGemm.js";

export type FcWeightGemmSchedule = ColumnGemmSchedule<"fc_weight_gemm">;

export const fcWeightGemmKind: ScheduleKindDefinition = columnGemmKind(
  "fc_weight_gemm",
  "fc_backward_weight",
  "fc weight gradient dweight = dy^T · x: a register-tiled GEMM (output features x vec4s of input features per invocation)",
  (workload) => ({ rows: workload.outFeatures, columns: workload.inFeatures, depth: workload.batch }),
);

/** The node's fc_weight_gemm schedule, validated (an internal error on a malformed one; no defaults applied). */
export function fcWeightGemmScheduleOf(schedule: Schedule, what: string): FcWeightGemmSchedule {
  return columnGemmScheduleOf("fc_weight_gemm", schedule, what);
}
