// The one place the benchmark suite asks the compiler about schedules: which schedules to measure for
// a conv layer, which one the compiler picks by itself (the model's pick), which one the tuner picks,
// and the build options that run a whole network as tuned. Everything else in bench/suite/ goes
// through these functions, so that moving the suite onto the schedule framework (candidateSchedules,
// modelChoice, the tuner's cache) is a change to this file only.
//
// Today (before the framework): the candidates are the `--schedule` kinds of src/codegen/schedule.ts
// (CONV_SCHEDULE_KINDS), each forced on the layer through BuildPlanOptions.schedule; the model's pick
// is what compilePlan's default rule sets on the layer's kernel; there is no tuner, so the "tuner's
// pick" is a stand-in, the fastest candidate measured by this very suite, and it says so in its label.
import { CONV_SCHEDULE_KINDS } from "../../src/codegen/schedule.js";
import type { Graph } from "../../src/ir/graph.js";
import { compilePlan, type BuildPlanOptions } from "../../src/pipeline.js";

/** One schedule to measure for a layer: a label for the tables and the build options that force it. */
export interface ScheduleCandidate {
  /** What the tables print: the kind, with its knobs when a kind has several candidates. */
  label: string;
  kind: string;
  schedule: NonNullable<BuildPlanOptions["schedule"]>;
}

export interface SchedulePick {
  /** A candidate's label, or a kind the candidates do not list (then it was not measured). */
  label: string;
  /** Why, as the compiler (or the stand-in) says it. */
  reason: string;
}

/** Where the tuner's pick comes from, printed next to every tuned figure. */
export const TUNER_SOURCE = "stand-in: no tuner in this build; the fastest kind this suite measured";

/** The schedules worth measuring for `layer` of `graph` at `batch` (every legal one). */
export function candidateSchedulesFor(graph: Graph, layer: string, batch: number): ScheduleCandidate[] {
  void batch; // Today's kinds are legal for every conv at every batch; the framework's legality depends on the workload.
  if (!graph.nodes.some((node) => node.name === layer && node.attrs.op === "conv")) throw new Error(`internal: ${graph.name} has no conv layer ${layer}`);
  return CONV_SCHEDULE_KINDS.map((kind) => ({ label: kind, kind, schedule: { layers: { [layer]: kind } } }));
}

/** The schedule the compiler chooses for `layer` by itself, and its reason (choose-schedules' scheduleReason). */
export function modelPick(graph: Graph, layer: string, batch: number, options: Pick<BuildPlanOptions, "maxStorageBindings"> = {}): SchedulePick {
  const { kernels } = compilePlan(graph, batch, options);
  const kernel = kernels.kernels.find((candidate) => graph.nodes[candidate.anchorLayer]?.name === layer);
  if (kernel?.schedule === undefined) throw new Error(`internal: no scheduled kernel computes ${layer}`);
  return { label: kernel.schedule.kind, reason: kernel.scheduleReason ?? "" };
}

/** The tuner's pick among measured candidates (label -> median ms); today the stand-in: the fastest. */
export function tunerPick(measuredMedianMs: ReadonlyMap<string, number>): SchedulePick {
  let best: [string, number] | undefined;
  for (const entry of measuredMedianMs) if (best === undefined || entry[1] < best[1]) best = entry;
  if (best === undefined) throw new Error("internal: a tuner pick among no measured schedules");
  return { label: best[0], reason: TUNER_SOURCE };
}

/** What the whole-network table says for the tuned configuration while tunedNetworkSchedule has none. */
export const NO_TUNED_NETWORK = "not measured: no tuner in this build";

/**
 * The build options that run a whole network as `cnnc build --tune` would, or undefined where there is
 * no tuner (the suite then reports the tuned configuration as not measured, never as the default's).
 */
export function tunedNetworkSchedule(graph: Graph): BuildPlanOptions["schedule"] | undefined {
  void graph;
  return undefined;
}
