// `--schedule direct|im2col|LAYER=KIND,...`: choose the conv schedule for every conv layer, for named
// layers, or both (`im2col,stem=direct`: im2col everywhere except the layer `stem`). The choice is
// written into each conv node's `schedule` (data on the IR, read by the conv generator); layers not
// mentioned keep what the scheduling pass chose.
import { closestMatch } from "../../grammar/diagnostics.js";
import { CONV_SCHEDULE_KINDS, convScheduleOfKind, isConvScheduleKind, type ConvScheduleKind } from "../codegen/schedule.js";
import { CnncUserError } from "../errors.js";
import type { Graph, Node } from "../ir/graph.js";

export const SCHEDULE_OPTION_HELP = `conv schedule: ${CONV_SCHEDULE_KINDS.join(" or ")} for all conv layers, and/or LAYER=KIND,... per layer`;

export interface ScheduleChoice {
  all?: ConvScheduleKind;
  byLayer: Map<string, ConvScheduleKind>;
}

function kindOf(word: string, context: string): ConvScheduleKind {
  if (isConvScheduleKind(word)) return word;
  const suggestion = closestMatch(word, CONV_SCHEDULE_KINDS);
  throw new CnncUserError(`unknown conv schedule \`${word}\`${context}`, {
    hint: `${suggestion === undefined ? "" : `did you mean \`${suggestion}\`? `}schedules are ${CONV_SCHEDULE_KINDS.map((kind) => `\`${kind}\``).join(", ")}`,
  });
}

/** Parses the option text against the graph's conv layers (unknown and non-conv layers are errors). */
export function parseScheduleOption(graph: Graph, text: string): ScheduleChoice {
  const convNames = graph.nodes.filter((node) => node.attrs.op === "conv").map((node) => node.name);
  const choice: ScheduleChoice = { byLayer: new Map() };
  for (const rawPart of text.split(",")) {
    const part = rawPart.trim();
    if (part === "") throw new CnncUserError(`--schedule \`${text}\` has an empty entry`, { hint: "e.g. --schedule im2col,conv1=direct" });
    const equals = part.lastIndexOf("=");
    if (equals < 0) {
      if (choice.all !== undefined) throw new CnncUserError(`--schedule names a schedule for all layers twice`);
      choice.all = kindOf(part, "");
      continue;
    }
    const layer = part.slice(0, equals).trim();
    const kind = kindOf(part.slice(equals + 1).trim(), ` for layer ${layer}`);
    const node = graph.nodes.find((candidate) => candidate.name === layer);
    if (node === undefined || node.attrs.op !== "conv") {
      const suggestion = closestMatch(layer, convNames);
      throw new CnncUserError(
        node === undefined ? `--schedule: the network has no layer \`${layer}\`` : `--schedule: layer \`${layer}\` is a ${node.attrs.op}, not a conv`,
        {
          hint:
            (suggestion === undefined ? "" : `did you mean \`${suggestion}\`? `) +
            (convNames.length === 0 ? "the network has no conv layers" : `conv layers: ${convNames.join(", ")}`),
        },
      );
    }
    choice.byLayer.set(layer, kind);
  }
  return choice;
}

/** A copy of `graph` with the chosen schedules on its conv nodes (default knobs of each kind). */
export function applyScheduleOption(graph: Graph, text: string): Graph {
  const choice = parseScheduleOption(graph, text);
  const nodes = graph.nodes.map((node): Node => {
    const attrs = node.attrs;
    if (attrs.op !== "conv") return node;
    const kind = choice.byLayer.get(node.name) ?? choice.all;
    return kind === undefined ? node : { ...node, schedule: convScheduleOfKind(node, attrs, kind) };
  });
  return { ...graph, nodes };
}
