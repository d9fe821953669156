// The `winograd` schedule kind: a 3x3 stride-1 conv as Winograd's F(2x2, 3x3) (winogradTransforms.ts).
// Per group, for each of the 16 transform positions p (planes), a GEMM over the input channels:
//   M[p][k][t] = sum_c U[k][c][p] * V[c][t][p],   U = G g Gᵀ (per filter k, channel c),
//   V = Bᵀ d B (per channel c, output tile t: its 4x4 input patch d),
// then each 2x2 output tile is Aᵀ M A, through the conv's epilogue and store. U is a derived
// parameter (`<layer>:winograd_u`, computed in float64 and rounded once when the weights are
// uploaded), so the kernel needs weights that never change on the device.
//
// Tolerance. Winograd is exact in real arithmetic but not in float32: an output sums 16 * C/groups
// products whose magnitudes (filters and inputs bounded by 1) add up to at most
// winogradMagnitudeGrowth = 9 times the direct conv's 9 * C/groups (|Aᵀ ⊗ Aᵀ| row sums 3 * 3 = 9,
// |U| <= 1.5^2 = 2.25 from G's row sums, |V| <= 2^2 = 4 from Bᵀ's), and each rounds at 2^-24 of
// what it sums. So where the direct conv is held to |gpu - ref| <= 4e-5 * sqrt(n) + 1e-4 * |ref| over
// n = 9 * C/groups terms (test/codegen/kernelHarness.ts's toleranceFor), Winograd is held to
//   atol = 4e-5 * 9 * sqrt(16 * C/groups + 8)      (8: the rounding steps of V's and Y's additions)
//   rtol = 1e-4,
// scaled by the magnitudes of the filters and inputs (1 for values in [-1, 1]): winogradTolerance.
import { defaultWorkgroupSize } from "../knobs.js";
import type { Schedule } from "../../ir/graph.js";
import type { KnobSpace, ScheduleKindDefinition, Target, Workload } from "../types.js";
import { F2X2_3X3, winogradMagnitudeGrowth, type WinogradTransform } from "./winogradTransforms.js";

/**
 * Winograd F(2x2, 3x3): each invocation computes `tileM` filters (of one group) x `tileN` 2x2 output
 * tiles, holding 16 accumulators per pair.
 */
export type WinogradSchedule = {
  kind: "winograd";
  variant: "f2x2_3x3";
  tileM: number;
  tileN: number;
  workgroupSize: number;
};

export const WINOGRAD_VARIANTS = { f2x2_3x3: F2X2_3X3 } as const satisfies Record<WinogradSchedule["variant"], WinogradTransform>;

/** At most this many (filter, tile) pairs per invocation: 16 accumulators each, 256 in all. */
const MAX_PAIRS = 16;

const KNOBS: KnobSpace = {
  variant: ["f2x2_3x3"],
  tileM: [4, 8, 2, 1],
  tileN: [2, 1, 4],
  workgroupSize: [64, 32, 128],
};

/** What legality needs of a conv: its window, whether a pool is fused, whether its weights stay constant. */
export interface WinogradLegalityInput {
  kernel: [number, number];
  stride: [number, number];
  dilation: [number, number];
  pooled: boolean;
  constantWeights: boolean;
}

/** Why Winograd F(2x2, 3x3) cannot compute this conv, or undefined when it can. */
export function winogradIllegalReason(conv: WinogradLegalityInput): string | undefined {
  const [KH, KW] = conv.kernel;
  if (KH !== 3 || KW !== 3) return `winograd needs a 3x3 kernel (this conv's is ${KH}x${KW})`;
  if (conv.stride[0] !== 1 || conv.stride[1] !== 1) return `winograd needs stride 1 (this conv's is ${conv.stride[0]}x${conv.stride[1]})`;
  if (conv.dilation[0] !== 1 || conv.dilation[1] !== 1) return `winograd needs dilation 1 (this conv's is ${conv.dilation[0]}x${conv.dilation[1]})`;
  if (conv.pooled) return "winograd does not compute a pooled output (only the direct kernel pools)";
  if (!conv.constantWeights) {
    return "winograd reads its filters transformed once when the weights are uploaded, and a training step changes the weights on the device";
  }
  return undefined;
}

/** The default knobs for a conv with `filtersPerGroup` filters per group. */
export function defaultWinogradSchedule(filtersPerGroup: number): WinogradSchedule {
  return { kind: "winograd", variant: "f2x2_3x3", tileM: filtersPerGroup >= 4 ? 4 : filtersPerGroup >= 2 ? 2 : 1, tileN: 2, workgroupSize: 64 };
}

export const winogradKind: ScheduleKindDefinition = {
  kind: "winograd",
  ops: ["conv"],
  summary: "Winograd F(2x2, 3x3): 16 multiplies per 2x2 output tile and channel instead of 36, filters transformed at weight upload",
  knobs: KNOBS,
  illegal(workload: Workload): string | undefined {
    if (workload.op !== "conv") return `winograd computes convs, not ${workload.op}`;
    const { conv } = workload;
    return winogradIllegalReason({
      kernel: [conv.KH, conv.KW],
      stride: conv.stride,
      dilation: conv.dilation,
      pooled: workload.pooled !== "",
      constantWeights: workload.constantWeights,
    });
  },
  illegalKnobs(workload: Workload, target: Target, schedule: Schedule): string | undefined {
    // A register block past the accumulator cap is a knob combination the space allows but the kernel refuses.
    const pairs = Number(schedule["tileM"]) * Number(schedule["tileN"]);
    if (pairs > MAX_PAIRS) return `tileM x tileN = ${pairs} is more than ${MAX_PAIRS} (16 accumulators each)`;
    const typed = winogradScheduleOf(schedule, "winograd knobs");
    if (typed.workgroupSize > target.limits.maxComputeInvocationsPerWorkgroup) {
      return `workgroupSize ${typed.workgroupSize} is more than the adapter's ${target.limits.maxComputeInvocationsPerWorkgroup} invocations per workgroup`;
    }
    if (workload.op === "conv" && typed.tileM > workload.conv.K / workload.conv.groups) {
      return `tileM ${typed.tileM} is more than the ${workload.conv.K / workload.conv.groups} filters per group`;
    }
    return undefined;
  },
  defaultSchedule(workload: Workload, target: Target): Schedule {
    if (workload.op !== "conv") throw new Error(`internal: winograd has no schedule for ${workload.op}`);
    return { ...defaultWinogradSchedule(workload.conv.K / workload.conv.groups), workgroupSize: defaultWorkgroupSize(target) };
  },
};

/** A node's plain schedule as a WinogradSchedule (internal error when malformed; no defaults applied). */
export function winogradScheduleOf(schedule: Schedule, what: string): WinogradSchedule {
  if (schedule.kind !== "winograd") throw new Error(`internal: ${what}: schedule kind "${schedule.kind}" is not winograd`);
  const variant = schedule["variant"];
  if (variant !== "f2x2_3x3") throw new Error(`internal: ${what}: winograd variant must be "f2x2_3x3", got ${String(variant)}`);
  const knob = (name: string, max: number): number => {
    const value = schedule[name];
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > max) {
      throw new Error(`internal: ${what}: winograd needs ${name} to be an integer in 1..${max}, got ${String(value)}`);
    }
    return value;
  };
  const tileM = knob("tileM", MAX_PAIRS);
  const tileN = knob("tileN", MAX_PAIRS);
  if (tileM * tileN > MAX_PAIRS) throw new Error(`internal: ${what}: winograd tileM x tileN = ${tileM * tileN} is more than ${MAX_PAIRS} (16 accumulators each)`);
  return { kind: "winograd", variant, tileM, tileN, workgroupSize: knob("workgroupSize", 1024) };
}

/** The derived parameter holding a conv layer's transformed filters U. */
export function winogradFilterName(layer: string): string {
  return `${layer}:winograd_u`;
}

/**
 * |gpu - ref| <= atol + rtol * |ref| for a Winograd conv with `channelsPerGroup` input channels per
 * group, filters bounded by `filterBound` and inputs by `inputBound` (see the file's comment).
 */
export function winogradTolerance(channelsPerGroup: number, filterBound = 1, inputBound = 1, transform: WinogradTransform = F2X2_3X3): { atol: number; rtol: number } {
  const terms = transform.patch * transform.patch * channelsPerGroup + 2 * transform.patch;
  return { atol: 4e-5 * winogradMagnitudeGrowth(transform) * Math.sqrt(terms) * filterBound * inputBound, rtol: 1e-4 };
}
