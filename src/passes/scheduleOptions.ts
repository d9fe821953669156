// The schedule options (`--schedule`): one schedule kind for all scheduled layers and/or per layer,
// their check against a network (error values naming unknown layers, unscheduled layers and unknown
// kinds, with suggestions), and the kind forced on a layer by them or by the layer's annotation in
// the `.cnn` file. The choose-schedules kernel pass applies them.
import { closestMatch } from "../../grammar/diagnostics.js";
import { formatLocation } from "../elaborate/reporter.js";
import { CnncUserError } from "../errors.js";
import type { Graph, Node } from "../ir/graph.js";
import { SCHEDULE_KINDS, scheduleKind } from "../schedule/registry.js";
import type { Workload } from "../schedule/types.js";

export interface ScheduleConvsOptions {
  /** Schedule of every layer not named in `layers` whose op the kind computes: `auto` (the default choice, the default) or a kind. */
  all?: string;
  /** Per-layer choice, by layer name: `{ "stem": "direct" }`. */
  layers?: Readonly<Record<string, string>>;
}

export interface ScheduleOptionError {
  /** What is wrong, e.g. "the network has no layer `conv7`". */
  message: string;
  /** How to fix it: the closest layer name, the valid kinds. */
  hint: string;
}

/** The layer ops whose kernels have a schedule choice. */
const SCHEDULED_OPS: readonly string[] = ["conv", "fc"];

const kindNames = (): string[] => SCHEDULE_KINDS.map((definition) => definition.kind);
const kindsText = (names: readonly string[]): string => names.map((kind) => `\`${kind}\``).join(", ");

/** Every problem with `options` for `graph`: unknown layers, unscheduled layers, unknown kinds (empty: fine). */
export function checkScheduleOptions(graph: Graph, options: ScheduleConvsOptions = {}): ScheduleOptionError[] {
  const errors: ScheduleOptionError[] = [];
  const all = options.all ?? "auto";
  if (all !== "auto" && scheduleKind(all) === undefined) errors.push(unknownKind(all, "for all layers", true));
  const scheduledNames = graph.nodes.filter((node) => SCHEDULED_OPS.includes(node.attrs.op)).map((node) => node.name);
  const byName = new Map(graph.nodes.map((node) => [node.name, node]));
  for (const [layer, kind] of Object.entries(options.layers ?? {})) {
    const node = byName.get(layer);
    if (node === undefined || !SCHEDULED_OPS.includes(node.attrs.op)) {
      const suggestion = closestMatch(layer, scheduledNames);
      errors.push({
        message:
          node === undefined
            ? `the network has no layer \`${layer}\``
            : `layer \`${layer}\` is a ${node.attrs.op} layer; only conv and fc layers have a schedule choice`,
        hint:
          (suggestion === undefined ? "" : `did you mean \`${suggestion}\`? `) +
          (scheduledNames.length === 0 ? "the network has no conv or fc layers" : `conv and fc layers: ${scheduledNames.join(", ")}`),
      });
    } else if (scheduleKind(kind) === undefined) {
      errors.push(unknownKind(kind, `for layer \`${layer}\``, false));
    }
  }
  return errors;
}

function unknownKind(kind: string, where: string, allowAuto: boolean): ScheduleOptionError {
  const choices = allowAuto ? ["auto", ...kindNames()] : kindNames();
  const suggestion = closestMatch(kind, choices);
  return {
    message: `unknown schedule \`${kind}\` ${where}`,
    hint: `${suggestion === undefined ? "" : `did you mean \`${suggestion}\`? `}schedules are ${allowAuto ? "`auto`, " : ""}${kindsText(kindNames())}`,
  };
}

/** A kind forced on a layer, and by what (for messages and `cnnc explain`). */
export interface ForcedKind {
  kind: string;
  /** `--schedule` or `the annotation at FILE:LINE:COL`. */
  source: string;
  /** Where the annotation is, for the error's location; undefined for the command line. */
  location: string | undefined;
  /** Whether it came from `--schedule KIND` for all layers (then it applies only to kernels whose op the kind computes). */
  forAll: boolean;
}

/**
 * The kind forced on `node`: its own `--schedule LAYER=KIND`, else its annotation in the `.cnn` file,
 * else `--schedule KIND` for all layers; undefined for none. An annotation naming an unknown kind is
 * a user error at the annotation (the options are checked by checkScheduleOptions before).
 */
export function forcedKind(options: ScheduleConvsOptions, node: Node): ForcedKind | undefined {
  const own = options.layers?.[node.name];
  if (own !== undefined) return { kind: known(own, node), source: "--schedule", location: undefined, forAll: false };
  const annotation = node.scheduleAnnotation;
  if (annotation !== undefined) {
    const location = formatLocation(annotation.span);
    if (scheduleKind(annotation.kind) === undefined) {
      const suggestion = closestMatch(annotation.kind, kindNames());
      throw new CnncUserError(`layer \`${node.name}\` is annotated with an unknown schedule \`${annotation.kind}\``, {
        location,
        hint: `${suggestion === undefined ? "" : `did you mean \`${suggestion}\`? `}schedules are ${kindsText(kindNames())}`,
      });
    }
    return { kind: annotation.kind, source: `the annotation at ${location}`, location, forAll: false };
  }
  const all = options.all;
  if (all === undefined || all === "auto") return undefined;
  return { kind: known(all, node), source: "--schedule", location: undefined, forAll: true };
}

/**
 * Whether `forced` decides the schedule of a kernel computing `op`: only where its kind computes that
 * op (a kind forced for all layers leaves the others to tuning or the default; choose-schedules refuses
 * a layer's own kind that cannot compute its anchor).
 */
export function forcesOp(forced: ForcedKind, op: Workload["op"]): boolean {
  const definition = scheduleKind(forced.kind);
  if (definition === undefined) throw new Error(`internal: forced schedule kind ${forced.kind} is not in the registry`);
  return definition.ops.includes(op);
}

function known(kind: string, node: Node): string {
  if (scheduleKind(kind) === undefined) throw new Error(`internal: schedule options were not validated (${node.name}=${kind})`);
  return kind;
}
