// The fc layer's two backward GEMMs (src/codegen/training/fcBackward.ts) share one register-tiled
// kernel, C[m, j] = sum_k A(m, k) * B[k, j] with B and C contiguous along j (the input features):
// each invocation holds `rowsPerInvocation` rows x `vectorsPerInvocation` vec4s of columns. The two
// kinds (fc_data_gemm, fc_weight_gemm) differ in what the rows and the reduction are; this builds both.
import { defaultWorkgroupSize } from "../knobs.js";
import type { Schedule } from "../../ir/graph.js";
import type { ScheduleKindDefinition, Workload, WorkloadOp } from "../types.js";
import { dispatchProblem, knobsProblem, validatedKnobs, wrongOp, type RegisterBlock } from "./backwardKnobs.js";

export interface ColumnGemmSchedule<Kind extends string> {
  kind: Kind;
  /** Rows of C per invocation (samples for dx, output features for dweight; at most the rows there are). */
  rowsPerInvocation: number;
  /** vec4s of columns (input features) per invocation. */
  vectorsPerInvocation: number;
  workgroupSize: number;
}

const BOUNDS = { rowsPerInvocation: { min: 1, max: 32 }, vectorsPerInvocation: { min: 1, max: 16 }, workgroupSize: { min: 1, max: 256 } };
/** vec4 accumulators per invocation past which the generated code only spills. */
const BLOCK: RegisterBlock<keyof typeof BOUNDS> = { knobs: ["rowsPerInvocation", "vectorsPerInvocation"], max: 128, unit: "vec4 accumulators" };

/** The GEMM's sizes for an fc backward workload: rows of C, columns (input features) and the reduction. */
export type ColumnGemmSizes = { rows: number; columns: number; depth: number };

/** The register tile a schedule gives on a GEMM of `sizes`: both clipped to the matrix. */
export function columnGemmTile(schedule: ColumnGemmSchedule<string>, sizes: ColumnGemmSizes): { rows: number; vectors: number; invocations: number } {
  const columnVecs = Math.ceil(sizes.columns / 4);
  const rows = Math.min(schedule.rowsPerInvocation, sizes.rows);
  const vectors = Math.min(schedule.vectorsPerInvocation, columnVecs);
  return { rows, vectors, invocations: Math.ceil(sizes.rows / rows) * Math.ceil(columnVecs / vectors) };
}

/** A plain schedule of `kind`, validated (an internal error on a malformed one; no defaults applied). */
export function columnGemmScheduleOf<Kind extends string>(kind: Kind, schedule: Schedule, what: string): ColumnGemmSchedule<Kind> {
  return { kind, ...validatedKnobs(schedule, kind, BOUNDS, BLOCK, what) };
}

/**
 * The definition of one fc backward GEMM kind. 8 rows x 4 vec4s (16 columns) measured fastest on fc1
 * of the tiles tried (rows x columns 4x4, 4x8, 8x8, 2x16, 4x16, 16x8, 4x32; bench/trainingKernels.ts),
 * as for the conv GEMM's 8 x 16 tile: the default.
 */
export function columnGemmKind<Op extends WorkloadOp>(kind: string, op: Op, summary: string, sizes: (workload: Extract<Workload, { op: Op }>) => ColumnGemmSizes): ScheduleKindDefinition {
  const illegal = (workload: Workload): string | undefined => wrongOp(kind, op, workload.op);
  return {
    kind,
    ops: [op],
    summary,
    knobs: { rowsPerInvocation: [4, 8, 16], vectorsPerInvocation: [2, 4, 8], workgroupSize: [32, 64, 128] },
    illegal,
    illegalKnobs(workload, target, schedule) {
      const problem = illegal(workload) ?? knobsProblem(schedule, BOUNDS, BLOCK);
      if (problem !== undefined) return problem;
      const typed = columnGemmScheduleOf(kind, schedule, kind);
      const tile = columnGemmTile(typed, sizes(workload as Extract<Workload, { op: Op }>));
      return dispatchProblem(tile.invocations, typed.workgroupSize, target);
    },
    defaultSchedule: (_workload, target) => ({ kind, rowsPerInvocation: 8, vectorsPerInvocation: 4, workgroupSize: defaultWorkgroupSize(target) }),
  };
}
