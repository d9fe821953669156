// `--schedule KIND|LAYER=KIND,...`: the command-line form of choose-schedules' forced kinds: one kind
// for every layer whose op it computes, per-layer kinds, or both (`im2col,stem=direct`: im2col
// everywhere except the layer `stem`). Validation (unknown layers and kinds, illegal kinds) is the pass's.
import { CnncUserError } from "../errors.js";
import type { ScheduleConvsOptions } from "../passes/scheduleOptions.js";
import { SCHEDULE_KINDS } from "../schedule/registry.js";

export const SCHEDULE_OPTION_HELP = `schedule: ${SCHEDULE_KINDS.map((definition) => definition.kind).join(", ")} for all layers it computes, and/or LAYER=KIND,... per layer`;

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
      all = part;
      continue;
    }
    layers[part.slice(0, equals).trim()] = part.slice(equals + 1).trim();
  }
  return all === undefined ? { layers } : { all, layers };
}
