// The scheduling pass: attaches `node.schedule` to every conv and fc node, so codegen reads the choice
// from the IR. Conv layers get the default rule's schedule (src/codegen/schedule.ts) unless the user
// picked one kind for all conv layers and/or per layer; fc layers get the GEMM schedule. Pure: returns
// a new graph, or error values for overrides naming unknown layers, non-conv layers or unknown kinds.
import { closestMatch } from "../../grammar/diagnostics.js";
import {
  CONV_SCHEDULE_KINDS,
  convScheduleOfKind,
  defaultConvSchedule,
  defaultFcSchedule,
  isConvScheduleKind,
  type ConvScheduleKind,
} from "../codegen/schedule.js";
import type { Graph, Node } from "../ir/graph.js";
import type { Pass } from "./pass.js";

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

export type ScheduleConvsResult = { ok: true; graph: Graph } | { ok: false; errors: ScheduleOptionError[] };

const KINDS_TEXT = CONV_SCHEDULE_KINDS.map((kind) => `\`${kind}\``).join(", ");

export function scheduleConvs(graph: Graph, options: ScheduleConvsOptions = {}): ScheduleConvsResult {
  const errors: ScheduleOptionError[] = [];
  const all = options.all ?? "auto";
  if (all !== "auto" && !isConvScheduleKind(all)) errors.push(unknownKind(all, "for all conv layers", true));

  const convNames = graph.nodes.filter((node) => node.attrs.op === "conv").map((node) => node.name);
  const byLayer = new Map<string, ConvScheduleKind>();
  for (const [layer, kind] of Object.entries(options.layers ?? {})) {
    const node = graph.nodes.find((candidate) => candidate.name === layer);
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
    } else {
      byLayer.set(layer, kind);
    }
  }
  if (errors.length > 0) return { ok: false, errors };

  const nodes = graph.nodes.map((node): Node => {
    const attrs = node.attrs;
    if (attrs.op === "fc") return { ...node, schedule: defaultFcSchedule() };
    if (attrs.op !== "conv") return node;
    const kind = byLayer.get(node.name) ?? (all === "auto" ? undefined : (all as ConvScheduleKind));
    const schedule = kind === undefined ? defaultConvSchedule(node, attrs) : convScheduleOfKind(attrs, kind);
    return { ...node, schedule };
  });
  return { ok: true, graph: { ...graph, nodes } };
}

/** The pass with the default rule everywhere (it cannot fail). */
export const scheduleConvsPass: Pass = {
  name: "schedule-convs",
  run(graph: Graph): Graph {
    const result = scheduleConvs(graph);
    if (!result.ok) throw new Error(`internal: default scheduling failed: ${result.errors[0]!.message}`);
    return result.graph;
  },
};

function unknownKind(kind: string, where: string, allowAuto: boolean): ScheduleOptionError {
  const choices = allowAuto ? ["auto", ...CONV_SCHEDULE_KINDS] : [...CONV_SCHEDULE_KINDS];
  const suggestion = closestMatch(kind, choices);
  return {
    message: `unknown conv schedule \`${kind}\` ${where}`,
    hint: `${suggestion === undefined ? "" : `did you mean \`${suggestion}\`? `}schedules are ${allowAuto ? "`auto`, " : ""}${KINDS_TEXT}`,
  };
}
