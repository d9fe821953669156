// data_gemm: the conv's input gradient as the transposed conv run as a register-tiled implicit GEMM
// (src/codegen/training/convBackwardData.ts): rows are input pixels, columns input channels of one
// group, the reduction runs over (filter, kh, kw). Each invocation holds `pixels` x `channels`
// accumulators; padding modes other than zeros compute the padded input's gradient into a scratch
// buffer, then fold it onto the input.
import { defaultWorkgroupSize } from "../knobs.js";
import type { Schedule } from "../../ir/graph.js";
import type { ConvShape, ScheduleKindDefinition, Target, Workload } from "../types.js";
import { bindingProblem, dispatchProblem, knobsProblem, validatedKnobs, wrongOp, type RegisterBlock } from "./backwardKnobs.js";

export interface DataGemmSchedule {
  kind: "data_gemm";
  /** Consecutive input pixels per invocation (when `channels` fit in a group; up to MAX_BLOCK_PIXELS when fewer do). */
  pixels: number;
  /** Input channels of one group per invocation (at most C/groups are used). */
  channels: number;
  workgroupSize: number;
}

const KIND = "data_gemm";
/** The most pixels a block takes when a group has fewer channels than the tile (more only spilled). */
const MAX_BLOCK_PIXELS = 16;
const BOUNDS = { pixels: { min: 1, max: 32 }, channels: { min: 1, max: 32 }, workgroupSize: { min: 1, max: 256 } };
/** Accumulators per invocation past which llvmpipe spills registers. */
const BLOCK: RegisterBlock<keyof typeof BOUNDS> = { knobs: ["pixels", "channels"], max: 256, unit: "accumulators" };

// The fastest of those bench/convBackward.ts tried at the FashionCNN shapes on llvmpipe (4x4 to 16x16):
// large blocks, since llvmpipe gathers each lane's load separately and an fma is one vector instruction.
const DEFAULT: DataGemmSchedule = { kind: KIND, pixels: 8, channels: 16, workgroupSize: 64 };

/**
 * The knobs a conv_transpose layer's forward runs this kernel with (src/codegen/convTranspose.ts): the
 * default block, which no schedule pass tunes for that layer yet.
 */
export const DATA_GEMM_FORWARD_SCHEDULE: DataGemmSchedule = DEFAULT;

/** The grid the GEMM writes: the input, or (other padding modes than zeros, when padded) the padded input. */
export function dataGemmGrid(conv: ConvShape): { H: number; W: number; padded: boolean } {
  const { top, bottom, left, right } = conv.padding;
  if (conv.paddingMode === "zeros" || top + bottom + left + right === 0) return { H: conv.H, W: conv.W, padded: false };
  return { H: conv.H + top + bottom, W: conv.W + left + right, padded: true };
}

/** The register block a schedule gives on a conv: channels clipped to the group, pixels widened when channels are few. */
export function dataGemmBlock(schedule: DataGemmSchedule, channelsPerGroup: number, gridPixels: number): { channels: number; pixels: number } {
  const channels = Math.min(schedule.channels, channelsPerGroup);
  const widened = Math.min(schedule.pixels * Math.floor(schedule.channels / channels), MAX_BLOCK_PIXELS);
  return { channels, pixels: Math.min(Math.max(schedule.pixels, widened), gridPixels) };
}

/** Invocations of the GEMM kernel. */
function invocations(conv: ConvShape, schedule: DataGemmSchedule): number {
  const grid = dataGemmGrid(conv);
  const channelsPerGroup = conv.C / conv.groups;
  const block = dataGemmBlock(schedule, channelsPerGroup, grid.H * grid.W);
  return conv.batch * conv.groups * Math.ceil(channelsPerGroup / block.channels) * Math.ceil((grid.H * grid.W) / block.pixels);
}

/** The node's data_gemm schedule, validated (an internal error on a malformed one; no defaults applied). */
export function dataGemmScheduleOf(schedule: Schedule, what: string): DataGemmSchedule {
  return { kind: KIND, ...validatedKnobs(schedule, KIND, BOUNDS, BLOCK, what) };
}

function illegal(workload: Workload, target: Target): string | undefined {
  if (workload.op !== "conv_backward_data") return wrongOp(KIND, "conv_backward_data", workload.op);
  const grid = dataGemmGrid(workload.conv);
  if (!grid.padded) return undefined;
  return bindingProblem(`the padded input's gradient (${workload.conv.paddingMode} padding)`, workload.conv.batch * workload.conv.C * grid.H * grid.W * 4, target);
}

export const dataGemmKind: ScheduleKindDefinition = {
  kind: KIND,
  ops: ["conv_backward_data"],
  summary: "conv input gradient: the transposed conv as a register-tiled implicit GEMM (input pixels x input channels per invocation)",
  knobs: { pixels: [4, 8, 16], channels: [4, 8, 16], workgroupSize: [32, 64, 128] },
  illegal,
  illegalKnobs(workload, target, schedule) {
    const problem = illegal(workload, target) ?? knobsProblem(schedule, BOUNDS, BLOCK);
    if (problem !== undefined || workload.op !== "conv_backward_data") return problem;
    const typed = dataGemmScheduleOf(schedule, KIND);
    return dispatchProblem(invocations(workload.conv, typed), typed.workgroupSize, target);
  },
  defaultSchedule: (_workload, target) => ({ ...DEFAULT, workgroupSize: defaultWorkgroupSize(target) }),
};
