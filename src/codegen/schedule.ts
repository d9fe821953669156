// Schedules of the conv and fc kernels as data (stored on kernel nodes, passed to codegen as `Node.schedule`), their validation, and the
// default choice rule. The generators read the schedule from the node; the scheduling pass
// (src/passes/chooseSchedules.ts) writes it, and later passes (autotuning) may overwrite it.
import type { ConvAttrs, Node, Schedule } from "../ir/graph.js";
import { fcGemmDefaultKnobs, gemmScheduleOf, pointwiseGemmDefaultKnobs, type GemmSchedule } from "../schedule/kinds/gemm.js";
import { im2colDefaultKnobs, im2colScheduleOf, type Im2colConvSchedule } from "../schedule/kinds/im2col.js";
import { implicitGemmDefaultKnobs, implicitGemmScheduleOf, type ImplicitGemmSchedule } from "../schedule/kinds/implicitGemm.js";
import { MAX_INVOCATIONS_PER_WORKGROUP } from "./wgsl.js";

/**
 * Direct convolution: each invocation accumulates a register block of
 * `outputChannelsPerInvocation` x `pixelsPerInvocation` outputs (consecutive channels of one group,
 * consecutive flattened output pixels), reading input and weights straight from their buffers.
 */
export type DirectConvSchedule = {
  kind: "direct";
  outputChannelsPerInvocation: number;
  pixelsPerInvocation: number;
  workgroupSize: number;
};

/** fc, and 1x1 stride-1 unpadded ungrouped convs, as a plain GEMM (src/schedule/kinds/gemm.ts). */
export type FcSchedule = GemmSchedule;

export type ConvSchedule = DirectConvSchedule | Im2colConvSchedule | ImplicitGemmSchedule | GemmSchedule;
export type ConvScheduleKind = ConvSchedule["kind"];
export const CONV_SCHEDULE_KINDS: readonly ConvScheduleKind[] = ["direct", "im2col", "implicit_gemm", "gemm"];

export function isConvScheduleKind(word: string): word is ConvScheduleKind {
  return (CONV_SCHEDULE_KINDS as readonly string[]).includes(word);
}

/**
 * Default knobs of each conv schedule kind for this node. Measured on llvmpipe (Mesa's CPU rasterizer,
 * where each invocation is a SIMD lane and a larger register block means more work per loaded value):
 * an 8 x 16 GEMM tile and an 8-channel x 8-pixel direct block beat 4 x 8 / 4 x 4 by 1.3-2x.
 */
export function convScheduleOfKind(attrs: ConvAttrs, kind: ConvScheduleKind): ConvSchedule {
  const filtersPerGroup = attrs.outChannels / attrs.groups;
  if (kind === "im2col") return im2colDefaultKnobs(filtersPerGroup);
  if (kind === "implicit_gemm") return implicitGemmDefaultKnobs(filtersPerGroup);
  if (kind === "gemm") return pointwiseGemmDefaultKnobs(attrs.outChannels);
  // A block of output channels must stay inside one group (they then share every input load), so
  // depthwise-like convs get one channel per invocation.
  const channels = [8, 4, 2, 1].find((block) => filtersPerGroup % block === 0)!;
  return { kind, outputChannelsPerInvocation: channels, pixelsPerInvocation: 8, workgroupSize: 64 };
}

/**
 * The default rule. im2col + GEMM wins when the reduction (C/groups * KH * KW) is long enough for the
 * GEMM's register tile to pay for writing and re-reading the column matrix, and there are enough
 * filters per group to fill a tile; grouped/depthwise and tiny reductions run direct.
 */
export function defaultConvScheduleKind(attrs: ConvAttrs, reductionLength: number): ConvScheduleKind {
  const filtersPerGroup = attrs.outChannels / attrs.groups;
  return reductionLength >= 16 && filtersPerGroup >= 8 ? "im2col" : "direct";
}

export function defaultConvSchedule(node: Node, attrs: ConvAttrs): ConvSchedule {
  return convScheduleOfKind(attrs, defaultConvScheduleKind(attrs, convReductionLength(node, attrs)));
}

export function defaultFcSchedule(): FcSchedule {
  return fcGemmDefaultKnobs();
}

/** The default schedule of a conv or fc node (other ops have none: internal error). */
export function defaultSchedule(node: Node): Schedule {
  const attrs = node.attrs;
  if (attrs.op === "conv") return defaultConvSchedule(node, attrs);
  if (attrs.op === "fc") return defaultFcSchedule();
  throw new Error(`internal: ${node.name} (${attrs.op}) has no kernel schedule`);
}

/** C/groups * KH * KW: the length of each output's dot product. */
export function convReductionLength(node: Node, attrs: ConvAttrs): number {
  const weight = node.params.find((param) => param.name === "weight");
  if (weight === undefined) throw new Error(`internal: conv ${node.name} has no weight parameter`);
  const channelsPerGroup = weight.shape[1];
  if (channelsPerGroup === undefined) throw new Error(`internal: conv ${node.name} weight has no input-channel axis`);
  return channelsPerGroup * attrs.kernel[0] * attrs.kernel[1];
}

/** The node's conv schedule, validated; the default rule when the node has none. */
export function convScheduleOf(node: Node, attrs: ConvAttrs): ConvSchedule {
  const schedule = node.schedule;
  if (schedule === undefined) return defaultConvSchedule(node, attrs);
  if (schedule.kind === "direct") {
    return {
      kind: "direct",
      outputChannelsPerInvocation: positiveKnob(node, schedule, "outputChannelsPerInvocation", 16),
      pixelsPerInvocation: positiveKnob(node, schedule, "pixelsPerInvocation", 16),
      workgroupSize: positiveKnob(node, schedule, "workgroupSize", MAX_INVOCATIONS_PER_WORKGROUP),
    };
  }
  const what = `conv ${node.name}`;
  if (schedule.kind === "im2col") return im2colScheduleOf(schedule, what);
  if (schedule.kind === "implicit_gemm") return implicitGemmScheduleOf(schedule, what);
  if (schedule.kind === "gemm") return gemmScheduleOf(schedule, what);
  throw new Error(`internal: ${node.name}: unknown conv schedule kind "${schedule.kind}"`);
}

/** The node's fc schedule, validated; the default when the node has none. */
export function fcScheduleOf(node: Node): FcSchedule {
  const schedule = node.schedule;
  if (schedule === undefined) return defaultFcSchedule();
  if (schedule.kind !== "gemm") throw new Error(`internal: ${node.name}: unknown fc schedule kind "${schedule.kind}"`);
  return gemmScheduleOf(schedule, `fc ${node.name}`);
}

/** Schedule knobs unroll into registers, so each is bounded to keep the generated code sane. */
function positiveKnob(node: Node, schedule: Schedule, knob: string, max: number): number {
  const value = schedule[knob];
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > max) {
    throw new Error(
      `internal: ${node.name}: schedule "${schedule.kind}" needs ${knob} to be an integer in 1..${max}, got ${String(value)}`,
    );
  }
  return value;
}

/** Human-readable schedule for kernel header comments. */
export function describeSchedule(schedule: ConvSchedule | FcSchedule): string {
  return Object.entries(schedule)
    .map(([key, value]) => (key === "kind" ? String(value) : `${key}=${String(value)}`))
    .join(" ");
}
