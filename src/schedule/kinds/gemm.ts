// Plain GEMM on the GEMM core: fc (out[n][o] = W[o][i] x[n][i], the weight bound in row slices when
// larger than one binding) and 1x1 stride-1 unpadded ungrouped convs (out[n][k][p] = W[k][c] x[n][c][p]),
// src/codegen/fc.ts and src/codegen/conv/pointwise.ts.
import { defaultWorkgroupSize } from "../knobs.js";
import type { Schedule } from "../../ir/graph.js";
import type { ConvShape, ScheduleKindDefinition, Target, Workload } from "../types.js";
import { GEMM_KNOB_SPACE, gemmKnobsIllegal, gemmKnobsOf, POOLED_ILLEGAL, type GemmKnobs, defaultTileM } from "./gemmKnobs.js";

export type GemmSchedule = GemmKnobs & {
  kind: "gemm";
  /** fc only: weights larger than this are bound in slices of output features (default: the portable 128 MiB binding). */
  maxWeightBindingBytes?: number;
};

/**
 * fc's default: 4 features x 4 samples per invocation with vec4 loads along the input features
 * (both operands are contiguous along the reduction), today's fc kernel's shape.
 */
export function fcGemmDefaultKnobs(): GemmSchedule {
  return { kind: "gemm", tileM: 4, tileN: 4, vectorWidth: 1, workgroupSize: 64, splitK: 1, workgroupMemory: false };
}

/** A 1x1 conv's default: 8 channels x 16 pixels as vec4s, im2col's GEMM tile (the pixels are contiguous). */
export function pointwiseGemmDefaultKnobs(outChannels: number): GemmSchedule {
  return { kind: "gemm", tileM: defaultTileM(outChannels), tileN: 16, vectorWidth: 4, workgroupSize: 64, splitK: 1, workgroupMemory: false };
}

/** A node's gemm schedule, validated (internal error on a malformed one; no defaults applied). */
export function gemmScheduleOf(schedule: Schedule, what: string): GemmSchedule {
  if (schedule.kind !== "gemm") throw new Error(`internal: ${what}: expected a gemm schedule, got "${schedule.kind}"`);
  const validated: GemmSchedule = { kind: "gemm", ...gemmKnobsOf(schedule, what) };
  const maxBytes = schedule["maxWeightBindingBytes"];
  if (maxBytes !== undefined) {
    if (typeof maxBytes !== "number" || !Number.isInteger(maxBytes) || maxBytes < 1) {
      throw new Error(`internal: ${what}: gemm maxWeightBindingBytes must be a positive integer, got ${String(maxBytes)}`);
    }
    validated.maxWeightBindingBytes = maxBytes;
  }
  return validated;
}

/** Why a conv is not a plain GEMM (1x1, stride 1, no padding, groups 1), or undefined when it is. */
export function pointwiseConvIllegal(conv: Pick<ConvShape, "KH" | "KW" | "stride" | "padding" | "groups">): string | undefined {
  const { top, bottom, left, right } = conv.padding;
  if (conv.KH !== 1 || conv.KW !== 1) return `gemm computes 1x1 convs as a plain GEMM; this kernel is ${conv.KH}x${conv.KW}`;
  if (conv.stride[0] !== 1 || conv.stride[1] !== 1) return `gemm computes stride-1 convs; this one has stride ${conv.stride.join("x")}`;
  if (top + bottom + left + right !== 0) return "gemm computes unpadded convs; this one is padded";
  if (conv.groups !== 1) return `gemm computes ungrouped convs; this one has ${conv.groups} groups`;
  return undefined;
}

export const gemmKind: ScheduleKindDefinition = {
  kind: "gemm",
  ops: ["fc", "conv"],
  summary: "a plain GEMM on the GEMM core: fc, and 1x1 stride-1 unpadded ungrouped convs",
  knobs: GEMM_KNOB_SPACE,
  illegal(workload: Workload): string | undefined {
    if (workload.op === "fc") return undefined;
    if (workload.op !== "conv") return `gemm computes fc and 1x1 convs, not ${workload.op}`;
    if (workload.pooled !== "") return POOLED_ILLEGAL;
    return pointwiseConvIllegal(workload.conv);
  },
  illegalKnobs(_workload: Workload, target: Target, schedule: Schedule): string | undefined {
    return gemmKnobsIllegal(gemmScheduleOf(schedule, "gemm"), 1, target);
  },
  defaultSchedule(workload: Workload, target: Target): Schedule {
    if (workload.op === "fc") return { ...fcGemmDefaultKnobs(), workgroupSize: defaultWorkgroupSize(target) };
    if (workload.op === "conv") return { ...pointwiseGemmDefaultKnobs(workload.conv.K), workgroupSize: defaultWorkgroupSize(target) };
    throw new Error(`internal: gemm has no schedule for ${workload.op}`);
  },
};
