// `--schedule KIND|LAYER=KIND,...`: the command-line form of choose-schedules' forced kinds: one kind
// for every layer it can compute, per-layer kinds, or both (`im2col,stem=direct`: im2col everywhere
// except the layer `stem`). Kind names are checked here (any of the schedule kinds, or `auto` for all
// layers); which layers exist and whether a kind can compute a layer is the pass's check.
import { closestMatch } from "../../grammar/diagnostics.js";
import { CnncUserError } from "../errors.js";
import type { ScheduleConvsOptions } from "../passes/scheduleOptions.js";
import { isScheduleKindName, SCHEDULE_KIND_NAMES } from "../schedule/kindNames.js";

export const SCHEDULE_OPTION_HELP = `schedule: ${SCHEDULE_KIND_NAMES.join(", ")} (or auto) for all layers, and/or LAYER=KIND,... per layer`;

function checkKind(text: string, kind: string, where: string, allowAuto: boolean): void {
  if (isScheduleKindName(kind) || (allowAuto && kind === "auto")) return;
  const choices = allowAuto ? ["auto", ...SCHEDULE_KIND_NAMES] : [...SCHEDULE_KIND_NAMES];
  const suggestion = closestMatch(kind, choices);
  throw new CnncUserError(`--schedule \`${text}\`: unknown schedule \`${kind}\` ${where}`, {
    hint: `${suggestion === undefined ? "" : `did you mean \`${suggestion}\`? `}schedules are ${choices.join(", ")}`,
  });
}

/** Splits the option text into the pass's options; malformed text is a user error. */
export function parseScheduleOption(text: string): ScheduleConvsOptions {
  const layers: Record<string, string> = {};
  let all: string | undefined;
  for (const rawPart of text.split(",")) {
    const part = rawPart.trim();
    if (part === "") {
      throw new CnncUserError(`--schedule \`${text}\` has an empty entry`, { hint: "e.g. --schedule im2col,conv1=direct" });
    }
    const equals = part.lastIndexOf("=");
    if (equals < 0) {
      if (all !== undefined) {
        throw new CnncUserError(`--schedule gives a schedule for all layers twice (\`${all}\` and \`${part}\`)`, {
          hint: "name one kind for all layers, then LAYER=KIND for the exceptions",
        });
      }
      checkKind(text, part, "for all layers", true);
      all = part;
      continue;
    }
    const layer = part.slice(0, equals).trim();
    const kind = part.slice(equals + 1).trim();
    checkKind(text, kind, `for layer \`${layer}\``, false);
    layers[layer] = kind;
  }
  return all === undefined ? { layers } : { all, layers };
}
