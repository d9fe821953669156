// The GEMM schedule kind: fc as a matrix product. Generator: src/codegen/fc.ts.
import type { Schedule } from "../../ir/graph.js";
import { defaultWorkgroupSize, firstProblem, integerKnob, integerKnobProblem, requireKind, workgroupSizeProblem } from "../knobs.js";
import type { ScheduleKindDefinition, Target, Workload } from "../types.js";

/**
 * Each invocation computes `outputsPerInvocation` features for `rowsPerInvocation` samples. A weight
 * larger than `maxWeightBindingBytes` (absent: PORTABLE_MAX_BINDING_BYTES, in fc.ts) is bound in
 * slices of output features, one dispatch each; tests lower it to exercise the split on small layers.
 */
export type FcSchedule = {
  kind: "gemm";
  outputsPerInvocation: number;
  rowsPerInvocation: number;
  workgroupSize: number;
  maxWeightBindingBytes?: number;
};

const MAX_BLOCK = 16;
const MAX_WORKGROUP_SIZE = 1024;

/** A node's gemm schedule, validated (internal error on a malformed one; no defaults applied). */
export function gemmScheduleOf(schedule: Schedule, what: string): FcSchedule {
  requireKind(schedule, "gemm", what);
  const validated: FcSchedule = {
    kind: "gemm",
    outputsPerInvocation: integerKnob(schedule, "outputsPerInvocation", 1, MAX_BLOCK, what),
    rowsPerInvocation: integerKnob(schedule, "rowsPerInvocation", 1, MAX_BLOCK, what),
    workgroupSize: integerKnob(schedule, "workgroupSize", 1, MAX_WORKGROUP_SIZE, what),
  };
  if (schedule["maxWeightBindingBytes"] !== undefined) {
    validated.maxWeightBindingBytes = integerKnob(schedule, "maxWeightBindingBytes", 1, Number.MAX_SAFE_INTEGER, what);
  }
  return validated;
}

export const gemmKind: ScheduleKindDefinition = {
  kind: "gemm",
  ops: ["fc"],
  summary: "GEMM: each invocation computes a block of output features for a block of samples",
  knobs: {
    outputsPerInvocation: [1, 2, 4, 8],
    rowsPerInvocation: [1, 2, 4, 8],
    workgroupSize: [32, 64, 128, 256],
  },
  illegal: (workload) => {
    if (workload.op === "conv" && workload.pooled !== "") return "the kernel computes a pooled output, which only direct does";
    return workload.op === "fc" ? undefined : `gemm computes an fc layer, not a ${workload.op}`;
  },
  illegalKnobs: (_workload: Workload, target: Target, schedule: Schedule) =>
    firstProblem(
      () => (schedule.kind === "gemm" ? undefined : `expected a gemm schedule, got ${schedule.kind}`),
      () => integerKnobProblem(schedule, "outputsPerInvocation", 1, MAX_BLOCK),
      () => integerKnobProblem(schedule, "rowsPerInvocation", 1, MAX_BLOCK),
      () => integerKnobProblem(schedule, "workgroupSize", 1, MAX_WORKGROUP_SIZE),
      () =>
        schedule["maxWeightBindingBytes"] === undefined
          ? undefined
          : integerKnobProblem(schedule, "maxWeightBindingBytes", 1, Number.MAX_SAFE_INTEGER),
      () => workgroupSizeProblem(schedule["workgroupSize"] as number, target),
    ),
  defaultSchedule: (workload, target) => {
    if (workload.op !== "fc") throw new Error(`internal: the gemm kind computes fc workloads, not ${workload.op}`);
    return { kind: "gemm", outputsPerInvocation: 4, rowsPerInvocation: 4, workgroupSize: defaultWorkgroupSize(target) };
  },
};
