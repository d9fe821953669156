// choose-schedules: how each kernel that a schedule kind computes (conv and fc anchors, the backward
// convolutions and matrix products of training) is computed, as data on the kernel node, with its
// workload and the reason `cnnc explain` prints. In order: an exact schedule asked for by a caller
// (the tuner, calibration, benches), a kind forced on the layer (`--schedule` or the layer's
// annotation; an illegal one is a user error naming the layer and the legal kinds), a tuned schedule
// from the cache, else the default choice. Batch- and target-aware: the workload includes the batch,
// and legality the target's limits.
import { CnncUserError } from "../errors.js";
import { paramFullName, type Node, type Schedule } from "../ir/graph.js";
import type { DerivedParam, KernelGraph, KernelNode } from "../kernels/kernelGraph.js";
import { winogradFilterName } from "../schedule/kinds/winograd.js";
import { modelChoice } from "../schedule/costModel.js";
import { scheduleText } from "../schedule/candidates.js";
import { pooledWindowCells } from "../schedule/pooledText.js";
import { kindsForWorkload, scheduleKind } from "../schedule/registry.js";
import { workloadKey, type ScheduleKindDefinition, type Target, type Workload } from "../schedule/types.js";
import { workloadOfKernel } from "../schedule/workloadOf.js";
import type { KernelPass } from "./kernelPass.js";
import { forcedKind, forcesOp, type ForcedKind, type ScheduleConvsOptions } from "./scheduleOptions.js";

export interface ScheduleRequests {
  /** `--schedule`: kinds forced for all layers and/or per layer. */
  forced?: ScheduleConvsOptions;
  /** Exact schedules by layer name (the tuner, calibration, benches): applied to the layer's kernels whose op the kind computes. */
  exact?: Readonly<Record<string, Schedule>>;
  /** A tuned schedule for a workload key (the tuning cache), or undefined. */
  tuned?: (workloadKey: string) => Schedule | undefined;
}

export interface ChooseSchedulesOptions {
  batch: number;
  target: Target;
  /** False when the weights change on the device (a training step, an evaluation plan deriving parameters on the device). */
  constantWeights: boolean;
  requests?: ScheduleRequests;
}

export function chooseSchedules(graph: KernelGraph, options: ChooseSchedulesOptions): KernelGraph {
  const derived = [...graph.derived];
  const kernels = graph.kernels.map((kernel): KernelNode => {
    const workload = workloadOfKernel(graph, kernel, options.batch, options.constantWeights);
    if (workload === undefined) return kernel;
    const node = graph.source.nodes[kernel.anchorLayer]!;
    const chosen = chooseForKernel(node, kernel, workload, options);
    if (chosen === undefined) return { ...kernel, workload };
    // A winograd conv reads its transformed filters, derived from the weight when the weights are
    // uploaded: recorded here, where the schedule is decided, so the plan lists it.
    if (chosen.schedule.kind === "winograd") addWinogradFilter(node, derived);
    return { ...kernel, workload, schedule: chosen.schedule, scheduleReason: chosen.reason };
  });
  return { ...graph, kernels, derived };
}

function addWinogradFilter(node: Node, derived: DerivedParam[]): void {
  const name = winogradFilterName(node.name);
  if (derived.some((each) => each.name === name)) return;
  const weight = node.params.find((param) => param.name === "weight");
  const channelsPerGroup = weight?.shape[1];
  if (node.attrs.op !== "conv" || weight === undefined || channelsPerGroup === undefined) throw new Error(`internal: winograd conv ${node.name} has no [K, C/groups, 3, 3] weight`);
  const filters = node.attrs.outChannels;
  derived.push({
    name,
    transform: "winograd_filter",
    variant: "f2x2_3x3",
    layer: node.id,
    from: { weight: paramFullName(node, weight) },
    filters,
    channelsPerGroup,
    elements: filters * channelsPerGroup * 16,
  });
}

export function chooseSchedulesPass(options: ChooseSchedulesOptions): KernelPass {
  return { name: "choose-schedules", run: (graph) => chooseSchedules(graph, options) };
}

interface Choice {
  schedule: Schedule;
  reason: string;
}

function chooseForKernel(node: Node, kernel: KernelNode, workload: Workload, options: ChooseSchedulesOptions): Choice | undefined {
  const { target } = options;
  const requests = options.requests ?? {};
  // A forward anchor is the layer's own kernel: a kind asked for it must compute it. A training
  // kernel of the layer (its backward) takes the kind only where the kind computes its op.
  const isAnchor = kernel.anchor === "conv" || kernel.anchor === "fc";
  const exact = requests.exact?.[node.name];
  if (exact !== undefined) {
    const definition = scheduleKind(exact.kind);
    if (definition === undefined) throw new Error(`internal: exact schedule for ${node.name} has an unknown kind "${exact.kind}"`);
    if (definition.ops.includes(workload.op)) return exactChoice(node, definition, workload, target, exact);
    if (isAnchor) throw new Error(`internal: exact schedule ${exact.kind} for ${node.name} cannot compute a ${workload.op}`);
  }
  const forced = forcedKind(requests.forced ?? {}, node);
  if (forced !== undefined) {
    const definition = scheduleKind(forced.kind)!;
    if (forcesOp(forced, workload.op)) return forcedChoice(node, definition, workload, target, forced);
    if (isAnchor && !forced.forAll) throw illegalForced(node, workload, target, forced, `${forced.kind} computes ${definition.ops.join(", ")}, not ${workload.op}`);
  }
  const key = workloadKey(workload);
  const tuned = requests.tuned?.(key);
  if (tuned !== undefined) {
    const definition = scheduleKind(tuned.kind);
    // A cache entry from another cnnc version may no longer fit: it is skipped, not trusted.
    if (definition?.ops.includes(workload.op) === true && definition.illegal(workload, target) === undefined && definition.illegalKnobs(workload, target, tuned) === undefined) {
      return { schedule: tuned, reason: `${tuned.kind}: tuned on this adapter (the fastest measured)` };
    }
  }
  return defaultChoice(node, workload, target);
}

function exactChoice(node: Node, definition: ScheduleKindDefinition, workload: Workload, target: Target, schedule: Schedule): Choice {
  const problem = definition.illegal(workload, target) ?? definition.illegalKnobs(workload, target, schedule);
  if (problem !== undefined) throw new Error(`internal: the exact schedule requested for ${node.name} cannot run: ${problem}`);
  return { schedule, reason: `${schedule.kind}: an exact schedule was requested` };
}

function forcedChoice(node: Node, definition: ScheduleKindDefinition, workload: Workload, target: Target, forced: ForcedKind): Choice {
  const illegal = definition.illegal(workload, target);
  if (illegal !== undefined) throw illegalForced(node, workload, target, forced, illegal);
  return { schedule: definition.defaultSchedule(workload, target), reason: `${forced.kind}: asked for with ${forced.source}` };
}

function illegalForced(node: Node, workload: Workload, target: Target, forced: ForcedKind, why: string): CnncUserError {
  const legal = kindsForWorkload(workload, target)
    .filter((entry) => entry.illegal === undefined)
    .map((entry) => `\`${entry.definition.kind}\``);
  return new CnncUserError(`layer \`${node.name}\` cannot run as \`${forced.kind}\` (asked for with ${forced.source}): ${why}`, {
    ...(forced.location === undefined ? {} : { location: forced.location }),
    hint: legal.length === 0 ? `no schedule kind can run \`${node.name}\` here` : `schedules legal for \`${node.name}\`: ${legal.join(", ")}`,
  });
}

/**
 * Nothing forced or tuned: a workload only one kind can compute gets that kind's default knobs; among
 * several, the cost model's cheapest candidate (src/schedule/costModel.ts, calibrated on the adapter).
 * No legal kind at all (a target too small for every kind) is a user error naming the layer.
 */
function defaultChoice(node: Node, workload: Workload, target: Target): Choice {
  const kinds = kindsForWorkload(workload, target);
  const legal = kinds.filter((entry) => entry.illegal === undefined);
  const what = workload.op === "conv" || workload.op === "fc" ? workload.op : workload.op.replaceAll("_", " ");
  if (legal.length === 0) {
    throw new CnncUserError(`layer \`${node.name}\`: no schedule kind can compute its ${what} on ${target.description}`, {
      hint: kinds.length === 0 ? `no schedule kind computes a ${what}` : kinds.map((entry) => `${entry.definition.kind}: ${entry.illegal ?? ""}`).join("; "),
    });
  }
  if (legal.length === 1) {
    const definition = legal[0]!.definition;
    const schedule = definition.defaultSchedule(workload, target);
    const problem = definition.illegalKnobs(workload, target, schedule);
    if (problem !== undefined) {
      throw new CnncUserError(`layer \`${node.name}\`: the default ${definition.kind} schedule of its ${what} cannot run on ${target.description}: ${problem}`, {
        hint: "use a smaller batch, or an adapter with larger limits",
      });
    }
    if (workload.op === "conv" && workload.pooled !== "") {
      const block = `${String(schedule["outputChannelsPerInvocation"])} channels x ${String(schedule["pixelsPerInvocation"])} pooled pixels of ${pooledWindowCells(workload.pooled)} conv pixels each per invocation`;
      return { schedule, reason: `${definition.kind}: it computes a pooled output, which only the direct kernel does (${block})` };
    }
    return { schedule, reason: `${definition.kind}: the only schedule kind that computes this ${what}` };
  }
  const choice = modelChoice(workload, target);
  const others = choice.candidates
    .filter((candidate) => candidate.schedule.kind !== choice.schedule.kind)
    .sort((a, b) => a.estimate.seconds - b.estimate.seconds)[0];
  const runnerUp = others === undefined ? "" : `; next kind ${scheduleText(others.schedule)} ${formatMs(others.estimate.seconds)}`;
  return {
    schedule: choice.schedule,
    reason: `${choice.schedule.kind}: the cost model's pick of ${choice.candidates.length} legal kinds at their default knobs (${scheduleText(choice.schedule)}, estimated ${formatMs(choice.estimate.seconds)}${runnerUp})`,
  };
}

function formatMs(seconds: number): string {
  const ms = seconds * 1000;
  return `${ms >= 10 ? ms.toFixed(1) : ms.toPrecision(2)} ms`;
}
