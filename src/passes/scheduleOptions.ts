// The schedule options (`--schedule`): one conv schedule kind for all conv layers and/or per layer,
// and their check against a network, as error values naming unknown layers, non-conv layers and
// unknown kinds with suggestions. The choose-schedules kernel pass applies them.
import { closestMatch } from "../../grammar/diagnostics.js";
import { CONV_SCHEDULE_KINDS, isConvScheduleKind } from "../codegen/schedule.js";
import type { Graph } from "../ir/graph.js";

export interface ScheduleConvsOptions {
  /** Schedule of every conv layer not named in `layers`: `auto` (the default rule, the default) or a kind. */
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

const KINDS_TEXT = CONV_SCHEDULE_KINDS.map((kind) => `\`${kind}\``).join(", ");

/** Every problem with `options` for `graph`: unknown layers, non-conv layers, unknown kinds (empty: fine). */
export function checkScheduleOptions(graph: Graph, options: ScheduleConvsOptions = {}): ScheduleOptionError[] {
  const errors: ScheduleOptionError[] = [];
  const all = options.all ?? "auto";
  if (all !== "auto" && !isConvScheduleKind(all)) errors.push(unknownKind(all, "for all conv layers", true));
  const convNames = graph.nodes.filter((node) => node.attrs.op === "conv").map((node) => node.name);
  const byName = new Map(graph.nodes.map((node) => [node.name, node]));
  for (const [layer, kind] of Object.entries(options.layers ?? {})) {
    const node = byName.get(layer);
    if (node === undefined || node.attrs.op !== "conv") {
      const suggestion = closestMatch(layer, convNames);
      errors.push({
        message:
          node === undefined
            ? `the network has no layer \`${layer}\``
            : `layer \`${layer}\` is a ${node.attrs.op} layer; only conv layers have a schedule choice`,
        hint:
          (suggestion === undefined ? "" : `did you mean \`${suggestion}\`? `) +
          (convNames.length === 0 ? "the network has no conv layers" : `conv layers: ${convNames.join(", ")}`),
      });
    } else if (!isConvScheduleKind(kind)) {
      errors.push(unknownKind(kind, `for layer \`${layer}\``, false));
    }
  }
  return errors;
}

function unknownKind(kind: string, where: string, allowAuto: boolean): ScheduleOptionError {
  const choices = allowAuto ? ["auto", ...CONV_SCHEDULE_KINDS] : [...CONV_SCHEDULE_KINDS];
  const suggestion = closestMatch(kind, choices);
  return {
    message: `unknown conv schedule \`${kind}\` ${where}`,
    hint: `${suggestion === undefined ? "" : `did you mean \`${suggestion}\`? `}schedules are ${allowAuto ? "`auto`, " : ""}${KINDS_TEXT}`,
  };
}
