// choose-schedules: how each conv and fc kernel is computed, as data on the kernel node, with the
// reason `cnnc explain` prints. A conv computing a pooled output runs direct (only the direct kernel
// pools); otherwise `--schedule` (all convs and/or per layer) wins over the default rule.
import { CnncUserError } from "../errors.js";
import { pointwiseConvIllegal } from "../schedule/kinds/gemm.js";
import {
  CONV_SCHEDULE_KINDS,
  convReductionLength,
  convScheduleOfKind,
  defaultConvScheduleKind,
  defaultFcSchedule,
  isConvScheduleKind,
  type ConvScheduleKind,
} from "../codegen/schedule.js";
import type { KernelGraph, KernelNode } from "../kernels/kernelGraph.js";
import type { ScheduleConvsOptions } from "./scheduleOptions.js";
import type { KernelPass } from "./kernelPass.js";

/** The kind `options` asks for `layer` (its own entry, else the one for all convs), or undefined for the default rule. */
export function requestedConvSchedule(options: ScheduleConvsOptions, layer: string): ConvScheduleKind | undefined {
  const kind = options.layers?.[layer] ?? (options.all === undefined || options.all === "auto" ? undefined : options.all);
  if (kind === undefined) return undefined;
  if (!isConvScheduleKind(kind)) throw new Error(`internal: schedule options were not validated (${layer}=${kind})`);
  return kind;
}

export function chooseSchedules(graph: KernelGraph, options: ScheduleConvsOptions): KernelGraph {
  const kernels = graph.kernels.map((kernel): KernelNode => {
    const node = graph.source.nodes[kernel.anchorLayer]!;
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
      if (requested === "gemm") {
        const why = pointwiseConvIllegal({ KH: attrs.kernel[0], KW: attrs.kernel[1], stride: attrs.stride, padding: attrs.padding, groups: attrs.groups });
        if (why !== undefined) {
          throw new CnncUserError(`--schedule ${node.name}=gemm: ${why}`, {
            hint: `for ${node.name} use one of ${CONV_SCHEDULE_KINDS.filter((kind) => kind !== "gemm").join(", ")}`,
          });
        }
      }
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

export function chooseSchedulesPass(options: ScheduleConvsOptions): KernelPass {
  return { name: "choose-schedules", run: (graph) => chooseSchedules(graph, options) };
}
