// choose-schedules: how each conv and fc kernel is computed, as data on the kernel node, with the
// reason `cnnc explain` prints. A conv computing a pooled output runs direct (only the direct kernel
// pools); otherwise `--schedule` (all convs and/or per layer) wins over the default rule. A training
// step's backward GEMMs get their kind's default from the schedule registry (scheduleTrainingKernel).
import {
  convReductionLength,
  convScheduleOfKind,
  defaultConvScheduleKind,
  defaultFcSchedule,
  isConvScheduleKind,
  type ConvScheduleKind,
} from "../codegen/schedule.js";
import { CnncUserError } from "../errors.js";
import type { KernelGraph, KernelNode } from "../kernels/kernelGraph.js";
import { backwardWorkloadOf } from "../schedule/backwardWorkload.js";
import { kindsForWorkload } from "../schedule/registry.js";
import type { Target } from "../schedule/types.js";
import type { ScheduleConvsOptions } from "./scheduleOptions.js";
import type { KernelPass } from "./kernelPass.js";

/** The kind `options` asks for `layer` (its own entry, else the one for all convs), or undefined for the default rule. */
export function requestedConvSchedule(options: ScheduleConvsOptions, layer: string): ConvScheduleKind | undefined {
  const kind = options.layers?.[layer] ?? (options.all === undefined || options.all === "auto" ? undefined : options.all);
  if (kind === undefined) return undefined;
  if (!isConvScheduleKind(kind)) throw new Error(`internal: schedule options were not validated (${layer}=${kind})`);
  return kind;
}

/** What scheduling a training step's kernels needs: its batch and the target it runs on. */
export interface TrainingScheduleContext {
  batch: number;
  target: Target;
}

export function chooseSchedules(graph: KernelGraph, options: ScheduleConvsOptions, training?: TrainingScheduleContext): KernelGraph {
  const kernels = graph.kernels.map((kernel): KernelNode => {
    const node = graph.source.nodes[kernel.anchorLayer]!;
    if (kernel.anchor === "training") {
      if (backwardWorkloadOf(kernel, 1) === undefined) return kernel;
      if (training === undefined) throw new Error(`internal: ${node.name}: a training kernel is scheduled without the step's batch and target`);
      return scheduleTrainingKernel(kernel, training.batch, training.target, node.name);
    }
    const attrs = node.attrs;
    if (kernel.anchor === "fc") return { ...kernel, schedule: defaultFcSchedule(), scheduleReason: "the fc GEMM (the only fc schedule)" };
    if (kernel.anchor !== "conv" || attrs.op !== "conv") return kernel;
    const requested = requestedConvSchedule(options, node.name);
    if (kernel.pool !== undefined) {
      // fuse-conv-pool leaves a conv the user asked to run as im2col unfused, so this never overrides a request.
      const pool = graph.source.nodes[kernel.pool]!;
      const windowCells = pool.attrs.op === "pool" ? pool.attrs.window[0] * pool.attrs.window[1] : 1;
      const direct = convScheduleOfKind(attrs, "direct");
      if (direct.kind !== "direct") throw new Error("internal: convScheduleOfKind(direct) is not direct");
      // Each pooled pixel holds a whole window of conv pixels in the register block: keep an
      // invocation's conv pixels about what the plain direct kernel's block is, and for large windows
      // hold fewer channels, so the block stays within 1.5x the plain one's accumulators.
      const pixelsPerInvocation = Math.max(1, Math.floor(direct.pixelsPerInvocation / windowCells));
      const convPixels = pixelsPerInvocation * windowCells;
      const maxAccumulators = 1.5 * direct.outputChannelsPerInvocation * direct.pixelsPerInvocation;
      let outputChannelsPerInvocation = direct.outputChannelsPerInvocation;
      while (outputChannelsPerInvocation > 1 && outputChannelsPerInvocation * convPixels > maxAccumulators) outputChannelsPerInvocation /= 2;
      return {
        ...kernel,
        schedule: { ...direct, outputChannelsPerInvocation, pixelsPerInvocation },
        scheduleReason:
          `direct: it computes a pooled output, which only the direct kernel does ` +
          `(${outputChannelsPerInvocation} channels x ${pixelsPerInvocation} pooled pixels of ${windowCells} conv pixels each per invocation)`,
      };
    }
    if (requested !== undefined) {
      return { ...kernel, schedule: convScheduleOfKind(attrs, requested), scheduleReason: `${requested}: asked for with --schedule` };
    }
    const reduction = convReductionLength(node, attrs);
    const filters = attrs.outChannels / attrs.groups;
    const kind = defaultConvScheduleKind(attrs, reduction);
    const why =
      kind === "im2col"
        ? `im2col: default rule (a reduction of ${reduction} >= 16 and ${filters} filters per group >= 8 fill the GEMM's tile)`
        : `direct: default rule (${reduction < 16 ? `a reduction of ${reduction} < 16` : `${filters} filters per group < 8`} is too small for the GEMM's tile)`;
    return { ...kernel, schedule: convScheduleOfKind(attrs, kind), scheduleReason: why };
  });
  return { ...graph, kernels };
}

export function chooseSchedulesPass(options: ScheduleConvsOptions, training?: TrainingScheduleContext): KernelPass {
  return { name: "choose-schedules", run: (graph) => chooseSchedules(graph, options, training) };
}

/**
 * A training kernel with a backward workload (a conv's or fc layer's data or weight gradient) gets the
 * default knobs of the first registered kind that can run it on `target`; other kernels come back as
 * they are. Until the cost model and tuner choose among kinds, each backward op has one GEMM kind.
 */
export function scheduleTrainingKernel(kernel: KernelNode, batch: number, target: Target, layer: string): KernelNode {
  const workload = backwardWorkloadOf(kernel, batch);
  if (workload === undefined) return kernel;
  const kinds = kindsForWorkload(workload, target);
  if (kinds.length === 0) throw new Error(`internal: no schedule kind computes ${workload.op}`);
  const legal = kinds.find((candidate) => candidate.illegal === undefined);
  if (legal === undefined) {
    throw new CnncUserError(`${layer}: no schedule can compute its ${workload.op.replaceAll("_", " ")} on ${target.description}`, {
      hint: kinds.map(({ definition, illegal }) => `${definition.kind}: ${illegal}`).join("; "),
    });
  }
  const schedule = legal.definition.defaultSchedule(workload, target);
  const knobProblem = legal.definition.illegalKnobs(workload, target, schedule);
  if (knobProblem !== undefined) {
    throw new CnncUserError(`${layer}: the default ${legal.definition.kind} schedule of its ${workload.op.replaceAll("_", " ")} cannot run on ${target.description}: ${knobProblem}`, {
      hint: "train at a smaller batch, or on an adapter with larger limits",
    });
  }
  return { ...kernel, schedule, scheduleReason: `${legal.definition.kind}: the default (${legal.definition.summary})` };
}
