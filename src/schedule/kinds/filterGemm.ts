// filter_gemm: the conv's weight gradient as a register-tiled implicit GEMM
// (src/codegen/training/convBackwardFilter.ts): dweight[filter, (c, kh, kw)] summed over every
// (n, oh, ow), each invocation holding `filters` x `columns` accumulators. The long reduction is split
// into chunks of at least `minChunkLength` positions computed in parallel (partial sums in a scratch
// buffer, summed by a second kernel).
import { defaultWorkgroupSize } from "../knobs.js";
import type { Schedule } from "../../ir/graph.js";
import { MIN_CHUNK_LENGTH, reductionChunks } from "../../codegen/training/reductionChunks.js";
import type { ConvShape, ScheduleKindDefinition, Workload } from "../types.js";
import { firstProblem } from "../knobs.js";
import { bindingProblem, dispatchProblem, knobsProblem, validatedKnobs, wrongOp, type RegisterBlock } from "./backwardKnobs.js";

export interface FilterGemmSchedule {
  kind: "filter_gemm";
  /** Filters per invocation (at most K/groups are used). */
  filters: number;
  /** Weight columns (c, kh, kw) per invocation (rounded down to whole rows of KW taps when windowed). */
  columns: number;
  workgroupSize: number;
  /** The shortest chunk the reduction over (n, oh, ow) is split into (the split itself aims at enough invocations). */
  minChunkLength: number;
}

const KIND = "filter_gemm";
const BOUNDS = { filters: { min: 1, max: 32 }, columns: { min: 1, max: 64 }, workgroupSize: { min: 1, max: 256 }, minChunkLength: { min: 1, max: 1 << 20 } };
/** Accumulators per invocation past which the generated code only spills (32 x 27 is the largest measured). */
const BLOCK: RegisterBlock<keyof typeof BOUNDS> = { knobs: ["filters", "columns"], max: 1024, unit: "accumulators" };

// The fastest of those bench/convBackward.ts tried at the FashionCNN shapes on llvmpipe (4x4 to 32x27;
// 27 columns = 3 channels of 3x3 taps): llvmpipe gathers each lane's load separately, so the more
// multiply-adds per load the better.
const DEFAULT: FilterGemmSchedule = { kind: KIND, filters: 16, columns: 27, workgroupSize: 64, minChunkLength: MIN_CHUNK_LENGTH };

/** The register tile and the reduction's split a schedule gives on a conv. */
export function filterGemmTiling(schedule: FilterGemmSchedule, conv: ConvShape): { filters: number; columns: number; span: number; tiles: number; chunks: { count: number; length: number } } {
  const filtersPerGroup = conv.K / conv.groups;
  const columnCount = (conv.C / conv.groups) * conv.KH * conv.KW;
  const filters = Math.min(schedule.filters, filtersPerGroup);
  // With stride 1 and dilation 1 along W the tile takes whole rows of KW taps (a register window).
  const span = conv.stride[1] === 1 && conv.dilation[1] === 1 ? conv.KW : 1;
  const columns = Math.min(Math.max(span, Math.floor(schedule.columns / span) * span), columnCount);
  const tiles = conv.groups * Math.ceil(filtersPerGroup / filters) * Math.ceil(columnCount / columns);
  return { filters, columns, span, tiles, chunks: reductionChunks(conv.batch * conv.OH * conv.OW, tiles, schedule.minChunkLength) };
}

/** The node's filter_gemm schedule, validated (an internal error on a malformed one; no defaults applied). */
export function filterGemmScheduleOf(schedule: Schedule, what: string): FilterGemmSchedule {
  return { kind: KIND, ...validatedKnobs(schedule, KIND, BOUNDS, BLOCK, what) };
}

/** Every conv's weight gradient fits this kernel; only knobs can make it illegal. */
function illegal(workload: Workload): string | undefined {
  return wrongOp(KIND, "conv_backward_filter", workload.op);
}

export const filterGemmKind: ScheduleKindDefinition = {
  kind: KIND,
  ops: ["conv_backward_filter"],
  summary: "conv weight gradient: a register-tiled implicit GEMM (filters x weight columns per invocation), its reduction over (n, oh, ow) split into chunks",
  knobs: { filters: [8, 16, 32], columns: [9, 18, 27], workgroupSize: [32, 64, 128], minChunkLength: [256, 1024, 4096] },
  illegal,
  illegalKnobs(workload, target, schedule) {
    const problem = illegal(workload) ?? knobsProblem(schedule, BOUNDS, BLOCK);
    if (problem !== undefined || workload.op !== "conv_backward_filter") return problem;
    const typed = filterGemmScheduleOf(schedule, KIND);
    const tiling = filterGemmTiling(typed, workload.conv);
    const weightBytes = workload.conv.K * (workload.conv.C / workload.conv.groups) * workload.conv.KH * workload.conv.KW * 4;
    return firstProblem(
      () => dispatchProblem(tiling.chunks.count * tiling.tiles, typed.workgroupSize, target),
      () => tiling.chunks.count > 1 ? bindingProblem(`the weight gradient's ${tiling.chunks.count} partial sums`, tiling.chunks.count * weightBytes, target) : undefined,
    );
  },
  defaultSchedule: (_workload, target) => ({ ...DEFAULT, workgroupSize: defaultWorkgroupSize(target) }),
};
