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
import { gemmKnobsIllegal, gemmKnobsOf, type GemmKnobs } from "./gemmKnobs.js";
import { F2X2_3X3, winogradMagnitudeGrowth, type WinogradTransform } from "./winogradTransforms.js";

/**
 * Winograd F(2x2, 3x3) on the GEMM core (src/codegen/conv/winograd.ts): 16 planes of products, the
 * register tile `tileM` filters (of one group) x `tileN` 2x2 output tiles, 16 accumulators per pair.
 */
export type WinogradSchedule = GemmKnobs & {
  kind: "winograd";
  variant: "f2x2_3x3";
};

export const WINOGRAD_VARIANTS = { f2x2_3x3: F2X2_3X3 } as const satisfies Record<WinogradSchedule["variant"], WinogradTransform>;

/** At most this many (filter, tile) pairs per invocation: 16 accumulators each, 256 in all. */
const MAX_PAIRS = 16;

/**
 * The GEMM knobs in ranges that fit 16 planes: small register tiles (each pair is 16 accumulators and
 * each column a 4x4 patch load and transform per reduction step). vec4 along the tiles has no vector
 * load (neighbouring tiles' patches are not contiguous), so the core gathers 4 patches per vector.
 */
const KNOBS: KnobSpace = {
  variant: ["f2x2_3x3"],
  tileM: [4, 8, 2, 1],
  tileN: [2, 1, 4, 8],
  vectorWidth: [1, 4],
  workgroupSize: [64, 32, 128],
  splitK: [1, 2, 4],
  workgroupMemory: [false, true],
};

/** What legality needs of a conv: its window, whether a pool is fused, whether its weights stay constant. */
interface WinogradLegalityInput {
  kernel: [number, number];
  stride: [number, number];
  dilation: [number, number];
  pooled: boolean;
  constantWeights: boolean;
}

/** Why Winograd F(2x2, 3x3) cannot compute this conv, or undefined when it can. */
function winogradIllegalReason(conv: WinogradLegalityInput): string | undefined {
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

/**
 * The default knobs for a conv with `filtersPerGroup` filters per group. Measured on llvmpipe
 * (exact schedules on VGG's 3x3 64 -> 64 at 56x56 b1 and 32x32 b16, 2-3 rounds on a loaded machine):
 * 8 filters x 2 tiles beat 4 x 2 (each column's patch transform is shared by more filters), 4 x 4
 * with or without vec4 along tiles, 8 x 1 and 2 x 8 (bench/results/winograd.json has the default
 * against direct and im2col). It also compiles about 4x longer than 4 x 2 on llvmpipe (20 s against 5 s
 * for that layer), so the default stays 4 x 2, within a cold run's reach; `cnnc tune` finds 8 x 2 where it pays.
 */
export function defaultWinogradSchedule(filtersPerGroup: number): WinogradSchedule {
  const tileM = filtersPerGroup >= 4 ? 4 : filtersPerGroup >= 2 ? 2 : 1;
  return { kind: "winograd", variant: "f2x2_3x3", tileM, tileN: 2, vectorWidth: 1, workgroupSize: 64, splitK: 1, workgroupMemory: false };
}

export const winogradKind: ScheduleKindDefinition = {
  kind: "winograd",
  ops: ["conv"],
  summary: "Winograd F(2x2, 3x3) on the GEMM core: 16 multiplies per 2x2 output tile and channel instead of 36, filters transformed at weight upload",
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
    const block = blockProblem(Number(schedule["tileM"]), Number(schedule["tileN"]), Number(schedule["vectorWidth"]));
    if (block !== undefined) return block;
    const typed = winogradScheduleOf(schedule, "winograd knobs");
    const limits = gemmKnobsIllegal(typed, 16, target);
    if (limits !== undefined) return limits;
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
  const knobs = gemmKnobsOf(schedule, what);
  const block = blockProblem(knobs.tileM, knobs.tileN, knobs.vectorWidth);
  if (block !== undefined) throw new Error(`internal: ${what}: winograd ${block}`);
  return { kind: "winograd", variant, ...knobs };
}

/**
 * Why knob values the space allows together are refused by the kernel: a register block past the
 * accumulator cap (each pair holds 16 sums), or vectors that do not divide the tile.
 */
function blockProblem(tileM: number, tileN: number, vectorWidth: number): string | undefined {
  if (tileM * tileN > MAX_PAIRS) return `tileM x tileN = ${tileM * tileN} is more than ${MAX_PAIRS} (16 accumulators each)`;
  if (tileN % vectorWidth !== 0) return `tileN ${tileN} is not a multiple of vectorWidth ${vectorWidth}`;
  return undefined;
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
