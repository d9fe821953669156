// The vocabulary of scheduling, shared by choose-schedules, the cost model, the tuner and the
// generators: a target (the adapter and its limits), a workload (what one kernel computes, with a
// stable key), and schedule kinds (knob spaces with a legality rule and a default). A schedule on a
// kernel node is plain data (`Schedule` in src/ir/graph.ts: a kind and its knobs); each kind's typed
// form lives in its file under src/schedule/kinds/, apart from the generator that reads it.
import type { PaddingMode, Schedule } from "../ir/graph.js";

/** The limits of an adapter that decide whether a schedule can run there. */
export interface TargetLimits {
  maxStorageBuffersPerShaderStage: number;
  maxComputeInvocationsPerWorkgroup: number;
  maxComputeWorkgroupSizeX: number;
  maxComputeWorkgroupsPerDimension: number;
  maxComputeWorkgroupStorageSize: number;
  maxStorageBufferBindingSize: number;
}

/** Where kernels run: read from the device (runtime/target.ts), or the portable minimum for a build without one. */
export interface Target {
  /**
   * The adapter's identity, the tuning cache's key: vendor, architecture, device, description, backend
   * and feature level joined, e.g. `mesa|llvmpipe||llvmpipe (LLVM 15.0.6, 256 bits)|opengles|compatibility`.
   */
  adapter: string;
  /** For people: `OpenGL ES on llvmpipe ..., compatibility mode`. */
  description: string;
  limits: TargetLimits;
  /** Whether the device can time kernels with timestamp queries (else the tuner times submissions). */
  timestampQuery: boolean;
}

/**
 * WebGPU's guaranteed minimum limits (the spec's defaults): what a plan built without a device may
 * assume. Every adapter grants at least these.
 */
export const PORTABLE_TARGET: Target = {
  adapter: "portable",
  description: "any WebGPU adapter (the limits every adapter grants)",
  limits: {
    maxStorageBuffersPerShaderStage: 8,
    maxComputeInvocationsPerWorkgroup: 256,
    maxComputeWorkgroupSizeX: 256,
    maxComputeWorkgroupsPerDimension: 65535,
    maxComputeWorkgroupStorageSize: 16384,
    maxStorageBufferBindingSize: 128 * 1024 * 1024,
  },
  timestampQuery: false,
};

/** The sizes of one convolution, batch included (a 1-D conv has H = OH = KH = 1). */
export interface ConvShape {
  batch: number;
  C: number;
  H: number;
  W: number;
  K: number;
  OH: number;
  OW: number;
  KH: number;
  KW: number;
  groups: number;
  stride: [number, number];
  dilation: [number, number];
  padding: { top: number; bottom: number; left: number; right: number };
  paddingMode: PaddingMode;
}

/**
 * What one scheduled kernel computes, independent of layer names: the anchor, its shapes (batch
 * included), its attributes and the signature of its epilogue (`bias+relu`, `scale_shift+add+relu`,
 * empty for none). Two kernels with equal workloads can share a tuned schedule.
 */
export type Workload =
  | {
      op: "conv";
      conv: ConvShape;
      epilogue: string;
      /** The pool the kernel computes instead of the conv's output (conv + pool fusion), e.g. `max 2x2/2`; "" for none. */
      pooled: string;
      /** `plain` or `channel_slice` (written into a concat's value). */
      store: string;
      /** False when the weights change on the device (a training step, or a plan deriving parameters on the device). */
      constantWeights: boolean;
    }
  | { op: "fc"; batch: number; inFeatures: number; outFeatures: number; epilogue: string; constantWeights: boolean }
  | { op: "conv_backward_data"; conv: ConvShape }
  | { op: "conv_backward_filter"; conv: ConvShape }
  | { op: "fc_backward_data"; batch: number; inFeatures: number; outFeatures: number }
  | { op: "fc_backward_weight"; batch: number; inFeatures: number; outFeatures: number };

export type WorkloadOp = Workload["op"];

/** A stable text key of a workload: its fields as JSON with the keys sorted at every level. */
export function workloadKey(workload: Workload): string {
  return canonicalJson(workload);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${canonicalJson(field)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export type KnobValue = number | boolean | string;

/** Each knob's candidate values, in the order a search tries them. */
export type KnobSpace = Readonly<Record<string, readonly KnobValue[]>>;

/**
 * One kind of schedule (direct, im2col, implicit_gemm, winograd, gemm, ...): which workloads it
 * computes, its knobs, when it is legal, and its default knobs. Pure data and functions; the
 * generator that reads it lives in src/codegen.
 */
export interface ScheduleKindDefinition {
  kind: string;
  /** The workload ops it can compute. */
  ops: readonly WorkloadOp[];
  /** One line for `cnnc explain` and help: what the kernel does. */
  summary: string;
  knobs: KnobSpace;
  /** Why this kind cannot compute `workload` on `target` at all (e.g. "winograd needs a 3x3 stride-1 conv"); undefined when it can. */
  illegal(workload: Workload, target: Target): string | undefined;
  /** Why these knobs cannot run `workload` on `target` (too many invocations, too much workgroup memory...); undefined when they can. */
  illegalKnobs(workload: Workload, target: Target, schedule: Schedule): string | undefined;
  /** The knobs this kind uses for `workload` when nothing better is known (always legal when the kind is). */
  defaultSchedule(workload: Workload, target: Target): Schedule;
}
