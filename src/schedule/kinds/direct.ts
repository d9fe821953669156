// The direct conv schedule kind: no column buffer; each invocation accumulates a register block of
// output channels x output pixels, reading input and weights straight from their buffers. The only
// kind that computes a pooled output (conv + pool fusion). Generator: src/codegen/conv/direct.ts.
import type { Schedule } from "../../ir/graph.js";
import { defaultWorkgroupSize, firstProblem, integerKnob, integerKnobProblem, requireKind, workgroupSizeProblem } from "../knobs.js";
import { pooledWindowCells } from "../pooledText.js";
import type { ConvShape, ScheduleKindDefinition, Target, Workload } from "../types.js";

/**
 * Each invocation accumulates a register block of `outputChannelsPerInvocation` x
 * `pixelsPerInvocation` outputs (consecutive channels of one group, consecutive flattened output
 * pixels; pooled pixels when the kernel pools).
 */
export type DirectConvSchedule = {
  kind: "direct";
  outputChannelsPerInvocation: number;
  pixelsPerInvocation: number;
  workgroupSize: number;
};

/** Register blocks unroll into registers, so each extent is bounded to keep the generated code sane. */
const MAX_BLOCK = 16;
/** The largest workgroup any target may grant (the target's own limit is checked by illegalKnobs). */
const MAX_WORKGROUP_SIZE = 1024;

/** A node's direct schedule, validated (internal error on a malformed one; no defaults applied). */
export function directScheduleOf(schedule: Schedule, what: string): DirectConvSchedule {
  requireKind(schedule, "direct", what);
  return {
    kind: "direct",
    outputChannelsPerInvocation: integerKnob(schedule, "outputChannelsPerInvocation", 1, MAX_BLOCK, what),
    pixelsPerInvocation: integerKnob(schedule, "pixelsPerInvocation", 1, MAX_BLOCK, what),
    workgroupSize: integerKnob(schedule, "workgroupSize", 1, MAX_WORKGROUP_SIZE, what),
  };
}

function convOf(workload: Workload): { conv: ConvShape; pooled: string } {
  if (workload.op !== "conv") throw new Error(`internal: the direct kind computes conv workloads, not ${workload.op}`);
  return { conv: workload.conv, pooled: workload.pooled };
}

/**
 * The unpooled default, measured on llvmpipe (each invocation a SIMD lane; a larger register block
 * means more work per loaded value): an 8-channel x 8-pixel block beats 4 x 4 by 1.3-2x. A block of
 * output channels stays inside one group (they then share every input load), so depthwise-like convs
 * get one channel per invocation.
 */
function plainDefault(conv: ConvShape, target: Target): DirectConvSchedule {
  const filtersPerGroup = conv.K / conv.groups;
  const channels = [8, 4, 2, 1].find((block) => filtersPerGroup % block === 0)!;
  return { kind: "direct", outputChannelsPerInvocation: channels, pixelsPerInvocation: 8, workgroupSize: defaultWorkgroupSize(target) };
}

/**
 * Each pooled pixel holds a whole window of conv pixels in the register block: keep an invocation's
 * conv pixels about what the plain block's are, and for large windows hold fewer channels, so the
 * block stays within 1.5x the plain one's accumulators.
 */
function pooledDefault(conv: ConvShape, windowCells: number, target: Target): DirectConvSchedule {
  const plain = plainDefault(conv, target);
  const pixelsPerInvocation = Math.max(1, Math.floor(plain.pixelsPerInvocation / windowCells));
  const convPixels = pixelsPerInvocation * windowCells;
  const maxAccumulators = 1.5 * plain.outputChannelsPerInvocation * plain.pixelsPerInvocation;
  let outputChannelsPerInvocation = plain.outputChannelsPerInvocation;
  while (outputChannelsPerInvocation > 1 && outputChannelsPerInvocation * convPixels > maxAccumulators) outputChannelsPerInvocation /= 2;
  return { ...plain, outputChannelsPerInvocation, pixelsPerInvocation };
}

export const directKind: ScheduleKindDefinition = {
  kind: "direct",
  ops: ["conv"],
  summary: "direct conv: each invocation accumulates a block of output channels x pixels from the input and weights (pools in the kernel)",
  knobs: {
    outputChannelsPerInvocation: [1, 2, 4, 8, 16],
    pixelsPerInvocation: [1, 2, 4, 8, 16],
    workgroupSize: [32, 64, 128, 256],
  },
  illegal: (workload) => (workload.op === "conv" ? undefined : `direct computes a conv, not ${workload.op}`),
  illegalKnobs: (workload: Workload, target: Target, schedule: Schedule) => {
    const { conv } = convOf(workload);
    const filtersPerGroup = conv.K / conv.groups;
    return firstProblem(
      () => (schedule.kind === "direct" ? undefined : `expected a direct schedule, got ${schedule.kind}`),
      () => integerKnobProblem(schedule, "outputChannelsPerInvocation", 1, MAX_BLOCK),
      () => integerKnobProblem(schedule, "pixelsPerInvocation", 1, MAX_BLOCK),
      () => integerKnobProblem(schedule, "workgroupSize", 1, MAX_WORKGROUP_SIZE),
      () =>
        filtersPerGroup % (schedule["outputChannelsPerInvocation"] as number) === 0
          ? undefined
          : `${String(schedule["outputChannelsPerInvocation"])} channels per invocation do not divide the ${filtersPerGroup} filters per group`,
      () => workgroupSizeProblem(schedule["workgroupSize"] as number, target),
    );
  },
  defaultSchedule: (workload, target) => {
    const { conv, pooled } = convOf(workload);
    return pooled === "" ? plainDefault(conv, target) : pooledDefault(conv, pooledWindowCells(pooled), target);
  },
};
