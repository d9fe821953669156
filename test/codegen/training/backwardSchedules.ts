// Schedules of the backward GEMM kinds for kernel-level tests and benches: each kind's default (as
// choose-schedules sets it), validated by the kind, and knob settings whose tiles do not divide the
// sizes, with other workgroup sizes and (filter_gemm) reductions split into short chunks.
import { PORTABLE_TARGET, type Workload } from "../../../src/schedule/types.js";
import { dataGemmKind, dataGemmScheduleOf, type DataGemmSchedule } from "../../../src/schedule/kinds/dataGemm.js";
import { filterGemmKind, filterGemmScheduleOf, type FilterGemmSchedule } from "../../../src/schedule/kinds/filterGemm.js";
import { fcDataGemmKind, fcDataGemmScheduleOf, type FcDataGemmSchedule } from "../../../src/schedule/kinds/fcDataGemm.js";
import { fcWeightGemmKind, fcWeightGemmScheduleOf, type FcWeightGemmSchedule } from "../../../src/schedule/kinds/fcWeightGemm.js";
import { convShapeOfGeometry } from "../../../src/schedule/workloadOf.js";
import { specGeometry, type ConvGradientSpec } from "../../../src/codegen/training/convBackward.js";

export function dataWorkload(spec: ConvGradientSpec): Workload {
  return { op: "conv_backward_data", conv: convShapeOfGeometry(specGeometry(spec)) };
}

export function filterWorkload(spec: ConvGradientSpec): Workload {
  return { op: "conv_backward_filter", conv: convShapeOfGeometry(specGeometry(spec)) };
}

export function defaultDataSchedule(spec: ConvGradientSpec): DataGemmSchedule {
  return dataGemmScheduleOf(dataGemmKind.defaultSchedule(dataWorkload(spec), PORTABLE_TARGET), "test");
}

export function defaultFilterSchedule(spec: ConvGradientSpec): FilterGemmSchedule {
  return filterGemmScheduleOf(filterGemmKind.defaultSchedule(filterWorkload(spec), PORTABLE_TARGET), "test");
}

type FcShape = { batch: number; inFeatures: number; outFeatures: number };

export function defaultFcDataSchedule(shape: FcShape): FcDataGemmSchedule {
  return fcDataGemmScheduleOf(fcDataGemmKind.defaultSchedule({ op: "fc_backward_data", ...shape }, PORTABLE_TARGET), "test");
}

export function defaultFcWeightSchedule(shape: FcShape): FcWeightGemmSchedule {
  return fcWeightGemmScheduleOf(fcWeightGemmKind.defaultSchedule({ op: "fc_backward_weight", ...shape }, PORTABLE_TARGET), "test");
}

/** data_gemm knobs besides the default: odd blocks, a 1 x 1 block, a wide block and small workgroups. */
export const DATA_SCHEDULES: readonly DataGemmSchedule[] = [
  { kind: "data_gemm", pixels: 3, channels: 2, workgroupSize: 64 },
  { kind: "data_gemm", pixels: 5, channels: 3, workgroupSize: 16 },
  { kind: "data_gemm", pixels: 1, channels: 1, workgroupSize: 7 },
  { kind: "data_gemm", pixels: 16, channels: 4, workgroupSize: 128 },
];

// minChunkLength 7 splits even the small cases' reductions, into chunks starting mid-row.
export const FILTER_SCHEDULES: readonly FilterGemmSchedule[] = [
  { kind: "filter_gemm", filters: 3, columns: 5, workgroupSize: 64, minChunkLength: 7 },
  { kind: "filter_gemm", filters: 5, columns: 7, workgroupSize: 32, minChunkLength: 256 },
  { kind: "filter_gemm", filters: 1, columns: 1, workgroupSize: 64, minChunkLength: 30 },
  { kind: "filter_gemm", filters: 8, columns: 18, workgroupSize: 128, minChunkLength: 1024 },
];

/** Knobs of the fc GEMMs (the same for both kinds): tiles cut by the edges, scalar-sized tiles, other workgroups. */
export const FC_KNOBS: readonly { rowsPerInvocation: number; vectorsPerInvocation: number; workgroupSize: number }[] = [
  { rowsPerInvocation: 3, vectorsPerInvocation: 1, workgroupSize: 64 },
  { rowsPerInvocation: 1, vectorsPerInvocation: 3, workgroupSize: 16 },
  { rowsPerInvocation: 16, vectorsPerInvocation: 8, workgroupSize: 128 },
];
