// Today's conv and fc schedules (src/codegen/schedule.ts: direct, im2col, the fc GEMM) described as
// schedule kinds, for the calibration script and the schedule tests while the registry in this branch
// is still empty. Script-only: the registry's own definitions (src/schedule/kinds/) replace these once
// they exist, and `npm run calibrate` prefers the registry whenever it has kinds.
import type { Schedule } from "../../src/ir/graph.js";
import { SCHEDULE_KINDS } from "../../src/schedule/registry.js";
import type { ScheduleKindDefinition, Target, Workload } from "../../src/schedule/types.js";

function convOf(workload: Workload, kind: string): Extract<Workload, { op: "conv" }> {
  if (workload.op !== "conv") throw new Error(`internal: ${kind} asked about a ${workload.op} workload`);
  return workload;
}

function workgroupProblem(target: Target, schedule: Schedule): string | undefined {
  const size = schedule["workgroupSize"];
  if (typeof size !== "number") return "workgroupSize is missing";
  const max = Math.min(target.limits.maxComputeInvocationsPerWorkgroup, target.limits.maxComputeWorkgroupSizeX);
  return size > max ? `a workgroup of ${size} invocations exceeds the target's ${max}` : undefined;
}

export const todaysDirectKind: ScheduleKindDefinition = {
  kind: "direct",
  ops: ["conv"],
  summary: "each invocation accumulates a block of output channels x pixels, reading input and weights directly",
  knobs: { outputChannelsPerInvocation: [8, 4, 2, 1, 16], pixelsPerInvocation: [8, 4, 16, 2], workgroupSize: [64, 128, 32, 256] },
  // Every conv, pooled or not, grouped or not.
  illegal: () => undefined,
  illegalKnobs(workload, target, schedule) {
    const conv = convOf(workload, "direct").conv;
    const channels = schedule["outputChannelsPerInvocation"];
    if (typeof channels !== "number" || (conv.K / conv.groups) % channels !== 0) {
      return `${String(channels)} channels per invocation do not divide the ${conv.K / conv.groups} filters per group`;
    }
    return workgroupProblem(target, schedule);
  },
  defaultSchedule(workload) {
    const conv = convOf(workload, "direct").conv;
    const channels = [8, 4, 2, 1].find((block) => (conv.K / conv.groups) % block === 0)!;
    return { kind: "direct", outputChannelsPerInvocation: channels, pixelsPerInvocation: 8, workgroupSize: 64 };
  },
};

export const todaysIm2colKind: ScheduleKindDefinition = {
  kind: "im2col",
  ops: ["conv"],
  summary: "writes the column matrix to scratch, then multiplies the weights by it with a register-tiled GEMM",
  knobs: { tileM: [8, 4, 16, 2], tileN: [16, 8, 4], workgroupSize: [64, 128, 32, 256], maxChunkColumns: [0] },
  illegal: (workload) => (convOf(workload, "im2col").pooled === "" ? undefined : "only the direct kernel computes a pooled output"),
  illegalKnobs: (_workload, target, schedule) => workgroupProblem(target, schedule),
  defaultSchedule(workload) {
    const conv = convOf(workload, "im2col").conv;
    return { kind: "im2col", tileM: conv.K / conv.groups >= 8 ? 8 : 4, tileN: 16, workgroupSize: 64, maxChunkColumns: 0 };
  },
};

export const todaysFcGemmKind: ScheduleKindDefinition = {
  kind: "gemm",
  ops: ["fc"],
  summary: "fc as a GEMM: each invocation computes a block of output features x samples",
  knobs: { outputsPerInvocation: [4, 8, 2, 1], rowsPerInvocation: [4, 8, 2, 1], workgroupSize: [64, 128, 32, 256] },
  illegal: (workload) => (workload.op === "fc" ? undefined : "the fc GEMM computes fc layers"),
  illegalKnobs: (_workload, target, schedule) => workgroupProblem(target, schedule),
  defaultSchedule: () => ({ kind: "gemm", outputsPerInvocation: 4, rowsPerInvocation: 4, workgroupSize: 64 }),
};

export const TODAYS_KINDS: readonly ScheduleKindDefinition[] = [todaysDirectKind, todaysIm2colKind, todaysFcGemmKind];

/** The registry's kinds where it has any, else today's. */
export function calibrationKinds(): readonly ScheduleKindDefinition[] {
  return SCHEDULE_KINDS.length > 0 ? SCHEDULE_KINDS : TODAYS_KINDS;
}
